//! Server functions of the frame around every page: who is logged in, how one may log in,
//! where `/` leads, the active tenant for the layout, and the tenant switcher. Each is
//! thin: authenticate, build the tenant scope, call `domain`.

#[cfg(feature = "ssr")]
use crate::components::empty_to_none;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::{principal, scope};
#[cfg(feature = "ssr")]
use domain::directory;
use leptos::prelude::*;
use policy::Role;
use serde::{Deserialize, Serialize};

/// Everything the server functions are mounted under (see the isolation matrix).
pub const PREFIX: &str = "/fn";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderButton {
    pub name: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct LoginMethods {
    pub providers: Vec<ProviderButton>,
    pub local_login: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Me {
    pub email: String,
    pub name: String,
    pub global_admin: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantLink {
    pub id: String,
    pub name: String,
    /// `key=value` labels (the switcher shows them; recent tenants have none).
    #[serde(default)]
    pub labels: Vec<String>,
}

/// The active tenant and the caller's standing there, for the layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActiveTenant {
    pub id: String,
    pub name: String,
    pub is_system: bool,
    /// `None` for a caller admitted from another tenant.
    pub role: Option<Role>,
    pub global_admin: bool,
    pub can_manage: bool,
    pub user_email: String,
    /// The home tenant of a caller admitted through its cross-access policy.
    #[serde(default)]
    pub admitted_from: Option<String>,
    /// The sections the caller may read here, by resource type (`members`, `clouds`):
    /// the navigation shows only these.
    #[serde(default)]
    pub readable: Vec<String>,
    /// The tenant is being deleted: its pages say so and refuse changes.
    #[serde(default)]
    pub deleting: bool,
    /// Alerts not acknowledged yet (0 for someone who may not read them).
    #[serde(default)]
    pub alerts_unread: i64,
}

/// The resource type each section of the navigation reads.
pub const SECTIONS: &[&str] = &[
    "members",
    "audit-events",
    "connections",
    "workspaces",
    "services",
    "network-policies",
    "iam-policies",
    "groups",
    "clouds",
    "alerts",
    "logs",
    "metrics",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SwitcherData {
    pub recent: Vec<TenantLink>,
    /// Tenants the caller is admitted to by cross-access policies, with the verb.
    #[serde(default)]
    pub admitted: Vec<(TenantLink, String)>,
    pub results: Vec<TenantLink>,
    pub next_cursor: Option<String>,
}

/// The logged-in user, or `None` when nobody is (the login page uses it).
#[server(prefix = "/fn", endpoint = "session_info")]
pub async fn session_info() -> Result<Option<Me>, AppError> {
    crate::ssr::respond(async move {
        match principal().await {
            Ok((_, p)) => Ok(Some(Me {
                email: p.user().email.clone(),
                name: p.user().name.clone(),
                global_admin: p.is_global_admin(),
            })),
            Err(AppError::Unauthenticated) => Ok(None),
            Err(e) => Err(e),
        }
    })
    .await
}

/// Which ways to log in this console offers.
#[server(prefix = "/fn", endpoint = "login_options")]
pub async fn login_options() -> Result<LoginMethods, AppError> {
    crate::ssr::respond(async move {
        let ctx = use_context::<crate::ssr::UiContext>().ok_or(AppError::Internal)?;
        Ok(ctx.login)
    })
    .await
}

/// Where `/` leads: the last tenant used, else the first one the user may see.
#[server(prefix = "/fn", endpoint = "home_path")]
pub async fn home_path() -> Result<String, AppError> {
    crate::ssr::respond(async move {
        let (ctx, p) = principal().await?;
        if let Some((_, name)) = directory::recent_tenants(&ctx.db, &p, 1)
            .await?
            .into_iter()
            .next()
        {
            return Ok(format!("/t/{name}"));
        }
        let page = directory::list_tenants(
            &ctx.db,
            &p,
            &directory::TenantQuery {
                limit: Some(1),
                ..Default::default()
            },
        )
        .await?;
        Ok(page
            .items
            .first()
            .map(|t| format!("/t/{}", t.name))
            .unwrap_or_else(|| "/no-tenants".into()))
    })
    .await
}

/// The active tenant for the layout; also remembers it as recently used.
#[server(prefix = "/fn", endpoint = "tenant_context")]
pub async fn tenant_context(tenant: String) -> Result<ActiveTenant, AppError> {
    crate::ssr::respond(async move {
        let (ctx, p, scope) = scope("tenant_context", &tenant).await?;
        directory::touch_recent(&ctx.db, &scope).await?;
        Ok(ActiveTenant {
            id: scope.tenant_id().to_string(),
            name: scope.tenant_name().to_string(),
            is_system: scope.is_system(),
            role: scope.own_role(),
            global_admin: scope.is_global_admin(),
            // "read-only" in the header unless something here may be changed: by the
            // role, a group's statements, or an admission.
            can_manage: scope.is_global_admin()
                || SECTIONS.iter().any(|ty| {
                    policy::iam::catalogue::resource_type(ty)
                        .is_some_and(|t| scope.allows(&format!("{}_UPDATE", t.prefix)))
                }),
            user_email: p.user().email.clone(),
            admitted_from: scope.admission().map(|a| a.home_name.clone()),
            readable: SECTIONS
                .iter()
                .filter(|ty| {
                    policy::iam::catalogue::resource_type(ty)
                        .is_some_and(|t| scope.allows(&format!("{}_READ", t.prefix)))
                })
                .map(|s| s.to_string())
                .collect(),
            deleting: scope.is_deleting(),
            alerts_unread: domain::lifecycle::alerts::unread(&ctx.db, &scope).await?,
        })
    })
    .await
}

/// The frame of the global pages (`/admin/…`): who is there, for global admins only.
#[server(prefix = "/fn", endpoint = "global_context")]
pub async fn global_context() -> Result<ActiveTenant, AppError> {
    crate::ssr::respond(async move {
        let (_, p) = crate::ssr::global_admin().await?;
        Ok(ActiveTenant {
            id: String::new(),
            name: String::new(),
            is_system: true,
            role: Some(Role::Admin),
            global_admin: true,
            can_manage: true,
            user_email: p.user().email.clone(),
            admitted_from: None,
            readable: Vec::new(),
            deleting: false,
            alerts_unread: 0,
        })
    })
    .await
}

/// The tenant switcher: recent tenants, and a server-side search over the tenants the
/// caller may see (paginated, so it stays fast however many tenants there are).
#[server(prefix = "/fn", endpoint = "switcher")]
pub async fn switcher(q: String, cursor: Option<String>) -> Result<SwitcherData, AppError> {
    crate::ssr::respond(async move {
        let (ctx, p) = principal().await?;
        let first = q.trim().is_empty() && cursor.is_none();
        let recent = if first {
            directory::recent_tenants(&ctx.db, &p, 5).await?
        } else {
            Vec::new()
        };
        let admitted = if first && !p.is_global_admin() {
            domain::iam::admitted_tenants(&ctx.db, &p).await?
        } else {
            Vec::new()
        };
        let page = directory::list_tenants(
            &ctx.db,
            &p,
            &directory::TenantQuery {
                q,
                cursor: empty_to_none(cursor),
                limit: Some(10),
                without_labels: false,
                ..Default::default()
            },
        )
        .await?;
        Ok(SwitcherData {
            admitted: admitted
                .into_iter()
                .map(|(id, name, verb)| {
                    (
                        TenantLink {
                            id: id.to_string(),
                            name,
                            labels: Vec::new(),
                        },
                        verb.as_str().to_string(),
                    )
                })
                .collect(),
            recent: recent
                .into_iter()
                .map(|(id, name)| TenantLink {
                    id: id.to_string(),
                    name,
                    labels: Vec::new(),
                })
                .collect(),
            results: page
                .items
                .into_iter()
                .map(|t| TenantLink {
                    id: t.id.to_string(),
                    labels: t
                        .labels
                        .into_iter()
                        .map(|l| format!("{}={}", l.key, l.value))
                        .collect(),
                    name: t.name,
                })
                .collect(),
            next_cursor: page.next_cursor,
        })
    })
    .await
}
