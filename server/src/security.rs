//! Web-security middleware: cross-site request refusal, security headers, the login
//! guard for pages, and a 500 page for panics that shows no internals.

use app::ssr::keys;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

/// Refuses every state-changing request (anything but GET/HEAD/OPTIONS, server
/// functions included) that a browser says comes from another site: `Sec-Fetch-Site:
/// cross-site`, or an `Origin` that is neither the console's public origin nor the
/// origin of the host it was addressed to. Clients that send neither header (curl,
/// scripts with bearer tokens) are not browsers carrying ambient cookies, so they pass.
pub async fn refuse_cross_site(public_origin: String, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return forbidden_cross_site();
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let same_host = origin
            .split_once("://")
            .map(|(_, rest)| rest == host)
            .unwrap_or(false);
        if origin != public_origin && !same_host {
            return forbidden_cross_site();
        }
    }
    next.run(req).await
}

fn forbidden_cross_site() -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"error":{"code":"cross_site_request","message":"Cross-site requests are not allowed."}}"#,
    )
        .into_response()
}

/// Security headers on every response. Pages set their own CSP with the render's
/// nonce (see `app::ssr::set_page_csp`); everything else gets a policy without inline
/// scripts at all. Over https (`hsts`), browsers are also told to never use plain http.
pub async fn headers(hsts: bool, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: &'static str, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        set(
            h,
            "content-security-policy",
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
        );
    }
    set(h, "x-content-type-options", "nosniff");
    set(h, "x-frame-options", "DENY");
    set(h, "referrer-policy", "strict-origin-when-cross-origin");
    set(h, "cross-origin-opener-policy", "same-origin");
    if hsts {
        set(
            h,
            "strict-transport-security",
            "max-age=31536000; includeSubDomains",
        );
    }
    res
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
    let is_page = req.method() == Method::GET
        && (path == "/" || path == "/no-tenants" || path.starts_with("/t/"));
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

/// The answer to a panic: a generic page; the panic itself goes to the log.
pub fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let detail = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = detail, "request handler panicked");
    let mut res = Response::new(Body::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error · Tenantry</title>\
         <link rel=\"stylesheet\" href=\"/pkg/tenantry.css\"></head><body><div class=\"auth-page\"><div class=\"error-page\">\
         <div class=\"error-code\">500</div><h1 class=\"error-title\">Something went wrong</h1>\
         <p class=\"error-text\">The request failed on our side. Please try again in a moment.</p>\
         <p><a class=\"btn\" href=\"/\">Go to your console</a></p></div></div></body></html>",
    ));
    *res.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    res
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
