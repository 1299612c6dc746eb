//! REST routes of tenant-scoped clouds (seed 002): clouds, their VRF contexts, SE
//! groups and Service Engines, and the tenant's provider-mode settings. Secrets never
//! appear in an answer: a stored one reads `"set"`.

use super::{body, ApiError, ApiResult, ErrorBody, ListQuery, Scoped};
use crate::AppState;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use domain::clouds::{self, CloudSettings};
use domain::ids::{CloudId, SeGroupId, ServiceEngineId, VrfId};
use domain::DomainError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

// ---------------------------------------------------------------- shapes

#[derive(Serialize, ToSchema)]
pub struct CloudJson {
    id: String,
    name: String,
    /// `aws`, `azure`, `linux-server` or `no-orchestrator`.
    #[serde(rename = "type")]
    cloud_type: String,
    /// The settings; each secret reads `"set"`.
    #[schema(value_type = Object)]
    config: serde_json::Value,
    /// True for an admin-tenant cloud this tenant uses in provider mode (read-only).
    provider: bool,
    vrf_contexts: i64,
    se_groups: i64,
    service_engines: i64,
    created_at: i64,
    created_by: String,
}

impl From<clouds::Cloud> for CloudJson {
    fn from(c: clouds::Cloud) -> Self {
        CloudJson {
            id: c.id.to_string(),
            name: c.name,
            cloud_type: c.cloud_type.as_str().into(),
            config: c.config,
            provider: c.provider,
            vrf_contexts: c.vrf_contexts,
            se_groups: c.se_groups,
            service_engines: c.service_engines,
            created_at: c.created_at,
            created_by: c.created_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CloudList {
    items: Vec<CloudJson>,
    next_cursor: Option<String>,
    /// The admin tenant's clouds this tenant uses in provider mode, read-only.
    provider: Vec<CloudJson>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewCloudJson {
    name: String,
    /// `aws`, `azure`, `linux-server` or `no-orchestrator`; other types answer 422
    /// `cloud_type_not_allowed_in_tenant`, unknown ones 422 `unknown_cloud_type`.
    #[serde(rename = "type")]
    cloud_type: String,
    /// The type's settings (see the README).
    #[serde(default)]
    #[schema(value_type = Object)]
    config: serde_json::Value,
}

#[derive(Serialize, ToSchema)]
pub struct VrfJson {
    id: String,
    cloud_id: String,
    name: String,
    /// `data` (`global`), `management`, or `custom`.
    purpose: String,
    description: String,
    provider: bool,
    created_at: i64,
    created_by: String,
}

impl From<clouds::VrfContext> for VrfJson {
    fn from(v: clouds::VrfContext) -> Self {
        VrfJson {
            id: v.id.to_string(),
            cloud_id: v.cloud_id.to_string(),
            name: v.name,
            purpose: v.purpose,
            description: v.description,
            provider: v.provider,
            created_at: v.created_at,
            created_by: v.created_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SeGroupJson {
    id: String,
    cloud_id: String,
    name: String,
    /// `shared`, `active-active` or `active-standby`.
    ha_mode: String,
    max_ses: i64,
    description: String,
    service_engines: i64,
    provider: bool,
    created_at: i64,
    created_by: String,
}

impl From<clouds::SeGroup> for SeGroupJson {
    fn from(g: clouds::SeGroup) -> Self {
        SeGroupJson {
            id: g.id.to_string(),
            cloud_id: g.cloud_id.to_string(),
            name: g.name,
            ha_mode: g.ha_mode,
            max_ses: g.max_ses,
            description: g.description,
            service_engines: g.service_engines,
            provider: g.provider,
            created_at: g.created_at,
            created_by: g.created_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ServiceEngineJson {
    id: String,
    cloud_id: String,
    se_group_id: String,
    se_group_name: String,
    name: String,
    mgmt_ip: String,
    provider: bool,
    created_at: i64,
    created_by: String,
}

impl From<clouds::ServiceEngine> for ServiceEngineJson {
    fn from(s: clouds::ServiceEngine) -> Self {
        ServiceEngineJson {
            id: s.id.to_string(),
            cloud_id: s.cloud_id.to_string(),
            se_group_id: s.se_group_id.to_string(),
            se_group_name: s.se_group_name,
            name: s.name,
            mgmt_ip: s.mgmt_ip,
            provider: s.provider,
            created_at: s.created_at,
            created_by: s.created_by,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CloudDetailJson {
    #[serde(flatten)]
    cloud: CloudJson,
    vrf_context_list: Vec<VrfJson>,
    se_group_list: Vec<SeGroupJson>,
    service_engine_list: Vec<ServiceEngineJson>,
}

#[derive(Serialize, ToSchema)]
pub struct CloudDeletedJson {
    name: String,
    vrf_contexts: i64,
    se_groups: i64,
    service_engines: i64,
}

#[derive(Serialize, ToSchema)]
pub struct VrfList {
    items: Vec<VrfJson>,
}

#[derive(Serialize, ToSchema)]
pub struct SeGroupList {
    items: Vec<SeGroupJson>,
}

#[derive(Serialize, ToSchema)]
pub struct ServiceEngineList {
    items: Vec<ServiceEngineJson>,
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct CloudFilter {
    /// Only the objects of this cloud.
    cloud_id: Option<String>,
    /// Also the provider's SE groups (provider mode), marked `provider`.
    #[serde(default)]
    include_provider: bool,
}

#[derive(Deserialize, ToSchema)]
pub struct NewVrfJson {
    cloud_id: String,
    name: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize, ToSchema)]
pub struct VrfChangeJson {
    /// A new name (VRF contexts added by hand only).
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize, ToSchema)]
pub struct SeGroupWriteJson {
    /// Required when creating.
    #[serde(default)]
    cloud_id: String,
    name: String,
    /// [shared]
    #[serde(default = "default_ha")]
    ha_mode: String,
    /// [10]
    #[serde(default = "default_max")]
    max_ses: i64,
    #[serde(default)]
    description: String,
}

fn default_ha() -> String {
    "shared".into()
}
fn default_max() -> i64 {
    clouds::DEFAULT_MAX_SES
}

#[derive(Deserialize, ToSchema)]
pub struct NewServiceEngineJson {
    se_group_id: String,
    name: String,
    mgmt_ip: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct CloudSettingsJson {
    se_in_provider_context: bool,
    tenant_access_to_provider_se: bool,
    tenant_vrf: bool,
}

impl From<CloudSettings> for CloudSettingsJson {
    fn from(s: CloudSettings) -> Self {
        CloudSettingsJson {
            se_in_provider_context: s.se_in_provider_context,
            tenant_access_to_provider_se: s.tenant_access_to_provider_se,
            tenant_vrf: s.tenant_vrf,
        }
    }
}

/// An id from the path or body; anything else is not found (as another tenant's is).
fn parse<T>(raw: &str, f: fn(&str) -> Option<T>, what: &'static str) -> ApiResult<T> {
    f(raw).ok_or_else(|| DomainError::NotFound(what).into())
}

fn cloud_filter(f: &CloudFilter) -> ApiResult<Option<CloudId>> {
    match f
        .cloud_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Ok(None),
        Some(raw) => CloudId::parse(raw).map(Some).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                "cloud_id must be a cloud's id.",
            )
        }),
    }
}

// ---------------------------------------------------------------- clouds

#[utoipa::path(get, path = "/clouds", params(ListQuery, ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = CloudList), (status = 403, body = ErrorBody)))]
pub(super) async fn list_clouds(
    State(st): State<AppState>,
    s: Scoped,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<CloudList>> {
    let page = clouds::list_clouds(&st.db, &s.scope, &q.q, q.cursor.as_deref(), q.limit).await?;
    let provider = clouds::provider_clouds(&st.db, &s.scope).await?;
    Ok(Json(CloudList {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
        provider: provider.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(post, path = "/clouds", request_body = NewCloudJson, params(("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 201, body = CloudJson), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_cloud(
    State(st): State<AppState>,
    s: Scoped,
    json: Result<Json<NewCloudJson>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<CloudJson>)> {
    let new = body(json)?;
    let cloud = clouds::create_cloud(
        &st.db,
        &s.scope,
        &st.config.sealer,
        clouds::NewCloud {
            name: &new.name,
            cloud_type: &new.cloud_type,
            config: &new.config,
        },
    )
    .await
    .map_err(|e| {
        // A setting's field is named as it is sent: inside `config`.
        let mut err = ApiError::from(e);
        if let Some(f) = err.field.take() {
            err.field = Some(if f == "name" || f == "type" || f == "config" {
                f
            } else {
                format!("config.{f}")
            });
        }
        err
    })?;
    Ok((StatusCode::CREATED, Json(cloud.into())))
}

#[utoipa::path(get, path = "/clouds/{id}", params(("id" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = CloudDetailJson), (status = 404, body = ErrorBody)))]
pub(super) async fn get_cloud(
    State(st): State<AppState>,
    s: Scoped,
    Path(id): Path<String>,
) -> ApiResult<Json<CloudDetailJson>> {
    let d = clouds::get_cloud(&st.db, &s.scope, parse(&id, CloudId::parse, "cloud")?).await?;
    Ok(Json(CloudDetailJson {
        cloud: d.cloud.into(),
        vrf_context_list: d.vrf_contexts.into_iter().map(Into::into).collect(),
        se_group_list: d.se_groups.into_iter().map(Into::into).collect(),
        service_engine_list: d.service_engines.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(delete, path = "/clouds/{id}", params(("id" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = CloudDeletedJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn delete_cloud(
    State(st): State<AppState>,
    s: Scoped,
    Path(id): Path<String>,
) -> ApiResult<Json<CloudDeletedJson>> {
    let gone = clouds::delete_cloud(&st.db, &s.scope, parse(&id, CloudId::parse, "cloud")?).await?;
    Ok(Json(CloudDeletedJson {
        name: gone.name,
        vrf_contexts: gone.vrf_contexts,
        se_groups: gone.se_groups,
        service_engines: gone.service_engines,
    }))
}

// ---------------------------------------------------------------- VRF contexts

#[utoipa::path(get, path = "/vrf-contexts", params(CloudFilter, ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = VrfList), (status = 403, body = ErrorBody)))]
pub(super) async fn list_vrf_contexts(
    State(st): State<AppState>,
    s: Scoped,
    Query(f): Query<CloudFilter>,
) -> ApiResult<Json<VrfList>> {
    let items = clouds::list_vrf_contexts(&st.db, &s.scope, cloud_filter(&f)?).await?;
    Ok(Json(VrfList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(post, path = "/vrf-contexts", request_body = NewVrfJson, params(("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 201, body = VrfJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_vrf_context(
    State(st): State<AppState>,
    s: Scoped,
    json: Result<Json<NewVrfJson>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<VrfJson>)> {
    let new = body(json)?;
    let cloud = parse(&new.cloud_id, CloudId::parse, "cloud")?;
    let v =
        clouds::create_vrf_context(&st.db, &s.scope, cloud, &new.name, &new.description).await?;
    Ok((StatusCode::CREATED, Json(v.into())))
}

#[utoipa::path(patch, path = "/vrf-contexts/{id}", request_body = VrfChangeJson, params(("id" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = VrfJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn update_vrf_context(
    State(st): State<AppState>,
    s: Scoped,
    Path(id): Path<String>,
    json: Result<Json<VrfChangeJson>, JsonRejection>,
) -> ApiResult<Json<VrfJson>> {
    let change = body(json)?;
    let id = parse(&id, VrfId::parse, "VRF context")?;
    let v =
        clouds::update_vrf_context(&st.db, &s.scope, id, &change.name, &change.description).await?;
    Ok(Json(v.into()))
}

#[utoipa::path(delete, path = "/vrf-contexts/{id}", params(("id" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(super) async fn delete_vrf_context(
    State(st): State<AppState>,
    s: Scoped,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    clouds::delete_vrf_context(&st.db, &s.scope, parse(&id, VrfId::parse, "VRF context")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- SE groups

#[utoipa::path(get, path = "/se-groups", params(CloudFilter, ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = SeGroupList), (status = 403, body = ErrorBody)))]
pub(super) async fn list_se_groups(
    State(st): State<AppState>,
    s: Scoped,
    Query(f): Query<CloudFilter>,
) -> ApiResult<Json<SeGroupList>> {
    let cloud = cloud_filter(&f)?;
    let items = if f.include_provider && cloud.is_none() {
        clouds::se_group_choices(&st.db, &s.scope).await?
    } else {
        clouds::list_se_groups(&st.db, &s.scope, cloud).await?
    };
    Ok(Json(SeGroupList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

fn group_input(g: &SeGroupWriteJson) -> clouds::SeGroupInput<'_> {
    clouds::SeGroupInput {
        name: &g.name,
        ha_mode: &g.ha_mode,
        max_ses: g.max_ses,
        description: &g.description,
    }
}

#[utoipa::path(post, path = "/se-groups", request_body = SeGroupWriteJson, params(("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 201, body = SeGroupJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn create_se_group(
    State(st): State<AppState>,
    s: Scoped,
    json: Result<Json<SeGroupWriteJson>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<SeGroupJson>)> {
    let new = body(json)?;
    let cloud = parse(&new.cloud_id, CloudId::parse, "cloud")?;
    let g = clouds::create_se_group(&st.db, &s.scope, cloud, group_input(&new)).await?;
    Ok((StatusCode::CREATED, Json(g.into())))
}

#[utoipa::path(patch, path = "/se-groups/{id}", request_body = SeGroupWriteJson, params(("id" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = SeGroupJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn update_se_group(
    State(st): State<AppState>,
    s: Scoped,
    Path(id): Path<String>,
    json: Result<Json<SeGroupWriteJson>, JsonRejection>,
) -> ApiResult<Json<SeGroupJson>> {
    let change = body(json)?;
    let id = parse(&id, SeGroupId::parse, "SE group")?;
    let g = clouds::update_se_group(&st.db, &s.scope, id, group_input(&change)).await?;
    Ok(Json(g.into()))
}

#[utoipa::path(delete, path = "/se-groups/{id}", params(("id" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub(super) async fn delete_se_group(
    State(st): State<AppState>,
    s: Scoped,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    clouds::delete_se_group(&st.db, &s.scope, parse(&id, SeGroupId::parse, "SE group")?).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- Service Engines

#[utoipa::path(get, path = "/service-engines", params(CloudFilter, ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = ServiceEngineList), (status = 403, body = ErrorBody)))]
pub(super) async fn list_service_engines(
    State(st): State<AppState>,
    s: Scoped,
    Query(f): Query<CloudFilter>,
) -> ApiResult<Json<ServiceEngineList>> {
    let items = clouds::list_service_engines(&st.db, &s.scope, cloud_filter(&f)?).await?;
    Ok(Json(ServiceEngineList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

#[utoipa::path(post, path = "/service-engines", request_body = NewServiceEngineJson, params(("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 201, body = ServiceEngineJson), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn add_service_engine(
    State(st): State<AppState>,
    s: Scoped,
    json: Result<Json<NewServiceEngineJson>, JsonRejection>,
) -> ApiResult<(StatusCode, Json<ServiceEngineJson>)> {
    let new = body(json)?;
    let se = clouds::add_service_engine(
        &st.db,
        &s.scope,
        clouds::NewServiceEngine {
            name: &new.name,
            mgmt_ip: &new.mgmt_ip,
            se_group_id: parse(&new.se_group_id, SeGroupId::parse, "SE group")?,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(se.into())))
}

#[utoipa::path(delete, path = "/service-engines/{id}", params(("id" = String, Path), ("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub(super) async fn remove_service_engine(
    State(st): State<AppState>,
    s: Scoped,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = parse(&id, ServiceEngineId::parse, "Service Engine")?;
    clouds::remove_service_engine(&st.db, &s.scope, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- provider mode

#[utoipa::path(get, path = "/cloud-settings", params(("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = CloudSettingsJson), (status = 403, body = ErrorBody)))]
pub(super) async fn get_cloud_settings(
    State(st): State<AppState>,
    s: Scoped,
) -> ApiResult<Json<CloudSettingsJson>> {
    Ok(Json(clouds::cloud_settings(&st.db, &s.scope).await?.into()))
}

#[utoipa::path(put, path = "/cloud-settings", request_body = CloudSettingsJson, params(("ActiveProjectID" = String, Header, description = "Tenant UUID")),
    responses((status = 200, body = CloudSettingsJson), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(super) async fn put_cloud_settings(
    State(st): State<AppState>,
    s: Scoped,
    json: Result<Json<CloudSettingsJson>, JsonRejection>,
) -> ApiResult<Json<CloudSettingsJson>> {
    let new = body(json)?;
    let saved = clouds::set_cloud_settings(
        &st.db,
        &s.scope,
        CloudSettings {
            se_in_provider_context: new.se_in_provider_context,
            tenant_access_to_provider_se: new.tenant_access_to_provider_se,
            tenant_vrf: new.tenant_vrf,
        },
    )
    .await?;
    Ok(Json(saved.into()))
}
