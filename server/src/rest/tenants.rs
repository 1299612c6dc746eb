//! REST routes of the caller and the tenants: `GET /me`, tenants (list, create, get) and
//! pre-provisioned users.

use super::{body, ApiError, ApiResult, Caller, ErrorBody, ListQuery};
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use domain::{directory, DomainError, TenantId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct UserJson {
    id: String,
    email: String,
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct MembershipJson {
    tenant_id: String,
    tenant_name: String,
    role: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeJson {
    user: UserJson,
    global_admin: bool,
    /// Roles in the `<tenant-uuid>_<role>` form of seed 004.
    roles: Vec<String>,
    memberships: Vec<MembershipJson>,
}

#[derive(Serialize, ToSchema)]
pub struct TenantJson {
    id: String,
    name: String,
    description: String,
    labels: BTreeMap<String, String>,
    desired_state: String,
    current_state: String,
    created_at: i64,
    /// How far the tenant's deletion has come, once asked for (`DELETE /tenants/{id}`).
    teardown: Option<super::lifecycle::TeardownJson>,
}

impl From<domain::Tenant> for TenantJson {
    fn from(t: domain::Tenant) -> Self {
        TenantJson {
            id: t.id.to_string(),
            name: t.name,
            description: t.description,
            labels: t.labels.into_iter().map(|l| (l.key, l.value)).collect(),
            desired_state: t.desired_state.as_str().into(),
            current_state: t.current_state.as_str().into(),
            created_at: t.created_at,
            teardown: t.teardown.map(Into::into),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TenantList {
    items: Vec<TenantJson>,
    next_cursor: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewTenantJson {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    /// A UUID chosen by an external tenant manager; random when absent.
    id: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewUserJson {
    email: String,
    #[serde(default)]
    name: String,
}

#[utoipa::path(get, path = "/me", responses((status = 200, body = MeJson), (status = 401, body = ErrorBody)))]
pub(super) async fn me(State(st): State<AppState>, Caller(p): Caller) -> ApiResult<Json<MeJson>> {
    let memberships = domain::scope::memberships(&st.db, &p).await?;
    Ok(Json(MeJson {
        user: UserJson {
            id: p.user_id().to_string(),
            email: p.user().email.clone(),
            name: p.user().name.clone(),
        },
        global_admin: p.is_global_admin(),
        roles: memberships
            .iter()
            .map(|m| format!("{}_{}", m.tenant_id, m.role))
            .collect(),
        memberships: memberships
            .into_iter()
            .map(|m| MembershipJson {
                tenant_id: m.tenant_id.to_string(),
                tenant_name: m.tenant_name,
                role: m.role.as_str().into(),
            })
            .collect(),
    }))
}

#[utoipa::path(get, path = "/tenants", params(ListQuery), responses((status = 200, body = TenantList)))]
pub(super) async fn list_tenants(
    State(st): State<AppState>,
    Caller(p): Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<TenantList>> {
    let label = match q.label.trim() {
        "" => None,
        raw => {
            let (k, v) = raw.split_once('=').unwrap_or((raw, ""));
            Some(domain::validate::label(k, v)?)
        }
    };
    let page = directory::list_tenants(
        &st.db,
        &p,
        &directory::TenantQuery {
            q: q.q,
            label,
            cursor: q.cursor,
            limit: q.limit,
            without_labels: false,
            count_total: false,
        },
    )
    .await?;
    Ok(Json(TenantList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(post, path = "/tenants", request_body = NewTenantJson,
    responses((status = 201, body = TenantJson), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_tenant(
    State(st): State<AppState>,
    Caller(p): Caller,
    json: Result<Json<NewTenantJson>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<TenantJson>)> {
    let new = body(json)?;
    let id = match new.id.as_deref() {
        None => None,
        Some(raw) => Some(
            TenantId::parse(raw)
                .ok_or_else(|| ApiError::from(DomainError::invalid("id", "id must be a UUID.")))?,
        ),
    };
    let labels = new
        .labels
        .iter()
        .map(|(k, v)| domain::validate::label(k, v))
        .collect::<Result<Vec<_>, _>>()?;
    let t = directory::create_tenant(
        &st.db,
        &p,
        domain::NewTenant {
            name: new.name,
            description: new.description,
            labels,
            id,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(t.into())))
}

#[utoipa::path(get, path = "/tenants/{id}", params(("id" = String, Path, description = "Tenant UUID")),
    responses((status = 200, body = TenantJson), (status = 404, body = ErrorBody)))]
pub(super) async fn get_tenant(
    State(st): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<TenantJson>> {
    let id = TenantId::parse(&id).ok_or(DomainError::NotFound("tenant"))?;
    Ok(Json(directory::get_tenant(&st.db, &p, id).await?.into()))
}

/// A change of a tenant: fields left out stay as they are.
#[derive(Deserialize, ToSchema)]
pub struct TenantChangeJson {
    description: Option<String>,
    /// The whole new set of labels.
    labels: Option<BTreeMap<String, String>>,
}

#[utoipa::path(patch, path = "/tenants/{id}", request_body = TenantChangeJson, params(("id" = String, Path)),
    responses((status = 200, body = TenantJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn update_tenant(
    State(st): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
    json: Result<Json<TenantChangeJson>, JsonRejection>,
) -> ApiResult<Json<TenantJson>> {
    let change = body(json)?;
    let id = TenantId::parse(&id).ok_or(DomainError::NotFound("tenant"))?;
    let current = directory::get_tenant(&st.db, &p, id).await?;
    let labels = match change.labels {
        Some(map) => map
            .iter()
            .map(|(k, v)| domain::validate::label(k, v))
            .collect::<Result<Vec<_>, _>>()?,
        None => current.labels,
    };
    let description = change.description.unwrap_or(current.description);
    let t = directory::update_tenant(&st.db, &p, id, &description, labels).await?;
    Ok(Json(t.into()))
}

#[utoipa::path(post, path = "/users", request_body = NewUserJson,
    responses((status = 201, body = UserJson), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(super) async fn create_user(
    State(st): State<AppState>,
    Caller(p): Caller,
    json: Result<Json<NewUserJson>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<UserJson>)> {
    let new = body(json)?;
    let u = directory::provision_user(&st.db, &p, &new.email, &new.name).await?;
    Ok((
        StatusCode::CREATED,
        Json(UserJson {
            id: u.id.to_string(),
            email: u.email,
            name: u.name,
        }),
    ))
}
