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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardData {
    pub tenant: TenantRow,
    pub members: i64,
    pub admins: i64,
    pub audit_events: i64,
    pub last_activity_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TenantsPage {
    pub items: Vec<TenantRow>,
    pub next_cursor: Option<String>,
    pub can_create: bool,
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
                without_labels: false,
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
