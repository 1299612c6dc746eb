//! The platform's view across tenants, for global admins: every connection.

use super::*;
use crate::db::Wall;

/// One connection as the platform sees it: the provider, the consumer, and traffic.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PlatformConnection {
    pub id: String,
    pub provider_id: TenantId,
    pub provider_name: String,
    pub consumer_id: TenantId,
    pub consumer_name: String,
    pub status: String,
    pub created_at: i64,
    /// Bytes and flows over the last 30 days.
    pub bytes: i64,
    pub flows: i64,
}

/// Every cross-tenant connection (global admins only), newest first, optionally only
/// those where `q` is part of either tenant's name: the centralised view of seed 000.
/// Each connection is read once, from its provider's half.
pub async fn all_connections(
    db: &Db,
    principal: &Principal,
    q: &str,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> DomainResult<Page<PlatformConnection>> {
    if !principal.is_global_admin() {
        return Err(DomainError::Forbidden(
            "only a global admin sees every connection".into(),
        ));
    }
    let limit = clamp_limit(limit);
    let (c_at, c_id) = crate::model::newest_first_cursor(cursor);
    let since = crate::now_ms().div_euclid(crate::model::DAY_MS) - 29;
    let pattern = like_pattern(q);
    let rows = sqlx::query(
        "SELECT c.id, c.tenant_id, t.name AS provider_name, c.remote_tenant_id, c.remote_tenant_name, c.status, c.created_at, \
         CAST(COALESCE((SELECT SUM(d.bytes) FROM traffic_daily d WHERE d.tenant_id = c.tenant_id AND d.connection_id = c.id AND d.day >= $1), 0) AS BIGINT) AS bytes, \
         CAST(COALESCE((SELECT SUM(d.flows) FROM traffic_daily d WHERE d.tenant_id = c.tenant_id AND d.connection_id = c.id AND d.day >= $1), 0) AS BIGINT) AS flows \
         FROM connections c JOIN tenants t ON t.id = c.tenant_id \
         WHERE c.direction = 'provides' AND (LOWER(t.name) LIKE $2 ESCAPE '\\' OR LOWER(c.remote_tenant_name) LIKE $2 ESCAPE '\\') \
         AND (c.created_at < $3 OR (c.created_at = $3 AND c.id < $4)) \
         ORDER BY c.created_at DESC, c.id DESC LIMIT $5",
    )
    .bind(since)
    .bind(pattern)
    .bind(c_at)
    .bind(c_id)
    .bind(limit + 1)
    .fetch_all(&mut *db.read(Wall::Platform).await?)
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        items.push(PlatformConnection {
            id: r.try_get("id")?,
            provider_id: col_id(&r.try_get::<String, _>("tenant_id")?)?,
            provider_name: r.try_get("provider_name")?,
            consumer_id: col_id(&r.try_get::<String, _>("remote_tenant_id")?)?,
            consumer_name: r.try_get("remote_tenant_name")?,
            status: r.try_get("status")?,
            created_at: r.try_get("created_at")?,
            bytes: r.try_get("bytes")?,
            flows: r.try_get("flows")?,
        });
    }
    let total: i64 = sqlx::query_scalar(&crate::model::capped_count_sql(
        "SELECT 1 FROM connections c JOIN tenants t ON t.id = c.tenant_id \
         WHERE c.direction = 'provides' AND (LOWER(t.name) LIKE $1 ESCAPE '\\' OR LOWER(c.remote_tenant_name) LIKE $1 ESCAPE '\\')",
    ))
    .bind(like_pattern(q))
    .fetch_one(&mut *db.read(Wall::Platform).await?)
    .await?;
    Ok(
        Page::from_overfetch(items, limit, |c| format!("{}:{}", c.created_at, c.id))
            .with_total(total),
    )
}
