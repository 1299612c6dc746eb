//! The second wall, on Postgres: row-level security on every tenant-owned table, set per
//! transaction, and a console role that cannot step over it. (SQLite has no row-level
//! security; there the repositories' tenant filter is the only wall.)

mod common;

use common::TestDb;
use domain::db::{self, Wall};
use domain::network;
use domain::TenantId;

/// Two tenants with rows in several tables each: the tenants' own rows, their members,
/// audit events, workspaces and their labels, groups, connection secrets.
async fn two_tenants(db: &domain::Db) -> (TenantId, TenantId) {
    let root = common::global_admin(db).await;
    let mut ids = Vec::new();
    for name in ["walla", "wallb"] {
        let t = common::tenant(db, &root, name).await;
        let s = common::scope(db, &root, name).await.unwrap();
        for w in 0..3 {
            network::create_workspace(db, &s, &format!("{name}-ws{w}"), vec!["web".into()])
                .await
                .unwrap();
        }
        domain::iam::create_group(db, &s, &format!("{name}-ops"), "")
            .await
            .unwrap();
        domain::connections::create_secret(db, &s, None, "for the wall test")
            .await
            .unwrap();
        ids.push(t.id);
    }
    (ids[0], ids[1])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tenant_owned_table_is_held_by_row_security() {
    let t = TestDb::postgres().await;
    let tables = db::tenant_owned_tables(&t.db).await.unwrap();
    assert!(tables.len() >= 20, "found only {tables:?}");
    let mut unheld = Vec::new();
    for table in &tables {
        let forced = db::raw_scalar(
            &t.db,
            &format!(
                "SELECT COUNT(*) FROM pg_class WHERE relname = '{table}' \
                 AND relrowsecurity AND relforcerowsecurity"
            ),
        )
        .await
        .unwrap();
        let policies = db::raw_scalar(
            &t.db,
            &format!("SELECT COUNT(*) FROM pg_policies WHERE tablename = '{table}'"),
        )
        .await
        .unwrap();
        if forced != 1 || policies == 0 {
            unheld.push(table.clone());
        }
    }
    println!(
        "row security: {} of {} tenant-owned tables forced and with a policy",
        tables.len() - unheld.len(),
        tables.len()
    );
    assert_eq!(unheld, Vec::<String>::new());
    t.finish().await;
}

/// The repositories' tenant filter switched off: every tenant-owned table read with no
/// `WHERE` at all, behind one tenant's wall, yields that tenant's rows and no other's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_tenant_filter_a_tenant_still_reads_only_its_own_rows() {
    let t = TestDb::postgres().await;
    let (a, b) = two_tenants(&t.db).await;
    let tables = db::tenant_owned_tables(&t.db).await.unwrap();
    let (mut seen_of_b, mut own_missing, mut b_rows) = (0, Vec::new(), 0);
    for table in &tables {
        let count = |wall: Wall, filter: String| {
            let sql = format!("SELECT COUNT(*) FROM {table} {filter}");
            let db = t.db.clone();
            async move { db::raw_scalar_behind(&db, wall, &sql).await.unwrap() }
        };
        let unfiltered = count(Wall::Tenant(a), String::new()).await;
        let others = count(Wall::Tenant(a), format!("WHERE tenant_id <> '{a}'")).await;
        let own = count(Wall::Platform, format!("WHERE tenant_id = '{a}'")).await;
        b_rows += count(Wall::Platform, format!("WHERE tenant_id = '{b}'")).await;
        seen_of_b += others;
        if unfiltered != own {
            own_missing.push(format!("{table}: {unfiltered} of {own}"));
        }
    }
    // No wall at all sees nothing.
    let unwalled = db::raw_scalar_unwalled(&t.db, "SELECT COUNT(*) FROM workspaces")
        .await
        .unwrap();
    println!(
        "filter off, behind A's wall: {seen_of_b} of B's {b_rows} rows seen in {} tables; \
         with no wall: {unwalled} workspaces",
        tables.len()
    );
    assert!(
        b_rows >= 10,
        "the fixture should give B rows in several tables"
    );
    assert_eq!(seen_of_b, 0);
    assert_eq!(own_missing, Vec::<String>::new());
    assert_eq!(unwalled, 0);
    t.finish().await;
}

/// A write behind one tenant's wall cannot put a row into another tenant.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_behind_one_wall_cannot_land_in_another_tenant() {
    let t = TestDb::postgres().await;
    let (a, b) = two_tenants(&t.db).await;
    let before = db::raw_scalar(&t.db, "SELECT COUNT(*) FROM workspace_labels")
        .await
        .unwrap();
    let refused = db::raw_execute_behind(
        &t.db,
        Wall::Tenant(a),
        &format!(
            "INSERT INTO workspace_labels (tenant_id, workspace_id, label) \
             SELECT tenant_id, id, 'smuggled' FROM workspaces WHERE tenant_id = '{a}' LIMIT 1; \
             UPDATE workspace_labels SET tenant_id = '{b}' WHERE label = 'smuggled'"
        ),
    )
    .await;
    assert!(refused.is_err(), "moving a row to another tenant must fail");
    let after = db::raw_scalar(&t.db, "SELECT COUNT(*) FROM workspace_labels")
        .await
        .unwrap();
    assert_eq!(before, after, "the refused transaction changed nothing");
    t.finish().await;
}

/// Ten thousand pooled transactions behind alternating walls: each sees exactly its own
/// tenant's rows, and afterwards no pooled connection carries a tenant outside a
/// transaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_pooled_transactions_leak_no_tenant_setting() {
    let t = TestDb::postgres().await;
    let (a, b) = two_tenants(&t.db).await;
    // Add a workspace to B, so that the two tenants' counts differ.
    let root = common::global_admin(&t.db).await;
    let sb = common::scope(&t.db, &root, "wallb").await.unwrap();
    network::create_workspace(&t.db, &sb, "wallb-extra", vec![])
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for worker in 0..16u64 {
        let db = t.db.clone();
        tasks.push(tokio::spawn(async move {
            let mut wrong = 0;
            for i in 0..625u64 {
                let (wall, expected) = if (worker + i) % 2 == 0 {
                    (Wall::Tenant(a), 3)
                } else {
                    (Wall::Tenant(b), 4)
                };
                let n = db::raw_scalar_behind(&db, wall, "SELECT COUNT(*) FROM workspaces")
                    .await
                    .unwrap();
                if n != expected {
                    wrong += 1;
                }
            }
            wrong
        }));
    }
    let mut wrong = 0;
    for task in tasks {
        wrong += task.await.unwrap();
    }
    let settings = db::settings_outside_transactions(&t.db).await.unwrap();
    let leaked: Vec<&String> = settings.iter().filter(|s| !s.is_empty()).collect();
    println!(
        "10,000 pooled transactions: {wrong} saw the wrong tenant; {} pooled connections, {} carry a tenant outside a transaction",
        settings.len(),
        leaked.len()
    );
    assert_eq!(wrong, 0);
    assert!(!settings.is_empty());
    assert_eq!(leaked, Vec::<&String>::new());
    t.finish().await;
}

/// The console refuses to run as a role above the wall, and says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_that_bypasses_row_security_is_refused() {
    let admin_url = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let superuser = domain::Db::connect(&admin_url, 1).await.unwrap();
    let refused = superuser.refuse_a_role_above_the_wall().await.unwrap_err();
    let message = refused.to_string();
    assert!(message.contains("is a superuser"), "{message}");
    assert!(
        message.contains("TENANTRY_MIGRATION_DATABASE_URL"),
        "{message}"
    );
    superuser.close().await;
    // The console role of a test database is accepted (TestDb checks it too).
    let t = TestDb::postgres().await;
    t.db.refuse_a_role_above_the_wall().await.unwrap();
    t.finish().await;
}
