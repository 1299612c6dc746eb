//! The tenancy model and its storage. No web framework here: the UI and the REST API
//! both call these services, so that both see the same rules, the same isolation and
//! the same audit trail.
//!
//! The isolation rule lives in the types: every repository over tenant-owned rows
//! takes a [`TenantScope`], and only [`scope::authorize`] can make one. Queries that
//! legitimately cross tenants (listing the tenants a user may see, the login upsert)
//! are gathered in [`directory`], the one module to review for cross-tenant access.

pub mod audit;
pub mod clouds;
pub mod connections;
pub mod crypto;
pub mod db;
pub mod directory;
pub mod error;
pub mod iam;
pub mod ids;
pub mod lifecycle;
pub mod members;
pub mod model;
pub mod network;
mod ratelimit;
pub mod scope;
pub mod telemetry;
pub mod tokens;
pub mod traffic;
pub mod validate;

pub use db::{Backend, Db};
pub use error::{DomainError, DomainResult};
pub use ids::{TenantId, UserId};
pub use model::*;
pub use policy::Role;
pub use scope::{Principal, TenantScope};

/// Milliseconds since the Unix epoch: how every time is stored (see DESIGN.md).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
