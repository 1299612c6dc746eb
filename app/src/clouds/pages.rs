//! The cloud pages: the list (with the admin tenant's clouds in provider mode and the
//! provider settings) and one cloud with its objects. The creation wizard is in
//! [`super::wizard`].

use super::api::*;
use crate::components::*;
use crate::fmt_time;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use policy::clouds as kinds;
use serde_json::Value;

/// A setting of a cloud as text (lists joined), or `None` when absent or empty.
pub(super) fn setting(config: &Value, key: &str) -> Option<String> {
    match config.get(key)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Array(a) if !a.is_empty() => Some(
            a.iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    Value::Object(h) => format!(
                        "{} ({})",
                        h.get("ip").and_then(Value::as_str).unwrap_or(""),
                        h.get("ssh_user").and_then(Value::as_str).unwrap_or("")
                    ),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => None,
    }
}

/// Where a cloud runs, in a few words (the list's column).
fn location(c: &CloudRow) -> String {
    match c.cloud_type.as_str() {
        "aws" => format!(
            "{} · {}",
            setting(&c.config, "region").unwrap_or_default(),
            setting(&c.config, "vpc_id").unwrap_or_default()
        ),
        "azure" => format!(
            "{} · {}",
            setting(&c.config, "resource_group").unwrap_or_default(),
            setting(&c.config, "virtual_network").unwrap_or_default()
        ),
        "linux-server" => {
            let n = c
                .config
                .get("hosts")
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            format!("{n} host{}", if n == 1 { "" } else { "s" })
        }
        _ => "Service Engines added by hand".to_string(),
    }
}

/// The labelled settings of each type, in the order the wizard asks for them:
/// (key, label, secret).
fn setting_labels(kind: &str) -> &'static [(&'static str, &'static str, bool)] {
    match kind {
        "aws" => &[
            ("region", "Region", false),
            ("access_key_id", "Access key ID", false),
            ("secret_access_key", "Secret access key", true),
            ("iam_role_arn", "IAM role ARN", false),
            ("vpc_id", "VPC ID", false),
            ("availability_zones", "Availability zones", false),
        ],
        "azure" => &[
            ("subscription_id", "Subscription ID", false),
            ("resource_group", "Resource group", false),
            ("virtual_network", "Virtual network", false),
            ("client_id", "Client ID", false),
            ("azure_tenant_id", "Azure AD tenant ID", false),
            ("client_secret", "Client secret", true),
        ],
        "linux-server" => &[
            ("hosts", "Hosts", false),
            ("ssh_private_key", "SSH private key", true),
        ],
        _ => &[],
    }
}

/// A cloud's settings as a list of facts; secrets show only that they are set.
pub(super) fn settings_facts(kind: &str, config: &Value) -> impl IntoView {
    let rows = setting_labels(kind)
        .iter()
        .filter_map(|(key, label, secret)| {
            let value = setting(config, key)?;
            Some(if *secret {
                view! { <div><dt>{*label}</dt><dd><span class="badge badge-ok" data-testid=format!("secret-{key}")>"set"</span> <span class="muted small">"stored encrypted, never shown"</span></dd></div> }.into_any()
            } else {
                view! { <div><dt>{*label}</dt><dd class="mono wrap-anywhere">{value}</dd></div> }.into_any()
            })
        })
        .collect_view();
    rows
}

// ---------------------------------------------------------------- list

#[component]
pub fn CloudsPage() -> impl IntoView {
    let tenant = tenant_param();
    let q = query_param("q");
    let cursor = query_param("cursor");
    let deleted = query_param("deleted");
    let save = form_action::<SaveProviderSettings>();
    let data = Resource::new(
        move || (tenant.get(), q.get(), cursor.get(), save.version().get()),
        |(t, q, c, _)| list_clouds(t, q, non_empty(c)),
    );
    view! {
        <Title text=page_title(tenant, |t| format!("Clouds of {t}"))/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => {
                        let t = tenant.get_untracked();
                        let card = view! { <ProviderSettingsCard tenant=t.clone() data=d.clone() save/> };
                        let shown = d.items.len();
                        let rows = d.items.iter().cloned().map(|c| cloud_list_row(&t, c)).collect_view();
                        let provider_rows = d.provider.iter().cloned().map(|c| cloud_list_row(&t, c)).collect_view();
                        let has_provider = !d.provider.is_empty();
                        let hint = if !q.get_untracked().is_empty() {
                            "No cloud matches this search."
                        } else if d.can_manage {
                            "Create one with the wizard: AWS, Azure, Linux Server or No-Orchestrator."
                        } else {
                            "A tenant admin creates clouds."
                        };
                        let params = vec![("q".to_string(), q.get_untracked())];
                        let new_href = format!("/t/{}/clouds/new", encode(&t));
                        view! {
                            <div class="page-header">
                                <h1 class="page-title">"Clouds"</h1>
                                {d.can_manage.then(|| view! { <a class="btn btn-primary" href=new_href>"Create cloud"</a> })}
                            </div>
                            <p class="page-subtitle">"Clouds scoped to this tenant, with their VRF contexts, SE groups and Service Engines. Other tenants never see them."</p>
                            {move || non_empty(deleted.get()).map(|name| view! {
                                <div class="alert alert-success" role="status" data-testid="form-success">{format!("Cloud {name} deleted, with its VRF contexts, SE groups and Service Engines.")}</div>
                            })}
                            <div class="toolbar">
                                <form class="search" method="get" role="search">
                                    <input type="search" name="q" value=q.get_untracked() aria-label="Search clouds" placeholder="Search by name"/>
                                    <button class="btn" type="submit">"Search"</button>
                                </form>
                            </div>
                            <div class="table-wrap">
                                {if shown == 0 {
                                    view! { <EmptyState title="No clouds".to_string() hint=hint.to_string()/> }.into_any()
                                } else {
                                    view! {
                                        <table class="data-table" aria-label="Clouds">
                                            <thead><tr><th>"Name"</th><th>"Type"</th><th>"Where"</th><th>"Objects"</th><th>"Created"</th></tr></thead>
                                            <tbody>{rows}</tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </div>
                            <Pager next_cursor=d.next_cursor shown=shown limit=20 total=d.total params=params/>
                            {has_provider.then(|| view! {
                                <section aria-labelledby="provider-title">
                                    <h2 class="card-title" id="provider-title">"Provider clouds"</h2>
                                    <p class="muted">"The admin tenant's clouds, which this tenant uses in provider mode. Their network objects stay in the admin tenant: you can use them, not change them."</p>
                                    <div class="table-wrap">
                                        <table class="data-table" aria-label="Provider clouds">
                                            <thead><tr><th>"Name"</th><th>"Type"</th><th>"Where"</th><th>"Objects"</th><th>"Created"</th></tr></thead>
                                            <tbody>{provider_rows}</tbody>
                                        </table>
                                    </div>
                                </section>
                            })}
                            {card}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn cloud_list_row(tenant: &str, c: CloudRow) -> impl IntoView {
    let href = format!("/t/{}/clouds/{}", encode(tenant), c.id);
    let place = location(&c);
    let objects = format!(
        "{} VRF · {} SE group{} · {} SE{}",
        c.vrf_contexts,
        c.se_groups,
        if c.se_groups == 1 { "" } else { "s" },
        c.service_engines,
        if c.service_engines == 1 { "" } else { "s" }
    );
    view! {
        <tr data-testid="cloud-row">
            <td class="name"><a href=href><strong>{c.name.clone()}</strong></a>
                {c.provider.then(|| view! { " " <span class="badge badge-info" title="The admin tenant's cloud: usable, read-only">"provider"</span> })}</td>
            <td>{kinds::label(&c.cloud_type).to_string()}</td>
            <td class="small">{place}</td>
            <td class="nowrap small">{objects}</td>
            <td class="nowrap">{fmt_time(c.created_at)}<div class="muted">{c.created_by}</div></td>
        </tr>
    }
}

/// Provider mode: global admins set it, everyone else sees what it is.
#[component]
fn ProviderSettingsCard(
    tenant: String,
    data: CloudsData,
    save: ServerAction<SaveProviderSettings>,
) -> impl IntoView {
    if data.is_system {
        return view! {
            <section class="card" aria-labelledby="provider-settings-title">
                <h2 class="card-title" id="provider-settings-title">"Provider"</h2>
                <p class="muted">"This is the admin tenant: its clouds serve the tenants whose provider mode is on, read-only."</p>
            </section>
        }
        .into_any();
    }
    let s = data.settings;
    let state = FormState::of(save);
    let yes_no = |b: bool| if b { "on" } else { "off" };
    if !data.can_set_provider {
        return view! {
            <section class="card" aria-labelledby="provider-settings-title">
                <h2 class="card-title" id="provider-settings-title">"Provider mode"</h2>
                <dl class="facts">
                    <div><dt>"Use the provider's clouds"</dt><dd data-testid="provider-mode">{yes_no(s.se_in_provider_context)}</dd></div>
                    <div><dt>"See the provider's Service Engines"</dt><dd>{yes_no(s.tenant_access_to_provider_se)}</dd></div>
                    <div><dt>"Own routing domain (VRF)"</dt><dd>{yes_no(s.tenant_vrf)}</dd></div>
                </dl>
                <p class="muted small">"A global admin changes these settings."</p>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="card" aria-labelledby="provider-settings-title">
            <h2 class="card-title" id="provider-settings-title">"Provider mode"</h2>
            <ActionForm action=save attr:class="form" attr:aria-label="Provider mode">
                <input type="hidden" name="tenant" value=tenant/>
                {state.banner(&[])}
                <Success action=save message=|_: &()| ("Provider settings saved.".to_string(), None)/>
                <label class="check"><input type="checkbox" name="se_in_provider_context" value="on" checked=s.se_in_provider_context/>
                    " Use the admin tenant's clouds and SE groups (provider mode, read-only here)"</label>
                <label class="check"><input type="checkbox" name="tenant_access_to_provider_se" value="on" checked=s.tenant_access_to_provider_se/>
                    " Show the provider's Service Engines to this tenant"</label>
                <label class="check"><input type="checkbox" name="tenant_vrf" value="on" checked=s.tenant_vrf/>
                    " Give this tenant its own routing domain (hide the provider's VRF contexts)"</label>
                <p class="field-hint">"Only global admins see and change these settings. The provider's objects stay in the admin tenant and cannot be moved or edited from here."</p>
                <div class="form-actions">
                    <button class="btn btn-primary" type="submit" disabled=move || save.pending().get()>"Save provider settings"</button>
                </div>
            </ActionForm>
        </section>
    }
    .into_any()
}

// ---------------------------------------------------------------- one cloud

#[component]
pub fn CloudPage() -> impl IntoView {
    let tenant = tenant_param();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let created = query_param("created");
    let delete = form_action::<DeleteCloud>();
    let add_vrf = form_action::<CreateVrfContext>();
    let edit_vrf = form_action::<UpdateVrfContext>();
    let del_vrf = form_action::<DeleteVrfContext>();
    let add_group = form_action::<CreateSeGroup>();
    let edit_group = form_action::<UpdateSeGroup>();
    let del_group = form_action::<DeleteSeGroup>();
    let add_se = form_action::<AddServiceEngine>();
    let del_se = form_action::<RemoveServiceEngine>();
    let data = Resource::new(
        move || {
            (
                tenant.get(),
                id.get(),
                (
                    add_vrf.version().get(),
                    edit_vrf.version().get(),
                    del_vrf.version().get(),
                ),
                (
                    add_group.version().get(),
                    edit_group.version().get(),
                    del_group.version().get(),
                ),
                (add_se.version().get(), del_se.version().get()),
            )
        },
        |(t, id, ..)| cloud_page(t, id),
    );
    let vrf_form = NodeRef::<leptos::html::Form>::new();
    reset_on_success(add_vrf, vrf_form);
    let group_form = NodeRef::<leptos::html::Form>::new();
    reset_on_success(add_group, group_form);
    let se_form = NodeRef::<leptos::html::Form>::new();
    reset_on_success(add_se, se_form);
    let vrf_state = FormState::of(add_vrf);
    let vrf_edit_state = FormState::of(edit_vrf);
    let group_state = FormState::of(add_group);
    let group_edit_state = FormState::of(edit_group);
    let se_state = FormState::of(add_se);
    view! {
        <Title text=page_title(tenant, |t| format!("Cloud in {t}"))/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => {
                        let t = tenant.get_untracked();
                        let c = d.cloud.clone();
                        let manage = d.can_manage;
                        let list_href = format!("/t/{}/clouds", encode(&t));
                        let ha_options: Vec<(String, String)> = kinds::HA_MODES.iter().map(|(k, l)| (k.to_string(), l.to_string())).collect();
                        let group_options: Vec<(String, String)> = d.se_groups.iter().map(|g| (g.id.clone(), format!("{} ({}/{})", g.name, g.service_engines, g.max_ses))).collect();

                        let vrf_rows = d.vrf_contexts.iter().map(|v| {
                            let t = t.clone();
                            let editing = vrf_edit_state.kept("id").as_deref() == Some(v.id.as_str());
                            let custom = v.purpose == "custom";
                            let purpose = match v.purpose.as_str() { "data" => "Data plane", "management" => "Management", _ => "Added by hand" };
                            let name = v.name.clone();
                            let (name_fid, desc_fid) = (format!("vrf-name-{}", v.id), format!("vrf-desc-{}", v.id));
                            let (vname, vdesc) = (v.name.clone(), v.description.clone());
                            view! {
                                <tr data-testid="vrf-row">
                                    <td class="name"><strong>{v.name.clone()}</strong></td>
                                    <td>{purpose}</td>
                                    <td class="small">{v.description.clone()}</td>
                                    <td class="actions">{manage.then(|| view! {
                                        <EditInline action=edit_vrf label=format!("Edit VRF context {name}") open=editing fields=vec![("tenant", t.clone()), ("id", v.id.clone())]>
                                            {custom.then_some(view! { <Field form=vrf_edit_state name="name" id=name_fid label="Name" value=vname.clone()/> })}
                                            {(!custom).then_some(view! { <input type="hidden" name="name" value=vname/> })}
                                            <Field form=vrf_edit_state name="description" id=desc_fid label="Description" value=vdesc/>
                                        </EditInline>
                                        {custom.then_some(view! {
                                            " "
                                            <Confirm action=del_vrf summary="Delete" label=format!("Delete VRF context {name}") dialog="Confirm deletion" confirm="Yes, delete"
                                                fields=vec![("tenant", t.clone()), ("id", v.id.clone())]>
                                                "Delete VRF context " <strong>{name.clone()}</strong> "?"
                                            </Confirm>
                                        })}
                                    })}</td>
                                </tr>
                            }
                        }).collect_view();

                        let group_rows = d.se_groups.iter().map(|g| {
                            let t = t.clone();
                            let editing = group_edit_state.kept("id").as_deref() == Some(g.id.as_str());
                            let name = g.name.clone();
                            let default = g.name == "Default-Group";
                            let ha_options = ha_options.clone();
                            let fids: Vec<String> = ["name", "ha", "max", "desc"].iter().map(|f| format!("group-{f}-{}", g.id)).collect();
                            let (gname, gha, gmax, gdesc) = (g.name.clone(), g.ha_mode.clone(), g.max_ses.to_string(), g.description.clone());
                            view! {
                                <tr data-testid="se-group-row">
                                    <td class="name"><strong>{g.name.clone()}</strong><div class="muted small">{g.description.clone()}</div></td>
                                    <td>{kinds::ha_label(&g.ha_mode).to_string()}</td>
                                    <td class="nowrap">{format!("{} of {}", g.service_engines, g.max_ses)}</td>
                                    <td class="actions">{manage.then(|| view! {
                                        <EditInline action=edit_group label=format!("Edit SE group {name}") open=editing fields=vec![("tenant", t.clone()), ("id", g.id.clone())]>
                                            {if default {
                                                view! { <input type="hidden" name="name" value=gname/> }.into_any()
                                            } else {
                                                view! { <Field form=group_edit_state name="name" id=fids[0].clone() label="Name" value=gname/> }.into_any()
                                            }}
                                            <Field form=group_edit_state name="ha_mode" id=fids[1].clone() label="HA mode" options=ha_options value=gha/>
                                            <Field form=group_edit_state name="max_ses" id=fids[2].clone() label="Max Service Engines" kind="number" min="1" max="1000" value=gmax/>
                                            <Field form=group_edit_state name="description" id=fids[3].clone() label="Description" value=gdesc/>
                                        </EditInline>
                                        {(!default).then_some(view! {
                                            " "
                                            <Confirm action=del_group summary="Delete" label=format!("Delete SE group {name}") dialog="Confirm deletion" confirm="Yes, delete"
                                                fields=vec![("tenant", t.clone()), ("id", g.id.clone())]>
                                                "Delete SE group " <strong>{name.clone()}</strong> "? It must hold no Service Engines."
                                            </Confirm>
                                        })}
                                    })}</td>
                                </tr>
                            }
                        }).collect_view();

                        let se_empty = d.service_engines.is_empty();
                        let se_rows = d.service_engines.clone().into_iter().map(|s| {
                            let t = t.clone();
                            let name = s.name.clone();
                            let can_remove = manage && d.manual_ses;
                            view! {
                                <tr data-testid="se-row">
                                    <td class="name"><strong>{s.name.clone()}</strong></td>
                                    <td class="mono">{s.mgmt_ip.clone()}</td>
                                    <td>{s.se_group_name.clone()}</td>
                                    <td class="nowrap">{fmt_time(s.created_at)}<div class="muted">{s.created_by.clone()}</div></td>
                                    <td class="actions">{can_remove.then(|| view! {
                                        <Confirm action=del_se summary="Remove" label=format!("Remove Service Engine {name}") dialog="Confirm removal" confirm="Yes, remove"
                                            fields=vec![("tenant", t), ("id", s.id.clone())]>
                                            "Remove Service Engine " <strong>{name.clone()}</strong> " (" {s.mgmt_ip.clone()} ") from this cloud?"
                                        </Confirm>
                                    })}</td>
                                </tr>
                            }
                        }).collect_view();

                        let vrf_names = d.vrf_contexts.iter().map(|v| v.name.clone()).collect::<Vec<_>>().join(", ");
                        let group_names = d.se_groups.iter().map(|g| g.name.clone()).collect::<Vec<_>>().join(", ");
                        let se_names = d.service_engines.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", ");
                        let delete_question = format!(
                            "This also deletes its {} VRF context{} ({}), {} SE group{} ({}) and {} Service Engine{}{}. This cannot be undone.",
                            d.vrf_contexts.len(), if d.vrf_contexts.len() == 1 { "" } else { "s" }, vrf_names,
                            d.se_groups.len(), if d.se_groups.len() == 1 { "" } else { "s" }, group_names,
                            d.service_engines.len(), if d.service_engines.len() == 1 { "" } else { "s" },
                            if se_names.is_empty() { String::new() } else { format!(" ({se_names})") },
                        );
                        let cloud_id = c.id.clone();
                        let cloud_id2 = c.id.clone();
                        let cloud_id3 = c.id.clone();
                        let t2 = t.clone();
                        let t3 = t.clone();
                        let t4 = t.clone();
                        let se_hint = if c.provider {
                            "The provider's Service Engines are not shown to this tenant."
                        } else if d.manual_ses {
                            "Add this cloud's Service Engines by hand below."
                        } else {
                            "The cloud's orchestrator creates Service Engines as they are needed."
                        };
                        let is_lsc = c.cloud_type == "linux-server";
                        view! {
                            {move || non_empty(created.get()).map(|_| view! {
                                <div class="alert alert-success" role="status" data-testid="form-success">"Cloud created, with the VRF contexts global and management and the SE group Default-Group."</div>
                            })}
                            <div class="page-header">
                                <h1 class="page-title">{c.name.clone()}</h1>
                                <a class="btn" href=list_href>"All clouds"</a>
                            </div>
                            {c.provider.then(|| view! {
                                <div class="alert alert-info" role="note" data-testid="provider-note">"A provider cloud of the admin tenant: this tenant uses it, read-only. Its objects stay in the admin tenant."</div>
                            })}
                            <dl class="facts">
                                <div><dt>"Type"</dt><dd data-testid="cloud-type-label">{kinds::label(&c.cloud_type).to_string()}
                                    {c.provider.then(|| view! { " " <span class="badge badge-info">"provider"</span> })}</dd></div>
                                {settings_facts(&c.cloud_type, &c.config)}
                                <div><dt>"Created"</dt><dd>{fmt_time(c.created_at)}<div class="muted small">{c.created_by.clone()}</div></dd></div>
                            </dl>

                            <section aria-labelledby="vrf-title">
                                <h2 class="card-title" id="vrf-title">"VRF contexts"</h2>
                                {move || error_banner(del_vrf.value().get().and_then(Result::err))}
                                <Success action=edit_vrf message=|n: &String| (format!("VRF context {n} saved."), None)/>
                                <Success action=del_vrf message=|_: &()| ("VRF context deleted.".to_string(), None)/>
                                {vrf_edit_state.banner(&["name", "description"])}
                                <div class="table-wrap">
                                    {if d.vrf_contexts.is_empty() {
                                        view! { <EmptyState title="No VRF contexts shown".to_string() hint="This tenant has its own routing domain: the provider's VRF contexts stay hidden.".to_string()/> }.into_any()
                                    } else {
                                        view! {
                                            <table class="data-table" aria-label="VRF contexts">
                                                <thead><tr><th>"Name"</th><th>"Traffic"</th><th>"Description"</th><th class="actions"><span class="sr-only">"Actions"</span></th></tr></thead>
                                                <tbody>{vrf_rows}</tbody>
                                            </table>
                                        }.into_any()
                                    }}
                                </div>
                                {manage.then(|| view! {
                                    <details class="card add-card">
                                        <summary>"Add VRF context"</summary>
                                        <ActionForm action=add_vrf node_ref=vrf_form attr:class="form" attr:aria-label="Add VRF context">
                                            <input type="hidden" name="tenant" value=t.clone()/>
                                            <input type="hidden" name="cloud_id" value=cloud_id/>
                                            {vrf_state.banner(&["name", "description"])}
                                            <Success action=add_vrf message=|n: &String| (format!("VRF context {n} added."), None)/>
                                            <div class="form-row">
                                                <Field form=vrf_state name="name" id="vrf-new-name" label="Name" required=true placeholder="tenant-a-data"/>
                                                <Field form=vrf_state name="description" id="vrf-new-desc" label="Description"/>
                                            </div>
                                            <div class="form-actions"><button class="btn btn-primary" type="submit" disabled=move || add_vrf.pending().get()>"Add VRF context"</button></div>
                                        </ActionForm>
                                    </details>
                                })}
                            </section>

                            <section aria-labelledby="groups-title">
                                <h2 class="card-title" id="groups-title">"SE groups"</h2>
                                {move || error_banner(del_group.value().get().and_then(Result::err))}
                                <Success action=edit_group message=|n: &String| (format!("SE group {n} saved."), None)/>
                                <Success action=del_group message=|_: &()| ("SE group deleted.".to_string(), None)/>
                                {group_edit_state.banner(&["name", "ha_mode", "max_ses", "description"])}
                                <div class="table-wrap">
                                    <table class="data-table" aria-label="SE groups">
                                        <thead><tr><th>"Name"</th><th>"HA mode"</th><th>"Service Engines"</th><th class="actions"><span class="sr-only">"Actions"</span></th></tr></thead>
                                        <tbody>{group_rows}</tbody>
                                    </table>
                                </div>
                                {manage.then(|| view! {
                                    <details class="card add-card">
                                        <summary>"Add SE group"</summary>
                                        <ActionForm action=add_group node_ref=group_form attr:class="form" attr:aria-label="Add SE group">
                                            <input type="hidden" name="tenant" value=t2/>
                                            <input type="hidden" name="cloud_id" value=cloud_id2/>
                                            {group_state.banner(&["name", "ha_mode", "max_ses", "description"])}
                                            <Success action=add_group message=|n: &String| (format!("SE group {n} added."), None)/>
                                            <div class="form-row">
                                                <Field form=group_state name="name" id="group-new-name" label="Name" required=true placeholder="web-tier"/>
                                                <Field form=group_state name="ha_mode" id="group-new-ha" label="HA mode" options=ha_options.clone() value="shared".to_string()/>
                                                <Field form=group_state name="max_ses" id="group-new-max" label="Max Service Engines" kind="number" min="1" max="1000" value="10".to_string() wrap="field-narrow"/>
                                            </div>
                                            <Field form=group_state name="description" id="group-new-desc" label="Description"/>
                                            <div class="form-actions"><button class="btn btn-primary" type="submit" disabled=move || add_group.pending().get()>"Add SE group"</button></div>
                                        </ActionForm>
                                    </details>
                                })}
                            </section>

                            <section aria-labelledby="ses-title">
                                <h2 class="card-title" id="ses-title">"Service Engines"</h2>
                                {move || error_banner(del_se.value().get().and_then(Result::err))}
                                <Success action=del_se message=|_: &()| ("Service Engine removed.".to_string(), None)/>
                                <div class="table-wrap">
                                    {if se_empty {
                                        view! { <EmptyState title="No Service Engines".to_string() hint=se_hint.to_string()/> }.into_any()
                                    } else {
                                        view! {
                                            <table class="data-table" aria-label="Service Engines">
                                                <thead><tr><th>"Name"</th><th>"Management IP"</th><th>"SE group"</th><th>"Added"</th><th class="actions"><span class="sr-only">"Actions"</span></th></tr></thead>
                                                <tbody>{se_rows}</tbody>
                                            </table>
                                        }.into_any()
                                    }}
                                </div>
                                {(manage && d.manual_ses).then(|| view! {
                                    <details class="card add-card" open=se_empty>
                                        <summary>"Add Service Engine"</summary>
                                        <ActionForm action=add_se node_ref=se_form attr:class="form" attr:aria-label="Add Service Engine">
                                            <input type="hidden" name="tenant" value=t3/>
                                            {se_state.banner(&["name", "mgmt_ip", "se_group_id"])}
                                            <Success action=add_se message=|n: &String| (format!("Service Engine {n} added."), None)/>
                                            <div class="form-row">
                                                <Field form=se_state name="name" id="se-new-name" label="Name" required=true placeholder="se-1"/>
                                                <Field form=se_state name="mgmt_ip" id="se-new-ip" label="Management IP" class="mono" required=true placeholder="10.0.0.21"
                                                    hint=if is_lsc { "One of the cloud's hosts." } else { "Where the controller reaches it." }.to_string()/>
                                                <Field form=se_state name="se_group_id" id="se-new-group" label="SE group" options=group_options.clone()/>
                                            </div>
                                            <div class="form-actions"><button class="btn btn-primary" type="submit" disabled=move || add_se.pending().get()>"Add Service Engine"</button></div>
                                        </ActionForm>
                                    </details>
                                })}
                            </section>

                            {manage.then(|| {
                                let cloud_name = c.name.clone();
                                view! {
                                    <section class="danger-zone" aria-labelledby="danger-title">
                                        <h2 class="card-title" id="danger-title">"Delete this cloud"</h2>
                                        {move || error_banner(delete.value().get().and_then(Result::err))}
                                        <p class="muted">"Deletes the cloud with everything it holds."</p>
                                        <Confirm action=delete summary="Delete cloud" label=format!("Delete cloud {cloud_name}") dialog="Confirm deletion" confirm="Yes, delete the cloud"
                                            fields=vec![("tenant", t4), ("id", cloud_id3)]>
                                            "Delete cloud " <strong>{cloud_name.clone()}</strong> "? " {delete_question}
                                        </Confirm>
                                    </section>
                                }
                            })}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
