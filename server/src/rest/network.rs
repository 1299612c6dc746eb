//! REST routes of NCS networking (seed 000): workspaces, services, the services of
//! connected tenants with their DNS names, network policies as YAML or JSON, the
//! connectivity check, and traffic (ingested by data planes, read per connection).

use super::{accepts, body, media_type, ApiError, ApiResult, ErrorBody, ListQuery, Scoped};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::network::{self, SaveMode};
use domain::traffic::{self, DataPlane, TrafficRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

// ---------------------------------------------------------------- shapes

#[derive(Serialize, ToSchema)]
pub struct WorkspaceJson {
    id: String,
    name: String,
    labels: Vec<String>,
    created_at: i64,
    created_by: String,
}

impl From<network::Workspace> for WorkspaceJson {
    fn from(w: network::Workspace) -> Self {
        WorkspaceJson {
            id: w.id,
            name: w.name,
            labels: w.labels,
            created_at: w.created_at,
            created_by: w.created_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct WorkspaceList {
    items: Vec<WorkspaceJson>,
    next_cursor: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewWorkspaceJson {
    name: String,
    /// Plain labels such as `project-a-ide`, which network policies select by.
    #[serde(default)]
    labels: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ServiceJson {
    id: String,
    name: String,
    port: i64,
    /// `tcp`, `udp`, `http`, `https` or `grpc`.
    protocol: String,
    created_at: i64,
    created_by: String,
}

impl From<network::Service> for ServiceJson {
    fn from(s: network::Service) -> Self {
        ServiceJson {
            id: s.id,
            name: s.name,
            port: s.port,
            protocol: s.protocol,
            created_at: s.created_at,
            created_by: s.created_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ServiceList {
    items: Vec<ServiceJson>,
    next_cursor: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewServiceJson {
    name: String,
    port: i64,
    protocol: String,
}

/// A service's new port and protocol (its name stays).
#[derive(Deserialize, ToSchema)]
pub struct ServiceChangeJson {
    port: i64,
    protocol: String,
}

/// A workspace's new labels (its name stays).
#[derive(Deserialize, ToSchema)]
pub struct WorkspaceChangeJson {
    labels: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RemoteServiceJson {
    tenant_id: String,
    tenant_name: String,
    connection_id: String,
    name: String,
    port: i64,
    protocol: String,
    /// `<service>.<tenant-id>.<suffix>`.
    dns_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct RemoteServiceList {
    items: Vec<RemoteServiceJson>,
}

#[derive(Serialize, ToSchema)]
pub struct PolicyJson {
    name: String,
    workspace_label: String,
    tenant_id: String,
    service_name: String,
    /// `allow` or `deny`.
    action: String,
    /// The document as written.
    yaml: String,
    created_at: i64,
    created_by: String,
    updated_at: i64,
    updated_by: String,
}

impl From<network::StoredPolicy> for PolicyJson {
    fn from(p: network::StoredPolicy) -> Self {
        PolicyJson {
            name: p.policy.name,
            workspace_label: p.policy.workspace_label,
            tenant_id: p.policy.tenant_id,
            service_name: p.policy.service_name,
            action: p.policy.action.as_str().into(),
            yaml: p.yaml,
            created_at: p.created_at,
            created_by: p.created_by,
            updated_at: p.updated_at,
            updated_by: p.updated_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PolicyList {
    items: Vec<PolicyJson>,
    next_cursor: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct CheckJson {
    workspace_label: String,
    tenant_id: String,
    service_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct CheckResultJson {
    allowed: bool,
    /// `no_connection`, `connection_revoked`, `unknown_service`, `no_policy`,
    /// `denied_by_policy` or `allowed_by_policy`.
    reason: String,
    /// The deciding policy, when one decided.
    policy: Option<String>,
    /// The answer in words.
    explanation: String,
}

#[derive(Deserialize, ToSchema)]
pub struct TrafficRecordJson {
    connection_id: String,
    bytes: i64,
    flows: i64,
    /// Unix milliseconds.
    at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct IngestJson {
    accepted: usize,
}

#[derive(Serialize, ToSchema)]
pub struct DayTrafficJson {
    /// `YYYY-MM-DD` (UTC).
    date: String,
    bytes: i64,
    flows: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TrafficJson {
    connection_id: String,
    days: Vec<DayTrafficJson>,
    total_bytes: i64,
    total_flows: i64,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct TrafficQuery {
    /// How many days back, today included: 1 to 366, 30 when absent.
    days: Option<i64>,
}

// ---------------------------------------------------------------- workspaces, services

#[utoipa::path(get, path = "/workspaces", params(ListQuery, ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = WorkspaceList), (status = 403, body = ErrorBody)))]
pub(super) async fn list_workspaces(
    State(st): State<AppState>,
    s: Scoped,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<WorkspaceList>> {
    let page =
        network::list_workspaces(&st.db, &s.scope, &q.q, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(WorkspaceList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(post, path = "/workspaces", request_body = NewWorkspaceJson, params(("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 201, body = WorkspaceJson), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_workspace(
    State(st): State<AppState>,
    s: Scoped,
    json: Result<Json<NewWorkspaceJson>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<WorkspaceJson>)> {
    let new = body(json)?;
    let w = network::create_workspace(&st.db, &s.scope, &new.name, new.labels).await?;
    Ok((StatusCode::CREATED, Json(w.into())))
}

#[utoipa::path(patch, path = "/workspaces/{id}", request_body = WorkspaceChangeJson, params(("id" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = WorkspaceJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn update_workspace(
    State(st): State<AppState>,
    s: Scoped,
    Path(id): Path<String>,
    json: Result<Json<WorkspaceChangeJson>, JsonRejection>,
) -> ApiResult<Json<WorkspaceJson>> {
    let change = body(json)?;
    let w = network::update_workspace(&st.db, &s.scope, &id, change.labels).await?;
    Ok(Json(w.into()))
}

#[utoipa::path(delete, path = "/workspaces/{id}", params(("id" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn delete_workspace(
    State(st): State<AppState>,
    s: Scoped,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    network::delete_workspace(&st.db, &s.scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/services", params(ListQuery, ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = ServiceList), (status = 403, body = ErrorBody)))]
pub(super) async fn list_services(
    State(st): State<AppState>,
    s: Scoped,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<ServiceList>> {
    let page = network::list_services(&st.db, &s.scope, &q.q, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(ServiceList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(post, path = "/services", request_body = NewServiceJson, params(("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 201, body = ServiceJson), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_service(
    State(st): State<AppState>,
    s: Scoped,
    json: Result<Json<NewServiceJson>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<ServiceJson>)> {
    let new = body(json)?;
    let svc = network::create_service(&st.db, &s.scope, &new.name, new.port, &new.protocol).await?;
    Ok((StatusCode::CREATED, Json(svc.into())))
}

#[utoipa::path(patch, path = "/services/{id}", request_body = ServiceChangeJson, params(("id" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = ServiceJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn update_service(
    State(st): State<AppState>,
    s: Scoped,
    Path(id): Path<String>,
    json: Result<Json<ServiceChangeJson>, JsonRejection>,
) -> ApiResult<Json<ServiceJson>> {
    let change = body(json)?;
    let svc = network::update_service(&st.db, &s.scope, &id, change.port, &change.protocol).await?;
    Ok(Json(svc.into()))
}

#[utoipa::path(delete, path = "/services/{id}", params(("id" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn delete_service(
    State(st): State<AppState>,
    s: Scoped,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    network::delete_service(&st.db, &s.scope, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/remote-services", params(("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = RemoteServiceList), (status = 403, body = ErrorBody)))]
pub(super) async fn remote_services(
    State(st): State<AppState>,
    s: Scoped,
) -> ApiResult<Json<RemoteServiceList>> {
    let items = network::remote_services(&st.db, &s.scope, &st.config.dns_suffix).await?;
    Ok(Json(RemoteServiceList {
        items: items
            .into_iter()
            .map(|r| RemoteServiceJson {
                tenant_id: r.tenant_id.to_string(),
                tenant_name: r.tenant_name,
                connection_id: r.connection_id,
                name: r.name,
                port: r.port,
                protocol: r.protocol,
                dns_name: r.dns_name,
            })
            .collect(),
    }))
}

// ---------------------------------------------------------------- network policies

/// The policy document of a request: YAML (`application/yaml`, `text/yaml`,
/// `text/plain`) or JSON (`application/json`). JSON is a subset of YAML, so both go
/// through the one parser and its line numbers.
fn document(headers: &HeaderMap, bytes: &Bytes) -> ApiResult<String> {
    let ctype = media_type(headers);
    let known = [
        "application/yaml",
        "application/x-yaml",
        "text/yaml",
        "text/x-yaml",
        "text/plain",
        "application/json",
    ];
    if !known.contains(&ctype.as_str()) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the NCSPolicy as application/yaml or application/json.",
        ));
    }
    String::from_utf8(bytes.to_vec()).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_encoding",
            "The policy must be UTF-8 text.",
        )
    })
}

/// The one policy as JSON, or as the YAML document when the caller asks for YAML.
fn policy_response(headers: &HeaderMap, p: network::StoredPolicy, status: StatusCode) -> Response {
    if accepts(headers, "yaml") {
        (
            status,
            [(header::CONTENT_TYPE, "application/yaml; charset=utf-8")],
            p.yaml,
        )
            .into_response()
    } else {
        (status, Json(PolicyJson::from(p))).into_response()
    }
}

#[utoipa::path(get, path = "/network-policies", params(ListQuery, ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = PolicyList), (status = 403, body = ErrorBody)))]
pub(super) async fn list_policies(
    State(st): State<AppState>,
    s: Scoped,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<PolicyList>> {
    let page = network::list_policies(&st.db, &s.scope, &q.q, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(PolicyList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(post, path = "/network-policies", request_body(content = String, description = "An NCSPolicy document", content_type = "application/yaml"),
    params(("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 201, body = PolicyJson), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody, description = "invalid_policy: `errors` lists each problem with its line")))]
pub(super) async fn create_policy(
    State(st): State<AppState>,
    s: Scoped,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult<Response> {
    let text = document(&headers, &bytes)?;
    let p = network::save_policy(&st.db, &s.scope, &text, SaveMode::Create, None).await?;
    Ok(policy_response(&headers, p, StatusCode::CREATED))
}

#[utoipa::path(get, path = "/network-policies/{name}", params(("name" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = PolicyJson, description = "JSON, or the YAML document with Accept: application/yaml"), (status = 404, body = ErrorBody)))]
pub(super) async fn get_policy(
    State(st): State<AppState>,
    s: Scoped,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> ApiResult<Response> {
    let p = network::get_policy(&st.db, &s.scope, &name).await?;
    Ok(policy_response(&headers, p, StatusCode::OK))
}

#[utoipa::path(put, path = "/network-policies/{name}", request_body(content = String, description = "An NCSPolicy document whose metadata.name is {name}", content_type = "application/yaml"),
    params(("name" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = PolicyJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn put_policy(
    State(st): State<AppState>,
    s: Scoped,
    headers: HeaderMap,
    Path(name): Path<String>,
    bytes: Bytes,
) -> ApiResult<Response> {
    let text = document(&headers, &bytes)?;
    let p = network::save_policy(&st.db, &s.scope, &text, SaveMode::Put, Some(&name)).await?;
    Ok(policy_response(&headers, p, StatusCode::OK))
}

#[utoipa::path(delete, path = "/network-policies/{name}", params(("name" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn delete_policy(
    State(st): State<AppState>,
    s: Scoped,
    Path(name): Path<String>,
) -> ApiResult<StatusCode> {
    network::delete_policy(&st.db, &s.scope, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/connectivity-check", request_body = CheckJson, params(("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = CheckResultJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn connectivity_check(
    State(st): State<AppState>,
    s: Scoped,
    json: Result<Json<CheckJson>, JsonRejection>,
) -> ApiResult<Json<CheckResultJson>> {
    let q = body(json)?;
    let answer = network::check(
        &st.db,
        &s.scope,
        &policy::ncs::Question {
            workspace_label: q.workspace_label,
            tenant_id: q.tenant_id,
            service_name: q.service_name,
        },
    )
    .await?;
    Ok(Json(CheckResultJson {
        allowed: answer.verdict.allowed,
        reason: answer.verdict.reason.code().into(),
        policy: answer.verdict.reason.policy().map(str::to_string),
        explanation: answer.explanation,
    }))
}

// ---------------------------------------------------------------- traffic

/// A data plane, authenticated by its `ndp_…` bearer token. Console tokens and JWTs are
/// people's or tenants' credentials and cannot report traffic.
pub struct DataPlaneCaller(DataPlane);

impl FromRequestParts<AppState> for DataPlaneCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let token = super::bearer_token(parts)?;
        if !token.starts_with(traffic::DATAPLANE_PREFIX) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "dataplane_token_required",
                "Only a data plane reports traffic: use a data-plane token (ndp_…) from `server dataplane token`.",
            ));
        }
        Ok(DataPlaneCaller(traffic::authenticate(&st.db, token).await?))
    }
}

#[utoipa::path(post, path = "/traffic", request_body = Vec<TrafficRecordJson>,
    responses((status = 202, body = IngestJson), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("dataplane_token" = [])))]
pub(super) async fn ingest_traffic(
    State(st): State<AppState>,
    DataPlaneCaller(plane): DataPlaneCaller,
    json: Result<Json<Vec<TrafficRecordJson>>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<IngestJson>)> {
    let records: Vec<TrafficRecord> = body(json)?
        .into_iter()
        .map(|r| TrafficRecord {
            connection_id: r.connection_id,
            bytes: r.bytes,
            flows: r.flows,
            at: r.at,
        })
        .collect();
    let accepted = traffic::ingest(&st.db, &plane, &records).await?;
    Ok((StatusCode::ACCEPTED, Json(IngestJson { accepted })))
}

#[utoipa::path(get, path = "/connections/{id}/traffic", params(("id" = String, Path), TrafficQuery, ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = TrafficJson), (status = 404, body = ErrorBody)))]
pub(super) async fn connection_traffic(
    State(st): State<AppState>,
    s: Scoped,
    Path(id): Path<String>,
    Query(q): Query<TrafficQuery>,
) -> ApiResult<Json<TrafficJson>> {
    let days = traffic::for_connection(&st.db, &s.scope, &id, q.days.unwrap_or(30)).await?;
    Ok(Json(TrafficJson {
        connection_id: id,
        total_bytes: days.iter().map(|d| d.bytes).sum(),
        total_flows: days.iter().map(|d| d.flows).sum(),
        days: days
            .into_iter()
            .map(|d| DayTrafficJson {
                date: app::fmt_date(d.start_ms()),
                bytes: d.bytes,
                flows: d.flows,
            })
            .collect(),
    }))
}
