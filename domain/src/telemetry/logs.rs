//! A tenant's log: the system events of that tenant, newest first and searchable. The
//! tenant controller writes its bootstrap and teardown steps, a login writes a line in
//! every tenant the person belongs to, and API use is written by the meter's flush (one
//! line per caller and hour, not one per request). Lines are kept for a retention period
//! (`Controller::log_retention_ms`). Changes people make are the audit
//! log's business, not this one's.

use crate::db::Wall;
use crate::ids::{TenantId, UserId};
use crate::model::{clamp_limit, newest_first_cursor, Page};
use crate::validate::like_pattern;
use crate::{now_ms, Db, DomainResult, TenantScope};
use serde::{Deserialize, Serialize};
use sqlx::Row;

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Where a log line comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The tenant controller (bootstrap, teardown steps).
    Controller,
    /// A person signing in to the console.
    Login,
    /// Calls of the REST API, with a console token or a provider's JWT.
    Api,
}

impl Source {
    pub const ALL: [Source; 3] = [Source::Controller, Source::Login, Source::Api];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Controller => "controller",
            Source::Login => "login",
            Source::Api => "api",
        }
    }

    /// The source named `s` (`controller`, `login`, `api`), or `None`.
    pub fn parse(s: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|x| x.as_str() == s.trim())
    }
}

/// One line of a tenant's log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogLine {
    pub id: String,
    pub at: i64,
    pub source: Source,
    /// What happened, for people (an API line ends with its count of calls).
    pub message: String,
    /// How many times: the calls of an API line's hour, 1 for other lines.
    pub quantity: i64,
    pub request_id: Option<String>,
}

/// Writes a line in `tenant`'s log inside the caller's transaction, with the request id
/// of the request being handled, if any.
pub(crate) async fn write(
    tx: &mut Tx,
    tenant: TenantId,
    source: Source,
    message: &str,
) -> DomainResult<()> {
    sqlx::query(
        "INSERT INTO tenant_logs (tenant_id, id, at, source, message, request_id) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(tenant.as_text())
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(now_ms())
    .bind(source.as_str())
    .bind(message.to_string())
    .bind(super::request_id())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Adds `calls` API calls by `caller` to the tenant's line for the hour of `now`, so a
/// busy caller makes one line an hour, not one a flush. A tenant being deleted or gone
/// takes no more lines.
pub(crate) async fn add_api_use(
    tx: &mut Tx,
    tenant: TenantId,
    caller: &str,
    now: i64,
    calls: i64,
) -> DomainResult<()> {
    let hour = now - now.rem_euclid(3_600_000);
    let hh = hour.rem_euclid(crate::model::DAY_MS) / 3_600_000;
    sqlx::query(
        "INSERT INTO tenant_logs (tenant_id, id, at, source, message, quantity) \
         SELECT id, $2, $3, 'api', $4, $5 FROM tenants WHERE id = $1 AND desired_state = 'CREATED' \
         ON CONFLICT (tenant_id, id) DO UPDATE SET quantity = tenant_logs.quantity + excluded.quantity, at = excluded.at",
    )
    .bind(tenant.as_text())
    .bind(format!("api:{hour}:{caller}"))
    .bind(now)
    .bind(format!("{caller}, the hour from {hh:02}:00 UTC"))
    .bind(calls)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Deletes log lines older than `before` (unix ms), a bounded batch per call; it looks
/// first, so a pass with nothing to drop writes nothing.
pub(crate) async fn purge(db: &Db, before: i64) -> DomainResult<()> {
    let due: Option<i64> = sqlx::query_scalar("SELECT 1 FROM tenant_logs WHERE at < $1 LIMIT 1")
        .bind(before)
        .fetch_optional(&mut *db.read(Wall::Platform).await?)
        .await?;
    if due.is_some() {
        db.write(
            Wall::Platform,
            sqlx::query(
                "DELETE FROM tenant_logs WHERE (tenant_id, id) IN \
             (SELECT tenant_id, id FROM tenant_logs WHERE at < $1 LIMIT 5000)",
            )
            .bind(before),
        )
        .await?;
    }
    Ok(())
}

/// Records a sign-in in the log of every tenant the user belongs to (`how` names the
/// method: a provider's name, or the bootstrap password).
pub async fn record_login(db: &Db, user: UserId, email: &str, how: &str) -> DomainResult<()> {
    let tenants: Vec<String> =
        sqlx::query_scalar("SELECT tenant_id FROM memberships WHERE user_id = $1")
            .bind(user.as_text())
            .fetch_all(&mut *db.read(Wall::Platform).await?)
            .await?;
    if tenants.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin(Wall::Platform).await?;
    for t in &tenants {
        write(
            &mut tx,
            crate::ids::col_id(t)?,
            Source::Login,
            &format!("{email} signed in ({how})."),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Narrows a tenant's log. Empty fields match everything.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    /// Part of the message (a person's email, a step's name), case-insensitive.
    pub q: String,
    pub source: Option<Source>,
}

/// The scope's log, newest first, with keyset paging (the cursor is `<at>:<id>`).
pub async fn search(
    db: &Db,
    scope: &TenantScope,
    filter: &LogFilter,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> DomainResult<Page<LogLine>> {
    scope.require("LOG_READ")?;
    let limit = clamp_limit(limit);
    let (c_at, c_id) = newest_first_cursor(cursor);
    let rows = sqlx::query(
        "SELECT id, at, source, message, quantity, request_id FROM tenant_logs \
         WHERE tenant_id = $1 AND ($2 = '' OR source = $2) \
         AND ($3 = '%%' OR LOWER(message) LIKE $3 ESCAPE '\\') \
         AND (at < $4 OR (at = $4 AND id < $5)) \
         ORDER BY at DESC, id DESC LIMIT $6",
    )
    .bind(scope.tenant_id().as_text())
    .bind(filter.source.map(Source::as_str).unwrap_or(""))
    .bind(like_pattern(&filter.q))
    .bind(c_at)
    .bind(c_id)
    .bind(limit + 1)
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?;
    let items = rows
        .iter()
        .map(|r| {
            let source =
                Source::parse(&r.try_get::<String, _>("source")?).unwrap_or(Source::Controller);
            let quantity: i64 = r.try_get("quantity")?;
            let mut message: String = r.try_get("message")?;
            if source == Source::Api {
                let calls = if quantity == 1 { "call" } else { "calls" };
                message = format!("{message}: {quantity} API {calls}.");
            }
            Ok(LogLine {
                id: r.try_get("id")?,
                at: r.try_get("at")?,
                source,
                message,
                quantity,
                request_id: r.try_get("request_id")?,
            })
        })
        .collect::<DomainResult<Vec<_>>>()?;
    Ok(Page::from_overfetch(items, limit, |l: &LogLine| {
        format!("{}:{}", l.at, l.id)
    }))
}
