//! Login and logout: OpenID Connect (authorization code + PKCE S256, state and nonce in
//! the session, issuer and audience checked by the `openidconnect` crate), the bootstrap
//! admin's local password login, and logout (local, plus RP-initiated at the provider
//! when it offers an `end_session_endpoint`).

use crate::config::{Config, OidcProviderConfig};
use crate::security::safe_next;
use crate::AppState;
use app::ssr::keys;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower_sessions::Session;

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Session key of the login in progress.
const PENDING: &str = "oidc_pending";

pub struct Discovered {
    client: Client,
    pub issuer: String,
    end_session: Option<String>,
    pub jwks_uri: Option<String>,
}

/// How long a discovery document (and the ID-token keys it carries) is trusted. Bounded,
/// so that a provider's key rotation reaches the console without a restart.
const DISCOVERY_MAX_AGE: Duration = Duration::from_secs(600);
/// The least time between two discoveries forced by a token the cached keys reject.
const DISCOVERY_MIN_REFRESH: Duration = Duration::from_secs(30);

pub struct Provider {
    cfg: OidcProviderConfig,
    redirect_url: String,
    /// Discovered on first use (so the console starts even while an IdP is down), then
    /// again once it is older than [`DISCOVERY_MAX_AGE`].
    discovered: tokio::sync::RwLock<Option<(Arc<Discovered>, Instant)>>,
    /// Its signing keys, for bearer JWTs.
    keys: crate::jwt::KeyCache,
}

impl Provider {
    pub fn client_id(&self) -> &str {
        &self.cfg.client_id
    }
    pub fn roles_claim(&self) -> &str {
        &self.cfg.roles_claim
    }
    pub fn keys(&self) -> &crate::jwt::KeyCache {
        &self.keys
    }
}

/// The configured providers and the HTTP client that talks to them.
pub struct Providers {
    http: openidconnect::reqwest::Client,
    list: Vec<Provider>,
    post_logout_url: String,
}

impl Providers {
    pub fn new(config: &Config) -> Result<Providers, String> {
        // Never follow redirects from the IdP's back channel (SSRF advice of openidconnect).
        let http = openidconnect::reqwest::ClientBuilder::new()
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| format!("http client: {e}"))?;
        Ok(Providers {
            http,
            list: config
                .providers
                .iter()
                .map(|p| Provider {
                    redirect_url: format!("{}/auth/oidc/{}/callback", config.public_url, p.name),
                    cfg: p.clone(),
                    discovered: Default::default(),
                    keys: Default::default(),
                })
                .collect(),
            post_logout_url: format!("{}/login?logged_out=1", config.public_url),
        })
    }

    pub fn buttons(&self) -> Vec<app::api::ProviderButton> {
        self.list
            .iter()
            .map(|p| app::api::ProviderButton {
                name: p.cfg.name.clone(),
                label: p.cfg.label.clone(),
            })
            .collect()
    }

    fn get(&self, name: &str) -> Option<&Provider> {
        self.list.iter().find(|p| p.cfg.name == name)
    }

    pub fn all(&self) -> impl Iterator<Item = &Provider> {
        self.list.iter()
    }

    pub fn http(&self) -> &openidconnect::reqwest::Client {
        &self.http
    }

    /// The provider's discovery document, from the cache while it is fresh.
    pub async fn discover(&self, p: &Provider) -> Result<Arc<Discovered>, String> {
        if let Some((d, at)) = p.discovered.read().await.as_ref() {
            if at.elapsed() < DISCOVERY_MAX_AGE {
                return Ok(d.clone());
            }
        }
        self.fetch_discovery(p, None).await
    }

    /// Discovers again because the cached keys rejected a token (the provider may have
    /// rotated its keys); at most once per [`DISCOVERY_MIN_REFRESH`].
    pub async fn rediscover(&self, p: &Provider) -> Result<Arc<Discovered>, String> {
        self.fetch_discovery(p, Some(DISCOVERY_MIN_REFRESH)).await
    }

    async fn fetch_discovery(
        &self,
        p: &Provider,
        unless_younger_than: Option<Duration>,
    ) -> Result<Arc<Discovered>, String> {
        let mut slot = p.discovered.write().await;
        // Another request may have refreshed it while this one waited for the lock.
        if let Some((d, at)) = slot.as_ref() {
            let fresh_enough = unless_younger_than.unwrap_or(DISCOVERY_MAX_AGE);
            if at.elapsed() < fresh_enough.min(DISCOVERY_MAX_AGE) {
                return Ok(d.clone());
            }
        }
        let issuer = IssuerUrl::new(p.cfg.issuer.clone()).map_err(|e| e.to_string())?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| format!("discovery of {}: {e}", p.cfg.issuer))?;
        let issuer = metadata.issuer().as_str().to_string();
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(p.cfg.client_id.clone()),
            p.cfg.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(RedirectUrl::new(p.redirect_url.clone()).map_err(|e| e.to_string())?);
        let extra = self.extra_metadata(&p.cfg.issuer).await;
        let text = |k: &str| extra.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let d = Arc::new(Discovered {
            client,
            issuer,
            end_session: text("end_session_endpoint"),
            jwks_uri: text("jwks_uri"),
        });
        *slot = Some((d.clone(), Instant::now()));
        Ok(d)
    }

    /// The discovery document as JSON, for what the core metadata type does not expose
    /// (`end_session_endpoint`) or keeps behind its own types (`jwks_uri`).
    async fn extra_metadata(&self, issuer: &str) -> serde_json::Map<String, serde_json::Value> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let Ok(res) = self.http.get(url).send().await else {
            return Default::default();
        };
        let Ok(body) = res.bytes().await else {
            return Default::default();
        };
        serde_json::from_slice(&body).unwrap_or_default()
    }
}

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
            Ok(()) => Redirect::to(&pending.next).into_response(),
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
    if id_token
        .claims(&d.client.id_token_verifier(), &nonce)
        .is_err()
    {
        // Perhaps signed with a key the provider rotated in since the last discovery:
        // fetch its keys again and check once more (the token itself is unchanged).
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
    Ok((user, id_token.to_string()))
}

/// Starts an authenticated session under a fresh id (no session fixation).
async fn start_session(
    session: &Session,
    user: &domain::User,
    oidc: Option<(&str, String)>,
) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session.insert(keys::USER_ID, user.id.to_string()).await?;
    session.insert(keys::LOGIN_AT, domain::now_ms()).await?;
    session.insert(keys::EXTENDED_AT, domain::now_ms()).await?;
    if let Some((provider, id_token)) = oidc {
        session.insert(keys::PROVIDER, provider.to_string()).await?;
        session.insert(keys::ID_TOKEN, id_token).await?;
    }
    Ok(())
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
            Ok(()) => Redirect::to(&safe_next(form.next.as_deref(), &st.config.public_url))
                .into_response(),
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
