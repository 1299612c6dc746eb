//! Attempt counting for rate limits (local logins, secret redemptions). The attempts
//! live in the database, so a limit holds across replicas, and each attempt is written
//! *before* it is judged, in its own committed transaction, so that a parallel burst
//! sees all of itself and cannot slip past the limit.

use crate::db::Wall;
use crate::{Db, DomainResult};

/// The tables that hold attempts; each is `(key TEXT, at INTEGER)` with an index on both.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Attempts {
    LoginFailures,
    Redemptions,
}

impl Attempts {
    fn table(self) -> &'static str {
        match self {
            Attempts::LoginFailures => "login_failures",
            Attempts::Redemptions => "redeem_attempts",
        }
    }
}

/// Records one attempt under each key at `now`, and forgets attempts older than the
/// window, in one transaction.
pub(crate) async fn record(
    db: &Db,
    kind: Attempts,
    keys: &[&str],
    now: i64,
    window_ms: i64,
) -> DomainResult<()> {
    let table = kind.table();
    let mut tx = db.begin(Wall::Platform).await?;
    for key in keys {
        sqlx::query(&format!("INSERT INTO {table} (key, at) VALUES ($1, $2)"))
            .bind(key.to_string())
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(&format!("DELETE FROM {table} WHERE at < $1"))
        .bind(now - window_ms)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Attempts under `key` after `since` (the one just recorded included).
pub(crate) async fn count(db: &Db, kind: Attempts, key: &str, since: i64) -> DomainResult<i64> {
    Ok(sqlx::query_scalar::<_, i64>(&format!(
        "SELECT COUNT(*) FROM {} WHERE key = $1 AND at > $2",
        kind.table()
    ))
    .bind(key.to_string())
    .bind(since)
    .fetch_one(&mut *db.read(Wall::Platform).await?)
    .await?)
}
