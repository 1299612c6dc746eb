//! The security review's REST findings through the real router: a bearer JWT from a
//! configured provider cannot take over the bootstrap admin, `nbf` is checked, and
//! `/me` reports the token's roles. The provider is a small OpenID Provider served
//! here on loopback (discovery and JWKS) with a test-only RSA key, so that tokens with
//! any claims can be signed; the console discovers and verifies it like any other.

mod support;

use support::idp::{self, TestIdp, CLIENT_ID};
use support::{Fx, Req, Who};

fn now_s() -> i64 {
    domain::now_ms() / 1000
}

fn sign(claims: serde_json::Value) -> String {
    idp::sign_with(0, claims)
}

async fn call(fx: &Fx, method: &str, path: &str, token: &str, body: Option<&str>) -> support::Res {
    let mut b = axum::http::Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"));
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
async fn a_bearer_jwt_cannot_take_over_the_bootstrap_admin() {
    let test_idp = TestIdp::start().await;
    let issuer = test_idp.issuer.clone();
    let fx = Fx::with_providers(vec![test_idp.provider()]).await;
    let admin = domain::directory::user_by_email(&fx.db, support::ADMIN_EMAIL)
        .await
        .unwrap()
        .unwrap();
    let users = domain::db::raw_scalar(&fx.db, "SELECT COUNT(*) FROM users")
        .await
        .unwrap();
    let token = sign(serde_json::json!({
        "iss": issuer, "aud": CLIENT_ID, "sub": "brand-new-subject",
        "email": support::ADMIN_EMAIL, "email_verified": false,
        "iat": now_s(), "exp": now_s() + 300,
    }));
    let me = call(&fx, "GET", "/api/v1/me", &token, None).await;
    assert_eq!(me.status, 200, "{}", me.body);
    let me = me.json();
    assert_eq!(me["global_admin"], false);
    assert_ne!(me["user"]["id"], admin.id.to_string());
    assert_eq!(me["roles"], serde_json::json!([]));

    // Nothing was written, and the admin row is still unbound.
    assert_eq!(
        domain::db::raw_scalar(&fx.db, "SELECT COUNT(*) FROM users")
            .await
            .unwrap(),
        users
    );
    let after = domain::directory::user_by_email(&fx.db, support::ADMIN_EMAIL)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.id, admin.id);
    assert!(after.issuer.is_none() && after.subject.is_none());

    // And the token has no global admin's powers.
    let list = call(&fx, "GET", "/api/v1/tenants", &token, None).await;
    assert_eq!(list.status, 200);
    assert_eq!(list.json()["items"], serde_json::json!([]));
    let create = call(
        &fx,
        "POST",
        "/api/v1/tenants",
        &token,
        Some(r#"{"name":"taken-over"}"#),
    )
    .await;
    assert_eq!(create.status, 403, "{}", create.body);
    fx.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jwt_that_is_not_valid_yet_is_refused() {
    let test_idp = TestIdp::start().await;
    let issuer = test_idp.issuer.clone();
    let fx = Fx::with_providers(vec![test_idp.provider()]).await;
    let early = sign(serde_json::json!({
        "iss": issuer, "aud": CLIENT_ID, "sub": "machine",
        "nbf": now_s() + 3600, "iat": now_s(), "exp": now_s() + 7200,
    }));
    let res = call(&fx, "GET", "/api/v1/me", &early, None).await;
    assert_eq!(res.status, 401, "{}", res.body);
    assert_eq!(res.json()["error"]["code"], "invalid_token");
    // The same token without nbf is fine: the refusal is about nbf alone.
    let ok = sign(serde_json::json!({
        "iss": issuer, "aud": CLIENT_ID, "sub": "machine",
        "iat": now_s(), "exp": now_s() + 7200,
    }));
    assert_eq!(call(&fx, "GET", "/api/v1/me", &ok, None).await.status, 200);
    fx.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_for_a_jwt_shows_the_tokens_roles() {
    let test_idp = TestIdp::start().await;
    let issuer = test_idp.issuer.clone();
    let fx = Fx::with_providers(vec![test_idp.provider()]).await;
    // A console user of this provider who is tenant admin of acme...
    let u = domain::directory::upsert_oidc_user(
        &fx.db,
        &issuer,
        "dana",
        "dana@example.test",
        true,
        "Dana",
    )
    .await
    .unwrap();
    let root = domain::directory::principal_for_user(
        &fx.db,
        domain::directory::user_by_email(&fx.db, support::ADMIN_EMAIL)
            .await
            .unwrap()
            .unwrap()
            .id,
    )
    .await
    .unwrap();
    let acme = domain::scope::authorize(&fx.db, &root, domain::scope::TenantRef::Name("acme"))
        .await
        .unwrap();
    domain::members::add(
        &fx.db,
        &acme,
        "dana@example.test",
        domain::Role::TenantAdmin,
    )
    .await
    .unwrap();
    // ...calls with a token that says only: viewer of globex.
    let globex = fx.tenant_id("globex");
    let token = sign(serde_json::json!({
        "iss": issuer, "aud": CLIENT_ID, "sub": "dana",
        "roles": [format!("{globex}_viewer")],
        "iat": now_s(), "exp": now_s() + 300,
    }));
    let me = call(&fx, "GET", "/api/v1/me", &token, None).await;
    assert_eq!(me.status, 200, "{}", me.body);
    let me = me.json();
    assert_eq!(me["user"]["id"], u.id.to_string());
    assert_eq!(me["roles"], serde_json::json!([format!("{globex}_viewer")]));
    assert_eq!(me["memberships"][0]["tenant_name"], "globex");
    assert_eq!(me["memberships"].as_array().unwrap().len(), 1);
    fx.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_never_redirects_off_site() {
    let fx = Fx::new().await;
    for next in [
        "/%09/evil.example",
        "/\\evil.example",
        "//evil.example",
        "https:evil.example",
        "/%2F/evil.example",
    ] {
        let form = format!(
            "email={}&password={}&next={}",
            app::components::encode(support::ADMIN_EMAIL),
            app::components::encode(support::ADMIN_PASSWORD),
            app::components::encode(next)
        );
        let req = axum::http::Request::post("/auth/local")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from(form))
            .unwrap();
        let res = fx.send(Who::Anonymous, Req::Raw(req)).await;
        assert!(
            res.status == 303 || res.status == 302 || res.status == 307,
            "{next}: {}",
            res.status
        );
        assert_eq!(res.headers["location"], "/", "next = {next:?}");
    }
    fx.finish().await;
}

#[test]
fn the_client_address_comes_from_a_trusted_proxy_only() {
    let rule = app::ssr::ClientIpRule {
        header: "x-forwarded-for".into(),
        trusted: vec!["10.0.0.1".parse().unwrap()],
    };
    let mut h = axum::http::HeaderMap::new();
    h.insert(
        "x-forwarded-for",
        "203.0.113.9, 198.51.100.7".parse().unwrap(),
    );
    // From the proxy: the right-most address the proxy saw.
    assert_eq!(
        rule.client(&h, Some("10.0.0.1".parse().unwrap())),
        "198.51.100.7"
    );
    // From anyone else, the header is ignored: it could be forged.
    assert_eq!(
        rule.client(&h, Some("192.0.2.5".parse().unwrap())),
        "192.0.2.5"
    );
    // No trusted proxies configured: the peer is the client.
    let plain = app::ssr::ClientIpRule::default();
    assert_eq!(
        plain.client(&h, Some("10.0.0.1".parse().unwrap())),
        "10.0.0.1"
    );
    // A chain through two trusted proxies skips both.
    let two = app::ssr::ClientIpRule {
        header: "x-forwarded-for".into(),
        trusted: vec!["10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap()],
    };
    h.insert("x-forwarded-for", "198.51.100.7, 10.0.0.2".parse().unwrap());
    assert_eq!(
        two.client(&h, Some("10.0.0.1".parse().unwrap())),
        "198.51.100.7"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_https_cookies_are_secure_and_hsts_is_sent() {
    assert!(server::config::secure_by_default("https://console.example"));
    assert!(!server::config::secure_by_default("http://127.0.0.1:3000"));
    let fx = Fx::with(vec![], "https://console.example").await;
    let form = format!(
        "email={}&password={}",
        app::components::encode(support::ADMIN_EMAIL),
        app::components::encode(support::ADMIN_PASSWORD),
    );
    let req = axum::http::Request::post("/auth/local")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(form))
        .unwrap();
    let res = fx.send(Who::Anonymous, Req::Raw(req)).await;
    let cookie = res.headers["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(res.headers["strict-transport-security"]
        .to_str()
        .unwrap()
        .contains("max-age="));
    fx.finish().await;
    // Over plain http there is no HSTS (it would break a local console).
    let fx = Fx::new().await;
    let res = fx.send_page(Who::Anonymous, "/login").await;
    assert!(!res.headers.contains_key("strict-transport-security"));
    fx.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_issued_without_javascript_leaves_the_session_after_one_redirect() {
    let fx = Fx::new().await;
    let acme = "acme";
    let form = format!("tenant={acme}&expires_in_seconds=3600&note=no-js");
    let req = axum::http::Request::post("/fn/create_connection_secret")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "text/html")
        .header("cookie", fx.cookie(Who::TenantAdmin))
        .body(axum::body::Body::from(form))
        .unwrap();
    let res = fx.send(Who::Anonymous, Req::Raw(req)).await;
    assert!(res.status < 400, "{} {}", res.status, res.body);
    let in_store = |fx: &Fx| {
        let db = fx.db.clone();
        async move {
            domain::db::raw_scalar(
                &db,
                "SELECT COUNT(*) FROM tower_sessions WHERE instr(CAST(data AS TEXT), 'ncs_') > 0",
            )
            .await
            .unwrap()
        }
    };
    assert_eq!(in_store(&fx).await, 1, "kept for the redirect");
    let page = fx.send_page(Who::TenantAdmin, "/t/acme/connections").await;
    assert_eq!(page.status, 200);
    assert!(has_secret(&page.body), "shown once after the redirect");
    assert_eq!(in_store(&fx).await, 0, "gone from the store once shown");
    let again = fx.send_page(Who::TenantAdmin, "/t/acme/connections").await;
    assert!(!has_secret(&again.body), "shown only once");
    fx.finish().await;
}

/// A form posted without JavaScript and refused comes back to its page (303, a clean
/// URL) with the inline error and the values typed; the next view of the page is clean.
/// An accepted one shows its answer once. Nothing reaches the browser as raw JSON.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_without_javascript_come_back_with_their_errors_values_and_answers() {
    let fx = Fx::new().await;
    let post = |form: &str| {
        axum::http::Request::post("/fn/add_member")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "text/html")
            .header(
                "referer",
                "http://127.0.0.1:3000/t/acme/members?q=&__err=stale",
            )
            .header("cookie", fx.cookie(Who::TenantAdmin))
            .body(axum::body::Body::from(form.to_string()))
            .unwrap()
    };
    let res = fx
        .send(
            Who::Anonymous,
            Req::Raw(post("tenant=acme&email=not-an-address&role=tenant-admin")),
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.headers["location"], "/t/acme/members?q=");
    assert!(!res.body.contains("Invalid"), "no raw JSON: {}", res.body);
    let page = fx.send_page(Who::TenantAdmin, "/t/acme/members").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("id=\"member-email-error\""),
        "inline error"
    );
    assert!(
        page.body.contains("value=\"not-an-address\""),
        "the value typed is kept"
    );
    assert!(
        page.body
            .contains("<option value=\"tenant-admin\" selected"),
        "the role chosen is kept"
    );
    let again = fx.send_page(Who::TenantAdmin, "/t/acme/members").await;
    assert!(
        !again.body.contains("id=\"member-email-error\""),
        "shown once"
    );

    let res = fx
        .send(
            Who::Anonymous,
            Req::Raw(post("tenant=acme&email=noa%40example.test&role=viewer")),
        )
        .await;
    assert_eq!(res.status, 303);
    let page = fx.send_page(Who::TenantAdmin, "/t/acme/members?q=").await;
    assert!(
        page.body.contains("noa@example.test added."),
        "the answer is shown"
    );
    // An answer meant for one page is not shown on another.
    let res = fx
        .send(
            Who::Anonymous,
            Req::Raw(post("tenant=acme&email=nia%40example.test&role=viewer")),
        )
        .await;
    assert_eq!(res.status, 303);
    let other = fx.send_page(Who::TenantAdmin, "/t/acme/audit").await;
    assert!(!other.body.contains("added."));
    let page = fx.send_page(Who::TenantAdmin, "/t/acme/members?q=").await;
    assert!(
        !page.body.contains("nia@example.test added."),
        "dropped once passed by"
    );
    fx.finish().await;
}

/// True when `text` holds a whole connection secret (`ncs_` and 64 hex digits), not
/// just the prefix that hints and placeholders show.
fn has_secret(text: &str) -> bool {
    text.match_indices("ncs_").any(|(i, _)| {
        let hex = text.as_bytes()[i + 4..].iter().take(64);
        hex.len() == 64
            && text.as_bytes()[i + 4..i + 68]
                .iter()
                .all(u8::is_ascii_hexdigit)
    })
}

/// The provider rotates its signing key between discovery and a login: the ID token is
/// signed with a key the cached discovery does not have. The console fetches the keys
/// again and the login succeeds (before: discovery was cached for good, and every login
/// failed until a restart).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_survives_the_providers_key_rotation() {
    let test_idp = TestIdp::start().await;
    let fx = Fx::with_providers(vec![test_idp.provider()]).await;
    let login = idp::start_login(&fx, "/t/acme").await;

    test_idp.publish_only(1);
    // The person takes a moment at the provider (and the refetch is limited to one a
    // second, so a rotation is picked up on the next login after that at the latest).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    test_idp.hand_out(idp::sign_with(
        1,
        serde_json::json!({
            "iss": test_idp.issuer, "aud": CLIENT_ID, "sub": "rotated-user",
            "email": "rotated@example.test", "email_verified": true, "name": "Rotated",
            "nonce": login.nonce, "iat": now_s(), "exp": now_s() + 300,
        }),
    ));
    let back = idp::finish_login(&fx, &login).await;
    assert_eq!(back.headers["location"], "/t/acme", "{:?}", back.headers);
    let user = domain::directory::user_by_email(&fx.db, "rotated@example.test")
        .await
        .unwrap()
        .expect("the login created the user");
    assert!(user.email_verified);
    fx.finish().await;
}
