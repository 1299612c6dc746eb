//! Server-side plumbing shared by the server functions and the server crate: the UI
//! context, the session keys, and the authentication → tenant-scope step.

use crate::api::LoginMethods;
use crate::error::AppError;
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

/// Reads the logged-in user from the session and enforces the absolute timeout (the
/// idle timeout is the session store's own expiry).
pub async fn principal() -> Result<(UiContext, Principal), AppError> {
    let ctx = ctx()?;
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
    let principal = directory::principal_for_user(&ctx.db, uid).await?;
    Ok((ctx, principal))
}

/// Authenticates and authorises for the tenant named in the URL. Another tenant's name
/// gives `NotFound`, exactly like a tenant that does not exist.
pub async fn scope(tenant: &str) -> Result<(UiContext, Principal, TenantScope), AppError> {
    let (ctx, principal) = principal().await?;
    let scope = authorize(&ctx.db, &principal, TenantRef::Name(tenant)).await?;
    Ok((ctx, principal, scope))
}

/// True when the current request is a browser's plain form post (no JavaScript): such a
/// post is answered by a redirect, so a result meant to be seen once must travel in the
/// session to the page the browser lands on.
pub fn is_plain_form_post() -> bool {
    use_context::<http::request::Parts>()
        .and_then(|p| {
            p.headers
                .get(http::header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|a| a.contains("text/html"))
        })
        .unwrap_or(false)
}

/// Keeps a value in the session for exactly one later read ([`flash_take`]).
pub async fn flash_put<T: serde::Serialize>(key: &str, value: &T) -> Result<(), AppError> {
    session()
        .await?
        .insert(key, value)
        .await
        .map_err(session_err)
}

/// Reads and removes a value kept by [`flash_put`].
pub async fn flash_take<T: serde::de::DeserializeOwned>(key: &str) -> Result<Option<T>, AppError> {
    session().await?.remove(key).await.map_err(session_err)
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
