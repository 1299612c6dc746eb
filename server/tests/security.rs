//! The security review's REST findings through the real router: a bearer JWT from a
//! configured provider cannot take over the bootstrap admin, `nbf` is checked, and
//! `/me` reports the token's roles. The provider is a small OpenID Provider served
//! here on loopback (discovery and JWKS) with a test-only RSA key, so that tokens with
//! any claims can be signed; the console discovers and verifies it like any other.

mod support;

use axum::routing::get;
use axum::Json;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use support::{Fx, Req, Who};

/// A test-only RSA key (never used anywhere else) and its public modulus.
const TEST_KEY_PEM: &str = "-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEApBOxJ570xN0OHAO3ngOSScEhhp6CNPDkaayrnUCGRkvXCrBr
tQW+WvGgNd6Qr/8SA6/iYkrQEcOm3ybSYMYHvEZc7WAE8mfX6EWGmJrx9stDSiN3
Fk5lvVwP4IymA3Ytjg4ML3vpsK1EAZrPhb4Qz+RPDJPu8xw+evaLiJr7h749LOgS
oqiTzxdCzcB1U+ydqfziE9X+/797iOfTq1A5OzLUnybjugDMnwuZsBQF1Z+AbClN
nc3TOisJlZffXgyqW8ubdK/+zYXavYC+ooVzmqXt1GRoJVj1K9DDG9puaFSgXdFM
EySaEjHw7QENsnuKry7tLB1HCbkOem042qE4VQIDAQABAoIBABYwwZthsKn1WaSp
TgqVYhIOiDm8M1D0qXevTjCA2wgj1qwP6yk64yFKn4fZl4jt/uI3xe7UPmrAos94
YSiMb9xjScsi2thr+fPkf00hW4sst2eN/1upc7IWAuG0M/mw4H1fYf+ECzmFXXa4
GMv2RjDPqG9DjKQdlEeuE3YAu/cCKJgfWMrR8M/eXxMe+ZMXYLvzNG1lAB0sZeHA
iO1kqEl4SJnBVR3NvEIyVt8bt2C0ycnGBP8NUvEQ74kJ2Nc4RjzPeeQnv157OQ4h
ZBPTy5jTq3w+Yxckyn0kktJYABdreA4FvKTKjaiQVA71E/A58X5A0/692saOQbhK
RGxVGcsCgYEA2naMQmT/A5cztrK+JXtWZ2PbhN9xLNS3Pc8qt9BCUoq7Ax6qibHE
xNvgM8hFDMIKQ543t54ie215pOfSJyIrtvJhfRioYlKFe0GtK5nIy6A9bSU4EaeY
HM94N1e4VF45l5DHK4xUq/ypn9xPV4qA3/Ma7l+wtdOzq6MrjkTdW68CgYEAwETh
irdD77z9EQ1GIwS8Kyxw7KlBJp2QvPo8WHBUvqPb2dGlwioAngLWkXY5vM0MD22j
/D2c7kfSk4qYy+LyOUpfxdhkzMejdPn8nEF6819UlETjqOvFKMWBV/Bbge6fRgvo
iCuuqKlh4o1yvHyx59R1yMWVUec21uOtJXonGTsCgYAuU/mGkvhpgIUc92bPeApo
vops8R2FDk8Vsnsyo92Mt5LVJImxzZsWzDINiSjrfbLDiCf0rnpNhnfHesncNqji
kSAPcU00HJ/l9ZWNq30jgYXFQaFUTSA669xokBes/JZmB/PUzlueZWRrXEMPI3YV
B+7sIirNRGnTujSgZQY0TQKBgAw/lxquKB7KrFh8vv4WHCKn9x2sfqEGIqVXT6bW
qR9n8uaCa4vd/yIRzjeAD5eOfHkzI+I6zpeDbc/GYYuDjqjFqypAadN92FToZAZU
SY/df9beOJ6XPn0lb+L5ResWF4Fv2sVp+vt1pu220xtc2jyJlWNP6v5Hu3+fC3W6
vWjnAoGBAJXMjZBVB5JjGKDeuoz0/isPEf/qI3b1XZJiGYCwlOn1rU4YKP5SCNiK
zkncZeD6BlzGbgqzoGDpU9N+j9ZvXF/gK6NbxCByPruVYTat0CDd7BPdAb5sDyNI
Bw+Rh2mHuQjM5zGacPKaPaL6ku+lD8O1CipiRzdDENbWTqBVkZ9m
-----END RSA PRIVATE KEY-----";
const TEST_KEY_N: &str = "pBOxJ570xN0OHAO3ngOSScEhhp6CNPDkaayrnUCGRkvXCrBrtQW-WvGgNd6Qr_8SA6_iYkrQEcOm3ybSYMYHvEZc7WAE8mfX6EWGmJrx9stDSiN3Fk5lvVwP4IymA3Ytjg4ML3vpsK1EAZrPhb4Qz-RPDJPu8xw-evaLiJr7h749LOgSoqiTzxdCzcB1U-ydqfziE9X-_797iOfTq1A5OzLUnybjugDMnwuZsBQF1Z-AbClNnc3TOisJlZffXgyqW8ubdK_-zYXavYC-ooVzmqXt1GRoJVj1K9DDG9puaFSgXdFMEySaEjHw7QENsnuKry7tLB1HCbkOem042qE4VQ";
const CLIENT_ID: &str = "tenantry-test";

/// Serves discovery and JWKS for one key on a free loopback port; returns the issuer.
async fn start_idp() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let meta = serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/auth"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    });
    let jwks = serde_json::json!({"keys": [{
        "kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256", "n": TEST_KEY_N, "e": "AQAB"
    }]});
    let app = axum::Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(move || {
                let m = meta.clone();
                async move { Json(m) }
            }),
        )
        .route(
            "/jwks",
            get(move || {
                let j = jwks.clone();
                async move { Json(j) }
            }),
        );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    issuer
}

fn provider(issuer: &str) -> server::config::OidcProviderConfig {
    server::config::OidcProviderConfig {
        name: "test".into(),
        label: "Test IdP".into(),
        issuer: issuer.into(),
        client_id: CLIENT_ID.into(),
        client_secret: None,
        groups_claim: None,
        roles_claim: "roles".into(),
    }
}

fn now_s() -> i64 {
    domain::now_ms() / 1000
}

fn sign(claims: serde_json::Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("k1".into());
    encode(
        &header,
        &claims,
        &EncodingKey::from_rsa_pem(TEST_KEY_PEM.as_bytes()).unwrap(),
    )
    .unwrap()
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
    let issuer = start_idp().await;
    let fx = Fx::with_providers(vec![provider(&issuer)]).await;
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
    let issuer = start_idp().await;
    let fx = Fx::with_providers(vec![provider(&issuer)]).await;
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
    let issuer = start_idp().await;
    let fx = Fx::with_providers(vec![provider(&issuer)]).await;
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
