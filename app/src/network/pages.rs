//! NCS Networking pages: Workspaces, Services (with the DNS names of connected
//! tenants' services), Network Policies with the connectivity check, the policy editor
//! (which lints as you type with the same parser the server uses), and one
//! connection's page with its traffic chart, drawn on the server as SVG.

use super::api::*;
use crate::components::*;
use crate::fmt_time;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

// ---------------------------------------------------------------- workspaces

/// The protocols a service may speak, as (value, label).
const PROTOCOLS: [(&str, &str); 5] = [
    ("tcp", "TCP"),
    ("udp", "UDP"),
    ("http", "HTTP"),
    ("https", "HTTPS"),
    ("grpc", "gRPC"),
];

#[component]
pub fn WorkspacesPage() -> impl IntoView {
    let tenant = tenant_param();
    let q = query_param("q");
    let cursor = query_param("cursor");
    let create = form_action::<CreateWorkspace>();
    let delete = form_action::<DeleteWorkspace>();
    let edit = form_action::<UpdateWorkspace>();
    let edit_state = FormState::of(edit);
    let data = Resource::new(
        move || {
            (
                tenant.get(),
                q.get(),
                cursor.get(),
                create.version().get(),
                delete.version().get(),
                edit.version().get(),
            )
        },
        |(t, q, c, ..)| list_workspaces(t, q, non_empty(c)),
    );
    let form = NodeRef::<leptos::html::Form>::new();
    reset_on_success(create, form);
    let state = FormState::of(create);
    view! {
        <Title text=page_title(tenant, |t| format!("Workspaces of {t}"))/>
        <div class="page-header"><h1 class="page-title">"Workspaces"</h1></div>
        <p class="page-subtitle">"Workspaces carry labels. Network policies select the workspaces they let through by label."</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => {
                        let t = tenant.get_untracked();
                        let shown = d.items.len();
                        let create_form = d.can_manage.then(|| {
                            let t = t.clone();
                            view! {
                                <section class="card" aria-labelledby="new-ws-title">
                                    <h2 class="card-title" id="new-ws-title">"Create workspace"</h2>
                                    <ActionForm action=create node_ref=form attr:class="form" attr:aria-label="Create workspace">
                                        <input type="hidden" name="tenant" value=t/>
                                        {state.banner(&["name", "labels"])}
                                        <Success action=create message=|name: &String| (format!("Workspace {name} created."), None)/>
                                        <div class="form-row">
                                            <Field form=state name="name" id="ws-name" label="Name" required=true placeholder="ide-project-a"/>
                                            <Field form=state name="labels" id="ws-labels" label="Labels" placeholder="project-a-ide, team-analytics"/>
                                        </div>
                                        <p class="field-hint">"Names are lowercase letters, digits and hyphens. Labels are plain words (no key=value, unlike tenant labels), because network policies select workspaces by one label, e.g. " <span class="mono">"workspaceLabel: project-a-ide"</span> ". Separate labels with commas or spaces."</p>
                                        <div class="form-actions">
                                            <button class="btn btn-primary" type="submit" disabled=move || create.pending().get()>"Create workspace"</button>
                                        </div>
                                    </ActionForm>
                                </section>
                            }
                        });
                        let can_manage = d.can_manage;
                        let rows = d.items.into_iter().map(|w| {
                            let t = t.clone();
                            let name = w.name.clone();
                            let editing = edit_state.kept("id").as_deref() == Some(w.id.as_str());
                            let current = edit_state.kept("labels").filter(|_| editing).unwrap_or_else(|| w.labels.join(", "));
                            let field_id = format!("ws-labels-{}", w.id);
                            let field_label = format!("Labels of {name}");
                            let edit_fields = vec![("tenant", t.clone()), ("id", w.id.clone())];
                            view! {
                                <tr data-testid="workspace-row">
                                    <td class="name"><strong>{w.name.clone()}</strong></td>
                                    <td>{if w.labels.is_empty() {
                                        view! { <span class="muted">"no labels"</span> }.into_any()
                                    } else {
                                        w.labels.into_iter().map(|l| view! { <span class="badge badge-info label-chip">{l}</span> " " }).collect_view().into_any()
                                    }}</td>
                                    <td class="nowrap">{fmt_time(w.created_at)}<div class="muted">{w.created_by}</div></td>
                                    <td class="actions">{can_manage.then(|| view! {
                                        <EditInline action=edit label=format!("Edit workspace {name}") open=editing fields=edit_fields>
                                            <Field form=edit_state name="labels" id=field_id label=field_label value=current hint="Plain words, separated by commas or spaces."/>
                                        </EditInline>
                                        " "
                                        <Confirm action=delete summary="Delete" label=format!("Delete workspace {name}") dialog="Confirm deletion" confirm="Yes, delete"
                                            fields=vec![("tenant", t), ("id", w.id)]>
                                            "Delete workspace " <strong>{name.clone()}</strong> "? Policies that select its labels stay, but no longer match it."
                                        </Confirm>
                                    })}</td>
                                </tr>
                            }
                        }).collect_view();
                        let params = vec![("q".to_string(), q.get_untracked())];
                        let hint = if !q.get_untracked().is_empty() {
                            "No workspace matches this search."
                        } else if can_manage {
                            "Create one above, and give it the labels your policies will select."
                        } else {
                            "A tenant admin creates workspaces."
                        };
                        view! {
                            {create_form}
                            {move || error_banner(delete.value().get().and_then(Result::err))}
                            <Success action=delete message=|_: &()| ("Workspace deleted.".to_string(), None)/>
                            <Success action=edit message=|name: &String| (format!("Workspace {name} saved."), None)/>
                            {edit_state.banner(&["labels"])}
                            <div class="toolbar">
                                <form class="search" method="get" role="search">
                                    <input type="search" name="q" value=q.get_untracked() aria-label="Search workspaces" placeholder="Search by name or label"/>
                                    <button class="btn" type="submit">"Search"</button>
                                </form>
                            </div>
                            <div class="table-wrap">
                                {if shown == 0 {
                                    view! { <EmptyState title="No workspaces".to_string() hint=hint.to_string()/> }.into_any()
                                } else {
                                    view! {
                                        <table class="data-table" aria-label="Workspaces">
                                            <thead><tr><th>"Name"</th><th>"Labels"</th><th>"Created"</th><th class="actions"><span class="sr-only">"Actions"</span></th></tr></thead>
                                            <tbody>{rows}</tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </div>
                            <Pager next_cursor=d.next_cursor shown=shown limit=20 total=d.total params=params/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

// ---------------------------------------------------------------- services

#[component]
pub fn ServicesPage() -> impl IntoView {
    let tenant = tenant_param();
    let q = query_param("q");
    let cursor = query_param("cursor");
    let create = form_action::<CreateService>();
    let delete = form_action::<DeleteService>();
    let edit = form_action::<UpdateService>();
    let edit_state = FormState::of(edit);
    let data = Resource::new(
        move || {
            (
                tenant.get(),
                q.get(),
                cursor.get(),
                create.version().get(),
                delete.version().get(),
                edit.version().get(),
            )
        },
        |(t, q, c, ..)| list_services(t, q, non_empty(c)),
    );
    let form = NodeRef::<leptos::html::Form>::new();
    reset_on_success(create, form);
    let state = FormState::of(create);
    view! {
        <Title text=page_title(tenant, |t| format!("Services of {t}"))/>
        <div class="page-header"><h1 class="page-title">"Services"</h1></div>
        <p class="page-subtitle">"Services this tenant offers to connected tenants, and the services connected tenants offer to it."</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => {
                        let t = tenant.get_untracked();
                        let shown = d.items.len();
                        let can_manage = d.can_manage;
                        let pattern = format!("<name>.{}.{}", d.tenant_id, d.dns_suffix);
                        let create_form = can_manage.then(|| {
                            let t = t.clone();
                            view! {
                                <section class="card" aria-labelledby="new-svc-title">
                                    <h2 class="card-title" id="new-svc-title">"Create service"</h2>
                                    <ActionForm action=create node_ref=form attr:class="form" attr:aria-label="Create service">
                                        <input type="hidden" name="tenant" value=t/>
                                        {state.banner(&["name", "port", "protocol"])}
                                        <Success action=create message=|name: &String| (format!("Service {name} created."), None)/>
                                        <div class="form-row">
                                            <Field form=state name="name" id="svc-name" label="Name" required=true placeholder="inventory-api"/>
                                            <Field form=state name="port" id="svc-port" label="Port" kind="number" min="1" max="65535" required=true placeholder="8080" wrap="field-narrow"/>
                                            <div class="field field-narrow">
                                                <label for="svc-protocol">"Protocol"</label>
                                                <select id="svc-protocol" name="protocol">
                                                    {
                                                        let chosen = state.kept("protocol").unwrap_or_else(|| "http".to_string());
                                                        PROTOCOLS
                                                            .into_iter()
                                                            .map(|(v, l)| view! { <option value=v selected=v == chosen>{l}</option> })
                                                            .collect_view()
                                                    }
                                                </select>
                                                <FieldError id="svc-protocol-error" message=state.field_error("protocol")/>
                                            </div>
                                        </div>
                                        <p class="field-hint">"Connected tenants reach it as " <span class="mono">{pattern}</span> ", once a policy in their tenant allows it."</p>
                                        <div class="form-actions">
                                            <button class="btn btn-primary" type="submit" disabled=move || create.pending().get()>"Create service"</button>
                                        </div>
                                    </ActionForm>
                                </section>
                            }
                        });
                        let own_dns = |name: &str| format!("{name}.{}.{}", d.tenant_id, d.dns_suffix);
                        let rows = d.items.into_iter().map(|s| {
                            let t = t.clone();
                            let name = s.name.clone();
                            let dns = own_dns(&s.name);
                            let editing = edit_state.kept("id").as_deref() == Some(s.id.as_str());
                            let port = edit_state.kept("port").filter(|_| editing).unwrap_or_else(|| s.port.to_string());
                            let protocol = edit_state.kept("protocol").filter(|_| editing).unwrap_or_else(|| s.protocol.clone());
                            let port_id = format!("svc-port-{}", s.id);
                            let proto_id = format!("svc-protocol-{}", s.id);
                            let (port_label, proto_label) = (format!("Port of {name}"), format!("Protocol of {name}"));
                            let edit_fields = vec![("tenant", t.clone()), ("id", s.id.clone())];
                            view! {
                                <tr data-testid="service-row">
                                    <td class="name"><strong>{s.name.clone()}</strong></td>
                                    <td class="nowrap">{s.protocol.to_uppercase()} " " <span class="mono">{s.port}</span></td>
                                    <td class="mono small">{dns}</td>
                                    <td class="nowrap">{fmt_time(s.created_at)}<div class="muted">{s.created_by}</div></td>
                                    <td class="actions">{can_manage.then(|| view! {
                                        <EditInline action=edit label=format!("Edit service {name}") open=editing fields=edit_fields>
                                            <Field form=edit_state name="port" id=port_id label=port_label kind="number" min="1" max="65535" required=true value=port/>
                                            <div class="field">
                                                <label for=proto_id.clone()>{proto_label}</label>
                                                <select id=proto_id name="protocol">
                                                    {PROTOCOLS.into_iter().map(|(v, l)| view! { <option value=v selected=v == protocol>{l}</option> }).collect_view()}
                                                </select>
                                            </div>
                                        </EditInline>
                                        " "
                                        <Confirm action=delete summary="Delete" label=format!("Delete service {name}") dialog="Confirm deletion" confirm="Yes, delete"
                                            fields=vec![("tenant", t), ("id", s.id)]>
                                            "Delete service " <strong>{name.clone()}</strong> "? Connected tenants can no longer reach it, whatever their policies say."
                                        </Confirm>
                                    })}</td>
                                </tr>
                            }
                        }).collect_view();
                        let remote_empty = d.remote.is_empty();
                        let remote_rows = d.remote.into_iter().map(|r| view! {
                            <tr data-testid="remote-service-row">
                                <td class="name"><strong>{r.name}</strong></td>
                                <td class="name">{r.tenant_name}<div class="muted small"><ShortId id=r.tenant_id what="tenant id"/></div></td>
                                <td class="nowrap">{r.protocol.to_uppercase()} " " <span class="mono">{r.port}</span></td>
                                <td><span class="mono" data-testid="dns-name">{r.dns_name.clone()}</span> <CopyButton text=r.dns_name label="Copy DNS name" small=true/></td>
                            </tr>
                        }).collect_view();
                        let params = vec![("q".to_string(), q.get_untracked())];
                        let hint = if !q.get_untracked().is_empty() {
                            "No service matches this search."
                        } else if can_manage {
                            "Create one above to offer it to connected tenants."
                        } else {
                            "A tenant admin creates services."
                        };
                        view! {
                            {create_form}
                            {move || error_banner(delete.value().get().and_then(Result::err))}
                            <Success action=delete message=|_: &()| ("Service deleted.".to_string(), None)/>
                            <Success action=edit message=|name: &String| (format!("Service {name} saved."), None)/>
                            {edit_state.banner(&["port"])}
                            <section aria-labelledby="own-svc-title">
                                <h2 class="card-title" id="own-svc-title">"This tenant's services"</h2>
                                <div class="toolbar">
                                    <form class="search" method="get" role="search">
                                        <input type="search" name="q" value=q.get_untracked() aria-label="Search services" placeholder="Search by name"/>
                                        <button class="btn" type="submit">"Search"</button>
                                    </form>
                                </div>
                                <div class="table-wrap">
                                    {if shown == 0 {
                                        view! { <EmptyState title="No services".to_string() hint=hint.to_string()/> }.into_any()
                                    } else {
                                        view! {
                                            <table class="data-table" aria-label="Services">
                                                <thead><tr><th>"Name"</th><th>"Port"</th><th>"DNS name for connected tenants"</th><th>"Created"</th><th class="actions"><span class="sr-only">"Actions"</span></th></tr></thead>
                                                <tbody>{rows}</tbody>
                                            </table>
                                        }.into_any()
                                    }}
                                </div>
                                <Pager next_cursor=d.next_cursor shown=shown limit=20 total=d.total params=params/>
                            </section>
                            <section aria-labelledby="remote-svc-title">
                                <h2 class="card-title" id="remote-svc-title">"Services of connected tenants"</h2>
                                <div class="table-wrap">
                                    {if remote_empty {
                                        view! { <EmptyState title="No connected services".to_string() hint="Services of tenants this one is actively connected with appear here, with the DNS names that reach them.".to_string()/> }.into_any()
                                    } else {
                                        view! {
                                            <table class="data-table" aria-label="Services of connected tenants">
                                                <thead><tr><th>"Service"</th><th>"Tenant"</th><th>"Port"</th><th>"DNS name"</th></tr></thead>
                                                <tbody>{remote_rows}</tbody>
                                            </table>
                                        }.into_any()
                                    }}
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

// ---------------------------------------------------------------- policies and the check

/// "Can workspace label X reach service Y of tenant Z?", answered by the server's one
/// evaluator.
#[component]
fn ConnectivityCheck(
    tenant: String,
    labels: Vec<String>,
    peers: Vec<Peer>,
    remote: Vec<RemoteRow>,
) -> impl IntoView {
    let check = form_action::<CheckConnectivity>();
    let state = FormState::sticky(check);
    let kept_tenant = state.kept("tenant_id");
    let mut services: Vec<String> = remote.into_iter().map(|r| r.name).collect();
    services.sort();
    services.dedup();
    let no_peers = peers.is_empty();
    view! {
        <section class="card" aria-labelledby="check-title">
            <h2 class="card-title" id="check-title">"Connectivity check"</h2>
            <p class="muted">"Can workspaces with a label reach a service of a connected tenant? The answer names its reason."</p>
            {if no_peers {
                view! { <EmptyState title="No connected tenants".to_string() hint="Connect to another tenant first (Cross-Tenant Connections).".to_string()/> }.into_any()
            } else {
                view! {
                    <ActionForm action=check attr:class="form" attr:aria-label="Connectivity check">
                        <input type="hidden" name="tenant" value=tenant/>
                        <div class="form-row">
                            <Field form=state name="workspace_label" id="check-label" label="Workspace label" list="check-labels" required=true placeholder="project-a-ide"/>
                            <div class="field field-hidden">
                                <datalist id="check-labels">{labels.into_iter().map(|l| view! { <option value=l/> }).collect_view()}</datalist>
                            </div>
                            <div class="field">
                                <label for="check-tenant">"Destination tenant"</label>
                                <select id="check-tenant" name="tenant_id">
                                    {peers.into_iter().map(|p| {
                                        let label = format!("{}{}", p.tenant_name, if p.active { "" } else { " (revoked)" });
                                        let selected = kept_tenant.as_deref() == Some(p.tenant_id.as_str());
                                        view! { <option value=p.tenant_id selected=selected>{label}</option> }
                                    }).collect_view()}
                                </select>
                            </div>
                            <Field form=state name="service_name" id="check-service" label="Service" list="check-services" required=true placeholder="inventory-api"/>
                            <div class="field field-hidden">
                                <datalist id="check-services">{services.into_iter().map(|s| view! { <option value=s/> }).collect_view()}</datalist>
                            </div>
                        </div>
                        <div class="form-actions">
                            <button class="btn btn-primary" type="submit" disabled=move || check.pending().get()>"Check"</button>
                        </div>
                        {move || check.value().get().map(|r| match r {
                            Ok(r) => {
                                let class = if r.allowed { "check-result check-allowed" } else { "check-result check-denied" };
                                view! {
                                    <div class=class role="status" data-testid="check-result" data-reason=r.reason.clone()>
                                        <strong>{if r.allowed { "Allowed" } else { "Denied" }}</strong>
                                        <span>{r.explanation}</span>
                                    </div>
                                }.into_any()
                            }
                            Err(e) => e.form_message(&["workspace_label", "service_name"]).map(|m| view! { <div class="alert alert-error" role="alert">{m}</div> }).into_any(),
                        })}
                    </ActionForm>
                }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn PoliciesPage() -> impl IntoView {
    let tenant = tenant_param();
    let q = query_param("q");
    let cursor = query_param("cursor");
    let saved = query_param("saved");
    let delete = form_action::<DeleteNetworkPolicy>();
    let data = Resource::new(
        move || (tenant.get(), q.get(), cursor.get(), delete.version().get()),
        |(t, q, c, _)| list_network_policies(t, q, non_empty(c)),
    );
    view! {
        <Title text=page_title(tenant, |t| format!("Network policies of {t}"))/>
        <div class="page-header">
            <h1 class="page-title">"Network Policies"</h1>
        </div>
        <p class="page-subtitle">"Connections allow nothing by default. An NCSPolicy allows (or denies) traffic from workspaces with a label to one service of a connected tenant."</p>
        {move || (!saved.get().is_empty()).then(|| view! { <div class="alert alert-success" role="status">"Policy " <strong>{saved.get()}</strong> " saved."</div> })}
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => {
                        let t = tenant.get_untracked();
                        let shown = d.items.len();
                        let can_manage = d.can_manage;
                        let rows = d.items.into_iter().map(|p| {
                            let t2 = t.clone();
                            let name = p.name.clone();
                            let edit = format!("/t/{}/network-policies/{}", t, encode(&p.name));
                            let (class, text) = if p.action == "allow" { ("badge badge-ok", "allow") } else { ("badge badge-danger", "deny") };
                            view! {
                                <tr data-testid="policy-row">
                                    <td><a href=edit><strong>{p.name.clone()}</strong></a></td>
                                    <td class="mono">{p.workspace_label}</td>
                                    <td class="name">{p.tenant_name.unwrap_or_else(|| "not connected".into())}<div class="muted small"><ShortId id=p.tenant_id what="tenant id"/></div></td>
                                    <td class="mono">{p.service_name}</td>
                                    <td><span class=class>{text}</span></td>
                                    <td class="nowrap">{fmt_time(p.updated_at)}<div class="muted">{p.updated_by}</div></td>
                                    <td class="actions">{can_manage.then(|| view! {
                                        <Confirm action=delete summary="Delete" label=format!("Delete policy {name}") dialog="Confirm deletion" confirm="Yes, delete"
                                            fields=vec![("tenant", t2), ("name", name.clone())]>
                                            "Delete policy " <strong>{name.clone()}</strong> "? Traffic it allowed is denied again at once."
                                        </Confirm>
                                    })}</td>
                                </tr>
                            }
                        }).collect_view();
                        let params = vec![("q".to_string(), q.get_untracked())];
                        let hint = if !q.get_untracked().is_empty() {
                            "No policy matches this search."
                        } else {
                            "Without a policy, connected tenants' services are unreachable (default deny)."
                        };
                        let new_href = format!("/t/{t}/network-policies/new");
                        view! {
                            <ConnectivityCheck tenant=t.clone() labels=d.labels peers=d.peers remote=d.remote/>
                            {move || error_banner(delete.value().get().and_then(Result::err))}
                            <Success action=delete message=|_: &()| ("Policy deleted.".to_string(), None)/>
                            <section aria-labelledby="policies-title">
                                <div class="section-header">
                                    <h2 class="card-title" id="policies-title">"Policies"</h2>
                                    {can_manage.then(|| view! { <a class="btn btn-primary" href=new_href>"New policy"</a> })}
                                </div>
                                <div class="toolbar">
                                    <form class="search" method="get" role="search">
                                        <input type="search" name="q" value=q.get_untracked() aria-label="Search policies" placeholder="Search by name"/>
                                        <button class="btn" type="submit">"Search"</button>
                                    </form>
                                </div>
                                <div class="table-wrap">
                                    {if shown == 0 {
                                        view! { <EmptyState title="No network policies".to_string() hint=hint.to_string()/> }.into_any()
                                    } else {
                                        view! {
                                            <table class="data-table" aria-label="Network policies">
                                                <thead><tr><th>"Name"</th><th>"Workspace label"</th><th>"Destination tenant"</th><th>"Service"</th><th>"Action"</th><th>"Updated"</th><th class="actions"><span class="sr-only">"Actions"</span></th></tr></thead>
                                                <tbody>{rows}</tbody>
                                            </table>
                                        }.into_any()
                                    }}
                                </div>
                                <Pager next_cursor=d.next_cursor shown=shown limit=20 total=d.total params=params/>
                            </section>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn PolicyEditorPage() -> impl IntoView {
    let tenant = tenant_param();
    let params = use_params_map();
    let name = Memo::new(move |_| params.read().get("name").unwrap_or_default());
    let draft_for = query_param("for");
    let doc = Resource::new(
        move || (tenant.get(), name.get(), draft_for.get()),
        |(t, n, f)| network_policy(t, if n == "new" { String::new() } else { n }, f),
    );
    view! {
        <Title text=page_title(name, |n| if n == "new" { "New network policy".to_string() } else { format!("Policy {n}") })/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match doc.await {
                    Ok(d) => view! { <PolicyEditor tenant=tenant.get_untracked() doc=d/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PolicyEditor(tenant: String, doc: PolicyDoc) -> impl IntoView {
    let save = form_action::<SaveNetworkPolicy>();
    let delete = form_action::<DeleteNetworkPolicy>();
    // A document refused without JavaScript comes back as it was typed.
    let typed = FormState::of(save)
        .kept("yaml")
        .unwrap_or_else(|| doc.yaml.clone());
    let (text, set_text) = signal(typed.clone());
    let area = NodeRef::<leptos::html::Textarea>::new();
    // The same parser as the server's, here compiled to wasm: shape errors show while
    // typing; connection and service are checked by the server on save.
    let lint = Memo::new(move |_| text.with(|t| policy::ncs::parse(t).err().unwrap_or_default()));
    let server_issues = move || {
        save.value()
            .get()
            .and_then(Result::err)
            .map(|e| e.issues())
            .unwrap_or_default()
    };
    let all_issues = Signal::derive(move || {
        let mut all = lint.get();
        all.extend(server_issues());
        all
    });
    let text_signal = Signal::from(text);
    let issue_list = move |issues: Vec<policy::ncs::Issue>, testid: &'static str| {
        issue_list(issues, testid, area, text_signal)
    };
    let is_new = doc.name.is_none();
    let title = doc
        .name
        .clone()
        .map(|n| format!("Policy {n}"))
        .unwrap_or_else(|| "New network policy".into());
    let original = doc.name.clone().unwrap_or_default();
    let back = format!("/t/{tenant}/network-policies");
    let t_delete = tenant.clone();
    let t_form = tenant.clone();
    let can_manage = doc.can_manage;
    view! {
        <div class="page-header">
            <h1 class="page-title">{title}</h1>
            <a class="btn" href=back.clone()>"Back to policies"</a>
        </div>
        <p class="page-subtitle">
            {doc.updated.clone().map(|(at, by)| format!("Last changed {} by {by}. ", fmt_time(at)))}
            "The document is an NCSPolicy: " <span class="mono">"kind"</span> ", " <span class="mono">"metadata.name"</span> ", "
            <span class="mono">"spec.source.workspaceLabel"</span> ", " <span class="mono">"spec.destination.tenantID"</span> ", "
            <span class="mono">"spec.destination.serviceName"</span> " and " <span class="mono">"spec.action"</span> " (allow or deny)."
        </p>
        <ActionForm action=save attr:class="form form-wide" attr:aria-label="Policy editor">
            <input type="hidden" name="tenant" value=t_form/>
            <input type="hidden" name="original" value=original/>
            {move || save.value().get().and_then(Result::err).map(|e| {
                let issues = e.issues();
                view! {
                    <div class="alert alert-error" role="alert" data-testid="save-error">
                        <p><strong>"Not saved. "</strong>{e.to_string()}</p>
                        {(!issues.is_empty()).then(|| issue_list(issues, "server-issues"))}
                    </div>
                }
            })}
            <div class="field">
                <label for="policy-yaml">"Policy (YAML)"</label>
                <CodeEditor id="policy-yaml" name="yaml" initial=typed text set_text issues=all_issues area
                    readonly=!can_manage describedby="policy-lint"
                    on_edit=Callback::new(move |_| save.value().set(None))/>
            </div>
            <div id="policy-lint" class="lint" aria-live="polite">
                {move || {
                    let issues = lint.get();
                    if issues.is_empty() {
                        view! { <p class="lint-ok" data-testid="lint-ok">"The document's shape is valid. The connection and the service are checked when you save."</p> }.into_any()
                    } else {
                        issue_list(issues, "lint-issues").into_any()
                    }
                }}
            </div>
            {can_manage.then(|| view! {
                <div class="form-actions">
                    <button class="btn btn-primary" type="submit" disabled=move || save.pending().get()>{if is_new { "Create policy" } else { "Save policy" }}</button>
                    <a class="btn" href=back.clone()>"Cancel"</a>
                </div>
            })}
        </ActionForm>
        {(can_manage && !is_new).then(|| {
            let name = doc.name.clone().unwrap_or_default();
            view! {
                <section class="card danger-zone" aria-labelledby="delete-title">
                    <h2 class="card-title" id="delete-title">"Delete this policy"</h2>
                    {move || error_banner(delete.value().get().and_then(Result::err))}
                    {move || matches!(delete.value().get(), Some(Ok(()))).then(|| view! { <div class="alert alert-success" role="status">"Deleted. " <a href=format!("/t/{}/network-policies", t_delete)>"Back to policies"</a></div> })}
                    <Confirm action=delete summary="Delete policy" label=format!("Delete policy {name}") dialog="Confirm deletion" confirm="Yes, delete"
                        fields=vec![("tenant", tenant.clone()), ("name", name.clone())]>
                        "Delete " <strong>{name.clone()}</strong> "? Traffic it allowed is denied again at once."
                    </Confirm>
                </section>
            }
        })}
    }
}
