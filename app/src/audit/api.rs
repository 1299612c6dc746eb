//! Server functions of the audit log of the active tenant: filtered pages, each event
//! with a one-line summary and its change as a line diff (both made on the server, so
//! the browser carries no diff code).

// `list_audit` takes each field of the page's filter form (a GET form that works without
// JavaScript) as its own argument, rather than grouped in a struct; the server function
// macro's client half does not carry an item-level allow, hence this one.
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
use crate::components::empty_to_none;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::scope;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::components::DiffLine;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: String,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    /// The change in a line (`labels: env=dev → env=prod`); empty when there is none.
    pub summary: String,
    /// The whole change, line by line; empty when there is nothing to show.
    pub diff: Vec<DiffLine>,
    /// For an action through another tenant's admission: the home tenant and the
    /// statements that allowed it.
    #[serde(default)]
    pub via: Option<String>,
    /// The request that made the change, to find it in the server's log.
    #[serde(default)]
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub items: Vec<AuditRow>,
    pub next_cursor: Option<String>,
    /// The whole list's size, counted up to a cap (see the pager).
    pub total: Option<i64>,
}

/// The audit log, newest first, narrowed by actor, action, object and dates
/// (`YYYY-MM-DD`, UTC, both inclusive).
#[server(prefix = "/fn", endpoint = "list_audit")]
pub async fn list_audit(
    tenant: String,
    cursor: Option<String>,
    #[server(default)] actor: String,
    #[server(default)] action: String,
    #[server(default)] target: String,
    #[server(default)] from: String,
    #[server(default)] until: String,
    #[server(default)] request: String,
) -> Result<AuditPage, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("list_audit", &tenant).await?;
        let filter = domain::audit::AuditFilter {
            actor,
            action,
            target,
            from: parse_day("from", &from)?,
            // Until a day means through its end.
            until: parse_day("until", &until)?.map(|d| d + 86_400_000),
            request_id: request,
        };
        let page = domain::audit::search(
            &ctx.db,
            &scope,
            &filter,
            empty_to_none(cursor).as_deref(),
            Some(25),
        )
        .await?;
        Ok(AuditPage {
            items: page.items.into_iter().map(row).collect(),
            next_cursor: page.next_cursor,
            total: page.total,
        })
    })
    .await
}

/// An event as the page shows it: with its one-line summary and its diff.
#[cfg(feature = "ssr")]
pub(crate) fn row(e: domain::AuditEvent) -> AuditRow {
    AuditRow {
        id: e.id.to_string(),
        at: e.at,
        summary: summarize(e.before.as_deref(), e.after.as_deref()),
        diff: diff(e.before.as_deref(), e.after.as_deref()),
        actor: e.actor,
        via: e.via,
        request_id: e.request_id,
        action: e.action,
        target: e.target,
    }
}

/// A `YYYY-MM-DD` date as unix ms at its start (UTC); empty is no bound.
#[cfg(feature = "ssr")]
fn parse_day(field: &str, raw: &str) -> Result<Option<i64>, AppError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let bad = || AppError::Invalid {
        field: field.to_string(),
        message: "Enter a date as YYYY-MM-DD.".into(),
    };
    let mut parts = raw.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (Some(Some(y)), Some(Some(m)), Some(Some(d))) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad());
    }
    // Days from civil (Howard Hinnant's algorithm), the inverse of `fmt_time`.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Ok(Some(days * 86_400_000))
}

/// A recorded value as `key: value` fields: a JSON object (labels as `key=value`), or
/// text whose every line has that shape.
#[cfg(feature = "ssr")]
fn fields(text: &str) -> Option<Vec<(String, String)>> {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(text) {
        return Some(map.iter().map(|(k, v)| (k.clone(), plain(v))).collect());
    }
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.split_once(": ")
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

/// A JSON value as people write it: strings bare, lists with commas, `{key, value}`
/// pairs (labels) as `key=value`.
#[cfg(feature = "ssr")]
fn plain(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "none".into(),
        Value::Array(items) => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        Value::Object(o) => match (o.get("key"), o.get("value")) {
            (Some(k), Some(val)) => format!("{}={}", plain(k), plain(val)),
            _ => v.to_string(),
        },
        other => other.to_string(),
    }
}

/// A recorded value as the lines its diff compares (JSON objects field by field).
#[cfg(feature = "ssr")]
fn lines_of(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(_)) => fields(text)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| format!("{k}: {v}\n"))
            .collect(),
        _ => text.to_string(),
    }
}

/// Cuts a value for the one-line summary.
#[cfg(feature = "ssr")]
fn short(s: &str) -> String {
    const MAX: usize = 60;
    let one_line = s.lines().next().unwrap_or("");
    if one_line.chars().count() > MAX || s.lines().count() > 1 {
        format!("{}…", one_line.chars().take(MAX).collect::<String>())
    } else {
        one_line.to_string()
    }
}

/// The change in one line: per field for `key: value` records (`labels: env=dev →
/// env=prod`), `old → new` for short values, and a line count for documents.
#[cfg(feature = "ssr")]
fn summarize(before: Option<&str>, after: Option<&str>) -> String {
    match (before, after) {
        (None, None) => String::new(),
        (None, Some(a)) if a.lines().count() <= 1 && fields(a).is_none() => short(a),
        (Some(b), None) if b.lines().count() <= 1 => format!("was {}", short(b)),
        (Some(b), Some(a)) => {
            if let (Some(fb), Some(fa)) = (fields(b), fields(a)) {
                let (fb, fa) = (&fb, &fa);
                let mut changes = Vec::new();
                for (k, new) in fa {
                    match fb.iter().find(|(key, _)| key == k) {
                        Some((_, old)) if old != new => changes.push(format!("{k}: {old} → {new}")),
                        None => changes.push(format!("{k}: {new}")),
                        _ => {}
                    }
                }
                for (k, old) in fb {
                    if !fa.iter().any(|(key, _)| key == k) {
                        changes.push(format!("{k}: {old} → none"));
                    }
                }
                if !changes.is_empty() {
                    return changes.join("; ");
                }
            }
            if b.lines().count() <= 1 && a.lines().count() <= 1 {
                return format!("{} → {}", short(b), short(a));
            }
            let d = diff(Some(b), Some(a));
            let added = d.iter().filter(|l| l.kind == '+').count();
            let removed = d.iter().filter(|l| l.kind == '-').count();
            format!("{added} lines added, {removed} removed")
        }
        (None, Some(a)) => match fields(a) {
            Some(f) if f.len() <= 4 => f
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| format!("{k}: {}", short(v)))
                .collect::<Vec<_>>()
                .join("; "),
            _ => format!("{} lines", a.lines().count()),
        },
        (Some(b), None) => format!("{} lines removed", b.lines().count()),
    }
}

/// The change line by line, JSON objects as one `key: value` line per field.
#[cfg(feature = "ssr")]
fn diff(before: Option<&str>, after: Option<&str>) -> Vec<DiffLine> {
    crate::components::text_diff(
        &lines_of(before.unwrap_or("")),
        &lines_of(after.unwrap_or("")),
    )
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn summaries_name_what_changed() {
        assert_eq!(
            summarize(Some("labels: env=dev"), Some("labels: env=prod")),
            "labels: env=dev → env=prod"
        );
        assert_eq!(summarize(None, Some("tcp/8080")), "tcp/8080");
        assert_eq!(
            summarize(Some("viewer"), Some("tenant-admin")),
            "viewer → tenant-admin"
        );
        assert_eq!(
            summarize(Some("a\nb\nc"), Some("a\nx\nc\nd")),
            "2 lines added, 1 removed"
        );
        assert_eq!(summarize(None, None), "");
        let before = r#"{"description":"","labels":[{"key":"env","value":"dev"}]}"#;
        let after = r#"{"description":"","labels":[{"key":"env","value":"prod"}]}"#;
        assert_eq!(
            summarize(Some(before), Some(after)),
            "labels: env=dev → env=prod"
        );
        let d = diff(Some(before), Some(after));
        assert!(d
            .iter()
            .any(|l| l.kind == '+' && l.text == "labels: env=prod"));
    }

    #[test]
    fn diffs_mark_each_line() {
        let d = diff(Some("a\nb\n"), Some("a\nc\n"));
        let kinds: Vec<char> = d.iter().map(|l| l.kind).collect();
        assert_eq!(kinds, vec![' ', '-', '+']);
        assert_eq!(d[2].text, "c");
    }

    #[test]
    fn days_parse_to_their_start_in_utc() {
        assert_eq!(parse_day("from", "1970-01-02").unwrap(), Some(86_400_000));
        assert_eq!(
            crate::fmt_time(parse_day("from", "2026-11-18").unwrap().unwrap()),
            "2026-11-18 00:00 UTC"
        );
        assert!(parse_day("from", "18.11.2026").is_err());
        assert_eq!(parse_day("from", " ").unwrap(), None);
    }
}
