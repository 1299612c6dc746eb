//! The connection pages: Cross-Tenant Connections (issue a secret, redeem one, see and
//! revoke connections on both sides), one connection with its traffic chart drawn on the
//! server as SVG, and the platform's connection map for global admins.

use super::api::*;
use crate::components::*;
use crate::{fmt_date, fmt_time, human_bytes};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The badge of a connection: default deny means an active connection with no allow
/// policy carries nothing, and the page says so.
pub(crate) fn connection_badge(c: &ConnectionRow) -> (&'static str, String) {
    match (c.status.as_str(), c.allowed_policies) {
        ("Active", 0) => status_badge("Active"),
        ("Active", 1) => ("badge badge-ok", "Active, 1 allow policy".into()),
        ("Active", n) => ("badge badge-ok", format!("Active, {n} allow policies")),
        (other, _) => status_badge(other),
    }
}

fn status_badge(status: &str) -> (&'static str, String) {
    match status {
        "pending" => ("badge badge-info", "Pending".into()),
        "used" => ("badge badge-ok", "Used".into()),
        "expired" => ("badge badge-muted", "Expired".into()),
        "revoked" => ("badge badge-danger", "Revoked".into()),
        // Default deny: until a network policy allows something, an active connection
        // carries no traffic, and the page says so.
        "Active" => ("badge badge-warn", "Active, no services allowed".into()),
        "Revoked" => ("badge badge-danger", "Revoked".into()),
        other => ("badge badge-muted", other.to_string()),
    }
}

#[component]
pub fn ConnectionsPage() -> impl IntoView {
    let tenant = tenant_param();
    let create = form_action::<CreateConnectionSecret>();
    let revoke_secret = form_action::<RevokeConnectionSecret>();
    let connect = form_action::<ConnectExternalTenant>();
    let revoke = form_action::<RevokeConnection>();
    let data = Resource::new(
        move || {
            (
                tenant.get(),
                create.version().get(),
                revoke_secret.version().get(),
                connect.version().get(),
                revoke.version().get(),
            )
        },
        |(t, ..)| connections_overview(t),
    );
    let create_state = FormState::of(create);
    let connect_state = FormState::of(connect);
    let create_form = NodeRef::<leptos::html::Form>::new();
    let connect_form = NodeRef::<leptos::html::Form>::new();
    reset_on_success(create, create_form);
    reset_on_success(connect, connect_form);
    let row_err = move || {
        revoke
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| revoke_secret.value().get().and_then(Result::err))
    };
    view! {
        <Title text=page_title(tenant, |t| format!("Cross-tenant connections of {t}"))/>
        <div class="page-header"><h1 class="page-title">"Cross-Tenant Connections"</h1></div>
        <p class="page-subtitle">
            "Connect " <strong>{move || tenant.get()}</strong>
            " with another tenant by a one-time secret. A connection allows no traffic until a network policy allows it."
        </p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => {
                        let t = tenant.get_untracked();
                        let can_manage = d.can_manage;
                        let rows = d.connections.clone().into_iter().map(|c| {
                            let (class, text) = connection_badge(&c);
                            let active = c.status == "Active";
                            let detail = format!("/t/{}/connections/{}", t, c.id);
                            // Only the consumer reaches across a connection, so only it writes allow policies.
                            let draft = (active && c.direction == "consumes" && c.allowed_policies == 0 && can_manage).then(|| format!(
                                "/t/{}/network-policies/new?for={}", t, c.remote_tenant_id
                            ));
                            let t2 = t.clone();
                            let id = c.id.clone();
                            let remote = c.remote_tenant_name.clone();
                            view! {
                                <tr data-testid="connection-row">
                                    <td><a href=detail.clone()><strong>{c.remote_tenant_name.clone()}</strong></a><div class="muted"><ShortId id=c.remote_tenant_id.clone() what="tenant id" testid="remote-tenant-id"/></div></td>
                                    <td>{if c.direction == "provides" { "Provides to" } else { "Consumes from" }}</td>
                                    <td>
                                        <span class=class data-testid="connection-status">{text}</span>
                                        {draft.map(|href| view! { <div><a class="small" href=href>"Draft an allow policy"</a></div> })}
                                    </td>
                                    <td class="nowrap">{fmt_time(c.created_at)}<div class="muted">{c.created_by.clone()}</div></td>
                                    <td class="nowrap"><a href=detail title="Traffic per day" data-testid="connection-traffic">{crate::human_bytes(c.traffic_bytes)}</a><div class="muted small">"last 30 days"</div></td>
                                    <td class="actions">
                                        {(active && can_manage).then(|| view! {
                                            <Confirm action=revoke summary="Revoke" label=format!("Revoke connection with {remote}") dialog="Confirm revocation" confirm="Yes, revoke"
                                                fields=vec![("tenant", t2), ("id", id)]>
                                                "Revoke the connection with " <strong>{remote.clone()}</strong> "? Both tenants will see it as revoked."
                                            </Confirm>
                                        })}
                                        {c.revoked_by.clone().map(|by| view! { <span class="muted">"by " {by}</span> })}
                                    </td>
                                </tr>
                            }
                        }).collect_view();
                        let no_connections = d.connections.is_empty();
                        let secret_rows = d.secrets.clone().into_iter().map(|s| {
                            let (class, text) = status_badge(&s.status);
                            let pending = s.status == "pending";
                            let t3 = t.clone();
                            let id = s.id.clone();
                            let hint = s.hint.clone();
                            view! {
                                <tr data-testid="secret-row">
                                    <td class="mono">{s.hint.clone()}</td>
                                    <td>{if s.note.is_empty() { "—".to_string() } else { s.note.clone() }}</td>
                                    <td><span class=class>{text}</span></td>
                                    <td class="nowrap">{fmt_time(s.expires_at)}</td>
                                    <td class="nowrap">{fmt_time(s.created_at)}<div class="muted">{s.created_by.clone()}</div></td>
                                    <td class="actions">
                                        {pending.then(|| view! {
                                            <Confirm action=revoke_secret summary="Revoke" label=format!("Revoke secret {hint}") dialog="Revoke this secret?" confirm="Yes, revoke"
                                                fields=vec![("tenant", t3), ("id", id)]>
                                                "Revoke the secret " <span class="mono">{hint.clone()}</span> "? Nobody can redeem it afterwards; connections already made stay."
                                            </Confirm>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view();
                        let no_secrets = d.secrets.is_empty();
                        let t_connect = t.clone();
                        let t_create = t.clone();
                        view! {
                            {move || row_err().map(|e| view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> })}
                            <Success action=revoke message=|_: &()| ("Connection revoked. Both tenants see it as revoked.".to_string(), None)/>
                            <Success action=revoke_secret message=|_: &()| ("Secret revoked.".to_string(), None)/>
                            {view! { <section aria-labelledby="connections-title">
                                <h2 class="card-title" id="connections-title">"Connections"</h2>
                                <div class="table-wrap">
                                    {if no_connections {
                                        {
                                        let hint = if can_manage {
                                            "Issue a connection secret for another tenant, or paste one you received below."
                                        } else {
                                            "A tenant admin connects this tenant to others."
                                        };
                                        view! { <EmptyState title="No connections".to_string() hint=hint.to_string()/> }.into_any()
                                    }
                                    } else {
                                        view! {
                                            <table class="data-table" aria-label="Connections">
                                                <thead><tr><th>"Remote tenant"</th><th>"Direction"</th><th>"Status"</th><th>"Made"</th><th>"Traffic"</th><th class="actions"><span class="sr-only">"Actions"</span></th></tr></thead>
                                                <tbody>{rows}</tbody>
                                            </table>
                                        }.into_any()
                                    }}
                                </div>
                            </section> }.into_any()}
                            {can_manage.then(|| view! {
                                <div class="card-grid">
                                    <section class="card" aria-labelledby="connect-title">
                                        <h2 class="card-title" id="connect-title">"Connect to external tenant"</h2>
                                        <p class="muted">"Paste the secret the providing tenant's admin shared with you."</p>
                                        <ActionForm action=connect node_ref=connect_form attr:class="form" attr:aria-label="Connect to external tenant">
                                            <input type="hidden" name="tenant" value=t_connect/>
                                            <div data-testid="connect-error">{connect_state.banner(&["secret"])}</div>
                                            {move || connect.value().get().and_then(Result::ok).map(|c| view! {
                                                <div class="alert alert-success" role="status">"Connected to " <strong>{c.remote_tenant_name}</strong> "."</div>
                                            })}
                                            <Field form=connect_state name="secret" id="connect-secret" label="Connection secret" kind="password" class="mono" required=true placeholder="ncs_…"/>
                                            <div class="form-actions">
                                                <button class="btn btn-primary" type="submit" disabled=move || connect.pending().get()>"Connect"</button>
                                            </div>
                                        </ActionForm>
                                    </section>
                                    <section class="card" aria-labelledby="secret-title">
                                        <h2 class="card-title" id="secret-title">"Create connection secret"</h2>
                                        <p class="muted">"Lets one other tenant connect to this one. It works once."</p>
                                        {move || create.value().get().and_then(Result::ok).map(|s| {
                                            let secret = s.secret.clone();
                                            view! {
                                                <div class="alert alert-warning" role="status" data-testid="new-secret">
                                                    <p><strong>"Copy this secret now: it is shown only once."</strong>
                                                    " It carries significant permissions. Share it only with the other tenant's admin over a secure channel (e.g. a private message)."</p>
                                                    <div class="copy-field">
                                                        <input class="mono" type="text" readonly value=s.secret.clone() aria-label="New connection secret" data-testid="secret-value"/>
                                                        <CopyButton text=secret.clone() label="Copy the secret"/>
                                                    </div>
                                                    <p class="field-hint">"Expires " {fmt_time(s.expires_at)} "."</p>
                                                </div>
                                            }
                                        })}
                                        <ActionForm action=create node_ref=create_form attr:class="form" attr:aria-label="Create connection secret">
                                            <input type="hidden" name="tenant" value=t_create/>
                                            {create_state.banner(&["note"])}
                                            <div class="form-row">
                                                <div class="field">
                                                    <label for="secret-expiry">"Expires after"</label>
                                                    <select id="secret-expiry" name="expires_in_seconds">
                                                        {
                                                            let chosen = create_state.kept("expires_in_seconds").unwrap_or_else(|| "86400".to_string());
                                                            [("300", "5 minutes"), ("3600", "1 hour"), ("86400", "24 hours"), ("604800", "7 days"), ("2592000", "30 days")]
                                                                .into_iter()
                                                                .map(|(v, l)| view! { <option value=v selected=v == chosen>{l}</option> })
                                                                .collect_view()
                                                        }
                                                    </select>
                                                </div>
                                                <Field form=create_state name="note" id="secret-note" label="Note" placeholder="Optional, e.g. for team-analytics"/>
                                            </div>
                                            <div class="form-actions">
                                                <button class="btn btn-primary" type="submit" disabled=move || create.pending().get()>"Create connection secret"</button>
                                            </div>
                                        </ActionForm>
                                    </section>
                                </div>
                                <section aria-labelledby="secrets-title">
                                    <h2 class="card-title" id="secrets-title">"Connection secrets"</h2>
                                    <div class="table-wrap">
                                        {if no_secrets {
                                            view! { <EmptyState title="No secrets issued".to_string() hint="Secrets you create appear here with their status. The secret itself is never shown again.".to_string()/> }.into_any()
                                        } else {
                                            view! {
                                                <table class="data-table" aria-label="Connection secrets">
                                                    <thead><tr><th>"Secret"</th><th>"Note"</th><th>"Status"</th><th>"Expires"</th><th>"Created"</th><th class="actions"><span class="sr-only">"Actions"</span></th></tr></thead>
                                                    <tbody>{secret_rows}</tbody>
                                                </table>
                                            }.into_any()
                                        }}
                                    </div>
                                </section>
                            }.into_any())}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

// ---------------------------------------------------------------- one connection

/// Bytes per day of one connection, as the console draws every chart (`DayBars`).
#[component]
fn TrafficChart(days: Vec<DayRow>) -> impl IntoView {
    let bars = days
        .into_iter()
        .map(|d| Bar {
            day_start: d.day_start,
            value: d.bytes,
            tip: format!(
                "{}: {}, {} flows",
                fmt_date(d.day_start),
                human_bytes(d.bytes),
                d.flows
            ),
        })
        .collect();
    view! {
        <DayBars bars what="Bytes per day" scale=human_bytes testid="traffic-chart"
            empty=("No traffic yet", "A data plane reports the bytes and flows of this connection; they appear here per day.")/>
    }
}

#[component]
pub fn ConnectionPage() -> impl IntoView {
    let tenant = tenant_param();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let revoke = form_action::<RevokeConnection>();
    let data = Resource::new(
        move || (tenant.get(), id.get(), revoke.version().get()),
        |(t, id, _)| connection_detail(t, id),
    );
    view! {
        <Title text=page_title(tenant, |t| format!("Connection of {t}"))/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => {
                        let t = tenant.get_untracked();
                        let c = d.connection.clone();
                        let (class, text) = connection_badge(&c);
                        let total_bytes: i64 = d.days.iter().map(|x| x.bytes).sum();
                        let total_flows: i64 = d.days.iter().map(|x| x.flows).sum();
                        let draft = (c.status == "Active" && c.direction == "consumes" && c.allowed_policies == 0 && d.can_manage)
                            .then(|| format!("/t/{t}/network-policies/new?for={}", c.remote_tenant_id));
                        let services_empty = d.services.is_empty();
                        let service_rows = d.services.into_iter().map(|r| view! {
                            <tr data-testid="remote-service-row">
                                <td class="name"><strong>{r.name}</strong></td>
                                <td class="nowrap">{r.protocol.to_uppercase()} " " <span class="mono">{r.port}</span></td>
                                <td><span class="mono" data-testid="dns-name">{r.dns_name.clone()}</span> <CopyButton text=r.dns_name label="Copy DNS name" small=true/></td>
                            </tr>
                        }).collect_view();
                        let provides = c.direction == "provides";
                        let policy_count = d.policies.len();
                        let policies_table = connection_policies(&t, &c, d.policies);
                        view! {
                            {move || error_banner(revoke.value().get().and_then(Result::err))}
                            <Success action=revoke message=|_: &()| ("Connection revoked. Both tenants see it as revoked.".to_string(), None)/>
                            <div class="page-header">
                                <h1 class="page-title">{format!("Connection with {}", c.remote_tenant_name)}</h1>
                                <a class="btn" href=format!("/t/{t}/connections")>"All connections"</a>
                            </div>
                            <dl class="facts">
                                <div><dt>"Remote tenant"</dt><dd>{c.remote_tenant_name.clone()}<div class="muted small"><span class="mono" data-testid="remote-tenant-id">{c.remote_tenant_id.clone()}</span> <CopyButton text=c.remote_tenant_id.clone() label="Copy tenant id" small=true/></div></dd></div>
                                <div><dt>"Direction"</dt><dd>{if provides { "This tenant provides to it" } else { "This tenant consumes from it" }}</dd></div>
                                <div><dt>"Status"</dt><dd>
                                    {if c.status == "Active" && policy_count > 0 {
                                        view! { <a href="#policies-title" title="The policies behind this status"><span class=class data-testid="connection-status">{text.clone()}</span></a> }.into_any()
                                    } else {
                                        view! { <span class=class data-testid="connection-status">{text.clone()}</span> }.into_any()
                                    }}
                                    {draft.map(|href| view! { <div><a class="small" href=href>"Draft an allow policy"</a></div> })}
                                    {(c.status == "Active" && d.can_manage).then(|| {
                                        let remote = c.remote_tenant_name.clone();
                                        view! {
                                        <div class="fact-action">
                                            <Confirm action=revoke summary="Revoke" label=format!("Revoke connection with {}", c.remote_tenant_name) dialog="Confirm revocation" confirm="Yes, revoke"
                                                fields=vec![("tenant", t.clone()), ("id", c.id.clone())]>
                                                "Revoke the connection with " <strong>{remote}</strong> "? Both tenants will see it as revoked."
                                            </Confirm>
                                        </div>
                                    }})}</dd></div>
                                <div><dt>"Made"</dt><dd>{fmt_time(c.created_at)}<div class="muted small">{c.created_by.clone()}</div></dd></div>
                                {c.revoked_by.clone().map(|by| view! { <div><dt>"Revoked by"</dt><dd>{by}</dd></div> })}
                            </dl>
                            <section class="card" aria-labelledby="traffic-title">
                                <h2 class="card-title" id="traffic-title">"Traffic, last 30 days"</h2>
                                <p class="muted" data-testid="traffic-total">{format!("{} in {} flows, reported by the data plane.", human_bytes(total_bytes), total_flows)}</p>
                                <TrafficChart days=d.days/>
                            </section>
                            {policies_table}
                            // Services cross a connection toward the consumer only: the
                            // provider sees what of its own is allowed, above.
                            {(!provides).then(|| view! {
                            <section aria-labelledby="reach-title">
                                <h2 class="card-title" id="reach-title">{format!("Services of {}", c.remote_tenant_name)}</h2>
                                <div class="table-wrap">
                                    {if services_empty {
                                        let hint = if c.status == "Active" { "This tenant offers no services yet." } else { "The connection is revoked: nothing is reachable." };
                                        view! { <EmptyState title="No services".to_string() hint=hint.to_string()/> }.into_any()
                                    } else {
                                        view! {
                                            <table class="data-table" aria-label="Services across this connection">
                                                <thead><tr><th>"Service"</th><th>"Port"</th><th>"DNS name"</th></tr></thead>
                                                <tbody>{service_rows}</tbody>
                                            </table>
                                        }.into_any()
                                    }}
                                </div>
                            </section>
                            })}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The network policies behind a connection's status. The consumer sees its own policies
/// and opens them; the provider sees which of its services the consumer allows.
fn connection_policies(tenant: &str, c: &ConnectionRow, policies: Vec<PolicyLink>) -> AnyView {
    if c.status != "Active" {
        return ().into_any();
    }
    let provides = c.direction == "provides";
    let title = if provides {
        format!("Your services that {} allows", c.remote_tenant_name)
    } else {
        format!("Your policies toward {}", c.remote_tenant_name)
    };
    let body = if policies.is_empty() {
        let hint = if provides {
            format!("{} has not allowed any of your services yet: its workspaces reach nothing across this connection.", c.remote_tenant_name)
        } else {
            "No network policy allows a service across this connection yet: your workspaces reach nothing.".to_string()
        };
        view! { <EmptyState title="Nothing allowed".to_string() hint=hint/> }.into_any()
    } else {
        let rows = policies
            .into_iter()
            .map(|p| {
                let (class, word) = if p.allow { ("badge badge-ok", "Allow") } else { ("badge badge-danger", "Deny") };
                let policy = match p.name {
                    Some(name) => view! { <a href=format!("/t/{tenant}/network-policies/{name}")>{name.clone()}</a> }.into_any(),
                    None => view! { <span class="muted">{format!("a policy of {}", c.remote_tenant_name)}</span> }.into_any(),
                };
                view! {
                    <tr data-testid="connection-policy-row">
                        <td class="name"><strong>{p.service_name}</strong></td>
                        <td><span class="badge">{p.workspace_label}</span></td>
                        <td><span class=class>{word}</span></td>
                        <td>{policy}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="data-table" aria-label=title.clone()>
                <thead><tr><th>"Service"</th><th>"Workspaces labelled"</th><th>"Action"</th><th>"Policy"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="policies-title">
            <h2 class="card-title" id="policies-title">{title}</h2>
            <div class="table-wrap">{body}</div>
        </section>
    }
    .into_any()
}

// ---------------------------------------------------------------- the platform's view

/// The tenants of the listed connections on a circle, a line per connection: solid when
/// active, dashed when revoked, thicker with more traffic. Drawn on the server.
#[component]
fn ConnectionGraph(rows: Vec<MapRow>) -> impl IntoView {
    const SIZE: f64 = 420.0;
    let mut nodes: Vec<(String, String)> = Vec::new();
    for r in &rows {
        for (id, name) in [
            (&r.provider_id, &r.provider_name),
            (&r.consumer_id, &r.consumer_name),
        ] {
            if !nodes.iter().any(|(i, _)| i == id) {
                nodes.push((id.clone(), name.clone()));
            }
        }
    }
    let n = nodes.len().max(1) as f64;
    let (c, radius) = (SIZE / 2.0, SIZE / 2.0 - 70.0);
    let at = |i: usize| {
        let a = std::f64::consts::TAU * i as f64 / n - std::f64::consts::FRAC_PI_2;
        (c + radius * a.cos(), c + radius * a.sin())
    };
    let index = |id: &str| nodes.iter().position(|(i, _)| i == id).unwrap_or(0);
    let max = rows.iter().map(|r| r.bytes).max().unwrap_or(0).max(1) as f64;
    let f = |v: f64| format!("{v:.1}");
    let edges = rows
        .iter()
        .map(|r| {
            let (x1, y1) = at(index(&r.provider_id));
            let (x2, y2) = at(index(&r.consumer_id));
            // The arrow ends at the consumer's circle, not at its centre.
            let len = ((x2 - x1).powi(2) + (y2 - y1).powi(2)).sqrt().max(1.0);
            let (x2, y2) = (x2 - (x2 - x1) * 11.0 / len, y2 - (y2 - y1) * 11.0 / len);
            let class = if r.status == "Active" { "graph-edge" } else { "graph-edge graph-edge-revoked" };
            let width = 1.5 + 4.0 * (r.bytes as f64 / max);
            let tip = format!("{} → {}: {}, {}", r.provider_name, r.consumer_name, r.status, human_bytes(r.bytes));
            view! { <line class=class x1=f(x1) y1=f(y1) x2=f(x2) y2=f(y2) stroke-width=f(width) marker-end="url(#graph-arrow)"><title>{tip}</title></line> }
        })
        .collect_view();
    let dots = nodes
        .iter()
        .enumerate()
        .map(|(i, (id, name))| {
            let (x, y) = at(i);
            let anchor = if x < c - 1.0 { "end" } else if x > c + 1.0 { "start" } else { "middle" };
            let dx = if anchor == "end" { -10.0 } else if anchor == "start" { 10.0 } else { 0.0 };
            let dy = if y < c { -8.0 } else { 16.0 };
            // A `<g>` parent makes the macro build an SVG `<a>`, not an HTML one, when the
            // graph is rendered in the browser after a client-side navigation.
            view! {
                <g>
                    <a href=format!("/t/{name}") aria-label=format!("Tenant {name}") data-tenant-id=id.clone()>
                        <circle class="graph-node" cx=f(x) cy=f(y) r="7"><title>{name.clone()}</title></circle>
                        <text class="graph-label" x=f(x + dx) y=f(y + if anchor == "middle" { dy } else { 4.0 }) text-anchor=anchor>{name.clone()}</text>
                    </a>
                </g>
            }
        })
        .collect_view();
    let label = format!(
        "{} tenants joined by {} connections",
        nodes.len(),
        rows.len()
    );
    view! {
        <svg class="graph" viewBox=format!("0 0 {SIZE} {SIZE}") role="group" aria-label=label data-testid="connection-graph">
            // An arrowhead: each edge points from the provider to the consumer.
            <defs>
                <marker id="graph-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                    <path class="graph-arrow" d="M 0 0 L 10 5 L 0 10 z"/>
                </marker>
            </defs>
            {edges}
            {dots}
        </svg>
    }
}

#[component]
pub fn ConnectionMapPage() -> impl IntoView {
    let q = query_param("q");
    let cursor = query_param("cursor");
    let data = Resource::new(
        move || (q.get(), cursor.get()),
        |(q, c)| connection_map(q, non_empty(c)),
    );
    view! {
        <Title text="Connections of all tenants"/>
        <div class="page-header"><h1 class="page-title">"Connection map"</h1></div>
        <p class="page-subtitle">"Every cross-tenant connection on the platform: who provides to whom, its status, and its traffic over the last 30 days."</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => {
                        let shown = d.items.len();
                        let rows = d.items.clone().into_iter().map(|r| {
                            let (class, text) = if r.status == "Active" { ("badge badge-ok", "Active") } else { ("badge badge-danger", "Revoked") };
                            view! {
                                <tr data-testid="map-row">
                                    <td class="name"><a href=format!("/t/{}", r.provider_name)><strong>{r.provider_name.clone()}</strong></a><div class="muted small"><ShortId id=r.provider_id.clone() what="provider id"/></div></td>
                                    <td class="name"><span aria-hidden="true">"→ "</span><a href=format!("/t/{}", r.consumer_name)><strong>{r.consumer_name.clone()}</strong></a><div class="muted small"><ShortId id=r.consumer_id.clone() what="consumer id"/></div></td>
                                    <td><a href=format!("/t/{}/connections/{}", r.provider_name, r.id)><span class=class>{text}</span></a></td>
                                    <td class="nowrap">{human_bytes(r.bytes)}<div class="muted small">{format!("{} flows", r.flows)}</div></td>
                                    <td class="nowrap">{fmt_time(r.created_at)}</td>
                                </tr>
                            }
                        }).collect_view();
                        let params = vec![("q".to_string(), q.get_untracked())];
                        view! {
                            <div class="toolbar">
                                <form class="search" method="get" role="search">
                                    <input type="search" name="q" value=q.get_untracked() aria-label="Search connections" placeholder="Search by tenant name"/>
                                    <button class="btn" type="submit">"Search"</button>
                                </form>
                            </div>
                            {if shown == 0 {
                                let hint = if q.get_untracked().is_empty() { "Tenants connect to each other with one-time secrets; their connections appear here." } else { "No connection matches this search." };
                                view! { <EmptyState title="No connections".to_string() hint=hint.to_string()/> }.into_any()
                            } else {
                                view! {
                                    <div class="map-grid">
                                        <section class="card" aria-label="Connection graph"><ConnectionGraph rows=d.items/></section>
                                        <div class="table-wrap">
                                            <table class="data-table" aria-label="All connections">
                                                <thead><tr><th>"Provider"</th><th>"Consumer"</th><th>"Status"</th><th>"Traffic (30 days)"</th><th>"Made"</th></tr></thead>
                                                <tbody>{rows}</tbody>
                                            </table>
                                        </div>
                                    </div>
                                }.into_any()
                            }}
                            <Pager next_cursor=d.next_cursor shown=shown limit=50 total=d.total params=params/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
