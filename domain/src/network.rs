//! NCS networking inside a tenant (seed 000): workspaces and their labels, services,
//! network policies (`NCSPolicy`), and the connectivity check.
//!
//! Two reads here cross to another tenant, and only along an *active* connection, which
//! is the two-sided agreement: the services a connected tenant offers (for DNS names,
//! policy validation and the check), and the allow policies the other side of a
//! connection wrote toward this tenant (for the connection's status). Both are confined
//! to this module and the connections module.

use crate::ids::{col_id, TenantId};
use crate::model::{capped_count_sql, clamp_limit, Page};
use crate::validate::like_pattern;
use crate::{audit, now_ms, Db, DomainError, DomainResult, TenantScope};
use policy::ncs::{self, Link, NcsPolicy, NetAction, Question, Verdict};
use policy::Action;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;
use std::collections::HashMap;

/// The DNS suffix of cross-tenant service names unless configured otherwise.
pub const DEFAULT_DNS_SUFFIX: &str = "aether.internal";
/// Labels one workspace may carry.
pub const MAX_LABELS: usize = 20;
/// Protocols a service may speak.
pub const PROTOCOLS: [&str; 5] = ["tcp", "udp", "http", "https", "grpc"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workspace {
    pub id: String,
    pub name: String,
    pub labels: Vec<String>,
    pub created_at: i64,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub port: i64,
    pub protocol: String,
    pub created_at: i64,
    pub created_by: String,
}

/// A service of a connected tenant, as this tenant reaches it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteService {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub connection_id: String,
    pub name: String,
    pub port: i64,
    pub protocol: String,
    /// `<service>.<tenant-id>.<suffix>`.
    pub dns_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPolicy {
    pub policy: NcsPolicy,
    /// The document as its author wrote it.
    pub yaml: String,
    pub created_at: i64,
    pub created_by: String,
    pub updated_at: i64,
    pub updated_by: String,
}

/// A workspace name: a DNS label, like service names.
fn check_name(what: &'static str, field: &'static str, raw: &str) -> DomainResult<String> {
    let name = raw.trim().to_string();
    ncs::check_dns_label(what, &name).map_err(|why| DomainError::invalid(field, why))?;
    Ok(name)
}

/// Splits `a, b c` into distinct labels, each checked.
pub fn parse_labels(raw: &str) -> DomainResult<Vec<String>> {
    let mut labels: Vec<String> = raw
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    check_labels(&mut labels)?;
    Ok(labels)
}

fn check_labels(labels: &mut Vec<String>) -> DomainResult<()> {
    for l in labels.iter_mut() {
        *l = l.trim().to_string();
        ncs::check_label(l).map_err(|why| DomainError::invalid("labels", why))?;
    }
    labels.sort();
    labels.dedup();
    if labels.len() > MAX_LABELS {
        return Err(DomainError::invalid(
            "labels",
            format!("A workspace carries at most {MAX_LABELS} labels."),
        ));
    }
    Ok(())
}

fn unique(e: sqlx::Error, code: &'static str, message: String) -> DomainError {
    if crate::error::is_unique_violation(&e) {
        DomainError::conflict(code, message)
    } else {
        e.into()
    }
}

// ---------------------------------------------------------------- workspaces

pub async fn create_workspace(
    db: &Db,
    scope: &TenantScope,
    name: &str,
    mut labels: Vec<String>,
) -> DomainResult<Workspace> {
    scope.require(Action::Manage)?;
    let name = check_name("workspace name", "name", name)?;
    check_labels(&mut labels)?;
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    let tenant = scope.tenant_id().as_text();
    let mut tx = db.begin().await?;
    sqlx::query("INSERT INTO workspaces (tenant_id, id, name, created_at, created_by) VALUES ($1, $2, $3, $4, $5)")
        .bind(tenant.clone())
        .bind(id.clone())
        .bind(name.clone())
        .bind(now)
        .bind(scope.actor_label().to_string())
        .execute(&mut *tx)
        .await
        .map_err(|e| unique(e, "workspace_exists", format!("A workspace named {name} already exists.")))?;
    insert_labels(&mut tx, &tenant, &id, &labels).await?;
    audit::record(
        &mut tx,
        scope,
        "workspace.create",
        &name,
        None,
        Some(format!("labels: {}", labels.join(", "))),
    )
    .await?;
    tx.commit().await?;
    Ok(Workspace {
        id,
        name,
        labels,
        created_at: now,
        created_by: scope.actor_label().to_string(),
    })
}

/// Writes a workspace's labels (inside the caller's transaction).
async fn insert_labels(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    tenant: &str,
    workspace: &str,
    labels: &[String],
) -> DomainResult<()> {
    for l in labels {
        sqlx::query(
            "INSERT INTO workspace_labels (tenant_id, workspace_id, label) VALUES ($1, $2, $3)",
        )
        .bind(tenant.to_string())
        .bind(workspace.to_string())
        .bind(l.clone())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Replaces a workspace's labels. Its name stays.
pub async fn update_workspace(
    db: &Db,
    scope: &TenantScope,
    id: &str,
    mut labels: Vec<String>,
) -> DomainResult<Workspace> {
    scope.require(Action::Manage)?;
    check_labels(&mut labels)?;
    let tenant = scope.tenant_id().as_text();
    let mut tx = db.begin().await?;
    let row = sqlx::query(
        "SELECT id, name, created_at, created_by FROM workspaces WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.clone())
    .bind(id.to_string())
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(DomainError::NotFound("workspace"))?;
    let name: String = row.try_get("name")?;
    let old: Vec<String> = sqlx::query_scalar(
        "SELECT label FROM workspace_labels WHERE tenant_id = $1 AND workspace_id = $2 ORDER BY label",
    )
    .bind(tenant.clone())
    .bind(id.to_string())
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM workspace_labels WHERE tenant_id = $1 AND workspace_id = $2")
        .bind(tenant.clone())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    insert_labels(&mut tx, &tenant, id, &labels).await?;
    audit::record(
        &mut tx,
        scope,
        "workspace.update",
        &name,
        Some(format!("labels: {}", old.join(", "))),
        Some(format!("labels: {}", labels.join(", "))),
    )
    .await?;
    tx.commit().await?;
    Ok(Workspace {
        id: id.to_string(),
        name,
        labels,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

/// Workspaces by name; `q` matches a name or a label. The cursor is the last name.
pub async fn list_workspaces(
    db: &Db,
    scope: &TenantScope,
    q: &str,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> DomainResult<Page<Workspace>> {
    scope.require(Action::View)?;
    let limit = clamp_limit(limit);
    let pattern = like_pattern(q);
    let tenant = scope.tenant_id().as_text();
    let rows = sqlx::query(
        "SELECT w.id, w.name, w.created_at, w.created_by FROM workspaces w WHERE w.tenant_id = $1 AND w.name > $2 \
         AND (w.name LIKE $3 ESCAPE '\\' OR EXISTS (SELECT 1 FROM workspace_labels l WHERE l.tenant_id = w.tenant_id AND l.workspace_id = w.id AND l.label LIKE $3 ESCAPE '\\')) \
         ORDER BY w.name LIMIT $4",
    )
    .bind(tenant.clone())
    .bind(cursor.unwrap_or("").to_string())
    .bind(pattern)
    .bind(limit + 1)
    .fetch_all(db.pool())
    .await?;
    // The labels of the whole page in one query: the page is a name range.
    let mut labels: HashMap<String, Vec<String>> = HashMap::new();
    if let Some(last) = rows.last() {
        let last: String = last.try_get("name")?;
        let label_rows = sqlx::query(
            "SELECT l.workspace_id, l.label FROM workspace_labels l JOIN workspaces w \
             ON w.tenant_id = l.tenant_id AND w.id = l.workspace_id \
             WHERE w.tenant_id = $1 AND w.name > $2 AND w.name <= $3 ORDER BY l.label",
        )
        .bind(tenant)
        .bind(cursor.unwrap_or("").to_string())
        .bind(last)
        .fetch_all(db.pool())
        .await?;
        for r in &label_rows {
            labels
                .entry(r.try_get("workspace_id")?)
                .or_default()
                .push(r.try_get("label")?);
        }
    }
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: String = row.try_get("id")?;
        items.push(Workspace {
            labels: labels.remove(&id).unwrap_or_default(),
            id,
            name: row.try_get("name")?,
            created_at: row.try_get("created_at")?,
            created_by: row.try_get("created_by")?,
        });
    }
    let total: i64 = sqlx::query_scalar(&capped_count_sql(
        "SELECT 1 FROM workspaces w WHERE w.tenant_id = $1 \
         AND (w.name LIKE $2 ESCAPE '\\' OR EXISTS (SELECT 1 FROM workspace_labels l WHERE l.tenant_id = w.tenant_id AND l.workspace_id = w.id AND l.label LIKE $2 ESCAPE '\\'))",
    ))
    .bind(scope.tenant_id().as_text())
    .bind(like_pattern(q))
    .fetch_one(db.pool())
    .await?;
    Ok(Page::from_overfetch(items, limit, |w| w.name.clone()).with_total(total))
}

/// Every label in use in this tenant (for pickers), alphabetically.
pub async fn workspace_labels(db: &Db, scope: &TenantScope) -> DomainResult<Vec<String>> {
    scope.require(Action::View)?;
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT label FROM workspace_labels WHERE tenant_id = $1 ORDER BY label LIMIT 500",
    )
    .bind(scope.tenant_id().as_text())
    .fetch_all(db.pool())
    .await?)
}

pub async fn delete_workspace(db: &Db, scope: &TenantScope, id: &str) -> DomainResult<()> {
    scope.require(Action::Manage)?;
    let mut tx = db.begin().await?;
    let name: Option<String> =
        sqlx::query_scalar("SELECT name FROM workspaces WHERE tenant_id = $1 AND id = $2")
            .bind(scope.tenant_id().as_text())
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
    let name = name.ok_or(DomainError::NotFound("workspace"))?;
    // Its labels go with it (ON DELETE CASCADE).
    sqlx::query("DELETE FROM workspaces WHERE tenant_id = $1 AND id = $2")
        .bind(scope.tenant_id().as_text())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        scope,
        "workspace.delete",
        &name,
        Some(name.clone()),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- services

fn service_from_row(row: &AnyRow) -> DomainResult<Service> {
    Ok(Service {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        port: row.try_get("port")?,
        protocol: row.try_get("protocol")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

/// A service's port (1 to 65535) and protocol (lowercased).
fn check_endpoint(port: i64, protocol: &str) -> DomainResult<String> {
    if !(1..=65535).contains(&port) {
        return Err(DomainError::invalid(
            "port",
            "The port is a number from 1 to 65535.",
        ));
    }
    let protocol = protocol.trim().to_ascii_lowercase();
    if !PROTOCOLS.contains(&protocol.as_str()) {
        return Err(DomainError::invalid(
            "protocol",
            "The protocol is one of TCP, UDP, HTTP, HTTPS or gRPC.",
        ));
    }
    Ok(protocol)
}

pub async fn create_service(
    db: &Db,
    scope: &TenantScope,
    name: &str,
    port: i64,
    protocol: &str,
) -> DomainResult<Service> {
    scope.require(Action::Manage)?;
    let name = check_name("service name", "name", name)?;
    let protocol = check_endpoint(port, protocol)?;
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    let mut tx = db.begin().await?;
    sqlx::query("INSERT INTO services (tenant_id, id, name, port, protocol, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(scope.tenant_id().as_text())
        .bind(id.clone())
        .bind(name.clone())
        .bind(port)
        .bind(protocol.clone())
        .bind(now)
        .bind(scope.actor_label().to_string())
        .execute(&mut *tx)
        .await
        .map_err(|e| unique(e, "service_exists", format!("A service named {name} already exists.")))?;
    audit::record(
        &mut tx,
        scope,
        "service.create",
        &name,
        None,
        Some(format!("{protocol}/{port}")),
    )
    .await?;
    tx.commit().await?;
    Ok(Service {
        id,
        name,
        port,
        protocol,
        created_at: now,
        created_by: scope.actor_label().to_string(),
    })
}

/// Services by name; `q` matches part of the name. The cursor is the last name.
pub async fn list_services(
    db: &Db,
    scope: &TenantScope,
    q: &str,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> DomainResult<Page<Service>> {
    scope.require(Action::View)?;
    let limit = clamp_limit(limit);
    let rows = sqlx::query(
        "SELECT id, name, port, protocol, created_at, created_by FROM services \
         WHERE tenant_id = $1 AND name > $2 AND name LIKE $3 ESCAPE '\\' ORDER BY name LIMIT $4",
    )
    .bind(scope.tenant_id().as_text())
    .bind(cursor.unwrap_or("").to_string())
    .bind(like_pattern(q))
    .bind(limit + 1)
    .fetch_all(db.pool())
    .await?;
    let items = rows
        .iter()
        .map(service_from_row)
        .collect::<DomainResult<Vec<_>>>()?;
    let total: i64 = sqlx::query_scalar(&capped_count_sql(
        "SELECT 1 FROM services WHERE tenant_id = $1 AND name LIKE $2 ESCAPE '\\'",
    ))
    .bind(scope.tenant_id().as_text())
    .bind(like_pattern(q))
    .fetch_one(db.pool())
    .await?;
    Ok(Page::from_overfetch(items, limit, |s| s.name.clone()).with_total(total))
}

/// One of the scope's services, read inside the caller's transaction (another
/// tenant's is not found).
async fn service_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    scope: &TenantScope,
    id: &str,
) -> DomainResult<Service> {
    let row = sqlx::query(
        "SELECT id, name, port, protocol, created_at, created_by FROM services WHERE tenant_id = $1 AND id = $2",
    )
    .bind(scope.tenant_id().as_text())
    .bind(id.to_string())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(DomainError::NotFound("service"))?;
    service_from_row(&row)
}

/// Changes a service's port and protocol. Its name, and so its DNS name, stays.
pub async fn update_service(
    db: &Db,
    scope: &TenantScope,
    id: &str,
    port: i64,
    protocol: &str,
) -> DomainResult<Service> {
    scope.require(Action::Manage)?;
    let protocol = check_endpoint(port, protocol)?;
    let mut tx = db.begin().await?;
    let before = service_in(&mut tx, scope, id).await?;
    sqlx::query("UPDATE services SET port = $1, protocol = $2 WHERE tenant_id = $3 AND id = $4")
        .bind(port)
        .bind(protocol.clone())
        .bind(scope.tenant_id().as_text())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        scope,
        "service.update",
        &before.name,
        Some(format!("{}/{}", before.protocol, before.port)),
        Some(format!("{protocol}/{port}")),
    )
    .await?;
    tx.commit().await?;
    Ok(Service {
        port,
        protocol,
        ..before
    })
}

pub async fn delete_service(db: &Db, scope: &TenantScope, id: &str) -> DomainResult<()> {
    scope.require(Action::Manage)?;
    let mut tx = db.begin().await?;
    let s = service_in(&mut tx, scope, id).await?;
    sqlx::query("DELETE FROM services WHERE tenant_id = $1 AND id = $2")
        .bind(scope.tenant_id().as_text())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        scope,
        "service.delete",
        &s.name,
        Some(format!("{}/{}", s.protocol, s.port)),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- connected tenants

/// The tenants whose services this one may reach: the providers of its active
/// connections, as (tenant, name, connection id). Only the consumer reaches across a
/// connection (seed 000); a provider sees nothing of its consumers' services.
async fn active_peers(
    db: &Db,
    scope: &TenantScope,
) -> DomainResult<Vec<(TenantId, String, String)>> {
    let rows = sqlx::query(
        "SELECT remote_tenant_id, remote_tenant_name, id FROM connections \
         WHERE tenant_id = $1 AND direction = 'consumes' AND status = 'Active' ORDER BY remote_tenant_name",
    )
    .bind(scope.tenant_id().as_text())
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                col_id(&r.try_get::<String, _>("remote_tenant_id")?)?,
                r.try_get("remote_tenant_name")?,
                r.try_get("id")?,
            ))
        })
        .collect()
}

/// How this tenant reaches `remote` as a consumer: active, revoked, or never connected.
/// A connection where this tenant is the provider gives it no way in.
async fn link_with(
    db: &Db,
    scope: &TenantScope,
    remote: TenantId,
) -> DomainResult<(Link, Option<String>)> {
    let rows = sqlx::query(
        "SELECT status, remote_tenant_name FROM connections WHERE tenant_id = $1 AND remote_tenant_id = $2 AND direction = 'consumes'",
    )
    .bind(scope.tenant_id().as_text())
    .bind(remote.as_text())
    .fetch_all(db.pool())
    .await?;
    let mut link = Link::None;
    let mut name = None;
    for r in &rows {
        name = Some(r.try_get::<String, _>("remote_tenant_name")?);
        if r.try_get::<String, _>("status")? == "Active" {
            link = Link::Active;
        } else if link == Link::None {
            link = Link::Revoked;
        }
    }
    Ok((link, name))
}

/// Whether the connected tenant `remote` offers a service called `name`. Callers check
/// the connection is active first: this is a read across the agreement.
async fn remote_service_exists(db: &Db, remote: TenantId, name: &str) -> DomainResult<bool> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM services WHERE tenant_id = $1 AND name = $2")
            .bind(remote.as_text())
            .bind(name.to_string())
            .fetch_optional(db.pool())
            .await?;
    Ok(found.is_some())
}

/// The services of every tenant this one consumes from over an active connection, with
/// the DNS names that reach them.
pub async fn remote_services(
    db: &Db,
    scope: &TenantScope,
    dns_suffix: &str,
) -> DomainResult<Vec<RemoteService>> {
    scope.require(Action::View)?;
    // One query: the services of every tenant at the far end of an active connection.
    let rows = sqlx::query(
        "SELECT c.remote_tenant_id, c.remote_tenant_name, c.id AS connection_id, \
         s.id, s.name, s.port, s.protocol, s.created_at, s.created_by \
         FROM connections c JOIN services s ON s.tenant_id = c.remote_tenant_id \
         WHERE c.tenant_id = $1 AND c.direction = 'consumes' AND c.status = 'Active' ORDER BY c.remote_tenant_name, s.name LIMIT 2000",
    )
    .bind(scope.tenant_id().as_text())
    .fetch_all(db.pool())
    .await?;
    let suffix = dns_suffix.trim_matches('.');
    rows.iter()
        .map(|row| {
            let remote: TenantId = col_id(&row.try_get::<String, _>("remote_tenant_id")?)?;
            let s = service_from_row(row)?;
            Ok(RemoteService {
                tenant_id: remote,
                tenant_name: row.try_get("remote_tenant_name")?,
                connection_id: row.try_get("connection_id")?,
                dns_name: format!("{}.{remote}.{suffix}", s.name),
                name: s.name,
                port: s.port,
                protocol: s.protocol,
            })
        })
        .collect()
}

// ---------------------------------------------------------------- policies

fn policy_from_row(row: &AnyRow) -> DomainResult<StoredPolicy> {
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

const POLICY_COLUMNS: &str = "name, yaml, workspace_label, dest_tenant_id, service_name, action, created_at, created_by, updated_at, updated_by";

/// This tenant's policies by name; `q` matches part of a name. The cursor is the last name.
pub async fn list_policies(
    db: &Db,
    scope: &TenantScope,
    q: &str,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> DomainResult<Page<StoredPolicy>> {
    scope.require(Action::View)?;
    let limit = clamp_limit(limit);
    let rows = sqlx::query(&format!(
        "SELECT {POLICY_COLUMNS} FROM network_policies WHERE tenant_id = $1 AND name > $2 AND name LIKE $3 ESCAPE '\\' ORDER BY name LIMIT $4"
    ))
    .bind(scope.tenant_id().as_text())
    .bind(cursor.unwrap_or("").to_string())
    .bind(like_pattern(q))
    .bind(limit + 1)
    .fetch_all(db.pool())
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
    .fetch_one(db.pool())
    .await?;
    Ok(Page::from_overfetch(items, limit, |p| p.policy.name.clone()).with_total(total))
}

pub async fn get_policy(db: &Db, scope: &TenantScope, name: &str) -> DomainResult<StoredPolicy> {
    scope.require(Action::View)?;
    let row = sqlx::query(&format!(
        "SELECT {POLICY_COLUMNS} FROM network_policies WHERE tenant_id = $1 AND name = $2"
    ))
    .bind(scope.tenant_id().as_text())
    .bind(name.to_string())
    .fetch_optional(db.pool())
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
    scope.require(Action::View)?;
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
        .fetch_all(db.pool())
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
    scope.require(Action::Manage)?;
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
    let mut tx = db.begin().await?;
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
        _ => {}
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
    scope.require(Action::Manage)?;
    let mut tx = db.begin().await?;
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

// ---------------------------------------------------------------- the check

/// An answer of the connectivity check, with the words to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckAnswer {
    pub verdict: Verdict,
    pub explanation: String,
}

/// "Can workspaces labelled X reach service Y of tenant Z?", answered by the one
/// evaluator in `policy::ncs` from what the database knows.
pub async fn check(db: &Db, scope: &TenantScope, q: &Question) -> DomainResult<CheckAnswer> {
    scope.require(Action::View)?;
    let q = Question {
        workspace_label: q.workspace_label.trim().to_string(),
        tenant_id: q.tenant_id.trim().to_ascii_lowercase(),
        service_name: q.service_name.trim().to_string(),
    };
    if q.workspace_label.is_empty() || q.service_name.is_empty() || q.tenant_id.is_empty() {
        return Err(DomainError::invalid(
            "question",
            "Give a workspace label, a destination tenant and a service name.",
        ));
    }
    // A label no workspace can carry would only ever be denied: say why instead.
    ncs::check_label(&q.workspace_label)
        .map_err(|why| DomainError::invalid("workspace_label", why))?;
    let remote = TenantId::parse(&q.tenant_id);
    let (link, remote_name) = match remote {
        Some(id) if id != scope.tenant_id() => link_with(db, scope, id).await?,
        _ => (Link::None, None),
    };
    let service_exists = match (link, remote) {
        (Link::Active, Some(id)) => remote_service_exists(db, id, &q.service_name).await?,
        _ => false,
    };
    let rows = sqlx::query(&format!(
        "SELECT {POLICY_COLUMNS} FROM network_policies WHERE tenant_id = $1 AND dest_tenant_id = $2 AND service_name = $3 AND workspace_label = $4"
    ))
    .bind(scope.tenant_id().as_text())
    .bind(q.tenant_id.clone())
    .bind(q.service_name.clone())
    .bind(q.workspace_label.clone())
    .fetch_all(db.pool())
    .await?;
    let policies = rows
        .iter()
        .map(|r| policy_from_row(r).map(|p| p.policy))
        .collect::<DomainResult<Vec<_>>>()?;
    let verdict = ncs::evaluate(&q, link, service_exists, &policies);
    let label = remote_name
        .map(|n| format!("tenant {n}"))
        .unwrap_or_else(|| format!("tenant {}", q.tenant_id));
    let explanation = verdict.explain(&q, &label);
    Ok(CheckAnswer {
        verdict,
        explanation,
    })
}

/// For each connection of this tenant (by remote tenant): how many allow policies, on
/// either side, name a service across it. Zero means "Active, no services allowed".
pub async fn allow_counts(db: &Db, scope: &TenantScope) -> DomainResult<HashMap<TenantId, i64>> {
    scope.require(Action::View)?;
    // One query over the active connections: this side's allow policies toward the
    // remote tenant, plus the remote side's toward this one.
    let rows = sqlx::query(
        "SELECT c.remote_tenant_id, \
         (SELECT COUNT(*) FROM network_policies p WHERE p.action = 'allow' AND \
           ((p.tenant_id = c.tenant_id AND p.dest_tenant_id = c.remote_tenant_id) OR \
            (p.tenant_id = c.remote_tenant_id AND p.dest_tenant_id = c.tenant_id))) AS n \
         FROM connections c WHERE c.tenant_id = $1 AND c.status = 'Active'",
    )
    .bind(scope.tenant_id().as_text())
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                col_id(&r.try_get::<String, _>("remote_tenant_id")?)?,
                r.try_get::<i64, _>("n")?,
            ))
        })
        .collect()
}

/// A draft policy for a connection that allows nothing yet, filled from what exists: the
/// remote tenant's first service and this tenant's first workspace label.
pub async fn draft_policy(db: &Db, scope: &TenantScope, remote: TenantId) -> DomainResult<String> {
    scope.require(Action::View)?;
    let (link, _) = link_with(db, scope, remote).await?;
    let service = if link == Link::Active {
        sqlx::query_scalar::<_, String>(
            "SELECT name FROM services WHERE tenant_id = $1 ORDER BY name LIMIT 1",
        )
        .bind(remote.as_text())
        .fetch_optional(db.pool())
        .await?
    } else {
        None
    };
    let label: Option<String> = sqlx::query_scalar(
        "SELECT label FROM workspace_labels WHERE tenant_id = $1 ORDER BY label LIMIT 1",
    )
    .bind(scope.tenant_id().as_text())
    .fetch_optional(db.pool())
    .await?;
    let service = service.unwrap_or_else(|| "service-name".into());
    let label = label.unwrap_or_else(|| "workspace-label".into());
    Ok(ncs::to_yaml(&NcsPolicy {
        name: format!("allow-{label}-to-{service}")
            .chars()
            .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
            .take(63)
            .collect::<String>()
            .trim_end_matches('-')
            .to_string(),
        workspace_label: label,
        tenant_id: remote.as_text(),
        service_name: service,
        action: NetAction::Allow,
    }))
}
