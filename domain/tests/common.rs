//! Test databases: a fresh SQLite file, or a fresh Postgres database on the local
//! server (`TEST_POSTGRES_URL`, default postgres://postgres@127.0.0.1:5432/postgres).
//! Every test body runs on both through the `both!` macro.

#![allow(dead_code)]

use domain::directory;
use domain::{Db, Principal, TenantScope};

pub struct TestDb {
    pub db: Db,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

fn pg_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(format!("tenantry-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.db");
        let db = Db::connect(&format!("sqlite://{}?mode=rwc", path.display()), 8)
            .await
            .unwrap();
        db.migrate().await.unwrap();
        TestDb {
            db,
            cleanup: Cleanup::Sqlite(dir),
        }
    }

    /// A fresh Postgres database, used the way a deployment uses one: migrated by its
    /// owner, read and written by a console role that row-level security holds.
    pub async fn postgres() -> TestDb {
        let admin_url = pg_admin_url();
        let name = format!("tenantry_test_{}", uuid::Uuid::new_v4().simple());
        let (_, console_url) = domain::db::scratch_postgres(&admin_url, &name)
            .await
            .expect("Postgres must be reachable for the domain tests");
        let db = Db::connect(&console_url, 8).await.unwrap();
        db.refuse_a_role_above_the_wall().await.unwrap();
        TestDb {
            db,
            cleanup: Cleanup::Postgres { admin_url, name },
        }
    }

    pub async fn finish(self) {
        self.db.close().await;
        match self.cleanup {
            Cleanup::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                if let Ok(admin) = Db::connect(&admin_url, 1).await {
                    let _ = domain::db::raw_admin_execute(
                        &admin,
                        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    )
                    .await;
                    admin.close().await;
                }
            }
        }
    }
}

/// Runs an async test body on SQLite and on Postgres.
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let t = common::TestDb::sqlite().await;
                ($body)(t.db.clone()).await;
                t.finish().await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let t = common::TestDb::postgres().await;
                ($body)(t.db.clone()).await;
                t.finish().await;
            }
        }
    };
}

/// The same Postgres database as `db`, connected as its owner (the admin URL's role).
async fn owner_of(db: &Db) -> Db {
    let name = domain::db::database_name(db).await.unwrap();
    let admin_url = pg_admin_url();
    let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap();
    Db::connect(&format!("{base}/{name}"), 1).await.unwrap()
}

/// Runs DDL a test needs (a fault injected with a trigger) as the tables' owner: the
/// console's role, which the tests connect as on Postgres, may not change the schema.
pub async fn owner_execute(db: &Db, sql: &str) {
    if db.backend() == domain::Backend::Sqlite {
        domain::db::raw_execute(db, sql).await.unwrap();
        return;
    }
    let owner = owner_of(db).await;
    domain::db::raw_execute(&owner, sql).await.unwrap();
    owner.close().await;
}

/// Applies the migrations (and what runs after them at start-up) as a server start does:
/// as the tables' owner on Postgres.
pub async fn migrate_as_owner(db: &Db) {
    if db.backend() == domain::Backend::Sqlite {
        db.migrate().await.unwrap();
        return;
    }
    let owner = owner_of(db).await;
    owner.migrate().await.unwrap();
    owner.close().await;
}

/// A global admin (the bootstrap admin with a known password).
pub async fn global_admin(db: &Db) -> Principal {
    directory::ensure_bootstrap_admin(db, "root@example.test", Some("root-password"))
        .await
        .unwrap();
    let u = directory::user_by_email(db, "root@example.test")
        .await
        .unwrap()
        .unwrap();
    directory::principal_for_user(db, u.id).await.unwrap()
}

/// A user who logged in through an IdP.
pub async fn oidc_user(db: &Db, sub: &str) -> Principal {
    let u = directory::upsert_oidc_user(
        db,
        "http://idp.test",
        sub,
        &format!("{sub}@example.test"),
        true,
        sub,
    )
    .await
    .unwrap();
    directory::principal_for_user(db, u.id).await.unwrap()
}

pub async fn tenant(db: &Db, admin: &Principal, name: &str) -> domain::Tenant {
    directory::create_tenant(
        db,
        admin,
        domain::NewTenant {
            name: name.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

pub async fn scope(
    db: &Db,
    p: &Principal,
    tenant: &str,
) -> Result<TenantScope, domain::DomainError> {
    domain::scope::authorize(db, p, domain::scope::TenantRef::Name(tenant)).await
}

/// Re-reads a principal (memberships may have changed).
pub async fn reload(db: &Db, p: &Principal) -> Principal {
    directory::principal_for_user(db, p.user_id())
        .await
        .unwrap()
}
