//! Server-side plumbing shared by the server functions and the server crate: the UI
//! context, the session keys, and the authentication → tenant-scope step.

use crate::error::AppError;
use crate::shell::api::LoginMethods;
use domain::directory;
use domain::scope::{authorize, TenantRef};
use domain::{Db, Principal, TenantScope, UserId};
use leptos::prelude::*;
use tower_sessions::Session;

/// Session keys. The server's login handlers write them; server functions read them.
pub mod keys {
    /// The logged-in user's id.
    pub const USER_ID: &str = "uid";
    /// When the user logged in (unix ms), for the absolute session timeout.
    pub const LOGIN_AT: &str = "login_at";
    /// The OIDC provider used, for RP-initiated logout.
    pub const PROVIDER: &str = "provider";
    /// The raw ID token, sent back as `id_token_hint` at logout.
    pub const ID_TOKEN: &str = "id_token";
    /// The newest change of the user's roles this session id has seen (unix ms): a newer
    /// one moves the session to a fresh id (see `principal`).
    pub const ROLES_AT: &str = "roles_at";
    /// When the session's idle expiry was last pushed forward (unix ms).
    pub const EXTENDED_AT: &str = "extended_at";
    /// The answer to a form posted without JavaScript, until its page shows it.
    pub const FORM_ECHO: &str = "form_echo";
}

/// What server functions need from the server; provided as Leptos context for page
/// renders and server-function calls alike.
#[derive(Clone, Debug)]
pub struct UiContext {
    pub db: Db,
    pub login: LoginMethods,
    /// Sessions end this long after login, however active (milliseconds).
    pub absolute_timeout_ms: i64,
    /// The DNS suffix of services in connected tenants.
    pub dns_suffix: String,
    /// Seals and opens stored cloud credentials.
    pub sealer: domain::crypto::Sealer,
    /// How to tell the client's address behind a reverse proxy (for rate limits).
    pub client_ip: ClientIpRule,
}

/// Which address a request comes from. Behind a reverse proxy every request arrives
/// from the proxy, so rate limits keyed by that address would lump everyone together;
/// the proxy's header is believed only when the request really comes from a proxy that
/// is configured as trusted (`TENANTRY_TRUSTED_PROXIES`), since anyone can send it.
#[derive(Clone, Debug, Default)]
pub struct ClientIpRule {
    /// The header the proxies set, lowercase (`x-forwarded-for` by default).
    pub header: String,
    /// Addresses of the trusted proxies; empty means the peer address is the client.
    pub trusted: Vec<std::net::IpAddr>,
}

impl ClientIpRule {
    /// The client's address: the peer's, unless the peer is a trusted proxy; then the
    /// right-most address in the header that is not itself a trusted proxy (the one the
    /// nearest untrusted hop reported, which a client cannot forge).
    pub fn client(&self, headers: &http::HeaderMap, peer: Option<std::net::IpAddr>) -> String {
        let Some(peer) = peer else {
            return "unknown".into();
        };
        if self.trusted.is_empty() || !self.trusted.contains(&peer) {
            return peer.to_string();
        }
        let hops: Vec<std::net::IpAddr> = headers
            .get_all(self.header.as_str())
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|h| h.trim().parse().ok())
            .collect();
        hops.into_iter()
            .rev()
            .find(|ip| !self.trusted.contains(ip))
            .unwrap_or(peer)
            .to_string()
    }

    /// The client address of the request being handled (server functions).
    pub fn current(&self) -> String {
        match use_context::<http::request::Parts>() {
            Some(p) => {
                let peer = p
                    .extensions
                    .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                    .map(|c| c.0.ip());
                self.client(&p.headers, peer)
            }
            None => "unknown".into(),
        }
    }
}

fn ctx() -> Result<UiContext, AppError> {
    use_context::<UiContext>().ok_or_else(|| {
        tracing::error!("UiContext missing from the Leptos context");
        AppError::Internal
    })
}

async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = ?e, "no session layer");
        AppError::Internal
    })
}

fn session_err(e: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %e, "session store error");
    AppError::Internal
}

/// What one request has already established about its caller. A page render calls
/// several server functions (the layout's tenant context, the header, the page's data),
/// and each would otherwise read the session, the user and the membership again. The
/// server provides a fresh memo per request, so nothing here outlives the request or
/// crosses to another caller.
#[derive(Clone, Default)]
pub struct RequestMemo {
    principal: std::sync::Arc<std::sync::Mutex<Option<Principal>>>,
    scopes: std::sync::Arc<std::sync::Mutex<Vec<(String, TenantScope)>>>,
}

impl RequestMemo {
    fn principal(&self) -> Option<Principal> {
        self.principal.lock().ok().and_then(|p| p.clone())
    }
    fn keep_principal(&self, p: &Principal) {
        if let Ok(mut slot) = self.principal.lock() {
            *slot = Some(p.clone());
        }
    }
    fn scope(&self, tenant: &str) -> Option<TenantScope> {
        self.scopes.lock().ok().and_then(|s| {
            s.iter()
                .find(|(name, _)| name == tenant)
                .map(|(_, scope)| scope.clone())
        })
    }
    fn keep_scope(&self, tenant: &str, scope: &TenantScope) {
        if let Ok(mut s) = self.scopes.lock() {
            s.push((tenant.to_string(), scope.clone()));
        }
    }
}

/// Reads the logged-in user from the session and enforces the absolute timeout (the
/// idle timeout is the session store's own expiry). Once per request (see
/// [`RequestMemo`]).
pub async fn principal() -> Result<(UiContext, Principal), AppError> {
    let ctx = ctx()?;
    let memo = use_context::<RequestMemo>();
    if let Some(p) = memo.as_ref().and_then(RequestMemo::principal) {
        return Ok((ctx, p));
    }
    let session = session().await?;
    let uid: Option<String> = session.get(keys::USER_ID).await.map_err(session_err)?;
    let Some(uid) = uid.as_deref().and_then(UserId::parse) else {
        return Err(AppError::Unauthenticated);
    };
    let login_at: i64 = session
        .get(keys::LOGIN_AT)
        .await
        .map_err(session_err)?
        .unwrap_or(0);
    if domain::now_ms().saturating_sub(login_at) > ctx.absolute_timeout_ms {
        session.flush().await.map_err(session_err)?;
        return Err(AppError::Unauthenticated);
    }
    let (principal, roles_changed_at) =
        match directory::session_principal(&ctx.db, uid, login_at).await {
            Err(e @ domain::DomainError::Unauthenticated(_)) => {
                session.flush().await.map_err(session_err)?;
                return Err(e.into());
            }
            other => other?,
        };
    // The user's roles changed since this session id last looked: the session moves to
    // a fresh id (the old one is deleted from the store and stops working), so an id
    // that leaked or was planted before the change does not carry it. A rare write on a
    // read, made only by such a change.
    let roles_at: i64 = session
        .get(keys::ROLES_AT)
        .await
        .map_err(session_err)?
        .unwrap_or(login_at);
    if roles_changed_at > roles_at {
        session.cycle_id().await.map_err(session_err)?;
        session
            .insert(keys::ROLES_AT, roles_changed_at)
            .await
            .map_err(session_err)?;
    }
    if let Some(memo) = &memo {
        memo.keep_principal(&principal);
    }
    Ok((ctx, principal))
}

/// Authenticates a global admin, for the pages above every tenant (`/admin/…`); anyone
/// else is refused.
pub async fn global_admin() -> Result<(UiContext, Principal), AppError> {
    let (ctx, p) = principal().await?;
    if !p.is_global_admin() {
        return Err(AppError::Forbidden(
            "Only global admins see the pages for every tenant.".into(),
        ));
    }
    Ok((ctx, p))
}

/// Authenticates and authorises the server function `endpoint` for the tenant named in
/// the URL: the scope is made (another tenant's name gives `NotFound`, exactly like a
/// tenant that does not exist), then the need the function declares in
/// [`crate::access::SERVER_FNS`] is checked on it. Authorisation runs once per request
/// and tenant (see [`RequestMemo`]); the need is checked on every call.
pub async fn scope(
    endpoint: &str,
    tenant: &str,
) -> Result<(UiContext, Principal, TenantScope), AppError> {
    let Some(need) = crate::access::need_of(endpoint) else {
        tracing::error!(endpoint, "server function without a declared need");
        return Err(AppError::Internal);
    };
    let (ctx, principal) = principal().await?;
    let memo = use_context::<RequestMemo>();
    let scope = match memo.as_ref().and_then(|m| m.scope(tenant)) {
        Some(scope) => scope,
        None => {
            let scope = authorize(&ctx.db, &principal, TenantRef::Name(tenant)).await?;
            if let Some(memo) = &memo {
                memo.keep_scope(tenant, &scope);
            }
            scope
        }
    };
    scope.require_need(need)?;
    Ok((ctx, principal, scope))
}

/// Sets the HTTP status of the page being rendered (no-op outside a request).
pub fn set_status(code: u16) {
    if let (Some(res), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(code),
    ) {
        res.set_status(status);
    }
}

/// Runs a server function's body and, when it fails, sets the HTTP status from the
/// error (404, 403, 422…), so that neither browsers nor scripts see a validation error
/// as a server failure (500).
pub async fn respond<T>(
    body: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    let result = body.await;
    if let Err(e) = &result {
        set_status(e.status());
    }
    result
}

/// Sends a Content-Security-Policy for this page that allows only this origin's scripts
/// and the inline scripts Leptos marks with this response's nonce (hydration bootstrap,
/// serialized resources), plus wasm compilation. No `'unsafe-inline'` for scripts.
pub fn set_page_csp() {
    let (Some(res), Some(nonce)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        leptos::nonce::use_nonce(),
    ) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        res.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}
