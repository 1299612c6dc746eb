//! Clouds: create (with everything seed 002 makes alongside), list, read, delete.

use super::*;
use crate::crypto::Sealer;
use crate::db::Wall;

/// What a new cloud is made from (the wizard's draft, or `POST /api/v1/clouds`).
#[derive(Debug, Clone)]
pub struct NewCloud<'a> {
    pub name: &'a str,
    /// The API's `type`; other kinds are refused here, whichever way they arrive.
    pub cloud_type: &'a str,
    pub config: &'a Value,
}

/// The settings as stored: public ones with `"set"` for each secret, and the sealed
/// secrets (empty text when the type has none).
pub(super) fn stored_settings(
    kind: CloudType,
    checked: &config::Checked,
    sealer: &Sealer,
) -> DomainResult<(String, String)> {
    let names: Vec<String> = checked.secrets.keys().cloned().collect();
    let shown = config::shown(&checked.public, kind, &names);
    let sealed = if checked.secrets.is_empty() {
        String::new()
    } else {
        let plain = serde_json::to_string(&checked.secrets)
            .map_err(|e| DomainError::Internal(e.to_string()))?;
        sealer.seal(&plain)?
    };
    Ok((shown.to_string(), sealed))
}

/// Opens stored secrets.
pub(super) fn open_secrets(sealer: &Sealer, sealed: &str) -> DomainResult<Secrets> {
    if sealed.is_empty() {
        return Ok(Secrets::new());
    }
    serde_json::from_str(&sealer.open(sealed)?)
        .map_err(|e| DomainError::Internal(format!("stored secrets: {e}")))
}

/// Checks a new cloud's type, name and settings, without writing.
pub(super) fn check_new(
    new: &NewCloud<'_>,
    kept: &Secrets,
) -> DomainResult<(CloudType, String, config::Checked)> {
    let kind = CloudType::parse(new.cloud_type)?;
    let name = check_name("name", "cloud", new.name)?;
    let checked = config::check(kind, new.config, kept)?;
    Ok((kind, name, checked))
}

/// Creates a cloud and, in the same transaction, its `global` and `management` VRF
/// contexts, its `Default-Group` SE group, the Tenant-Admin policy for the cloud family
/// (when the tenant has none yet) and the audit record. Any failure leaves nothing.
pub async fn create_cloud(
    db: &Db,
    scope: &TenantScope,
    sealer: &Sealer,
    new: NewCloud<'_>,
) -> DomainResult<Cloud> {
    scope.require("CLOUD_CREATE")?;
    let (kind, name, checked) = check_new(&new, &Secrets::new())?;
    let (settings, sealed) = stored_settings(kind, &checked, sealer)?;
    let mut tx = db.begin(scope.wall()).await?;
    let id = insert_cloud(&mut tx, scope, kind, &name, &settings, &sealed).await?;
    tx.commit().await?;
    get_own(db, scope, id).await.map(|d| d.cloud)
}

/// The writes of a cloud's creation, inside the caller's transaction.
pub(super) async fn insert_cloud(
    tx: &mut Tx,
    scope: &TenantScope,
    kind: CloudType,
    name: &str,
    settings: &str,
    sealed: &str,
) -> DomainResult<CloudId> {
    let id = CloudId::new_random();
    let now = now_ms();
    let tenant = scope.tenant_id().as_text();
    let actor = scope.actor_label().to_string();
    sqlx::query(
        "INSERT INTO clouds (tenant_id, id, name, cloud_type, settings, secrets, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(tenant.clone())
    .bind(id.as_text())
    .bind(name.to_string())
    .bind(kind.as_str())
    .bind(settings.to_string())
    .bind(sealed.to_string())
    .bind(now)
    .bind(actor.clone())
    .execute(&mut **tx)
    .await
    .map_err(|e| unique(e, "cloud_exists", format!("A cloud named {name} already exists in this tenant.")))?;
    for (vrf, purpose, description) in [
        (
            GLOBAL_VRF,
            "data",
            "Data-plane traffic (created with the cloud)",
        ),
        (
            MANAGEMENT_VRF,
            "management",
            "Control-plane (management) traffic (created with the cloud)",
        ),
    ] {
        sqlx::query(
            "INSERT INTO vrf_contexts (tenant_id, id, cloud_id, name, purpose, description, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(tenant.clone())
        .bind(VrfId::new_random().as_text())
        .bind(id.as_text())
        .bind(vrf)
        .bind(purpose)
        .bind(description)
        .bind(now)
        .bind(actor.clone())
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query(
        "INSERT INTO se_groups (tenant_id, id, cloud_id, name, ha_mode, max_ses, description, created_at, created_by) \
         VALUES ($1, $2, $3, $4, 'shared', $5, $6, $7, $8)",
    )
    .bind(tenant.clone())
    .bind(SeGroupId::new_random().as_text())
    .bind(id.as_text())
    .bind(DEFAULT_SE_GROUP)
    .bind(DEFAULT_MAX_SES)
    .bind("The cloud's first SE group (created with the cloud)")
    .bind(now)
    .bind(actor)
    .execute(&mut **tx)
    .await?;
    crate::iam::ensure_policy(
        tx,
        scope,
        CLOUD_ADMIN_POLICY,
        CLOUD_ADMIN_POLICY_TEXT,
        "Lets the Tenant-Admin role manage tenant-scoped clouds (created with the first cloud).",
    )
    .await?;
    audit::record(
        tx,
        scope,
        "cloud.create",
        name,
        None,
        Some(format!(
            "{} cloud {settings}; VRF contexts {GLOBAL_VRF}, {MANAGEMENT_VRF}; SE group {DEFAULT_SE_GROUP}",
            kind.label()
        )),
    )
    .await?;
    Ok(id)
}

/// This tenant's clouds by name; `q` matches part of a name. The cursor is the last name.
pub async fn list_clouds(
    db: &Db,
    scope: &TenantScope,
    q: &str,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> DomainResult<Page<Cloud>> {
    scope.require("CLOUD_READ")?;
    let limit = clamp_limit(limit);
    let rows = sqlx::query(&format!(
        "SELECT {CLOUD_COLUMNS} FROM clouds c WHERE c.tenant_id = $1 AND c.name > $2 \
         AND c.name LIKE $3 ESCAPE '\\' ORDER BY c.name LIMIT $4"
    ))
    .bind(scope.tenant_id().as_text())
    .bind(cursor.unwrap_or("").to_string())
    .bind(like_pattern(q))
    .bind(limit + 1)
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?;
    let items = rows
        .iter()
        .map(|r| cloud_from_row(r, false))
        .collect::<DomainResult<Vec<_>>>()?;
    let total: i64 = sqlx::query_scalar(&capped_count_sql(
        "SELECT 1 FROM clouds c WHERE c.tenant_id = $1 AND c.name LIKE $2 ESCAPE '\\'",
    ))
    .bind(scope.tenant_id().as_text())
    .bind(like_pattern(q))
    .fetch_one(&mut *db.read(scope.wall()).await?)
    .await?;
    Ok(Page::from_overfetch(items, limit, |c| c.name.clone()).with_total(total))
}

/// A cloud of this tenant with its objects; with provider mode, also a cloud of the
/// admin tenant (read-only). Anything else is not found.
pub async fn get_cloud(db: &Db, scope: &TenantScope, id: CloudId) -> DomainResult<CloudDetail> {
    scope.require("CLOUD_READ")?;
    let mut d = match get_own(db, scope, id).await {
        Err(DomainError::NotFound(_)) => provider::provider_cloud(db, scope, id).await,
        other => other,
    }?;
    // The objects inside show only to whoever may read their kind.
    if !scope.allows("VRF_CONTEXT_READ") {
        d.vrf_contexts.clear();
    }
    if !scope.allows("SE_GROUP_READ") {
        d.se_groups.clear();
    }
    if !scope.allows("SERVICE_ENGINE_READ") {
        d.service_engines.clear();
    }
    Ok(d)
}

/// A cloud of this tenant only (every change starts here).
pub(super) async fn get_own(
    db: &Db,
    scope: &TenantScope,
    id: CloudId,
) -> DomainResult<CloudDetail> {
    load_detail(db, &scope.tenant_id().as_text(), id, false, true).await
}

/// Reads a cloud and its objects in `tenant` (the scope's own, or the admin tenant for
/// provider mode, which only [`provider`] asks for).
pub(super) async fn load_detail(
    db: &Db,
    tenant: &str,
    id: CloudId,
    provider: bool,
    with_ses: bool,
) -> DomainResult<CloudDetail> {
    let row = sqlx::query(&format!(
        "SELECT {CLOUD_COLUMNS} FROM clouds c WHERE c.tenant_id = $1 AND c.id = $2"
    ))
    .bind(tenant.to_string())
    .bind(id.as_text())
    .fetch_optional(&mut *db.read(Wall::Platform).await?)
    .await?
    .ok_or(DomainError::NotFound("cloud"))?;
    let cloud = cloud_from_row(&row, provider)?;
    let vrf_contexts = sqlx::query(&format!(
        "SELECT {VRF_COLUMNS} FROM vrf_contexts v WHERE v.tenant_id = $1 AND v.cloud_id = $2 ORDER BY v.name"
    ))
    .bind(tenant.to_string())
    .bind(id.as_text())
    .fetch_all(&mut *db.read(Wall::Platform).await?)
    .await?
    .iter()
    .map(|r| vrf_from_row(r, provider))
    .collect::<DomainResult<Vec<_>>>()?;
    let se_groups = sqlx::query(&format!(
        "SELECT {GROUP_COLUMNS} FROM se_groups g WHERE g.tenant_id = $1 AND g.cloud_id = $2 ORDER BY g.name"
    ))
    .bind(tenant.to_string())
    .bind(id.as_text())
    .fetch_all(&mut *db.read(Wall::Platform).await?)
    .await?
    .iter()
    .map(|r| group_from_row(r, provider))
    .collect::<DomainResult<Vec<_>>>()?;
    let service_engines = if with_ses {
        sqlx::query(&format!(
            "SELECT {SE_COLUMNS} FROM {SE_FROM} WHERE s.tenant_id = $1 AND s.cloud_id = $2 ORDER BY s.name LIMIT 1000"
        ))
        .bind(tenant.to_string())
        .bind(id.as_text())
        .fetch_all(&mut *db.read(Wall::Platform).await?)
        .await?
        .iter()
        .map(|r| se_from_row(r, provider))
        .collect::<DomainResult<Vec<_>>>()?
    } else {
        Vec::new()
    };
    Ok(CloudDetail {
        cloud,
        vrf_contexts,
        se_groups,
        service_engines,
    })
}

/// What a cloud's deletion removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloudDeleted {
    pub name: String,
    pub vrf_contexts: i64,
    pub se_groups: i64,
    pub service_engines: i64,
}

/// Deletes a cloud and everything it holds (VRF contexts, SE groups, Service Engines),
/// in one transaction with its audit record.
pub async fn delete_cloud(db: &Db, scope: &TenantScope, id: CloudId) -> DomainResult<CloudDeleted> {
    scope.require("CLOUD_DELETE")?;
    let tenant = scope.tenant_id().as_text();
    let mut tx = db.begin(scope.wall()).await?;
    let row = sqlx::query(&format!(
        "SELECT {CLOUD_COLUMNS} FROM clouds c WHERE c.tenant_id = $1 AND c.id = $2"
    ))
    .bind(tenant.clone())
    .bind(id.as_text())
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(DomainError::NotFound("cloud"))?;
    let cloud = cloud_from_row(&row, false)?;
    // Children first: the foreign keys cascade too, but explicit deletes do not depend
    // on the database enforcing them.
    for table in ["service_engines", "se_groups", "vrf_contexts"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE tenant_id = $1 AND cloud_id = $2"
        ))
        .bind(tenant.clone())
        .bind(id.as_text())
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("DELETE FROM clouds WHERE tenant_id = $1 AND id = $2")
        .bind(tenant)
        .bind(id.as_text())
        .execute(&mut *tx)
        .await?;
    let gone = CloudDeleted {
        name: cloud.name.clone(),
        vrf_contexts: cloud.vrf_contexts,
        se_groups: cloud.se_groups,
        service_engines: cloud.service_engines,
    };
    audit::record(
        &mut tx,
        scope,
        "cloud.delete",
        &cloud.name,
        Some(format!(
            "{} cloud with {} VRF contexts, {} SE groups, {} Service Engines",
            cloud.cloud_type.label(),
            gone.vrf_contexts,
            gone.se_groups,
            gone.service_engines
        )),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(gone)
}
