//! Server functions for clouds. Thin: authenticate, build the tenant scope, call
//! `domain::clouds`. The wizard keeps its work in a server-side draft (secrets sealed),
//! so a secret typed once is never sent back to the browser.

// The wizard's settings step posts every setting of every type as its own form field,
// so that each field gets its own inline error; its server function (and the client
// stub the macro makes of it) therefore has one argument per setting.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {
    crate::ssr::scope,
    domain::clouds,
    domain::ids::{CloudId, DraftId, SeGroupId, ServiceEngineId, VrfId},
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloudRow {
    pub id: String,
    pub name: String,
    /// The API's type key (`aws`, …).
    pub cloud_type: String,
    /// Settings, secrets shown as `"set"`.
    pub config: serde_json::Value,
    pub created_at: i64,
    pub created_by: String,
    pub provider: bool,
    pub vrf_contexts: i64,
    pub se_groups: i64,
    pub service_engines: i64,
}

/// The tenant's cloud settings (provider mode).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ProviderSettings {
    pub se_in_provider_context: bool,
    pub tenant_access_to_provider_se: bool,
    pub tenant_vrf: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloudsData {
    pub items: Vec<CloudRow>,
    pub next_cursor: Option<String>,
    pub total: Option<i64>,
    /// The admin tenant's clouds this tenant may use (provider mode), read-only.
    pub provider: Vec<CloudRow>,
    pub can_manage: bool,
    /// Global admins change the provider settings.
    pub can_set_provider: bool,
    pub is_system: bool,
    pub settings: ProviderSettings,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VrfRow {
    pub id: String,
    pub name: String,
    pub purpose: String,
    pub description: String,
    pub created_at: i64,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeGroupRow {
    pub id: String,
    pub name: String,
    pub ha_mode: String,
    pub max_ses: i64,
    pub description: String,
    pub service_engines: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeRow {
    pub id: String,
    pub name: String,
    pub mgmt_ip: String,
    pub se_group_name: String,
    pub created_at: i64,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloudPageData {
    pub cloud: CloudRow,
    pub vrf_contexts: Vec<VrfRow>,
    pub se_groups: Vec<SeGroupRow>,
    pub service_engines: Vec<SeRow>,
    /// False for a provider cloud, and for viewers.
    pub can_manage: bool,
    /// Whether Service Engines are added by hand here.
    pub manual_ses: bool,
}

/// The wizard's draft as its steps show it (secrets as `"set"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftView {
    pub id: String,
    pub cloud_type: String,
    pub name: String,
    pub config: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WizardData {
    pub draft: Option<DraftView>,
}

#[cfg(feature = "ssr")]
fn cloud_row(c: clouds::Cloud) -> CloudRow {
    CloudRow {
        id: c.id.to_string(),
        name: c.name,
        cloud_type: c.cloud_type.as_str().to_string(),
        config: c.config,
        created_at: c.created_at,
        created_by: c.created_by,
        provider: c.provider,
        vrf_contexts: c.vrf_contexts,
        se_groups: c.se_groups,
        service_engines: c.service_engines,
    }
}

/// An id from a form or URL; anything that is not one is simply not found.
#[cfg(feature = "ssr")]
fn id<T>(raw: &str, parse: fn(&str) -> Option<T>) -> Result<T, AppError> {
    parse(raw).ok_or(AppError::NotFound)
}

#[server(prefix = "/fn", endpoint = "list_clouds")]
pub async fn list_clouds(
    tenant: String,
    q: String,
    cursor: Option<String>,
) -> Result<CloudsData, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("list_clouds", &tenant).await?;
        let page = clouds::list_clouds(
            &ctx.db,
            &scope,
            &q,
            cursor.and_then(crate::components::non_empty).as_deref(),
            Some(20),
        )
        .await?;
        let s = clouds::cloud_settings(&ctx.db, &scope).await?;
        Ok(CloudsData {
            items: page.items.into_iter().map(cloud_row).collect(),
            next_cursor: page.next_cursor,
            total: page.total,
            provider: clouds::provider_clouds_with(&ctx.db, &scope, s)
                .await?
                .into_iter()
                .map(cloud_row)
                .collect(),
            can_manage: scope.allows("CLOUD_CREATE"),
            can_set_provider: scope.is_global_admin() && !scope.is_system(),
            is_system: scope.is_system(),
            settings: ProviderSettings {
                se_in_provider_context: s.se_in_provider_context,
                tenant_access_to_provider_se: s.tenant_access_to_provider_se,
                tenant_vrf: s.tenant_vrf,
            },
        })
    })
    .await
}

/// Saves the provider settings; a checkbox that is not sent is off.
#[server(prefix = "/fn", endpoint = "save_provider_settings")]
pub async fn save_provider_settings(
    tenant: String,
    se_in_provider_context: Option<String>,
    tenant_access_to_provider_se: Option<String>,
    tenant_vrf: Option<String>,
) -> Result<(), AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("save_provider_settings", &tenant).await?;
        let on = crate::components::checked;
        clouds::set_cloud_settings(
            &ctx.db,
            &scope,
            clouds::CloudSettings {
                se_in_provider_context: on(&se_in_provider_context),
                tenant_access_to_provider_se: on(&tenant_access_to_provider_se),
                tenant_vrf: on(&tenant_vrf),
            },
        )
        .await?;
        Ok(())
    })
    .await
}

/// The wizard's draft, when its step names one.
#[server(prefix = "/fn", endpoint = "cloud_wizard")]
pub async fn cloud_wizard(tenant: String, draft: Option<String>) -> Result<WizardData, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("cloud_wizard", &tenant).await?;
        scope.require("CLOUD_CREATE").map_err(AppError::from)?;
        let draft = match draft.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(raw) => {
                let d = clouds::get_draft(&ctx.db, &scope, id(raw, DraftId::parse)?).await?;
                Some(DraftView {
                    id: d.id.to_string(),
                    cloud_type: d.cloud_type.as_str().to_string(),
                    name: d.name,
                    config: d.config,
                })
            }
        };
        Ok(WizardData { draft })
    })
    .await
}

/// The wizard's settings step: checks everything entered and keeps it in a draft,
/// then goes on to the review. Fields of other types are absent.
#[server(prefix = "/fn", endpoint = "save_cloud_draft")]
pub async fn save_cloud_draft(
    tenant: String,
    draft: Option<String>,
    cloud_type: String,
    name: String,
    region: Option<String>,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    iam_role_arn: Option<String>,
    vpc_id: Option<String>,
    availability_zones: Option<String>,
    subscription_id: Option<String>,
    resource_group: Option<String>,
    virtual_network: Option<String>,
    client_id: Option<String>,
    azure_tenant_id: Option<String>,
    client_secret: Option<String>,
    hosts: Option<String>,
    ssh_user: Option<String>,
    ssh_private_key: Option<String>,
) -> Result<String, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("save_cloud_draft", &tenant).await?;
        let mut config = serde_json::Map::new();
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                config.insert(k.to_string(), serde_json::Value::String(v));
            }
        };
        put("region", region);
        put("access_key_id", access_key_id);
        put("secret_access_key", secret_access_key);
        put("iam_role_arn", iam_role_arn);
        put("vpc_id", vpc_id);
        put("availability_zones", availability_zones);
        put("subscription_id", subscription_id);
        put("resource_group", resource_group);
        put("virtual_network", virtual_network);
        put("client_id", client_id);
        put("azure_tenant_id", azure_tenant_id);
        put("client_secret", client_secret);
        put("ssh_private_key", ssh_private_key);
        if let Some(h) = hosts {
            config.insert(
                "hosts".into(),
                clouds::config::host_lines(&h, ssh_user.as_deref().unwrap_or("")),
            );
        }
        let draft = match draft.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            Some(raw) => Some(id(raw, DraftId::parse)?),
            None => None,
        };
        let config = serde_json::Value::Object(config);
        let saved = clouds::save_draft(
            &ctx.db,
            &scope,
            &ctx.sealer,
            draft,
            clouds::NewCloud {
                name: &name,
                cloud_type: &cloud_type,
                config: &config,
            },
        )
        .await?;
        leptos_axum::redirect(&format!(
            "/t/{}/clouds/new?step=review&draft={saved}",
            crate::components::encode(scope.tenant_name())
        ));
        Ok(saved.to_string())
    })
    .await
}

/// The wizard's last step: creates the cloud the draft describes, then opens it.
#[server(prefix = "/fn", endpoint = "create_cloud")]
pub async fn create_cloud(tenant: String, draft: String) -> Result<String, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("create_cloud", &tenant).await?;
        let cloud =
            clouds::create_from_draft(&ctx.db, &scope, &ctx.sealer, id(&draft, DraftId::parse)?)
                .await?;
        leptos_axum::redirect(&format!(
            "/t/{}/clouds/{}?created=1",
            crate::components::encode(scope.tenant_name()),
            cloud.id
        ));
        Ok(cloud.id.to_string())
    })
    .await
}

#[server(prefix = "/fn", endpoint = "cloud_page")]
pub async fn cloud_page(tenant: String, id: String) -> Result<CloudPageData, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("cloud_page", &tenant).await?;
        let d = clouds::get_cloud(&ctx.db, &scope, self::id(&id, CloudId::parse)?).await?;
        let provider = d.cloud.provider;
        let manual_ses = d.cloud.cloud_type.manual_service_engines();
        Ok(CloudPageData {
            cloud: cloud_row(d.cloud),
            vrf_contexts: d
                .vrf_contexts
                .into_iter()
                .map(|v| VrfRow {
                    id: v.id.to_string(),
                    name: v.name,
                    purpose: v.purpose,
                    description: v.description,
                    created_at: v.created_at,
                    created_by: v.created_by,
                })
                .collect(),
            se_groups: d
                .se_groups
                .into_iter()
                .map(|g| SeGroupRow {
                    id: g.id.to_string(),
                    name: g.name,
                    ha_mode: g.ha_mode,
                    max_ses: g.max_ses,
                    description: g.description,
                    service_engines: g.service_engines,
                })
                .collect(),
            service_engines: d
                .service_engines
                .into_iter()
                .map(|s| SeRow {
                    id: s.id.to_string(),
                    name: s.name,
                    mgmt_ip: s.mgmt_ip,
                    se_group_name: s.se_group_name,
                    created_at: s.created_at,
                    created_by: s.created_by,
                })
                .collect(),
            can_manage: !provider && scope.allows("CLOUD_MANAGE"),
            manual_ses,
        })
    })
    .await
}

/// Deletes a cloud with everything it holds, then goes back to the list.
#[server(prefix = "/fn", endpoint = "delete_cloud")]
pub async fn delete_cloud(tenant: String, id: String) -> Result<String, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("delete_cloud", &tenant).await?;
        let gone = clouds::delete_cloud(&ctx.db, &scope, self::id(&id, CloudId::parse)?).await?;
        leptos_axum::redirect(&format!(
            "/t/{}/clouds?deleted={}",
            crate::components::encode(scope.tenant_name()),
            crate::components::encode(&gone.name)
        ));
        Ok(gone.name)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "create_vrf_context")]
pub async fn create_vrf_context(
    tenant: String,
    cloud_id: String,
    name: String,
    description: String,
) -> Result<String, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("create_vrf_context", &tenant).await?;
        let v = clouds::create_vrf_context(
            &ctx.db,
            &scope,
            id(&cloud_id, CloudId::parse)?,
            &name,
            &description,
        )
        .await?;
        Ok(v.name)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "update_vrf_context")]
pub async fn update_vrf_context(
    tenant: String,
    id: String,
    name: String,
    description: String,
) -> Result<String, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("update_vrf_context", &tenant).await?;
        let v = clouds::update_vrf_context(
            &ctx.db,
            &scope,
            self::id(&id, VrfId::parse)?,
            &name,
            &description,
        )
        .await?;
        Ok(v.name)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "delete_vrf_context")]
pub async fn delete_vrf_context(tenant: String, id: String) -> Result<(), AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("delete_vrf_context", &tenant).await?;
        clouds::delete_vrf_context(&ctx.db, &scope, self::id(&id, VrfId::parse)?).await?;
        Ok(())
    })
    .await
}

/// Reads the SE group form's size field.
#[cfg(feature = "ssr")]
fn max_ses(raw: &str) -> Result<i64, AppError> {
    raw.trim().parse().map_err(|_| {
        AppError::from(domain::DomainError::invalid(
            "max_ses",
            "Enter how many Service Engines the group may hold (1 to 1000).",
        ))
    })
}

#[server(prefix = "/fn", endpoint = "create_se_group")]
pub async fn create_se_group(
    tenant: String,
    cloud_id: String,
    name: String,
    ha_mode: String,
    max_ses: String,
    description: String,
) -> Result<String, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("create_se_group", &tenant).await?;
        let input = clouds::SeGroupInput {
            name: &name,
            ha_mode: &ha_mode,
            max_ses: self::max_ses(&max_ses)?,
            description: &description,
        };
        let g =
            clouds::create_se_group(&ctx.db, &scope, id(&cloud_id, CloudId::parse)?, input).await?;
        Ok(g.name)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "update_se_group")]
pub async fn update_se_group(
    tenant: String,
    id: String,
    name: String,
    ha_mode: String,
    max_ses: String,
    description: String,
) -> Result<String, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("update_se_group", &tenant).await?;
        let input = clouds::SeGroupInput {
            name: &name,
            ha_mode: &ha_mode,
            max_ses: self::max_ses(&max_ses)?,
            description: &description,
        };
        let g = clouds::update_se_group(&ctx.db, &scope, self::id(&id, SeGroupId::parse)?, input)
            .await?;
        Ok(g.name)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "delete_se_group")]
pub async fn delete_se_group(tenant: String, id: String) -> Result<(), AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("delete_se_group", &tenant).await?;
        clouds::delete_se_group(&ctx.db, &scope, self::id(&id, SeGroupId::parse)?).await?;
        Ok(())
    })
    .await
}

#[server(prefix = "/fn", endpoint = "add_service_engine")]
pub async fn add_service_engine(
    tenant: String,
    se_group_id: String,
    name: String,
    mgmt_ip: String,
) -> Result<String, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("add_service_engine", &tenant).await?;
        let se = clouds::add_service_engine(
            &ctx.db,
            &scope,
            clouds::NewServiceEngine {
                name: &name,
                mgmt_ip: &mgmt_ip,
                se_group_id: id(&se_group_id, SeGroupId::parse)?,
            },
        )
        .await?;
        Ok(se.name)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "remove_service_engine")]
pub async fn remove_service_engine(tenant: String, id: String) -> Result<(), AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("remove_service_engine", &tenant).await?;
        clouds::remove_service_engine(&ctx.db, &scope, self::id(&id, ServiceEngineId::parse)?)
            .await?;
        Ok(())
    })
    .await
}
