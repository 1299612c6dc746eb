//! IAM policies over REST: documents as `text/plain` (or JSON), their versions with
//! restore, and the simulator. A save on top of a stale version answers 409 with the
//! difference to the latest, so a script can show its user what changed meanwhile.

use super::{accepts, body, media_type, ApiError, ApiResult, ErrorBody, Scoped};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::iam::{self, Base, IamPolicy, Save};
use domain::DomainError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct IamPolicyJson {
    name: String,
    description: String,
    version: i64,
    statements: i64,
    /// The statements, as written.
    text: String,
    created_at: i64,
    created_by: String,
    updated_at: i64,
    updated_by: String,
}

impl From<IamPolicy> for IamPolicyJson {
    fn from(p: IamPolicy) -> Self {
        IamPolicyJson {
            name: p.name,
            description: p.description,
            version: p.version,
            statements: p.statements,
            text: p.text,
            created_at: p.created_at,
            created_by: p.created_by,
            updated_at: p.updated_at,
            updated_by: p.updated_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct IamPolicyList {
    items: Vec<IamPolicyJson>,
    next_cursor: Option<String>,
}

/// A policy sent as JSON. With `text/plain` the body is the text, the name comes from the
/// path (PUT) or `?name=` (POST), and `?comment=` / `?description=` are optional.
#[derive(Deserialize, ToSchema)]
pub struct IamPolicyWrite {
    name: Option<String>,
    text: String,
    description: Option<String>,
    comment: Option<String>,
    /// The version this edit builds on; a newer latest answers 409.
    version: Option<i64>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct WriteQuery {
    name: Option<String>,
    comment: Option<String>,
    description: Option<String>,
    /// The version this edit builds on (or `If-Match: "<version>"`).
    version: Option<i64>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct IamListQuery {
    #[serde(default)]
    q: String,
    limit: Option<i64>,
    cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct VersionJson {
    version: i64,
    comment: String,
    created_at: i64,
    created_by: String,
    text: String,
}

#[derive(Serialize, ToSchema)]
pub struct VersionList {
    items: Vec<VersionJson>,
    next_cursor: Option<String>,
}

/// The version of `If-Match: "<version>"` (the ETag this API sends).
fn if_match(headers: &HeaderMap) -> Option<i64> {
    headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().trim_matches('"').parse().ok())
}

/// Reads a write in either form.
fn write_of(headers: &HeaderMap, q: WriteQuery, bytes: &Bytes) -> ApiResult<IamPolicyWrite> {
    let ctype = media_type(headers);
    let if_match = if_match(headers);
    let mut w = match ctype.as_str() {
        "text/plain" => IamPolicyWrite {
            name: q.name,
            text: String::from_utf8(bytes.to_vec()).map_err(|_| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_encoding",
                    "The policy must be UTF-8 text.",
                )
            })?,
            description: q.description,
            comment: q.comment,
            version: q.version,
        },
        "application/json" => serde_json::from_slice::<IamPolicyWrite>(bytes).map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                format!("The request body is not valid: {e}"),
            )
        })?,
        _ => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Send the statements as text/plain, or JSON {\"name\", \"text\"}.",
            ))
        }
    };
    w.version = w.version.or(q.version).or(if_match);
    Ok(w)
}

/// The policy as JSON, or its text when the caller accepts `text/plain`.
fn policy_response(headers: &HeaderMap, p: IamPolicy, status: StatusCode) -> Response {
    let wants_text = accepts(headers, "text/plain");
    let etag = format!("\"{}\"", p.version);
    if wants_text {
        (
            status,
            [
                (
                    header::CONTENT_TYPE,
                    "text/plain; charset=utf-8".to_string(),
                ),
                (header::ETAG, etag),
            ],
            p.text,
        )
            .into_response()
    } else {
        (status, [(header::ETAG, etag)], Json(IamPolicyJson::from(p))).into_response()
    }
}

/// A stale save's 409, with the difference from what was sent to the latest text.
async fn conflict(st: &AppState, s: &Scoped, name: &str, sent: &str, e: DomainError) -> ApiError {
    let mut err = ApiError::from(e);
    if let Ok(latest) = iam::get_policy(&st.db, &s.scope, name).await {
        err.stale = Some(Box::new(super::Stale {
            diff: app::components::text_diff(sent, &latest.text)
                .into_iter()
                .map(|l| format!("{}{}", l.kind, l.text))
                .collect(),
            latest_version: latest.version,
        }));
    }
    err
}

async fn save(
    st: &AppState,
    s: &Scoped,
    name: &str,
    w: &IamPolicyWrite,
    base: Base,
) -> ApiResult<IamPolicy> {
    let saved = iam::save_policy(
        &st.db,
        &s.scope,
        Save {
            name,
            text: &w.text,
            description: w.description.as_deref(),
            comment: w.comment.as_deref().unwrap_or(""),
            base,
        },
    )
    .await;
    match saved {
        Err(e) if e.code() == "version_conflict" => Err(conflict(st, s, name, &w.text, e).await),
        other => Ok(other?),
    }
}

#[utoipa::path(get, path = "/iam-policies", params(IamListQuery, ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = IamPolicyList), (status = 403, body = ErrorBody)))]
pub(super) async fn list_policies(
    State(st): State<AppState>,
    s: Scoped,
    Query(q): Query<IamListQuery>,
) -> ApiResult<Json<IamPolicyList>> {
    let page = iam::list_policies(&st.db, &s.scope, &q.q, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(IamPolicyList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(post, path = "/iam-policies", request_body(content = IamPolicyWrite, description = "JSON, or the statements as text/plain with ?name="),
    params(WriteQuery, ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 201, body = IamPolicyJson), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "invalid_policy: `errors` lists each problem with its line and column")))]
pub(super) async fn create_policy(
    State(st): State<AppState>,
    s: Scoped,
    headers: HeaderMap,
    Query(q): Query<WriteQuery>,
    bytes: Bytes,
) -> ApiResult<Response> {
    let w = write_of(&headers, q, &bytes)?;
    let name = w
        .name
        .clone()
        .ok_or_else(|| ApiError::from(DomainError::invalid("name", "Give the policy a name.")))?;
    let p = save(&st, &s, &name, &w, Base::New).await?;
    Ok(policy_response(&headers, p, StatusCode::CREATED))
}

#[utoipa::path(get, path = "/iam-policies/{name}", params(("name" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = IamPolicyJson, description = "JSON, or the text with Accept: text/plain; the ETag is the version"), (status = 404, body = ErrorBody)))]
pub(super) async fn get_policy(
    State(st): State<AppState>,
    s: Scoped,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let p = iam::get_policy(&st.db, &s.scope, &name).await?;
    Ok(policy_response(&headers, p, StatusCode::OK))
}

#[utoipa::path(put, path = "/iam-policies/{name}", request_body(content = IamPolicyWrite, description = "JSON, or the statements as text/plain"),
    params(("name" = String, Path), WriteQuery, ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = IamPolicyJson), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "version_conflict: `diff` goes from the text sent to the latest"), (status = 422, body = ErrorBody)))]
pub(super) async fn put_policy(
    State(st): State<AppState>,
    s: Scoped,
    headers: HeaderMap,
    Path(name): Path<String>,
    Query(q): Query<WriteQuery>,
    bytes: Bytes,
) -> ApiResult<Response> {
    let w = write_of(&headers, q, &bytes)?;
    let base = w.version.map(Base::Version).unwrap_or(Base::Any);
    let p = save(&st, &s, &name, &w, base).await?;
    Ok(policy_response(&headers, p, StatusCode::OK))
}

#[utoipa::path(delete, path = "/iam-policies/{name}", params(("name" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn delete_policy(
    State(st): State<AppState>,
    s: Scoped,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    iam::delete_policy(&st.db, &s.scope, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/iam-policies/{name}/versions", params(("name" = String, Path), IamListQuery, ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = VersionList), (status = 404, body = ErrorBody)))]
pub(super) async fn list_versions(
    State(st): State<AppState>,
    s: Scoped,
    Path(name): Path<String>,
    Query(q): Query<IamListQuery>,
) -> ApiResult<Json<VersionList>> {
    let cursor = q.cursor.as_deref().and_then(|c| c.parse().ok());
    let page = iam::list_versions(&st.db, &s.scope, &name, cursor, q.limit).await?;
    Ok(Json(VersionList {
        items: page
            .items
            .into_iter()
            .map(|v| VersionJson {
                version: v.version,
                comment: v.comment,
                created_at: v.created_at,
                created_by: v.created_by,
                text: v.text,
            })
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(post, path = "/iam-policies/{name}/versions/{version}/restore",
    params(("name" = String, Path), ("version" = i64, Path), ("If-Match" = Option<String>, Header, description = "The latest version the caller saw"), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = IamPolicyJson, description = "The new latest version"), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn restore_version(
    State(st): State<AppState>,
    s: Scoped,
    headers: HeaderMap,
    Path((name, version)): Path<(String, i64)>,
) -> ApiResult<Response> {
    let base = if_match(&headers).map(Base::Version).unwrap_or(Base::Any);
    let p = iam::restore_version(&st.db, &s.scope, &name, version, base).await?;
    Ok(policy_response(&headers, p, StatusCode::OK))
}

// ---------------------------------------------------------------- the simulator

#[derive(Deserialize, ToSchema)]
pub struct SimPrincipalJson {
    tenant_id: String,
    #[serde(default)]
    groups: Vec<String>,
    user_id: Option<String>,
    user_name: Option<String>,
    /// `user` when absent; `nodepool`, `service`, …
    #[serde(rename = "type")]
    principal_type: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct SimulateJson {
    principal: SimPrincipalJson,
    verb: Option<String>,
    permission: Option<String>,
    resource_type: String,
    target_tenant_id: String,
    compartment: Option<String>,
    operation: Option<String>,
    #[serde(default)]
    variables: BTreeMap<String, String>,
}

#[derive(Serialize, ToSchema)]
pub struct SimStatementJson {
    tenant_id: String,
    /// `null` when the caller may not read that tenant's policies.
    policy: Option<String>,
    line: Option<u32>,
    kind: String,
}

#[derive(Serialize, ToSchema)]
pub struct SimulationJson {
    allowed: bool,
    /// `allowed`, `denied_by_policy`, `no_allow`, `no_endorse` or `no_admit`.
    reason: String,
    statements: Vec<SimStatementJson>,
    explanation: String,
}

#[utoipa::path(post, path = "/iam/simulate", request_body = SimulateJson, params(("ActiveProjectID" = String, Header, description = "Tenant UUID: the principal's or the target's")),
    responses((status = 200, body = SimulationJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn simulate(
    State(st): State<AppState>,
    s: Scoped,
    json: Result<Json<SimulateJson>, JsonRejection>,
) -> ApiResult<Json<SimulationJson>> {
    let b = body(json)?;
    let q = iam::Question {
        principal_tenant: b.principal.tenant_id,
        groups: b.principal.groups,
        user_id: b.principal.user_id,
        user_name: b.principal.user_name,
        principal_type: b.principal.principal_type,
        verb: b.verb,
        permission: b.permission,
        resource_type: b.resource_type,
        target_tenant: b.target_tenant_id,
        compartment: b.compartment,
        operation: b.operation,
        variables: b.variables,
    };
    let sim = iam::simulate(&st.db, &s.principal, &s.scope, &q).await?;
    Ok(Json(SimulationJson {
        allowed: sim.allowed,
        reason: sim.reason.as_str().to_string(),
        statements: sim
            .statements
            .into_iter()
            .map(|x| SimStatementJson {
                tenant_id: x.tenant_id,
                policy: x.policy,
                line: x.line,
                kind: x.kind,
            })
            .collect(),
        explanation: sim.explanation,
    }))
}

// ---------------------------------------------------------------- groups

#[derive(Serialize, ToSchema)]
pub struct GroupJson {
    id: String,
    name: String,
    description: String,
    members: i64,
    created_at: i64,
    created_by: String,
}

impl From<iam::Group> for GroupJson {
    fn from(g: iam::Group) -> Self {
        GroupJson {
            id: g.id.to_string(),
            name: g.name,
            description: g.description,
            members: g.members,
            created_at: g.created_at,
            created_by: g.created_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GroupList {
    items: Vec<GroupJson>,
    next_cursor: Option<String>,
    total: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct GroupMemberJson {
    user_id: String,
    email: String,
    name: String,
    /// `console` (added by an admin) or `oidc` (set by the provider's groups claim).
    source: String,
    added_at: i64,
}

impl From<iam::GroupMember> for GroupMemberJson {
    fn from(m: iam::GroupMember) -> Self {
        GroupMemberJson {
            user_id: m.user_id.to_string(),
            email: m.email,
            name: m.name,
            source: m.source,
            added_at: m.added_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct GroupDetailJson {
    #[serde(flatten)]
    group: GroupJson,
    member_list: Vec<GroupMemberJson>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewGroupJson {
    name: String,
    description: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewGroupMemberJson {
    email: String,
    /// When the address is not a member of the tenant yet, invite it as a member with no
    /// role (`member`), so the group's statements are all it gets. Needs `MEMBER_CREATE`
    /// as well. Without it, such an address is refused (422).
    #[serde(default)]
    invite: bool,
}

#[utoipa::path(get, path = "/groups", params(IamListQuery, ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = GroupList), (status = 403, body = ErrorBody)))]
pub(super) async fn list_groups(
    State(st): State<AppState>,
    s: Scoped,
    Query(q): Query<IamListQuery>,
) -> ApiResult<Json<GroupList>> {
    let page = iam::list_groups(&st.db, &s.scope, &q.q, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(GroupList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
        total: page.total,
    }))
}

#[utoipa::path(post, path = "/groups", request_body = NewGroupJson, params(("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 201, body = GroupJson), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_group(
    State(st): State<AppState>,
    s: Scoped,
    json: Result<Json<NewGroupJson>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<GroupJson>)> {
    let b = body(json)?;
    let g = iam::create_group(
        &st.db,
        &s.scope,
        &b.name,
        b.description.as_deref().unwrap_or(""),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(g.into())))
}

#[utoipa::path(get, path = "/groups/{name}", params(("name" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = GroupDetailJson), (status = 404, body = ErrorBody)))]
pub(super) async fn get_group(
    State(st): State<AppState>,
    s: Scoped,
    Path(name): Path<String>,
) -> ApiResult<Json<GroupDetailJson>> {
    let d = iam::get_group(&st.db, &s.scope, &name).await?;
    Ok(Json(GroupDetailJson {
        group: d.group.into(),
        member_list: d.members.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(delete, path = "/groups/{name}", params(("name" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn delete_group(
    State(st): State<AppState>,
    s: Scoped,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    iam::delete_group(&st.db, &s.scope, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/groups/{name}/members", request_body = NewGroupMemberJson, params(("name" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 201, body = GroupMemberJson), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn add_group_member(
    State(st): State<AppState>,
    s: Scoped,
    Path(name): Path<String>,
    json: Result<Json<NewGroupMemberJson>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<GroupMemberJson>)> {
    let b = body(json)?;
    let m = if b.invite {
        iam::invite_to_group(&st.db, &s.scope, &name, &b.email).await?
    } else {
        iam::add_group_member(&st.db, &s.scope, &name, &b.email).await?
    };
    Ok((StatusCode::CREATED, Json(m.into())))
}

#[utoipa::path(delete, path = "/groups/{name}/members/{user_id}", params(("name" = String, Path), ("user_id" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub(super) async fn remove_group_member(
    State(st): State<AppState>,
    s: Scoped,
    Path((name, user_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let user = domain::UserId::parse(&user_id).ok_or(DomainError::NotFound("group member"))?;
    iam::remove_group_member(&st.db, &s.scope, &name, user).await?;
    Ok(StatusCode::NO_CONTENT)
}
