//! REST routes of the active tenant's memberships.

use super::{body, ApiError, ApiResult, ErrorBody, ListQuery, Scoped};
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use domain::{members, DomainError, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct MemberJson {
    user_id: String,
    email: String,
    name: String,
    role: String,
    pending: bool,
    added_at: i64,
}

impl From<domain::Member> for MemberJson {
    fn from(m: domain::Member) -> Self {
        MemberJson {
            user_id: m.user_id.to_string(),
            email: m.email,
            name: m.name,
            role: m.role.as_str().into(),
            pending: m.pending,
            added_at: m.added_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MemberList {
    items: Vec<MemberJson>,
    next_cursor: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewMemberJson {
    email: String,
    /// `member` (no role: only what the member's groups are granted), `viewer`,
    /// `tenant-admin`, or (system tenant only) `admin`.
    role: String,
}

#[utoipa::path(get, path = "/members", params(ListQuery, ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = MemberList), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(super) async fn list_members(
    State(st): State<AppState>,
    s: Scoped,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<MemberList>> {
    let page = members::list(&st.db, &s.scope, &q.q, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(MemberList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(post, path = "/members", request_body = NewMemberJson, params(("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 201, body = MemberJson), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn add_member(
    State(st): State<AppState>,
    s: Scoped,
    json: Result<Json<NewMemberJson>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<MemberJson>)> {
    let new = body(json)?;
    let role = new.role.parse().map_err(|e: policy::UnknownRole| {
        ApiError::from(DomainError::invalid("role", e.to_string()))
    })?;
    let m = members::add(&st.db, &s.scope, &new.email, role).await?;
    Ok((StatusCode::CREATED, Json(m.into())))
}

#[utoipa::path(delete, path = "/members/{user_id}", params(("user_id" = String, Path, description = "User UUID"), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn remove_member(
    State(st): State<AppState>,
    s: Scoped,
    Path(user_id): Path<String>,
) -> ApiResult<StatusCode> {
    let user = UserId::parse(&user_id).ok_or(DomainError::NotFound("member"))?;
    members::remove(&st.db, &s.scope, user).await?;
    Ok(StatusCode::NO_CONTENT)
}
