//! The one answer to every form posted without JavaScript.
//!
//! A browser without JavaScript posts a server function's form itself and shows
//! whatever comes back. Left alone, a refused post would show the error's raw JSON, and
//! the answer of an accepted one would be lost in the redirect. So every such post is
//! answered here the same way: the outcome (the server function's JSON answer and, when
//! refused, what was typed) is kept in the session as an [`app::components::FormEcho`],
//! and the browser is sent back (303) to the page it posted from, with a clean URL. The
//! render of that page takes the echo out and hands it to the form's action
//! (`app::components::form_action`), so the page shows what it would have shown with
//! JavaScript. The echo is taken by the next page view only, and only on the page it was
//! meant for: a page view writes to the session only right after such a post.

use app::components::FormEcho;
use app::ssr::keys;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

/// Form bodies larger than this are refused (a policy document is a few kB).
const MAX_FORM_BYTES: usize = 1 << 20;
/// How long an echo waits for the page view it was meant for.
const ECHO_MAX_AGE_MS: i64 = 60_000;

/// An echo as kept in the session: with where it may be shown, and until when.
#[derive(Serialize, Deserialize)]
struct Kept {
    echo: FormEcho,
    /// The path of the page the browser was sent back to; `None` when the browser did
    /// not say where it posted from (then the next page view of the form's tenant).
    page: Option<String>,
    /// The tenant the form was posted in (its `tenant` field).
    tenant: Option<String>,
    at: i64,
}

/// Fields whose values are never kept in the session or shown back: passwords, cloud
/// credentials (`secret_access_key`, `client_secret`, `ssh_private_key`), secrets.
fn is_secret_field(name: &str) -> bool {
    ["password", "secret", "private_key"]
        .iter()
        .any(|s| name.contains(s))
}

/// The middleware: answers plain form posts to server functions, and hands a kept echo
/// to the page view it was meant for.
pub async fn plain_forms(
    public_url: std::sync::Arc<str>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    if req.method() == Method::POST && path.starts_with("/fn/") && is_plain_form(req.headers()) {
        return answer_post(&public_url, session, req, next).await;
    }
    if req.method() == Method::GET && crate::auth::session::is_page(&path) {
        let mut req = req;
        if let Some(echo) = take_echo(&session, &path).await {
            req.extensions_mut().insert(echo);
        }
        return next.run(req).await;
    }
    next.run(req).await
}

/// A browser's own form submission: it asks for HTML (the server function client asks
/// for JSON) and sends form fields.
fn is_plain_form(headers: &HeaderMap) -> bool {
    let get = |h| headers.get(h).and_then(|v| v.to_str().ok()).unwrap_or("");
    get(header::ACCEPT).contains("text/html")
        && get(header::CONTENT_TYPE).starts_with("application/x-www-form-urlencoded")
}

async fn answer_post(public_url: &str, session: Session, req: Request, next: Next) -> Response {
    let back = req
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| local_path(r, public_url));
    let action = req.uri().path().to_string();
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
        return (
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "The form is too large.",
        )
            .into_response();
    };
    let values: Vec<(String, String)> = url::form_urlencoded::parse(&bytes)
        .into_owned()
        .filter(|(name, _)| !is_secret_field(name))
        .collect();
    let res = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;

    // Leptos answers a form post with a redirect to the Referer (with the error in the
    // query when refused); our server functions set the error's status over it.
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let refused = res.status().is_client_error()
        || res.status().is_server_error()
        || location.as_deref().is_some_and(|l| l.contains("__err="));
    let body = axum::body::to_bytes(res.into_body(), MAX_FORM_BYTES)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    // A server function may choose where an accepted form leads (a saved policy goes
    // back to the list); otherwise the browser returns to the form's page.
    // (Leptos itself puts the Referer there, or `/` without one.)
    let leptos_default = back.clone().unwrap_or_else(|| "/".to_string());
    let target = match location.as_deref().and_then(|l| local_path(l, public_url)) {
        Some(to) if !refused && to != leptos_default => Some(to),
        _ => back,
    };
    let tenant = values
        .iter()
        .find(|(name, _)| name == "tenant")
        .map(|(_, v)| v.clone());
    let echo = FormEcho {
        action,
        ok: !refused,
        body,
        values,
    };
    let kept = Kept {
        echo,
        page: target
            .as_deref()
            .map(|t| t.split('?').next().unwrap_or("/").to_string()),
        tenant,
        at: domain::now_ms(),
    };
    if let Err(e) = session.insert(keys::FORM_ECHO, &kept).await {
        tracing::warn!(error = %e, "could not keep a form's answer for its page");
    }
    Redirect::to(target.as_deref().unwrap_or("/")).into_response()
}

/// Takes the kept echo out of the session when there is one: for this page when it was
/// meant for it and is fresh; otherwise it is dropped all the same.
async fn take_echo(session: &Session, path: &str) -> Option<FormEcho> {
    let present = matches!(session.get_value(keys::FORM_ECHO).await, Ok(Some(_)));
    if !present {
        return None;
    }
    let kept: Kept =
        serde_json::from_value(session.remove_value(keys::FORM_ECHO).await.ok()??).ok()?;
    let fresh = domain::now_ms().saturating_sub(kept.at) < ECHO_MAX_AGE_MS;
    let meant_here = match (&kept.page, &kept.tenant) {
        (Some(page), _) => page == path,
        (None, Some(t)) => {
            let base = format!("/t/{}", app::components::encode(t));
            path == base || path.starts_with(&format!("{base}/"))
        }
        (None, None) => true,
    };
    (fresh && meant_here).then_some(kept.echo)
}

/// The path and query of `url` when it is on the console itself, without the error
/// parameters Leptos may have added and without an open confirmation (`confirm`: the
/// action it asked about is done); `None` for anything else.
fn local_path(url: &str, public_url: &str) -> Option<String> {
    let base = url::Url::parse(public_url).ok()?;
    let target = base.join(url).ok()?;
    if target.origin() != base.origin() {
        return None;
    }
    let query: Vec<(String, String)> = target
        .query_pairs()
        .into_owned()
        .filter(|(k, _)| k != "__err" && k != "__path" && k != "confirm")
        .collect();
    let mut out = target.path().to_string();
    if !query.is_empty() {
        out.push('?');
        out.push_str(
            &url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(query)
                .finish(),
        );
    }
    Some(crate::auth::session::safe_next(Some(&out), public_url))
}

#[cfg(test)]
mod tests {
    use super::local_path;

    const PUBLIC: &str = "http://127.0.0.1:3000";

    #[test]
    fn goes_back_only_to_the_console_without_error_parameters() {
        assert_eq!(
            local_path("http://127.0.0.1:3000/t/acme/members?q=a", PUBLIC).as_deref(),
            Some("/t/acme/members?q=a")
        );
        assert_eq!(
            local_path(
                "http://127.0.0.1:3000/t/acme/tenants?__path=%2Ffn%2Fx&__err=e30",
                PUBLIC
            )
            .as_deref(),
            Some("/t/acme/tenants")
        );
        assert_eq!(
            local_path(
                "http://127.0.0.1:3000/t/acme/workspaces?q=a&confirm=delete-x",
                PUBLIC
            )
            .as_deref(),
            Some("/t/acme/workspaces?q=a")
        );
        assert_eq!(local_path("https://evil.example/t/acme", PUBLIC), None);
        assert_eq!(local_path("//evil.example/x", PUBLIC), None);
    }
}
