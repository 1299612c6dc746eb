//! Usage per tenant per day, for billing and the metrics page: each resource kind's
//! count as last seen that day (the tenant controller counts every tenant once an hour,
//! [`RECOUNT_MS`]), and the day's API calls
//! (counted by every replica's [`Meter`] and added up in storage). Every row is tagged
//! with its tenant's id and name in the export, as JSON or CSV.

use super::logs;
use super::metrics::{resource_counts, KINDS};
use super::{day_date, day_of};
use crate::db::Wall;
use crate::ids::{col_id, TenantId};
use crate::{now_ms, Db, DomainError, DomainResult, Principal, TenantScope};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

/// The kind of the API calls row.
pub const API_CALLS: &str = "api_calls";
/// The kind of the row that says the tenant existed that day (and the day's snapshot
/// was taken).
pub const TENANT: &str = "tenant";

/// Counts API calls in memory, per tenant and caller, until the next [`Meter::flush`].
/// A REST read then costs a map update instead of a write; a crash loses at most the
/// calls since the last flush (a few seconds' worth), which billing tolerates. Calls
/// count for the day (and hour) of the flush that writes them.
#[derive(Debug, Clone, Default)]
pub struct Meter {
    calls: Arc<Mutex<HashMap<(TenantId, String), u64>>>,
}

impl Meter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts one API call in `tenant` by `caller` (an email and how it authenticated).
    pub fn count(&self, tenant: TenantId, caller: &str) {
        if let Ok(mut calls) = self.calls.lock() {
            *calls.entry((tenant, caller.to_string())).or_default() += 1;
        }
    }

    /// Writes the counted calls: each tenant's `api_calls` of today grows by its count,
    /// and its log line of this hour for each caller grows too. Returns how many calls
    /// were written. The counts are taken out first, so calls made during the write count
    /// for the next; if the write fails they are put back and written by the next flush.
    pub async fn flush(&self, db: &Db) -> DomainResult<u64> {
        let taken: BTreeMap<(TenantId, String), u64> = match self.calls.lock() {
            Ok(mut calls) => std::mem::take(&mut *calls).into_iter().collect(),
            Err(_) => return Ok(0),
        };
        if taken.is_empty() {
            return Ok(0);
        }
        match write_calls(db, &taken).await {
            Ok(()) => Ok(taken.values().sum()),
            Err(e) => {
                if let Ok(mut calls) = self.calls.lock() {
                    for (key, n) in taken {
                        *calls.entry(key).or_default() += n;
                    }
                }
                Err(e)
            }
        }
    }
}

/// One transaction for a flush. Rows are written in a fixed order (tenant, then caller),
/// so replicas flushing at once wait for each other instead of deadlocking; a tenant
/// being deleted (or gone) takes no more rows, so its teardown leaves nothing behind.
async fn write_calls(db: &Db, taken: &BTreeMap<(TenantId, String), u64>) -> DomainResult<()> {
    let now = now_ms();
    let day = day_of(now);
    let mut per_tenant: BTreeMap<TenantId, u64> = BTreeMap::new();
    for ((tenant, _), n) in taken {
        *per_tenant.entry(*tenant).or_default() += n;
    }
    let mut tx = db.begin(Wall::Platform).await?;
    for (tenant, n) in &per_tenant {
        sqlx::query(
            "INSERT INTO usage_daily (tenant_id, day, kind, quantity, updated_at) \
             SELECT id, $2, $3, $4, $5 FROM tenants WHERE id = $1 AND desired_state = 'CREATED' \
             ON CONFLICT (tenant_id, day, kind) DO UPDATE SET quantity = usage_daily.quantity + excluded.quantity, \
             updated_at = excluded.updated_at",
        )
        .bind(tenant.as_text())
        .bind(day)
        .bind(API_CALLS)
        .bind(*n as i64)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    for ((tenant, caller), n) in taken {
        logs::add_api_use(&mut tx, *tenant, caller, now, *n as i64).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// How long a usage count stays current: the controller counts every tenant again after
/// this, so a day's figure is at most this old at midnight.
pub const RECOUNT_MS: i64 = 3_600_000;

/// Counts up to `batch` tenants whose count of today is missing or older than
/// `stale_before` (unix ms): each resource kind, and the tenant's own row. Returns how many
/// were counted; 0 means every tenant's count is current.
pub async fn snapshot_due(db: &Db, batch: i64, stale_before: i64) -> DomainResult<usize> {
    let now = now_ms();
    let day = day_of(now);
    let due: Vec<String> = sqlx::query_scalar(
        "SELECT t.id FROM tenants t WHERE t.current_state = 'CREATED' AND t.desired_state = 'CREATED' \
         AND NOT EXISTS (SELECT 1 FROM usage_daily u WHERE u.tenant_id = t.id AND u.day = $1 AND u.kind = 'tenant' \
             AND u.updated_at >= $2) \
         LIMIT $3",
    )
    .bind(day)
    .bind(stale_before)
    .bind(batch)
    .fetch_all(&mut *db.read(Wall::Platform).await?)
    .await?;
    for id in &due {
        let tenant: TenantId = col_id(id)?;
        let counts = resource_counts(db, tenant).await?;
        let mut tx = db.begin(Wall::Platform).await?;
        for ((kind, _), n) in KINDS.iter().zip(counts) {
            upsert(&mut tx, tenant, day, kind, n, now).await?;
        }
        upsert(&mut tx, tenant, day, TENANT, 1, now).await?;
        tx.commit().await?;
    }
    Ok(due.len())
}

async fn upsert(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    tenant: TenantId,
    day: i64,
    kind: &str,
    quantity: i64,
    now: i64,
) -> DomainResult<()> {
    // Only while the tenant is wanted: a deletion asked since the count was read wins.
    sqlx::query(
        "INSERT INTO usage_daily (tenant_id, day, kind, quantity, updated_at) \
         SELECT id, $2, $3, $4, $5 FROM tenants WHERE id = $1 AND desired_state = 'CREATED' \
         ON CONFLICT (tenant_id, day, kind) DO UPDATE SET quantity = excluded.quantity, updated_at = excluded.updated_at",
    )
    .bind(tenant.as_text())
    .bind(day)
    .bind(kind.to_string())
    .bind(quantity)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One line of the usage export: a quantity of one kind, in one tenant, on one day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageRow {
    /// The UTC day, `2026-12-03`.
    pub day: String,
    pub tenant_id: String,
    pub tenant_name: String,
    /// A resource kind of the catalogue (`workspaces`), `api_calls`, or `tenant`.
    pub kind: String,
    pub quantity: i64,
}

/// The longest span one export covers.
pub const MAX_DAYS: i64 = 366;

/// Checks an export's span: `from` ≤ `to`, at most [`MAX_DAYS`] days.
fn span(from: i64, to: i64) -> DomainResult<()> {
    if from > to {
        return Err(DomainError::invalid(
            "from",
            "The first day must not be after the last.",
        ));
    }
    if to - from >= MAX_DAYS {
        return Err(DomainError::invalid(
            "to",
            format!("An export covers at most {MAX_DAYS} days."),
        ));
    }
    Ok(())
}

/// The scope's usage from day `from` to day `to` (inclusive), by day, then kind.
pub async fn export(
    db: &Db,
    scope: &TenantScope,
    from: i64,
    to: i64,
) -> DomainResult<Vec<UsageRow>> {
    scope.require("USAGE_READ")?;
    span(from, to)?;
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT day, kind, quantity FROM usage_daily WHERE tenant_id = $1 AND day >= $2 AND day <= $3 \
         ORDER BY day, kind",
    )
    .bind(scope.tenant_id().as_text())
    .bind(from)
    .bind(to)
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(day, kind, quantity)| UsageRow {
            day: day_date(day),
            tenant_id: scope.tenant_id().as_text(),
            tenant_name: scope.tenant_name().to_string(),
            kind,
            quantity,
        })
        .collect())
}

/// Every tenant's usage on one day, for billing (global admins): a page of up to `limit`
/// rows after `cursor` (`<tenant id>:<kind>` of the last row), ordered by tenant, then
/// kind, so a long day is read page by page.
pub async fn export_all(
    db: &Db,
    principal: &Principal,
    day: i64,
    cursor: Option<&str>,
    limit: i64,
) -> DomainResult<(Vec<UsageRow>, Option<String>)> {
    if !principal.is_global_admin() {
        return Err(DomainError::Forbidden(
            "Only global admins export every tenant's usage.".into(),
        ));
    }
    let limit = limit.clamp(1, 10_000);
    let (c_tenant, c_kind) = cursor
        .and_then(|c| c.split_once(':'))
        .map(|(t, k)| (t.to_string(), k.to_string()))
        .unwrap_or_default();
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT u.tenant_id, t.name, u.kind, u.quantity FROM usage_daily u JOIN tenants t ON t.id = u.tenant_id \
         WHERE u.day = $1 AND (u.tenant_id > $2 OR (u.tenant_id = $2 AND u.kind > $3)) \
         ORDER BY u.tenant_id, u.kind LIMIT $4",
    )
    .bind(day)
    .bind(c_tenant)
    .bind(c_kind)
    .bind(limit + 1)
    .fetch_all(&mut *db.read(Wall::Platform).await?)
    .await?;
    let mut items: Vec<UsageRow> = rows
        .into_iter()
        .map(|(tenant_id, tenant_name, kind, quantity)| UsageRow {
            day: day_date(day),
            tenant_id,
            tenant_name,
            kind,
            quantity,
        })
        .collect();
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|r| format!("{}:{}", r.tenant_id, r.kind))
    } else {
        None
    };
    Ok((items, next))
}

/// The export as CSV, with a header line; fields are quoted where they need it.
pub fn to_csv(rows: &[UsageRow], header: bool) -> String {
    let mut out = String::new();
    if header {
        out.push_str("day,tenant_id,tenant_name,kind,quantity\n");
    }
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{}\n",
            r.day,
            r.tenant_id,
            csv_field(&r.tenant_name),
            csv_field(&r.kind),
            r.quantity
        ));
    }
    out
}

/// A CSV field, quoted when it holds a comma, a quote or a line break; a leading `=`,
/// `+`, `-` or `@` is prefixed with `'` so a spreadsheet never runs it as a formula.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it_and_defuses_formulas() {
        assert_eq!(csv_field("acme"), "acme");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
    }

    #[test]
    fn an_export_span_must_be_ordered_and_bounded() {
        assert!(span(10, 10).is_ok());
        assert!(span(11, 10).is_err());
        assert!(span(0, MAX_DAYS).is_err());
        assert!(span(0, MAX_DAYS - 1).is_ok());
    }
}
