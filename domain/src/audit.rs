//! The audit log: who did what, when, with before/after. Every mutation writes its
//! record inside its own transaction, so there is never a change without a record.

use crate::ids::{col_id, AuditId, TenantId, UserId};
use crate::model::{clamp_limit, AuditEvent, Page};
use crate::{now_ms, DomainResult, TenantScope};
use sqlx::Row;

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Records an event in the scope's tenant.
pub(crate) async fn record(
    tx: &mut Tx,
    scope: &TenantScope,
    action: &str,
    target: &str,
    before: Option<String>,
    after: Option<String>,
) -> DomainResult<()> {
    record_global(
        tx,
        scope.tenant_id(),
        Some(scope.actor_id()),
        scope.actor_label(),
        action,
        target,
        before,
        after,
    )
    .await
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
    sqlx::query(
        "INSERT INTO audit_events (tenant_id, id, at, actor_id, actor_label, action, target, before_json, after_json) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
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
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The scope's audit log, newest first. The cursor is `<at>:<id>` of the last row.
pub async fn list(
    db: &crate::Db,
    scope: &TenantScope,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> DomainResult<Page<AuditEvent>> {
    let limit = clamp_limit(limit);
    let (c_at, c_id) = cursor
        .and_then(|c| c.split_once(':'))
        .and_then(|(a, i)| Some((a.parse::<i64>().ok()?, i.to_string())))
        // Without a cursor, start after the newest possible event.
        .unwrap_or((i64::MAX, String::new()));
    let rows = sqlx::query(
        "SELECT id, tenant_id, at, actor_label, action, target, before_json, after_json FROM audit_events \
         WHERE tenant_id = $1 AND (at < $2 OR (at = $2 AND id < $3)) \
         ORDER BY at DESC, id DESC LIMIT $4",
    )
    .bind(scope.tenant_id().as_text())
    .bind(c_at)
    .bind(c_id)
    .bind(limit + 1)
    .fetch_all(db.pool())
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        items.push(AuditEvent {
            id: col_id(&row.try_get::<String, _>("id")?)?,
            tenant_id: col_id(&row.try_get::<String, _>("tenant_id")?)?,
            at: row.try_get("at")?,
            actor: row.try_get("actor_label")?,
            action: row.try_get("action")?,
            target: row.try_get("target")?,
            before: row.try_get("before_json")?,
            after: row.try_get("after_json")?,
        });
    }
    Ok(Page::from_overfetch(items, limit, |e| {
        format!("{}:{}", e.at, e.id)
    }))
}
