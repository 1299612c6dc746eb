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

/// The session cookie (`name=value`) a response sets, if it sets one with a value.
fn session_cookie(res: &support::Res) -> Option<String> {
    res.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.starts_with("tenantry_session=") && pair.len() > 17)
        .map(str::to_string)
}

/// Whether `cookie` is a logged-in session: a page answers instead of sending the
/// browser to the login page.
async fn logged_in(fx: &Fx, cookie: &str) -> bool {
    let res = get_with(fx, "/no-tenants", cookie).await;
    let to_login = res
        .headers
        .get("location")
        .and_then(|l| l.to_str().ok())
        .is_some_and(|l| l.starts_with("/login"));
    !to_login
}

/// A browser's GET of `path` carrying the session cookie `cookie`.
async fn get_with(fx: &Fx, path: &str, cookie: &str) -> support::Res {
    let req = axum::http::Request::get(path)
        .header("cookie", cookie)
        .body(axum::body::Body::empty())
        .unwrap();
    fx.send(Who::Anonymous, Req::Raw(req)).await
}

/// Claims of a good ID token for `login`, which each case below spoils in one way.
fn good_claims(test_idp: &TestIdp, login: &idp::StartedLogin, sub: &str) -> serde_json::Value {
    serde_json::json!({
        "iss": test_idp.issuer, "aud": CLIENT_ID, "sub": sub,
        "email": format!("{sub}@example.test"), "email_verified": true, "name": sub,
        "nonce": login.nonce, "iat": now_s(), "exp": now_s() + 300,
    })
}

/// A login through the test provider with good claims for `sub`: (the pending login,
/// the callback's answer).
async fn login_through(
    fx: &Fx,
    test_idp: &TestIdp,
    next: &str,
    sub: &str,
) -> (idp::StartedLogin, support::Res) {
    let login = idp::start_login(fx, next).await;
    test_idp.hand_out(idp::sign_with(0, good_claims(test_idp, &login, sub)));
    let back = idp::finish_login(fx, &login).await;
    (login, back)
}

/// Issue 13: ID tokens that are forged or meant for someone else are refused, start no
/// session and create no user: a wrong signature under the provider's own key id, the
/// wrong issuer, the wrong audience, an expired token, and the nonce of another login.
/// A good token through the same steps logs in, so each refusal is the token's doing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_misdirected_and_stale_id_tokens_are_refused() {
    let test_idp = TestIdp::start().await;
    let fx = Fx::with_providers(vec![test_idp.provider()]).await;
    type Spoil = fn(&mut serde_json::Value) -> Option<usize>;
    let cases: [(&str, Spoil); 5] = [
        // Signed with key 2's private key under key 1's id: `None` = sign as k1 with k2.
        ("wrong signature, same kid", |_| None),
        ("wrong issuer", |c| {
            c["iss"] = "https://evil.example".into();
            Some(0)
        }),
        ("wrong audience", |c| {
            c["aud"] = "someone-else".into();
            Some(0)
        }),
        ("expired", |c| {
            c["iat"] = (now_s() - 3600).into();
            c["exp"] = (now_s() - 600).into();
            Some(0)
        }),
        ("nonce of another login", |c| {
            c["nonce"] = "a-nonce-this-login-never-sent".into();
            Some(0)
        }),
    ];
    let mut refused = 0;
    for (i, (label, spoil)) in cases.iter().enumerate() {
        let login = idp::start_login(&fx, "/").await;
        let sub = format!("forged-{i}");
        let mut claims = good_claims(&test_idp, &login, &sub);
        let token = match spoil(&mut claims) {
            Some(key) => idp::sign_with(key, claims),
            None => idp::sign_as(1, "k1", claims),
        };
        test_idp.hand_out(token);
        let back = idp::finish_login(&fx, &login).await;
        assert_eq!(
            back.headers["location"], "/login?error=provider",
            "{label}: {:?}",
            back.headers
        );
        assert!(!logged_in(&fx, &login.cookie).await, "{label}: no session");
        if let Some(c) = session_cookie(&back) {
            assert!(!logged_in(&fx, &c).await, "{label}: no session");
        }
        let user = domain::directory::user_by_email(&fx.db, &format!("{sub}@example.test"))
            .await
            .unwrap();
        assert!(user.is_none(), "{label}: no user was created");
        refused += 1;
    }
    println!("ID tokens refused: {refused} of {}", cases.len());
    // The control: the same steps with a good token log in.
    let (_, back) = login_through(&fx, &test_idp, "/", "genuine").await;
    assert_eq!(back.headers["location"], "/", "{:?}", back.headers);
    let cookie = session_cookie(&back).expect("a session cookie");
    assert!(logged_in(&fx, &cookie).await);
    fx.finish().await;
}

/// Issue 13: the provider's answer cannot be used twice, nor with another login's
/// state: a replayed callback and a callback whose state the browser's pending login
/// did not send are refused without touching the session they arrive with.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_or_foreign_state_is_refused() {
    let test_idp = TestIdp::start().await;
    let fx = Fx::with_providers(vec![test_idp.provider()]).await;
    // Another login's state, with this browser's pending login.
    let mine = idp::start_login(&fx, "/").await;
    let theirs = idp::start_login(&fx, "/").await;
    test_idp.hand_out(idp::sign_with(0, good_claims(&test_idp, &mine, "stateful")));
    let crossed = idp::StartedLogin {
        state: theirs.state.clone(),
        nonce: mine.nonce.clone(),
        cookie: mine.cookie.clone(),
    };
    let back = idp::finish_login(&fx, &crossed).await;
    assert_eq!(back.headers["location"], "/login?error=state");
    assert!(
        !logged_in(&fx, &mine.cookie).await,
        "no session from a foreign state"
    );
    // A login that succeeded, replayed with the cookie it started with.
    let (login, first) = login_through(&fx, &test_idp, "/", "stateful").await;
    assert_eq!(first.headers["location"], "/");
    let replay = idp::finish_login(&fx, &login).await;
    assert_eq!(replay.headers["location"], "/login?error=state");
    assert!(
        session_cookie(&replay).is_none(),
        "the replay starts no session"
    );
    // And with the session the first login left (the pending login is gone from it).
    let session = session_cookie(&first).expect("a session");
    let again = idp::finish_login(
        &fx,
        &idp::StartedLogin {
            cookie: session.clone(),
            ..login
        },
    )
    .await;
    assert_eq!(again.headers["location"], "/login?error=state");
    fx.finish().await;
}

/// Issue 13: the session id moves at login (the id a browser had before does not become
/// the logged-in one) and again when the user's roles change, and each old id stops
/// working the moment the new one is issued.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_id_moves_at_login_and_on_a_role_change() {
    let test_idp = TestIdp::start().await;
    let fx = Fx::with_providers(vec![test_idp.provider()]).await;
    let (login, back) = login_through(&fx, &test_idp, "/t/acme", "mover").await;
    let logged = session_cookie(&back).expect("a session cookie");
    assert_ne!(logged, login.cookie, "a fresh id at login");
    assert!(
        !logged_in(&fx, &login.cookie).await,
        "the id before login is dead"
    );
    assert!(logged_in(&fx, &logged).await);

    // A global admin makes the person a viewer of acme: their next request moves them
    // to a new id, and the old one is refused from then on.
    let acme = fx.root_scope("acme").await;
    domain::members::add(&fx.db, &acme, "mover@example.test", domain::Role::Viewer)
        .await
        .unwrap();
    let res = get_with(&fx, "/t/acme", &logged).await;
    assert_eq!(res.status, 200, "the viewer sees acme");
    let moved = session_cookie(&res).expect("a new session id after the role change");
    assert_ne!(moved, logged);
    assert!(
        !logged_in(&fx, &logged).await,
        "the id before the change is dead"
    );
    let res = get_with(&fx, "/t/acme", &moved).await;
    assert_eq!(res.status, 200);
    assert!(
        session_cookie(&res).is_none(),
        "no further move without a change"
    );

    // A role changed again, by a tenant admin this time: the id moves again.
    let viewer = domain::directory::user_by_email(&fx.db, "mover@example.test")
        .await
        .unwrap()
        .unwrap();
    domain::members::change_role(&fx.db, &acme, viewer.id, domain::Role::TenantAdmin)
        .await
        .unwrap();
    let res = get_with(&fx, "/t/acme", &moved).await;
    assert_eq!(res.status, 200);
    let again = session_cookie(&res).expect("moved again");
    assert_ne!(again, moved);
    assert!(!logged_in(&fx, &moved).await);
    assert!(logged_in(&fx, &again).await);
    fx.finish().await;
}

/// Issue 13: every `Set-Cookie` the console sends for its session (a login starting,
/// a login finished by the provider or by password, a session moved by a role change,
/// a logout) is HttpOnly, SameSite=Lax, for the whole site, and Secure over https.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_session_cookie_carries_its_flags() {
    for public_url in ["http://127.0.0.1:3000", "https://console.example"] {
        let test_idp = TestIdp::start().await;
        let fx = Fx::with(vec![test_idp.provider()], public_url).await;
        let mut seen: Vec<(String, String)> = Vec::new();
        let mut keep = |what: &str, res: &support::Res| {
            for v in res.headers.get_all("set-cookie") {
                seen.push((what.to_string(), v.to_str().unwrap().to_string()));
            }
        };
        // The OIDC login: its start and its end.
        let (_, back) = login_through(&fx, &test_idp, "/", "flags").await;
        keep("oidc callback", &back);
        let start = fx
            .send(
                Who::Anonymous,
                Req::Raw(
                    axum::http::Request::get("/auth/oidc/test/login?next=/")
                        .body(axum::body::Body::empty())
                        .unwrap(),
                ),
            )
            .await;
        keep("oidc start", &start);
        // A role change moves the session.
        let acme = fx.root_scope("acme").await;
        domain::members::add(&fx.db, &acme, "flags@example.test", domain::Role::Viewer)
            .await
            .unwrap();
        let cookie = session_cookie(&back).unwrap();
        let moved = get_with(&fx, "/t/acme", &cookie).await;
        keep("role change", &moved);
        // The password login, then its logout.
        let form = format!(
            "email={}&password={}",
            app::components::encode(support::ADMIN_EMAIL),
            app::components::encode(support::ADMIN_PASSWORD),
        );
        let local = fx
            .send(
                Who::Anonymous,
                Req::Raw(
                    axum::http::Request::post("/auth/local")
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(axum::body::Body::from(form))
                        .unwrap(),
                ),
            )
            .await;
        keep("password login", &local);
        let out = fx
            .send(
                Who::Anonymous,
                Req::Raw(
                    axum::http::Request::post("/auth/logout")
                        .header("cookie", session_cookie(&local).unwrap())
                        .body(axum::body::Body::empty())
                        .unwrap(),
                ),
            )
            .await;
        keep("logout", &out);
        let whats: std::collections::BTreeSet<&str> =
            seen.iter().map(|(w, _)| w.as_str()).collect();
        for what in [
            "oidc start",
            "oidc callback",
            "role change",
            "password login",
            "logout",
        ] {
            assert!(
                whats.contains(what),
                "{public_url}: {what} set no cookie: {seen:?}"
            );
        }
        let secure = public_url.starts_with("https:");
        for (what, c) in &seen {
            let attrs: Vec<String> = c
                .split(';')
                .skip(1)
                .map(|a| a.trim().to_ascii_lowercase())
                .collect();
            let has = |a: &str| attrs.iter().any(|x| x == a);
            assert!(c.starts_with("tenantry_session="), "{what}: {c}");
            assert!(has("httponly"), "{what}: {c}");
            assert!(has("samesite=lax"), "{what}: {c}");
            assert!(has("path=/"), "{what}: {c}");
            assert_eq!(has("secure"), secure, "{what} over {public_url}: {c}");
        }
        println!("{public_url}: {} Set-Cookie headers checked", seen.len());
        fx.finish().await;
    }
}
