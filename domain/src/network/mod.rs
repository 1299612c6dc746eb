//! NCS networking inside a tenant (seed 000): workspaces and their labels, services,
//! network policies (`NCSPolicy`), and the connectivity check.
//!
//! Two reads here cross to another tenant, and only along an *active* connection, which
//! is the two-sided agreement: the services a connected tenant offers (for DNS names,
//! policy validation and the check), and the allow policies the other side of a
//! connection wrote toward this tenant (for the connection's status). Both are confined
//! to this module and the connections module.

use crate::error::unique;
use crate::ids::{col_id, TenantId};
use crate::model::{capped_count_sql, clamp_limit, Page};
use crate::validate::like_pattern;
use crate::{audit, now_ms, Db, DomainError, DomainResult, TenantScope};
use policy::ncs::{self, Link, NcsPolicy, NetAction, Question, Verdict};
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

mod workspaces;
pub use workspaces::*;
mod services;
pub use services::*;
mod peers;
pub use peers::*;
mod policies;
pub use policies::*;
mod check;
pub use check::*;
