//! Tenantry's user interface: one Leptos app, rendered on the server and hydrated in
//! the browser. Every page works without JavaScript (links, GET searches, and forms that
//! post to server functions) and becomes interactive once hydrated.
//!
//! The active tenant lives in the URL (`/t/<tenant>/…`), so links, tabs and the back
//! button keep their tenant.

// Deeply nested view types need more room than the default (they are not type-erased,
// so that dev builds share artifacts with `cargo test`; see Cargo.toml).
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod connections;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The HTML document rendered by the server around [`App`].
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    ssr::set_page_csp();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The route table. Pages render with `SsrMode::Async`: the server waits for their data
/// so that the first response is complete (it works without JavaScript) and carries the
/// right status code (404, 403…).
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run only in the browser: this marks the page as hydrated, so tests (and
    // people reading the DOM) can tell the interactive version is live.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/tenantry.css"/>
        <Title formatter=|t: String| if t.is_empty() { "Tenantry".to_string() } else { format!("{t} · Tenantry") }/>
        <Router>
            <Routes fallback=|| view! { <pages::NotFoundPage/> }>
                <Route path=path!("/") view=pages::HomePage ssr=SsrMode::Async/>
                <Route path=path!("/login") view=pages::LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/no-tenants") view=pages::NoTenantsPage ssr=SsrMode::Async/>
                <ParentRoute path=path!("/t/:tenant") view=pages::TenantLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=pages::DashboardPage ssr=SsrMode::Async/>
                    <Route path=path!("members") view=pages::MembersPage ssr=SsrMode::Async/>
                    <Route path=path!("tenants") view=pages::TenantsPage ssr=SsrMode::Async/>
                    <Route path=path!("audit") view=pages::AuditPage ssr=SsrMode::Async/>
                    <Route path=path!("connections") view=connections::ConnectionsPage ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Sets the HTTP status of the page being rendered; a no-op in the browser.
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    ssr::set_status(code);
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// Formats unix milliseconds as `YYYY-MM-DD HH:MM UTC`. Done by hand in a few lines so
/// that server and browser print the same text (no hydration mismatch, no tz data).
pub fn fmt_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_times_in_utc() {
        assert_eq!(super::fmt_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::fmt_time(1_795_000_000_000), "2026-11-18 11:06 UTC");
    }
}
