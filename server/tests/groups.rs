//! Groups over REST and from the identity provider: the group routes with their
//! refusals, a refusal that names the missing permission, a JWT's groups claim that
//! sets the groups for one request, and a login whose groups claim sets the user's
//! provider-given memberships.

mod support;

use support::idp::{self, TestIdp, CLIENT_ID};
use support::{Fx, Req, Who};

fn now_s() -> i64 {
    domain::now_ms() / 1000
}

async fn call(
    fx: &Fx,
    method: &str,
    path: &str,
    token: &str,
    project: &str,
    body: Option<serde_json::Value>,
) -> support::Res {
    let mut b = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("ActiveProjectID", project);
    let body = match body {
        Some(json) => {
            b = b.header("content-type", "application/json");
            axum::body::Body::from(json.to_string())
        }
        None => axum::body::Body::empty(),
    };
    fx.send(Who::Anonymous, Req::Raw(b.body(body).unwrap()))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn group_routes_create_list_change_and_delete_with_clear_refusals() {
    let fx = Fx::new().await;
    let acme = fx.tenant_id("acme");
    let ta = fx.token(Who::TenantAdmin);
    let res = call(
        &fx,
        "POST",
        "/api/v1/groups",
        &ta,
        &acme,
        Some(serde_json::json!({"name": "NetOps"})),
    )
    .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert_eq!(res.json()["error"]["field"], "name");
    let res = call(
        &fx,
        "POST",
        "/api/v1/groups",
        &ta,
        &acme,
        Some(serde_json::json!({"name": "netops", "description": "Network"})),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let res = call(
        &fx,
        "POST",
        "/api/v1/groups",
        &ta,
        &acme,
        Some(serde_json::json!({"name": "netops"})),
    )
    .await;
    assert_eq!(res.status, 409);
    assert_eq!(res.json()["error"]["code"], "group_exists");
    // bob is globex's, not acme's: refused, and nothing changes.
    let res = call(
        &fx,
        "POST",
        "/api/v1/groups/netops/members",
        &ta,
        &acme,
        Some(serde_json::json!({"email": "bob@example.test"})),
    )
    .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert_eq!(res.json()["error"]["field"], "email");
    let res = call(
        &fx,
        "POST",
        "/api/v1/groups/netops/members",
        &ta,
        &acme,
        Some(serde_json::json!({"email": "victor@example.test"})),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let victor = res.json()["user_id"].as_str().unwrap().to_string();
    let res = call(&fx, "GET", "/api/v1/groups?q=net", &ta, &acme, None).await;
    assert_eq!(res.status, 200);
    let list = res.json();
    assert_eq!(list["items"][0]["name"], "netops");
    assert_eq!(list["items"][0]["members"], 1);
    let res = call(&fx, "GET", "/api/v1/groups/netops", &ta, &acme, None).await;
    assert_eq!(res.json()["member_list"][0]["email"], "victor@example.test");
    // A viewer reads, and is told what changing needs.
    let v = fx.token(Who::Viewer);
    assert_eq!(
        call(&fx, "GET", "/api/v1/groups/netops", &v, &acme, None)
            .await
            .status,
        200
    );
    let res = call(&fx, "DELETE", "/api/v1/groups/netops", &v, &acme, None).await;
    assert_eq!(res.status, 403);
    let msg = res.json()["error"]["message"].as_str().unwrap().to_string();
    assert!(msg.contains("GROUP_DELETE on groups"), "{msg}");
    let res = call(
        &fx,
        "DELETE",
        &format!("/api/v1/groups/netops/members/{victor}"),
        &ta,
        &acme,
        None,
    )
    .await;
    assert_eq!(res.status, 204);
    assert_eq!(
        call(&fx, "DELETE", "/api/v1/groups/netops", &ta, &acme, None)
            .await
            .status,
        204
    );
    assert_eq!(
        call(&fx, "GET", "/api/v1/groups/netops", &ta, &acme, None)
            .await
            .status,
        404
    );
    fx.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jwt_groups_claim_sets_the_callers_groups_for_that_request() {
    let test_idp = TestIdp::start().await;
    let mut provider = test_idp.provider();
    provider.groups_claim = Some("groups".into());
    let fx = Fx::with_providers(vec![provider]).await;
    let acme_scope = fx.root_scope("acme").await;
    domain::iam::create_group(&fx.db, &acme_scope, "netops", "")
        .await
        .unwrap();
    domain::iam::save_policy(
        &fx.db,
        &acme_scope,
        domain::iam::Save {
            name: "netops",
            text: "Allow group netops to manage workspaces in tenancy\n",
            description: None,
            comment: "",
            base: domain::iam::Base::New,
        },
    )
    .await
    .unwrap();
    let acme = fx.tenant_id("acme");
    let token = |groups: serde_json::Value| {
        idp::sign_with(
            0,
            serde_json::json!({
                "iss": test_idp.issuer, "aud": CLIENT_ID, "sub": "robot",
                "roles": [format!("{acme}_viewer")], "groups": groups,
                "iat": now_s(), "exp": now_s() + 300,
            }),
        )
    };
    let body = |n: &str| Some(serde_json::json!({"name": n, "labels": ["ide"]}));
    // In the group by name of the tenant, and by its id: it may create workspaces.
    let res = call(
        &fx,
        "POST",
        "/api/v1/workspaces",
        &token(serde_json::json!(["acme/netops"])),
        &acme,
        body("by-name"),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let res = call(
        &fx,
        "POST",
        "/api/v1/workspaces",
        &token(serde_json::json!(format!("{acme}/netops"))),
        &acme,
        body("by-id"),
    )
    .await;
    assert_eq!(res.status, 201, "{}", res.body);
    // Without the group, or in another tenant's group of that name, it may not, and the
    // refusal names what is missing.
    // A role's group is never a claimed group: the roles claim alone gives roles.
    for groups in [
        serde_json::json!([]),
        serde_json::json!(["globex/netops"]),
        serde_json::json!(["acme/tenant-admin", "acme/Tenant-Admin"]),
    ] {
        let res = call(
            &fx,
            "POST",
            "/api/v1/workspaces",
            &token(groups),
            &acme,
            body("nope"),
        )
        .await;
        assert_eq!(res.status, 403, "{}", res.body);
        let msg = res.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(msg.contains("WORKSPACE_CREATE on workspaces"), "{msg}");
    }
    fx.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logins_groups_claim_sets_the_users_provider_given_groups() {
    let test_idp = TestIdp::start().await;
    let mut provider = test_idp.provider();
    provider.groups_claim = Some("groups".into());
    let fx = Fx::with_providers(vec![provider]).await;
    let acme_scope = fx.root_scope("acme").await;
    domain::members::add(
        &fx.db,
        &acme_scope,
        "gus@example.test",
        domain::Role::Viewer,
    )
    .await
    .unwrap();
    for g in ["netops", "auditors", "console-only"] {
        domain::iam::create_group(&fx.db, &acme_scope, g, "")
            .await
            .unwrap();
    }
    domain::iam::add_group_member(&fx.db, &acme_scope, "console-only", "gus@example.test")
        .await
        .unwrap();
    let login = |groups: serde_json::Value| {
        let test_idp = test_idp.clone();
        let fx = &fx;
        async move {
            let started = idp::start_login(fx, "/t/acme").await;
            test_idp.hand_out(idp::sign_with(
                0,
                serde_json::json!({
                    "iss": test_idp.issuer, "aud": CLIENT_ID, "sub": "gus",
                    "email": "gus@example.test", "email_verified": true, "name": "Gus",
                    "nonce": started.nonce, "groups": groups,
                    "iat": now_s(), "exp": now_s() + 300,
                }),
            ));
            let back = idp::finish_login(fx, &started).await;
            assert_eq!(back.headers["location"], "/t/acme", "{:?}", back.headers);
        }
    };
    let members_of = |g: &'static str| {
        let scope = acme_scope.clone();
        let db = fx.db.clone();
        async move {
            domain::iam::get_group(&db, &scope, g)
                .await
                .unwrap()
                .members
                .into_iter()
                .map(|m| (m.email, m.source))
                .collect::<Vec<_>>()
        }
    };
    // Unknown tenants and groups in the claim are left out.
    login(serde_json::json!([
        "acme/netops",
        "acme/auditors",
        "acme/nope",
        "initech/netops",
        "plain"
    ]))
    .await;
    let gus = ("gus@example.test".to_string(), "oidc".to_string());
    assert_eq!(members_of("netops").await, vec![gus.clone()]);
    assert_eq!(members_of("auditors").await, vec![gus.clone()]);
    // The next login replaces what the provider gave; what an admin gave stays.
    login(serde_json::json!(["acme/auditors"])).await;
    assert!(members_of("netops").await.is_empty());
    assert_eq!(members_of("auditors").await, vec![gus]);
    assert_eq!(
        members_of("console-only").await,
        vec![("gus@example.test".to_string(), "console".to_string())]
    );
    let log = domain::audit::list(&fx.db, &acme_scope, None, Some(50))
        .await
        .unwrap();
    assert!(log.items.iter().any(|e| e.action == "group.claim_sync"));
    fx.finish().await;
}
