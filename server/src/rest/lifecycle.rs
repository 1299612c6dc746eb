//! REST routes of the tenant lifecycle: deleting a tenant (its dry run, then the
//! teardown the controller runs) and the active tenant's alerts.

use super::{ApiResult, Caller, ErrorBody, Scoped};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::lifecycle::{self, alerts, Deletion};
use domain::{DomainError, TenantId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How far a tenant's deletion has come.
#[derive(Serialize, ToSchema)]
pub struct TeardownJson {
    /// Steps done, out of `total`.
    done: usize,
    total: usize,
    /// The step running now (or `Done`).
    current: String,
    started_at: i64,
    requested_by: String,
    /// The current step's last failure, while it is retried (it is forced after the
    /// step timeout).
    error: Option<String>,
}

impl From<lifecycle::Progress> for TeardownJson {
    fn from(p: lifecycle::Progress) -> Self {
        TeardownJson {
            done: p.done,
            total: p.total,
            current: p.current,
            started_at: p.started_at,
            requested_by: p.requested_by,
            error: p.error,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PlanItemJson {
    kind: String,
    count: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PlanStepJson {
    key: String,
    label: String,
    items: Vec<PlanItemJson>,
}

/// The dry run of a deletion: every step in order, with what it removes.
#[derive(Serialize, ToSchema)]
pub struct TeardownPlanJson {
    tenant_id: String,
    tenant_name: String,
    steps: Vec<PlanStepJson>,
    /// Present once the deletion has started.
    progress: Option<TeardownJson>,
}

fn tenant_id(raw: &str) -> Result<TenantId, DomainError> {
    TenantId::parse(raw).ok_or(DomainError::NotFound("tenant"))
}

#[utoipa::path(get, path = "/tenants/{id}/teardown-plan", params(("id" = String, Path, description = "Tenant UUID")),
    responses((status = 200, body = TeardownPlanJson), (status = 404, body = ErrorBody)))]
pub(super) async fn teardown_plan(
    State(st): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<TeardownPlanJson>> {
    let plan = lifecycle::plan(&st.db, &p, tenant_id(&id)?).await?;
    Ok(Json(TeardownPlanJson {
        tenant_id: plan.tenant_id.to_string(),
        tenant_name: plan.tenant_name,
        steps: plan
            .steps
            .into_iter()
            .map(|s| PlanStepJson {
                key: s.key,
                label: s.label,
                items: s
                    .items
                    .into_iter()
                    .map(|i| PlanItemJson {
                        kind: i.kind,
                        count: i.count,
                    })
                    .collect(),
            })
            .collect(),
        progress: plan.progress.map(Into::into),
    }))
}

#[utoipa::path(delete, path = "/tenants/{id}", params(("id" = String, Path, description = "Tenant UUID")),
    responses((status = 202, description = "The teardown runs (or was running)", body = TeardownJson),
        (status = 204, description = "Already deleted"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(super) async fn delete_tenant(
    State(st): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    Ok(
        match lifecycle::request_delete(&st.db, &p, tenant_id(&id)?, None).await? {
            Deletion::Started(progress) => {
                (StatusCode::ACCEPTED, Json(TeardownJson::from(progress))).into_response()
            }
            Deletion::AlreadyDeleted => StatusCode::NO_CONTENT.into_response(),
        },
    )
}

#[derive(Serialize, ToSchema)]
pub struct AlertJson {
    id: String,
    kind: String,
    /// `info`, `warning` or `critical`.
    severity: String,
    message: String,
    created_at: i64,
    acked_at: Option<i64>,
    acked_by: Option<String>,
}

impl From<alerts::Alert> for AlertJson {
    fn from(a: alerts::Alert) -> Self {
        AlertJson {
            id: a.id,
            kind: a.kind,
            severity: a.severity.as_str().into(),
            message: a.message,
            created_at: a.created_at,
            acked_at: a.acked_at,
            acked_by: a.acked_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AlertList {
    items: Vec<AlertJson>,
    next_cursor: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AlertQuery {
    /// Only alerts not acknowledged yet.
    #[serde(default)]
    open: bool,
    limit: Option<i64>,
    cursor: Option<String>,
}

#[utoipa::path(get, path = "/alerts", params(AlertQuery, ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = AlertList), (status = 403, body = ErrorBody)))]
pub(super) async fn list_alerts(
    State(st): State<AppState>,
    s: Scoped,
    Query(q): Query<AlertQuery>,
) -> ApiResult<Json<AlertList>> {
    let page = alerts::list(&st.db, &s.scope, q.open, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(AlertList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(post, path = "/alerts/{id}/ack", params(("id" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = AlertJson), (status = 404, body = ErrorBody)))]
pub(super) async fn acknowledge_alert(
    State(st): State<AppState>,
    s: Scoped,
    Path(id): Path<String>,
) -> ApiResult<Json<AlertJson>> {
    Ok(Json(
        alerts::acknowledge(&st.db, &s.scope, &id).await?.into(),
    ))
}

/// One record of a deleted tenant's archived audit log.
#[derive(Serialize, ToSchema)]
pub struct ArchivedEventJson {
    id: String,
    at: i64,
    actor: String,
    action: String,
    target: String,
    before: Option<String>,
    after: Option<String>,
    via: Option<String>,
    /// The request that made the change (its `X-Request-Id`).
    request_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ArchivedEventList {
    items: Vec<ArchivedEventJson>,
    next_cursor: Option<String>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ArchiveQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

#[utoipa::path(get, path = "/audit-archive/{tenant_id}", params(("tenant_id" = String, Path, description = "The deleted tenant's UUID"), ArchiveQuery),
    responses((status = 200, body = ArchivedEventList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn audit_archive(
    State(st): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    Query(q): Query<ArchiveQuery>,
) -> ApiResult<Json<ArchivedEventList>> {
    let page =
        domain::audit::archived(&st.db, &p, tenant_id(&id)?, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(ArchivedEventList {
        items: page
            .items
            .into_iter()
            .map(|e| ArchivedEventJson {
                id: e.id.to_string(),
                at: e.at,
                actor: e.actor,
                action: e.action,
                target: e.target,
                before: e.before,
                after: e.after,
                via: e.via,
                request_id: e.request_id,
            })
            .collect(),
        next_cursor: page.next_cursor,
    }))
}
