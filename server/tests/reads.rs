//! A GET never writes (issue: reads that never write). Every page and every REST read,
//! as each kind of caller, is requested twice; after the first round, which may push a
//! session's idle expiry forward, record a token's first use or remember the tenant
//! entered (each at most once per interval or per change), the second round must
//! commit nothing at all. A separate connection's `PRAGMA data_version` tells: it
//! changes whenever any other connection commits to the file.

mod support;

use sqlx::Connection;
use support::{Fx, Req, Who};

const PAGES: [&str; 12] = [
    "/t/acme",
    "/t/acme/members",
    "/t/acme/audit",
    "/t/acme/connections",
    "/t/acme/workspaces",
    "/t/acme/services",
    "/t/acme/network-policies",
    "/t/acme/network-policies/acme-policy",
    "/t/acme/tenants",
    "/t/acme/audit?actor=admin&from=2020-01-01",
    "/admin/tenants",
    "/admin/connection-map",
];

async fn data_version(conn: &mut sqlx::SqliteConnection) -> i64 {
    sqlx::query_scalar("PRAGMA data_version")
        .fetch_one(conn)
        .await
        .unwrap()
}

async fn read_everything(fx: &Fx) {
    let acme = fx.tenant_id("acme");
    for who in [Who::GlobalAdmin, Who::TenantAdmin, Who::Viewer] {
        for page in PAGES {
            let res = fx.send_page(who, page).await;
            assert!(res.status < 500, "{page} as {who:?}: {}", res.status);
        }
        for (method, path, _) in server::rest::registered_routes() {
            if method != "GET" || path.contains('{') {
                continue;
            }
            let req = Req::api(
                "GET",
                &format!("/api/v1{path}"),
                who,
                Some(acme.clone()),
                None,
            );
            let res = fx.send(who, req).await;
            assert!(res.status < 500, "GET {path} as {who:?}: {}", res.status);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_views_and_api_reads_commit_nothing() {
    let fx = Fx::new().await;
    let url = format!("sqlite://{}", fx.db_file().display());
    let mut watcher = sqlx::SqliteConnection::connect(&url).await.unwrap();
    read_everything(&fx).await;
    let before = data_version(&mut watcher).await;
    read_everything(&fx).await;
    let after = data_version(&mut watcher).await;
    assert_eq!(before, after, "a second round of reads committed a write");
    // The watcher does see commits: a write moves it.
    let res = fx
        .send(
            Who::TenantAdmin,
            Req::sfn(
                "add_member",
                &[
                    ("tenant", "acme"),
                    ("email", "reader@example.test"),
                    ("role", "viewer"),
                ],
            ),
        )
        .await;
    assert!(res.status < 400, "{}", res.body);
    assert_ne!(data_version(&mut watcher).await, after);
    fx.finish().await;
}
