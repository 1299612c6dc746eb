//! What each entry point of the console needs before it runs.
//!
//! Every server function and every REST route names one [`Need`] in a table next to
//! its registration (`app::access::SERVER_FNS`, `server::rest::registered_routes`).
//! The isolation test reads those tables, so an entry point without a declared need
//! fails the tests, and the declared permission is checked before the handler runs;
//! the repositories check it again from the tenant scope.

use crate::iam::catalogue;
use crate::Role;

/// What a caller must hold to use an entry point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Nothing: the login page's options, the API's description.
    Public,
    /// Any signed-in caller; the answer covers only what that caller may see.
    SignedIn,
    /// A global admin (role `admin` in the system tenant).
    GlobalAdmin,
    /// The data plane's own token (traffic records), which is no user's.
    DataPlane,
    /// Any access at all in the tenant: its layout and its dashboard.
    InTenant,
    /// One permission of the resource catalogue in the tenant (`WORKSPACE_CREATE`).
    Permission(&'static str),
}

impl Need {
    /// The resource type a permission belongs to (`workspaces` for `WORKSPACE_CREATE`).
    pub fn resource_type(&self) -> Option<&'static str> {
        match self {
            Need::Permission(p) => catalogue::permission(p).map(|(t, _)| t.name),
            _ => None,
        }
    }

    /// How the need reads in a table or an error: `WORKSPACE_CREATE on workspaces`.
    pub fn describe(&self) -> String {
        match self {
            Need::Public => "nothing".into(),
            Need::SignedIn => "a signed-in caller".into(),
            Need::GlobalAdmin => "the global admin role".into(),
            Need::DataPlane => "the data plane's token".into(),
            Need::InTenant => "any access in the tenant".into(),
            Need::Permission(p) => match self.resource_type() {
                Some(t) => format!("{p} on {t}"),
                None => format!("{p} (unknown permission)"),
            },
        }
    }
}

/// The statements every tenant has and cannot delete: they are what the built-in roles
/// mean. A member holding a role belongs to the role's group (see [`role_group`]) in
/// that tenant, so a tenant's own `Deny` statements can narrow a role like any grant.
pub const BUILTIN_POLICY: &str = "\
Allow group Tenant-Admin to manage all-resources in tenancy
Allow group Viewer to read all-resources in tenancy
";

/// The statement that describes the global admin. It is shown with the built-in
/// statements but not evaluated: a global admin is the platform's operator, whom no
/// tenant's statement can lock out of a tenant it must repair.
pub const GLOBAL_ADMIN_STATEMENT: &str =
    "Allow group Admin of tenancy admin to manage all-resources in any-tenancy";

/// The name of the built-in policy in lists.
pub const BUILTIN_POLICY_NAME: &str = "built-in";

/// The group a role puts its holder in, for statements to name.
pub fn role_group(role: Role) -> &'static str {
    match role {
        Role::Member => "Member",
        Role::Viewer => "Viewer",
        Role::TenantAdmin => "Tenant-Admin",
        Role::Admin => "Admin",
    }
}

/// True for a group name that a role owns: no tenant may create a group of that name,
/// or its members would gain the role's statements.
pub fn is_role_group(name: &str) -> bool {
    Role::ALL
        .iter()
        .any(|r| role_group(*r).eq_ignore_ascii_case(name.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_statements_parse_and_role_groups_are_reserved() {
        let doc = crate::iam::parse(BUILTIN_POLICY).expect("built-in policy parses");
        assert_eq!(doc.statements.len(), 2);
        assert!(is_role_group("tenant-admin"));
        assert!(is_role_group(" VIEWER "));
        assert!(!is_role_group("NetOps"));
    }

    #[test]
    fn a_permission_need_names_its_resource_type() {
        let need = Need::Permission("WORKSPACE_CREATE");
        assert_eq!(need.resource_type(), Some("workspaces"));
        assert_eq!(need.describe(), "WORKSPACE_CREATE on workspaces");
        assert_eq!(Need::Permission("NOPE_READ").resource_type(), None);
    }
}
