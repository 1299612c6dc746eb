//! The tenant controller in real server processes: a teardown interrupted by `kill -9`
//! completes after a restart with nothing orphaned (SQLite), and two replicas on one
//! Postgres database reconcile one at a time, the second taking over when the first dies.

use domain::lifecycle::{self, Deletion};
use domain::scope::{authorize, TenantRef};
use domain::{connections, directory, members, network, Db, Principal, Role, TenantId};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ADMIN_EMAIL: &str = "root@example.test";

/// A server process on its own port, with the given extra settings.
fn spawn(db_url: &str, replica: &str, extra: &[(&str, &str)]) -> Child {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_server"));
    cmd.env("DATABASE_URL", db_url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("TENANTRY_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("TENANTRY_BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("TENANTRY_BOOTSTRAP_ADMIN_PASSWORD", "root-password")
        .env("TENANTRY_SECRET_KEY", "11".repeat(32))
        .env("TENANTRY_REPLICA_ID", replica)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.spawn().expect("the server starts")
}

async fn root(db: &Db) -> Principal {
    directory::ensure_bootstrap_admin(db, ADMIN_EMAIL, Some("root-password"))
        .await
        .unwrap();
    let u = directory::user_by_email(db, ADMIN_EMAIL)
        .await
        .unwrap()
        .unwrap();
    directory::principal_for_user(db, u.id).await.unwrap()
}

/// A tenant with a member, a workspace, a service and a connection to `peer`.
async fn populated(db: &Db, root: &Principal, name: &str, peer: TenantId) -> TenantId {
    let t = directory::create_tenant(
        db,
        root,
        domain::NewTenant {
            name: name.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let s = authorize(db, root, TenantRef::Id(t.id)).await.unwrap();
    let p = authorize(db, root, TenantRef::Id(peer)).await.unwrap();
    members::add(db, &s, &format!("{name}@example.test"), Role::TenantAdmin)
        .await
        .unwrap();
    network::create_workspace(db, &s, "ws", vec!["web".into()])
        .await
        .unwrap();
    network::create_service(db, &s, "api", 443, "https")
        .await
        .unwrap();
    let secret = connections::create_secret(db, &s, None, "")
        .await
        .unwrap()
        .secret;
    connections::redeem(db, &p, &secret, "test").await.unwrap();
    t.id
}

async fn peer(db: &Db, root: &Principal) -> TenantId {
    directory::create_tenant(
        db,
        root,
        domain::NewTenant {
            name: "peer".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
    .id
}

fn pg_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh Postgres database as a deployment has it: (name, owner's URL, console's URL).
async fn scratch(tag: &str) -> (String, String, String) {
    let name = format!("tenantry_{tag}_{}", uuid::Uuid::new_v4().simple());
    let (owner_url, console_url) = domain::db::scratch_postgres(&pg_admin_url(), &name)
        .await
        .unwrap();
    (name, owner_url, console_url)
}

async fn drop_scratch(name: &str) {
    let admin = Db::connect(&pg_admin_url(), 1).await.unwrap();
    let _ = domain::db::raw_admin_execute(
        &admin,
        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
    )
    .await;
    admin.close().await;
}

/// Waits (at most `secs`) until `done` holds.
async fn until<F, Fut>(secs: u64, what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !done().await {
        assert!(
            start.elapsed() < Duration::from_secs(secs),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn steps_done(db: &Db, id: TenantId) -> i64 {
    domain::db::raw_scalar(
        db,
        &format!("SELECT COALESCE(MAX(teardown_done), -1) FROM tenants WHERE id = '{id}'"),
    )
    .await
    .unwrap()
}

/// How many teardown steps each replica recorded (from the system tenant's audit).
async fn steps_by(db: &Db, replica: &str) -> i64 {
    domain::db::raw_scalar(
        db,
        &format!(
            "SELECT COUNT(*) FROM audit_events WHERE action = 'tenant.teardown_step' \
             AND actor_label = 'tenant controller ({replica})'"
        ),
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_teardown_killed_midway_completes_after_a_restart() {
    let dir = std::env::temp_dir().join(format!("tenantry-ctl-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/c.db?mode=rwc", dir.display());
    let db = Db::connect(&url, 4).await.unwrap();
    db.migrate().await.unwrap();
    let root = root(&db).await;
    let peer = peer(&db, &root).await;
    let doomed = populated(&db, &root, "doomed", peer).await;
    assert!(matches!(
        lifecycle::request_delete(&db, &root, doomed, None)
            .await
            .unwrap(),
        Deletion::Started(_)
    ));
    // The first server's seventh step (workspaces, services, traffic) fails: it stops
    // there, and is killed.
    let mut first = spawn(&url, "first", &[("TENANTRY_TEARDOWN_FAULTS", "network")]);
    until(30, "the teardown to reach the failing step", || async {
        steps_done(&db, doomed).await == 6
    })
    .await;
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(!lifecycle::teardown::orphans(&db, doomed)
        .await
        .unwrap()
        .is_empty());
    // A new server takes the lease once the dead one's expires, and finishes.
    let mut second = spawn(&url, "second", &[]);
    until(40, "the teardown to finish", || async {
        steps_done(&db, doomed).await == -1
    })
    .await;
    second.kill().unwrap();
    second.wait().unwrap();
    assert_eq!(
        lifecycle::teardown::orphans(&db, doomed).await.unwrap(),
        vec![]
    );
    assert_eq!(steps_by(&db, "first").await, 6);
    assert_eq!(steps_by(&db, "second").await, 3);
    let broken = domain::db::raw_scalar(
        &db,
        "SELECT COUNT(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'",
    )
    .await
    .unwrap();
    assert_eq!(broken, 0, "PRAGMA integrity_check");
    db.close().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_postgres_reconcile_one_at_a_time() {
    let (name, owner_url, url) = scratch("ctl").await;
    let db = Db::connect(&url, 4).await.unwrap();
    let root = root(&db).await;
    let peer = peer(&db, &root).await;
    let owner = [("TENANTRY_MIGRATION_DATABASE_URL", owner_url.as_str())];
    let mut a = spawn(&url, "a", &owner);
    let mut b = spawn(&url, "b", &owner);
    until(30, "a leader", || async {
        lifecycle::lease_holder(&db).await.unwrap().is_some()
    })
    .await;
    // Both run; one holds the lease and does every step.
    let first = populated(&db, &root, "first", peer).await;
    lifecycle::request_delete(&db, &root, first, None)
        .await
        .unwrap();
    until(30, "the first teardown", || async {
        steps_done(&db, first).await == -1
    })
    .await;
    let leader = lifecycle::lease_holder(&db).await.unwrap().unwrap();
    let follower = if leader == "a" { "b" } else { "a" };
    assert_eq!(steps_by(&db, &leader).await, 9);
    assert_eq!(steps_by(&db, follower).await, 0);
    // The leader dies; the other takes over and finishes the next one.
    let (dead, alive) = if leader == "a" {
        (&mut a, &mut b)
    } else {
        (&mut b, &mut a)
    };
    dead.kill().unwrap();
    dead.wait().unwrap();
    let second = populated(&db, &root, "second", peer).await;
    lifecycle::request_delete(&db, &root, second, None)
        .await
        .unwrap();
    until(40, "the second teardown", || async {
        steps_done(&db, second).await == -1
    })
    .await;
    assert_eq!(
        lifecycle::lease_holder(&db).await.unwrap().as_deref(),
        Some(follower)
    );
    assert_eq!(steps_by(&db, follower).await, 9);
    assert_eq!(
        lifecycle::teardown::orphans(&db, second).await.unwrap(),
        vec![]
    );
    alive.kill().unwrap();
    alive.wait().unwrap();
    db.close().await;
    drop_scratch(&name).await;
}

/// The server refuses to start as a Postgres role that row-level security does not hold
/// (here the superuser that owns the tables), names it and says what to do; with the
/// owner's URL for the migrations and the console role for the rest, it starts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_refuses_a_role_above_the_wall() {
    let (name, owner_url, console_url) = scratch("wall").await;
    let run = |db_url: &str, owner: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_server"));
        cmd.arg("migrate")
            .env("DATABASE_URL", db_url)
            .env("TENANTRY_SECRET_KEY", "11".repeat(32))
            .env("RUST_LOG", "warn")
            .env_remove("TENANTRY_MIGRATION_DATABASE_URL");
        if let Some(owner) = owner {
            cmd.env("TENANTRY_MIGRATION_DATABASE_URL", owner);
        }
        cmd.output().expect("the server runs")
    };
    let refused = run(&owner_url, None);
    let said = String::from_utf8_lossy(&refused.stderr).to_string();
    assert!(!refused.status.success(), "a superuser must be refused");
    assert!(said.contains("as role \""), "{said}");
    assert!(said.contains("is a superuser"), "{said}");
    assert!(said.contains("TENANTRY_MIGRATION_DATABASE_URL"), "{said}");
    let accepted = run(&console_url, Some(&owner_url));
    assert!(
        accepted.status.success(),
        "{}",
        String::from_utf8_lossy(&accepted.stderr)
    );
    drop_scratch(&name).await;
}
