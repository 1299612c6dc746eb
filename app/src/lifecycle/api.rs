//! Server functions of the tenant lifecycle: the dry run of a deletion and the request
//! for it (global admins), and the active tenant's alerts.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {
    crate::components::empty_to_none,
    crate::ssr::scope,
    domain::lifecycle::{self, alerts},
};

/// How far a tenant's deletion has come (see `domain::lifecycle::Progress`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeardownView {
    pub done: usize,
    pub total: usize,
    pub current: String,
    pub requested_by: String,
    pub error: Option<String>,
}

#[cfg(feature = "ssr")]
impl From<lifecycle::Progress> for TeardownView {
    fn from(p: lifecycle::Progress) -> Self {
        TeardownView {
            done: p.done,
            total: p.total,
            current: p.current,
            requested_by: p.requested_by,
            error: p.error,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanStepView {
    pub label: String,
    /// (kind, count)
    pub items: Vec<(String, i64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanView {
    pub tenant_id: String,
    pub tenant_name: String,
    pub steps: Vec<PlanStepView>,
    pub progress: Option<TeardownView>,
}

/// The dry run of deleting the tenant named `tenant`.
#[server(prefix = "/fn", endpoint = "teardown_plan")]
pub async fn teardown_plan(tenant: String) -> Result<PlanView, AppError> {
    crate::ssr::respond(async move {
        let (ctx, p) = crate::ssr::global_admin().await?;
        let id = domain::directory::tenant_id_by_name(&ctx.db, &tenant)
            .await?
            .ok_or(AppError::NotFound)?;
        let plan = lifecycle::plan(&ctx.db, &p, id).await?;
        Ok(PlanView {
            tenant_id: plan.tenant_id.to_string(),
            tenant_name: plan.tenant_name,
            steps: plan
                .steps
                .into_iter()
                .map(|s| PlanStepView {
                    label: s.label,
                    items: s.items.into_iter().map(|i| (i.kind, i.count)).collect(),
                })
                .collect(),
            progress: plan.progress.map(Into::into),
        })
    })
    .await
}

/// Starts deleting the tenant named `tenant` once `confirm` repeats its name, then
/// shows the tenants list, where its progress runs.
#[server(prefix = "/fn", endpoint = "delete_tenant")]
pub async fn delete_tenant(tenant: String, confirm: String) -> Result<String, AppError> {
    crate::ssr::respond(async move {
        let (ctx, p) = crate::ssr::global_admin().await?;
        let id = domain::directory::tenant_id_by_name(&ctx.db, &tenant)
            .await?
            .ok_or(AppError::NotFound)?;
        lifecycle::request_delete(&ctx.db, &p, id, Some(&confirm)).await?;
        // The list filtered to it, so it shows whatever page it would be on.
        let name = crate::components::encode(&tenant);
        leptos_axum::redirect(&format!("/admin/tenants?q={name}&deleting={name}"));
        Ok(tenant)
    })
    .await
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRow {
    pub id: String,
    pub kind: String,
    pub severity: String,
    pub message: String,
    pub created_at: i64,
    pub acked_at: Option<i64>,
    pub acked_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertsData {
    pub items: Vec<AlertRow>,
    pub next_cursor: Option<String>,
    pub can_ack: bool,
}

/// The tenant's alerts, newest first; `open` ("1") shows only unacknowledged ones.
#[server(prefix = "/fn", endpoint = "list_alerts")]
pub async fn list_alerts(
    tenant: String,
    open: String,
    cursor: Option<String>,
) -> Result<AlertsData, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("list_alerts", &tenant).await?;
        let page = alerts::list(
            &ctx.db,
            &scope,
            open == "1",
            empty_to_none(cursor).as_deref(),
            Some(20),
        )
        .await?;
        Ok(AlertsData {
            items: page
                .items
                .into_iter()
                .map(|a| AlertRow {
                    id: a.id,
                    kind: a.kind,
                    severity: a.severity.as_str().into(),
                    message: a.message,
                    created_at: a.created_at,
                    acked_at: a.acked_at,
                    acked_by: a.acked_by,
                })
                .collect(),
            next_cursor: page.next_cursor,
            can_ack: scope.allows("ALERT_UPDATE"),
        })
    })
    .await
}

#[server(prefix = "/fn", endpoint = "acknowledge_alert")]
pub async fn acknowledge_alert(tenant: String, id: String) -> Result<(), AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("acknowledge_alert", &tenant).await?;
        alerts::acknowledge(&ctx.db, &scope, &id).await?;
        Ok(())
    })
    .await
}
