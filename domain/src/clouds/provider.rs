//! Provider mode: a tenant uses the admin tenant's cloud infrastructure, read-only.
//!
//! The settings are the tenant's own (`se_in_provider_context`,
//! `tenant_access_to_provider_se`, `tenant_vrf`), and only a global admin changes
//! them. With `se_in_provider_context` on, the admin tenant's clouds and SE groups appear
//! in the tenant, marked "provider"; with `tenant_access_to_provider_se` also on, so do
//! the provider's Service Engines; the provider's VRF contexts appear unless the tenant
//! has its own routing domain (`tenant_vrf`). Their objects stay in the admin tenant:
//! every change in [`super::objects`] and [`super::store`] works on the scope's own
//! tenant only, so they cannot be moved or edited from here.
//!
//! This module holds the only reads of another tenant's clouds.

use super::*;
use crate::db::Wall;
use crate::ids::SYSTEM_TENANT_ID;

/// A tenant's cloud settings (seed 002).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudSettings {
    /// Provider mode: the admin tenant's clouds and SE groups serve this tenant.
    pub se_in_provider_context: bool,
    /// The tenant also sees the provider's Service Engines.
    pub tenant_access_to_provider_se: bool,
    /// The tenant has its own routing domain: the provider's VRF contexts stay hidden.
    pub tenant_vrf: bool,
}

/// The scope's tenant's cloud settings.
pub async fn cloud_settings(db: &Db, scope: &TenantScope) -> DomainResult<CloudSettings> {
    scope.require("CLOUD_READ")?;
    let (a, b, c): (i64, i64, i64) = sqlx::query_as(
        "SELECT se_in_provider_context, tenant_access_to_provider_se, tenant_vrf FROM tenants WHERE id = $1",
    )
    .bind(scope.tenant_id().as_text())
    .fetch_optional(&mut *db.read(scope.wall()).await?)
    .await?
    .ok_or(DomainError::NotFound("tenant"))?;
    Ok(CloudSettings {
        se_in_provider_context: a != 0,
        tenant_access_to_provider_se: b != 0,
        tenant_vrf: c != 0,
    })
}

/// Changes a tenant's cloud settings: global admins only (switched into the tenant).
/// The admin tenant provides and so has no provider of its own.
pub async fn set_cloud_settings(
    db: &Db,
    scope: &TenantScope,
    settings: CloudSettings,
) -> DomainResult<CloudSettings> {
    if !scope.is_global_admin() {
        return Err(DomainError::Forbidden(
            "Only a global admin changes a tenant's cloud settings.".into(),
        ));
    }
    if scope.is_system() && settings.se_in_provider_context {
        return Err(DomainError::invalid(
            "se_in_provider_context",
            "The admin tenant is the provider; provider mode is for the other tenants.",
        ));
    }
    let old = cloud_settings(db, scope).await?;
    let mut tx = db.begin(scope.wall()).await?;
    sqlx::query(
        "UPDATE tenants SET se_in_provider_context = $1, tenant_access_to_provider_se = $2, tenant_vrf = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(i64::from(settings.se_in_provider_context))
    .bind(i64::from(settings.tenant_access_to_provider_se))
    .bind(i64::from(settings.tenant_vrf))
    .bind(now_ms())
    .bind(scope.tenant_id().as_text())
    .execute(&mut *tx)
    .await?;
    let show = |s: &CloudSettings| serde_json::to_string(s).unwrap_or_default();
    audit::record(
        &mut tx,
        scope,
        "tenant.cloud_settings",
        scope.tenant_name(),
        Some(show(&old)),
        Some(show(&settings)),
    )
    .await?;
    tx.commit().await?;
    Ok(settings)
}

/// The admin tenant's clouds as this tenant sees them in provider mode (read-only);
/// empty without provider mode, and in the admin tenant itself.
pub async fn provider_clouds(db: &Db, scope: &TenantScope) -> DomainResult<Vec<Cloud>> {
    let settings = cloud_settings(db, scope).await?;
    provider_clouds_with(db, scope, settings).await
}

/// [`provider_clouds`] for a caller that has read the settings already.
pub async fn provider_clouds_with(
    db: &Db,
    scope: &TenantScope,
    settings: CloudSettings,
) -> DomainResult<Vec<Cloud>> {
    if scope.is_system() || !settings.se_in_provider_context {
        return Ok(Vec::new());
    }
    let rows = sqlx::query(&format!(
        "SELECT {CLOUD_COLUMNS} FROM clouds c WHERE c.tenant_id = $1 ORDER BY c.name LIMIT 100"
    ))
    .bind(SYSTEM_TENANT_ID.as_text())
    .fetch_all(&mut *db.read(Wall::Tenant(SYSTEM_TENANT_ID)).await?)
    .await?;
    rows.iter()
        .map(|r| {
            let mut c = cloud_from_row(r, true)?;
            c.config = provider_view(&c.config);
            if !settings.tenant_access_to_provider_se {
                c.service_engines = 0;
            }
            if settings.tenant_vrf {
                c.vrf_contexts = 0;
            }
            Ok(c)
        })
        .collect()
}

/// A provider cloud's settings as a tenant sees them: where it runs, never how the
/// provider reaches it (no account, key or subscription identifiers).
fn provider_view(config: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for key in [
        "region",
        "availability_zones",
        "resource_group",
        "virtual_network",
    ] {
        if let Some(v) = config.get(key) {
            out.insert(key.to_string(), v.clone());
        }
    }
    Value::Object(out)
}

/// One of the admin tenant's clouds, read-only, when this tenant is in provider mode.
pub(super) async fn provider_cloud(
    db: &Db,
    scope: &TenantScope,
    id: CloudId,
) -> DomainResult<CloudDetail> {
    let settings = cloud_settings(db, scope).await?;
    if scope.is_system() || !settings.se_in_provider_context {
        return Err(DomainError::NotFound("cloud"));
    }
    let mut detail = load_detail(
        db,
        &SYSTEM_TENANT_ID.as_text(),
        id,
        true,
        settings.tenant_access_to_provider_se,
    )
    .await?;
    detail.cloud.config = provider_view(&detail.cloud.config);
    if settings.tenant_vrf {
        detail.vrf_contexts.clear();
        detail.cloud.vrf_contexts = 0;
    }
    if !settings.tenant_access_to_provider_se {
        detail.cloud.service_engines = 0;
    }
    Ok(detail)
}

/// The SE groups this tenant may place on: its own, then the provider's (marked).
pub async fn se_group_choices(db: &Db, scope: &TenantScope) -> DomainResult<Vec<SeGroup>> {
    let mut out = list_se_groups(db, scope, None).await?;
    if scope.is_system()
        || !scope.allows("CLOUD_READ")
        || !cloud_settings(db, scope).await?.se_in_provider_context
    {
        return Ok(out);
    }
    let rows = sqlx::query(&format!(
        "SELECT {GROUP_COLUMNS} FROM se_groups g WHERE g.tenant_id = $1 ORDER BY g.name LIMIT 1000"
    ))
    .bind(SYSTEM_TENANT_ID.as_text())
    .fetch_all(&mut *db.read(Wall::Tenant(SYSTEM_TENANT_ID)).await?)
    .await?;
    for r in &rows {
        out.push(group_from_row(r, true)?);
    }
    Ok(out)
}
