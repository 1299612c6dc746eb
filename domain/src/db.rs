//! One database handle over SQLite or Postgres, chosen by `DATABASE_URL`.
//!
//! sqlx's `Any` driver gives one code path for both: queries use `$1` placeholders and
//! only the types both backends share (text, i64, f64). Migrations differ per backend.

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;
use sqlx::AnyConnection;
use sqlx::{Any, AnyPool, Executor, Transaction};
use std::ops::{Deref, DerefMut};
use std::str::FromStr;
use std::sync::Arc;

use crate::ids::TenantId;

use crate::iam::enforce::PolicyCache;
use std::time::Duration;

use crate::{DomainError, DomainResult};

/// Whose rows a piece of work may reach: the second wall, kept by Postgres itself.
///
/// The first wall is the tenant filter in every query of a repository, which takes a
/// [`crate::TenantScope`]. On Postgres every tenant-owned table also has row-level
/// security (migration 0013): a transaction sees and writes only the rows of the tenant
/// it named in the `app.tenant_id` setting, so a query that forgot its filter still
/// cannot reach another tenant. Work that is above tenants (the global admin's lists,
/// login, the tenant controller, a connection's two sides, telemetry flushes) says so
/// with [`Wall::Platform`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wall {
    /// The rows of one tenant: everything done under a tenant scope.
    Tenant(TenantId),
    /// The rows of two tenants: a scope entered by admission, whose changes are audited
    /// in the caller's home tenant too.
    Pair(TenantId, TenantId),
    /// The rows of every tenant, for work that is above tenants.
    Platform,
}

impl Wall {
    /// The value of `app.tenant_id`, which the row-level security policies compare with
    /// each row's `tenant_id`: one tenant id, or several separated by commas; `*` passes
    /// every row.
    fn setting(self) -> String {
        match self {
            Wall::Tenant(tenant) => tenant.as_text(),
            Wall::Pair(a, b) => format!("{a},{b}"),
            Wall::Platform => "*".into(),
        }
    }
}

/// The advisory lock key of [`Db::setup_lock`] ("tenantry" in ASCII); sqlx's migrator
/// takes its own, derived from the database name.
const SETUP_LOCK_KEY: i64 = 0x7465_6e61_6e74_7279;

/// The setup lock, held on a connection of its own (see [`Db::setup_lock`]).
pub struct SetupLock(Option<PoolConnection<Any>>);

impl SetupLock {
    pub async fn release(self) -> DomainResult<()> {
        if let Some(mut conn) = self.0 {
            sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(SETUP_LOCK_KEY)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }
}

/// A connection to read through, behind a [`Wall`] (see [`Db::read`]).
pub(crate) enum Reader {
    Pooled(PoolConnection<Any>),
    Walled(Transaction<'static, Any>),
}

impl Deref for Reader {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        match self {
            Reader::Pooled(c) => c,
            Reader::Walled(t) => t,
        }
    }
}

impl DerefMut for Reader {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match self {
            Reader::Pooled(c) => c,
            Reader::Walled(t) => t,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Opens every connection of a SQLite pool at once and keeps it for the life of the
/// process. Each SQLite connection is a worker thread with its own page cache (up to
/// 2 MB by SQLite's default `cache_size`), so a pool that grows on demand grows the
/// server's memory whenever a burst first needs one more connection, which can be an
/// hour after start; and sqlx's default reaping (idle for 10 minutes, older than 30)
/// closes connections only to open them again. With the pool whole from the start, a
/// SQLite server's threads and caches are fixed after warm-up (the other half of a flat
/// memory, huge pages, is in the server's `main`; the soak in `scripts/bench.sh` shows
/// both). Postgres keeps sqlx's defaults: its connections cost the server's memory, not
/// ours, and reaping them frees server slots other replicas may need.
pub fn sqlite_pool_fixed<DB: sqlx::Database>(
    options: sqlx::pool::PoolOptions<DB>,
    connections: u32,
) -> sqlx::pool::PoolOptions<DB> {
    options
        .max_connections(connections)
        .min_connections(connections)
        .idle_timeout(None)
        .max_lifetime(None)
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
            pool = sqlite_pool_fixed(pool, max_connections).after_connect(|conn, _meta| {
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

    pub(crate) fn policy_cache(&self) -> &PolicyCache {
        &self.policies
    }

    /// Starts a transaction behind `wall`; every mutation runs in exactly one.
    pub(crate) async fn begin(&self, wall: Wall) -> DomainResult<Transaction<'static, Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin().await?,
            // One round trip for both. `true`: the setting ends with the transaction, so
            // a pooled connection never carries one tenant's wall into the next piece
            // of work. The value is a formatted UUID or `*`, never caller text.
            Backend::Postgres => {
                self.pool
                    .begin_with(format!(
                        "BEGIN; SELECT set_config('app.tenant_id', '{}', true)",
                        wall.setting()
                    ))
                    .await?
            }
        })
    }

    /// Runs one statement behind `wall` and commits it (on SQLite a lone statement is its
    /// own transaction; on Postgres the wall needs one around it).
    pub(crate) async fn write<'q>(
        &self,
        wall: Wall,
        statement: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    ) -> DomainResult<sqlx::any::AnyQueryResult> {
        if self.backend == Backend::Sqlite {
            return Ok(statement.execute(&self.pool).await?);
        }
        let mut tx = self.begin(wall).await?;
        let done = statement.execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// A connection for reads behind `wall`. On Postgres the wall is a transaction
    /// setting, so the reads run in a transaction of their own (rolled back when the
    /// reader is dropped: it changed nothing). SQLite has no row-level security, and
    /// reads there take a pooled connection as they always did.
    pub(crate) async fn read(&self, wall: Wall) -> DomainResult<Reader> {
        Ok(match self.backend {
            Backend::Sqlite => Reader::Pooled(self.pool.acquire().await?),
            Backend::Postgres => Reader::Walled(self.begin(wall).await?),
        })
    }

    /// The Postgres role this pool connects as.
    pub async fn role(&self) -> DomainResult<String> {
        Ok(sqlx::query_scalar("SELECT current_user::text")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Lets `role` read and write every table, as the console needs; run on the owner's
    /// connection after [`Db::migrate`]. It gives no DDL and no ownership, so row-level
    /// security keeps holding the role (see [`Db::refuse_a_role_above_the_wall`]).
    pub async fn grant_tables_to(&self, role: &str) -> DomainResult<()> {
        if self.backend != Backend::Postgres {
            return Ok(());
        }
        let role = format!("\"{}\"", role.replace('"', "\"\""));
        let mut tx = self.pool.begin().await?;
        for schema in ["public", "tower_sessions"] {
            let exists: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM pg_namespace WHERE nspname = $1")
                    .bind(schema)
                    .fetch_one(&mut *tx)
                    .await?;
            if exists == 0 {
                continue;
            }
            sqlx::raw_sql(&format!(
                "GRANT USAGE ON SCHEMA {schema} TO {role};
                 GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role};
                 GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role};"
            ))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Takes Postgres's advisory lock for setting up the database (migrations, the
    /// session table, grants), which replicas starting together would otherwise run at
    /// once and trip over ("tuple concurrently updated"). Held until [`SetupLock::release`]
    /// or until this pool closes. A no-op on SQLite, which has one process.
    pub async fn setup_lock(&self) -> DomainResult<SetupLock> {
        if self.backend != Backend::Postgres {
            return Ok(SetupLock(None));
        }
        let mut conn = self.pool.acquire().await?;
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(SETUP_LOCK_KEY)
            .execute(&mut *conn)
            .await?;
        Ok(SetupLock(Some(conn)))
    }

    /// Refuses, on Postgres, a role that row-level security does not hold: a superuser,
    /// a role with BYPASSRLS, or the owner of the tables (who can switch it off). The
    /// console must connect as a role that is none of these, and migrate as the owner.
    pub async fn refuse_a_role_above_the_wall(&self) -> DomainResult<()> {
        if self.backend != Backend::Postgres {
            return Ok(());
        }
        let row = sqlx::query(
            "SELECT current_user::text AS who, \
                    CASE WHEN r.rolsuper THEN 1 ELSE 0 END AS superuser, \
                    CASE WHEN r.rolbypassrls THEN 1 ELSE 0 END AS bypass, \
                    (SELECT COUNT(*) FROM pg_tables t \
                      WHERE t.tableowner = current_user AND t.schemaname = 'public') AS owned \
             FROM pg_roles r WHERE r.rolname = current_user",
        )
        .fetch_one(&self.pool)
        .await?;
        use sqlx::Row;
        let who: String = row.try_get("who")?;
        let why = if row.try_get::<i32, _>("superuser")? == 1 {
            "is a superuser"
        } else if row.try_get::<i32, _>("bypass")? == 1 {
            "has BYPASSRLS"
        } else if row.try_get::<i64, _>("owned")? > 0 {
            "owns the tables"
        } else {
            return Ok(());
        };
        Err(DomainError::Wall(format!(
            "DATABASE_URL connects to Postgres as role \"{who}\", which {why} and so is not held \
             by row-level security. Connect the console as a role that is neither a superuser, \
             nor BYPASSRLS, nor the owner of the tables, and give the owner's URL in \
             TENANTRY_MIGRATION_DATABASE_URL (see docs/operations.md, Postgres)."
        )))
    }

    /// Checks the database answers (for readiness probes).
    pub async fn ping(&self) -> DomainResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Forgets every cached compiled policy set, as a fresh replica starts. For the
    /// isolation matrix, which runs each call with the caches cold as well as warm.
    pub fn clear_caches(&self) {
        self.policies.clear();
    }
}

/// Runs statements behind the platform wall (every tenant's rows), in one transaction.
/// Only for test fixtures and tooling; never for tenant data in the product.
pub async fn raw_execute(db: &Db, sql: &str) -> DomainResult<()> {
    raw_execute_behind(db, Wall::Platform, sql).await
}

/// Runs statements behind `wall`, in one transaction on Postgres; like [`raw_execute`].
/// On SQLite, which has no wall, they run as given (they may hold their own `BEGIN` and
/// pragmas that only work outside a transaction).
pub async fn raw_execute_behind(db: &Db, wall: Wall, sql: &str) -> DomainResult<()> {
    if db.backend == Backend::Sqlite {
        sqlx::raw_sql(sql).execute(&db.pool).await?;
        return Ok(());
    }
    let mut tx = db.begin(wall).await?;
    sqlx::raw_sql(sql).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// The name of the database this pool is connected to (Postgres), for test fixtures that
/// must reach the same database as its owner.
pub async fn database_name(db: &Db) -> DomainResult<String> {
    Ok(sqlx::query_scalar("SELECT current_database()::text")
        .fetch_one(&db.pool)
        .await?)
}

/// Runs one statement outside any transaction, for what cannot run inside one (creating
/// and dropping scratch databases). Only for test fixtures and tooling.
pub async fn raw_admin_execute(db: &Db, sql: &str) -> DomainResult<()> {
    sqlx::raw_sql(sql).execute(&db.pool).await?;
    Ok(())
}

/// Reads one number behind `wall`. Like [`raw_execute`], only for test fixtures and
/// tooling (counting rows a test must prove were not written, or must not be seen).
pub async fn raw_scalar_behind(db: &Db, wall: Wall, sql: &str) -> DomainResult<i64> {
    Ok(sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(&mut *db.read(wall).await?)
        .await?)
}

/// Reads one number with no wall set at all, as a query that forgot to set one would
/// (on Postgres it sees no tenant's rows). For tests of the wall only.
pub async fn raw_scalar_unwalled(db: &Db, sql: &str) -> DomainResult<i64> {
    Ok(sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(&db.pool)
        .await?)
}

/// Reads one number behind the platform wall; see [`raw_scalar_behind`].
pub async fn raw_scalar(db: &Db, sql: &str) -> DomainResult<i64> {
    raw_scalar_behind(db, Wall::Platform, sql).await
}

/// The Postgres role the tests and the bench connect the console as: it logs in, and
/// owns nothing (the tables' owner grants it their use; see [`Db::grant_tables_to`]).
pub const CONSOLE_ROLE: &str = "tenantry_console";

/// A scratch Postgres database for tests and the bench, set up the way a deployment is:
/// made and migrated by the owner (the admin URL's role), used by [`CONSOLE_ROLE`]. Gives
/// the owner's URL and the console's URL of the new database.
pub async fn scratch_postgres(admin_url: &str, name: &str) -> DomainResult<(String, String)> {
    let admin = Db::connect(admin_url, 1).await?;
    raw_admin_execute(&admin, &format!("CREATE DATABASE {name}")).await?;
    // Concurrent tests may create the role at the same moment: either error means it
    // exists, which is all that is asked.
    raw_admin_execute(
        &admin,
        &format!(
            "DO $$ BEGIN CREATE ROLE {CONSOLE_ROLE} LOGIN; \
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        ),
    )
    .await?;
    admin.close().await;
    let owner_url = match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => {
            return Err(DomainError::Internal(
                "the admin URL names no database".into(),
            ))
        }
    };
    let console_url = match owner_url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.rsplit_once('@').map(|(_, h)| h).unwrap_or(rest);
            format!("{scheme}://{CONSOLE_ROLE}@{host}")
        }
        None => return Err(DomainError::Internal("the admin URL has no scheme".into())),
    };
    let owner = Db::connect(&owner_url, 2).await?;
    owner.migrate().await?;
    owner.grant_tables_to(CONSOLE_ROLE).await?;
    owner.close().await;
    Ok((owner_url, console_url))
}

/// The tables that hold tenants' rows (every table with a `tenant_id` column), read from
/// the schema. For tests and tooling that must cover every such table, new ones included.
pub async fn tenant_owned_tables(db: &Db) -> DomainResult<Vec<String>> {
    crate::lifecycle::teardown::owned_tables(&mut *db.read(Wall::Platform).await?, db.backend).await
}

/// What `app.tenant_id` holds on each open pooled connection, read outside any
/// transaction (Postgres only). For the test that a wall never outlives its transaction:
/// every value must be unset or empty.
pub async fn settings_outside_transactions(db: &Db) -> DomainResult<Vec<String>> {
    let mut held = Vec::new();
    for _ in 0..db.pool.size().max(1) {
        held.push(db.pool.acquire().await?);
    }
    let mut out = Vec::new();
    for conn in &mut held {
        let v: Option<String> = sqlx::query_scalar("SELECT current_setting('app.tenant_id', true)")
            .fetch_one(&mut **conn)
            .await?;
        out.push(v.unwrap_or_default());
    }
    Ok(out)
}
