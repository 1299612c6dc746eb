//! Reads across an active connection: the connected tenants and the services they offer.

use super::*;
use crate::db::Wall;

/// The tenants whose services this one may reach: the providers of its active
/// connections, as (tenant, name, connection id). Only the consumer reaches across a
/// connection (seed 000); a provider sees nothing of its consumers' services.
pub(super) async fn active_peers(
    db: &Db,
    scope: &TenantScope,
) -> DomainResult<Vec<(TenantId, String, String)>> {
    let rows = sqlx::query(
        "SELECT remote_tenant_id, remote_tenant_name, id FROM connections \
         WHERE tenant_id = $1 AND direction = 'consumes' AND status = 'Active' ORDER BY remote_tenant_name",
    )
    .bind(scope.tenant_id().as_text())
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                col_id(&r.try_get::<String, _>("remote_tenant_id")?)?,
                r.try_get("remote_tenant_name")?,
                r.try_get("id")?,
            ))
        })
        .collect()
}

/// How this tenant reaches `remote` as a consumer: active, revoked, or never connected.
/// A connection where this tenant is the provider gives it no way in.
pub(super) async fn link_with(
    db: &Db,
    scope: &TenantScope,
    remote: TenantId,
) -> DomainResult<(Link, Option<String>)> {
    let rows = sqlx::query(
        "SELECT status, remote_tenant_name FROM connections WHERE tenant_id = $1 AND remote_tenant_id = $2 AND direction = 'consumes'",
    )
    .bind(scope.tenant_id().as_text())
    .bind(remote.as_text())
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?;
    let mut link = Link::None;
    let mut name = None;
    for r in &rows {
        name = Some(r.try_get::<String, _>("remote_tenant_name")?);
        if r.try_get::<String, _>("status")? == "Active" {
            link = Link::Active;
        } else if link == Link::None {
            link = Link::Revoked;
        }
    }
    Ok((link, name))
}

/// Whether the connected tenant `remote` offers a service called `name`. Callers check
/// the connection is active first: this is a read across the agreement.
pub(super) async fn remote_service_exists(
    db: &Db,
    remote: TenantId,
    name: &str,
) -> DomainResult<bool> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM services WHERE tenant_id = $1 AND name = $2")
            .bind(remote.as_text())
            .bind(name.to_string())
            .fetch_optional(&mut *db.read(Wall::Tenant(remote)).await?)
            .await?;
    Ok(found.is_some())
}

/// The services of every tenant this one consumes from over an active connection, with
/// the DNS names that reach them.
pub async fn remote_services(
    db: &Db,
    scope: &TenantScope,
    dns_suffix: &str,
) -> DomainResult<Vec<RemoteService>> {
    scope.require("CONNECTION_READ")?;
    // One query: the services of every tenant at the far end of an active connection.
    let rows = sqlx::query(
        "SELECT c.remote_tenant_id, c.remote_tenant_name, c.id AS connection_id, \
         s.id, s.name, s.port, s.protocol, s.created_at, s.created_by \
         FROM connections c JOIN services s ON s.tenant_id = c.remote_tenant_id \
         WHERE c.tenant_id = $1 AND c.direction = 'consumes' AND c.status = 'Active' ORDER BY c.remote_tenant_name, s.name LIMIT 2000",
    )
    .bind(scope.tenant_id().as_text())
    // The far ends' services: above this tenant's wall.
    .fetch_all(&mut *db.read(Wall::Platform).await?)
    .await?;
    let suffix = dns_suffix.trim_matches('.');
    rows.iter()
        .map(|row| {
            let remote: TenantId = col_id(&row.try_get::<String, _>("remote_tenant_id")?)?;
            let s = service_from_row(row)?;
            Ok(RemoteService {
                tenant_id: remote,
                tenant_name: row.try_get("remote_tenant_name")?,
                connection_id: row.try_get("connection_id")?,
                dns_name: format!("{}.{remote}.{suffix}", s.name),
                name: s.name,
                port: s.port,
                protocol: s.protocol,
            })
        })
        .collect()
}
