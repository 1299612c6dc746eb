//! What every server function needs, in one table.
//!
//! [`crate::ssr::scope`] looks the calling function up here and checks its need on the
//! tenant scope before the function's body runs; the repositories then check their own
//! permission again on the same scope. The isolation test reads this table: a server
//! function without an entry fails the tests, and so does an entry for a function that
//! does not exist.

use policy::access::Need::{self, *};

/// (endpoint, need), for every server function under `/fn`.
pub const SERVER_FNS: &[(&str, Need)] = &[
    // Above every tenant.
    // Who the caller is, `None` for nobody: the login page asks it before anyone is.
    ("session_info", Public),
    ("login_options", Public),
    ("home_path", SignedIn),
    ("switcher", SignedIn),
    ("global_context", GlobalAdmin),
    ("list_tenants", GlobalAdmin),
    ("create_tenant", GlobalAdmin),
    ("update_tenant", GlobalAdmin),
    ("teardown_plan", GlobalAdmin),
    ("delete_tenant", GlobalAdmin),
    // The tenant's frame.
    ("tenant_context", InTenant),
    ("dashboard", InTenant),
    // Members and the record of changes.
    ("list_members", Permission("MEMBER_READ")),
    ("add_member", Permission("MEMBER_CREATE")),
    ("change_member_role", Permission("MEMBER_UPDATE")),
    ("remove_member", Permission("MEMBER_DELETE")),
    ("list_audit", Permission("AUDIT_EVENT_READ")),
    ("list_alerts", Permission("ALERT_READ")),
    ("acknowledge_alert", Permission("ALERT_UPDATE")),
    // The tenant as a container: its log, metrics and usage.
    ("list_logs", Permission("LOG_READ")),
    ("tenant_metrics", Permission("METRIC_READ")),
    ("tenant_usage", Permission("USAGE_READ")),
    ("audit_archives", GlobalAdmin),
    // Networking between tenants.
    ("connections_overview", Permission("CONNECTION_READ")),
    ("connection_detail", Permission("CONNECTION_READ")),
    ("connection_map", GlobalAdmin),
    (
        "create_connection_secret",
        Permission("CONNECTION_SECRET_CREATE"),
    ),
    (
        "revoke_connection_secret",
        Permission("CONNECTION_SECRET_DELETE"),
    ),
    ("connect_external_tenant", Permission("CONNECTION_CREATE")),
    ("revoke_connection", Permission("CONNECTION_DELETE")),
    ("list_workspaces", Permission("WORKSPACE_READ")),
    ("create_workspace", Permission("WORKSPACE_CREATE")),
    ("update_workspace", Permission("WORKSPACE_UPDATE")),
    ("delete_workspace", Permission("WORKSPACE_DELETE")),
    ("list_services", Permission("SERVICE_READ")),
    ("create_service", Permission("SERVICE_CREATE")),
    ("update_service", Permission("SERVICE_UPDATE")),
    ("delete_service", Permission("SERVICE_DELETE")),
    ("list_network_policies", Permission("NETWORK_POLICY_READ")),
    ("network_policy", Permission("NETWORK_POLICY_READ")),
    ("save_network_policy", Permission("NETWORK_POLICY_UPDATE")),
    ("delete_network_policy", Permission("NETWORK_POLICY_DELETE")),
    ("check_connectivity", Permission("NETWORK_POLICY_READ")),
    // Clouds.
    ("list_clouds", Permission("CLOUD_READ")),
    ("save_provider_settings", GlobalAdmin),
    ("cloud_wizard", Permission("CLOUD_CREATE")),
    ("save_cloud_draft", Permission("CLOUD_CREATE")),
    ("create_cloud", Permission("CLOUD_CREATE")),
    ("cloud_page", Permission("CLOUD_READ")),
    ("delete_cloud", Permission("CLOUD_DELETE")),
    ("create_vrf_context", Permission("VRF_CONTEXT_CREATE")),
    ("update_vrf_context", Permission("VRF_CONTEXT_UPDATE")),
    ("delete_vrf_context", Permission("VRF_CONTEXT_DELETE")),
    ("create_se_group", Permission("SE_GROUP_CREATE")),
    ("update_se_group", Permission("SE_GROUP_UPDATE")),
    ("delete_se_group", Permission("SE_GROUP_DELETE")),
    ("add_service_engine", Permission("SERVICE_ENGINE_CREATE")),
    ("remove_service_engine", Permission("SERVICE_ENGINE_DELETE")),
    // IAM.
    ("list_iam_policies", Permission("IAM_POLICY_READ")),
    ("iam_policy", Permission("IAM_POLICY_READ")),
    ("review_iam_policy", Permission("IAM_POLICY_UPDATE")),
    ("save_iam_policy", Permission("IAM_POLICY_UPDATE")),
    ("delete_iam_policy", Permission("IAM_POLICY_DELETE")),
    ("iam_versions", Permission("IAM_POLICY_READ")),
    ("iam_version", Permission("IAM_POLICY_READ")),
    ("restore_iam_version", Permission("IAM_POLICY_UPDATE")),
    ("simulate_iam", Permission("IAM_POLICY_READ")),
    ("list_groups", Permission("GROUP_READ")),
    ("group_page", Permission("GROUP_READ")),
    ("create_group", Permission("GROUP_CREATE")),
    ("delete_group", Permission("GROUP_DELETE")),
    ("add_group_member", Permission("GROUP_UPDATE")),
    ("remove_group_member", Permission("GROUP_UPDATE")),
];

/// The declared need of a server function, by endpoint.
pub fn need_of(endpoint: &str) -> Option<Need> {
    SERVER_FNS
        .iter()
        .find(|(e, _)| *e == endpoint)
        .map(|(_, n)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_permission_is_in_the_catalogue_and_endpoints_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for (endpoint, need) in SERVER_FNS {
            assert!(seen.insert(*endpoint), "{endpoint} is declared twice");
            if let Need::Permission(p) = need {
                assert!(need.resource_type().is_some(), "{endpoint}: {p} is unknown");
            }
        }
    }
}
