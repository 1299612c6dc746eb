//! Server functions of the tenant's log, metrics and usage. The usage downloads are
//! made here, on the server, so the page offers them as plain links that work without
//! JavaScript.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {crate::components::empty_to_none, crate::ssr::scope, domain::telemetry};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogRow {
    pub id: String,
    pub at: i64,
    pub source: String,
    pub message: String,
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogsData {
    pub items: Vec<LogRow>,
    pub next_cursor: Option<String>,
}

/// The tenant's log, newest first, narrowed by text and source (`controller`, `login`,
/// `api`; empty for all).
#[server(prefix = "/fn", endpoint = "list_logs")]
pub async fn list_logs(
    tenant: String,
    #[server(default)] q: String,
    #[server(default)] source: String,
    cursor: Option<String>,
) -> Result<LogsData, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("list_logs", &tenant).await?;
        let source = match source.trim() {
            "" => None,
            s => Some(telemetry::logs::Source::parse(s).ok_or_else(|| {
                domain::DomainError::invalid("source", "Choose controller, login or api.")
            })?),
        };
        let page = telemetry::logs::search(
            &ctx.db,
            &scope,
            &telemetry::logs::LogFilter { q, source },
            empty_to_none(cursor).as_deref(),
            Some(50),
        )
        .await?;
        Ok(LogsData {
            items: page
                .items
                .into_iter()
                .map(|l| LogRow {
                    id: l.id,
                    at: l.at,
                    source: l.source.as_str().into(),
                    message: l.message,
                    request_id: l.request_id,
                })
                .collect(),
            next_cursor: page.next_cursor,
        })
    })
    .await
}

/// A value on a day, with the day's start (unix ms) for labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayPoint {
    pub day_start: i64,
    pub value: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricsData {
    pub counts: Vec<(String, i64)>,
    pub revoked_connections: i64,
    pub resources: Vec<DayPoint>,
    pub api_calls: Vec<DayPoint>,
    pub traffic_bytes: Vec<DayPoint>,
}

#[server(prefix = "/fn", endpoint = "tenant_metrics")]
pub async fn tenant_metrics(tenant: String) -> Result<MetricsData, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("tenant_metrics", &tenant).await?;
        let m = telemetry::metrics::tenant_metrics(&ctx.db, &scope).await?;
        let points = |v: Vec<telemetry::metrics::DayValue>| {
            v.into_iter()
                .map(|d| DayPoint {
                    day_start: d.day * domain::model::DAY_MS,
                    value: d.value,
                })
                .collect()
        };
        Ok(MetricsData {
            counts: m.counts,
            revoked_connections: m.revoked_connections,
            resources: points(m.resources),
            api_calls: points(m.api_calls),
            traffic_bytes: points(m.traffic_bytes),
        })
    })
    .await
}

/// The usage of a span of days, as a table (one row per day, one column per kind) and
/// as the two downloads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageData {
    pub from: String,
    pub to: String,
    pub kinds: Vec<String>,
    /// (day, the quantity of each of `kinds`, in order).
    pub days: Vec<(String, Vec<i64>)>,
    /// The export as `data:` URLs, ready for `<a download>`.
    pub csv_href: String,
    pub json_href: String,
}

/// How many days the page shows at once (the REST export covers a year).
pub const PAGE_DAYS: i64 = 31;

/// The usage from `from` to `to` (`YYYY-MM-DD`, UTC, inclusive); empty means the last
/// 7 days.
#[server(prefix = "/fn", endpoint = "tenant_usage")]
pub async fn tenant_usage(
    tenant: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
) -> Result<UsageData, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("tenant_usage", &tenant).await?;
        let today = telemetry::day_of(domain::now_ms());
        let day = |field: &'static str, raw: &str, default: i64| match raw.trim() {
            "" => Ok(default),
            s => telemetry::parse_day(s)
                .ok_or_else(|| domain::DomainError::invalid(field, "Enter a date as YYYY-MM-DD.")),
        };
        let to = day("to", &to, today)?;
        let from = day("from", &from, to - 6)?;
        if to - from >= PAGE_DAYS {
            return Err(domain::DomainError::invalid(
                "to",
                format!(
                    "The page shows at most {PAGE_DAYS} days; the REST API exports up to a year."
                ),
            )
            .into());
        }
        let rows = telemetry::usage::export(&ctx.db, &scope, from, to).await?;
        let mut kinds: Vec<String> = Vec::new();
        for r in &rows {
            if !kinds.contains(&r.kind) {
                kinds.push(r.kind.clone());
            }
        }
        kinds.sort();
        let days = (from..=to)
            .rev()
            .map(|d| {
                let date = telemetry::day_date(d);
                let values = kinds
                    .iter()
                    .map(|k| {
                        rows.iter()
                            .find(|r| r.day == date && &r.kind == k)
                            .map(|r| r.quantity)
                            .unwrap_or(0)
                    })
                    .collect();
                (date, values)
            })
            .collect();
        let json = serde_json::to_string_pretty(&rows).unwrap_or_default();
        Ok(UsageData {
            from: telemetry::day_date(from),
            to: telemetry::day_date(to),
            kinds,
            days,
            csv_href: data_url("text/csv", &telemetry::usage::to_csv(&rows, true)),
            json_href: data_url("application/json", &json),
        })
    })
    .await
}

/// `text` as a `data:` URL of `media` (percent-encoded UTF-8).
#[cfg(feature = "ssr")]
fn data_url(media: &str, text: &str) -> String {
    format!(
        "data:{media};charset=utf-8,{}",
        crate::components::encode(text)
    )
}

/// A deleted tenant whose audit log is kept in the archive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchivedTenant {
    pub id: String,
    pub name: String,
    pub deleted_at: i64,
    pub events: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchiveData {
    pub tenants: Vec<ArchivedTenant>,
    /// The events of the tenant asked for, newest first (empty when none was).
    pub events: Vec<crate::audit::api::AuditRow>,
    pub next_cursor: Option<String>,
}

/// The deleted tenants whose audit logs are kept, and the log of the one asked for
/// (`tenant`, its id; empty for none). Global admins only.
#[server(prefix = "/fn", endpoint = "audit_archives")]
pub async fn audit_archives(
    #[server(default)] tenant: String,
    cursor: Option<String>,
) -> Result<ArchiveData, AppError> {
    crate::ssr::respond(async move {
        let (ctx, principal) = crate::ssr::global_admin().await?;
        let tenants = domain::audit::archived_tenants(&ctx.db, &principal, 100)
            .await?
            .into_iter()
            .map(|t| ArchivedTenant {
                id: t.id.to_string(),
                name: t.name,
                deleted_at: t.archived_at,
                events: t.events,
            })
            .collect();
        let (events, next_cursor) = match tenant.trim() {
            "" => (Vec::new(), None),
            id => {
                let id = domain::TenantId::parse(id).ok_or(AppError::NotFound)?;
                let page = domain::audit::archived(
                    &ctx.db,
                    &principal,
                    id,
                    empty_to_none(cursor).as_deref(),
                    Some(25),
                )
                .await?;
                (
                    page.items.into_iter().map(crate::audit::api::row).collect(),
                    page.next_cursor,
                )
            }
        };
        Ok(ArchiveData {
            tenants,
            events,
            next_cursor,
        })
    })
    .await
}
