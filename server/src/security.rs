//! Web-security middleware: cross-site request refusal, security headers, and a 500 page
//! for panics that shows no internals. (The login guard for pages is `auth::session`.)

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

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
