//! Services a tenant offers to the tenants connected to it.

use super::*;

pub(super) fn service_from_row(row: &AnyRow) -> DomainResult<Service> {
    Ok(Service {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        port: row.try_get("port")?,
        protocol: row.try_get("protocol")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

/// A service's port (1 to 65535) and protocol (lowercased).
pub(super) fn check_endpoint(port: i64, protocol: &str) -> DomainResult<String> {
    if !(1..=65535).contains(&port) {
        return Err(DomainError::invalid(
            "port",
            "The port is a number from 1 to 65535.",
        ));
    }
    let protocol = protocol.trim().to_ascii_lowercase();
    if !PROTOCOLS.contains(&protocol.as_str()) {
        return Err(DomainError::invalid(
            "protocol",
            "The protocol is one of TCP, UDP, HTTP, HTTPS or gRPC.",
        ));
    }
    Ok(protocol)
}

pub async fn create_service(
    db: &Db,
    scope: &TenantScope,
    name: &str,
    port: i64,
    protocol: &str,
) -> DomainResult<Service> {
    scope.require("SERVICE_CREATE")?;
    let name = check_name("service name", "name", name)?;
    let protocol = check_endpoint(port, protocol)?;
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    let mut tx = db.begin(scope.wall()).await?;
    sqlx::query("INSERT INTO services (tenant_id, id, name, port, protocol, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(scope.tenant_id().as_text())
        .bind(id.clone())
        .bind(name.clone())
        .bind(port)
        .bind(protocol.clone())
        .bind(now)
        .bind(scope.actor_label().to_string())
        .execute(&mut *tx)
        .await
        .map_err(|e| unique(e, "service_exists", format!("A service named {name} already exists.")))?;
    audit::record(
        &mut tx,
        scope,
        "service.create",
        &name,
        None,
        Some(format!("{protocol}/{port}")),
    )
    .await?;
    tx.commit().await?;
    Ok(Service {
        id,
        name,
        port,
        protocol,
        created_at: now,
        created_by: scope.actor_label().to_string(),
    })
}

/// Services by name; `q` matches part of the name. The cursor is the last name.
pub async fn list_services(
    db: &Db,
    scope: &TenantScope,
    q: &str,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> DomainResult<Page<Service>> {
    scope.require("SERVICE_READ")?;
    let limit = clamp_limit(limit);
    let rows = sqlx::query(
        "SELECT id, name, port, protocol, created_at, created_by FROM services \
         WHERE tenant_id = $1 AND name > $2 AND name LIKE $3 ESCAPE '\\' ORDER BY name LIMIT $4",
    )
    .bind(scope.tenant_id().as_text())
    .bind(cursor.unwrap_or("").to_string())
    .bind(like_pattern(q))
    .bind(limit + 1)
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?;
    let items = rows
        .iter()
        .map(service_from_row)
        .collect::<DomainResult<Vec<_>>>()?;
    let total: i64 = sqlx::query_scalar(&capped_count_sql(
        "SELECT 1 FROM services WHERE tenant_id = $1 AND name LIKE $2 ESCAPE '\\'",
    ))
    .bind(scope.tenant_id().as_text())
    .bind(like_pattern(q))
    .fetch_one(&mut *db.read(scope.wall()).await?)
    .await?;
    Ok(Page::from_overfetch(items, limit, |s| s.name.clone()).with_total(total))
}

/// One of the scope's services, read inside the caller's transaction (another
/// tenant's is not found).
pub(super) async fn service_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    scope: &TenantScope,
    id: &str,
) -> DomainResult<Service> {
    let row = sqlx::query(
        "SELECT id, name, port, protocol, created_at, created_by FROM services WHERE tenant_id = $1 AND id = $2",
    )
    .bind(scope.tenant_id().as_text())
    .bind(id.to_string())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(DomainError::NotFound("service"))?;
    service_from_row(&row)
}

/// Changes a service's port and protocol. Its name, and so its DNS name, stays.
pub async fn update_service(
    db: &Db,
    scope: &TenantScope,
    id: &str,
    port: i64,
    protocol: &str,
) -> DomainResult<Service> {
    scope.require("SERVICE_UPDATE")?;
    let protocol = check_endpoint(port, protocol)?;
    let mut tx = db.begin(scope.wall()).await?;
    let before = service_in(&mut tx, scope, id).await?;
    sqlx::query("UPDATE services SET port = $1, protocol = $2 WHERE tenant_id = $3 AND id = $4")
        .bind(port)
        .bind(protocol.clone())
        .bind(scope.tenant_id().as_text())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        scope,
        "service.update",
        &before.name,
        Some(format!("{}/{}", before.protocol, before.port)),
        Some(format!("{protocol}/{port}")),
    )
    .await?;
    tx.commit().await?;
    Ok(Service {
        port,
        protocol,
        ..before
    })
}

pub async fn delete_service(db: &Db, scope: &TenantScope, id: &str) -> DomainResult<()> {
    scope.require("SERVICE_DELETE")?;
    let mut tx = db.begin(scope.wall()).await?;
    let s = service_in(&mut tx, scope, id).await?;
    sqlx::query("DELETE FROM services WHERE tenant_id = $1 AND id = $2")
        .bind(scope.tenant_id().as_text())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        scope,
        "service.delete",
        &s.name,
        Some(format!("{}/{}", s.protocol, s.port)),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
