//! The route table of `/api/v1`: every route with the need it declares
//! (`policy::access::Need`). [`build`] registers them and records them, so that the
//! isolation test can compare its matrix, and the declared needs, with what exists.

use super::{
    clouds, connections, iam, lifecycle, members, network, openapi, telemetry, tenants, ApiError,
};
use crate::AppState;
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post, put, MethodRouter};
use axum::{Extension, Router};
use policy::access::Need;

/// The API router.
pub fn router() -> Router<AppState> {
    build(&mut Vec::new())
}

/// Every route as (method, path, declared need), in registration order: the table the
/// isolation matrix reads.
pub fn registered_routes() -> Vec<(&'static str, &'static str, Need)> {
    let mut seen = Vec::new();
    let _ = build(&mut seen);
    seen
}

fn build(seen: &mut Vec<(&'static str, &'static str, Need)>) -> Router<AppState> {
    use Need::*;
    // Each route carries its declared need as a request extension: [`Scoped`] checks
    // it on the tenant scope before the handler runs.
    let mut add = |r: Router<AppState>,
                   method: &'static str,
                   path: &'static str,
                   need: Need,
                   h: MethodRouter<AppState>| {
        seen.push((method, path, need));
        r.route(path, h.layer(Extension(need)))
    };
    let mut r = Router::new();
    r = add(r, "GET", "/openapi.json", Public, get(openapi));
    r = add(r, "GET", "/me", SignedIn, get(tenants::me));
    r = add(r, "GET", "/tenants", SignedIn, get(tenants::list_tenants));
    r = add(
        r,
        "POST",
        "/tenants",
        GlobalAdmin,
        post(tenants::create_tenant),
    );
    r = add(
        r,
        "GET",
        "/tenants/{id}",
        SignedIn,
        get(tenants::get_tenant),
    );
    r = add(
        r,
        "PATCH",
        "/tenants/{id}",
        GlobalAdmin,
        patch(tenants::update_tenant),
    );
    r = add(
        r,
        "DELETE",
        "/tenants/{id}",
        GlobalAdmin,
        delete(lifecycle::delete_tenant),
    );
    r = add(
        r,
        "GET",
        "/tenants/{id}/teardown-plan",
        GlobalAdmin,
        get(lifecycle::teardown_plan),
    );
    r = add(
        r,
        "GET",
        "/audit-archive/{tenant_id}",
        GlobalAdmin,
        get(lifecycle::audit_archive),
    );
    r = add(r, "POST", "/users", GlobalAdmin, post(tenants::create_user));
    r = add(
        r,
        "GET",
        "/logs",
        Permission("LOG_READ"),
        get(telemetry::list_logs),
    );
    r = add(
        r,
        "GET",
        "/metrics",
        Permission("METRIC_READ"),
        get(telemetry::metrics),
    );
    r = add(
        r,
        "GET",
        "/usage",
        Permission("USAGE_READ"),
        get(telemetry::tenant_usage),
    );
    r = add(
        r,
        "GET",
        "/usage/all",
        GlobalAdmin,
        get(telemetry::all_usage),
    );
    r = add(
        r,
        "GET",
        "/alerts",
        Permission("ALERT_READ"),
        get(lifecycle::list_alerts),
    );
    r = add(
        r,
        "POST",
        "/alerts/{id}/ack",
        Permission("ALERT_UPDATE"),
        post(lifecycle::acknowledge_alert),
    );
    r = add(
        r,
        "GET",
        "/members",
        Permission("MEMBER_READ"),
        get(members::list_members),
    );
    r = add(
        r,
        "POST",
        "/members",
        Permission("MEMBER_CREATE"),
        post(members::add_member),
    );
    r = add(
        r,
        "DELETE",
        "/members/{user_id}",
        Permission("MEMBER_DELETE"),
        delete(members::remove_member),
    );
    r = add(
        r,
        "GET",
        "/connection-secrets",
        Permission("CONNECTION_SECRET_MANAGE"),
        get(connections::list_secrets),
    );
    r = add(
        r,
        "POST",
        "/connection-secrets",
        Permission("CONNECTION_SECRET_CREATE"),
        post(connections::create_secret),
    );
    r = add(
        r,
        "DELETE",
        "/connection-secrets/{id}",
        Permission("CONNECTION_SECRET_DELETE"),
        delete(connections::revoke_secret),
    );
    r = add(
        r,
        "GET",
        "/connections",
        Permission("CONNECTION_READ"),
        get(connections::list_connections),
    );
    r = add(
        r,
        "POST",
        "/connections",
        Permission("CONNECTION_CREATE"),
        post(connections::redeem),
    );
    r = add(
        r,
        "GET",
        "/connections/{id}",
        Permission("CONNECTION_READ"),
        get(connections::get_connection),
    );
    r = add(
        r,
        "DELETE",
        "/connections/{id}",
        Permission("CONNECTION_DELETE"),
        delete(connections::revoke_connection),
    );
    r = add(
        r,
        "GET",
        "/connections/{id}/traffic",
        Permission("CONNECTION_READ"),
        get(network::connection_traffic),
    );
    r = add(
        r,
        "POST",
        "/traffic",
        DataPlane,
        post(network::ingest_traffic),
    );
    r = add(
        r,
        "GET",
        "/workspaces",
        Permission("WORKSPACE_READ"),
        get(network::list_workspaces),
    );
    r = add(
        r,
        "POST",
        "/workspaces",
        Permission("WORKSPACE_CREATE"),
        post(network::create_workspace),
    );
    r = add(
        r,
        "PATCH",
        "/workspaces/{id}",
        Permission("WORKSPACE_UPDATE"),
        patch(network::update_workspace),
    );
    r = add(
        r,
        "DELETE",
        "/workspaces/{id}",
        Permission("WORKSPACE_DELETE"),
        delete(network::delete_workspace),
    );
    r = add(
        r,
        "GET",
        "/services",
        Permission("SERVICE_READ"),
        get(network::list_services),
    );
    r = add(
        r,
        "POST",
        "/services",
        Permission("SERVICE_CREATE"),
        post(network::create_service),
    );
    r = add(
        r,
        "PATCH",
        "/services/{id}",
        Permission("SERVICE_UPDATE"),
        patch(network::update_service),
    );
    r = add(
        r,
        "DELETE",
        "/services/{id}",
        Permission("SERVICE_DELETE"),
        delete(network::delete_service),
    );
    r = add(
        r,
        "GET",
        "/remote-services",
        Permission("CONNECTION_READ"),
        get(network::remote_services),
    );
    r = add(
        r,
        "GET",
        "/network-policies",
        Permission("NETWORK_POLICY_READ"),
        get(network::list_policies),
    );
    r = add(
        r,
        "POST",
        "/network-policies",
        Permission("NETWORK_POLICY_CREATE"),
        post(network::create_policy),
    );
    r = add(
        r,
        "GET",
        "/network-policies/{name}",
        Permission("NETWORK_POLICY_READ"),
        get(network::get_policy),
    );
    r = add(
        r,
        "PUT",
        "/network-policies/{name}",
        Permission("NETWORK_POLICY_UPDATE"),
        put(network::put_policy),
    );
    r = add(
        r,
        "DELETE",
        "/network-policies/{name}",
        Permission("NETWORK_POLICY_DELETE"),
        delete(network::delete_policy),
    );
    r = add(
        r,
        "POST",
        "/connectivity-check",
        Permission("NETWORK_POLICY_READ"),
        post(network::connectivity_check),
    );
    r = add(
        r,
        "GET",
        "/iam-policies",
        Permission("IAM_POLICY_READ"),
        get(iam::list_policies),
    );
    r = add(
        r,
        "POST",
        "/iam-policies",
        Permission("IAM_POLICY_CREATE"),
        post(iam::create_policy),
    );
    r = add(
        r,
        "GET",
        "/iam-policies/{name}",
        Permission("IAM_POLICY_READ"),
        get(iam::get_policy),
    );
    r = add(
        r,
        "PUT",
        "/iam-policies/{name}",
        Permission("IAM_POLICY_UPDATE"),
        put(iam::put_policy),
    );
    r = add(
        r,
        "DELETE",
        "/iam-policies/{name}",
        Permission("IAM_POLICY_DELETE"),
        delete(iam::delete_policy),
    );
    r = add(
        r,
        "GET",
        "/iam-policies/{name}/versions",
        Permission("IAM_POLICY_READ"),
        get(iam::list_versions),
    );
    r = add(
        r,
        "POST",
        "/iam-policies/{name}/versions/{version}/restore",
        Permission("IAM_POLICY_UPDATE"),
        post(iam::restore_version),
    );
    r = add(
        r,
        "POST",
        "/iam/simulate",
        Permission("IAM_POLICY_READ"),
        post(iam::simulate),
    );
    r = add(
        r,
        "GET",
        "/clouds",
        Permission("CLOUD_READ"),
        get(clouds::list_clouds),
    );
    r = add(
        r,
        "POST",
        "/clouds",
        Permission("CLOUD_CREATE"),
        post(clouds::create_cloud),
    );
    r = add(
        r,
        "GET",
        "/clouds/{id}",
        Permission("CLOUD_READ"),
        get(clouds::get_cloud),
    );
    r = add(
        r,
        "DELETE",
        "/clouds/{id}",
        Permission("CLOUD_DELETE"),
        delete(clouds::delete_cloud),
    );
    r = add(
        r,
        "GET",
        "/vrf-contexts",
        Permission("VRF_CONTEXT_READ"),
        get(clouds::list_vrf_contexts),
    );
    r = add(
        r,
        "POST",
        "/vrf-contexts",
        Permission("VRF_CONTEXT_CREATE"),
        post(clouds::create_vrf_context),
    );
    r = add(
        r,
        "PATCH",
        "/vrf-contexts/{id}",
        Permission("VRF_CONTEXT_UPDATE"),
        patch(clouds::update_vrf_context),
    );
    r = add(
        r,
        "DELETE",
        "/vrf-contexts/{id}",
        Permission("VRF_CONTEXT_DELETE"),
        delete(clouds::delete_vrf_context),
    );
    r = add(
        r,
        "GET",
        "/se-groups",
        Permission("SE_GROUP_READ"),
        get(clouds::list_se_groups),
    );
    r = add(
        r,
        "POST",
        "/se-groups",
        Permission("SE_GROUP_CREATE"),
        post(clouds::create_se_group),
    );
    r = add(
        r,
        "PATCH",
        "/se-groups/{id}",
        Permission("SE_GROUP_UPDATE"),
        patch(clouds::update_se_group),
    );
    r = add(
        r,
        "DELETE",
        "/se-groups/{id}",
        Permission("SE_GROUP_DELETE"),
        delete(clouds::delete_se_group),
    );
    r = add(
        r,
        "GET",
        "/service-engines",
        Permission("SERVICE_ENGINE_READ"),
        get(clouds::list_service_engines),
    );
    r = add(
        r,
        "POST",
        "/service-engines",
        Permission("SERVICE_ENGINE_CREATE"),
        post(clouds::add_service_engine),
    );
    r = add(
        r,
        "DELETE",
        "/service-engines/{id}",
        Permission("SERVICE_ENGINE_DELETE"),
        delete(clouds::remove_service_engine),
    );
    r = add(
        r,
        "GET",
        "/cloud-settings",
        Permission("CLOUD_READ"),
        get(clouds::get_cloud_settings),
    );
    r = add(
        r,
        "PUT",
        "/cloud-settings",
        GlobalAdmin,
        put(clouds::put_cloud_settings),
    );
    r = add(
        r,
        "GET",
        "/groups",
        Permission("GROUP_READ"),
        get(iam::list_groups),
    );
    r = add(
        r,
        "POST",
        "/groups",
        Permission("GROUP_CREATE"),
        post(iam::create_group),
    );
    r = add(
        r,
        "GET",
        "/groups/{name}",
        Permission("GROUP_READ"),
        get(iam::get_group),
    );
    r = add(
        r,
        "DELETE",
        "/groups/{name}",
        Permission("GROUP_DELETE"),
        delete(iam::delete_group),
    );
    r = add(
        r,
        "POST",
        "/groups/{name}/members",
        Permission("GROUP_UPDATE"),
        post(iam::add_group_member),
    );
    r = add(
        r,
        "DELETE",
        "/groups/{name}/members/{user_id}",
        Permission("GROUP_UPDATE"),
        delete(iam::remove_group_member),
    );
    r.fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "not_found", "No such API route.") })
}
