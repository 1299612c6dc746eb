//! Request ids and API metering, the server's side of `domain::telemetry`.
//!
//! Every request gets an id made here (a UUID): the response carries it back, the
//! request's log lines name it, and audit records written while handling it store it, so
//! one id ties the three together. An id the caller sent is only logged beside it: were
//! it stored, a caller could make its changes look like another request's.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use domain::telemetry::usage::Meter;
use domain::Db;
use std::time::Duration;
use tracing::Instrument;

/// The header that carries the request id both ways.
pub const REQUEST_ID: &str = "x-request-id";

/// How often each replica writes the API calls it counted.
const FLUSH_EVERY: Duration = Duration::from_secs(10);

/// The id a caller (or a proxy in front) sent, when it is 1 to 64 letters, digits, `-`,
/// `_` or `.`: safe to put in a log line.
fn client_id(req: &Request) -> Option<String> {
    req.headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=64).contains(&v.len())
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
        .map(str::to_string)
}

/// Gives the request its id, runs it inside that id, and answers with it.
pub async fn request_id(req: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().to_string();
    let span = match client_id(&req) {
        Some(client) => tracing::info_span!("request", id = %id, client_id = %client),
        None => tracing::info_span!("request", id = %id),
    };
    let mut res = domain::telemetry::with_request_id(id.clone(), next.run(req))
        .instrument(span)
        .await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    res
}

/// Writes the meter's counts every [`FLUSH_EVERY`] until the process ends.
pub fn spawn_meter_flush(db: Db, meter: Meter) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(FLUSH_EVERY);
        tick.tick().await;
        loop {
            tick.tick().await;
            flush(&db, &meter).await;
        }
    });
}

/// Writes what the meter counted; a failure is logged and the counts are lost (usage is
/// best effort between flushes, never a reason to fail a request).
pub async fn flush(db: &Db, meter: &Meter) {
    if let Err(e) = meter.flush(db).await {
        tracing::warn!(error = %e, "could not write the API usage counts");
    }
}
