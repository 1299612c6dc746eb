//! REST API and web-security behaviour through the real router.

mod support;

use axum::body::Body;
use axum::http::{header, Request};
use support::{Fx, Req, Who};

fn api(method: &str, path: &str, project: Option<String>, body: Option<&str>) -> Req {
    Req::api(
        method,
        path,
        Who::Anonymous,
        project,
        body.map(str::to_string),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_and_active_project_rules() {
    let fx = Fx::new().await;
    // No token, a wrong token: 401 with the error shape.
    let res = fx
        .send(Who::Anonymous, api("GET", "/api/v1/me", None, None))
        .await;
    assert_eq!(res.status, 401);
    assert_eq!(res.json()["error"]["code"], "unauthenticated");
    assert!(res.headers.contains_key(header::WWW_AUTHENTICATE));
    let bad = Request::get("/api/v1/me")
        .header(header::AUTHORIZATION, "Bearer tnt_forged")
        .body(Body::empty())
        .unwrap();
    assert_eq!(fx.send(Who::Anonymous, Req::Raw(bad)).await.status, 401);
    // Missing and malformed ActiveProjectID: 400.
    let res = fx
        .send(Who::TenantAdmin, api("GET", "/api/v1/members", None, None))
        .await;
    assert_eq!(
        (res.status, res.json()["error"]["code"].as_str()),
        (400, Some("missing_active_project"))
    );
    let res = fx
        .send(
            Who::TenantAdmin,
            api("GET", "/api/v1/members", Some("not-a-uuid".into()), None),
        )
        .await;
    assert_eq!(
        (res.status, res.json()["error"]["code"].as_str()),
        (400, Some("invalid_active_project"))
    );
    // A tenant with no role, and one that does not exist, both answer 403 alike.
    let res = fx
        .send(
            Who::TenantAdmin,
            api("GET", "/api/v1/members", Some(fx.tenant_id("globex")), None),
        )
        .await;
    assert_eq!(
        (res.status, res.json()["error"]["code"].as_str()),
        (403, Some("no_role_in_tenant"))
    );
    let res = fx
        .send(
            Who::TenantAdmin,
            api(
                "GET",
                "/api/v1/members",
                Some(uuid::Uuid::new_v4().to_string()),
                None,
            ),
        )
        .await;
    assert_eq!(
        (res.status, res.json()["error"]["code"].as_str()),
        (403, Some("no_role_in_tenant"))
    );
    // The global admin has every tenant.
    let res = fx
        .send(
            Who::GlobalAdmin,
            api("GET", "/api/v1/members", Some(fx.tenant_id("globex")), None),
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["items"][0]["email"], "bob@example.test");
    fx.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_lists_roles_as_tenant_id_underscore_role() {
    let fx = Fx::new().await;
    let res = fx
        .send(Who::TenantAdmin, api("GET", "/api/v1/me", None, None))
        .await;
    assert_eq!(res.status, 200);
    let me = res.json();
    assert_eq!(me["user"]["email"], "alice@example.test");
    assert_eq!(me["global_admin"], false);
    assert_eq!(
        me["roles"],
        serde_json::json!([format!("{}_tenant-admin", fx.tenant_id("acme"))])
    );
    let root = fx
        .send(Who::GlobalAdmin, api("GET", "/api/v1/me", None, None))
        .await
        .json();
    assert_eq!(root["global_admin"], true);
    assert_eq!(
        root["roles"],
        serde_json::json!([format!("{}_admin", fx.tenant_id("admin"))])
    );
    fx.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_create_list_and_get() {
    let fx = Fx::new().await;
    let id = uuid::Uuid::new_v4().to_string();
    let body = format!(
        r#"{{"name":"analytics","description":"Data team","labels":{{"env":"prod","team":"analytics"}},"id":"{id}"}}"#
    );
    let res = fx
        .send(
            Who::GlobalAdmin,
            api("POST", "/api/v1/tenants", None, Some(&body)),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let t = res.json();
    assert_eq!(t["id"], id.as_str(), "the supplied id is kept (seed 004)");
    assert_eq!(t["labels"]["env"], "prod");
    assert_eq!(t["desired_state"], "CREATED");
    // Duplicate, invalid name, invalid label, invalid JSON: clear errors, nothing created.
    let res = fx
        .send(
            Who::GlobalAdmin,
            api(
                "POST",
                "/api/v1/tenants",
                None,
                Some(r#"{"name":"analytics"}"#),
            ),
        )
        .await;
    assert_eq!(
        (res.status, res.json()["error"]["code"].as_str()),
        (409, Some("tenant_exists"))
    );
    let res = fx
        .send(
            Who::GlobalAdmin,
            api(
                "POST",
                "/api/v1/tenants",
                None,
                Some(r#"{"name":"Has Spaces"}"#),
            ),
        )
        .await;
    assert_eq!(
        (res.status, res.json()["error"]["code"].as_str()),
        (422, Some("invalid_input"))
    );
    let res = fx
        .send(
            Who::GlobalAdmin,
            api(
                "POST",
                "/api/v1/tenants",
                None,
                Some(r#"{"name":"okname","labels":{"Env":"x"}}"#),
            ),
        )
        .await;
    assert_eq!(res.status, 422);
    let res = fx
        .send(
            Who::GlobalAdmin,
            api("POST", "/api/v1/tenants", None, Some("{not json")),
        )
        .await;
    assert_eq!(
        (res.status, res.json()["error"]["code"].as_str()),
        (400, Some("invalid_json"))
    );
    let list = fx
        .send(
            Who::GlobalAdmin,
            api("GET", "/api/v1/tenants?limit=2", None, None),
        )
        .await
        .json();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    let cursor = list["next_cursor"].as_str().unwrap().to_string();
    let rest = fx
        .send(
            Who::GlobalAdmin,
            api(
                "GET",
                &format!("/api/v1/tenants?limit=2&cursor={cursor}"),
                None,
                None,
            ),
        )
        .await
        .json();
    let names: Vec<_> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["items"].as_array().unwrap())
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, vec!["acme", "admin", "analytics", "globex"]);
    let prod = fx
        .send(
            Who::GlobalAdmin,
            api("GET", "/api/v1/tenants?label=env=prod", None, None),
        )
        .await
        .json();
    assert_eq!(prod["items"].as_array().unwrap().len(), 1);
    // A tenant admin sees only acme, and gets 404 for a tenant that is not theirs.
    let mine = fx
        .send(Who::TenantAdmin, api("GET", "/api/v1/tenants", None, None))
        .await
        .json();
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        fx.send(
            Who::TenantAdmin,
            api("GET", &format!("/api/v1/tenants/{id}"), None, None)
        )
        .await
        .status,
        404
    );
    assert_eq!(
        fx.send(
            Who::TenantAdmin,
            api("GET", "/api/v1/tenants/not-a-uuid", None, None)
        )
        .await
        .status,
        404
    );
    fx.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_and_members() {
    let fx = Fx::new().await;
    let res = fx
        .send(
            Who::GlobalAdmin,
            api(
                "POST",
                "/api/v1/users",
                None,
                Some(r#"{"email":"erin@example.test","name":"Erin"}"#),
            ),
        )
        .await;
    assert_eq!(res.status, 201);
    let res = fx
        .send(
            Who::GlobalAdmin,
            api(
                "POST",
                "/api/v1/users",
                None,
                Some(r#"{"email":"erin@example.test"}"#),
            ),
        )
        .await;
    assert_eq!(res.status, 409);
    let acme = Some(fx.tenant_id("acme"));
    let res = fx
        .send(
            Who::TenantAdmin,
            api(
                "POST",
                "/api/v1/members",
                acme.clone(),
                Some(r#"{"email":"erin@example.test","role":"viewer"}"#),
            ),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let erin = res.json()["user_id"].as_str().unwrap().to_string();
    // A tenant admin can never grant admin; an unknown role is a 422.
    let res = fx
        .send(
            Who::TenantAdmin,
            api(
                "POST",
                "/api/v1/members",
                acme.clone(),
                Some(r#"{"email":"x@example.test","role":"admin"}"#),
            ),
        )
        .await;
    assert_eq!(res.status, 403);
    let res = fx
        .send(
            Who::TenantAdmin,
            api(
                "POST",
                "/api/v1/members",
                acme.clone(),
                Some(r#"{"email":"x@example.test","role":"owner"}"#),
            ),
        )
        .await;
    assert_eq!(res.status, 422);
    let list = fx
        .send(
            Who::Viewer,
            api("GET", "/api/v1/members?q=erin", acme.clone(), None),
        )
        .await
        .json();
    assert_eq!(list["items"][0]["email"], "erin@example.test");
    assert_eq!(
        fx.send(
            Who::Viewer,
            api(
                "DELETE",
                &format!("/api/v1/members/{erin}"),
                acme.clone(),
                None
            )
        )
        .await
        .status,
        403
    );
    assert_eq!(
        fx.send(
            Who::TenantAdmin,
            api(
                "DELETE",
                &format!("/api/v1/members/{erin}"),
                acme.clone(),
                None
            )
        )
        .await
        .status,
        204
    );
    assert_eq!(
        fx.send(
            Who::TenantAdmin,
            api(
                "DELETE",
                &format!("/api/v1/members/{erin}"),
                acme.clone(),
                None
            )
        )
        .await
        .status,
        404
    );
    // Every change is in the audit log.
    let scope = {
        let u = domain::directory::user_by_email(&fx.db, support::ADMIN_EMAIL)
            .await
            .unwrap()
            .unwrap();
        let p = domain::directory::principal_for_user(&fx.db, u.id)
            .await
            .unwrap();
        domain::scope::authorize(&fx.db, &p, domain::scope::TenantRef::Name("acme"))
            .await
            .unwrap()
    };
    let log = domain::audit::list(&fx.db, &scope, None, Some(100))
        .await
        .unwrap();
    assert!(log
        .items
        .iter()
        .any(|e| e.action == "member.remove" && e.target == "erin@example.test"));
    fx.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_lists_the_routes() {
    let fx = Fx::new().await;
    let doc = fx
        .send(
            Who::Anonymous,
            api("GET", "/api/v1/openapi.json", None, None),
        )
        .await
        .json();
    assert_eq!(doc["info"]["title"], "Tenantry API");
    for path in [
        "/me",
        "/tenants",
        "/tenants/{id}",
        "/users",
        "/members",
        "/members/{user_id}",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
    fx.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_mutations_are_refused_and_headers_are_set() {
    let fx = Fx::new().await;
    let count = || async {
        domain::directory::user_by_email(&fx.db, "cross@example.test")
            .await
            .unwrap()
            .is_none()
    };
    for (name, value) in [
        ("sec-fetch-site", "cross-site"),
        ("origin", "https://evil.example"),
    ] {
        let req = Request::post("/api/v1/users")
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", fx.token(Who::GlobalAdmin)),
            )
            .header(header::CONTENT_TYPE, "application/json")
            .header(name, value)
            .body(Body::from(r#"{"email":"cross@example.test"}"#))
            .unwrap();
        let res = fx.send(Who::Anonymous, Req::Raw(req)).await;
        assert_eq!(res.status, 403, "{name}: {value}");
        assert_eq!(res.json()["error"]["code"], "cross_site_request");
        assert!(count().await, "nothing was created");
        // Server functions too.
        let req = Request::post("/fn/add_member")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(name, value)
            .body(Body::from(
                "tenant=acme&email=cross%40example.test&role=viewer",
            ))
            .unwrap();
        assert_eq!(fx.send(Who::Anonymous, Req::Raw(req)).await.status, 403);
    }
    // Same-origin requests pass the check.
    let req = Request::post("/api/v1/users")
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", fx.token(Who::GlobalAdmin)),
        )
        .header(header::CONTENT_TYPE, "application/json")
        .header("origin", "http://127.0.0.1:3000")
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(r#"{"email":"same@example.test"}"#))
        .unwrap();
    assert_eq!(fx.send(Who::Anonymous, Req::Raw(req)).await.status, 201);
    let res = fx
        .send(
            Who::Anonymous,
            api("GET", "/api/v1/openapi.json", None, None),
        )
        .await;
    for h in [
        "content-security-policy",
        "x-content-type-options",
        "referrer-policy",
        "x-frame-options",
    ] {
        assert!(res.headers.contains_key(h), "{h} set");
    }
    assert!(res.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    fx.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_need_login_and_local_login_starts_a_session() {
    let fx = Fx::new().await;
    let res = fx
        .send(
            Who::Anonymous,
            Req::Raw(Request::get("/t/acme/members").body(Body::empty()).unwrap()),
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(
        res.headers[header::LOCATION],
        "/login?next=%2Ft%2Facme%2Fmembers"
    );
    let wrong = Request::post("/auth/local")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(
            "email=admin%40localhost&password=nope&next=%2Ft%2Facme",
        ))
        .unwrap();
    let res = fx.send(Who::Anonymous, Req::Raw(wrong)).await;
    assert_eq!(
        res.headers[header::LOCATION],
        "/login?error=invalid_credentials"
    );
    let right = Request::post("/auth/local")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "email=admin%40localhost&password={}&next=%2F%2Fevil.example",
            support::ADMIN_PASSWORD
        )))
        .unwrap();
    let res = fx.send(Who::Anonymous, Req::Raw(right)).await;
    assert_eq!(
        res.headers[header::LOCATION],
        "/",
        "an off-site next is not followed"
    );
    let cookie = res.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("tenantry_session="));
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    let session = cookie.split(';').next().unwrap().to_string();
    let page = Request::get("/t/globex/members")
        .header(header::COOKIE, session.clone())
        .body(Body::empty())
        .unwrap();
    let res = fx.send(Who::Anonymous, Req::Raw(page)).await;
    assert_eq!(res.status, 200, "the global admin sees every tenant");
    // The page's CSP admits only scripts carrying this response's nonce.
    let csp = res.headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    let script_src = csp
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .unwrap()
        .to_string();
    assert!(script_src.contains("'nonce-"), "{csp}");
    assert!(!script_src.contains("unsafe-inline"), "{csp}");
    let nonce = script_src
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_string();
    assert!(
        res.body.contains(&format!("nonce=\"{nonce}\"")),
        "inline scripts carry the nonce"
    );
    fx.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_tenants_page_is_404_and_unknown_pages_too() {
    let fx = Fx::new().await;
    for (who, path, status) in [
        (Who::TenantAdmin, "/t/acme/members", 200),
        (Who::TenantAdmin, "/t/globex/members", 404),
        (Who::TenantAdmin, "/t/globex", 404),
        (Who::TenantAdmin, "/t/admin/tenants", 404),
        (Who::TenantAdmin, "/t/acme/tenants", 403),
        (Who::Viewer, "/t/acme", 200),
        (Who::Viewer, "/t/nope/audit", 404),
    ] {
        let res = fx.send_page(who, path).await;
        assert_eq!(res.status, status, "{who:?} {path}");
        assert!(
            !res.body.contains("bob@example.test"),
            "{path} leaks nothing"
        );
        if status == 404 {
            assert!(res.body.contains("Page not found"));
        }
    }
    let res = fx.send_page(Who::TenantAdmin, "/definitely/not/here").await;
    assert_eq!(res.status, 404);
    fx.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connection_secrets_and_connections_over_rest() {
    let fx = Fx::new().await;
    let acme = Some(fx.tenant_id("acme"));
    let globex = Some(fx.tenant_id("globex"));
    // Issue: the secret appears once, with its expiry; lifetimes outside 5 min-30 days are refused.
    let res = fx
        .send(
            Who::TenantAdmin,
            api(
                "POST",
                "/api/v1/connection-secrets",
                acme.clone(),
                Some(r#"{"note":"for globex"}"#),
            ),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let issued = res.json();
    let secret = issued["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("ncs_"));
    let bad = fx
        .send(
            Who::TenantAdmin,
            api(
                "POST",
                "/api/v1/connection-secrets",
                acme.clone(),
                Some(r#"{"expires_in_seconds":60}"#),
            ),
        )
        .await;
    assert_eq!(
        (bad.status, bad.json()["error"]["code"].as_str()),
        (422, Some("invalid_input"))
    );
    let listed = fx
        .send(
            Who::TenantAdmin,
            api("GET", "/api/v1/connection-secrets", acme.clone(), None),
        )
        .await;
    assert!(!listed.body.contains(&secret), "the secret is never listed");
    assert!(listed.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["note"] == "for globex" && s["status"] == "pending"));
    // Redeem into acme itself: refused with its own code.
    let own = fx
        .send(
            Who::TenantAdmin,
            api(
                "POST",
                "/api/v1/connections",
                acme.clone(),
                Some(&format!(r#"{{"secret":"{secret}"}}"#)),
            ),
        )
        .await;
    assert_eq!(
        (own.status, own.json()["error"]["code"].as_str()),
        (409, Some("self_connection"))
    );
    // The global admin redeems it for globex; a second redemption is refused.
    let made = fx
        .send(
            Who::GlobalAdmin,
            api(
                "POST",
                "/api/v1/connections",
                globex.clone(),
                Some(&format!(r#"{{"secret":"{secret}"}}"#)),
            ),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.body);
    let conn = made.json();
    assert_eq!(
        (conn["remote_tenant_name"].as_str(), conn["status"].as_str()),
        (Some("acme"), Some("Active"))
    );
    assert_eq!(conn["remote_tenant_id"], fx.tenant_id("acme").as_str());
    let again = fx
        .send(
            Who::GlobalAdmin,
            api(
                "POST",
                "/api/v1/connections",
                globex.clone(),
                Some(&format!(r#"{{"secret":"{secret}"}}"#)),
            ),
        )
        .await;
    assert_eq!(
        (again.status, again.json()["error"]["code"].as_str()),
        (409, Some("secret_used"))
    );
    // Acme sees the same connection as a provider, and revokes it; globex sees it revoked.
    let id = conn["id"].as_str().unwrap().to_string();
    let seen = fx
        .send(
            Who::TenantAdmin,
            api(
                "GET",
                &format!("/api/v1/connections/{id}"),
                acme.clone(),
                None,
            ),
        )
        .await
        .json();
    assert_eq!(
        (
            seen["direction"].as_str(),
            seen["remote_tenant_name"].as_str()
        ),
        (Some("provides"), Some("globex"))
    );
    let revoked = fx
        .send(
            Who::TenantAdmin,
            api(
                "DELETE",
                &format!("/api/v1/connections/{id}"),
                acme.clone(),
                None,
            ),
        )
        .await;
    assert_eq!(
        (revoked.status, revoked.json()["status"].as_str()),
        (200, Some("Revoked"))
    );
    let other_side = fx
        .send(
            Who::GlobalAdmin,
            api(
                "GET",
                &format!("/api/v1/connections/{id}"),
                globex.clone(),
                None,
            ),
        )
        .await
        .json();
    assert_eq!(other_side["status"], "Revoked");
    let twice = fx
        .send(
            Who::TenantAdmin,
            api(
                "DELETE",
                &format!("/api/v1/connections/{id}"),
                acme.clone(),
                None,
            ),
        )
        .await;
    assert_eq!(
        (twice.status, twice.json()["error"]["code"].as_str()),
        (409, Some("connection_revoked"))
    );
    // Redemption attempts are rate-limited: 429 with a stable code.
    let mut statuses = Vec::new();
    for _ in 0..12 {
        let r = fx
            .send(
                Who::TenantAdmin,
                api(
                    "POST",
                    "/api/v1/connections",
                    acme.clone(),
                    Some(r#"{"secret":"ncs_guess"}"#),
                ),
            )
            .await;
        statuses.push((
            r.status,
            r.json()["error"]["code"].as_str().unwrap_or("").to_string(),
        ));
    }
    assert!(statuses
        .iter()
        .any(|(s, c)| *s == 409 && c == "secret_unknown"));
    assert_eq!(
        statuses.last().map(|(s, c)| (*s, c.as_str())),
        Some((429, "rate_limited"))
    );
    fx.finish().await;
}

/// The nonce a page's CSP admits, if any.
fn csp_nonce(res: &support::Res) -> Option<String> {
    let csp = res.headers.get("content-security-policy")?.to_str().ok()?;
    Some(csp.split("'nonce-").nth(1)?.split('\'').next()?.to_string())
}

/// Pages rendered at the same time never mix: each response carries its own request's
/// CSP nonce (the one its scripts bear) and its own caller. A render that ran under
/// another request's context would show up here as a missing or foreign nonce, or as
/// another user's email in the header. (Leptos lazy routes did exactly this under load;
/// see the closing notes of the session that tried them.)
/// `scripts/test.sh` runs this test on its own: beside the other tests of this binary,
/// each on its own runtime, a render sometimes waits forever on work handed to another
/// test's runtime that has ended (alone it never does; a server has one runtime).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_page_renders_never_mix_requests() {
    let fx = Fx::new().await;
    let callers = [
        (Who::GlobalAdmin, support::ADMIN_EMAIL),
        (Who::TenantAdmin, "alice@example.test"),
        (Who::Viewer, "victor@example.test"),
    ];
    let paths = [
        "/t/acme",
        "/t/acme/members",
        "/t/acme/clouds",
        "/t/acme/iam-policies",
        "/t/acme/audit",
        "/no-such-page",
    ];
    let mut mixed = Vec::new();
    for _round in 0..4 {
        // Spawned, so that renders run at once on both worker threads.
        let mut calls = tokio::task::JoinSet::new();
        for (who, email) in callers {
            for path in paths {
                let (router, req) = (fx.router.clone(), fx.page_request(who, path));
                calls.spawn(async move {
                    let res = tower::ServiceExt::oneshot(router, req).await.unwrap();
                    let headers = res.headers().clone();
                    let status = res.status().as_u16();
                    let bytes = http_body_util::BodyExt::collect(res.into_body())
                        .await
                        .unwrap()
                        .to_bytes();
                    let body = String::from_utf8_lossy(&bytes).into_owned();
                    (
                        path,
                        email,
                        support::Res {
                            status,
                            headers,
                            body,
                        },
                    )
                });
            }
        }
        while let Some(done) = calls.join_next().await {
            let (path, email, res) = done.unwrap();
            let expected = if path.contains("no-such") { 404 } else { 200 };
            assert_eq!(res.status, expected, "{path} as {email}");
            match csp_nonce(&res) {
                Some(n) if res.body.contains(&format!("nonce=\"{n}\"")) => {}
                other => mixed.push(format!(
                    "{path} as {email}: CSP nonce {other:?} is not the page's"
                )),
            }
            if !res.body.contains(&format!("title=\"{email}\"")) {
                mixed.push(format!(
                    "{path} as {email}: the header does not name its caller"
                ));
            }
        }
    }
    assert!(mixed.is_empty(), "{}", mixed.join("\n"));
    fx.finish().await;
}
