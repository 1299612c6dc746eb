//! REST routes of the tenant as a container: its log, its metrics, and usage for
//! billing (one tenant's days, or every tenant's day for global admins), as JSON or CSV.

use super::{accepts, ApiResult, Caller, ErrorBody, Scoped};
use crate::AppState;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::telemetry::{self, logs, usage};
use domain::DomainError;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One line of the tenant's log.
#[derive(Serialize, ToSchema)]
pub struct LogJson {
    id: String,
    at: i64,
    /// `controller`, `login` or `api`.
    source: String,
    message: String,
    request_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LogList {
    items: Vec<LogJson>,
    next_cursor: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct LogQuery {
    /// Part of the message, case-insensitive.
    #[serde(default)]
    q: String,
    /// `controller`, `login` or `api`.
    #[serde(default)]
    source: String,
    limit: Option<i64>,
    cursor: Option<String>,
}

#[utoipa::path(get, path = "/logs", params(LogQuery, ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = LogList), (status = 422, body = ErrorBody)))]
pub(super) async fn list_logs(
    State(st): State<AppState>,
    s: Scoped,
    Query(q): Query<LogQuery>,
) -> ApiResult<Json<LogList>> {
    let source = match q.source.trim() {
        "" => None,
        v => Some(logs::Source::parse(v).ok_or_else(|| {
            DomainError::invalid("source", "source is controller, login or api.")
        })?),
    };
    let page = logs::search(
        &st.db,
        &s.scope,
        &logs::LogFilter { q: q.q, source },
        q.cursor.as_deref(),
        q.limit,
    )
    .await?;
    Ok(Json(LogList {
        items: page
            .items
            .into_iter()
            .map(|l| LogJson {
                id: l.id,
                at: l.at,
                source: l.source.as_str().into(),
                message: l.message,
                request_id: l.request_id,
            })
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// A value on one UTC day.
#[derive(Serialize, ToSchema)]
pub struct DayValueJson {
    day: String,
    value: i64,
}

/// The tenant's metrics: resource counts now, and the last 30 days.
#[derive(Serialize, ToSchema)]
pub struct MetricsJson {
    /// Each resource kind (named as in IAM statements) with its count now.
    counts: std::collections::BTreeMap<String, i64>,
    revoked_connections: i64,
    resources_per_day: Vec<DayValueJson>,
    api_calls_per_day: Vec<DayValueJson>,
    traffic_bytes_per_day: Vec<DayValueJson>,
}

#[utoipa::path(get, path = "/metrics", params(("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = MetricsJson), (status = 403, body = ErrorBody)))]
pub(super) async fn metrics(State(st): State<AppState>, s: Scoped) -> ApiResult<Json<MetricsJson>> {
    let m = telemetry::metrics::tenant_metrics(&st.db, &s.scope).await?;
    let days = |v: Vec<telemetry::metrics::DayValue>| {
        v.into_iter()
            .map(|d| DayValueJson {
                day: telemetry::day_date(d.day),
                value: d.value,
            })
            .collect()
    };
    Ok(Json(MetricsJson {
        counts: m.counts.into_iter().collect(),
        revoked_connections: m.revoked_connections,
        resources_per_day: days(m.resources),
        api_calls_per_day: days(m.api_calls),
        traffic_bytes_per_day: days(m.traffic_bytes),
    }))
}

/// One line of the usage export.
#[derive(Serialize, ToSchema)]
pub struct UsageJson {
    day: String,
    tenant_id: String,
    tenant_name: String,
    /// A resource kind (`workspaces`), `api_calls`, or `tenant` (it existed that day).
    kind: String,
    quantity: i64,
}

impl From<usage::UsageRow> for UsageJson {
    fn from(r: usage::UsageRow) -> Self {
        UsageJson {
            day: r.day,
            tenant_id: r.tenant_id,
            tenant_name: r.tenant_name,
            kind: r.kind,
            quantity: r.quantity,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UsageList {
    items: Vec<UsageJson>,
    /// For the every-tenant export: the next page of the day.
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct UsageQuery {
    /// First day, `YYYY-MM-DD` (UTC); default: 6 days before `to`.
    #[serde(default)]
    from: String,
    /// Last day, inclusive; default: today.
    #[serde(default)]
    to: String,
    /// `json` (default) or `csv`; `Accept: text/csv` also asks for CSV.
    #[serde(default)]
    format: String,
}

/// A day parameter, or `default` when it is empty.
fn day_param(field: &'static str, raw: &str, default: i64) -> ApiResult<i64> {
    match raw.trim() {
        "" => Ok(default),
        s => telemetry::parse_day(s)
            .ok_or_else(|| DomainError::invalid(field, "Write the day as YYYY-MM-DD.").into()),
    }
}

/// True when the caller asked for CSV; an unknown format is refused.
fn wants_csv(format: &str, headers: &HeaderMap) -> ApiResult<bool> {
    match format.trim() {
        "csv" => Ok(true),
        "json" => Ok(false),
        "" => Ok(accepts(headers, "text/csv")),
        _ => Err(DomainError::invalid("format", "format is json or csv.").into()),
    }
}

fn csv_response(name: &str, body: Body) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.csv\""),
            ),
        ],
        body,
    )
        .into_response()
}

#[utoipa::path(get, path = "/usage", params(UsageQuery, ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = UsageList), (status = 422, body = ErrorBody)))]
pub(super) async fn tenant_usage(
    State(st): State<AppState>,
    s: Scoped,
    headers: HeaderMap,
    Query(q): Query<UsageQuery>,
) -> ApiResult<Response> {
    let csv = wants_csv(&q.format, &headers)?;
    let to = day_param("to", &q.to, telemetry::day_of(domain::now_ms()))?;
    let from = day_param("from", &q.from, to - 6)?;
    let rows = usage::export(&st.db, &s.scope, from, to).await?;
    if csv {
        let name = format!(
            "usage-{}-{}-{}",
            s.scope.tenant_name(),
            telemetry::day_date(from),
            telemetry::day_date(to)
        );
        return Ok(csv_response(&name, Body::from(usage::to_csv(&rows, true))));
    }
    Ok(Json(UsageList {
        items: rows.into_iter().map(Into::into).collect(),
        next_cursor: None,
    })
    .into_response())
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AllUsageQuery {
    /// The day, `YYYY-MM-DD` (UTC); default: today.
    #[serde(default)]
    day: String,
    /// `json` (default, paged) or `csv` (the whole day, streamed).
    #[serde(default)]
    format: String,
    /// JSON rows per page, up to 10,000 (default 1,000).
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Rows per query while a CSV of every tenant streams.
const CSV_PAGE: i64 = 5_000;

#[utoipa::path(get, path = "/usage/all", params(AllUsageQuery),
    responses((status = 200, body = UsageList), (status = 403, body = ErrorBody)))]
pub(super) async fn all_usage(
    State(st): State<AppState>,
    Caller(p): Caller,
    headers: HeaderMap,
    Query(q): Query<AllUsageQuery>,
) -> ApiResult<Response> {
    let csv = wants_csv(&q.format, &headers)?;
    let day = day_param("day", &q.day, telemetry::day_of(domain::now_ms()))?;
    if !csv {
        let (rows, next_cursor) = usage::export_all(
            &st.db,
            &p,
            day,
            q.cursor.as_deref(),
            q.limit.unwrap_or(1_000),
        )
        .await?;
        return Ok(Json(UsageList {
            items: rows.into_iter().map(Into::into).collect(),
            next_cursor,
        })
        .into_response());
    }
    // The first page is read before answering, so a refusal is an error status, not a
    // broken download; the rest streams page by page.
    let (first, next) = usage::export_all(&st.db, &p, day, None, CSV_PAGE).await?;
    let head = usage::to_csv(&first, true);
    let db = st.db.clone();
    let rest = futures_util::stream::unfold(next, move |cursor| {
        let (db, p) = (db.clone(), p.clone());
        async move {
            let cursor = cursor?;
            match usage::export_all(&db, &p, day, Some(&cursor), CSV_PAGE).await {
                Ok((rows, next)) => {
                    Some((Ok::<_, std::io::Error>(usage::to_csv(&rows, false)), next))
                }
                Err(e) => {
                    tracing::error!(error = %e, "usage export stopped");
                    Some((Err(std::io::Error::other("usage export stopped")), None))
                }
            }
        }
    });
    let body = futures_util::stream::iter([Ok::<_, std::io::Error>(head)]).chain(rest);
    Ok(csv_response(
        &format!("usage-all-{}", telemetry::day_date(day)),
        Body::from_stream(body),
    ))
}
