//! Server functions and the data they carry. Each one is thin on purpose: authenticate,
//! build the tenant scope, call the domain, map the result for the page. All rules
//! (validation, permissions, audit) live in `domain`/`policy`, shared with the REST API.

use crate::error::AppError;
use leptos::prelude::*;
use policy::Role;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::ssr::{principal, scope};
#[cfg(feature = "ssr")]
use domain::{directory, members};

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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub labels: Vec<String>,
    pub desired_state: String,
    pub current_state: String,
    pub is_system: bool,
    pub created_at: i64,
}

#[cfg(feature = "ssr")]
impl From<domain::Tenant> for TenantRow {
    fn from(t: domain::Tenant) -> Self {
        TenantRow {
            id: t.id.to_string(),
            name: t.name,
            description: t.description,
            labels: t
                .labels
                .into_iter()
                .map(|l| format!("{}={}", l.key, l.value))
                .collect(),
            desired_state: t.desired_state.as_str().into(),
            current_state: t.current_state.as_str().into(),
            is_system: t.is_system,
            created_at: t.created_at,
        }
    }
}

/// The active tenant and the caller's standing there, for the layout.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActiveTenant {
    pub id: String,
    pub name: String,
    pub is_system: bool,
    pub role: Role,
    pub global_admin: bool,
    pub can_manage: bool,
    pub user_email: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SwitcherData {
    pub recent: Vec<TenantLink>,
    pub results: Vec<TenantLink>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardData {
    pub tenant: TenantRow,
    pub members: i64,
    pub admins: i64,
    pub audit_events: i64,
    pub last_activity_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberRow {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub added_at: i64,
    pub pending: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MembersPage {
    pub items: Vec<MemberRow>,
    pub next_cursor: Option<String>,
    pub can_manage: bool,
    /// Roles the caller may grant here (a tenant admin never gets `admin`).
    pub grantable: Vec<Role>,
    pub my_user_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantsPage {
    pub items: Vec<TenantRow>,
    pub next_cursor: Option<String>,
    pub can_create: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub items: Vec<AuditRow>,
    pub next_cursor: Option<String>,
}

#[cfg(feature = "ssr")]
fn parse_role(raw: &str) -> Result<Role, AppError> {
    raw.parse()
        .map_err(|e: policy::UnknownRole| AppError::Invalid {
            field: "role".into(),
            message: e.to_string(),
        })
}

#[cfg(feature = "ssr")]
fn empty_to_none(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
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
        let (ctx, p, scope) = scope(&tenant).await?;
        directory::touch_recent(&ctx.db, &scope).await?;
        Ok(ActiveTenant {
            id: scope.tenant_id().to_string(),
            name: scope.tenant_name().to_string(),
            is_system: scope.is_system(),
            role: scope.role(),
            global_admin: scope.is_global_admin(),
            can_manage: scope.allows(policy::Action::Manage),
            user_email: p.user().email.clone(),
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
        let recent = if q.trim().is_empty() && cursor.is_none() {
            directory::recent_tenants(&ctx.db, &p, 5).await?
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
                ..Default::default()
            },
        )
        .await?;
        Ok(SwitcherData {
            recent: recent
                .into_iter()
                .map(|(id, name)| TenantLink {
                    id: id.to_string(),
                    name,
                })
                .collect(),
            results: page
                .items
                .into_iter()
                .map(|t| TenantLink {
                    id: t.id.to_string(),
                    name: t.name,
                })
                .collect(),
            next_cursor: page.next_cursor,
        })
    })
    .await
}

#[server(prefix = "/fn", endpoint = "dashboard")]
pub async fn dashboard(tenant: String) -> Result<DashboardData, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope(&tenant).await?;
        let t = directory::tenant_for_scope(&ctx.db, &scope).await?;
        let stats = members::stats(&ctx.db, &scope).await?;
        Ok(DashboardData {
            tenant: t.into(),
            members: stats.members,
            admins: stats.admins,
            audit_events: stats.audit_events,
            last_activity_at: stats.last_activity_at,
        })
    })
    .await
}

#[server(prefix = "/fn", endpoint = "list_members")]
pub async fn list_members(
    tenant: String,
    q: String,
    cursor: Option<String>,
) -> Result<MembersPage, AppError> {
    crate::ssr::respond(async move {
        let (ctx, p, scope) = scope(&tenant).await?;
        let page = members::list(
            &ctx.db,
            &scope,
            &q,
            empty_to_none(cursor).as_deref(),
            Some(20),
        )
        .await?;
        Ok(MembersPage {
            items: page
                .items
                .into_iter()
                .map(|m| MemberRow {
                    user_id: m.user_id.to_string(),
                    email: m.email,
                    name: m.name,
                    role: m.role,
                    added_at: m.added_at,
                    pending: m.pending,
                })
                .collect(),
            next_cursor: page.next_cursor,
            can_manage: scope.allows(policy::Action::Manage),
            grantable: Role::ALL
                .into_iter()
                .filter(|r| scope.allows(policy::Action::Grant(*r)))
                .collect(),
            my_user_id: p.user_id().to_string(),
        })
    })
    .await
}

#[server(prefix = "/fn", endpoint = "add_member")]
pub async fn add_member(tenant: String, email: String, role: String) -> Result<(), AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope(&tenant).await?;
        members::add(&ctx.db, &scope, &email, parse_role(&role)?).await?;
        Ok(())
    })
    .await
}

#[server(prefix = "/fn", endpoint = "change_member_role")]
pub async fn change_member_role(
    tenant: String,
    user_id: String,
    role: String,
) -> Result<(), AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope(&tenant).await?;
        let user = domain::UserId::parse(&user_id).ok_or(AppError::NotFound)?;
        members::change_role(&ctx.db, &scope, user, parse_role(&role)?).await?;
        Ok(())
    })
    .await
}

#[server(prefix = "/fn", endpoint = "remove_member")]
pub async fn remove_member(tenant: String, user_id: String) -> Result<(), AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope(&tenant).await?;
        let user = domain::UserId::parse(&user_id).ok_or(AppError::NotFound)?;
        members::remove(&ctx.db, &scope, user).await?;
        Ok(())
    })
    .await
}

/// The tenants page (global admins): every tenant, searchable, filterable by label.
#[server(prefix = "/fn", endpoint = "list_tenants")]
pub async fn list_tenants(
    tenant: String,
    q: String,
    label: String,
    cursor: Option<String>,
) -> Result<TenantsPage, AppError> {
    crate::ssr::respond(async move {
        let (ctx, p, _scope) = scope(&tenant).await?;
        if !p.is_global_admin() {
            return Err(AppError::Forbidden(
                "Only global admins manage tenants.".into(),
            ));
        }
        let label = match label.trim() {
            "" => None,
            raw => {
                let (k, v) = raw.split_once('=').unwrap_or((raw, ""));
                Some(domain::validate::label(k, v).map_err(AppError::from)?)
            }
        };
        let page = directory::list_tenants(
            &ctx.db,
            &p,
            &directory::TenantQuery {
                q,
                label,
                cursor: empty_to_none(cursor),
                limit: Some(20),
            },
        )
        .await?;
        Ok(TenantsPage {
            items: page.items.into_iter().map(TenantRow::from).collect(),
            next_cursor: page.next_cursor,
            can_create: p.is_global_admin(),
        })
    })
    .await
}

#[server(prefix = "/fn", endpoint = "create_tenant")]
pub async fn create_tenant(
    tenant: String,
    name: String,
    description: String,
    labels: String,
) -> Result<(), AppError> {
    crate::ssr::respond(async move {
        let (ctx, p, _scope) = scope(&tenant).await?;
        let labels = domain::validate::labels(&labels)?;
        directory::create_tenant(
            &ctx.db,
            &p,
            domain::NewTenant {
                name,
                description,
                labels,
                id: None,
            },
        )
        .await?;
        Ok(())
    })
    .await
}

#[server(prefix = "/fn", endpoint = "list_audit")]
pub async fn list_audit(tenant: String, cursor: Option<String>) -> Result<AuditPage, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope(&tenant).await?;
        let page = domain::audit::list(&ctx.db, &scope, empty_to_none(cursor).as_deref(), Some(25))
            .await?;
        Ok(AuditPage {
            items: page
                .items
                .into_iter()
                .map(|e| AuditRow {
                    at: e.at,
                    actor: e.actor,
                    action: e.action,
                    target: e.target,
                    before: e.before,
                    after: e.after,
                })
                .collect(),
            next_cursor: page.next_cursor,
        })
    })
    .await
}
