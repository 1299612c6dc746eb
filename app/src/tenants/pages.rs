//! The tenant dashboard and the tenants page (list, search, create).

use super::api::{self, CreateTenant};
use crate::components::*;
use crate::fmt_time;
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
                        let base = format!("/t/{}", t.name);
                        let last = d.last_activity_at.map(fmt_time).unwrap_or_else(|| "—".into());
                        view! {
                            <div class="page-header">
                                <h1 class="page-title">{t.name.clone()}</h1>
                            </div>
                            <p class="page-subtitle">{if t.description.is_empty() { "No description.".to_string() } else { t.description.clone() }}</p>
                            <div class="stat-grid">
                                <div class="stat"><div class="stat-label">"Members"</div><div class="stat-value" data-testid="stat-members">{d.members}</div></div>
                                <div class="stat"><div class="stat-label">"Admins"</div><div class="stat-value">{d.admins}</div></div>
                                <div class="stat"><div class="stat-label">"Audit events"</div><div class="stat-value">{d.audit_events}</div></div>
                                <div class="stat"><div class="stat-label">"Last activity"</div><div class="stat-value stat-value-sm">{last}</div></div>
                            </div>
                            <section class="card">
                                <h2 class="card-title">"Tenant"</h2>
                                <dl class="kv">
                                    <dt>"ID"</dt><dd class="mono" data-testid="tenant-id">{t.id.clone()}</dd>
                                    <dt>"Name"</dt><dd>{t.name.clone()}</dd>
                                    <dt>"State"</dt><dd><StateBadge desired=t.desired_state.clone() current=t.current_state.clone()/></dd>
                                    <dt>"Labels"</dt><dd><Labels labels=t.labels.clone()/></dd>
                                    <dt>"Created"</dt><dd>{if t.is_system { "with the console".to_string() } else { fmt_time(t.created_at) }}</dd>
                                </dl>
                            </section>
                            <section class="card">
                                <h2 class="card-title">"Shortcuts"</h2>
                                <div class="row">
                                    <a class="btn" href=format!("{base}/members")>"Manage members"</a>
                                    <a class="btn" href=format!("{base}/audit")>"View audit log"</a>
                                </div>
                            </section>
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
    let tenant = tenant_param();
    let q = query_param("q");
    let label = query_param("label");
    let cursor = query_param("cursor");
    let create = ServerAction::<CreateTenant>::new();
    let data = Resource::new(
        move || {
            (
                tenant.get(),
                q.get(),
                label.get(),
                cursor.get(),
                create.version().get(),
            )
        },
        |(t, q, l, c, _)| api::list_tenants(t, q, l, non_empty(c)),
    );
    let err = move || create.value().get().and_then(Result::err);
    let create_form_ref = NodeRef::<leptos::html::Form>::new();
    reset_on_success(create, create_form_ref);
    let field_err =
        move |f: &'static str| Signal::derive(move || err().and_then(|e| e.for_field(f)));
    let invalid =
        move |f: &'static str| move || err().and_then(|e| e.for_field(f)).is_some().to_string();
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
                        let t = tenant.get_untracked();
                        let shown = page.items.len();
                        let rows = page.items.into_iter().map(|row| {
                            let href = format!("/t/{}", row.name);
                            view! {
                                <tr data-testid="tenant-row">
                                    <td><a href=href>{row.name.clone()}</a>{row.is_system.then(|| view! { " " <span class="badge badge-info">"system"</span> })}</td>
                                    <td class="muted">{row.description.clone()}</td>
                                    <td><Labels labels=row.labels.clone()/></td>
                                    <td><StateBadge desired=row.desired_state.clone() current=row.current_state.clone()/></td>
                                    <td class="mono">{row.id.clone()}</td>
                                    <td class="nowrap">{if row.is_system { "—".to_string() } else { fmt_time(row.created_at) }}</td>
                                </tr>
                            }
                        }).collect_view();
                        let filtering = !q.get_untracked().is_empty() || !label.get_untracked().is_empty();
                        let params = vec![("q".to_string(), q.get_untracked()), ("label".to_string(), label.get_untracked())];
                        let has_cursor = !cursor.get_untracked().is_empty();
                        view! {
                            <section class="card" aria-labelledby="create-tenant-title">
                                <h2 class="card-title" id="create-tenant-title">"Create a tenant"</h2>
                                <ActionForm action=create node_ref=create_form_ref attr:class="form" attr:aria-label="Create tenant">
                                    <input type="hidden" name="tenant" value=t/>
                                    {move || err().and_then(|e| e.form_message(&["name", "description", "labels"])).map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> })}
                                    {move || matches!(create.value().get(), Some(Ok(()))).then(|| view! { <div class="alert alert-success" role="status">"Tenant created."</div> })}
                                    <div class="field">
                                        <label for="tenant-name">"Name"</label>
                                        <input id="tenant-name" type="text" name="name" required placeholder="e.g. dev-analytics"
                                            aria-invalid=invalid("name") aria-describedby="tenant-name-hint"/>
                                        <p class="field-hint" id="tenant-name-hint">"2–63 lowercase letters, digits, - or _, starting with a letter. It cannot be changed later."</p>
                                        <FieldError id="tenant-name-error" message=field_err("name")/>
                                    </div>
                                    <div class="field">
                                        <label for="tenant-description">"Description"</label>
                                        <input id="tenant-description" type="text" name="description" placeholder="Optional" aria-invalid=invalid("description")/>
                                        <FieldError id="tenant-description-error" message=field_err("description")/>
                                    </div>
                                    <div class="field">
                                        <label for="tenant-labels">"Labels"</label>
                                        <input id="tenant-labels" type="text" name="labels" placeholder="env=prod, team=analytics" aria-invalid=invalid("labels")/>
                                        <p class="field-hint">"Optional key=value pairs, separated by commas."</p>
                                        <FieldError id="tenant-labels-error" message=field_err("labels")/>
                                    </div>
                                    <div class="form-actions">
                                        <button class="btn btn-primary" type="submit" disabled=move || create.pending().get()>"Create tenant"</button>
                                    </div>
                                </ActionForm>
                            </section>
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
                                            <thead><tr><th>"Name"</th><th>"Description"</th><th>"Labels"</th><th>"State"</th><th>"ID"</th><th>"Created"</th></tr></thead>
                                            <tbody>{rows}</tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </div>
                            <Pager next_cursor=page.next_cursor has_cursor=has_cursor shown=shown params=params/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
