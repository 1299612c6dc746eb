//! NCS network policies: validation against what exists, save, list, delete.

use super::*;
use crate::db::Wall;

pub(super) fn policy_from_row(row: &AnyRow) -> DomainResult<StoredPolicy> {
    let action: String = row.try_get("action")?;
    Ok(StoredPolicy {
        policy: NcsPolicy {
            name: row.try_get("name")?,
            workspace_label: row.try_get("workspace_label")?,
            tenant_id: row.try_get("dest_tenant_id")?,
            service_name: row.try_get("service_name")?,
            action: NetAction::parse(&action)
                .ok_or_else(|| DomainError::Internal(format!("bad stored action {action}")))?,
        },
        yaml: row.try_get("yaml")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        updated_at: row.try_get("updated_at")?,
        updated_by: row.try_get("updated_by")?,
    })
}

pub(super) const POLICY_COLUMNS: &str = "name, yaml, workspace_label, dest_tenant_id, service_name, action, created_at, created_by, updated_at, updated_by";

/// This tenant's policies by name; `q` matches part of a name. The cursor is the last name.
pub async fn list_policies(
    db: &Db,
    scope: &TenantScope,
    q: &str,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> DomainResult<Page<StoredPolicy>> {
    scope.require("NETWORK_POLICY_READ")?;
    let limit = clamp_limit(limit);
    let rows = sqlx::query(&format!(
        "SELECT {POLICY_COLUMNS} FROM network_policies WHERE tenant_id = $1 AND name > $2 AND name LIKE $3 ESCAPE '\\' ORDER BY name LIMIT $4"
    ))
    .bind(scope.tenant_id().as_text())
    .bind(cursor.unwrap_or("").to_string())
    .bind(like_pattern(q))
    .bind(limit + 1)
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?;
    let items = rows
        .iter()
        .map(policy_from_row)
        .collect::<DomainResult<Vec<_>>>()?;
    let total: i64 = sqlx::query_scalar(&capped_count_sql(
        "SELECT 1 FROM network_policies WHERE tenant_id = $1 AND name LIKE $2 ESCAPE '\\'",
    ))
    .bind(scope.tenant_id().as_text())
    .bind(like_pattern(q))
    .fetch_one(&mut *db.read(scope.wall()).await?)
    .await?;
    Ok(Page::from_overfetch(items, limit, |p| p.policy.name.clone()).with_total(total))
}

pub async fn get_policy(db: &Db, scope: &TenantScope, name: &str) -> DomainResult<StoredPolicy> {
    scope.require("NETWORK_POLICY_READ")?;
    let row = sqlx::query(&format!(
        "SELECT {POLICY_COLUMNS} FROM network_policies WHERE tenant_id = $1 AND name = $2"
    ))
    .bind(scope.tenant_id().as_text())
    .bind(name.to_string())
    .fetch_optional(&mut *db.read(scope.wall()).await?)
    .await?
    .ok_or(DomainError::NotFound("network policy"))?;
    policy_from_row(&row)
}

/// Checks a document: its shape (policy crate), then what only the database knows: the
/// destination tenant must be actively connected, and must offer the service. Every
/// issue names its line.
pub async fn validate_policy(
    db: &Db,
    scope: &TenantScope,
    yaml: &str,
) -> DomainResult<ncs::Parsed> {
    scope.require("NETWORK_POLICY_READ")?;
    let parsed = ncs::parse(yaml).map_err(DomainError::InvalidDocument)?;
    let p = &parsed.policy;
    let at = parsed.at;
    let peers = active_peers(db, scope).await?;
    let peer = peers
        .iter()
        .find(|(id, _, _)| id.as_text() == p.tenant_id.to_ascii_lowercase());
    let Some((remote, remote_name, _)) = peer else {
        let by_name = peers.iter().find(|(_, name, _)| *name == p.tenant_id);
        let revoked = match TenantId::parse(&p.tenant_id) {
            Some(id) => link_with(db, scope, id).await?.0 == Link::Revoked,
            None => false,
        };
        let why = match by_name {
            Some((id, name, _)) => format!(
                "`tenantID` takes the tenant's id, not its name: use \"{id}\" for {name}."
            ),
            None if revoked => format!(
                "The connection with tenant {} was revoked; a policy needs an active connection.",
                p.tenant_id
            ),
            None => format!(
                "This tenant has no active connection with tenant `{}`. Connect first (Cross-Tenant Connections), then write the policy.",
                p.tenant_id
            ),
        };
        return Err(DomainError::InvalidDocument(vec![at.tenant_id.issue(why)]));
    };
    if !remote_service_exists(db, *remote, &p.service_name).await? {
        // Name a few that do exist: the likely fix is a typo.
        let offered: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM services WHERE tenant_id = $1 ORDER BY name LIMIT 6",
        )
        .bind(remote.as_text())
        .fetch_all(&mut *db.read(Wall::Tenant(*remote)).await?)
        .await?;
        let hint = match offered.len() {
            0 => " It offers none yet.".to_string(),
            1..=5 => format!(" It offers: {}.", offered.join(", ")),
            _ => format!(" It offers: {}, …", offered[..5].join(", ")),
        };
        return Err(DomainError::InvalidDocument(vec![at.service_name.issue(
            format!(
                "Tenant {remote_name} offers no service named `{}`.{hint}",
                p.service_name
            ),
        )]));
    }
    let mut parsed = parsed;
    // Store the canonical lowercase id, whatever case the author used.
    parsed.policy.tenant_id = remote.as_text();
    Ok(parsed)
}

/// How a save treats an existing policy of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveMode {
    /// `POST`: the name must be new.
    Create,
    /// `PUT /{name}`: create or replace, and the document must keep that name.
    Put,
    /// The editor's save of policy `name`: it must exist and keep its name.
    Update,
}

/// Validates and stores a policy. Bad documents change nothing and answer every issue
/// with its line.
pub async fn save_policy(
    db: &Db,
    scope: &TenantScope,
    yaml: &str,
    mode: SaveMode,
    path_name: Option<&str>,
) -> DomainResult<StoredPolicy> {
    // Creating needs NETWORK_POLICY_CREATE and changing NETWORK_POLICY_UPDATE (checked
    // below, once it is known which); someone with neither is refused first.
    if !scope.allows("NETWORK_POLICY_CREATE") {
        scope.require("NETWORK_POLICY_UPDATE")?;
    }
    let parsed = validate_policy(db, scope, yaml).await?;
    let p = parsed.policy;
    if let Some(expected) = path_name {
        if expected != p.name {
            return Err(DomainError::InvalidDocument(vec![parsed.at.name.issue(format!(
                "`metadata.name` is `{}` but this is policy `{expected}`; a policy cannot be renamed, create a new one instead.",
                p.name
            ))]));
        }
    }
    let now = now_ms();
    let actor = scope.actor_label().to_string();
    let tenant = scope.tenant_id().as_text();
    let mut tx = db.begin(scope.wall()).await?;
    let before: Option<String> =
        sqlx::query_scalar("SELECT yaml FROM network_policies WHERE tenant_id = $1 AND name = $2")
            .bind(tenant.clone())
            .bind(p.name.clone())
            .fetch_optional(&mut *tx)
            .await?;
    match (mode, &before) {
        (SaveMode::Create, Some(_)) => {
            return Err(DomainError::conflict(
                "policy_exists",
                format!(
                    "A network policy named {} already exists. Edit it instead.",
                    p.name
                ),
            ))
        }
        (SaveMode::Update, None) => return Err(DomainError::NotFound("network policy")),
        (_, None) => scope.require("NETWORK_POLICY_CREATE")?,
        _ => scope.require("NETWORK_POLICY_UPDATE")?,
    }
    if before.is_some() {
        sqlx::query(
            "UPDATE network_policies SET yaml = $1, workspace_label = $2, dest_tenant_id = $3, service_name = $4, action = $5, \
             updated_at = $6, updated_by = $7 WHERE tenant_id = $8 AND name = $9",
        )
        .bind(yaml.to_string())
        .bind(p.workspace_label.clone())
        .bind(p.tenant_id.clone())
        .bind(p.service_name.clone())
        .bind(p.action.as_str())
        .bind(now)
        .bind(actor.clone())
        .bind(tenant.clone())
        .bind(p.name.clone())
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query(&format!(
            "INSERT INTO network_policies ({POLICY_COLUMNS}, tenant_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $8, $9)"
        ))
        .bind(p.name.clone())
        .bind(yaml.to_string())
        .bind(p.workspace_label.clone())
        .bind(p.tenant_id.clone())
        .bind(p.service_name.clone())
        .bind(p.action.as_str())
        .bind(now)
        .bind(actor.clone())
        .bind(tenant.clone())
        .execute(&mut *tx)
        .await
        .map_err(|e| unique(e, "policy_exists", format!("A network policy named {} already exists.", p.name)))?;
    }
    let action = if before.is_some() {
        "network_policy.update"
    } else {
        "network_policy.create"
    };
    audit::record(
        &mut tx,
        scope,
        action,
        &p.name,
        before,
        Some(yaml.to_string()),
    )
    .await?;
    tx.commit().await?;
    get_policy(db, scope, &p.name).await
}

pub async fn delete_policy(db: &Db, scope: &TenantScope, name: &str) -> DomainResult<()> {
    scope.require("NETWORK_POLICY_DELETE")?;
    let mut tx = db.begin(scope.wall()).await?;
    let before: Option<String> =
        sqlx::query_scalar("SELECT yaml FROM network_policies WHERE tenant_id = $1 AND name = $2")
            .bind(scope.tenant_id().as_text())
            .bind(name.to_string())
            .fetch_optional(&mut *tx)
            .await?;
    let before = before.ok_or(DomainError::NotFound("network policy"))?;
    sqlx::query("DELETE FROM network_policies WHERE tenant_id = $1 AND name = $2")
        .bind(scope.tenant_id().as_text())
        .bind(name.to_string())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        scope,
        "network_policy.delete",
        name,
        Some(before),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
