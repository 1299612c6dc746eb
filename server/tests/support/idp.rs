//! A small OpenID Provider on loopback for the bearer-JWT and login tests: discovery,
//! JWKS and a token endpoint, with two test-only RSA keys (never used anywhere else), so
//! that tokens with any claims can be signed and keys can be rotated mid-test. The
//! console discovers and verifies it like any other provider.

use axum::routing::{get, post};
use axum::Json;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use std::sync::{Arc, Mutex};

/// The test keys: (key id, private key PEM, public modulus).
pub const KEYS: [(&str, &str, &str); 2] = [
    ("k1", "-----BEGIN RSA PRIVATE KEY-----
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
-----END RSA PRIVATE KEY-----", "pBOxJ570xN0OHAO3ngOSScEhhp6CNPDkaayrnUCGRkvXCrBrtQW-WvGgNd6Qr_8SA6_iYkrQEcOm3ybSYMYHvEZc7WAE8mfX6EWGmJrx9stDSiN3Fk5lvVwP4IymA3Ytjg4ML3vpsK1EAZrPhb4Qz-RPDJPu8xw-evaLiJr7h749LOgSoqiTzxdCzcB1U-ydqfziE9X-_797iOfTq1A5OzLUnybjugDMnwuZsBQF1Z-AbClNnc3TOisJlZffXgyqW8ubdK_-zYXavYC-ooVzmqXt1GRoJVj1K9DDG9puaFSgXdFMEySaEjHw7QENsnuKry7tLB1HCbkOem042qE4VQ"),
    ("k2", "-----BEGIN RSA PRIVATE KEY-----\nMIIEogIBAAKCAQEAl0aeRL4r4gHmkjdLoXm8BPm24HXrjaF2TQBqpqoKg6ZXxQH2\nm576/RY+y2xulZyKYzW6TTkDPDF1S26+qIh3VE4V+Tf1XxPkIj594ntYdOzgH5T8\nKmesTfP4WCN7LPDFEgE204OemRJJlDzyJt6n2kKtxIZQFqHxHLrhy1o4+WtO0DhB\noa8uovI0n9Vy+ERLspqNvwZvFzUqrF8054OKwbI33r4BSA1OBx3jm663wFndTgHb\n+fatnUEK0uW+lbYdLlX7TQzWzkJZAYVKZp3jbw/QBm2IrBD9fCwYgDFT1l625E05\nkW+FPkCESI2qzdKL7afrqHMLD6LME+Y2li7TDwIDAQABAoIBABXmk2NAZPoDbG4e\ns0Rda2sM+/zjFYcbqRTcypP2ai9FFc/fyOQe0Bdz8QNiX2ApmZ9jV+V2K5G7V0/k\naJXdq+j4pRW/lDZ/mreadH8lfFjxMkFgQGGjQL7IY1vfRyXqdZ11r4pPs9ZVX3Gm\noSgfdA2VObMJ/u5H47BVHftixHzXYz0mAnw+04xW5oc6fGv3mC3f+kIX89Y4wnQ0\nOy7qzomLR2YBNWByYL8y4U1KCo6ciK4X16hnB3HPicSz12FTmehqZiU95lwWcf5d\naNdvl+m3uOl7t6Z79lSiwpT8Iq7rVrZzrW3RZrPflDGnrQCj/t58HHIlAuNDI0/q\nPvovUIECgYEAy/hlxLGjqRIlfPsqoyW5M1IfL6eKLMrfm3qoYkdE7mFxFhnv3HEf\nWjsiSvpt6Abkrb18HlTwYv0FGWm2zTkrTAYQ/uH2PpDdeKOwxI8S5l9wF1uDKtdB\nnGeONXUGX/hvQbiyG+6z7kgCt8ol0JpHPYda/FuwXoG3sv1eWzyA48UCgYEAvd0v\nUGlRdpYhQPmvdkknQolGDHGm1mvwvQliqDvthPJWQosoEBK6HaEldTnFIfJAUj7q\nmquJGglhntdVCdRCa2IAYk9ZoJq6Z8qirrkYmtAsYrnmc1tnbLhrLtB9ofoMqVut\nJICo54xN/GEpSqbIMIuP/ExKF9NCjm3M9ZCNRMMCgYB7T+gOuypre5oIbjx/t724\npixOfiaOH/SBpe0IxXeJ+oUIzJNznTxMK7X2yGILxacY1pakK8vMvJUJoRywA6EG\nbCB4R5m8h44tciDbJHhTqF028c9h5hM3gG+8J8y71pFElWmwc2Z6ZzSlcmPcMnlh\nXGSIbtI4wImTf5Q86l4t1QKBgBM5jkzqHSGQ2hUmMyobBiqqk7k22NnlXB8IEEFQ\nsCBCGZHrXUcjXk0ZwB06mEdzrCenz0GSFPPZ91SKIUY5g/AzoC5UMpMcl7tivU5L\n1731TklA4aDUpIhRtCitW8tG8nlDmyiTDodDobHodLHmaWbg+tdlMitvbNHXNGW5\nGVTZAoGAXfBJQHolRdzozSkTSY7zd8CrtXpPuRsj5w214s7GC39i8U4ccfgdqeE2\njq7y16+ljgTpS5HuOFJR+wZ7Sr3TDm9sAZtRW6uyyeH9V2GhICyMpx754bktynOR\n2u2Yp+os+RboyERmfTJS6Y7YqP60LNr1pu2Dkh7VZwtYLyDxVqo=\n-----END RSA PRIVATE KEY-----", "l0aeRL4r4gHmkjdLoXm8BPm24HXrjaF2TQBqpqoKg6ZXxQH2m576_RY-y2xulZyKYzW6TTkDPDF1S26-qIh3VE4V-Tf1XxPkIj594ntYdOzgH5T8KmesTfP4WCN7LPDFEgE204OemRJJlDzyJt6n2kKtxIZQFqHxHLrhy1o4-WtO0DhBoa8uovI0n9Vy-ERLspqNvwZvFzUqrF8054OKwbI33r4BSA1OBx3jm663wFndTgHb-fatnUEK0uW-lbYdLlX7TQzWzkJZAYVKZp3jbw_QBm2IrBD9fCwYgDFT1l625E05kW-FPkCESI2qzdKL7afrqHMLD6LME-Y2li7TDw"),
];
pub const CLIENT_ID: &str = "tenantry-test";

fn jwk(i: usize) -> serde_json::Value {
    let (kid, _, n) = KEYS[i];
    serde_json::json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256", "n": n, "e": "AQAB"})
}

/// A running test provider.
#[derive(Clone)]
pub struct TestIdp {
    pub issuer: String,
    /// Which keys the JWKS publishes (indexes into [`KEYS`]).
    published: Arc<Mutex<Vec<usize>>>,
    /// The ID token the token endpoint hands out next.
    next_id_token: Arc<Mutex<String>>,
}

impl TestIdp {
    /// Serves discovery, JWKS (key k1) and a token endpoint on a free loopback port.
    pub async fn start() -> TestIdp {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let idp = TestIdp {
            issuer: issuer.clone(),
            published: Arc::new(Mutex::new(vec![0])),
            next_id_token: Arc::new(Mutex::new(String::new())),
        };
        let meta = serde_json::json!({
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/auth"),
            "token_endpoint": format!("{issuer}/token"),
            "jwks_uri": format!("{issuer}/jwks"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        });
        let (published, next) = (idp.published.clone(), idp.next_id_token.clone());
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
                    let keys: Vec<_> = published.lock().unwrap().iter().map(|i| jwk(*i)).collect();
                    async move { Json(serde_json::json!({ "keys": keys })) }
                }),
            )
            .route(
                "/token",
                post(move || {
                    let id_token = next.lock().unwrap().clone();
                    async move {
                        Json(serde_json::json!({
                            "access_token": "test-access-token", "token_type": "Bearer",
                            "expires_in": 300, "id_token": id_token,
                        }))
                    }
                }),
            );
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        idp
    }

    /// The provider's keys rotate: from now on the JWKS publishes only key `i`.
    pub fn publish_only(&self, i: usize) {
        *self.published.lock().unwrap() = vec![i];
    }

    /// The ID token the next code exchange returns.
    pub fn hand_out(&self, id_token: String) {
        *self.next_id_token.lock().unwrap() = id_token;
    }

    pub fn provider(&self) -> server::config::OidcProviderConfig {
        server::config::OidcProviderConfig {
            name: "test".into(),
            label: "Test IdP".into(),
            issuer: self.issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: Some("test-secret".into()),
            groups_claim: None,
            roles_claim: "roles".into(),
        }
    }
}

/// A JWT with `claims`, signed with test key `i`.
pub fn sign_with(i: usize, claims: serde_json::Value) -> String {
    sign_as(i, KEYS[i].0, claims)
}

/// A JWT with `claims`, signed with test key `i` but naming key id `kid` (a forgery
/// when `kid` is another key's).
pub fn sign_as(i: usize, kid: &str, claims: serde_json::Value) -> String {
    let (_, pem, _) = KEYS[i];
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.into());
    encode(
        &header,
        &claims,
        &EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap()
}

/// A login started at the console (`/auth/oidc/test/login`): what the provider got.
pub struct StartedLogin {
    pub state: String,
    pub nonce: String,
    /// The console's session cookie (`name=value`) holding the pending login.
    pub cookie: String,
}

/// Starts a login through the console's OIDC flow, as a browser would.
pub async fn start_login(fx: &super::Fx, next: &str) -> StartedLogin {
    let start = fx
        .send(
            super::Who::Anonymous,
            super::Req::Raw(
                axum::http::Request::get(format!("/auth/oidc/test/login?next={next}"))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            ),
        )
        .await;
    let to = url::Url::parse(start.headers["location"].to_str().unwrap()).unwrap();
    let param = |k: &str| {
        to.query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
            .unwrap()
    };
    StartedLogin {
        state: param("state"),
        nonce: param("nonce"),
        cookie: start.headers["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string(),
    }
}

/// Comes back from the provider with a code (whose ID token was handed out before).
pub async fn finish_login(fx: &super::Fx, login: &StartedLogin) -> super::Res {
    fx.send(
        super::Who::Anonymous,
        super::Req::Raw(
            axum::http::Request::get(format!(
                "/auth/oidc/test/callback?code=test-code&state={}",
                app::components::encode(&login.state)
            ))
            .header("cookie", login.cookie.clone())
            .body(axum::body::Body::empty())
            .unwrap(),
        ),
    )
    .await
}
