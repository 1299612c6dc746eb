//! Traffic over cross-tenant connections (seed 000): data planes report records
//! (connection, bytes, flows, time), which are summed per connection and UTC day on
//! both sides of the connection; members read them per connection.
//!
//! A data plane is not a user and belongs to no tenant. It authenticates with its own
//! token (`ndp_…`), and the only thing a [`DataPlane`] can be used for is [`ingest`].

use crate::crypto::{hash_token, random_text};
use crate::db::Wall;
use crate::ids::SYSTEM_TENANT_ID;
use crate::{audit, connections, now_ms, Db, DomainError, DomainResult, TenantScope};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::HashMap;

/// Every data-plane token starts with this.
pub const DATAPLANE_PREFIX: &str = "ndp_";
/// Records accepted in one call.
pub const MAX_RECORDS: usize = 1000;
/// How far in the future a record's time may be (clock skew between data planes).
pub const FUTURE_SKEW_MS: i64 = 5 * 60 * 1000;
/// Records about traffic older than this are refused: the console keeps a year.
pub const MAX_AGE_MS: i64 = 366 * DAY_MS;
pub use crate::model::DAY_MS;
/// The most one record may report: 1 PiB and 10^12 flows. Far above any real link in
/// the interval a data plane reports, and small enough that sums cannot overflow.
pub const MAX_RECORD_BYTES: i64 = 1 << 50;
pub const MAX_RECORD_FLOWS: i64 = 1_000_000_000_000;
/// A day's stored sum saturates here (2^54), so that a year of days still sums inside
/// a signed 64-bit integer on both databases (366 × 2^54 < 2^63).
pub const DAY_CAP: i64 = 1 << 54;

/// An authenticated data plane. Only [`authenticate`] makes one.
#[derive(Debug, Clone)]
pub struct DataPlane {
    id: String,
    name: String,
}

impl DataPlane {
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// One traffic report: `bytes` and `flows` seen on `connection_id` at `at` (unix ms).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrafficRecord {
    pub connection_id: String,
    pub bytes: i64,
    pub flows: i64,
    pub at: i64,
}

/// Traffic of one connection on one UTC day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayTraffic {
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
    pub bytes: i64,
    pub flows: i64,
}

impl DayTraffic {
    /// The day's start in unix ms, for formatting.
    pub fn start_ms(&self) -> i64 {
        self.day * DAY_MS
    }
}

/// Issues a data-plane token (the `server dataplane token` command). Returned once.
pub async fn issue_token(db: &Db, name: &str, ttl_ms: i64) -> DomainResult<(String, i64)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(DomainError::invalid(
            "name",
            "Name the data plane (1 to 100 characters).",
        ));
    }
    if ttl_ms <= 0 {
        return Err(DomainError::invalid(
            "ttl",
            "The lifetime must be positive.",
        ));
    }
    let token = format!("{DATAPLANE_PREFIX}{}", random_text(32));
    let now = now_ms();
    let expires_at = now.saturating_add(ttl_ms);
    let id = uuid::Uuid::new_v4().to_string();
    let mut tx = db.begin(Wall::Platform).await?;
    sqlx::query("INSERT INTO dataplane_tokens (id, name, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id.clone())
        .bind(name.to_string())
        .bind(hash_token(&token))
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
    audit::record_global(
        &mut tx,
        SYSTEM_TENANT_ID,
        None,
        "server dataplane token",
        "dataplane_token.issue",
        name,
        None,
        Some(id),
    )
    .await?;
    tx.commit().await?;
    Ok((token, expires_at))
}

/// The data plane behind a token, or unauthenticated for an unknown or expired one.
pub async fn authenticate(db: &Db, token: &str) -> DomainResult<DataPlane> {
    let row = sqlx::query(
        "SELECT id, name, expires_at, last_used_at FROM dataplane_tokens WHERE token_hash = $1",
    )
    .bind(hash_token(token.trim()))
    .fetch_optional(&mut *db.read(Wall::Platform).await?)
    .await?
    .ok_or(DomainError::Unauthenticated("unknown data-plane token"))?;
    if row.try_get::<i64, _>("expires_at")? <= now_ms() {
        return Err(DomainError::Unauthenticated(
            "the data-plane token has expired",
        ));
    }
    let id: String = row.try_get("id")?;
    let now = now_ms();
    if crate::crypto::last_use_is_stale(row.try_get("last_used_at")?, now) {
        db.write(
            Wall::Platform,
            sqlx::query("UPDATE dataplane_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id.clone()),
        )
        .await?;
    }
    Ok(DataPlane {
        id,
        name: row.try_get("name")?,
    })
}

fn bad(i: usize, message: impl std::fmt::Display) -> DomainError {
    DomainError::invalid("records", format!("Record {}: {message}", i + 1))
}

/// Adds a batch of records. The whole batch is checked first and stored in one
/// transaction: one bad record refuses the batch and changes nothing.
pub async fn ingest(db: &Db, plane: &DataPlane, records: &[TrafficRecord]) -> DomainResult<usize> {
    if records.is_empty() {
        return Err(DomainError::invalid("records", "Send at least one record."));
    }
    if records.len() > MAX_RECORDS {
        return Err(DomainError::invalid(
            "records",
            format!("Send at most {MAX_RECORDS} records per call."),
        ));
    }
    let now = now_ms();
    let mut tx = db.begin(Wall::Platform).await?;
    // (connection, day) → (sides, bytes, flows), so each row is written once per batch.
    let mut sums: HashMap<(String, i64), (i64, i64)> = HashMap::new();
    // connection → its halves: (tenant, created_at, revoked_at), read once per batch.
    let mut sides: HashMap<String, Vec<(String, i64, Option<i64>)>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        if r.bytes < 0 || r.flows < 0 {
            return Err(bad(i, "bytes and flows cannot be negative."));
        }
        if r.bytes > MAX_RECORD_BYTES || r.flows > MAX_RECORD_FLOWS {
            return Err(bad(
                i,
                "one record reports at most 1 PiB (2^50 bytes) and 10^12 flows.",
            ));
        }
        if r.at > now + FUTURE_SKEW_MS {
            return Err(bad(i, "`at` is in the future; send unix milliseconds."));
        }
        if r.at < now - MAX_AGE_MS {
            return Err(bad(
                i,
                "`at` is more than a year ago; send unix milliseconds.",
            ));
        }
        let id = r.connection_id.trim().to_string();
        if !sides.contains_key(&id) {
            let rows = sqlx::query(
                "SELECT tenant_id, created_at, revoked_at FROM connections WHERE id = $1",
            )
            .bind(id.clone())
            .fetch_all(&mut *tx)
            .await?;
            if rows.is_empty() {
                return Err(bad(i, format!("there is no connection `{id}`.")));
            }
            let mut halves = Vec::with_capacity(rows.len());
            for row in &rows {
                halves.push((
                    row.try_get::<String, _>("tenant_id")?,
                    row.try_get::<i64, _>("created_at")?,
                    row.try_get::<Option<i64>, _>("revoked_at")?,
                ));
            }
            sides.insert(id.clone(), halves);
        }
        // Every record, not only a connection's first, must fall in its active time.
        let outside = sides[&id].iter().any(|(_, created_at, revoked_at)| {
            r.at < created_at - FUTURE_SKEW_MS
                || revoked_at.is_some_and(|t| r.at > t + FUTURE_SKEW_MS)
        });
        if outside {
            return Err(bad(
                i,
                "`at` is outside the time the connection was active.",
            ));
        }
        let e = sums.entry((id, r.at.div_euclid(DAY_MS))).or_default();
        e.0 = e.0.saturating_add(r.bytes).min(DAY_CAP);
        e.1 = e.1.saturating_add(r.flows).min(DAY_CAP);
    }
    for ((connection, day), (bytes, flows)) in &sums {
        for (tenant, _, _) in &sides[connection] {
            // Saturating at DAY_CAP without ever computing a sum that could overflow.
            sqlx::query(
                "INSERT INTO traffic_daily (tenant_id, connection_id, day, bytes, flows) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (tenant_id, connection_id, day) DO UPDATE SET \
                 bytes = CASE WHEN traffic_daily.bytes > $6 - excluded.bytes THEN $6 ELSE traffic_daily.bytes + excluded.bytes END, \
                 flows = CASE WHEN traffic_daily.flows > $6 - excluded.flows THEN $6 ELSE traffic_daily.flows + excluded.flows END",
            )
            .bind(tenant.clone())
            .bind(connection.clone())
            .bind(*day)
            .bind(*bytes)
            .bind(*flows)
            .bind(DAY_CAP)
            .execute(&mut *tx)
            .await?;
        }
    }
    // One record per batch, in the system tenant: the data plane's reports are platform
    // events, and one per record would drown the tenants' own logs.
    audit::record_global(
        &mut tx,
        SYSTEM_TENANT_ID,
        None,
        &format!("data plane {}", plane.name),
        "traffic.ingest",
        &plane.id,
        None,
        Some(format!(
            "{} records, {} connections",
            records.len(),
            sides.len()
        )),
    )
    .await?;
    tx.commit().await?;
    Ok(records.len())
}

/// A connection's traffic for the last `days` days (today included), one entry per day,
/// zero where nothing was reported. Another tenant's connection is not found.
pub async fn for_connection(
    db: &Db,
    scope: &TenantScope,
    connection_id: &str,
    days: i64,
) -> DomainResult<Vec<DayTraffic>> {
    scope.require("CONNECTION_READ")?;
    // The connection must be this tenant's (NotFound otherwise).
    connections::get_connection(db, scope, connection_id).await?;
    let days = days.clamp(1, 366);
    let today = now_ms().div_euclid(DAY_MS);
    let first = today - days + 1;
    let rows = sqlx::query(
        "SELECT day, bytes, flows FROM traffic_daily WHERE tenant_id = $1 AND connection_id = $2 AND day >= $3 AND day <= $4",
    )
    .bind(scope.tenant_id().as_text())
    .bind(connection_id.to_string())
    .bind(first)
    .bind(today)
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?;
    let mut by_day = HashMap::new();
    for r in &rows {
        by_day.insert(
            r.try_get::<i64, _>("day")?,
            (r.try_get::<i64, _>("bytes")?, r.try_get::<i64, _>("flows")?),
        );
    }
    Ok((first..=today)
        .map(|day| {
            let (bytes, flows) = by_day.get(&day).copied().unwrap_or((0, 0));
            DayTraffic { day, bytes, flows }
        })
        .collect())
}

/// Bytes and flows per connection of this tenant over the last 30 days.
pub async fn totals(db: &Db, scope: &TenantScope) -> DomainResult<HashMap<String, (i64, i64)>> {
    scope.require("CONNECTION_READ")?;
    let since = now_ms().div_euclid(DAY_MS) - 29;
    let rows = sqlx::query(
        "SELECT connection_id, CAST(SUM(bytes) AS BIGINT) AS bytes, CAST(SUM(flows) AS BIGINT) AS flows FROM traffic_daily \
         WHERE tenant_id = $1 AND day >= $2 GROUP BY connection_id",
    )
    .bind(scope.tenant_id().as_text())
    .bind(since)
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?;
    let mut out = HashMap::new();
    for r in &rows {
        out.insert(
            r.try_get::<String, _>("connection_id")?,
            (r.try_get::<i64, _>("bytes")?, r.try_get::<i64, _>("flows")?),
        );
    }
    Ok(out)
}
