//! One database handle over SQLite or Postgres, chosen by `DATABASE_URL`.
//!
//! sqlx's `Any` driver gives one code path for both: queries use `$1` placeholders and
//! only the types both backends share (text, i64, f64). Migrations differ per backend.

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::sync::Arc;

use crate::iam::enforce::PolicyCache;
use std::time::Duration;

use crate::{DomainError, DomainResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The shared pool plus which backend it talks to.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
    /// Compiled IAM policy sets, per tenant of this database (see `iam::enforce`).
    policies: Arc<PolicyCache>,
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Connects and applies the SQLite settings the design asks for: WAL for readers
    /// beside a writer, synchronous=FULL so a committed change survives power loss,
    /// foreign keys on, and a busy timeout instead of immediate "database is locked".
    pub async fn connect(url: &str, max_connections: u32) -> DomainResult<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(DomainError::Internal(
                "DATABASE_URL must start with sqlite: or postgres:".into(),
            ));
        };
        let options = AnyConnectOptions::from_str(url)
            .map_err(|e| DomainError::Internal(format!("bad DATABASE_URL: {e}")))?;
        let mut pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30));
        if backend == Backend::Sqlite {
            pool = pool.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = FULL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    Ok(())
                })
            });
        }
        let pool = pool.connect_with(options).await?;
        Ok(Db {
            pool,
            backend,
            policies: Arc::default(),
        })
    }

    /// Applies pending migrations for this backend.
    pub async fn migrate(&self) -> DomainResult<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATOR,
            Backend::Postgres => &POSTGRES_MIGRATOR,
        };
        migrator
            .run(&self.pool)
            .await
            .map_err(|e| DomainError::Internal(format!("migration failed: {e}")))?;
        if self.backend == Backend::Sqlite {
            self.sqlite_users_email_nullable().await?;
            self.sqlite_memberships_member_role().await?;
        }
        crate::iam::enforce::reindex_admits(self).await
    }

    /// Makes `users.email_lower` nullable on SQLite (migration 0004's intent).
    async fn sqlite_users_email_nullable(&self) -> DomainResult<()> {
        self.sqlite_rebuild(
            "users",
            "email_lower    TEXT NOT NULL UNIQUE",
            "email_lower    TEXT UNIQUE",
        )
        .await
    }

    /// Lets `memberships.role` hold `member` on SQLite (migration 0009's intent).
    async fn sqlite_memberships_member_role(&self) -> DomainResult<()> {
        self.sqlite_rebuild(
            "memberships",
            "CHECK (role IN ('admin', 'tenant-admin', 'viewer'))",
            "CHECK (role IN ('admin', 'tenant-admin', 'viewer', 'member'))",
        )
        .await
    }

    /// Rebuilds a SQLite table whose stored definition holds `from`, under the same
    /// definition with `to` instead, keeping its rows and indexes. SQLite has no `ALTER
    /// COLUMN`; the documented way is to copy into `<table>_new` with foreign keys off,
    /// so that dropping the old table cascades into nothing (the other tables'
    /// references name the table, and find the new one after the rename). That switch
    /// only works outside a transaction, so it cannot live in a migration file.
    ///
    /// It starts from the table's definition as stored, which includes every column
    /// later migrations added, and runs once: a definition without `from` is already
    /// rebuilt. A crash inside it rolls back, and it runs again at the next start.
    async fn sqlite_rebuild(&self, table: &str, from: &str, to: &str) -> DomainResult<()> {
        let mut conn = self.pool.acquire().await?;
        let sql: Option<String> =
            sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = $1")
                .bind(table.to_string())
                .fetch_optional(&mut *conn)
                .await?;
        let Some(columns) = sql
            .filter(|sql| sql.contains(from))
            .and_then(|sql| sql.find('(').map(|i| sql[i..].replacen(from, to, 1)))
        else {
            return Ok(());
        };
        let indexes: Vec<String> = sqlx::query_scalar(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL",
        )
        .bind(table.to_string())
        .fetch_all(&mut *conn)
        .await?;
        conn.execute("PRAGMA foreign_keys = OFF").await?;
        let rebuilt = sqlx::raw_sql(&format!(
            "BEGIN;
             CREATE TABLE {table}_new {columns};
             INSERT INTO {table}_new SELECT * FROM {table};
             DROP TABLE {table};
             ALTER TABLE {table}_new RENAME TO {table};
             {}
             COMMIT;",
            indexes
                .iter()
                .map(|i| format!("{i};\n"))
                .collect::<String>()
        ))
        .execute(&mut *conn)
        .await;
        if rebuilt.is_err() {
            let _ = conn.execute("ROLLBACK").await;
        }
        conn.execute("PRAGMA foreign_keys = ON").await?;
        rebuilt?;
        let broken: Vec<sqlx::any::AnyRow> = sqlx::query("PRAGMA foreign_key_check")
            .fetch_all(&mut *conn)
            .await?;
        if !broken.is_empty() {
            return Err(DomainError::Internal(format!(
                "{table} rebuild left {} foreign keys broken",
                broken.len()
            )));
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The raw pool, for the crate's repositories only.
    pub(crate) fn policy_cache(&self) -> &PolicyCache {
        &self.policies
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a transaction; every mutation runs in exactly one.
    pub(crate) async fn begin(&self) -> DomainResult<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(self.pool.begin().await?)
    }

    /// Checks the database answers (for readiness probes).
    pub async fn ping(&self) -> DomainResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Runs one statement outside any tenant scope. Only for test fixtures and tooling
/// (creating and dropping scratch databases); never for tenant data.
pub async fn raw_execute(db: &Db, sql: &str) -> DomainResult<()> {
    sqlx::raw_sql(sql).execute(db.pool()).await?;
    Ok(())
}

/// Reads one number outside any tenant scope. Like [`raw_execute`], only for test
/// fixtures and tooling (counting rows a test must prove were not written).
pub async fn raw_scalar(db: &Db, sql: &str) -> DomainResult<i64> {
    Ok(sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(db.pool())
        .await?)
}
