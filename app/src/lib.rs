//! Tenantry's user interface: one Leptos app, rendered on the server and hydrated in
//! the browser. Every page works without JavaScript (links, GET searches, and forms that
//! post to server functions) and becomes interactive once hydrated.
//!
//! The active tenant lives in the URL (`/t/<tenant>/…`), so links, tabs and the back
//! button keep their tenant.

// Deeply nested view types need more room than the default (they are not type-erased,
// so that dev builds share artifacts with `cargo test`; see Cargo.toml).
#![recursion_limit = "256"]

pub mod access;
pub mod audit;
pub mod clouds;
pub mod components;
pub mod connections;
pub mod error;
pub mod iam;
pub mod lifecycle;
pub mod members;
pub mod network;
mod routes;
pub mod shell;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod telemetry;
pub mod tenants;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
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
                {components::echo_meta()}
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
    components::provide_form_echo();
    view! {
        <Stylesheet id="leptos" href="/pkg/tenantry.css"/>
        <Title formatter=|t: String| if t.is_empty() { "Tenantry".to_string() } else { format!("{t} · Tenantry") }/>
        <Router>
            <EchoReset/>
            <Routes fallback=|| view! { <shell::pages::NotFoundPage/> }>
                <Route path=path!("/") view={routes::Home::route()} ssr=SsrMode::Async/>
                <Route path=path!("/login") view={routes::Login::route()} ssr=SsrMode::Async/>
                <Route path=path!("/no-tenants") view={routes::NoTenants::route()} ssr=SsrMode::Async/>
                <ParentRoute path=path!("/t/:tenant") view=shell::pages::TenantLayout ssr=SsrMode::Async>
                    <Route path=path!("") view={routes::Dashboard::route()} ssr=SsrMode::Async/>
                    <Route path=path!("members") view={routes::Members::route()} ssr=SsrMode::Async/>
                    <Route path=path!("tenants") view=|| view! { <shell::pages::MovedToAdmin to="/admin/tenants"/> } ssr=SsrMode::Async/>
                    <Route path=path!("audit") view={routes::Audit::route()} ssr=SsrMode::Async/>
                    <Route path=path!("alerts") view={routes::Alerts::route()} ssr=SsrMode::Async/>
                    <Route path=path!("logs") view={routes::Logs::route()} ssr=SsrMode::Async/>
                    <Route path=path!("metrics") view={routes::Metrics::route()} ssr=SsrMode::Async/>
                    <Route path=path!("usage") view={routes::Usage::route()} ssr=SsrMode::Async/>
                    <Route path=path!("connections") view={routes::Connections::route()} ssr=SsrMode::Async/>
                    <Route path=path!("connections/:id") view={routes::Connection::route()} ssr=SsrMode::Async/>
                    <Route path=path!("connection-map") view=|| view! { <shell::pages::MovedToAdmin to="/admin/connection-map"/> } ssr=SsrMode::Async/>
                    <Route path=path!("workspaces") view={routes::Workspaces::route()} ssr=SsrMode::Async/>
                    <Route path=path!("services") view={routes::Services::route()} ssr=SsrMode::Async/>
                    <Route path=path!("network-policies") view={routes::NetworkPolicies::route()} ssr=SsrMode::Async/>
                    <Route path=path!("network-policies/:name") view={routes::NetworkPolicyEditor::route()} ssr=SsrMode::Async/>
                    <Route path=path!("iam-policies") view={routes::IamPolicies::route()} ssr=SsrMode::Async/>
                    <Route path=path!("iam-policies/:name") view={routes::IamEditor::route()} ssr=SsrMode::Async/>
                    <Route path=path!("iam-policies/:name/versions/:version") view={routes::IamVersion::route()} ssr=SsrMode::Async/>
                    <Route path=path!("iam-simulator") view={routes::IamSimulator::route()} ssr=SsrMode::Async/>
                    <Route path=path!("groups") view={routes::Groups::route()} ssr=SsrMode::Async/>
                    <Route path=path!("groups/:name") view={routes::Group::route()} ssr=SsrMode::Async/>
                    <Route path=path!("clouds") view={routes::Clouds::route()} ssr=SsrMode::Async/>
                    <Route path=path!("clouds/new") view={routes::CloudWizard::route()} ssr=SsrMode::Async/>
                    <Route path=path!("clouds/:id") view={routes::Cloud::route()} ssr=SsrMode::Async/>
                </ParentRoute>
                // Pages above every tenant live under their own path, not under the
                // tenant one happens to be in.
                <ParentRoute path=path!("/admin") view=shell::pages::GlobalLayout ssr=SsrMode::Async>
                    <Route path=path!("tenants") view={routes::Tenants::route()} ssr=SsrMode::Async/>
                    <Route path=path!("tenants/:name/delete") view={routes::DeleteTenant::route()} ssr=SsrMode::Async/>
                    <Route path=path!("connection-map") view={routes::ConnectionMap::route()} ssr=SsrMode::Async/>
                    <Route path=path!("archive") view={routes::Archive::route()} ssr=SsrMode::Async/>
                    <Route path=path!("") view=|| view! { <Redirect path="/admin/tenants"/> } ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Forgets a form's echo at the first navigation (needs the router, hence a component).
#[component]
fn EchoReset() -> impl IntoView {
    components::forget_echo_on_navigation();
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

/// Formats unix milliseconds as the UTC date `YYYY-MM-DD`.
pub fn fmt_date(ms: i64) -> String {
    fmt_time(ms).chars().take(10).collect()
}

/// Formats a byte count for people (`1.5 GB`, decimal units), the same on server and
/// browser.
pub fn human_bytes(n: i64) -> String {
    const UNITS: [&str; 6] = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut v = n as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_bytes_and_dates() {
        assert_eq!(super::human_bytes(999), "999 B");
        assert_eq!(super::human_bytes(1_500_000), "1.5 MB");
        assert_eq!(super::fmt_date(1_795_000_000_000), "2026-11-18");
    }

    #[test]
    fn formats_times_in_utc() {
        assert_eq!(super::fmt_time(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::fmt_time(1_795_000_000_000), "2026-11-18 11:06 UTC");
    }
}
