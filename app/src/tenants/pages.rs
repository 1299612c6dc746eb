//! The tenant dashboard and the tenants page (list, search, create).

use super::api::{self, CreateTenant, UpdateTenant};
use crate::components::*;
use crate::lifecycle::pages::{poll, RefreshWithoutJs, TeardownProgress};
use crate::{fmt_date, fmt_time, human_bytes};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let tenant = tenant_param();
    let data = Resource::new(move || tenant.get(), api::dashboard);
    view! {
        <Title text=page_title(tenant, str::to_string)/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => {
                        let t = d.tenant;
                        let st = d.stats;
                        let base = format!("/t/{}", t.name);
                        let last = st.last_activity_at.map(fmt_time).unwrap_or_else(|| "—".into());
                        let stat = |label: &'static str, value: String, href: String, testid: &'static str| view! {
                            <a class="stat stat-link" href=href>
                                <div class="stat-label">{label}</div>
                                <div class="stat-value" data-testid=testid>{value}</div>
                            </a>
                        };
                        let recent_empty = d.recent.is_empty();
                        let recent = d.recent.into_iter().map(|(at, who, action, target)| view! {
                            <li><span class="muted nowrap">{fmt_time(at)}</span>" "<code>{action}</code>" "<span class="name">{target}</span>" "<span class="muted">"by " {who}</span></li>
                        }).collect_view();
                        view! {
                            <div class="page-header">
                                <h1 class="page-title">{t.name.clone()}</h1>
                            </div>
                            <p class="page-subtitle">{if t.description.is_empty() { "No description.".to_string() } else { t.description.clone() }}</p>
                            {(!d.overview).then(|| view! {
                                <EmptyState title="A partial view".to_string() hint="You may see only part of this tenant: the sections you can open are in the navigation.".to_string()/>
                            })}
                            <div class="stat-grid" hidden=!d.overview>
                                {stat("Active connections", st.connections_active.to_string(), format!("{base}/connections"), "stat-connections")}
                                {stat("Revoked connections", st.connections_revoked.to_string(), format!("{base}/connections"), "stat-revoked")}
                                {stat("Pending secrets", st.secrets_pending.to_string(), format!("{base}/connections"), "stat-secrets")}
                                {stat("Traffic, 30 days", human_bytes(st.traffic_30d), format!("{base}/connections"), "stat-traffic")}
                                {stat("Services", st.services.to_string(), format!("{base}/services"), "stat-services")}
                                {stat("Workspaces", st.workspaces.to_string(), format!("{base}/workspaces"), "stat-workspaces")}
                                {stat("Network policies", st.policies.to_string(), format!("{base}/network-policies"), "stat-policies")}
                                {stat("IAM policies", st.iam_policies.to_string(), format!("{base}/iam-policies"), "stat-iam-policies")}
                                {stat("Members", st.members.to_string(), format!("{base}/members"), "stat-members")}
                                {stat("Admins", st.admins.to_string(), format!("{base}/members"), "stat-admins")}
                            </div>
                            <div class="card-grid" hidden=!d.overview>
                                <section class="card" aria-labelledby="recent-title">
                                    <h2 class="card-title" id="recent-title">"Recent changes"</h2>
                                    {if recent_empty {
                                        view! { <EmptyState title="No changes yet".to_string() hint="Changes made in this tenant appear here.".to_string()/> }.into_any()
                                    } else {
                                        view! { <ul class="recent-list" data-testid="recent-changes">{recent}</ul> }.into_any()
                                    }}
                                    <p><a href=format!("{base}/audit")>"The whole audit log"</a>" · last change " {last}</p>
                                </section>
                                <section class="card">
                                    <h2 class="card-title">"Tenant"</h2>
                                    <dl class="kv">
                                        <dt>"ID"</dt><dd><span class="mono" data-testid="tenant-id">{t.id.clone()}</span> " " <CopyButton text=t.id.clone() label="Copy tenant id" small=true/></dd>
                                        <dt>"Name"</dt><dd>{t.name.clone()}</dd>
                                        <dt>"State"</dt><dd><StateBadge desired=t.desired_state.clone() current=t.current_state.clone()/></dd>
                                        <dt>"Labels"</dt><dd><Labels labels=t.labels.clone()/></dd>
                                        <dt>"Created"</dt><dd>{if t.is_system { "with the console".to_string() } else { fmt_time(t.created_at) }}</dd>
                                    </dl>
                                </section>
                            </div>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Desired/current lifecycle state as a badge.
#[component]
fn StateBadge(desired: String, current: String) -> impl IntoView {
    let (class, text) = match (desired.as_str(), current.as_str()) {
        ("CREATED", "CREATED") => ("badge badge-ok", "Ready".to_string()),
        ("CREATED", _) => ("badge badge-info", "Provisioning".to_string()),
        ("DELETED", "DELETED") => ("badge badge-muted", "Deleted".to_string()),
        ("DELETED", _) => ("badge badge-warn", "Deleting".to_string()),
        _ => ("badge badge-muted", format!("{desired} / {current}")),
    };
    view! { <span class=class title=format!("desired {desired}, current {current}")>{text}</span> }
}

#[component]
fn Labels(labels: Vec<String>) -> impl IntoView {
    if labels.is_empty() {
        view! { <span class="muted">"—"</span> }.into_any()
    } else {
        labels
            .into_iter()
            .map(|l| view! { <span class="chip">{l}</span>" " })
            .collect_view()
            .into_any()
    }
}

#[component]
pub fn TenantsPage() -> impl IntoView {
    let q = query_param("q");
    let label = query_param("label");
    let cursor = query_param("cursor");
    let deleting = query_param("deleting");
    let create = form_action::<CreateTenant>();
    let edit = form_action::<UpdateTenant>();
    let edit_state = FormState::of(edit);
    let data = Resource::new(
        move || {
            (
                q.get(),
                label.get(),
                cursor.get(),
                create.version().get(),
                edit.version().get(),
            )
        },
        |(q, l, c, ..)| api::list_tenants(q, l, non_empty(c)),
    );
    let create_form_ref = NodeRef::<leptos::html::Form>::new();
    reset_on_success(create, create_form_ref);
    let form = FormState::of(create);
    // While a tenant is being created or deleted, the list follows it.
    poll(move || {
        let busy = data.get_untracked().is_some_and(|r| {
            r.is_ok_and(|p| p.items.iter().any(|t| t.desired_state != t.current_state))
        });
        if busy {
            data.refetch();
        }
    });
    view! {
        <Title text="Tenants"/>
        <div class="page-header">
            <h1 class="page-title">"Tenants"</h1>
        </div>
        <p class="page-subtitle">"Every tenant of this console. Names and ids never change."</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) => {
                        let shown = page.items.len();
                        let busy = page.items.iter().any(|t| t.desired_state != t.current_state);
                        // After a deletion was asked for: under way while listed, done once gone.
                        let asked = deleting.get_untracked();
                        let deletion_note = (!asked.is_empty()).then(|| {
                            if page.items.iter().any(|t| t.name == asked) {
                                view! { <div class="alert alert-info" role="status" data-testid="deletion-note">{format!("Deleting tenant {asked}. Its progress shows below.")}</div> }.into_any()
                            } else {
                                view! { <div class="alert alert-success" role="status" data-testid="deletion-note">{format!("Tenant {asked} was deleted.")}</div> }.into_any()
                            }
                        });
                        let rows = page.items.into_iter().map(|row| {
                            let href = format!("/t/{}", row.name);
                            let editing = edit_state.kept("id").as_deref() == Some(row.id.as_str());
                            let kept = |name: &str, current: String| edit_state.kept(name).filter(|_| editing).unwrap_or(current);
                            let description = kept("description", row.description.clone());
                            let labels = kept("labels", row.labels.join(", "));
                            let (d_id, l_id) = (format!("tenant-description-{}", row.id), format!("tenant-labels-{}", row.id));
                            let edit_fields = vec![("id", row.id.clone())];
                            let (edit_name, delete_name) = (row.name.clone(), row.name.clone());
                            view! {
                                <tr data-testid="tenant-row">
                                    <td class="name"><a href=href>{row.name.clone()}</a>{row.is_system.then(|| view! { " " <span class="badge badge-info">"system"</span> })}</td>
                                    <td class="muted"><div class="clamp-2" title=row.description.clone()>{row.description.clone()}</div></td>
                                    <td><Labels labels=row.labels.clone()/></td>
                                    <td>{match row.teardown.clone() {
                                        Some(p) => view! { <TeardownProgress progress=p label=format!("Deletion of {}", row.name)/> }.into_any(),
                                        None => view! { <StateBadge desired=row.desired_state.clone() current=row.current_state.clone()/> }.into_any(),
                                    }}</td>
                                    <td><ShortId id=row.id.clone() what=format!("id of {}", row.name)/></td>
                                    <td class="nowrap" title=fmt_time(row.created_at)>{if row.is_system { "—".to_string() } else { fmt_date(row.created_at) }}</td>
                                    <td class="actions">
                                        {row.teardown.is_none().then(|| view! {
                                            <EditInline action=edit label=format!("Edit tenant {edit_name}") open=editing fields=edit_fields>
                                                <Field form=edit_state name="description" id=d_id label=format!("Description of {edit_name}") value=description/>
                                                <Field form=edit_state name="labels" id=l_id label=format!("Labels of {edit_name}") value=labels hint="key=value pairs, separated by commas."/>
                                            </EditInline>
                                        })}
                                        {(!row.is_system && row.teardown.is_none()).then(|| view! {
                                            <a class="btn btn-danger btn-sm" href=format!("/admin/tenants/{}/delete", encode(&delete_name)) aria-label=format!("Delete tenant {delete_name}")>"Delete"</a>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view();
                        let filtering = !q.get_untracked().is_empty() || !label.get_untracked().is_empty();
                        let params = vec![("q".to_string(), q.get_untracked()), ("label".to_string(), label.get_untracked())];
                        view! {
                            {busy.then(|| view! { <RefreshWithoutJs/> })}
                            {deletion_note}
                            <section class="card" aria-labelledby="create-tenant-title">
                                <h2 class="card-title" id="create-tenant-title">"Create a tenant"</h2>
                                <ActionForm action=create node_ref=create_form_ref attr:class="form" attr:aria-label="Create tenant">
                                    {form.banner(&["name", "description", "labels"])}
                                    <Success action=create message=|name: &String| (format!("Tenant {name} created."), Some(format!("/t/{name}")))/>
                                    <Field form name="name" id="tenant-name" label="Name" required=true placeholder="e.g. dev-analytics"
                                        hint="2–63 lowercase letters, digits, - or _, starting with a letter. It cannot be changed later."/>
                                    <Field form name="description" id="tenant-description" label="Description" placeholder="Optional"/>
                                    <Field form name="labels" id="tenant-labels" label="Labels" placeholder="env=prod, team=analytics"
                                        hint="Optional key=value pairs, separated by commas."/>
                                    <div class="form-actions">
                                        <button class="btn btn-primary" type="submit" disabled=move || create.pending().get()>"Create tenant"</button>
                                    </div>
                                </ActionForm>
                            </section>
                            <Success action=edit message=|name: &String| (format!("Tenant {name} saved."), Some(format!("/t/{name}")))/>
                            {edit_state.banner(&["description", "labels"])}
                            <div class="toolbar">
                                <form class="search" method="get" role="search">
                                    <input type="search" name="q" value=q.get_untracked() aria-label="Search tenants by name" placeholder="Search by name"/>
                                    <input type="text" name="label" value=label.get_untracked() aria-label="Filter by label" placeholder="label, e.g. env=prod"/>
                                    <button class="btn" type="submit">"Filter"</button>
                                </form>
                            </div>
                            <div class="table-wrap">
                                {if shown == 0 {
                                    let hint = if filtering { "No tenant matches these filters." } else { "Create the first tenant above." };
                                    view! { <EmptyState title="No tenants".to_string() hint=hint.to_string()/> }.into_any()
                                } else {
                                    view! {
                                        <table class="data-table" aria-label="Tenants">
                                            <thead><tr><th>"Name"</th><th>"Description"</th><th>"Labels"</th><th>"State"</th><th>"ID"</th><th>"Created"</th><th class="actions"><span class="sr-only">"Actions"</span></th></tr></thead>
                                            <tbody>{rows}</tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </div>
                            <Pager next_cursor=page.next_cursor shown=shown limit=20 total=page.total params=params/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
