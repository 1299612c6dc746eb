//! Sessions: stored in the database (so replicas share them), started under a fresh id
//! at login, kept alive without a write on every read, and required by pages; plus where
//! a login may send the browser afterwards.

use crate::config::Config;
use app::ssr::keys;
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Router;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, Session, SessionManagerLayer, SessionStore};

/// Sessions live in the database (so replicas share them), in an HttpOnly, SameSite=Lax
/// cookie of our own name (the IdP on the same host has its own cookies), Secure when
/// configured, and expire after the idle timeout; the absolute timeout is checked on use.
pub(crate) fn with_sessions<S>(
    router: Router,
    store: S,
    config: &Config,
    idle: time::Duration,
) -> Router
where
    S: SessionStore + tower_sessions::ExpiredDeletion + Clone + Send + Sync + 'static,
{
    let deletion = store.clone();
    tokio::spawn(async move {
        // Expired sessions are removed in the background, hourly.
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            if let Err(e) = tower_sessions::ExpiredDeletion::delete_expired(&deletion).await {
                tracing::warn!(error = %e, "could not delete expired sessions");
            }
        }
    });
    let layer = SessionManagerLayer::new(store)
        .with_name("tenantry_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.cookie_secure)
        .with_expiry(Expiry::OnInactivity(idle));
    let secure = config.cookie_secure;
    router
        .layer(layer)
        .layer(axum::middleware::from_fn(move |req, next| {
            flag_removal_cookies(secure, req, next)
        }))
}

/// tower-sessions sends the cookie that ends a session (logout) without the flags of the
/// cookie it replaces; every `Set-Cookie` of the session gets them here.
async fn flag_removal_cookies(secure: bool, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    let cookies: Vec<_> = headers
        .get_all(axum::http::header::SET_COOKIE)
        .iter()
        .cloned()
        .collect();
    if cookies.is_empty() {
        return res;
    }
    headers.remove(axum::http::header::SET_COOKIE);
    for c in cookies {
        let fixed = c.to_str().ok().and_then(|text| {
            let lower = text.to_ascii_lowercase();
            if !text.starts_with("tenantry_session=") || lower.contains("httponly") {
                return None;
            }
            let mut t = format!("{text}; HttpOnly; SameSite=Lax");
            if secure {
                t.push_str("; Secure");
            }
            axum::http::HeaderValue::from_str(&t).ok()
        });
        headers.append(axum::http::header::SET_COOKIE, fixed.unwrap_or(c));
    }
    res
}

/// Starts an authenticated session under a fresh id (no session fixation). Its id moves
/// again whenever the user's roles change (`app::ssr::principal`).
pub(crate) async fn start_session(
    session: &Session,
    user: &domain::User,
    oidc: Option<(&str, String)>,
) -> Result<(), tower_sessions::session::Error> {
    session.cycle_id().await?;
    session.insert(keys::USER_ID, user.id.to_string()).await?;
    let now = domain::now_ms();
    session.insert(keys::LOGIN_AT, now).await?;
    session.insert(keys::ROLES_AT, now).await?;
    session.insert(keys::EXTENDED_AT, now).await?;
    if let Some((provider, id_token)) = oidc {
        session.insert(keys::PROVIDER, provider.to_string()).await?;
        session.insert(keys::ID_TOKEN, id_token).await?;
    }
    Ok(())
}

/// Pages need a logged-in user; without one, a page request goes to the login page and
/// comes back afterwards (`next`). Server functions and the API answer for themselves.
///
/// It also keeps an active session alive without writing on every read: the session is
/// saved (its idle expiry pushed to now + idle timeout) only when `refresh_ms` have
/// passed since the last push. A session thus never outlives the idle timeout after
/// the last request, and ends at most `refresh_ms` earlier than that; a run of page
/// views in between commits nothing.
pub async fn require_login_for_pages(
    refresh_ms: i64,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path();
    let is_page = req.method() == Method::GET && is_page(path);
    let uses_session = is_page || path.starts_with("/fn/");
    if uses_session {
        let logged_in = matches!(session.get::<String>(keys::USER_ID).await, Ok(Some(_)));
        if !logged_in && is_page {
            let next_path = req
                .uri()
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let to = format!("/login?next={}", app::components::encode(next_path));
            return Redirect::to(&to).into_response();
        }
        if logged_in {
            let now = domain::now_ms();
            let last: i64 = session
                .get(keys::EXTENDED_AT)
                .await
                .ok()
                .flatten()
                .unwrap_or(0);
            if now.saturating_sub(last) >= refresh_ms {
                if let Err(e) = session.insert(keys::EXTENDED_AT, now).await {
                    tracing::warn!(error = %e, "could not extend the session");
                }
            }
        }
    }
    next.run(req).await
}

/// The pages that need a login (everything but the login page and static files).
pub fn is_page(path: &str) -> bool {
    path == "/"
        || path == "/no-tenants"
        || path.starts_with("/t/")
        || path == "/admin"
        || path.starts_with("/admin/")
}

/// Where to go after login: `next` only when it is a path on the console itself.
///
/// Browsers are lenient: they drop tabs and newlines from URLs and read `\` as `/`, so
/// `/%09/evil.example` or `/\evil.example` end up at `//evil.example`, another host. So
/// `next` must be a plain absolute path with no control characters or backslashes, also
/// once percent-decoded (and no encoded `//` start either); it is then resolved against
/// the public URL and must keep its origin. Anything else goes to `/`.
pub fn safe_next(next: Option<&str>, public_url: &str) -> String {
    let home = || "/".to_string();
    let Some(n) = next else {
        return home();
    };
    let decoded = percent_encoding::percent_decode_str(n).decode_utf8_lossy();
    let bad = |s: &str| {
        !s.starts_with('/') || s.starts_with("//") || s.chars().any(|c| c.is_control() || c == '\\')
    };
    if bad(n) || bad(&decoded) {
        return home();
    }
    let Ok(base) = url::Url::parse(public_url) else {
        return home();
    };
    let Ok(url) = base.join(n) else {
        return home();
    };
    if url.origin() != base.origin() {
        return home();
    }
    let mut out = url.path().to_string();
    if let Some(q) = url.query() {
        out.push('?');
        out.push_str(q);
    }
    if out.starts_with("//") {
        return home();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    const PUBLIC: &str = "http://127.0.0.1:3000";

    #[test]
    fn next_only_follows_local_paths() {
        assert_eq!(
            safe_next(Some("/t/acme/members?q=a"), PUBLIC),
            "/t/acme/members?q=a"
        );
        assert_eq!(safe_next(Some("/"), PUBLIC), "/");
        assert_eq!(safe_next(Some("//evil.example"), PUBLIC), "/");
        assert_eq!(safe_next(Some("https://evil.example"), PUBLIC), "/");
        assert_eq!(safe_next(Some("/\\evil.example"), PUBLIC), "/");
        assert_eq!(safe_next(None, PUBLIC), "/");
    }

    /// Payloads that browsers turn into another host (the review's list and kin).
    #[test]
    fn open_redirect_payloads_go_home() {
        for payload in [
            "/%09/x",
            "/%09/evil.example",
            "/\\x",
            "//x",
            "https:x",
            "/%2F/x",
            "/%2f/x",
            "/%5Cx",
            "/\t/x",
            "/\n/x",
            "/%0a/x",
            "\\\\x",
            "http://127.0.0.1:3000.evil.example/",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(safe_next(Some(payload), PUBLIC), "/", "payload {payload:?}");
        }
    }

    #[test]
    fn local_paths_survive_with_their_query() {
        assert_eq!(
            safe_next(Some("/t/acme/connections?view=all#x"), PUBLIC),
            "/t/acme/connections?view=all"
        );
        assert_eq!(
            safe_next(Some("/t/a%20b/members"), PUBLIC),
            "/t/a%20b/members"
        );
    }
}
