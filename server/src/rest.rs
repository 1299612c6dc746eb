//! The REST API under `/api/v1` (DESIGN.md, seed 004). Same domain services as the UI.
//!
//! Authentication is `Authorization: Bearer <token>`: a console API token (`tnt_…`), or a
//! JWT from a configured OpenID Provider whose roles claim holds `<tenant-uuid>_<role>`.
//! Tenant-scoped routes take the tenant from the `ActiveProjectID` header: missing or
//! malformed → 400, no role there → 403, another tenant's object → 404. Errors are
//! `{"error": {"code": "...", "message": "..."}}` with a stable code.
//!
//! Routes are added through [`build`], which also records them: the isolation test reads
//! that record, so a route without an entry in its matrix fails the tests.

use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put, MethodRouter};
use axum::{Json, Router};
use domain::scope::{authorize, TenantRef};
use domain::{directory, members, DomainError, Principal, TenantId, TenantScope, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{OpenApi, ToSchema};

mod ncs;

// ---------------------------------------------------------------- errors

/// The API's error: a status, a stable code and a plain message.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: String,
    message: String,
    /// For documents (network policies): each problem with its line.
    issues: Option<Vec<policy::ncs::Issue>>,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    code: String,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    /// Present when a document was refused: every problem, with its line and column.
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<Vec<IssueJson>>,
}

/// One problem in a document, at a 1-based line and column.
#[derive(Serialize, ToSchema)]
pub struct IssueJson {
    line: usize,
    column: usize,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.into(),
            message: message.into(),
            issues: None,
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let code = e.code();
        let status = match &e {
            DomainError::NotFound(_) => StatusCode::NOT_FOUND,
            DomainError::Forbidden(_) => StatusCode::FORBIDDEN,
            DomainError::Invalid { .. } | DomainError::InvalidDocument(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            DomainError::Conflict { .. } => StatusCode::CONFLICT,
            DomainError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            DomainError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            DomainError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let message = match &e {
            DomainError::Internal(_) => "Internal error.".to_string(),
            other => other.to_string(),
        };
        let mut err = ApiError::new(status, code, message);
        if let DomainError::InvalidDocument(issues) = e {
            err.issues = Some(issues);
        }
        err
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                field: None,
                errors: self.issues.map(|list| {
                    list.into_iter()
                        .map(|i| IssueJson {
                            line: i.line,
                            column: i.column,
                            message: i.message,
                        })
                        .collect()
                }),
            },
        };
        let mut res = (self.status, Json(body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        res
    }
}

type ApiResult<T> = Result<T, ApiError>;

fn body<T>(json: Result<Json<T>, JsonRejection>) -> ApiResult<T> {
    json.map(|Json(v)| v).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("The request body is not valid: {}", e.body_text()),
        )
    })
}

// ---------------------------------------------------------------- callers

/// The token of `Authorization: Bearer <token>`, or 401.
fn bearer_token(parts: &Parts) -> ApiResult<&str> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|a| {
            a.strip_prefix("Bearer ")
                .or_else(|| a.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Send Authorization: Bearer <token>.",
            )
        })
}

/// An authenticated API caller.
pub struct Caller(pub Principal);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts)?;
        if token.starts_with(domain::tokens::TOKEN_PREFIX) {
            return Ok(Caller(
                domain::tokens::principal_for_token(&st.db, token).await?,
            ));
        }
        if token.matches('.').count() == 2 {
            return crate::jwt::principal(st, token)
                .await
                .map(Caller)
                .map_err(|why| {
                    tracing::info!(%why, "bearer JWT refused");
                    ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        "invalid_token",
                        "The bearer JWT is not valid for this console.",
                    )
                });
        }
        Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Unknown token format: use a console API token (tnt_…) or a JWT from a configured provider.",
        ))
    }
}

/// An authenticated caller acting in the tenant named by `ActiveProjectID`.
pub struct Scoped {
    pub principal: Principal,
    pub scope: TenantScope,
}

impl FromRequestParts<AppState> for Scoped {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let Caller(principal) = Caller::from_request_parts(parts, st).await?;
        let raw = parts
            .headers
            .get("activeprojectid")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "missing_active_project",
                    "Send the ActiveProjectID header with the tenant's id.",
                )
            })?;
        let tenant = TenantId::parse(raw).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_active_project",
                "ActiveProjectID must be a tenant UUID.",
            )
        })?;
        let scope = authorize(&st.db, &principal, TenantRef::Id(tenant))
            .await
            .map_err(|e| match e {
                DomainError::NotFound(_) => ApiError::new(
                    StatusCode::FORBIDDEN,
                    "no_role_in_tenant",
                    "You hold no role in the tenant named by ActiveProjectID.",
                ),
                other => other.into(),
            })?;
        Ok(Scoped { principal, scope })
    }
}

// ---------------------------------------------------------------- routes

/// The API router.
pub fn router() -> Router<AppState> {
    build(&mut Vec::new())
}

/// Every route as (method, path), in registration order, for the isolation matrix.
pub fn registered_routes() -> Vec<(&'static str, &'static str)> {
    let mut seen = Vec::new();
    let _ = build(&mut seen);
    seen
}

fn build(seen: &mut Vec<(&'static str, &'static str)>) -> Router<AppState> {
    let mut add = |r: Router<AppState>,
                   method: &'static str,
                   path: &'static str,
                   h: MethodRouter<AppState>| {
        seen.push((method, path));
        r.route(path, h)
    };
    let mut r = Router::new();
    r = add(r, "GET", "/openapi.json", get(openapi));
    r = add(r, "GET", "/me", get(me));
    r = add(r, "GET", "/tenants", get(list_tenants));
    r = add(r, "POST", "/tenants", post(create_tenant));
    r = add(r, "GET", "/tenants/{id}", get(get_tenant));
    r = add(r, "POST", "/users", post(create_user));
    r = add(r, "GET", "/members", get(list_members));
    r = add(r, "POST", "/members", post(add_member));
    r = add(r, "DELETE", "/members/{user_id}", delete(remove_member));
    r = add(r, "GET", "/connection-secrets", get(list_secrets));
    r = add(r, "POST", "/connection-secrets", post(create_secret));
    r = add(
        r,
        "DELETE",
        "/connection-secrets/{id}",
        delete(revoke_secret),
    );
    r = add(r, "GET", "/connections", get(list_connections));
    r = add(r, "POST", "/connections", post(redeem));
    r = add(r, "GET", "/connections/{id}", get(get_connection));
    r = add(r, "DELETE", "/connections/{id}", delete(revoke_connection));
    r = add(
        r,
        "GET",
        "/connections/{id}/traffic",
        get(ncs::connection_traffic),
    );
    r = add(r, "POST", "/traffic", post(ncs::ingest_traffic));
    r = add(r, "GET", "/workspaces", get(ncs::list_workspaces));
    r = add(r, "POST", "/workspaces", post(ncs::create_workspace));
    r = add(
        r,
        "DELETE",
        "/workspaces/{id}",
        delete(ncs::delete_workspace),
    );
    r = add(r, "GET", "/services", get(ncs::list_services));
    r = add(r, "POST", "/services", post(ncs::create_service));
    r = add(r, "DELETE", "/services/{id}", delete(ncs::delete_service));
    r = add(r, "GET", "/remote-services", get(ncs::remote_services));
    r = add(r, "GET", "/network-policies", get(ncs::list_policies));
    r = add(r, "POST", "/network-policies", post(ncs::create_policy));
    r = add(r, "GET", "/network-policies/{name}", get(ncs::get_policy));
    r = add(r, "PUT", "/network-policies/{name}", put(ncs::put_policy));
    r = add(
        r,
        "DELETE",
        "/network-policies/{name}",
        delete(ncs::delete_policy),
    );
    r = add(
        r,
        "POST",
        "/connectivity-check",
        post(ncs::connectivity_check),
    );
    r.fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "not_found", "No such API route.") })
}

// ---------------------------------------------------------------- shapes

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
    /// `viewer`, `tenant-admin`, or (system tenant only) `admin`.
    role: String,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Case-insensitive substring of the name (or email, for members).
    #[serde(default)]
    q: String,
    /// `key=value`: only tenants with this label.
    #[serde(default)]
    label: String,
    limit: Option<i64>,
    cursor: Option<String>,
}

// ---------------------------------------------------------------- handlers

#[derive(OpenApi)]
#[openapi(
    info(title = "Tenantry API", description = "Multi-tenant admin console. Tenant-scoped routes need the ActiveProjectID header."),
    paths(me, list_tenants, create_tenant, get_tenant, create_user, list_members, add_member, remove_member,
        list_secrets, create_secret, revoke_secret, list_connections, redeem, get_connection, revoke_connection,
        ncs::connection_traffic, ncs::ingest_traffic, ncs::list_workspaces, ncs::create_workspace, ncs::delete_workspace,
        ncs::list_services, ncs::create_service, ncs::delete_service, ncs::remote_services, ncs::list_policies,
        ncs::create_policy, ncs::get_policy, ncs::put_policy, ncs::delete_policy, ncs::connectivity_check),
    components(schemas(ErrorBody, ErrorDetail, MeJson, UserJson, MembershipJson, TenantJson, TenantList, NewTenantJson, NewUserJson, MemberJson, MemberList, NewMemberJson,
        SecretJson, SecretList, NewSecretJson, IssuedSecretJson, ConnectionJson, ConnectionList, RedeemJson, IssueJson,
        ncs::WorkspaceJson, ncs::WorkspaceList, ncs::NewWorkspaceJson, ncs::ServiceJson, ncs::ServiceList, ncs::NewServiceJson,
        ncs::RemoteServiceJson, ncs::RemoteServiceList, ncs::PolicyJson, ncs::PolicyList, ncs::CheckJson, ncs::CheckResultJson,
        ncs::TrafficRecordJson, ncs::IngestJson, ncs::DayTrafficJson, ncs::TrafficJson)),
    servers((url = "/api/v1"))
)]
pub struct ApiDoc;

async fn openapi() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}

#[utoipa::path(get, path = "/me", responses((status = 200, body = MeJson), (status = 401, body = ErrorBody)))]
async fn me(State(st): State<AppState>, Caller(p): Caller) -> ApiResult<Json<MeJson>> {
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
async fn list_tenants(
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
async fn create_tenant(
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
async fn get_tenant(
    State(st): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<TenantJson>> {
    let id = TenantId::parse(&id).ok_or(DomainError::NotFound("tenant"))?;
    Ok(Json(directory::get_tenant(&st.db, &p, id).await?.into()))
}

#[utoipa::path(post, path = "/users", request_body = NewUserJson,
    responses((status = 201, body = UserJson), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn create_user(
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

#[utoipa::path(get, path = "/members", params(ListQuery, ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = MemberList), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_members(
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
async fn add_member(
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
async fn remove_member(
    State(st): State<AppState>,
    s: Scoped,
    Path(user_id): Path<String>,
) -> ApiResult<StatusCode> {
    let user = UserId::parse(&user_id).ok_or(DomainError::NotFound("member"))?;
    members::remove(&st.db, &s.scope, user).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- connections (seed 000)

#[derive(Serialize, ToSchema)]
pub struct SecretJson {
    id: String,
    /// The first characters only; the secret itself is never listed.
    hint: String,
    note: String,
    /// `pending`, `used`, `expired` or `revoked`.
    status: String,
    created_at: i64,
    created_by: String,
    expires_at: i64,
    used_at: Option<i64>,
    connection_id: Option<String>,
}

impl From<domain::connections::SecretInfo> for SecretJson {
    fn from(s: domain::connections::SecretInfo) -> Self {
        SecretJson {
            id: s.id,
            hint: s.hint,
            note: s.note,
            status: s.status.as_str().into(),
            created_at: s.created_at,
            created_by: s.created_by,
            expires_at: s.expires_at,
            used_at: s.used_at,
            connection_id: s.connection_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SecretList {
    items: Vec<SecretJson>,
    next_cursor: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewSecretJson {
    /// 300 to 2,592,000 seconds (5 minutes to 30 days); 86,400 when absent.
    expires_in_seconds: Option<i64>,
    #[serde(default)]
    note: String,
}

#[derive(Serialize, ToSchema)]
pub struct IssuedSecretJson {
    id: String,
    /// Shown only in this response. Share it over a secure channel.
    secret: String,
    expires_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ConnectionJson {
    id: String,
    remote_tenant_id: String,
    remote_tenant_name: String,
    /// `provides` or `consumes`.
    direction: String,
    /// `Active` or `Revoked`.
    status: String,
    created_at: i64,
    created_by: String,
    revoked_at: Option<i64>,
    revoked_by: Option<String>,
}

impl From<domain::connections::Connection> for ConnectionJson {
    fn from(c: domain::connections::Connection) -> Self {
        ConnectionJson {
            id: c.id,
            remote_tenant_id: c.remote_tenant_id.to_string(),
            remote_tenant_name: c.remote_tenant_name,
            direction: c.direction.as_str().into(),
            status: c.status,
            created_at: c.created_at,
            created_by: c.created_by,
            revoked_at: c.revoked_at,
            revoked_by: c.revoked_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ConnectionList {
    items: Vec<ConnectionJson>,
    next_cursor: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct RedeemJson {
    secret: String,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PageQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

fn client_key(
    st: &AppState,
    headers: &axum::http::HeaderMap,
    connect: &Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
) -> String {
    st.ui
        .client_ip
        .client(headers, connect.as_ref().map(|c| c.0 .0.ip()))
}

#[utoipa::path(get, path = "/connection-secrets", params(PageQuery, ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = SecretList), (status = 403, body = ErrorBody)))]
async fn list_secrets(
    State(st): State<AppState>,
    s: Scoped,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<SecretList>> {
    let page =
        domain::connections::list_secrets(&st.db, &s.scope, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(SecretList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(post, path = "/connection-secrets", request_body = NewSecretJson, params(("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 201, body = IssuedSecretJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_secret(
    State(st): State<AppState>,
    s: Scoped,
    json: Result<Json<NewSecretJson>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<IssuedSecretJson>)> {
    let new = body(json)?;
    let issued =
        domain::connections::create_secret(&st.db, &s.scope, new.expires_in_seconds, &new.note)
            .await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedSecretJson {
            id: issued.info.id,
            secret: issued.secret,
            expires_at: issued.info.expires_at,
        }),
    ))
}

#[utoipa::path(delete, path = "/connection-secrets/{id}", params(("id" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = SecretJson), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn revoke_secret(
    State(st): State<AppState>,
    s: Scoped,
    Path(id): Path<String>,
) -> ApiResult<Json<SecretJson>> {
    Ok(Json(
        domain::connections::revoke_secret(&st.db, &s.scope, &id)
            .await?
            .into(),
    ))
}

#[utoipa::path(get, path = "/connections", params(PageQuery, ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = ConnectionList), (status = 403, body = ErrorBody)))]
async fn list_connections(
    State(st): State<AppState>,
    s: Scoped,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<ConnectionList>> {
    let page =
        domain::connections::list_connections(&st.db, &s.scope, q.cursor.as_deref(), q.limit)
            .await?;
    Ok(Json(ConnectionList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(post, path = "/connections", request_body = RedeemJson, params(("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 201, body = ConnectionJson), (status = 409, body = ErrorBody, description = "secret_unknown, secret_expired, secret_revoked, secret_used, self_connection, already_connected"), (status = 429, body = ErrorBody)))]
async fn redeem(
    State(st): State<AppState>,
    s: Scoped,
    headers: axum::http::HeaderMap,
    connect: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    json: Result<Json<RedeemJson>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<ConnectionJson>)> {
    let req = body(json)?;
    let client = client_key(&st, &headers, &connect);
    let c = domain::connections::redeem(&st.db, &s.scope, &req.secret, &client).await?;
    Ok((StatusCode::CREATED, Json(c.into())))
}

#[utoipa::path(get, path = "/connections/{id}", params(("id" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = ConnectionJson), (status = 404, body = ErrorBody)))]
async fn get_connection(
    State(st): State<AppState>,
    s: Scoped,
    Path(id): Path<String>,
) -> ApiResult<Json<ConnectionJson>> {
    Ok(Json(
        domain::connections::get_connection(&st.db, &s.scope, &id)
            .await?
            .into(),
    ))
}

#[utoipa::path(delete, path = "/connections/{id}", params(("id" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = ConnectionJson), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn revoke_connection(
    State(st): State<AppState>,
    s: Scoped,
    Path(id): Path<String>,
) -> ApiResult<Json<ConnectionJson>> {
    Ok(Json(
        domain::connections::revoke_connection(&st.db, &s.scope, &id)
            .await?
            .into(),
    ))
}
