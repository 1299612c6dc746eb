//! The tenant as a container (seed 003): what the system saw happen in a tenant
//! ([`logs`]), what it holds and how much it was used ([`metrics`], [`usage`]), and the
//! request id that ties an audit record or a log line to the server's log of the
//! request that caused it.
//!
//! Reads never write (a page view or a REST read changes no row): API calls are counted
//! in memory by a [`usage::Meter`] and written in batches by a background task, so that
//! the cost of metering is one map update per request, not one commit.

pub mod logs;
pub mod metrics;
pub mod usage;

use crate::model::DAY_MS;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Runs `fut` as the handling of the request `id`: audit records and log lines written
/// inside it carry the id. The server wraps every request in this, so a record written
/// by any layer names its request without the id being passed through every call.
pub async fn with_request_id<F: std::future::Future>(id: String, fut: F) -> F::Output {
    REQUEST_ID.scope(id, fut).await
}

/// The id of the request being handled, when there is one (a controller pass has none).
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(|id| id.clone()).ok()
}

/// A UTC day as counted in storage: days since the Unix epoch.
pub fn day_of(ms: i64) -> i64 {
    ms.div_euclid(DAY_MS)
}

/// A stored day as its ISO date (`2026-12-03`), for exports and charts.
pub fn day_date(day: i64) -> String {
    // 2440588 is the Julian day of 1970-01-01.
    i32::try_from(day + 2_440_588)
        .ok()
        .and_then(|jd| time::Date::from_julian_day(jd).ok())
        .map(|d| d.to_string())
        .unwrap_or_else(|| format!("day {day}"))
}

/// Parses an ISO date (`2026-12-03`) into a stored day; `None` for anything else.
pub fn parse_day(s: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), &format)
        .ok()
        .map(|d| i64::from(d.to_julian_day()) - 2_440_588)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_through_their_iso_dates() {
        assert_eq!(day_date(0), "1970-01-01");
        assert_eq!(parse_day("1970-01-02"), Some(1));
        let today = day_of(crate::now_ms());
        assert_eq!(parse_day(&day_date(today)), Some(today));
        assert_eq!(parse_day("2026-13-01"), None);
        assert_eq!(parse_day("yesterday"), None);
    }
}
