//! Login and logout: OpenID Connect (authorization code + PKCE S256, state and nonce in
//! the session, issuer and audience checked by the `openidconnect` crate), the bootstrap
//! admin's local password login, and logout (local, plus RP-initiated at the provider
//! when it offers an `end_session_endpoint`).

use super::provider::Provider;
use super::session::{safe_next, start_session};
use crate::AppState;
use app::ssr::keys;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use openidconnect::core::{CoreAuthenticationFlow, CoreUserInfoClaims};
use openidconnect::{
    AuthorizationCode, CsrfToken, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use tower_sessions::Session;

/// Session key of the login in progress.
const PENDING: &str = "oidc_pending";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/auth/oidc/{provider}/login", get(login))
        .route("/auth/oidc/{provider}/callback", get(callback))
        .route("/auth/local", post(local_login))
        .route("/auth/logout", post(logout))
}

fn login_error(code: &str) -> Response {
    Redirect::to(&format!("/login?error={code}")).into_response()
}

#[derive(Serialize, Deserialize)]
struct Pending {
    provider: String,
    state: String,
    nonce: String,
    pkce_verifier: String,
    next: String,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

async fn login(
    State(st): State<AppState>,
    session: Session,
    Path(name): Path<String>,
    Query(q): Query<NextQuery>,
) -> Response {
    let Some(provider) = st.oidc.get(&name) else {
        return login_error("unknown_provider");
    };
    let d = match st.oidc.discover(provider).await {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(provider = %name, error = %e, "OIDC discovery failed");
            return login_error("provider");
        }
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = d
        .client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let pending = Pending {
        provider: name,
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        next: safe_next(q.next.as_deref(), &st.config.public_url),
    };
    if let Err(e) = session.insert(PENDING, pending).await {
        tracing::error!(error = %e, "session store");
        return login_error("provider");
    }
    Redirect::to(url.as_str()).into_response()
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn callback(
    State(st): State<AppState>,
    session: Session,
    Path(name): Path<String>,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let pending: Option<Pending> = session.remove(PENDING).await.ok().flatten();
    let Some(pending) = pending.filter(|p| p.provider == name) else {
        return login_error("state");
    };
    if q.state.as_deref() != Some(pending.state.as_str()) {
        return login_error("state");
    }
    if let Some(err) = q.error {
        tracing::info!(provider = %name, error = %err, "the provider refused the login");
        return login_error("provider");
    }
    let Some(code) = q.code else {
        return login_error("provider");
    };
    let Some(provider) = st.oidc.get(&name) else {
        return login_error("unknown_provider");
    };
    match complete_login(&st, provider, &pending, code).await {
        Ok((user, id_token)) => match start_session(&session, &user, Some((&name, id_token))).await
        {
            Ok(()) => {
                log_login(&st, &user, &name).await;
                Redirect::to(&pending.next).into_response()
            }
            Err(e) => {
                tracing::error!(error = %e, "session store");
                login_error("provider")
            }
        },
        Err(LoginFailure::EmailInUse) => login_error("email_in_use"),
        Err(LoginFailure::Other(e)) => {
            tracing::warn!(provider = %name, error = %e, "OIDC login failed");
            login_error("provider")
        }
    }
}

enum LoginFailure {
    EmailInUse,
    Other(String),
}

/// Exchanges the code (with the PKCE verifier), verifies the ID token (signature,
/// issuer, audience, expiry, nonce), reads the user's email and name, and upserts the
/// user by (issuer, subject).
async fn complete_login(
    st: &AppState,
    provider: &Provider,
    pending: &Pending,
    code: String,
) -> Result<(domain::User, String), LoginFailure> {
    let other = |e: String| LoginFailure::Other(e);
    let mut d = st.oidc.discover(provider).await.map_err(other)?;
    let token = d
        .client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| other(e.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
        .request_async(&st.oidc.http)
        .await
        .map_err(|e| other(format!("token exchange: {e:?}")))?;
    let id_token = token
        .id_token()
        .ok_or_else(|| other("no id_token in the token response".into()))?;
    let nonce = Nonce::new(pending.nonce.clone());
    // Signed with a key the cached discovery does not know: the provider rotated its
    // keys since. Fetch them again and check once more (the token itself is unchanged).
    let kid = jsonwebtoken::decode_header(&id_token.to_string())
        .ok()
        .and_then(|h| h.kid);
    if kid.is_some_and(|k| !d.key_ids.contains(&k)) {
        d = st.oidc.rediscover(provider).await.map_err(other)?;
    }
    let claims = id_token
        .claims(&d.client.id_token_verifier(), &nonce)
        .map_err(|e| other(format!("id token: {e}")))?;
    let subject = claims.subject().to_string();
    let mut email = claims.email().map(|e| e.to_string());
    let mut verified = claims.email_verified().unwrap_or(false);
    let mut name = claims
        .name()
        .and_then(|n| n.get(None))
        .map(|n| n.to_string());
    if email.is_none() {
        // Many providers (oidc-provider among them) put email/profile only in userinfo.
        if let Ok(req) = d.client.user_info(
            token.access_token().to_owned(),
            Some(claims.subject().clone()),
        ) {
            let info: Result<CoreUserInfoClaims, _> = req.request_async(&st.oidc.http).await;
            if let Ok(info) = info {
                email = info.email().map(|e| e.to_string());
                verified = info.email_verified().unwrap_or(false);
                name =
                    name.or_else(|| info.name().and_then(|n| n.get(None)).map(|n| n.to_string()));
            }
        }
    }
    let email = email.ok_or_else(|| other("the provider sent no email address".into()))?;
    let user = domain::directory::upsert_oidc_user(
        &st.db,
        &d.issuer,
        &subject,
        &email,
        verified,
        name.as_deref().unwrap_or(""),
    )
    .await
    .map_err(|e| match e {
        domain::DomainError::Conflict { .. } => LoginFailure::EmailInUse,
        other => LoginFailure::Other(other.to_string()),
    })?;
    // The groups claim, when the provider is configured with one, sets the user's
    // provider-given group memberships at every login.
    if let Some(claim) = provider.groups_claim() {
        let claims = super::jwt::verified_claims(&id_token.to_string()).unwrap_or_default();
        let groups =
            domain::directory::parse_claimed_groups(&super::jwt::claim_values(claims.get(claim)));
        domain::directory::sync_claimed_groups(&st.db, &user, &groups)
            .await
            .map_err(|e| other(e.to_string()))?;
    }
    Ok((user, id_token.to_string()))
}

#[derive(Deserialize)]
pub struct LocalLoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// The bootstrap admin's password login (rate-limited per email and per client).
async fn local_login(
    State(st): State<AppState>,
    session: Session,
    headers: axum::http::HeaderMap,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    Form(form): Form<LocalLoginForm>,
) -> Response {
    if !st.config.bootstrap_admin_enabled {
        return login_error("invalid_credentials");
    }
    let peer = connect.map(|Extension(ConnectInfo(a))| a.ip());
    let client = st.ui.client_ip.client(&headers, peer);
    match domain::directory::verify_local_login(&st.db, &form.email, &form.password, &client).await
    {
        Ok(user) => match start_session(&session, &user, None).await {
            Ok(()) => {
                log_login(&st, &user, "bootstrap password").await;
                Redirect::to(&safe_next(form.next.as_deref(), &st.config.public_url))
                    .into_response()
            }
            Err(e) => {
                tracing::error!(error = %e, "session store");
                login_error("provider")
            }
        },
        Err(domain::DomainError::RateLimited) => login_error("rate_limited"),
        Err(domain::DomainError::Internal(_)) => login_error("internal"),
        Err(_) => login_error("invalid_credentials"),
    }
}

/// Writes the sign-in in the log of each of the user's tenants. The session is already
/// started: a failure here is logged, never a reason to refuse the login.
async fn log_login(st: &AppState, user: &domain::User, how: &str) {
    if let Err(e) = domain::telemetry::logs::record_login(&st.db, user.id, &user.email, how).await {
        tracing::warn!(error = %e, "could not log the sign-in in the user's tenants");
    }
}

/// Ends the session here, then at the provider when it supports RP-initiated logout.
async fn logout(State(st): State<AppState>, session: Session) -> Response {
    let provider: Option<String> = session.get(keys::PROVIDER).await.ok().flatten();
    let id_token: Option<String> = session.get(keys::ID_TOKEN).await.ok().flatten();
    if let Err(e) = session.flush().await {
        tracing::warn!(error = %e, "could not delete the session");
    }
    if let (Some(name), Some(id_token)) = (provider, id_token) {
        if let Some(p) = st.oidc.get(&name) {
            if let Ok(d) = st.oidc.discover(p).await {
                if let Some(end) = &d.end_session {
                    if let Ok(mut url) = url::Url::parse(end) {
                        url.query_pairs_mut()
                            .append_pair("id_token_hint", &id_token)
                            .append_pair("client_id", &p.cfg.client_id)
                            .append_pair("post_logout_redirect_uri", &st.oidc.post_logout_url);
                        return Redirect::to(url.as_str()).into_response();
                    }
                }
            }
        }
    }
    Redirect::to("/login?logged_out=1").into_response()
}
