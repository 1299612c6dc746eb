//! A tenant's metrics: what it holds, by kind, now; and by day over the last weeks, its
//! resources (from the daily usage snapshots), its API calls and its connections'
//! traffic. The console draws them as charts on the server.

use super::day_of;
use super::usage::{API_CALLS, TENANT};
use crate::db::Wall;
use crate::ids::TenantId;
use crate::{now_ms, Db, DomainResult, TenantScope};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::sync::LazyLock;

/// The resource kinds counted, as (kind, the table's rows of one tenant that count).
/// The kind is the resource type's name in the IAM catalogue.
pub(crate) const KINDS: &[(&str, &str)] = &[
    ("members", "memberships WHERE tenant_id = $"),
    ("groups", "iam_groups WHERE tenant_id = $"),
    ("iam-policies", "iam_policies WHERE tenant_id = $"),
    ("workspaces", "workspaces WHERE tenant_id = $"),
    ("services", "services WHERE tenant_id = $"),
    ("network-policies", "network_policies WHERE tenant_id = $"),
    (
        "connections",
        "connections WHERE status = 'Active' AND tenant_id = $",
    ),
    ("clouds", "clouds WHERE tenant_id = $"),
    ("vrf-contexts", "vrf_contexts WHERE tenant_id = $"),
    ("se-groups", "se_groups WHERE tenant_id = $"),
    ("service-engines", "service_engines WHERE tenant_id = $"),
];

/// Each kind's count in `tenant`, in the order of [`KINDS`], in one query (one indexed
/// count per kind). Callers are the controller's snapshot and [`tenant_metrics`].
pub(crate) async fn resource_counts(db: &Db, tenant: TenantId) -> DomainResult<Vec<i64>> {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        let columns: Vec<String> = KINDS
            .iter()
            .enumerate()
            .map(|(i, (_, from))| format!("(SELECT COUNT(*) FROM {from}{}) AS c{i}", i + 1))
            .collect();
        format!("SELECT {}", columns.join(", "))
    });
    let mut q = sqlx::query(SQL.as_str());
    for _ in KINDS {
        q = q.bind(tenant.as_text());
    }
    let row = q.fetch_one(&mut *db.read(Wall::Platform).await?).await?;
    (0..KINDS.len())
        .map(|i| Ok(row.try_get::<i64, _>(i)?))
        .collect()
}

/// A value on one day, for a chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayValue {
    /// Days since the Unix epoch (UTC).
    pub day: i64,
    pub value: i64,
}

/// What the metrics page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Each kind with its count now, in the order of the catalogue.
    pub counts: Vec<(String, i64)>,
    /// Connections ended (revoked by either side) and kept for the record.
    pub revoked_connections: i64,
    /// The last [`DAYS`] days, oldest first, every day present (0 where nothing was seen).
    pub resources: Vec<DayValue>,
    pub api_calls: Vec<DayValue>,
    pub traffic_bytes: Vec<DayValue>,
}

/// How many days the charts cover.
pub const DAYS: i64 = 30;

/// The scope's metrics. It costs one query for the counts and three indexed range reads
/// for the charts.
pub async fn tenant_metrics(db: &Db, scope: &TenantScope) -> DomainResult<Metrics> {
    scope.require("METRIC_READ")?;
    let tenant = scope.tenant_id();
    let counts = resource_counts(db, tenant).await?;
    let today = day_of(now_ms());
    let first = today - DAYS + 1;
    let revoked: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM connections WHERE tenant_id = $1 AND status = 'Revoked'",
    )
    .bind(tenant.as_text())
    .fetch_one(&mut *db.read(scope.wall()).await?)
    .await?;
    let resources: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT day, CAST(SUM(quantity) AS BIGINT) FROM usage_daily WHERE tenant_id = $1 AND day >= $2 \
         AND kind <> $3 AND kind <> $4 GROUP BY day",
    )
    .bind(tenant.as_text())
    .bind(first)
    .bind(API_CALLS)
    .bind(TENANT)
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?;
    let api_calls: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT day, quantity FROM usage_daily WHERE tenant_id = $1 AND day >= $2 AND kind = $3",
    )
    .bind(tenant.as_text())
    .bind(first)
    .bind(API_CALLS)
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?;
    let traffic: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT day, CAST(SUM(bytes) AS BIGINT) FROM traffic_daily WHERE tenant_id = $1 AND day >= $2 GROUP BY day",
    )
    .bind(tenant.as_text())
    .bind(first)
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?;
    let mut resources = every_day(first, today, &resources);
    // Today's bar is what the tenant holds now, whether or not the snapshot ran yet.
    if let Some(last) = resources.last_mut() {
        last.value = counts.iter().sum();
    }
    Ok(Metrics {
        counts: KINDS
            .iter()
            .zip(counts)
            .map(|((k, _), n)| (k.to_string(), n))
            .collect(),
        revoked_connections: revoked,
        resources,
        api_calls: every_day(first, today, &api_calls),
        traffic_bytes: every_day(first, today, &traffic),
    })
}

/// `values` spread over every day from `first` to `last`, 0 where a day has none.
fn every_day(first: i64, last: i64, values: &[(i64, i64)]) -> Vec<DayValue> {
    (first..=last)
        .map(|day| DayValue {
            day,
            value: values
                .iter()
                .find(|(d, _)| *d == day)
                .map(|(_, v)| *v)
                .unwrap_or(0),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_day_of_a_span_has_a_value() {
        let days = every_day(10, 13, &[(11, 5), (13, 2)]);
        let values: Vec<i64> = days.iter().map(|d| d.value).collect();
        assert_eq!(values, vec![0, 5, 0, 2]);
        assert_eq!(days[0].day, 10);
    }
}
