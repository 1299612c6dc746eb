//! The connectivity check, and the allow policies behind a connection's status.

use super::*;
use crate::db::Wall;

/// An answer of the connectivity check, with the words to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckAnswer {
    pub verdict: Verdict,
    pub explanation: String,
}

/// "Can workspaces labelled X reach service Y of tenant Z?", answered by the one
/// evaluator in `policy::ncs` from what the database knows.
pub async fn check(db: &Db, scope: &TenantScope, q: &Question) -> DomainResult<CheckAnswer> {
    scope.require("NETWORK_POLICY_READ")?;
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
    .fetch_all(&mut *db.read(scope.wall()).await?)
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
    scope.require("NETWORK_POLICY_READ")?;
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
    // The peers' policies count too: above this tenant's wall.
    .fetch_all(&mut *db.read(Wall::Platform).await?)
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

/// One network policy between the two tenants of an active connection: the consumer's
/// allow (or deny) of a provider's service for its workspaces with a label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionPolicy {
    /// The policy's name, only when this tenant wrote it: the other side's document
    /// stays theirs, and the provider learns only which of its services it opens.
    pub name: Option<String>,
    pub workspace_label: String,
    pub service_name: String,
    pub action: NetAction,
}

/// The policies behind a connection's status, on either side, for the connection page:
/// the consumer sees its own (by name, to open them), the provider sees which of its
/// services the consumer allows. Empty unless the two tenants are actively connected.
pub async fn connection_policies(
    db: &Db,
    scope: &TenantScope,
    remote: TenantId,
) -> DomainResult<Vec<ConnectionPolicy>> {
    scope.require("NETWORK_POLICY_READ")?;
    let me = scope.tenant_id().as_text();
    let rows = sqlx::query(
        "SELECT p.tenant_id, p.name, p.workspace_label, p.service_name, p.action \
         FROM network_policies p \
         WHERE ((p.tenant_id = $1 AND p.dest_tenant_id = $2) OR (p.tenant_id = $2 AND p.dest_tenant_id = $1)) \
         AND EXISTS (SELECT 1 FROM connections c WHERE c.tenant_id = $1 AND c.remote_tenant_id = $2 AND c.status = 'Active') \
         ORDER BY p.service_name, p.workspace_label, p.name LIMIT 200",
    )
    .bind(me.clone())
    .bind(remote.as_text())
    // Both sides' policies: above this tenant's wall.
    .fetch_all(&mut *db.read(Wall::Platform).await?)
    .await?;
    rows.iter()
        .map(|r| {
            let owner: String = r.try_get("tenant_id")?;
            let action: String = r.try_get("action")?;
            Ok(ConnectionPolicy {
                name: (owner == me).then(|| r.try_get("name")).transpose()?,
                workspace_label: r.try_get("workspace_label")?,
                service_name: r.try_get("service_name")?,
                action: if action == "deny" {
                    NetAction::Deny
                } else {
                    NetAction::Allow
                },
            })
        })
        .collect()
}

/// A draft policy for a connection that allows nothing yet, filled from what exists: the
/// remote tenant's first service and this tenant's first workspace label.
pub async fn draft_policy(db: &Db, scope: &TenantScope, remote: TenantId) -> DomainResult<String> {
    scope.require("NETWORK_POLICY_READ")?;
    let (link, _) = link_with(db, scope, remote).await?;
    let service = if link == Link::Active {
        sqlx::query_scalar::<_, String>(
            "SELECT name FROM services WHERE tenant_id = $1 ORDER BY name LIMIT 1",
        )
        .bind(remote.as_text())
        .fetch_optional(&mut *db.read(Wall::Tenant(remote)).await?)
        .await?
    } else {
        None
    };
    let label: Option<String> = sqlx::query_scalar(
        "SELECT label FROM workspace_labels WHERE tenant_id = $1 ORDER BY label LIMIT 1",
    )
    .bind(scope.tenant_id().as_text())
    .fetch_optional(&mut *db.read(scope.wall()).await?)
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
