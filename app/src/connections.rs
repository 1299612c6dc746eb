//! NCS Networking → Cross-Tenant Connections (seed 000): issue a one-time secret as the
//! provider, redeem one as the consumer, see and revoke connections on both sides.

use crate::components::*;
use crate::error::AppError;
use crate::fmt_time;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::ssr::scope;
#[cfg(feature = "ssr")]
use domain::connections;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecretRow {
    pub id: String,
    pub hint: String,
    pub note: String,
    pub status: String,
    pub created_at: i64,
    pub created_by: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionRow {
    pub id: String,
    pub remote_tenant_id: String,
    pub remote_tenant_name: String,
    pub direction: String,
    pub status: String,
    pub created_at: i64,
    pub created_by: String,
    pub revoked_by: Option<String>,
    /// Bytes over the last 30 days.
    pub traffic_bytes: i64,
    /// Allow policies, on either side, naming a service across this connection.
    pub allowed_policies: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionsData {
    pub connections: Vec<ConnectionRow>,
    /// Only for tenant admins (secrets are the provider's to manage).
    pub secrets: Vec<SecretRow>,
    pub can_manage: bool,
    /// A secret just issued by a form post without JavaScript, shown this once.
    pub fresh_secret: Option<NewSecret>,
}

/// What the provider sees once, right after issuing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewSecret {
    pub secret: String,
    pub expires_at: i64,
}

#[cfg(feature = "ssr")]
pub(crate) fn connection_row(
    c: connections::Connection,
    traffic_bytes: i64,
    allowed_policies: i64,
) -> ConnectionRow {
    ConnectionRow {
        traffic_bytes,
        allowed_policies,
        id: c.id,
        remote_tenant_id: c.remote_tenant_id.to_string(),
        remote_tenant_name: c.remote_tenant_name,
        direction: c.direction.as_str().into(),
        status: c.status,
        created_at: c.created_at,
        created_by: c.created_by,
        revoked_by: c.revoked_by,
    }
}

/// The session key of a secret issued without JavaScript, until the page shows it.
#[cfg(feature = "ssr")]
const FLASH_SECRET: &str = "flash_secret";
/// How long such a secret waits for the redirect that shows it.
#[cfg(feature = "ssr")]
const FLASH_SECRET_MAX_AGE_MS: i64 = 60_000;

#[server(prefix = "/fn", endpoint = "connections_overview")]
pub async fn connections_overview(tenant: String) -> Result<ConnectionsData, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope(&tenant).await?;
        let conns = connections::list_connections(&ctx.db, &scope, None, Some(100)).await?;
        let totals = domain::traffic::totals(&ctx.db, &scope).await?;
        let allowed = domain::network::allow_counts(&ctx.db, &scope).await?;
        let can_manage = scope.allows(policy::Action::Manage);
        let secrets = if can_manage {
            connections::list_secrets(&ctx.db, &scope, None, Some(50))
                .await?
                .items
                .into_iter()
                .map(|s| SecretRow {
                    id: s.id,
                    hint: s.hint,
                    note: s.note,
                    status: s.status.as_str().into(),
                    created_at: s.created_at,
                    created_by: s.created_by,
                    expires_at: s.expires_at,
                })
                .collect()
        } else {
            Vec::new()
        };
        // The plaintext secret stays in the session store for one redirect at most: the
        // first render of this page takes it out, shows it if it is this tenant's and
        // fresh, and otherwise drops it.
        let fresh_secret =
            match crate::ssr::flash_take::<(String, i64, NewSecret)>(FLASH_SECRET).await? {
                Some((t, at, s))
                    if t == scope.tenant_name()
                        && domain::now_ms().saturating_sub(at) < FLASH_SECRET_MAX_AGE_MS =>
                {
                    Some(s)
                }
                _ => None,
            };
        Ok(ConnectionsData {
            fresh_secret,
            connections: conns
                .items
                .into_iter()
                .map(|c| {
                    let bytes = totals.get(&c.id).map(|t| t.0).unwrap_or(0);
                    let n = allowed.get(&c.remote_tenant_id).copied().unwrap_or(0);
                    connection_row(c, bytes, n)
                })
                .collect(),
            secrets,
            can_manage,
        })
    })
    .await
}

#[server(prefix = "/fn", endpoint = "create_connection_secret")]
pub async fn create_connection_secret(
    tenant: String,
    expires_in_seconds: String,
    note: String,
) -> Result<NewSecret, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope(&tenant).await?;
        let ttl = expires_in_seconds
            .trim()
            .parse::<i64>()
            .map_err(|_| AppError::Invalid {
                field: "expires_in_seconds".into(),
                message: "Choose when the secret expires.".into(),
            })?;
        let issued = connections::create_secret(&ctx.db, &scope, Some(ttl), &note).await?;
        let new = NewSecret {
            secret: issued.secret,
            expires_at: issued.info.expires_at,
        };
        if crate::ssr::is_plain_form_post() {
            // Without JavaScript the browser is redirected back to the page, which shows
            // the secret once from the session.
            crate::ssr::flash_put(
                FLASH_SECRET,
                &(
                    scope.tenant_name().to_string(),
                    domain::now_ms(),
                    new.clone(),
                ),
            )
            .await?;
        }
        Ok(new)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "revoke_connection_secret")]
pub async fn revoke_connection_secret(tenant: String, id: String) -> Result<(), AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope(&tenant).await?;
        connections::revoke_secret(&ctx.db, &scope, &id).await?;
        Ok(())
    })
    .await
}

#[server(prefix = "/fn", endpoint = "connect_external_tenant")]
pub async fn connect_external_tenant(
    tenant: String,
    secret: String,
) -> Result<ConnectionRow, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope(&tenant).await?;
        // The client address, for the per-client rate limit.
        let client = ctx.client_ip.current();
        let c = connections::redeem(&ctx.db, &scope, &secret, &client).await?;
        Ok(connection_row(c, 0, 0))
    })
    .await
}

#[server(prefix = "/fn", endpoint = "revoke_connection")]
pub async fn revoke_connection(tenant: String, id: String) -> Result<(), AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope(&tenant).await?;
        connections::revoke_connection(&ctx.db, &scope, &id).await?;
        Ok(())
    })
    .await
}

/// Copies text to the clipboard (in the browser; nothing on the server).
fn copy_to_clipboard(text: String) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.navigator().clipboard().write_text(&text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

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
    let create = ServerAction::<CreateConnectionSecret>::new();
    let revoke_secret = ServerAction::<RevokeConnectionSecret>::new();
    let connect = ServerAction::<ConnectExternalTenant>::new();
    let revoke = ServerAction::<RevokeConnection>::new();
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
    let create_err = move || create.value().get().and_then(Result::err);
    let create_form = NodeRef::<leptos::html::Form>::new();
    let connect_form = NodeRef::<leptos::html::Form>::new();
    reset_on_success(create, create_form);
    reset_on_success(connect, connect_form);
    let connect_err = move || connect.value().get().and_then(Result::err);
    let row_err = move || {
        revoke
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| revoke_secret.value().get().and_then(Result::err))
    };
    view! {
        <Title text=move || format!("Cross-tenant connections of {}", tenant.get())/>
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
                                    <td><a href=detail.clone()><strong>{c.remote_tenant_name.clone()}</strong></a><div class="mono muted" data-testid="remote-tenant-id">{c.remote_tenant_id.clone()}</div></td>
                                    <td>{if c.direction == "provides" { "Provides to" } else { "Consumes from" }}</td>
                                    <td>
                                        <span class=class data-testid="connection-status">{text}</span>
                                        {draft.map(|href| view! { <div><a class="small" href=href>"Draft an allow policy"</a></div> })}
                                    </td>
                                    <td class="nowrap">{fmt_time(c.created_at)}<div class="muted">{c.created_by.clone()}</div></td>
                                    <td class="nowrap"><a href=detail title="Traffic per day" data-testid="connection-traffic">{crate::human_bytes(c.traffic_bytes)}</a><div class="muted small">"last 30 days"</div></td>
                                    <td class="actions">
                                        {(active && can_manage).then(|| view! {
                                            <ConfirmInline action=revoke summary="Revoke" label=format!("Revoke connection with {remote}") dialog="Confirm revocation" confirm="Yes, revoke"
                                                fields=vec![("tenant", t2), ("id", id)]>
                                                "Revoke the connection with " <strong>{remote.clone()}</strong> "? Both tenants will see it as revoked."
                                            </ConfirmInline>
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
                                            <ActionForm action=revoke_secret attr:class="inline">
                                                <input type="hidden" name="tenant" value=t3/>
                                                <input type="hidden" name="id" value=id/>
                                                <button class="btn btn-sm" type="submit" aria-label=format!("Revoke secret {hint}")>"Revoke"</button>
                                            </ActionForm>
                                        })}
                                    </td>
                                </tr>
                            }
                        }).collect_view();
                        let no_secrets = d.secrets.is_empty();
                        let fresh = d.fresh_secret.clone();
                        let t_connect = t.clone();
                        let t_create = t.clone();
                        view! {
                            {move || row_err().map(|e| view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> })}
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
                                            {move || connect_err().map(|e| view! { <div class="alert alert-error" role="alert" data-testid="connect-error">{e.to_string()}</div> })}
                                            {move || connect.value().get().and_then(Result::ok).map(|c| view! {
                                                <div class="alert alert-success" role="status">"Connected to " <strong>{c.remote_tenant_name}</strong> "."</div>
                                            })}
                                            <div class="field">
                                                <label for="connect-secret">"Connection secret"</label>
                                                <input id="connect-secret" class="mono" type="password" name="secret" required autocomplete="off" placeholder="ncs_…"/>
                                            </div>
                                            <div class="form-actions">
                                                <button class="btn btn-primary" type="submit" disabled=move || connect.pending().get()>"Connect"</button>
                                            </div>
                                        </ActionForm>
                                    </section>
                                    <section class="card" aria-labelledby="secret-title">
                                        <h2 class="card-title" id="secret-title">"Create connection secret"</h2>
                                        <p class="muted">"Lets one other tenant connect to this one. It works once."</p>
                                        {move || create.value().get().and_then(Result::ok).or_else(|| fresh.clone()).map(|s| {
                                            let secret = s.secret.clone();
                                            view! {
                                                <div class="alert alert-warning" role="status" data-testid="new-secret">
                                                    <p><strong>"Copy this secret now: it is shown only once."</strong>
                                                    " It carries significant permissions. Share it only with the other tenant's admin over a secure channel (e.g. a private message)."</p>
                                                    <div class="copy-field">
                                                        <input class="mono" type="text" readonly value=s.secret.clone() aria-label="New connection secret" data-testid="secret-value"/>
                                                        <button class="btn" type="button" on:click=move |_| copy_to_clipboard(secret.clone())>"Copy"</button>
                                                    </div>
                                                    <p class="field-hint">"Expires " {fmt_time(s.expires_at)} "."</p>
                                                </div>
                                            }
                                        })}
                                        <ActionForm action=create node_ref=create_form attr:class="form" attr:aria-label="Create connection secret">
                                            <input type="hidden" name="tenant" value=t_create/>
                                            {move || create_err().map(|e| view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> })}
                                            <div class="form-row">
                                                <div class="field">
                                                    <label for="secret-expiry">"Expires after"</label>
                                                    <select id="secret-expiry" name="expires_in_seconds">
                                                        <option value="300">"5 minutes"</option>
                                                        <option value="3600">"1 hour"</option>
                                                        <option value="86400" selected=true>"24 hours"</option>
                                                        <option value="604800">"7 days"</option>
                                                        <option value="2592000">"30 days"</option>
                                                    </select>
                                                </div>
                                                <div class="field">
                                                    <label for="secret-note">"Note"</label>
                                                    <input id="secret-note" type="text" name="note" placeholder="Optional, e.g. for team-analytics"/>
                                                </div>
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
