//! The objects inside a tenant's cloud: VRF contexts, SE groups and Service Engines.
//! Each change names its cloud, and the cloud must be this tenant's own: a provider
//! cloud is never changed from a tenant.

use super::*;

/// The cloud a change is about, of this tenant (its name and type).
async fn own_cloud(
    tx: &mut Tx,
    scope: &TenantScope,
    id: CloudId,
) -> DomainResult<(String, CloudType)> {
    let (name, kind): (String, String) =
        sqlx::query_as("SELECT name, cloud_type FROM clouds WHERE tenant_id = $1 AND id = $2")
            .bind(scope.tenant_id().as_text())
            .bind(id.as_text())
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(DomainError::NotFound("cloud"))?;
    Ok((name, CloudType::parse(&kind)?))
}

/// Rows of one of this tenant's object tables, of one cloud (`$2`) or of all (`''`).
async fn rows_of<T>(
    db: &Db,
    scope: &TenantScope,
    sql: &str,
    cloud: Option<CloudId>,
    permission: &'static str,
    from_row: fn(&AnyRow, bool) -> DomainResult<T>,
) -> DomainResult<Vec<T>> {
    scope.require(permission)?;
    let rows = sqlx::query(sql)
        .bind(scope.tenant_id().as_text())
        .bind(cloud.map(|c| c.as_text()).unwrap_or_default())
        .fetch_all(&mut *db.read(scope.wall()).await?)
        .await?;
    rows.iter().map(|r| from_row(r, false)).collect()
}

/// One row of this tenant's, by id (`$2`); anything else is not found.
async fn one_of<T>(
    db: &Db,
    scope: &TenantScope,
    sql: &str,
    id: String,
    what: &'static str,
    from_row: fn(&AnyRow, bool) -> DomainResult<T>,
) -> DomainResult<T> {
    let row = sqlx::query(sql)
        .bind(scope.tenant_id().as_text())
        .bind(id)
        .fetch_optional(&mut *db.read(scope.wall()).await?)
        .await?
        .ok_or(DomainError::NotFound(what))?;
    from_row(&row, false)
}

/// Deletes one of this tenant's objects by id, with its audit record, in one transaction.
async fn delete_one(
    db: &Db,
    scope: &TenantScope,
    table: &str,
    id: String,
    action: &str,
    target: &str,
    before: String,
) -> DomainResult<()> {
    let mut tx = db.begin(scope.wall()).await?;
    sqlx::query(&format!(
        "DELETE FROM {table} WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(scope.tenant_id().as_text())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    audit::record(&mut tx, scope, action, target, Some(before), None).await?;
    tx.commit().await?;
    Ok(())
}

fn description(raw: &str) -> DomainResult<String> {
    crate::validate::free_text("description", "A description", raw, 200)
}

// ------------------------------------------------------------------ VRF contexts

/// This tenant's VRF contexts, of one cloud or of all, by cloud then name.
pub async fn list_vrf_contexts(
    db: &Db,
    scope: &TenantScope,
    cloud: Option<CloudId>,
) -> DomainResult<Vec<VrfContext>> {
    let sql = format!(
        "SELECT {VRF_COLUMNS} FROM vrf_contexts v WHERE v.tenant_id = $1 AND ($2 = '' OR v.cloud_id = $2) \
         ORDER BY v.cloud_id, v.name LIMIT 1000"
    );
    rows_of(db, scope, &sql, cloud, "VRF_CONTEXT_READ", vrf_from_row).await
}

pub async fn create_vrf_context(
    db: &Db,
    scope: &TenantScope,
    cloud: CloudId,
    name: &str,
    desc: &str,
) -> DomainResult<VrfContext> {
    scope.require("VRF_CONTEXT_CREATE")?;
    let name = check_name("name", "VRF context", name)?;
    let desc = description(desc)?;
    let mut tx = db.begin(scope.wall()).await?;
    let (cloud_name, _) = own_cloud(&mut tx, scope, cloud).await?;
    let id = VrfId::new_random();
    sqlx::query(
        "INSERT INTO vrf_contexts (tenant_id, id, cloud_id, name, purpose, description, created_at, created_by) \
         VALUES ($1, $2, $3, $4, 'custom', $5, $6, $7)",
    )
    .bind(scope.tenant_id().as_text())
    .bind(id.as_text())
    .bind(cloud.as_text())
    .bind(name.clone())
    .bind(desc.clone())
    .bind(now_ms())
    .bind(scope.actor_label().to_string())
    .execute(&mut *tx)
    .await
    .map_err(|e| unique(e, "vrf_context_exists", format!("Cloud {cloud_name} already has a VRF context named {name}.")))?;
    audit::record(
        &mut tx,
        scope,
        "vrf_context.create",
        &format!("{cloud_name}/{name}"),
        None,
        Some(desc),
    )
    .await?;
    tx.commit().await?;
    get_vrf(db, scope, id).await
}

async fn get_vrf(db: &Db, scope: &TenantScope, id: VrfId) -> DomainResult<VrfContext> {
    let sql =
        format!("SELECT {VRF_COLUMNS} FROM vrf_contexts v WHERE v.tenant_id = $1 AND v.id = $2");
    one_of(db, scope, &sql, id.as_text(), "VRF context", vrf_from_row).await
}

/// Renames a VRF context added by hand and changes its description; the two made with
/// the cloud keep their names (only their description changes).
pub async fn update_vrf_context(
    db: &Db,
    scope: &TenantScope,
    id: VrfId,
    name: &str,
    desc: &str,
) -> DomainResult<VrfContext> {
    scope.require("VRF_CONTEXT_UPDATE")?;
    let desc = description(desc)?;
    let old = get_vrf(db, scope, id).await?;
    let name = if name.trim().is_empty() || old.purpose != "custom" {
        if !name.trim().is_empty() && name.trim() != old.name {
            return Err(DomainError::invalid(
                "name",
                format!(
                    "The {} VRF context was made with the cloud and keeps its name.",
                    old.name
                ),
            ));
        }
        old.name.clone()
    } else {
        check_name("name", "VRF context", name)?
    };
    let mut tx = db.begin(scope.wall()).await?;
    sqlx::query(
        "UPDATE vrf_contexts SET name = $1, description = $2 WHERE tenant_id = $3 AND id = $4",
    )
    .bind(name.clone())
    .bind(desc.clone())
    .bind(scope.tenant_id().as_text())
    .bind(id.as_text())
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        unique(
            e,
            "vrf_context_exists",
            format!("This cloud already has a VRF context named {name}."),
        )
    })?;
    audit::record(
        &mut tx,
        scope,
        "vrf_context.update",
        &name,
        Some(format!("{}: {}", old.name, old.description)),
        Some(format!("{name}: {desc}")),
    )
    .await?;
    tx.commit().await?;
    get_vrf(db, scope, id).await
}

/// Deletes a VRF context added by hand; `global` and `management` stay with their cloud.
pub async fn delete_vrf_context(db: &Db, scope: &TenantScope, id: VrfId) -> DomainResult<()> {
    scope.require("VRF_CONTEXT_DELETE")?;
    let old = get_vrf(db, scope, id).await?;
    if old.purpose != "custom" {
        return Err(DomainError::conflict(
            "vrf_context_required",
            format!("The {} VRF context carries the cloud's {} traffic and is deleted only with the cloud.",
                old.name,
                if old.purpose == "data" { "data-plane" } else { "management" }),
        ));
    }
    delete_one(
        db,
        scope,
        "vrf_contexts",
        id.as_text(),
        "vrf_context.delete",
        &old.name,
        old.description,
    )
    .await
}

// ------------------------------------------------------------------ SE groups

/// What an SE group is made or changed from.
#[derive(Debug, Clone)]
pub struct SeGroupInput<'a> {
    pub name: &'a str,
    pub ha_mode: &'a str,
    pub max_ses: i64,
    pub description: &'a str,
}

fn check_group(input: &SeGroupInput<'_>) -> DomainResult<(String, String, String)> {
    let name = check_name("name", "SE group", input.name)?;
    let ha = input.ha_mode.trim().to_string();
    if !policy::clouds::HA_MODES.iter().any(|(k, _)| *k == ha) {
        return Err(DomainError::invalid(
            "ha_mode",
            "Pick an HA mode: shared, active-active or active-standby.",
        ));
    }
    if !(1..=1000).contains(&input.max_ses) {
        return Err(DomainError::invalid(
            "max_ses",
            "An SE group holds 1 to 1000 Service Engines.",
        ));
    }
    Ok((name, ha, description(input.description)?))
}

/// This tenant's SE groups, of one cloud or of all.
pub async fn list_se_groups(
    db: &Db,
    scope: &TenantScope,
    cloud: Option<CloudId>,
) -> DomainResult<Vec<SeGroup>> {
    let sql = format!(
        "SELECT {GROUP_COLUMNS} FROM se_groups g WHERE g.tenant_id = $1 AND ($2 = '' OR g.cloud_id = $2) \
         ORDER BY g.cloud_id, g.name LIMIT 1000"
    );
    rows_of(db, scope, &sql, cloud, "SE_GROUP_READ", group_from_row).await
}

async fn get_group(db: &Db, scope: &TenantScope, id: SeGroupId) -> DomainResult<SeGroup> {
    let sql =
        format!("SELECT {GROUP_COLUMNS} FROM se_groups g WHERE g.tenant_id = $1 AND g.id = $2");
    one_of(db, scope, &sql, id.as_text(), "SE group", group_from_row).await
}

pub async fn create_se_group(
    db: &Db,
    scope: &TenantScope,
    cloud: CloudId,
    input: SeGroupInput<'_>,
) -> DomainResult<SeGroup> {
    scope.require("SE_GROUP_CREATE")?;
    let (name, ha, desc) = check_group(&input)?;
    let mut tx = db.begin(scope.wall()).await?;
    let (cloud_name, _) = own_cloud(&mut tx, scope, cloud).await?;
    let id = SeGroupId::new_random();
    sqlx::query(
        "INSERT INTO se_groups (tenant_id, id, cloud_id, name, ha_mode, max_ses, description, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(scope.tenant_id().as_text())
    .bind(id.as_text())
    .bind(cloud.as_text())
    .bind(name.clone())
    .bind(ha.clone())
    .bind(input.max_ses)
    .bind(desc)
    .bind(now_ms())
    .bind(scope.actor_label().to_string())
    .execute(&mut *tx)
    .await
    .map_err(|e| unique(e, "se_group_exists", format!("Cloud {cloud_name} already has an SE group named {name}.")))?;
    audit::record(
        &mut tx,
        scope,
        "se_group.create",
        &format!("{cloud_name}/{name}"),
        None,
        Some(format!("{ha}, at most {} Service Engines", input.max_ses)),
    )
    .await?;
    tx.commit().await?;
    get_group(db, scope, id).await
}

/// Changes an SE group. It may not shrink below the Service Engines it holds, and
/// `Default-Group` keeps its name.
pub async fn update_se_group(
    db: &Db,
    scope: &TenantScope,
    id: SeGroupId,
    input: SeGroupInput<'_>,
) -> DomainResult<SeGroup> {
    scope.require("SE_GROUP_UPDATE")?;
    let (name, ha, desc) = check_group(&input)?;
    let old = get_group(db, scope, id).await?;
    if old.name == DEFAULT_SE_GROUP && name != old.name {
        return Err(DomainError::invalid(
            "name",
            format!("{DEFAULT_SE_GROUP} was made with the cloud and keeps its name."),
        ));
    }
    if input.max_ses < old.service_engines {
        return Err(DomainError::invalid(
            "max_ses",
            format!(
                "{} holds {} Service Engines now; remove some first or allow at least that many.",
                old.name, old.service_engines
            ),
        ));
    }
    let mut tx = db.begin(scope.wall()).await?;
    sqlx::query(
        "UPDATE se_groups SET name = $1, ha_mode = $2, max_ses = $3, description = $4 WHERE tenant_id = $5 AND id = $6",
    )
    .bind(name.clone())
    .bind(ha.clone())
    .bind(input.max_ses)
    .bind(desc)
    .bind(scope.tenant_id().as_text())
    .bind(id.as_text())
    .execute(&mut *tx)
    .await
    .map_err(|e| unique(e, "se_group_exists", format!("This cloud already has an SE group named {name}.")))?;
    audit::record(
        &mut tx,
        scope,
        "se_group.update",
        &name,
        Some(format!(
            "{}: {}, at most {}",
            old.name, old.ha_mode, old.max_ses
        )),
        Some(format!("{name}: {ha}, at most {}", input.max_ses)),
    )
    .await?;
    tx.commit().await?;
    get_group(db, scope, id).await
}

/// Deletes an empty SE group other than `Default-Group`.
pub async fn delete_se_group(db: &Db, scope: &TenantScope, id: SeGroupId) -> DomainResult<()> {
    scope.require("SE_GROUP_DELETE")?;
    let old = get_group(db, scope, id).await?;
    if old.name == DEFAULT_SE_GROUP {
        return Err(DomainError::conflict(
            "se_group_required",
            format!("{DEFAULT_SE_GROUP} is the cloud's first SE group and is deleted only with the cloud."),
        ));
    }
    if old.service_engines > 0 {
        return Err(DomainError::conflict(
            "se_group_in_use",
            format!(
                "{} still holds {} Service Engines; remove them first.",
                old.name, old.service_engines
            ),
        ));
    }
    let before = format!("{}, at most {}", old.ha_mode, old.max_ses);
    delete_one(
        db,
        scope,
        "se_groups",
        id.as_text(),
        "se_group.delete",
        &old.name,
        before,
    )
    .await
}

// ------------------------------------------------------------------ Service Engines

/// This tenant's Service Engines, of one cloud or of all.
pub async fn list_service_engines(
    db: &Db,
    scope: &TenantScope,
    cloud: Option<CloudId>,
) -> DomainResult<Vec<ServiceEngine>> {
    let sql = format!(
        "SELECT {SE_COLUMNS} FROM {SE_FROM} WHERE s.tenant_id = $1 AND ($2 = '' OR s.cloud_id = $2) \
         ORDER BY s.cloud_id, s.name LIMIT 1000"
    );
    rows_of(db, scope, &sql, cloud, "SERVICE_ENGINE_READ", se_from_row).await
}

/// What a Service Engine added by hand is made from.
#[derive(Debug, Clone)]
pub struct NewServiceEngine<'a> {
    pub name: &'a str,
    pub mgmt_ip: &'a str,
    pub se_group_id: SeGroupId,
}

/// Adds a Service Engine by hand to an SE group of a No-Orchestrator or Linux Server
/// cloud (AWS and Azure clouds create theirs). On a Linux Server cloud the address must
/// be one of the cloud's hosts; the group must have room.
pub async fn add_service_engine(
    db: &Db,
    scope: &TenantScope,
    new: NewServiceEngine<'_>,
) -> DomainResult<ServiceEngine> {
    scope.require("SERVICE_ENGINE_CREATE")?;
    let name = check_name("name", "Service Engine", new.name)?;
    let ip: std::net::IpAddr = new.mgmt_ip.trim().parse().map_err(|_| {
        DomainError::invalid(
            "mgmt_ip",
            format!("`{}` is not an IP address.", new.mgmt_ip.trim()),
        )
    })?;
    let group = get_group(db, scope, new.se_group_id).await?;
    let mut tx = db.begin(scope.wall()).await?;
    let (cloud_name, kind) = own_cloud(&mut tx, scope, group.cloud_id).await?;
    if !kind.manual_service_engines() {
        return Err(DomainError::Refused {
            code: "service_engines_managed_by_cloud",
            field: "se_group_id",
            message: format!(
                "{cloud_name} is a {} cloud: its orchestrator creates and removes Service Engines. Only No-Orchestrator and Linux Server clouds take them by hand.",
                kind.label()
            ),
        });
    }
    if kind == CloudType::LinuxServer {
        let settings: String =
            sqlx::query_scalar("SELECT settings FROM clouds WHERE tenant_id = $1 AND id = $2")
                .bind(scope.tenant_id().as_text())
                .bind(group.cloud_id.as_text())
                .fetch_one(&mut *tx)
                .await?;
        let hosts: Value = serde_json::from_str(&settings)
            .map_err(|e| DomainError::Internal(format!("stored cloud settings: {e}")))?;
        let listed = hosts["hosts"].as_array().is_some_and(|a| {
            a.iter()
                .any(|h| h["ip"].as_str() == Some(ip.to_string().as_str()))
        });
        if !listed {
            return Err(DomainError::invalid(
                "mgmt_ip",
                format!("{ip} is not one of {cloud_name}'s hosts; a Linux Server cloud runs Service Engines only on its hosts."),
            ));
        }
    }
    let held: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM service_engines WHERE tenant_id = $1 AND se_group_id = $2",
    )
    .bind(scope.tenant_id().as_text())
    .bind(group.id.as_text())
    .fetch_one(&mut *tx)
    .await?;
    if held >= group.max_ses {
        return Err(DomainError::conflict(
            "se_group_full",
            format!(
                "{} already holds its maximum of {} Service Engines.",
                group.name, group.max_ses
            ),
        ));
    }
    let id = ServiceEngineId::new_random();
    sqlx::query(
        "INSERT INTO service_engines (tenant_id, id, cloud_id, se_group_id, name, mgmt_ip, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(scope.tenant_id().as_text())
    .bind(id.as_text())
    .bind(group.cloud_id.as_text())
    .bind(group.id.as_text())
    .bind(name.clone())
    .bind(ip.to_string())
    .bind(now_ms())
    .bind(scope.actor_label().to_string())
    .execute(&mut *tx)
    .await
    .map_err(|e| unique(e, "service_engine_exists", format!("Cloud {cloud_name} already has a Service Engine named {name} or at {ip}.")))?;
    audit::record(
        &mut tx,
        scope,
        "service_engine.add",
        &format!("{cloud_name}/{name}"),
        None,
        Some(format!("{ip} in {}", group.name)),
    )
    .await?;
    tx.commit().await?;
    let sql = format!("SELECT {SE_COLUMNS} FROM {SE_FROM} WHERE s.tenant_id = $1 AND s.id = $2");
    one_of(db, scope, &sql, id.as_text(), "Service Engine", se_from_row).await
}

pub async fn remove_service_engine(
    db: &Db,
    scope: &TenantScope,
    id: ServiceEngineId,
) -> DomainResult<()> {
    scope.require("SERVICE_ENGINE_DELETE")?;
    let sql = format!("SELECT {SE_COLUMNS} FROM {SE_FROM} WHERE s.tenant_id = $1 AND s.id = $2");
    let se = one_of(db, scope, &sql, id.as_text(), "Service Engine", se_from_row).await?;
    let before = format!("{} in {}", se.mgmt_ip, se.se_group_name);
    delete_one(
        db,
        scope,
        "service_engines",
        id.as_text(),
        "service_engine.remove",
        &se.name,
        before,
    )
    .await
}
