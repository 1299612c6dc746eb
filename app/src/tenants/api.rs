//! Server functions of tenants: the dashboard, the list with search and labels, and
//! creating a tenant (global admins).

#[cfg(feature = "ssr")]
use crate::components::empty_to_none;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::scope;
#[cfg(feature = "ssr")]
use domain::{directory, members};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

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
    /// How far the tenant's deletion has come, once asked for.
    #[serde(default)]
    pub teardown: Option<crate::lifecycle::api::TeardownView>,
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
            teardown: t.teardown.map(Into::into),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardData {
    pub tenant: TenantRow,
    pub stats: Stats,
    /// The latest changes: (when, who, action, object).
    pub recent: Vec<(i64, String, String, String)>,
    /// False when the caller may not read the members and the audit log here (someone
    /// admitted from another tenant for part of it): the page then shows no counts.
    #[serde(default)]
    pub overview: bool,
}

/// The dashboard's numbers (see `domain::members::stats`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub members: i64,
    pub admins: i64,
    pub connections_active: i64,
    pub connections_revoked: i64,
    pub secrets_pending: i64,
    pub services: i64,
    pub workspaces: i64,
    pub policies: i64,
    pub iam_policies: i64,
    pub traffic_30d: i64,
    pub last_activity_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantsPage {
    pub items: Vec<TenantRow>,
    pub next_cursor: Option<String>,
    /// The whole list's size, counted up to a cap (see the pager).
    pub total: Option<i64>,
    pub can_create: bool,
}

#[server(prefix = "/fn", endpoint = "dashboard")]
pub async fn dashboard(tenant: String) -> Result<DashboardData, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("dashboard", &tenant).await?;
        let t = directory::tenant_for_scope(&ctx.db, &scope).await?;
        let overview = scope.allows("MEMBER_READ") && scope.allows("AUDIT_EVENT_READ");
        if !overview {
            return Ok(DashboardData {
                tenant: t.into(),
                stats: Stats::default(),
                recent: Vec::new(),
                overview,
            });
        }
        let s = members::stats(&ctx.db, &scope).await?;
        let recent = domain::audit::recent(&ctx.db, &scope, 5).await?;
        Ok(DashboardData {
            overview,
            tenant: t.into(),
            stats: Stats {
                members: s.members,
                admins: s.admins,
                connections_active: s.connections_active,
                connections_revoked: s.connections_revoked,
                secrets_pending: s.secrets_pending,
                services: s.services,
                workspaces: s.workspaces,
                policies: s.policies,
                iam_policies: s.iam_policies,
                traffic_30d: s.traffic_30d,
                last_activity_at: s.last_activity_at,
            },
            recent: recent
                .into_iter()
                .map(|e| (e.at, e.actor, e.action, e.target))
                .collect(),
        })
    })
    .await
}

/// The tenants page (global admins): every tenant, searchable, filterable by label.
#[server(prefix = "/fn", endpoint = "list_tenants")]
pub async fn list_tenants(
    q: String,
    label: String,
    cursor: Option<String>,
) -> Result<TenantsPage, AppError> {
    crate::ssr::respond(async move {
        let (ctx, p) = crate::ssr::global_admin().await?;
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
                without_labels: false,
                count_total: true,
            },
        )
        .await?;
        Ok(TenantsPage {
            items: page.items.into_iter().map(TenantRow::from).collect(),
            next_cursor: page.next_cursor,
            total: page.total,
            can_create: p.is_global_admin(),
        })
    })
    .await
}

#[server(prefix = "/fn", endpoint = "create_tenant")]
pub async fn create_tenant(
    name: String,
    description: String,
    labels: String,
) -> Result<String, AppError> {
    crate::ssr::respond(async move {
        let (ctx, p) = crate::ssr::global_admin().await?;
        let labels = domain::validate::labels(&labels)?;
        let created = directory::create_tenant(
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
        Ok(created.name)
    })
    .await
}

/// Changes a tenant's description and labels (global admins, the tenants page).
#[server(prefix = "/fn", endpoint = "update_tenant")]
pub async fn update_tenant(
    id: String,
    description: String,
    labels: String,
) -> Result<String, AppError> {
    crate::ssr::respond(async move {
        let (ctx, p) = crate::ssr::global_admin().await?;
        let id = domain::TenantId::parse(&id).ok_or(AppError::NotFound)?;
        let labels = domain::validate::labels(&labels)?;
        let t = directory::update_tenant(&ctx.db, &p, id, &description, labels).await?;
        Ok(t.name)
    })
    .await
}
