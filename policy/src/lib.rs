//! Pure access-policy logic for Tenantry.
//!
//! This crate decides *what a role may do*; it never looks anything up. Keeping the
//! decision pure means the same code answers on the server (authorisation) and in the
//! browser (which buttons to show), and that it can be tested exhaustively without a
//! database. The NCS network-policy model ([`ncs`]) lives here for the same reason: one
//! parser and one evaluator, on the server and (compiled to wasm) in the browser.

pub mod access;
pub mod clouds;
pub mod iam;
pub mod ncs;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A role a user holds in one tenant.
///
/// `Admin` only exists in the system tenant `admin`, where it makes its holder a global
/// admin. `Member` is a membership without a role: its holder can do only what the
/// tenant's statements give their groups (seed 001: "a member of NetOps, who may have
/// no role"). Ordering follows power: `Member < Viewer < TenantAdmin < Admin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Role {
    #[serde(rename = "member")]
    Member,
    #[serde(rename = "viewer")]
    Viewer,
    #[serde(rename = "tenant-admin")]
    TenantAdmin,
    #[serde(rename = "admin")]
    Admin,
}

impl Role {
    /// Every role, weakest first (for selects and exhaustive tests).
    pub const ALL: [Role; 4] = [Role::Member, Role::Viewer, Role::TenantAdmin, Role::Admin];

    /// The stable wire and storage name (`member`, `viewer`, `tenant-admin`, `admin`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Viewer => "viewer",
            Role::TenantAdmin => "tenant-admin",
            Role::Admin => "admin",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Role::Member => "Member (groups only)",
            Role::Viewer => "Viewer",
            Role::TenantAdmin => "Tenant admin",
            Role::Admin => "Global admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a role name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRole(pub String);

impl fmt::Display for UnknownRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown role `{}` (expected member, viewer, tenant-admin or admin)",
            self.0
        )
    }
}

impl std::error::Error for UnknownRole {}

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "member" => Ok(Role::Member),
            "viewer" => Ok(Role::Viewer),
            "tenant-admin" | "tenant_admin" | "tenantadmin" => Ok(Role::TenantAdmin),
            "admin" => Ok(Role::Admin),
            other => Err(UnknownRole(other.to_string())),
        }
    }
}

/// Something a caller may try to do inside one tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read the tenant's pages and objects.
    View,
    /// Change the tenant's objects (members, and later connections, policies, clouds).
    Manage,
    /// Grant `role` to someone in this tenant.
    Grant(Role),
}

/// What the caller is, as far as the decision needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// The caller's own role in the tenant, if any.
    pub role: Option<Role>,
    /// True when the caller is a global admin (role `admin` in the system tenant).
    pub global_admin: bool,
    /// True when the tenant in question is the system tenant `admin`.
    pub system_tenant: bool,
}

impl Standing {
    /// The effective role: a global admin acts as `admin` everywhere.
    pub fn effective_role(&self) -> Option<Role> {
        if self.global_admin {
            Some(Role::Admin)
        } else {
            self.role
        }
    }
}

/// Why an action is refused. Callers turn `NotVisible` into "not found" so that the
/// existence of another tenant's objects never leaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// The caller has no standing in the tenant at all.
    NotVisible,
    /// The caller sees the tenant but may not do this.
    Forbidden(&'static str),
}

/// Decides whether a caller with `standing` may perform `action`.
pub fn decide(standing: Standing, action: Action) -> Result<(), Denial> {
    let Some(role) = standing.effective_role() else {
        return Err(Denial::NotVisible);
    };
    match action {
        Action::View => Ok(()),
        Action::Manage if role >= Role::TenantAdmin => Ok(()),
        Action::Manage => Err(Denial::Forbidden("this needs the tenant-admin role")),
        Action::Grant(Role::Admin) if !standing.system_tenant => Err(Denial::Forbidden(
            "the admin role exists only in the system tenant `admin`",
        )),
        Action::Grant(Role::Admin) if role < Role::Admin => Err(Denial::Forbidden(
            "only a global admin can grant the admin role",
        )),
        Action::Grant(_) if role >= Role::TenantAdmin => Ok(()),
        Action::Grant(_) => Err(Denial::Forbidden("this needs the tenant-admin role")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(role: Option<Role>, global_admin: bool, system_tenant: bool) -> Standing {
        Standing {
            role,
            global_admin,
            system_tenant,
        }
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("owner".parse::<Role>().is_err());
    }

    #[test]
    fn no_standing_means_not_visible_for_every_action() {
        let s = standing(None, false, false);
        for action in [Action::View, Action::Manage, Action::Grant(Role::Viewer)] {
            assert_eq!(decide(s, action), Err(Denial::NotVisible));
        }
    }

    #[test]
    fn viewer_reads_but_does_not_change() {
        let s = standing(Some(Role::Viewer), false, false);
        assert_eq!(decide(s, Action::View), Ok(()));
        assert!(matches!(
            decide(s, Action::Manage),
            Err(Denial::Forbidden(_))
        ));
        assert!(matches!(
            decide(s, Action::Grant(Role::Viewer)),
            Err(Denial::Forbidden(_))
        ));
    }

    #[test]
    fn tenant_admin_can_never_grant_admin() {
        for system_tenant in [false, true] {
            let s = standing(Some(Role::TenantAdmin), false, system_tenant);
            assert_eq!(decide(s, Action::Manage), Ok(()));
            assert_eq!(decide(s, Action::Grant(Role::TenantAdmin)), Ok(()));
            assert!(matches!(
                decide(s, Action::Grant(Role::Admin)),
                Err(Denial::Forbidden(_))
            ));
        }
    }

    #[test]
    fn global_admin_grants_admin_only_in_the_system_tenant() {
        assert_eq!(
            decide(standing(None, true, true), Action::Grant(Role::Admin)),
            Ok(())
        );
        assert!(matches!(
            decide(standing(None, true, false), Action::Grant(Role::Admin)),
            Err(Denial::Forbidden(_))
        ));
        assert_eq!(decide(standing(None, true, false), Action::Manage), Ok(()));
    }
}
