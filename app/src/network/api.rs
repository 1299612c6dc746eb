//! NCS Networking inside a tenant (seed 000): server functions for workspaces,
//! services, network policies, the connectivity check and a connection's traffic. They
//! are thin: authenticate, build the tenant scope, call `domain::network` / `traffic`.
//! The pages live in `pages`.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
#[cfg(feature = "ssr")]
use {crate::ssr::scope, domain::network};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceRow {
    pub id: String,
    pub name: String,
    pub labels: Vec<String>,
    pub created_at: i64,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkspacesData {
    pub items: Vec<WorkspaceRow>,
    pub next_cursor: Option<String>,
    /// The whole list's size, counted up to a cap (see the pager).
    pub total: Option<i64>,
    pub can_manage: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceRow {
    pub id: String,
    pub name: String,
    pub port: i64,
    pub protocol: String,
    pub created_at: i64,
    pub created_by: String,
}

/// A service of a connected tenant, with the DNS name that reaches it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteRow {
    pub tenant_id: String,
    pub tenant_name: String,
    pub connection_id: String,
    pub name: String,
    pub port: i64,
    pub protocol: String,
    pub dns_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServicesData {
    pub items: Vec<ServiceRow>,
    pub next_cursor: Option<String>,
    /// The whole list's size, counted up to a cap (see the pager).
    pub total: Option<i64>,
    pub can_manage: bool,
    /// This tenant's id and the DNS suffix: how connected tenants reach these services.
    pub tenant_id: String,
    pub dns_suffix: String,
    pub remote: Vec<RemoteRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyRow {
    pub name: String,
    pub workspace_label: String,
    pub tenant_id: String,
    /// The destination tenant's name when it is (or was) connected.
    pub tenant_name: Option<String>,
    pub service_name: String,
    pub action: String,
    pub updated_at: i64,
    pub updated_by: String,
}

/// A tenant this one is or was connected with, for pickers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Peer {
    pub tenant_id: String,
    pub tenant_name: String,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoliciesData {
    pub items: Vec<PolicyRow>,
    pub next_cursor: Option<String>,
    /// The whole list's size, counted up to a cap (see the pager).
    pub total: Option<i64>,
    pub can_manage: bool,
    pub labels: Vec<String>,
    pub peers: Vec<Peer>,
    pub remote: Vec<RemoteRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyDoc {
    /// `None` for a new policy.
    pub name: Option<String>,
    pub yaml: String,
    pub can_manage: bool,
    pub updated: Option<(i64, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub allowed: bool,
    pub reason: String,
    pub policy: Option<String>,
    pub explanation: String,
}

#[cfg(feature = "ssr")]
pub(crate) fn remote_row(r: network::RemoteService) -> RemoteRow {
    RemoteRow {
        tenant_id: r.tenant_id.to_string(),
        tenant_name: r.tenant_name,
        connection_id: r.connection_id,
        name: r.name,
        port: r.port,
        protocol: r.protocol,
        dns_name: r.dns_name,
    }
}

// ---------------------------------------------------------------- workspaces

#[server(prefix = "/fn", endpoint = "list_workspaces")]
pub async fn list_workspaces(
    tenant: String,
    q: String,
    cursor: Option<String>,
) -> Result<WorkspacesData, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("list_workspaces", &tenant).await?;
        let page = network::list_workspaces(
            &ctx.db,
            &scope,
            &q,
            cursor.and_then(crate::components::non_empty).as_deref(),
            Some(20),
        )
        .await?;
        Ok(WorkspacesData {
            items: page
                .items
                .into_iter()
                .map(|w| WorkspaceRow {
                    id: w.id,
                    name: w.name,
                    labels: w.labels,
                    created_at: w.created_at,
                    created_by: w.created_by,
                })
                .collect(),
            next_cursor: page.next_cursor,
            total: page.total,
            can_manage: scope.allows("WORKSPACE_CREATE"),
        })
    })
    .await
}

#[server(prefix = "/fn", endpoint = "create_workspace")]
pub async fn create_workspace(
    tenant: String,
    name: String,
    labels: String,
) -> Result<String, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("create_workspace", &tenant).await?;
        let labels = network::parse_labels(&labels)?;
        let created = network::create_workspace(&ctx.db, &scope, &name, labels).await?;
        Ok(created.name)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "update_workspace")]
pub async fn update_workspace(
    tenant: String,
    id: String,
    labels: String,
) -> Result<String, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("update_workspace", &tenant).await?;
        let labels = network::parse_labels(&labels)?;
        let w = network::update_workspace(&ctx.db, &scope, &id, labels).await?;
        Ok(w.name)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "delete_workspace")]
pub async fn delete_workspace(tenant: String, id: String) -> Result<(), AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("delete_workspace", &tenant).await?;
        network::delete_workspace(&ctx.db, &scope, &id).await?;
        Ok(())
    })
    .await
}

// ---------------------------------------------------------------- services

#[server(prefix = "/fn", endpoint = "list_services")]
pub async fn list_services(
    tenant: String,
    q: String,
    cursor: Option<String>,
) -> Result<ServicesData, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("list_services", &tenant).await?;
        let page = network::list_services(
            &ctx.db,
            &scope,
            &q,
            cursor.and_then(crate::components::non_empty).as_deref(),
            Some(20),
        )
        .await?;
        let remote = if scope.allows("CONNECTION_READ") {
            network::remote_services(&ctx.db, &scope, &ctx.dns_suffix).await?
        } else {
            Vec::new()
        };
        Ok(ServicesData {
            items: page
                .items
                .into_iter()
                .map(|s| ServiceRow {
                    id: s.id,
                    name: s.name,
                    port: s.port,
                    protocol: s.protocol,
                    created_at: s.created_at,
                    created_by: s.created_by,
                })
                .collect(),
            next_cursor: page.next_cursor,
            total: page.total,
            can_manage: scope.allows("SERVICE_CREATE"),
            tenant_id: scope.tenant_id().to_string(),
            dns_suffix: ctx.dns_suffix.clone(),
            remote: remote.into_iter().map(remote_row).collect(),
        })
    })
    .await
}

#[server(prefix = "/fn", endpoint = "create_service")]
pub async fn create_service(
    tenant: String,
    name: String,
    port: String,
    protocol: String,
) -> Result<String, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("create_service", &tenant).await?;
        let port = parse_port(&port)?;
        let created = network::create_service(&ctx.db, &scope, &name, port, &protocol).await?;
        Ok(created.name)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "update_service")]
pub async fn update_service(
    tenant: String,
    id: String,
    port: String,
    protocol: String,
) -> Result<String, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("update_service", &tenant).await?;
        let port = parse_port(&port)?;
        let s = network::update_service(&ctx.db, &scope, &id, port, &protocol).await?;
        Ok(s.name)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "delete_service")]
pub async fn delete_service(tenant: String, id: String) -> Result<(), AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("delete_service", &tenant).await?;
        network::delete_service(&ctx.db, &scope, &id).await?;
        Ok(())
    })
    .await
}

// ---------------------------------------------------------------- policies and the check

#[server(prefix = "/fn", endpoint = "list_network_policies")]
pub async fn list_network_policies(
    tenant: String,
    q: String,
    cursor: Option<String>,
) -> Result<PoliciesData, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("list_network_policies", &tenant).await?;
        let page = network::list_policies(
            &ctx.db,
            &scope,
            &q,
            cursor.and_then(crate::components::non_empty).as_deref(),
            Some(20),
        )
        .await?;
        // Every tenant this one is or was connected with (newest connection first).
        let mut peers: Vec<Peer> = Vec::new();
        let conns = if scope.allows("CONNECTION_READ") {
            domain::connections::list_connections(&ctx.db, &scope, None, Some(100))
                .await?
                .items
        } else {
            Vec::new()
        };
        for c in conns {
            let id = c.remote_tenant_id.to_string();
            match peers.iter_mut().find(|p| p.tenant_id == id) {
                Some(p) => p.active |= c.is_active(),
                None => peers.push(Peer {
                    active: c.is_active(),
                    tenant_id: id,
                    tenant_name: c.remote_tenant_name,
                }),
            }
        }
        let name_of = |id: &str| {
            peers
                .iter()
                .find(|p| p.tenant_id == id)
                .map(|p| p.tenant_name.clone())
        };
        let items = page
            .items
            .into_iter()
            .map(|p| PolicyRow {
                tenant_name: name_of(&p.policy.tenant_id),
                name: p.policy.name,
                workspace_label: p.policy.workspace_label,
                tenant_id: p.policy.tenant_id,
                service_name: p.policy.service_name,
                action: p.policy.action.as_str().into(),
                updated_at: p.updated_at,
                updated_by: p.updated_by,
            })
            .collect();
        Ok(PoliciesData {
            items,
            next_cursor: page.next_cursor,
            total: page.total,
            can_manage: scope.allows("NETWORK_POLICY_CREATE"),
            labels: if scope.allows("WORKSPACE_READ") {
                network::workspace_labels(&ctx.db, &scope).await?
            } else {
                Vec::new()
            },
            remote: if scope.allows("CONNECTION_READ") {
                network::remote_services(&ctx.db, &scope, &ctx.dns_suffix).await?
            } else {
                Vec::new()
            }
            .into_iter()
            .map(remote_row)
            .collect(),
            peers,
        })
    })
    .await
}

/// One policy for the editor, or (no name) a new one: a draft toward `draft_for` when
/// that names a connected tenant, else the seed's example shape.
#[server(prefix = "/fn", endpoint = "network_policy")]
pub async fn network_policy(
    tenant: String,
    name: String,
    draft_for: String,
) -> Result<PolicyDoc, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("network_policy", &tenant).await?;
        let can_manage = scope.allows("NETWORK_POLICY_UPDATE");
        if !name.is_empty() {
            let p = network::get_policy(&ctx.db, &scope, &name).await?;
            return Ok(PolicyDoc {
                name: Some(p.policy.name),
                yaml: p.yaml,
                can_manage,
                updated: Some((p.updated_at, p.updated_by)),
            });
        }
        // A viewer gets no editor for a policy they could not save.
        scope.require("NETWORK_POLICY_CREATE")?;
        let yaml = match domain::TenantId::parse(&draft_for) {
            Some(remote) => network::draft_policy(&ctx.db, &scope, remote).await?,
            None => policy::ncs::to_yaml(&policy::ncs::NcsPolicy {
                name: "allow-workspace-to-service".into(),
                workspace_label: "workspace-label".into(),
                tenant_id: "remote-tenant-id".into(),
                service_name: "service-name".into(),
                action: policy::ncs::NetAction::Allow,
            }),
        };
        Ok(PolicyDoc {
            name: None,
            yaml,
            can_manage,
            updated: None,
        })
    })
    .await
}

/// Saves the editor's document: a new policy when `original` is empty, else an update
/// of that policy. On success the browser goes back to the list.
#[server(prefix = "/fn", endpoint = "save_network_policy")]
pub async fn save_network_policy(
    tenant: String,
    original: String,
    yaml: String,
) -> Result<String, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("save_network_policy", &tenant).await?;
        let (mode, path) = if original.is_empty() {
            (network::SaveMode::Create, None)
        } else {
            (network::SaveMode::Update, Some(original.as_str()))
        };
        let saved = network::save_policy(&ctx.db, &scope, &yaml, mode, path).await?;
        let name = saved.policy.name;
        leptos_axum::redirect(&format!(
            "/t/{}/network-policies?saved={}",
            crate::components::encode(scope.tenant_name()),
            crate::components::encode(&name)
        ));
        Ok(name)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "delete_network_policy")]
pub async fn delete_network_policy(tenant: String, name: String) -> Result<(), AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("delete_network_policy", &tenant).await?;
        network::delete_policy(&ctx.db, &scope, &name).await?;
        Ok(())
    })
    .await
}

#[server(prefix = "/fn", endpoint = "check_connectivity")]
pub async fn check_connectivity(
    tenant: String,
    workspace_label: String,
    tenant_id: String,
    service_name: String,
) -> Result<CheckResult, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("check_connectivity", &tenant).await?;
        let answer = network::check(
            &ctx.db,
            &scope,
            &policy::ncs::Question {
                workspace_label,
                tenant_id,
                service_name,
            },
        )
        .await?;
        Ok(CheckResult {
            allowed: answer.verdict.allowed,
            reason: answer.verdict.reason.code().into(),
            policy: answer.verdict.reason.policy().map(str::to_string),
            explanation: answer.explanation,
        })
    })
    .await
}

/// A port typed into a form.
#[cfg(feature = "ssr")]
fn parse_port(raw: &str) -> Result<i64, AppError> {
    raw.trim().parse::<i64>().map_err(|_| AppError::Invalid {
        field: "port".into(),
        message: "The port is a number from 1 to 65535.".into(),
    })
}
