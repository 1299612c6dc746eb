//! The REST API under `/api/v1` (DESIGN.md, seed 004). Same domain services as the UI.
//!
//! Authentication is `Authorization: Bearer <token>`: a console API token (`tnt_…`), or a
//! JWT from a configured OpenID Provider whose roles claim holds `<tenant-uuid>_<role>`.
//! Tenant-scoped routes take the tenant from the `ActiveProjectID` header: missing or
//! malformed → 400, no role there → 403, another tenant's object → 404. Errors are
//! `{"error": {"code": "...", "message": "..."}}` with a stable code.
//!
//! Routes are added through `routes::build`, which also records them: the isolation test reads
//! that record, so a route without an entry in its matrix fails the tests.

use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::scope::{authorize, TenantRef};
use domain::{DomainError, Principal, TenantId, TenantScope};
use policy::access::Need;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

mod clouds;
mod connections;
mod routes;

pub use routes::{registered_routes, router};
mod iam;
mod lifecycle;
mod members;
mod network;
mod telemetry;
mod tenants;

// ---------------------------------------------------------------- errors

/// The API's error: a status, a stable code and a plain message.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: String,
    message: String,
    /// For documents (network and IAM policies): each problem with its line.
    issues: Option<Vec<policy::ncs::Issue>>,
    /// The input a refusal is about (`name`, `config.vpc_id`).
    field: Option<String>,
    /// For a stale save (`version_conflict`): from the text sent to the latest, and the
    /// latest version's number (boxed: most errors have none, and errors stay small).
    stale: Option<Box<Stale>>,
}

/// What a `version_conflict` adds to its error.
#[derive(Debug)]
struct Stale {
    diff: Vec<String>,
    latest_version: i64,
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
    /// Present on `version_conflict`: the change from the text sent to the latest, one
    /// line each, marked `+`, `-` or ` `.
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    latest_version: Option<i64>,
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
            field: None,
            stale: None,
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let code = e.code();
        let status = match &e {
            DomainError::NotFound(_) => StatusCode::NOT_FOUND,
            DomainError::Forbidden(_) => StatusCode::FORBIDDEN,
            DomainError::Invalid { .. }
            | DomainError::Refused { .. }
            | DomainError::InvalidDocument(_) => StatusCode::UNPROCESSABLE_ENTITY,
            DomainError::Conflict { .. } => StatusCode::CONFLICT,
            DomainError::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            DomainError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            DomainError::Wall(_) | DomainError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let message = match &e {
            DomainError::Wall(_) | DomainError::Internal(_) => "Internal error.".to_string(),
            other => other.to_string(),
        };
        let mut err = ApiError::new(status, code, message);
        err.field = e.field().map(str::to_string);
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
                field: self.field,
                errors: self.issues.map(|list| {
                    list.into_iter()
                        .map(|i| IssueJson {
                            line: i.line,
                            column: i.column,
                            message: i.message,
                        })
                        .collect()
                }),
                diff: self.stale.as_ref().map(|s| s.diff.clone()),
                latest_version: self.stale.map(|s| s.latest_version),
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

/// Whether the caller's `Accept` header asks for a media type containing `what`.
fn accepts(headers: &axum::http::HeaderMap, what: &str) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains(what))
}

/// The request's media type, lower case and without parameters (`text/plain`).
fn media_type(headers: &axum::http::HeaderMap) -> String {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

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
            return crate::auth::jwt::principal(st, token)
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
        let need = parts.extensions.get::<Need>().copied().ok_or_else(|| {
            tracing::error!(path = %parts.uri.path(), "API route without a declared need");
            ApiError::from(DomainError::Internal(
                "route without a declared need".into(),
            ))
        })?;
        scope.require_need(need)?;
        let how = if principal.token_roles().is_some() {
            "JWT"
        } else {
            "console token"
        };
        st.meter.count(
            scope.tenant_id(),
            &format!("{} ({how})", principal.user().email),
        );
        Ok(Scoped { principal, scope })
    }
}

// ---------------------------------------------------------------- shared shapes
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

// ---------------------------------------------------------------- the OpenAPI document

#[derive(OpenApi)]
#[openapi(
    info(title = "Tenantry API", description = "Multi-tenant admin console. Tenant-scoped routes need the ActiveProjectID header."),
    paths(tenants::me, tenants::list_tenants, tenants::create_tenant, tenants::get_tenant, tenants::update_tenant, tenants::create_user, lifecycle::teardown_plan, lifecycle::delete_tenant, lifecycle::list_alerts, lifecycle::acknowledge_alert, lifecycle::audit_archive, telemetry::list_logs, telemetry::metrics, telemetry::tenant_usage, telemetry::all_usage, members::list_members, members::add_member, members::remove_member,
        connections::list_secrets, connections::create_secret, connections::revoke_secret, connections::list_connections, connections::redeem, connections::get_connection, connections::revoke_connection,
        network::connection_traffic, network::ingest_traffic, network::list_workspaces, network::create_workspace, network::update_workspace, network::delete_workspace,
        network::list_services, network::create_service, network::update_service, network::delete_service, network::remote_services, network::list_policies,
        network::create_policy, network::get_policy, network::put_policy, network::delete_policy, network::connectivity_check,
        iam::list_policies, iam::create_policy, iam::get_policy, iam::put_policy, iam::delete_policy, iam::list_versions, iam::restore_version, iam::simulate,
        iam::list_groups, iam::create_group, iam::get_group, iam::delete_group, iam::add_group_member, iam::remove_group_member,
        clouds::list_clouds, clouds::create_cloud, clouds::get_cloud, clouds::delete_cloud, clouds::list_vrf_contexts, clouds::create_vrf_context,
        clouds::update_vrf_context, clouds::delete_vrf_context, clouds::list_se_groups, clouds::create_se_group, clouds::update_se_group,
        clouds::delete_se_group, clouds::list_service_engines, clouds::add_service_engine, clouds::remove_service_engine,
        clouds::get_cloud_settings, clouds::put_cloud_settings),
    components(schemas(ErrorBody, ErrorDetail, tenants::MeJson, tenants::UserJson, tenants::MembershipJson, tenants::TenantJson, tenants::TenantList, tenants::NewTenantJson, tenants::TenantChangeJson, tenants::NewUserJson, lifecycle::TeardownJson, lifecycle::PlanItemJson, lifecycle::PlanStepJson, lifecycle::TeardownPlanJson, lifecycle::AlertJson, lifecycle::AlertList, lifecycle::ArchivedEventJson, lifecycle::ArchivedEventList, telemetry::LogJson, telemetry::LogList, telemetry::DayValueJson, telemetry::MetricsJson, telemetry::UsageJson, telemetry::UsageList, members::MemberJson, members::MemberList, members::NewMemberJson,
        connections::SecretJson, connections::SecretList, connections::NewSecretJson, connections::IssuedSecretJson, connections::ConnectionJson, connections::ConnectionList, connections::RedeemJson, IssueJson,
        network::WorkspaceJson, network::WorkspaceList, network::NewWorkspaceJson, network::WorkspaceChangeJson, network::ServiceJson, network::ServiceList, network::NewServiceJson, network::ServiceChangeJson,
        network::RemoteServiceJson, network::RemoteServiceList, network::PolicyJson, network::PolicyList, network::CheckJson, network::CheckResultJson,
        network::TrafficRecordJson, network::IngestJson, network::DayTrafficJson, network::TrafficJson,
        iam::IamPolicyJson, iam::IamPolicyList, iam::IamPolicyWrite, iam::VersionJson, iam::VersionList, iam::SimPrincipalJson, iam::SimulateJson, iam::SimStatementJson, iam::SimulationJson,
        iam::GroupJson, iam::GroupList, iam::GroupMemberJson, iam::GroupDetailJson, iam::NewGroupJson, iam::NewGroupMemberJson,
        clouds::CloudJson, clouds::CloudList, clouds::NewCloudJson, clouds::VrfJson, clouds::SeGroupJson, clouds::ServiceEngineJson, clouds::CloudDetailJson,
        clouds::CloudDeletedJson, clouds::VrfList, clouds::SeGroupList, clouds::ServiceEngineList, clouds::NewVrfJson, clouds::VrfChangeJson,
        clouds::SeGroupWriteJson, clouds::NewServiceEngineJson, clouds::CloudSettingsJson)),
    servers((url = "/api/v1"))
)]
pub struct ApiDoc;

async fn openapi() -> impl IntoResponse {
    Json(ApiDoc::openapi())
}
