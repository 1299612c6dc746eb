//! Server functions of cross-tenant connections (seed 000): issue a one-time secret as
//! the provider, redeem one as the consumer, list and revoke connections on both sides,
//! one connection with its traffic and reachable services, and the platform's map.

use crate::error::AppError;
use crate::network::api::RemoteRow;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use {
    crate::network::api::remote_row,
    crate::ssr::scope,
    domain::{connections, network, traffic},
};

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

#[server(prefix = "/fn", endpoint = "connections_overview")]
pub async fn connections_overview(tenant: String) -> Result<ConnectionsData, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("connections_overview", &tenant).await?;
        let conns = connections::list_connections(&ctx.db, &scope, None, Some(100)).await?;
        let totals = domain::traffic::totals(&ctx.db, &scope).await?;
        // Each part of the page shows only what the caller may read of it.
        let allowed = if scope.allows("NETWORK_POLICY_READ") {
            domain::network::allow_counts(&ctx.db, &scope).await?
        } else {
            Default::default()
        };
        let can_manage = scope.allows("CONNECTION_SECRET_MANAGE");
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
        Ok(ConnectionsData {
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
        let (ctx, _, scope) = scope("create_connection_secret", &tenant).await?;
        let ttl = expires_in_seconds
            .trim()
            .parse::<i64>()
            .map_err(|_| AppError::Invalid {
                field: "expires_in_seconds".into(),
                message: "Choose when the secret expires.".into(),
            })?;
        let issued = connections::create_secret(&ctx.db, &scope, Some(ttl), &note).await?;
        Ok(NewSecret {
            secret: issued.secret,
            expires_at: issued.info.expires_at,
        })
    })
    .await
}

#[server(prefix = "/fn", endpoint = "revoke_connection_secret")]
pub async fn revoke_connection_secret(tenant: String, id: String) -> Result<(), AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("revoke_connection_secret", &tenant).await?;
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
        let (ctx, _, scope) = scope("connect_external_tenant", &tenant).await?;
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
        let (ctx, _, scope) = scope("revoke_connection", &tenant).await?;
        connections::revoke_connection(&ctx.db, &scope, &id).await?;
        Ok(())
    })
    .await
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayRow {
    pub day_start: i64,
    pub bytes: i64,
    pub flows: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionView {
    pub connection: ConnectionRow,
    pub days: Vec<DayRow>,
    /// Services reachable across this connection (the remote tenant's).
    pub services: Vec<RemoteRow>,
    /// The network policies between the two tenants, on either side.
    pub policies: Vec<PolicyLink>,
    pub can_manage: bool,
}

/// One network policy behind a connection's status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyLink {
    /// Set only for this tenant's own policies, which the page links to.
    pub name: Option<String>,
    pub workspace_label: String,
    pub service_name: String,
    pub allow: bool,
}

// ---------------------------------------------------------------- one connection

#[server(prefix = "/fn", endpoint = "connection_detail")]
pub async fn connection_detail(tenant: String, id: String) -> Result<ConnectionView, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("connection_detail", &tenant).await?;
        let c = domain::connections::get_connection(&ctx.db, &scope, &id).await?;
        let days = traffic::for_connection(&ctx.db, &scope, &id, 30).await?;
        let policies_readable = scope.allows("NETWORK_POLICY_READ");
        let allowed = if policies_readable {
            network::allow_counts(&ctx.db, &scope)
                .await?
                .get(&c.remote_tenant_id)
                .copied()
                .unwrap_or(0)
        } else {
            0
        };
        let services = if c.is_active() {
            network::remote_services(&ctx.db, &scope, &ctx.dns_suffix)
                .await?
                .into_iter()
                .filter(|r| r.connection_id == c.id)
                .map(remote_row)
                .collect()
        } else {
            Vec::new()
        };
        let policies = if policies_readable {
            network::connection_policies(&ctx.db, &scope, c.remote_tenant_id).await?
        } else {
            Vec::new()
        }
        .into_iter()
        .map(|p| PolicyLink {
            name: p.name,
            workspace_label: p.workspace_label,
            service_name: p.service_name,
            allow: p.action == policy::ncs::NetAction::Allow,
        })
        .collect();
        let total = days.iter().map(|d| d.bytes).sum();
        Ok(ConnectionView {
            connection: connection_row(c, total, allowed),
            days: days
                .into_iter()
                .map(|d| DayRow {
                    day_start: d.start_ms(),
                    bytes: d.bytes,
                    flows: d.flows,
                })
                .collect(),
            services,
            policies,
            can_manage: scope.allows("CONNECTION_DELETE"),
        })
    })
    .await
}

// ---------------------------------------------------------------- the platform's view

/// One connection in the global admins' map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapRow {
    pub id: String,
    pub provider_id: String,
    pub provider_name: String,
    pub consumer_id: String,
    pub consumer_name: String,
    pub status: String,
    pub created_at: i64,
    pub bytes: i64,
    pub flows: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapData {
    pub items: Vec<MapRow>,
    pub next_cursor: Option<String>,
    /// The whole list's size, counted up to a cap (see the pager).
    pub total: Option<i64>,
}

/// Every connection between tenants, for global admins (seed 000's centralised view).
#[server(prefix = "/fn", endpoint = "connection_map")]
pub async fn connection_map(q: String, cursor: Option<String>) -> Result<MapData, AppError> {
    crate::ssr::respond(async move {
        let (ctx, p) = crate::ssr::global_admin().await?;
        let page = domain::directory::all_connections(
            &ctx.db,
            &p,
            &q,
            cursor.and_then(crate::components::non_empty).as_deref(),
            Some(50),
        )
        .await?;
        Ok(MapData {
            items: page
                .items
                .into_iter()
                .map(|c| MapRow {
                    id: c.id,
                    provider_id: c.provider_id.to_string(),
                    provider_name: c.provider_name,
                    consumer_id: c.consumer_id.to_string(),
                    consumer_name: c.consumer_name,
                    status: c.status,
                    created_at: c.created_at,
                    bytes: c.bytes,
                    flows: c.flows,
                })
                .collect(),
            next_cursor: page.next_cursor,
            total: page.total,
        })
    })
    .await
}
