//! Tenant-scoped clouds (seed 002): a cloud inside a tenant with its VRF contexts, SE
//! groups and Service Engines, the wizard's drafts, and provider mode.
//!
//! Every query here is confined to the scope's tenant, with one reviewed exception in
//! [`provider`]: a tenant in provider mode reads the admin tenant's clouds, read-only.

use crate::error::unique;
use crate::ids::{col_id, CloudId, DraftId, SeGroupId, ServiceEngineId, VrfId};
use crate::model::{capped_count_sql, clamp_limit, Page};
use crate::validate::like_pattern;
use crate::{audit, now_ms, Db, DomainError, DomainResult, TenantScope};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::Row;

pub mod config;
pub use config::{CloudType, Secrets};

mod drafts;
pub use drafts::*;
mod objects;
pub use objects::*;
mod provider;
pub use provider::*;
mod store;
pub use store::*;

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// The SE group every new cloud starts with.
pub const DEFAULT_SE_GROUP: &str = "Default-Group";
/// The data-plane VRF context every new cloud starts with.
pub const GLOBAL_VRF: &str = "global";
/// The control-plane VRF context every new cloud starts with.
pub const MANAGEMENT_VRF: &str = "management";
/// Service Engines an SE group holds unless told otherwise.
pub const DEFAULT_MAX_SES: i64 = 10;
/// The IAM policy a tenant's first cloud creates: the Tenant-Admin role manages the
/// cloud family (seed 002, step 3).
pub const CLOUD_ADMIN_POLICY: &str = "tenant-admin-clouds";
const CLOUD_ADMIN_POLICY_TEXT: &str =
    "# Created with this tenant's first cloud (seed 002): the Tenant-Admin role\n\
# creates and manages tenant-scoped clouds and their objects (VRF contexts,\n\
# SE groups and Service Engines).\n\
Allow group Tenant-Admin to manage cloud-family in tenancy\n";

/// A cloud as pages and answers show it: secrets appear only as `"set"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cloud {
    pub id: CloudId,
    pub name: String,
    #[serde(rename = "type")]
    pub cloud_type: CloudType,
    pub config: Value,
    pub created_at: i64,
    pub created_by: String,
    /// True for an admin-tenant cloud shown to a tenant in provider mode: usable there,
    /// never editable.
    #[serde(default)]
    pub provider: bool,
    pub vrf_contexts: i64,
    pub se_groups: i64,
    pub service_engines: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VrfContext {
    pub id: VrfId,
    pub cloud_id: CloudId,
    pub name: String,
    /// `data` (the `global` VRF), `management`, or `custom`.
    pub purpose: String,
    pub description: String,
    pub created_at: i64,
    pub created_by: String,
    #[serde(default)]
    pub provider: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeGroup {
    pub id: SeGroupId,
    pub cloud_id: CloudId,
    pub name: String,
    /// One of [`policy::clouds::HA_MODES`].
    pub ha_mode: String,
    pub max_ses: i64,
    pub description: String,
    pub service_engines: i64,
    pub created_at: i64,
    pub created_by: String,
    #[serde(default)]
    pub provider: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceEngine {
    pub id: ServiceEngineId,
    pub cloud_id: CloudId,
    pub se_group_id: SeGroupId,
    pub se_group_name: String,
    pub name: String,
    pub mgmt_ip: String,
    pub created_at: i64,
    pub created_by: String,
    #[serde(default)]
    pub provider: bool,
}

/// A cloud with everything it holds: its page, and the list a delete confirms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloudDetail {
    pub cloud: Cloud,
    pub vrf_contexts: Vec<VrfContext>,
    pub se_groups: Vec<SeGroup>,
    /// Empty for a provider cloud unless the tenant may see the provider's SEs.
    pub service_engines: Vec<ServiceEngine>,
}

/// A cloud, VRF context, SE group or Service Engine name: 1 to 64 letters, digits,
/// spaces, `-`, `_` and `.`, starting with a letter or digit.
pub fn check_name(field: &'static str, what: &str, raw: &str) -> DomainResult<String> {
    let name = raw.trim().to_string();
    if name.is_empty() {
        return Err(DomainError::invalid(
            field,
            format!("Enter the {what}'s name."),
        ));
    }
    let ok = name.chars().count() <= 64
        && name.chars().next().is_some_and(char::is_alphanumeric)
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || " -_.".contains(c));
    if !ok {
        return Err(DomainError::invalid(
            field,
            format!("A {what} name has up to 64 letters, digits, spaces, -, _ and ., and starts with a letter or digit."),
        ));
    }
    Ok(name)
}

fn cloud_from_row(row: &AnyRow, provider: bool) -> DomainResult<Cloud> {
    let kind: String = row.try_get("cloud_type")?;
    let config: String = row.try_get("settings")?;
    Ok(Cloud {
        id: col_id(&row.try_get::<String, _>("id")?)?,
        name: row.try_get("name")?,
        cloud_type: CloudType::parse(&kind)
            .map_err(|_| DomainError::Internal(format!("stored cloud type {kind}")))?,
        config: serde_json::from_str(&config)
            .map_err(|e| DomainError::Internal(format!("stored cloud settings: {e}")))?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        provider,
        vrf_contexts: row.try_get("vrfs")?,
        se_groups: row.try_get("groups")?,
        service_engines: row.try_get("ses")?,
    })
}

/// The columns of [`cloud_from_row`], with the counts of what each cloud holds.
const CLOUD_COLUMNS: &str = "c.id, c.name, c.cloud_type, c.settings, c.created_at, c.created_by, \
    (SELECT COUNT(*) FROM vrf_contexts v WHERE v.tenant_id = c.tenant_id AND v.cloud_id = c.id) AS vrfs, \
    (SELECT COUNT(*) FROM se_groups g WHERE g.tenant_id = c.tenant_id AND g.cloud_id = c.id) AS groups, \
    (SELECT COUNT(*) FROM service_engines s WHERE s.tenant_id = c.tenant_id AND s.cloud_id = c.id) AS ses";

fn vrf_from_row(row: &AnyRow, provider: bool) -> DomainResult<VrfContext> {
    Ok(VrfContext {
        id: col_id(&row.try_get::<String, _>("id")?)?,
        cloud_id: col_id(&row.try_get::<String, _>("cloud_id")?)?,
        name: row.try_get("name")?,
        purpose: row.try_get("purpose")?,
        description: row.try_get("description")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        provider,
    })
}

const VRF_COLUMNS: &str =
    "v.id, v.cloud_id, v.name, v.purpose, v.description, v.created_at, v.created_by";

fn group_from_row(row: &AnyRow, provider: bool) -> DomainResult<SeGroup> {
    Ok(SeGroup {
        id: col_id(&row.try_get::<String, _>("id")?)?,
        cloud_id: col_id(&row.try_get::<String, _>("cloud_id")?)?,
        name: row.try_get("name")?,
        ha_mode: row.try_get("ha_mode")?,
        max_ses: row.try_get("max_ses")?,
        description: row.try_get("description")?,
        service_engines: row.try_get("ses")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        provider,
    })
}

const GROUP_COLUMNS: &str = "g.id, g.cloud_id, g.name, g.ha_mode, g.max_ses, g.description, g.created_at, g.created_by, \
    (SELECT COUNT(*) FROM service_engines s WHERE s.tenant_id = g.tenant_id AND s.se_group_id = g.id) AS ses";

fn se_from_row(row: &AnyRow, provider: bool) -> DomainResult<ServiceEngine> {
    Ok(ServiceEngine {
        id: col_id(&row.try_get::<String, _>("id")?)?,
        cloud_id: col_id(&row.try_get::<String, _>("cloud_id")?)?,
        se_group_id: col_id(&row.try_get::<String, _>("se_group_id")?)?,
        se_group_name: row.try_get("group_name")?,
        name: row.try_get("name")?,
        mgmt_ip: row.try_get("mgmt_ip")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        provider,
    })
}

const SE_COLUMNS: &str = "s.id, s.cloud_id, s.se_group_id, g.name AS group_name, s.name, s.mgmt_ip, s.created_at, s.created_by";
const SE_FROM: &str =
    "service_engines s JOIN se_groups g ON g.tenant_id = s.tenant_id AND g.id = s.se_group_id";
