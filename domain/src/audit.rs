//! The audit log: who did what, when, with before/after. Every mutation writes its
//! record inside its own transaction, so there is never a change without a record.

use crate::db::Wall;
use crate::ids::{col_id, AuditId, TenantId, UserId};
use crate::model::{clamp_limit, AuditEvent, Page};
use crate::validate::{escape_like, like_pattern};
use crate::{now_ms, DomainResult, TenantScope};
use sqlx::Row;

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Records an event in the scope's tenant. An action taken through another tenant's
/// admission is recorded in both tenants' logs, each naming the actor's home tenant and
/// the statements that allowed it.
pub(crate) async fn record(
    tx: &mut Tx,
    scope: &TenantScope,
    action: &str,
    target: &str,
    before: Option<String>,
    after: Option<String>,
) -> DomainResult<()> {
    let via = scope.via();
    insert(
        tx,
        scope.tenant_id(),
        Some(scope.actor_id()),
        scope.actor_label(),
        action,
        target,
        before,
        after,
        via.as_ref().map(|(_, v)| v.clone()),
    )
    .await?;
    if let Some((home, via)) = via {
        insert(
            tx,
            home,
            Some(scope.actor_id()),
            scope.actor_label(),
            action,
            &format!("in {}: {target}", scope.tenant_name()),
            // The other tenant's data (a policy's text, an email) stays in its own log.
            None,
            None,
            Some(via),
        )
        .await?;
    }
    Ok(())
}

/// Records an event in a tenant named by id. Only the reviewed cross-tenant paths
/// (tenant creation, login binding, bootstrap) call this directly.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record_global(
    tx: &mut Tx,
    tenant: TenantId,
    actor_id: Option<UserId>,
    actor_label: &str,
    action: &str,
    target: &str,
    before: Option<String>,
    after: Option<String>,
) -> DomainResult<()> {
    insert(
        tx,
        tenant,
        actor_id,
        actor_label,
        action,
        target,
        before,
        after,
        None,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn insert(
    tx: &mut Tx,
    tenant: TenantId,
    actor_id: Option<UserId>,
    actor_label: &str,
    action: &str,
    target: &str,
    before: Option<String>,
    after: Option<String>,
    via: Option<String>,
) -> DomainResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (tenant_id, id, at, actor_id, actor_label, action, target, before_json, after_json, via, request_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(tenant.as_text())
    .bind(AuditId::new_random().as_text())
    .bind(now_ms())
    .bind(actor_id.map(|a| a.as_text()))
    .bind(actor_label.to_string())
    .bind(action.to_string())
    .bind(target.to_string())
    .bind(before)
    .bind(after)
    .bind(via)
    .bind(crate::telemetry::request_id())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Narrows the audit log. Empty fields match everything.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Part of the actor (an email, a token's name), case-insensitive.
    pub actor: String,
    /// An action, or the start of one (`member.` matches every membership change).
    pub action: String,
    /// Part of the object's name, case-insensitive.
    pub target: String,
    /// From this time on (unix ms, inclusive).
    pub from: Option<i64>,
    /// Before this time (unix ms, exclusive).
    pub until: Option<i64>,
    /// The request that made the change (its `X-Request-Id`), exactly.
    pub request_id: String,
}

/// The scope's audit log, newest first. The cursor is `<at>:<id>` of the last row.
pub async fn list(
    db: &crate::Db,
    scope: &TenantScope,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> DomainResult<Page<AuditEvent>> {
    search(db, scope, &AuditFilter::default(), cursor, limit).await
}

/// The scope's latest `n` events, without counting the log (the dashboard).
pub async fn recent(db: &crate::Db, scope: &TenantScope, n: i64) -> DomainResult<Vec<AuditEvent>> {
    scope.require("AUDIT_EVENT_READ")?;
    let rows = sqlx::query(
        "SELECT id, tenant_id, at, actor_label, action, target, before_json, after_json, via, request_id FROM audit_events \
         WHERE tenant_id = $1 ORDER BY at DESC, id DESC LIMIT $2",
    )
    .bind(scope.tenant_id().as_text())
    .bind(n.clamp(1, 100))
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?;
    rows.iter().map(event_from_row).collect()
}

fn event_from_row(row: &sqlx::any::AnyRow) -> DomainResult<AuditEvent> {
    Ok(AuditEvent {
        id: col_id(&row.try_get::<String, _>("id")?)?,
        tenant_id: col_id(&row.try_get::<String, _>("tenant_id")?)?,
        at: row.try_get("at")?,
        actor: row.try_get("actor_label")?,
        action: row.try_get("action")?,
        target: row.try_get("target")?,
        before: row.try_get("before_json")?,
        via: row.try_get("via")?,
        after: row.try_get("after_json")?,
        request_id: row.try_get("request_id")?,
    })
}

/// The scope's audit log narrowed by `filter`, newest first, counted up to the cap.
pub async fn search(
    db: &crate::Db,
    scope: &TenantScope,
    filter: &AuditFilter,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> DomainResult<Page<AuditEvent>> {
    scope.require("AUDIT_EVENT_READ")?;
    let limit = clamp_limit(limit);
    let (c_at, c_id) = cursor
        .and_then(|c| c.split_once(':'))
        .and_then(|(a, i)| Some((a.parse::<i64>().ok()?, i.to_string())))
        // Without a cursor, start after the newest possible event.
        .unwrap_or((i64::MAX, String::new()));
    let from = filter.from.unwrap_or(i64::MIN);
    let until = filter.until.unwrap_or(i64::MAX);
    let actor = like_pattern(&filter.actor);
    let action = format!("{}%", escape_like(filter.action.trim()));
    let target = like_pattern(&filter.target);
    const FILTER: &str = "tenant_id = $1 AND at >= $2 AND at < $3 \
         AND ($4 = '%%' OR LOWER(actor_label) LIKE $4 ESCAPE '\\') \
         AND ($5 = '%' OR action LIKE $5 ESCAPE '\\') \
         AND ($6 = '%%' OR LOWER(target) LIKE $6 ESCAPE '\\') \
         AND ($7 = '' OR request_id = $7)";
    let rows = sqlx::query(&format!(
        "SELECT id, tenant_id, at, actor_label, action, target, before_json, after_json, via, request_id FROM audit_events \
         WHERE {FILTER} AND (at < $8 OR (at = $8 AND id < $9)) \
         ORDER BY at DESC, id DESC LIMIT $10"
    ))
    .bind(scope.tenant_id().as_text())
    .bind(from)
    .bind(until)
    .bind(actor.clone())
    .bind(action.clone())
    .bind(target.clone())
    .bind(filter.request_id.trim().to_string())
    .bind(c_at)
    .bind(c_id)
    .bind(limit + 1)
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?;
    let total: i64 = sqlx::query_scalar(&crate::model::capped_count_sql(&format!(
        "SELECT 1 FROM audit_events WHERE {FILTER}"
    )))
    .bind(scope.tenant_id().as_text())
    .bind(from)
    .bind(until)
    .bind(actor)
    .bind(action)
    .bind(target)
    .bind(filter.request_id.trim().to_string())
    .fetch_one(&mut *db.read(scope.wall()).await?)
    .await?;
    let items = rows
        .iter()
        .map(event_from_row)
        .collect::<DomainResult<Vec<_>>>()?;
    Ok(Page::from_overfetch(items, limit, |e| format!("{}:{}", e.at, e.id)).with_total(total))
}

/// A deleted tenant's audit log, kept in the archive for the retention period: global
/// admins only, newest first, with keyset paging like the live log. An id that was never
/// a deleted tenant is not found.
pub async fn archived(
    db: &crate::Db,
    principal: &crate::Principal,
    tenant: TenantId,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> DomainResult<Page<AuditEvent>> {
    if !principal.is_global_admin() {
        return Err(crate::DomainError::Forbidden(
            "Only global admins read the audit logs of deleted tenants.".into(),
        ));
    }
    let limit = clamp_limit(limit);
    let (c_at, c_id) = cursor
        .and_then(|c| c.split_once(':'))
        .and_then(|(a, i)| Some((a.parse::<i64>().ok()?, i.to_string())))
        .unwrap_or((i64::MAX, String::new()));
    let rows = sqlx::query(
        "SELECT id, former_tenant_id AS tenant_id, at, actor_label, action, target, before_json, after_json, via, request_id \
         FROM audit_archive WHERE former_tenant_id = $1 AND (at < $2 OR (at = $2 AND id < $3)) \
         ORDER BY at DESC, id DESC LIMIT $4",
    )
    .bind(tenant.as_text())
    .bind(c_at)
    .bind(c_id)
    .bind(limit + 1)
    .fetch_all(&mut *db.read(Wall::Platform).await?)
    .await?;
    if rows.is_empty() && cursor.is_none() {
        return Err(crate::DomainError::NotFound("deleted tenant"));
    }
    let items = rows
        .iter()
        .map(event_from_row)
        .collect::<DomainResult<Vec<_>>>()?;
    Ok(Page::from_overfetch(items, limit, |e| {
        format!("{}:{}", e.at, e.id)
    }))
}

/// A deleted tenant whose audit log the archive still keeps.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ArchivedTenant {
    pub id: TenantId,
    pub name: String,
    /// When its log was archived (the end of its teardown).
    pub archived_at: i64,
    pub events: i64,
}

/// The deleted tenants whose audit logs are kept, most recently deleted first (global
/// admins only; at most `limit`, 1 to 100).
pub async fn archived_tenants(
    db: &crate::Db,
    principal: &crate::Principal,
    limit: i64,
) -> DomainResult<Vec<ArchivedTenant>> {
    if !principal.is_global_admin() {
        return Err(crate::DomainError::Forbidden(
            "Only global admins read the audit logs of deleted tenants.".into(),
        ));
    }
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT former_tenant_id, former_tenant_name, MAX(archived_at), COUNT(*) FROM audit_archive \
         GROUP BY former_tenant_id, former_tenant_name ORDER BY 3 DESC LIMIT $1",
    )
    .bind(limit.clamp(1, 100))
    .fetch_all(&mut *db.read(Wall::Platform).await?)
    .await?;
    rows.into_iter()
        .map(|(id, name, archived_at, events)| {
            Ok(ArchivedTenant {
                id: col_id(&id)?,
                name,
                archived_at,
                events,
            })
        })
        .collect()
}
