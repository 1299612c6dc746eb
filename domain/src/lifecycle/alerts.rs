//! Alerts the system raises in a tenant (seed 003): a connection revoked by the peer, a
//! policy that names a tenant that no longer exists, a forced or swept teardown step (in
//! the system tenant, for global admins). People acknowledge them; the header counts
//! the unacknowledged ones.

use crate::ids::TenantId;
use crate::model::{clamp_limit, Page};
use crate::{audit, now_ms, Db, DomainError, DomainResult, TenantScope};
use serde::{Deserialize, Serialize};
use sqlx::Row;

type Tx = sqlx::Transaction<'static, sqlx::Any>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }

    fn from_db(s: &str) -> Severity {
        match s {
            "critical" => Severity::Critical,
            "warning" => Severity::Warning,
            _ => Severity::Info,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub id: String,
    pub kind: String,
    pub severity: Severity,
    pub message: String,
    pub created_at: i64,
    pub acked_at: Option<i64>,
    pub acked_by: Option<String>,
}

/// Raises an alert in `tenant` inside the caller's transaction. `dedup` names its cause
/// (`connection_revoked:<id>`): a cause is alerted once, so raising it again (by the
/// next pass of a periodic check, or after it was acknowledged) adds nothing.
pub(crate) async fn raise(
    tx: &mut Tx,
    tenant: TenantId,
    kind: &str,
    severity: Severity,
    message: &str,
    dedup: &str,
) -> DomainResult<()> {
    sqlx::query(
        "INSERT INTO alerts (tenant_id, id, kind, severity, message, dedup, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
    )
    .bind(tenant.as_text())
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(kind.to_string())
    .bind(severity.as_str())
    .bind(message.to_string())
    .bind(dedup.to_string())
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn from_row(row: &sqlx::any::AnyRow) -> DomainResult<Alert> {
    Ok(Alert {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        severity: Severity::from_db(&row.try_get::<String, _>("severity")?),
        message: row.try_get("message")?,
        created_at: row.try_get("created_at")?,
        acked_at: row.try_get("acked_at")?,
        acked_by: row.try_get("acked_by")?,
    })
}

/// The tenant's alerts, newest first, with keyset paging (the cursor is
/// `<created_at>:<id>` of the last row); `open_only` leaves out acknowledged ones.
pub async fn list(
    db: &Db,
    scope: &TenantScope,
    open_only: bool,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> DomainResult<Page<Alert>> {
    scope.require("ALERT_READ")?;
    let limit = clamp_limit(limit);
    let (before_at, before_id) = match cursor.and_then(|c| c.split_once(':')) {
        Some((at, id)) => (
            at.parse::<i64>()
                .map_err(|_| DomainError::invalid("cursor", "This page link is not valid."))?,
            id.to_string(),
        ),
        None => (i64::MAX, String::new()),
    };
    let rows = sqlx::query(
        "SELECT id, kind, severity, message, created_at, acked_at, acked_by FROM alerts \
         WHERE tenant_id = $1 AND ($2 = 0 OR acked_at IS NULL) \
         AND (created_at < $3 OR (created_at = $3 AND ($4 = '' OR id < $4))) \
         ORDER BY created_at DESC, id DESC LIMIT $5",
    )
    .bind(scope.tenant_id().as_text())
    .bind(i64::from(open_only))
    .bind(before_at)
    .bind(before_id)
    .bind(limit + 1)
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?;
    let items = rows
        .iter()
        .map(from_row)
        .collect::<DomainResult<Vec<_>>>()?;
    Ok(Page::from_overfetch(items, limit, |a: &Alert| {
        format!("{}:{}", a.created_at, a.id)
    }))
}

/// How many alerts are unacknowledged (for the header), or 0 for someone who may not
/// read them.
pub async fn unread(db: &Db, scope: &TenantScope) -> DomainResult<i64> {
    if !scope.allows("ALERT_READ") {
        return Ok(0);
    }
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE tenant_id = $1 AND acked_at IS NULL")
            .bind(scope.tenant_id().as_text())
            .fetch_one(&mut *db.read(scope.wall()).await?)
            .await?,
    )
}

/// Acknowledges an alert (audited). Acknowledging it again changes nothing.
pub async fn acknowledge(db: &Db, scope: &TenantScope, id: &str) -> DomainResult<Alert> {
    scope.require("ALERT_UPDATE")?;
    let mut tx = db.begin(scope.wall()).await?;
    let row = sqlx::query(
        "SELECT id, kind, severity, message, created_at, acked_at, acked_by FROM alerts WHERE tenant_id = $1 AND id = $2",
    )
    .bind(scope.tenant_id().as_text())
    .bind(id.to_string())
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(DomainError::NotFound("alert"))?;
    let mut alert = from_row(&row)?;
    if alert.acked_at.is_none() {
        let now = now_ms();
        sqlx::query(
            "UPDATE alerts SET acked_at = $1, acked_by = $2 WHERE tenant_id = $3 AND id = $4 AND acked_at IS NULL",
        )
        .bind(now)
        .bind(scope.actor_label().to_string())
        .bind(scope.tenant_id().as_text())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
        audit::record(
            &mut tx,
            scope,
            "alert.acknowledge",
            &alert.message,
            None,
            None,
        )
        .await?;
        alert.acked_at = Some(now);
        alert.acked_by = Some(scope.actor_label().to_string());
    }
    tx.commit().await?;
    Ok(alert)
}
