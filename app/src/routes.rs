//! The pages of the route table, each a chunk of the browser bundle of its own.
//!
//! In the browser every page is a lazy route: `cargo leptos build --split` puts the code
//! of each page (the YAML and policy editors above all) in its own wasm chunk, which is
//! fetched when the page is first shown, so the first page loads only the shell and
//! itself. On the server a page is the plain component, rendered as before: there is
//! nothing to fetch there, and no extra await on the path of every page.
//!
//! A page is added to the table in `App` as `view={routes::Name::route()}`, after adding
//! it to the list below.

use leptos::prelude::*;

macro_rules! pages {
    ($($(#[$doc:meta])* $route:ident => $page:path;)*) => {$(
        $(#[$doc])*
        pub struct $route;

        #[cfg(feature = "hydrate")]
        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(this: Self) -> AnyView {
                let _ = this;
                $page().into_any()
            }
        }

        impl $route {
            /// The route's view: a lazily loaded chunk in the browser.
            #[cfg(feature = "hydrate")]
            pub fn route() -> leptos_router::Lazy<$route> {
                leptos_router::Lazy::new()
            }

            /// The route's view: the page itself on the server.
            #[cfg(not(feature = "hydrate"))]
            pub fn route() -> fn() -> AnyView {
                || $page().into_any()
            }
        }
    )*};
}

pages! {
    Home => crate::shell::pages::HomePage;
    Login => crate::shell::pages::LoginPage;
    NoTenants => crate::shell::pages::NoTenantsPage;
    Dashboard => crate::tenants::pages::DashboardPage;
    Members => crate::members::pages::MembersPage;
    Audit => crate::audit::pages::AuditPage;
    Alerts => crate::lifecycle::pages::AlertsPage;
    Logs => crate::telemetry::pages::LogsPage;
    Metrics => crate::telemetry::pages::MetricsPage;
    Usage => crate::telemetry::pages::UsagePage;
    Connections => crate::connections::pages::ConnectionsPage;
    Connection => crate::connections::pages::ConnectionPage;
    Workspaces => crate::network::pages::WorkspacesPage;
    Services => crate::network::pages::ServicesPage;
    NetworkPolicies => crate::network::pages::PoliciesPage;
    NetworkPolicyEditor => crate::network::pages::PolicyEditorPage;
    IamPolicies => crate::iam::pages::IamPoliciesPage;
    IamEditor => crate::iam::pages::IamEditorPage;
    IamVersion => crate::iam::pages::IamVersionPage;
    IamSimulator => crate::iam::pages::IamSimulatorPage;
    Groups => crate::iam::groups::GroupsPage;
    Group => crate::iam::groups::GroupPage;
    Clouds => crate::clouds::pages::CloudsPage;
    CloudWizard => crate::clouds::wizard::CloudWizardPage;
    Cloud => crate::clouds::pages::CloudPage;
    Tenants => crate::tenants::pages::TenantsPage;
    DeleteTenant => crate::lifecycle::pages::DeleteTenantPage;
    ConnectionMap => crate::connections::pages::ConnectionMapPage;
    Archive => crate::telemetry::pages::ArchivePage;
}
