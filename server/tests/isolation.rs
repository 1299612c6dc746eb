//! The isolation matrix: every server function and every REST route, called by
//! - a tenant admin and a viewer of `acme`, against acme, against `globex`, and against
//!   a context/object mismatch (acme as the context, an object of globex);
//! - globex's tenant admin, against acme;
//! - the global admin, in acme, in globex while switched into acme, and across a
//!   mismatch;
//! - nobody (anonymously),
//!
//! with the caches warm and cold, plus every way a tenant admin might grant past its
//! tenant (escalations). Each test prints its counts. A server function or route missing
//! from the matrix fails the test, so a new one cannot land without saying how it treats
//! another tenant.
//!
//! It runs the real router over a real SQLite file; callers hold real sessions (in the
//! real session store) and real API tokens.

mod support;

use std::collections::BTreeSet;
use support::{Fx, Req, Who};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Side {
    Own,
    Other,
    /// The caller's own tenant as the context (the `tenant` argument, the
    /// `ActiveProjectID` header) with the other tenant's object: the object must be as
    /// unknown as in the other tenant.
    Mismatch,
}

/// What a call must answer. Server functions answer errors as the serialized AppError
/// (`NotFound`, `Forbidden`); REST answers status codes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Ok,
    NotFound,
    Forbidden,
    Status(u16),
}

type Build = fn(&Fx, Who, Side) -> Req;

struct Case {
    key: &'static str,
    build: Build,
    /// (tenant-admin own, tenant-admin other, viewer own, viewer other)
    expect: [Expect; 4],
}

fn tenant_for(side: Side) -> &'static str {
    match side {
        Side::Own | Side::Mismatch => "acme",
        Side::Other => "globex",
    }
}

fn server_fn_cases() -> Vec<Case> {
    use Expect::*;
    vec![
        // Not tenant-scoped: the answer must not mention the other tenant (checked below).
        Case {
            key: "/fn/session_info",
            build: |_, _, _| Req::sfn("session_info", &[]),
            expect: [Ok, Ok, Ok, Ok],
        },
        Case {
            key: "/fn/login_options",
            build: |_, _, _| Req::sfn("login_options", &[]),
            expect: [Ok, Ok, Ok, Ok],
        },
        Case {
            key: "/fn/home_path",
            build: |_, _, _| Req::sfn("home_path", &[]),
            expect: [Ok, Ok, Ok, Ok],
        },
        Case {
            key: "/fn/switcher",
            build: |_, _, s| {
                Req::sfn(
                    "switcher",
                    &[("q", if s == Side::Own { "" } else { "glob" })],
                )
            },
            expect: [Ok, Ok, Ok, Ok],
        },
        // Tenant-scoped.
        Case {
            key: "/fn/tenant_context",
            build: |_, _, s| Req::sfn("tenant_context", &[("tenant", tenant_for(s))]),
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/dashboard",
            build: |_, _, s| Req::sfn("dashboard", &[("tenant", tenant_for(s))]),
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/list_members",
            build: |_, _, s| Req::sfn("list_members", &[("tenant", tenant_for(s)), ("q", "")]),
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/list_audit",
            build: |_, _, s| Req::sfn("list_audit", &[("tenant", tenant_for(s))]),
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/add_member",
            build: |fx, _, s| {
                Req::sfn(
                    "add_member",
                    &[
                        ("tenant", tenant_for(s)),
                        ("email", &fx.fresh_email()),
                        ("role", "viewer"),
                    ],
                )
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        Case {
            key: "/fn/change_member_role",
            // Own tenant: a member of acme; other: a member of globex, named through globex.
            build: |fx, _, s| {
                let user = match s {
                    Side::Own => fx.fresh_member("acme"),
                    Side::Other | Side::Mismatch => fx.globex_member.clone(),
                };
                Req::sfn(
                    "change_member_role",
                    &[
                        ("tenant", tenant_for(s)),
                        ("user_id", &user),
                        ("role", "tenant-admin"),
                    ],
                )
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        Case {
            key: "/fn/remove_member",
            build: |fx, _, s| {
                let user = match s {
                    Side::Own => fx.fresh_member("acme"),
                    Side::Other | Side::Mismatch => fx.globex_member.clone(),
                };
                Req::sfn(
                    "remove_member",
                    &[("tenant", tenant_for(s)), ("user_id", &user)],
                )
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        // Global-admin pages: refused to tenant roles in their tenant, not found elsewhere.
        Case {
            // Global pages (`/admin/…`): no tenant in the call, global admins only.
            key: "/fn/list_tenants",
            build: |_, _, _| Req::sfn("list_tenants", &[("q", ""), ("label", "")]),
            expect: [Forbidden, Forbidden, Forbidden, Forbidden],
        },
        Case {
            key: "/fn/global_context",
            build: |_, _, _| Req::sfn("global_context", &[]),
            expect: [Forbidden, Forbidden, Forbidden, Forbidden],
        },
        // Cross-tenant connections (seed 000).
        Case {
            key: "/fn/connections_overview",
            build: |_, _, s| Req::sfn("connections_overview", &[("tenant", tenant_for(s))]),
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/create_connection_secret",
            build: |_, _, s| {
                Req::sfn(
                    "create_connection_secret",
                    &[
                        ("tenant", tenant_for(s)),
                        ("expires_in_seconds", "3600"),
                        ("note", ""),
                    ],
                )
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        Case {
            key: "/fn/revoke_connection_secret",
            build: |fx, _, s| {
                let id = match s {
                    Side::Own => fx.acme_secret(),
                    Side::Other | Side::Mismatch => fx.globex_secret.clone(),
                };
                Req::sfn(
                    "revoke_connection_secret",
                    &[("tenant", tenant_for(s)), ("id", &id)],
                )
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        Case {
            key: "/fn/connect_external_tenant",
            build: |fx, _, s| {
                Req::sfn(
                    "connect_external_tenant",
                    &[("tenant", tenant_for(s)), ("secret", &fx.fresh_secret())],
                )
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        Case {
            key: "/fn/revoke_connection",
            build: |fx, _, s| {
                let id = match s {
                    Side::Own => fx.acme_connection(),
                    Side::Other | Side::Mismatch => fx.globex_connection.clone(),
                };
                Req::sfn(
                    "revoke_connection",
                    &[("tenant", tenant_for(s)), ("id", &id)],
                )
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        // Clouds (seed 002). By-id calls name acme and an object of globex: the
        // context/object mismatch is not found; viewers are refused any change first.
        Case {
            key: "/fn/list_clouds",
            build: |_, _, s| Req::sfn("list_clouds", &[("tenant", tenant_for(s)), ("q", "")]),
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/save_provider_settings",
            // Global admins only: a tenant admin is refused in its own tenant.
            build: |_, _, s| {
                Req::sfn(
                    "save_provider_settings",
                    &[("tenant", tenant_for(s)), ("se_in_provider_context", "on")],
                )
            },
            expect: [Forbidden, NotFound, Forbidden, NotFound],
        },
        Case {
            key: "/fn/cloud_wizard",
            build: |_, _, s| Req::sfn("cloud_wizard", &[("tenant", tenant_for(s)), ("draft", "")]),
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        Case {
            key: "/fn/save_cloud_draft",
            build: |fx, _, s| {
                Req::sfn(
                    "save_cloud_draft",
                    &[
                        ("tenant", tenant_for(s)),
                        ("draft", ""),
                        ("cloud_type", "no-orchestrator"),
                        ("name", &fx.fresh_name("cloud")),
                    ],
                )
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        Case {
            key: "/fn/create_cloud",
            build: |fx, _, s| {
                Req::sfn(
                    "create_cloud",
                    &[
                        ("tenant", tenant_for(s)),
                        ("draft", &fx.clouds.acme_draft()),
                    ],
                )
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        Case {
            key: "/fn/cloud_page",
            build: |fx, _, s| {
                let id = match s {
                    Side::Own => fx.clouds.acme_cloud.clone(),
                    Side::Other | Side::Mismatch => fx.clouds.globex_cloud.clone(),
                };
                Req::sfn("cloud_page", &[("tenant", "acme"), ("id", &id)])
            },
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/delete_cloud",
            build: |fx, _, s| {
                let id = match s {
                    Side::Own => fx.clouds.acme_pool_cloud(),
                    Side::Other | Side::Mismatch => fx.clouds.globex_cloud.clone(),
                };
                Req::sfn("delete_cloud", &[("tenant", "acme"), ("id", &id)])
            },
            expect: [Ok, NotFound, Forbidden, Forbidden],
        },
        Case {
            key: "/fn/create_vrf_context",
            build: |fx, _, s| {
                let id = match s {
                    Side::Own => fx.clouds.acme_cloud.clone(),
                    Side::Other | Side::Mismatch => fx.clouds.globex_cloud.clone(),
                };
                Req::sfn(
                    "create_vrf_context",
                    &[
                        ("tenant", "acme"),
                        ("cloud_id", &id),
                        ("name", &fx.fresh_name("vrf")),
                        ("description", ""),
                    ],
                )
            },
            expect: [Ok, NotFound, Forbidden, Forbidden],
        },
        Case {
            key: "/fn/update_vrf_context",
            build: |fx, _, s| {
                let id = match s {
                    Side::Own => fx.clouds.acme_vrf(),
                    Side::Other | Side::Mismatch => fx.clouds.globex_vrf.clone(),
                };
                Req::sfn(
                    "update_vrf_context",
                    &[
                        ("tenant", "acme"),
                        ("id", &id),
                        ("name", &fx.fresh_name("vrf")),
                        ("description", "moved"),
                    ],
                )
            },
            expect: [Ok, NotFound, Forbidden, Forbidden],
        },
        Case {
            key: "/fn/delete_vrf_context",
            build: |fx, _, s| {
                let id = match s {
                    Side::Own => fx.clouds.acme_vrf(),
                    Side::Other | Side::Mismatch => fx.clouds.globex_vrf.clone(),
                };
                Req::sfn("delete_vrf_context", &[("tenant", "acme"), ("id", &id)])
            },
            expect: [Ok, NotFound, Forbidden, Forbidden],
        },
        Case {
            key: "/fn/create_se_group",
            build: |fx, _, s| {
                let id = match s {
                    Side::Own => fx.clouds.acme_cloud.clone(),
                    Side::Other | Side::Mismatch => fx.clouds.globex_cloud.clone(),
                };
                Req::sfn(
                    "create_se_group",
                    &[
                        ("tenant", "acme"),
                        ("cloud_id", &id),
                        ("name", &fx.fresh_name("group")),
                        ("ha_mode", "shared"),
                        ("max_ses", "5"),
                        ("description", ""),
                    ],
                )
            },
            expect: [Ok, NotFound, Forbidden, Forbidden],
        },
        Case {
            key: "/fn/update_se_group",
            build: |fx, _, s| {
                let id = match s {
                    Side::Own => fx.clouds.acme_pool_group(),
                    Side::Other | Side::Mismatch => fx.clouds.globex_group.clone(),
                };
                Req::sfn(
                    "update_se_group",
                    &[
                        ("tenant", "acme"),
                        ("id", &id),
                        ("name", &fx.fresh_name("group")),
                        ("ha_mode", "active-standby"),
                        ("max_ses", "2"),
                        ("description", ""),
                    ],
                )
            },
            expect: [Ok, NotFound, Forbidden, Forbidden],
        },
        Case {
            key: "/fn/delete_se_group",
            build: |fx, _, s| {
                let id = match s {
                    Side::Own => fx.clouds.acme_pool_group(),
                    Side::Other | Side::Mismatch => fx.clouds.globex_group.clone(),
                };
                Req::sfn("delete_se_group", &[("tenant", "acme"), ("id", &id)])
            },
            expect: [Ok, NotFound, Forbidden, Forbidden],
        },
        Case {
            key: "/fn/add_service_engine",
            build: |fx, _, s| {
                let group = match s {
                    Side::Own => fx.clouds.acme_group.clone(),
                    Side::Other | Side::Mismatch => fx.clouds.globex_group.clone(),
                };
                let name = fx.fresh_name("se");
                let ip = format!("10.3.0.{}", name.trim_start_matches("se-"));
                Req::sfn(
                    "add_service_engine",
                    &[
                        ("tenant", "acme"),
                        ("se_group_id", &group),
                        ("name", &name),
                        ("mgmt_ip", &ip),
                    ],
                )
            },
            expect: [Ok, NotFound, Forbidden, Forbidden],
        },
        Case {
            key: "/fn/remove_service_engine",
            build: |fx, _, s| {
                let id = match s {
                    Side::Own => fx.clouds.acme_se(),
                    Side::Other | Side::Mismatch => fx.clouds.globex_se.clone(),
                };
                Req::sfn("remove_service_engine", &[("tenant", "acme"), ("id", &id)])
            },
            expect: [Ok, NotFound, Forbidden, Forbidden],
        },
        // NCS networking (seed 000).
        Case {
            key: "/fn/list_workspaces",
            build: |_, _, s| Req::sfn("list_workspaces", &[("tenant", tenant_for(s)), ("q", "")]),
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/create_workspace",
            build: |fx, _, s| {
                Req::sfn(
                    "create_workspace",
                    &[
                        ("tenant", tenant_for(s)),
                        ("name", &fx.fresh_name("ws")),
                        ("labels", "ide"),
                    ],
                )
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        Case {
            key: "/fn/delete_workspace",
            build: |fx, _, s| {
                let id = match s {
                    Side::Own => fx.acme_workspace(),
                    Side::Other | Side::Mismatch => fx.globex_workspace.clone(),
                };
                Req::sfn(
                    "delete_workspace",
                    &[("tenant", tenant_for(s)), ("id", &id)],
                )
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        Case {
            key: "/fn/update_workspace",
            build: |fx, _, s| {
                let id = match s {
                    Side::Own => fx.acme_workspace(),
                    Side::Other | Side::Mismatch => fx.globex_workspace.clone(),
                };
                Req::sfn(
                    "update_workspace",
                    &[("tenant", tenant_for(s)), ("id", &id), ("labels", "moved")],
                )
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        Case {
            key: "/fn/list_services",
            build: |_, _, s| Req::sfn("list_services", &[("tenant", tenant_for(s)), ("q", "")]),
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/create_service",
            build: |fx, _, s| {
                Req::sfn(
                    "create_service",
                    &[
                        ("tenant", tenant_for(s)),
                        ("name", &fx.fresh_name("svc")),
                        ("port", "8443"),
                        ("protocol", "https"),
                    ],
                )
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        Case {
            key: "/fn/delete_service",
            build: |fx, _, s| {
                let id = match s {
                    Side::Own => fx.acme_service(),
                    Side::Other | Side::Mismatch => fx.globex_service.clone(),
                };
                Req::sfn("delete_service", &[("tenant", tenant_for(s)), ("id", &id)])
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        Case {
            key: "/fn/update_service",
            build: |fx, _, s| {
                let id = match s {
                    Side::Own => fx.acme_service(),
                    Side::Other | Side::Mismatch => fx.globex_service.clone(),
                };
                Req::sfn(
                    "update_service",
                    &[
                        ("tenant", tenant_for(s)),
                        ("id", &id),
                        ("port", "9999"),
                        ("protocol", "tcp"),
                    ],
                )
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        Case {
            key: "/fn/update_tenant",
            build: |fx, _, s| {
                let id = fx.tenant_id(tenant_for(s)).to_string();
                Req::sfn(
                    "update_tenant",
                    &[("id", &id), ("description", "sneaky"), ("labels", "")],
                )
            },
            expect: [Forbidden, Forbidden, Forbidden, Forbidden],
        },
        // Deleting a tenant is for global admins: its dry run and its request.
        Case {
            key: "/fn/teardown_plan",
            build: |_, _, s| Req::sfn("teardown_plan", &[("tenant", tenant_for(s))]),
            expect: [Forbidden, Forbidden, Forbidden, Forbidden],
        },
        Case {
            key: "/fn/delete_tenant",
            build: |_, _, s| {
                Req::sfn(
                    "delete_tenant",
                    &[("tenant", tenant_for(s)), ("confirm", tenant_for(s))],
                )
            },
            expect: [Forbidden, Forbidden, Forbidden, Forbidden],
        },
        // Alerts: read by members, acknowledged by those who may update them.
        Case {
            key: "/fn/list_alerts",
            build: |_, _, s| Req::sfn("list_alerts", &[("tenant", tenant_for(s)), ("open", "")]),
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/acknowledge_alert",
            build: |fx, _, s| {
                let id = match s {
                    Side::Own => fx.acme_alert.clone(),
                    Side::Other | Side::Mismatch => fx.globex_alert.clone(),
                };
                Req::sfn(
                    "acknowledge_alert",
                    &[("tenant", tenant_for(s)), ("id", &id)],
                )
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        // The tenant as a container: its log, metrics and usage (read by members), and
        // the archive of deleted tenants' audit logs (global admins).
        Case {
            key: "/fn/list_logs",
            build: |_, _, s| {
                Req::sfn(
                    "list_logs",
                    &[("tenant", tenant_for(s)), ("q", ""), ("source", "")],
                )
            },
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/tenant_metrics",
            build: |_, _, s| Req::sfn("tenant_metrics", &[("tenant", tenant_for(s))]),
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/tenant_usage",
            build: |_, _, s| {
                Req::sfn(
                    "tenant_usage",
                    &[("tenant", tenant_for(s)), ("from", ""), ("to", "")],
                )
            },
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/audit_archives",
            build: |fx, _, s| {
                let id = fx.tenant_id(tenant_for(s)).to_string();
                Req::sfn("audit_archives", &[("tenant", &id)])
            },
            expect: [Forbidden, Forbidden, Forbidden, Forbidden],
        },
        Case {
            key: "/fn/list_network_policies",
            build: |_, _, s| {
                Req::sfn(
                    "list_network_policies",
                    &[("tenant", tenant_for(s)), ("q", "")],
                )
            },
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/network_policy",
            build: |fx, _, s| {
                let name = match s {
                    Side::Own => fx.acme_policy.clone(),
                    Side::Other | Side::Mismatch => fx.globex_policy.clone(),
                };
                Req::sfn(
                    "network_policy",
                    &[
                        ("tenant", tenant_for(s)),
                        ("name", &name),
                        ("draft_for", ""),
                    ],
                )
            },
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/save_network_policy",
            build: |fx, _, s| {
                let yaml = fx.acme_policy_yaml(&fx.fresh_name("saved"));
                Req::sfn(
                    "save_network_policy",
                    &[("tenant", tenant_for(s)), ("original", ""), ("yaml", &yaml)],
                )
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        Case {
            key: "/fn/delete_network_policy",
            build: |fx, _, s| {
                let name = match s {
                    Side::Own => fx.acme_pool_policy(),
                    Side::Other | Side::Mismatch => fx.globex_policy.clone(),
                };
                Req::sfn(
                    "delete_network_policy",
                    &[("tenant", tenant_for(s)), ("name", &name)],
                )
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        Case {
            key: "/fn/list_iam_policies",
            build: |_, _, s| Req::sfn("list_iam_policies", &[("tenant", tenant_for(s)), ("q", "")]),
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/iam_policy",
            build: |fx, _, s| {
                let name = match s {
                    Side::Own => fx.acme_iam.clone(),
                    Side::Other | Side::Mismatch => fx.globex_iam.clone(),
                };
                Req::sfn("iam_policy", &[("tenant", tenant_for(s)), ("name", &name)])
            },
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/review_iam_policy",
            build: |fx, _, s| {
                let name = match s {
                    Side::Own => fx.acme_iam.clone(),
                    Side::Other | Side::Mismatch => fx.globex_iam.clone(),
                };
                Req::sfn(
                    "review_iam_policy",
                    &[
                        ("tenant", tenant_for(s)),
                        ("original", &name),
                        ("name", &name),
                        ("description", ""),
                        ("text", support::IAM_V2),
                    ],
                )
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        Case {
            key: "/fn/save_iam_policy",
            build: |fx, _, s| {
                let name = fx.fresh_name("iam-saved");
                Req::sfn(
                    "save_iam_policy",
                    &[
                        ("tenant", tenant_for(s)),
                        ("name", &name),
                        ("description", ""),
                        ("text", support::IAM_V1),
                        ("comment", ""),
                        ("base", ""),
                    ],
                )
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        Case {
            key: "/fn/delete_iam_policy",
            build: |fx, _, s| {
                let name = match s {
                    Side::Own => fx.acme_iam_pool(),
                    Side::Other | Side::Mismatch => fx.globex_iam.clone(),
                };
                Req::sfn(
                    "delete_iam_policy",
                    &[("tenant", tenant_for(s)), ("name", &name)],
                )
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        Case {
            key: "/fn/iam_versions",
            build: |fx, _, s| {
                let name = match s {
                    Side::Own => fx.acme_iam.clone(),
                    Side::Other | Side::Mismatch => fx.globex_iam.clone(),
                };
                Req::sfn(
                    "iam_versions",
                    &[("tenant", tenant_for(s)), ("name", &name)],
                )
            },
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/iam_version",
            build: |fx, _, s| {
                let name = match s {
                    Side::Own => fx.acme_iam.clone(),
                    Side::Other | Side::Mismatch => fx.globex_iam.clone(),
                };
                Req::sfn(
                    "iam_version",
                    &[("tenant", tenant_for(s)), ("name", &name), ("version", "1")],
                )
            },
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/restore_iam_version",
            build: |fx, _, s| {
                let name = match s {
                    Side::Own => fx.acme_iam_pool(),
                    Side::Other | Side::Mismatch => fx.globex_iam.clone(),
                };
                Req::sfn(
                    "restore_iam_version",
                    &[
                        ("tenant", tenant_for(s)),
                        ("name", &name),
                        ("version", "1"),
                        ("base", "2"),
                    ],
                )
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        Case {
            // The simulator reads the other tenant's policies to decide; it is reached
            // only through a tenant of the caller's.
            key: "/fn/simulate_iam",
            build: |_, _, s| {
                Req::sfn(
                    "simulate_iam",
                    &[
                        ("tenant", tenant_for(s)),
                        ("principal_tenant", "acme"),
                        ("groups", "Ops"),
                        ("user_name", ""),
                        ("principal_type", ""),
                        ("verb", "read"),
                        ("permission", ""),
                        ("resource_type", "clusters"),
                        ("target_tenant", "acme"),
                        ("compartment", ""),
                    ],
                )
            },
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/check_connectivity",
            build: |fx, _, s| {
                let dest = fx.tenant_id("provider_0");
                Req::sfn(
                    "check_connectivity",
                    &[
                        ("tenant", tenant_for(s)),
                        ("workspace_label", "ide"),
                        ("tenant_id", &dest),
                        ("service_name", "svc"),
                    ],
                )
            },
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/connection_detail",
            build: |fx, _, s| {
                let id = match s {
                    Side::Own => fx.acme_connection(),
                    Side::Other | Side::Mismatch => fx.globex_connection.clone(),
                };
                Req::sfn(
                    "connection_detail",
                    &[("tenant", tenant_for(s)), ("id", &id)],
                )
            },
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/connection_map",
            build: |_, _, _| Req::sfn("connection_map", &[("q", "")]),
            expect: [Forbidden, Forbidden, Forbidden, Forbidden],
        },
        Case {
            key: "/fn/create_tenant",
            build: |_, _, _| {
                Req::sfn(
                    "create_tenant",
                    &[("name", "sneaky"), ("description", ""), ("labels", "")],
                )
            },
            expect: [Forbidden, Forbidden, Forbidden, Forbidden],
        },
        // IAM groups.
        Case {
            key: "/fn/list_groups",
            build: |_, _, s| Req::sfn("list_groups", &[("tenant", tenant_for(s)), ("q", "")]),
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/group_page",
            // Other: globex's group, named through acme.
            build: |_, _, s| {
                let name = if s == Side::Own { "ops" } else { "globex-ops" };
                Req::sfn("group_page", &[("tenant", "acme"), ("name", name)])
            },
            expect: [Ok, NotFound, Ok, NotFound],
        },
        Case {
            key: "/fn/create_group",
            build: |fx, _, s| {
                Req::sfn(
                    "create_group",
                    &[
                        ("tenant", tenant_for(s)),
                        ("name", &fx.fresh_name("grp")),
                        ("description", ""),
                    ],
                )
            },
            expect: [Ok, NotFound, Forbidden, NotFound],
        },
        Case {
            key: "/fn/delete_group",
            build: |fx, _, s| {
                let name = match s {
                    Side::Own => fx.acme_pool_group(),
                    Side::Other | Side::Mismatch => "globex-ops".to_string(),
                };
                Req::sfn("delete_group", &[("tenant", "acme"), ("name", &name)])
            },
            expect: [Ok, NotFound, Forbidden, Forbidden],
        },
        Case {
            key: "/fn/add_group_member",
            // Other: globex's group, named through acme.
            build: |_, _, s| {
                let name = if s == Side::Own { "ops" } else { "globex-ops" };
                Req::sfn(
                    "add_group_member",
                    &[
                        ("tenant", "acme"),
                        ("name", name),
                        ("email", "victor@example.test"),
                    ],
                )
            },
            expect: [Ok, NotFound, Forbidden, Forbidden],
        },
        Case {
            key: "/fn/remove_group_member",
            build: |fx, _, s| {
                let name = match s {
                    Side::Own => fx.acme_pool_group(),
                    Side::Other | Side::Mismatch => "globex-ops".to_string(),
                };
                Req::sfn(
                    "remove_group_member",
                    &[
                        ("tenant", "acme"),
                        ("name", &name),
                        ("user_id", &fx.grouped),
                    ],
                )
            },
            expect: [Ok, NotFound, Forbidden, Forbidden],
        },
    ]
}

fn rest_cases() -> Vec<Case> {
    use Expect::Status as S;
    vec![
        Case {
            key: "GET /openapi.json",
            build: |_, w, _| Req::api("GET", "/api/v1/openapi.json", w, None, None),
            expect: [S(200), S(200), S(200), S(200)],
        },
        Case {
            key: "GET /me",
            build: |_, w, _| Req::api("GET", "/api/v1/me", w, None, None),
            expect: [S(200), S(200), S(200), S(200)],
        },
        Case {
            key: "GET /tenants",
            build: |_, w, s| {
                Req::api(
                    "GET",
                    &format!(
                        "/api/v1/tenants?q={}",
                        if s == Side::Own { "" } else { "glob" }
                    ),
                    w,
                    None,
                    None,
                )
            },
            expect: [S(200), S(200), S(200), S(200)],
        },
        Case {
            key: "POST /tenants",
            build: |_, w, _| {
                Req::api(
                    "POST",
                    "/api/v1/tenants",
                    w,
                    None,
                    Some(r#"{"name":"sneaky"}"#.into()),
                )
            },
            expect: [S(403), S(403), S(403), S(403)],
        },
        Case {
            key: "GET /tenants/{id}",
            build: |fx, w, s| {
                Req::api(
                    "GET",
                    &format!("/api/v1/tenants/{}", fx.tenant_id(tenant_for(s))),
                    w,
                    None,
                    None,
                )
            },
            expect: [S(200), S(404), S(200), S(404)],
        },
        Case {
            key: "PATCH /tenants/{id}",
            build: |fx, w, s| {
                Req::api(
                    "PATCH",
                    &format!("/api/v1/tenants/{}", fx.tenant_id(tenant_for(s))),
                    w,
                    None,
                    Some(r#"{"description":"sneaky"}"#.into()),
                )
            },
            expect: [S(403), S(404), S(403), S(404)],
        },
        Case {
            key: "DELETE /tenants/{id}",
            build: |fx, w, s| {
                Req::api(
                    "DELETE",
                    &format!("/api/v1/tenants/{}", fx.tenant_id(tenant_for(s))),
                    w,
                    None,
                    None,
                )
            },
            expect: [S(403), S(404), S(403), S(404)],
        },
        Case {
            key: "GET /tenants/{id}/teardown-plan",
            build: |fx, w, s| {
                Req::api(
                    "GET",
                    &format!(
                        "/api/v1/tenants/{}/teardown-plan",
                        fx.tenant_id(tenant_for(s))
                    ),
                    w,
                    None,
                    None,
                )
            },
            expect: [S(403), S(404), S(403), S(404)],
        },
        Case {
            key: "GET /audit-archive/{tenant_id}",
            build: |fx, w, s| {
                Req::api(
                    "GET",
                    &format!("/api/v1/audit-archive/{}", fx.tenant_id(tenant_for(s))),
                    w,
                    None,
                    None,
                )
            },
            expect: [S(403), S(403), S(403), S(403)],
        },
        Case {
            key: "GET /alerts",
            build: |fx, w, s| {
                Req::api(
                    "GET",
                    "/api/v1/alerts",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    None,
                )
            },
            expect: [S(200), S(403), S(200), S(403)],
        },
        Case {
            key: "POST /alerts/{id}/ack",
            build: |fx, w, s| {
                let id = match s {
                    Side::Own => fx.acme_alert.clone(),
                    Side::Other | Side::Mismatch => fx.globex_alert.clone(),
                };
                Req::api(
                    "POST",
                    &format!("/api/v1/alerts/{id}/ack"),
                    w,
                    Some(fx.tenant_id("acme")),
                    None,
                )
            },
            expect: [S(200), S(404), S(403), S(403)],
        },
        Case {
            key: "GET /logs",
            build: |fx, w, s| {
                Req::api(
                    "GET",
                    "/api/v1/logs",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    None,
                )
            },
            expect: [S(200), S(403), S(200), S(403)],
        },
        Case {
            key: "GET /metrics",
            build: |fx, w, s| {
                Req::api(
                    "GET",
                    "/api/v1/metrics",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    None,
                )
            },
            expect: [S(200), S(403), S(200), S(403)],
        },
        Case {
            key: "GET /usage",
            build: |fx, w, s| {
                Req::api(
                    "GET",
                    "/api/v1/usage",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    None,
                )
            },
            expect: [S(200), S(403), S(200), S(403)],
        },
        Case {
            key: "GET /usage/all",
            build: |fx, w, s| {
                Req::api(
                    "GET",
                    "/api/v1/usage/all?format=csv",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    None,
                )
            },
            expect: [S(403), S(403), S(403), S(403)],
        },
        Case {
            key: "POST /users",
            build: |fx, w, _| {
                Req::api(
                    "POST",
                    "/api/v1/users",
                    w,
                    None,
                    Some(format!(r#"{{"email":"{}"}}"#, fx.fresh_email())),
                )
            },
            expect: [S(403), S(403), S(403), S(403)],
        },
        Case {
            key: "GET /members",
            build: |fx, w, s| {
                Req::api(
                    "GET",
                    "/api/v1/members",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    None,
                )
            },
            expect: [S(200), S(403), S(200), S(403)],
        },
        Case {
            key: "POST /members",
            build: |fx, w, s| {
                Req::api(
                    "POST",
                    "/api/v1/members",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    Some(format!(
                        r#"{{"email":"{}","role":"viewer"}}"#,
                        fx.fresh_email()
                    )),
                )
            },
            expect: [S(201), S(403), S(403), S(403)],
        },
        Case {
            // Own: a member of acme. Other: globex's member through the *own* tenant header,
            // the object-level case, which must be 404.
            key: "DELETE /members/{user_id}",
            build: |fx, w, s| {
                let user = match s {
                    Side::Own => fx.fresh_member("acme"),
                    Side::Other | Side::Mismatch => fx.globex_member.clone(),
                };
                Req::api(
                    "DELETE",
                    &format!("/api/v1/members/{user}"),
                    w,
                    Some(fx.tenant_id("acme")),
                    None,
                )
            },
            expect: [S(204), S(404), S(403), S(403)],
        },
        // Cross-tenant connections (seed 000). "Other" names globex's objects through
        // acme's own header: the object-level case, which must be 404.
        Case {
            key: "GET /connection-secrets",
            build: |fx, w, s| {
                Req::api(
                    "GET",
                    "/api/v1/connection-secrets",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    None,
                )
            },
            expect: [S(200), S(403), S(403), S(403)],
        },
        Case {
            key: "POST /connection-secrets",
            build: |fx, w, s| {
                Req::api(
                    "POST",
                    "/api/v1/connection-secrets",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    Some(r#"{"expires_in_seconds":600}"#.into()),
                )
            },
            expect: [S(201), S(403), S(403), S(403)],
        },
        Case {
            key: "DELETE /connection-secrets/{id}",
            build: |fx, w, s| {
                let id = match s {
                    Side::Own => fx.acme_secret(),
                    Side::Other | Side::Mismatch => fx.globex_secret.clone(),
                };
                Req::api(
                    "DELETE",
                    &format!("/api/v1/connection-secrets/{id}"),
                    w,
                    Some(fx.tenant_id("acme")),
                    None,
                )
            },
            expect: [S(200), S(404), S(403), S(403)],
        },
        Case {
            key: "GET /connections",
            build: |fx, w, s| {
                Req::api(
                    "GET",
                    "/api/v1/connections",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    None,
                )
            },
            expect: [S(200), S(403), S(200), S(403)],
        },
        Case {
            key: "POST /connections",
            build: |fx, w, s| {
                Req::api(
                    "POST",
                    "/api/v1/connections",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    Some(format!(r#"{{"secret":"{}"}}"#, fx.fresh_secret())),
                )
            },
            expect: [S(201), S(403), S(403), S(403)],
        },
        Case {
            key: "GET /connections/{id}",
            build: |fx, w, s| {
                let id = match s {
                    Side::Own => fx.acme_connection(),
                    Side::Other | Side::Mismatch => fx.globex_connection.clone(),
                };
                Req::api(
                    "GET",
                    &format!("/api/v1/connections/{id}"),
                    w,
                    Some(fx.tenant_id("acme")),
                    None,
                )
            },
            expect: [S(200), S(404), S(200), S(404)],
        },
        Case {
            key: "DELETE /connections/{id}",
            build: |fx, w, s| {
                let id = match s {
                    Side::Own => fx.acme_connection(),
                    Side::Other | Side::Mismatch => fx.globex_connection.clone(),
                };
                Req::api(
                    "DELETE",
                    &format!("/api/v1/connections/{id}"),
                    w,
                    Some(fx.tenant_id("acme")),
                    None,
                )
            },
            expect: [S(200), S(404), S(403), S(403)],
        },
        // Clouds (seed 002): lists and creation name the tenant in the header; by-id
        // calls send acme's header with an object of globex (a mismatch: not found).
        Case {
            key: "GET /clouds",
            build: |fx, w, s| {
                Req::api(
                    "GET",
                    "/api/v1/clouds",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    None,
                )
            },
            expect: [S(200), S(403), S(200), S(403)],
        },
        Case {
            key: "POST /clouds",
            build: |fx, w, s| {
                let body = format!(
                    r#"{{"name":"{}","type":"no-orchestrator","config":{{}}}}"#,
                    fx.fresh_name("cloud")
                );
                Req::api(
                    "POST",
                    "/api/v1/clouds",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    Some(body),
                )
            },
            expect: [S(201), S(403), S(403), S(403)],
        },
        Case {
            key: "GET /clouds/{id}",
            build: |fx, w, s| {
                let id = match s {
                    Side::Own => fx.clouds.acme_cloud.clone(),
                    Side::Other | Side::Mismatch => fx.clouds.globex_cloud.clone(),
                };
                Req::api(
                    "GET",
                    &format!("/api/v1/clouds/{id}"),
                    w,
                    Some(fx.tenant_id("acme")),
                    None,
                )
            },
            expect: [S(200), S(404), S(200), S(404)],
        },
        Case {
            key: "DELETE /clouds/{id}",
            build: |fx, w, s| {
                let id = match s {
                    Side::Own => fx.clouds.acme_pool_cloud(),
                    Side::Other | Side::Mismatch => fx.clouds.globex_cloud.clone(),
                };
                Req::api(
                    "DELETE",
                    &format!("/api/v1/clouds/{id}"),
                    w,
                    Some(fx.tenant_id("acme")),
                    None,
                )
            },
            expect: [S(200), S(404), S(403), S(403)],
        },
        Case {
            key: "GET /vrf-contexts",
            build: |fx, w, s| {
                Req::api(
                    "GET",
                    "/api/v1/vrf-contexts",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    None,
                )
            },
            expect: [S(200), S(403), S(200), S(403)],
        },
        Case {
            key: "POST /vrf-contexts",
            build: |fx, w, s| {
                let cloud = match s {
                    Side::Own => fx.clouds.acme_cloud.clone(),
                    Side::Other | Side::Mismatch => fx.clouds.globex_cloud.clone(),
                };
                let body = format!(
                    r#"{{"cloud_id":"{cloud}","name":"{}"}}"#,
                    fx.fresh_name("vrf")
                );
                Req::api(
                    "POST",
                    "/api/v1/vrf-contexts",
                    w,
                    Some(fx.tenant_id("acme")),
                    Some(body),
                )
            },
            expect: [S(201), S(404), S(403), S(403)],
        },
        Case {
            key: "PATCH /vrf-contexts/{id}",
            build: |fx, w, s| {
                let id = match s {
                    Side::Own => fx.clouds.acme_vrf(),
                    Side::Other | Side::Mismatch => fx.clouds.globex_vrf.clone(),
                };
                let body = format!(
                    r#"{{"name":"{}","description":"moved"}}"#,
                    fx.fresh_name("vrf")
                );
                Req::api(
                    "PATCH",
                    &format!("/api/v1/vrf-contexts/{id}"),
                    w,
                    Some(fx.tenant_id("acme")),
                    Some(body),
                )
            },
            expect: [S(200), S(404), S(403), S(403)],
        },
        Case {
            key: "DELETE /vrf-contexts/{id}",
            build: |fx, w, s| {
                let id = match s {
                    Side::Own => fx.clouds.acme_vrf(),
                    Side::Other | Side::Mismatch => fx.clouds.globex_vrf.clone(),
                };
                Req::api(
                    "DELETE",
                    &format!("/api/v1/vrf-contexts/{id}"),
                    w,
                    Some(fx.tenant_id("acme")),
                    None,
                )
            },
            expect: [S(204), S(404), S(403), S(403)],
        },
        Case {
            key: "GET /se-groups",
            build: |fx, w, s| {
                Req::api(
                    "GET",
                    "/api/v1/se-groups?include_provider=true",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    None,
                )
            },
            expect: [S(200), S(403), S(200), S(403)],
        },
        Case {
            key: "POST /se-groups",
            build: |fx, w, s| {
                let cloud = match s {
                    Side::Own => fx.clouds.acme_cloud.clone(),
                    Side::Other | Side::Mismatch => fx.clouds.globex_cloud.clone(),
                };
                let body = format!(
                    r#"{{"cloud_id":"{cloud}","name":"{}","max_ses":3}}"#,
                    fx.fresh_name("group")
                );
                Req::api(
                    "POST",
                    "/api/v1/se-groups",
                    w,
                    Some(fx.tenant_id("acme")),
                    Some(body),
                )
            },
            expect: [S(201), S(404), S(403), S(403)],
        },
        Case {
            key: "PATCH /se-groups/{id}",
            build: |fx, w, s| {
                let id = match s {
                    Side::Own => fx.clouds.acme_pool_group(),
                    Side::Other | Side::Mismatch => fx.clouds.globex_group.clone(),
                };
                let body = format!(
                    r#"{{"name":"{}","ha_mode":"active-active","max_ses":4}}"#,
                    fx.fresh_name("group")
                );
                Req::api(
                    "PATCH",
                    &format!("/api/v1/se-groups/{id}"),
                    w,
                    Some(fx.tenant_id("acme")),
                    Some(body),
                )
            },
            expect: [S(200), S(404), S(403), S(403)],
        },
        Case {
            key: "DELETE /se-groups/{id}",
            build: |fx, w, s| {
                let id = match s {
                    Side::Own => fx.clouds.acme_pool_group(),
                    Side::Other | Side::Mismatch => fx.clouds.globex_group.clone(),
                };
                Req::api(
                    "DELETE",
                    &format!("/api/v1/se-groups/{id}"),
                    w,
                    Some(fx.tenant_id("acme")),
                    None,
                )
            },
            expect: [S(204), S(404), S(403), S(403)],
        },
        Case {
            key: "GET /service-engines",
            build: |fx, w, s| {
                Req::api(
                    "GET",
                    "/api/v1/service-engines",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    None,
                )
            },
            expect: [S(200), S(403), S(200), S(403)],
        },
        Case {
            key: "POST /service-engines",
            build: |fx, w, s| {
                let group = match s {
                    Side::Own => fx.clouds.acme_group.clone(),
                    Side::Other | Side::Mismatch => fx.clouds.globex_group.clone(),
                };
                let name = fx.fresh_name("se");
                let body = format!(
                    r#"{{"se_group_id":"{group}","name":"{name}","mgmt_ip":"10.4.0.{}"}}"#,
                    name.trim_start_matches("se-")
                );
                Req::api(
                    "POST",
                    "/api/v1/service-engines",
                    w,
                    Some(fx.tenant_id("acme")),
                    Some(body),
                )
            },
            expect: [S(201), S(404), S(403), S(403)],
        },
        Case {
            key: "DELETE /service-engines/{id}",
            build: |fx, w, s| {
                let id = match s {
                    Side::Own => fx.clouds.acme_se(),
                    Side::Other | Side::Mismatch => fx.clouds.globex_se.clone(),
                };
                Req::api(
                    "DELETE",
                    &format!("/api/v1/service-engines/{id}"),
                    w,
                    Some(fx.tenant_id("acme")),
                    None,
                )
            },
            expect: [S(204), S(404), S(403), S(403)],
        },
        Case {
            key: "GET /cloud-settings",
            build: |fx, w, s| {
                Req::api(
                    "GET",
                    "/api/v1/cloud-settings",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    None,
                )
            },
            expect: [S(200), S(403), S(200), S(403)],
        },
        Case {
            key: "PUT /cloud-settings",
            // Global admins only.
            build: |fx, w, s| {
                let body = r#"{"se_in_provider_context":true,"tenant_access_to_provider_se":false,"tenant_vrf":false}"#;
                Req::api(
                    "PUT",
                    "/api/v1/cloud-settings",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    Some(body.into()),
                )
            },
            expect: [S(403), S(403), S(403), S(403)],
        },
        // NCS networking (seed 000).
        Case {
            key: "GET /workspaces",
            build: |fx, w, s| {
                Req::api(
                    "GET",
                    "/api/v1/workspaces",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    None,
                )
            },
            expect: [S(200), S(403), S(200), S(403)],
        },
        Case {
            key: "POST /workspaces",
            build: |fx, w, s| {
                Req::api(
                    "POST",
                    "/api/v1/workspaces",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    Some(format!(
                        r#"{{"name":"{}","labels":["ide"]}}"#,
                        fx.fresh_name("ws")
                    )),
                )
            },
            expect: [S(201), S(403), S(403), S(403)],
        },
        Case {
            key: "PATCH /workspaces/{id}",
            build: |fx, w, s| {
                let id = match s {
                    Side::Own => fx.acme_workspace(),
                    Side::Other | Side::Mismatch => fx.globex_workspace.clone(),
                };
                Req::api(
                    "PATCH",
                    &format!("/api/v1/workspaces/{id}"),
                    w,
                    Some(fx.tenant_id("acme")),
                    Some(r#"{"labels":["moved"]}"#.into()),
                )
            },
            expect: [S(200), S(404), S(403), S(403)],
        },
        Case {
            key: "DELETE /workspaces/{id}",
            build: |fx, w, s| {
                let id = match s {
                    Side::Own => fx.acme_workspace(),
                    Side::Other | Side::Mismatch => fx.globex_workspace.clone(),
                };
                Req::api(
                    "DELETE",
                    &format!("/api/v1/workspaces/{id}"),
                    w,
                    Some(fx.tenant_id("acme")),
                    None,
                )
            },
            expect: [S(204), S(404), S(403), S(403)],
        },
        Case {
            key: "GET /services",
            build: |fx, w, s| {
                Req::api(
                    "GET",
                    "/api/v1/services",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    None,
                )
            },
            expect: [S(200), S(403), S(200), S(403)],
        },
        Case {
            key: "POST /services",
            build: |fx, w, s| {
                Req::api(
                    "POST",
                    "/api/v1/services",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    Some(format!(
                        r#"{{"name":"{}","port":443,"protocol":"https"}}"#,
                        fx.fresh_name("svc")
                    )),
                )
            },
            expect: [S(201), S(403), S(403), S(403)],
        },
        Case {
            key: "PATCH /services/{id}",
            build: |fx, w, s| {
                let id = match s {
                    Side::Own => fx.acme_service(),
                    Side::Other | Side::Mismatch => fx.globex_service.clone(),
                };
                Req::api(
                    "PATCH",
                    &format!("/api/v1/services/{id}"),
                    w,
                    Some(fx.tenant_id("acme")),
                    Some(r#"{"port":9999,"protocol":"tcp"}"#.into()),
                )
            },
            expect: [S(200), S(404), S(403), S(403)],
        },
        Case {
            key: "DELETE /services/{id}",
            build: |fx, w, s| {
                let id = match s {
                    Side::Own => fx.acme_service(),
                    Side::Other | Side::Mismatch => fx.globex_service.clone(),
                };
                Req::api(
                    "DELETE",
                    &format!("/api/v1/services/{id}"),
                    w,
                    Some(fx.tenant_id("acme")),
                    None,
                )
            },
            expect: [S(204), S(404), S(403), S(403)],
        },
        Case {
            key: "GET /remote-services",
            build: |fx, w, s| {
                Req::api(
                    "GET",
                    "/api/v1/remote-services",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    None,
                )
            },
            expect: [S(200), S(403), S(200), S(403)],
        },
        Case {
            key: "GET /network-policies",
            build: |fx, w, s| {
                Req::api(
                    "GET",
                    "/api/v1/network-policies",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    None,
                )
            },
            expect: [S(200), S(403), S(200), S(403)],
        },
        Case {
            // JSON is YAML too: this entry also covers the JSON body.
            key: "POST /network-policies",
            build: |fx, w, s| {
                let body = format!(
                    r#"{{"kind":"NCSPolicy","metadata":{{"name":"{}"}},"spec":{{"source":{{"workspaceLabel":"ide"}},"destination":{{"tenantID":"{}","serviceName":"svc"}},"action":"allow"}}}}"#,
                    fx.fresh_name("posted"),
                    fx.tenant_id("provider_0")
                );
                Req::api(
                    "POST",
                    "/api/v1/network-policies",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    Some(body),
                )
            },
            expect: [S(201), S(403), S(403), S(403)],
        },
        Case {
            key: "GET /network-policies/{name}",
            build: |fx, w, s| {
                let name = match s {
                    Side::Own => fx.acme_policy.clone(),
                    Side::Other | Side::Mismatch => fx.globex_policy.clone(),
                };
                Req::api(
                    "GET",
                    &format!("/api/v1/network-policies/{name}"),
                    w,
                    Some(fx.tenant_id("acme")),
                    None,
                )
            },
            expect: [S(200), S(404), S(200), S(404)],
        },
        Case {
            key: "PUT /network-policies/{name}",
            build: |fx, w, s| {
                let name = fx.acme_policy.clone();
                let body = format!(
                    r#"{{"kind":"NCSPolicy","metadata":{{"name":"{name}"}},"spec":{{"source":{{"workspaceLabel":"ide"}},"destination":{{"tenantID":"{}","serviceName":"svc"}},"action":"allow"}}}}"#,
                    fx.tenant_id("provider_0")
                );
                Req::api(
                    "PUT",
                    &format!("/api/v1/network-policies/{name}"),
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    Some(body),
                )
            },
            expect: [S(200), S(403), S(403), S(403)],
        },
        Case {
            key: "DELETE /network-policies/{name}",
            build: |fx, w, s| {
                let name = match s {
                    Side::Own => fx.acme_pool_policy(),
                    Side::Other | Side::Mismatch => fx.globex_policy.clone(),
                };
                Req::api(
                    "DELETE",
                    &format!("/api/v1/network-policies/{name}"),
                    w,
                    Some(fx.tenant_id("acme")),
                    None,
                )
            },
            expect: [S(204), S(404), S(403), S(403)],
        },
        Case {
            key: "GET /iam-policies",
            build: |fx, w, s| {
                Req::api(
                    "GET",
                    "/api/v1/iam-policies",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    None,
                )
            },
            expect: [S(200), S(403), S(200), S(403)],
        },
        Case {
            key: "POST /iam-policies",
            build: |fx, w, s| {
                let body = serde_json::json!({ "name": fx.fresh_name("iam-posted"), "text": support::IAM_V1 }).to_string();
                Req::api(
                    "POST",
                    "/api/v1/iam-policies",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    Some(body),
                )
            },
            expect: [S(201), S(403), S(403), S(403)],
        },
        Case {
            key: "GET /iam-policies/{name}",
            build: |fx, w, s| {
                let name = match s {
                    Side::Own => fx.acme_iam.clone(),
                    Side::Other | Side::Mismatch => fx.globex_iam.clone(),
                };
                Req::api(
                    "GET",
                    &format!("/api/v1/iam-policies/{name}"),
                    w,
                    Some(fx.tenant_id("acme")),
                    None,
                )
            },
            expect: [S(200), S(404), S(200), S(404)],
        },
        Case {
            key: "PUT /iam-policies/{name}",
            build: |fx, w, s| {
                let text = format!("# {}\n{}", fx.fresh_name("put"), support::IAM_V2);
                let body = serde_json::json!({ "text": text }).to_string();
                Req::api(
                    "PUT",
                    &format!("/api/v1/iam-policies/{}", fx.acme_iam),
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    Some(body),
                )
            },
            expect: [S(200), S(403), S(403), S(403)],
        },
        Case {
            key: "DELETE /iam-policies/{name}",
            build: |fx, w, s| {
                let name = match s {
                    Side::Own => fx.acme_iam_pool(),
                    Side::Other | Side::Mismatch => fx.globex_iam.clone(),
                };
                Req::api(
                    "DELETE",
                    &format!("/api/v1/iam-policies/{name}"),
                    w,
                    Some(fx.tenant_id("acme")),
                    None,
                )
            },
            expect: [S(204), S(404), S(403), S(403)],
        },
        Case {
            key: "GET /iam-policies/{name}/versions",
            build: |fx, w, s| {
                let name = match s {
                    Side::Own => fx.acme_iam.clone(),
                    Side::Other | Side::Mismatch => fx.globex_iam.clone(),
                };
                Req::api(
                    "GET",
                    &format!("/api/v1/iam-policies/{name}/versions"),
                    w,
                    Some(fx.tenant_id("acme")),
                    None,
                )
            },
            expect: [S(200), S(404), S(200), S(404)],
        },
        Case {
            key: "POST /iam-policies/{name}/versions/{version}/restore",
            build: |fx, w, s| {
                let name = match s {
                    Side::Own => fx.acme_iam_pool(),
                    Side::Other | Side::Mismatch => fx.globex_iam.clone(),
                };
                Req::api(
                    "POST",
                    &format!("/api/v1/iam-policies/{name}/versions/1/restore"),
                    w,
                    Some(fx.tenant_id("acme")),
                    None,
                )
            },
            expect: [S(200), S(404), S(403), S(403)],
        },
        Case {
            key: "POST /iam/simulate",
            build: |fx, w, s| {
                let acme = fx.tenant_id("acme");
                let body = serde_json::json!({
                    "principal": { "tenant_id": acme, "groups": ["Ops"] },
                    "verb": "read", "resource_type": "clusters", "target_tenant_id": acme,
                })
                .to_string();
                Req::api(
                    "POST",
                    "/api/v1/iam/simulate",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    Some(body),
                )
            },
            expect: [S(200), S(403), S(200), S(403)],
        },
        Case {
            key: "POST /connectivity-check",
            build: |fx, w, s| {
                let body = format!(
                    r#"{{"workspace_label":"ide","tenant_id":"{}","service_name":"svc"}}"#,
                    fx.tenant_id("provider_0")
                );
                Req::api(
                    "POST",
                    "/api/v1/connectivity-check",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    Some(body),
                )
            },
            expect: [S(200), S(403), S(200), S(403)],
        },
        Case {
            // Only data planes report traffic: people's tokens are refused in any tenant.
            key: "POST /traffic",
            build: |fx, w, s| {
                let id = match s {
                    Side::Own => fx.acme_connection(),
                    Side::Other | Side::Mismatch => fx.globex_connection.clone(),
                };
                let body = format!(
                    r#"[{{"connection_id":"{id}","bytes":1,"flows":1,"at":{}}}]"#,
                    domain::now_ms()
                );
                Req::api(
                    "POST",
                    "/api/v1/traffic",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    Some(body),
                )
            },
            expect: [S(403), S(403), S(403), S(403)],
        },
        Case {
            key: "GET /connections/{id}/traffic",
            build: |fx, w, s| {
                let id = match s {
                    Side::Own => fx.acme_connection(),
                    Side::Other | Side::Mismatch => fx.globex_connection.clone(),
                };
                Req::api(
                    "GET",
                    &format!("/api/v1/connections/{id}/traffic"),
                    w,
                    Some(fx.tenant_id("acme")),
                    None,
                )
            },
            expect: [S(200), S(404), S(200), S(404)],
        },
        // IAM groups.
        Case {
            key: "GET /groups",
            build: |fx, w, s| {
                Req::api(
                    "GET",
                    "/api/v1/groups",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    None,
                )
            },
            expect: [S(200), S(403), S(200), S(403)],
        },
        Case {
            key: "POST /groups",
            build: |fx, w, s| {
                let body = serde_json::json!({ "name": fx.fresh_name("grp") }).to_string();
                Req::api(
                    "POST",
                    "/api/v1/groups",
                    w,
                    Some(fx.tenant_id(tenant_for(s))),
                    Some(body),
                )
            },
            expect: [S(201), S(403), S(403), S(403)],
        },
        Case {
            key: "GET /groups/{name}",
            build: |fx, w, s| {
                let name = if s == Side::Own { "ops" } else { "globex-ops" };
                Req::api(
                    "GET",
                    &format!("/api/v1/groups/{name}"),
                    w,
                    Some(fx.tenant_id("acme")),
                    None,
                )
            },
            expect: [S(200), S(404), S(200), S(404)],
        },
        Case {
            key: "DELETE /groups/{name}",
            build: |fx, w, s| {
                let name = match s {
                    Side::Own => fx.acme_pool_group(),
                    Side::Other | Side::Mismatch => "globex-ops".to_string(),
                };
                Req::api(
                    "DELETE",
                    &format!("/api/v1/groups/{name}"),
                    w,
                    Some(fx.tenant_id("acme")),
                    None,
                )
            },
            expect: [S(204), S(404), S(403), S(403)],
        },
        Case {
            key: "POST /groups/{name}/members",
            build: |fx, w, s| {
                let name = if s == Side::Own { "ops" } else { "globex-ops" };
                let body = serde_json::json!({ "email": "victor@example.test" }).to_string();
                Req::api(
                    "POST",
                    &format!("/api/v1/groups/{name}/members"),
                    w,
                    Some(fx.tenant_id("acme")),
                    Some(body),
                )
            },
            expect: [S(201), S(404), S(403), S(403)],
        },
        Case {
            key: "DELETE /groups/{name}/members/{user_id}",
            build: |fx, w, s| {
                let name = match s {
                    Side::Own => fx.acme_pool_group(),
                    Side::Other | Side::Mismatch => "globex-ops".to_string(),
                };
                Req::api(
                    "DELETE",
                    &format!("/api/v1/groups/{name}/members/{}", fx.grouped),
                    w,
                    Some(fx.tenant_id("acme")),
                    None,
                )
            },
            expect: [S(204), S(404), S(403), S(403)],
        },
    ]
}

/// Whether an answer lets the call through (anything else refuses it).
fn allows(e: Expect) -> bool {
    match e {
        Expect::Ok => true,
        Expect::Status(s) => (200..300).contains(&s),
        Expect::NotFound | Expect::Forbidden => false,
    }
}

/// What one column of the matrix must answer.
#[derive(Clone, Copy, Debug)]
enum Want {
    /// Exactly this answer.
    Exactly(Expect),
    /// Let through (true) or refused in any way (false).
    Allowed(bool),
}

/// Whether the caches start cold for every call, or stay as the calls before left them.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Caches {
    Warm,
    Cold,
}

/// Everything of globex's that a call can name: its id and name (every object of the
/// fixture in globex has `globex` in its name) and the ids of its objects.
fn globex_names(fx: &Fx) -> Vec<String> {
    vec![
        fx.tenant_id("globex"),
        "globex".into(),
        fx.globex_member.clone(),
        fx.globex_connection.clone(),
        fx.globex_secret.clone(),
        fx.globex_workspace.clone(),
        fx.globex_service.clone(),
        fx.globex_alert.clone(),
        fx.clouds.globex_cloud.clone(),
        fx.clouds.globex_vrf.clone(),
        fx.clouds.globex_group.clone(),
        fx.clouds.globex_se.clone(),
    ]
}

/// Whether a call names any of `names` (in its path, form, tenant header or body).
fn names_any(req: &Req, names: &[String]) -> bool {
    let named = req.describe();
    names.iter().any(|n| named.contains(n.as_str()))
}

/// The columns of the matrix for one case: who calls, on which side, and what they must
/// get. `None`: the column does not apply (a mismatch call that names no object of the
/// other tenant is just a call in the caller's own tenant, covered by `Own`).
fn want(case: &Case, who: Who, side: Side, req: &Req, globex: &[String]) -> Option<Want> {
    let e = case.expect;
    Some(match (who, side) {
        (Who::TenantAdmin, Side::Own) => Want::Exactly(e[0]),
        (Who::TenantAdmin, Side::Other) => Want::Exactly(e[1]),
        (Who::Viewer, Side::Own) => Want::Exactly(e[2]),
        (Who::Viewer, Side::Other) => Want::Exactly(e[3]),
        (Who::TenantAdmin | Who::Viewer, Side::Mismatch) => {
            if !names_any(req, globex) {
                return None;
            }
            Want::Allowed(false)
        }
        // globex's admin against acme's objects: what acme's admin gets against globex's.
        (Who::OtherAdmin, Side::Own) => Want::Allowed(allows(e[1])),
        _ => unreachable!("no such column"),
    })
}

const COLUMNS: [(Who, Side); 7] = [
    (Who::TenantAdmin, Side::Own),
    (Who::TenantAdmin, Side::Other),
    (Who::TenantAdmin, Side::Mismatch),
    (Who::Viewer, Side::Own),
    (Who::Viewer, Side::Other),
    (Who::Viewer, Side::Mismatch),
    (Who::OtherAdmin, Side::Own),
];

async fn check(fx: &Fx, what: &str, cases: Vec<Case>, caches: Caches) {
    let mut failures = Vec::new();
    let (mut calls, mut allowed, mut refused) = (0, 0, 0);
    let (mut unexpected_allows, mut unexpected_denies, mut leaks) = (0, 0, 0);
    let (mut mismatches, mut other_admin) = (0, 0);
    let globex = globex_names(fx);
    let acme = [fx.tenant_id("acme"), "\"acme\"".into(), "/t/acme".into()];
    if caches == Caches::Warm {
        // Every tenant's compiled policies in the cache before the first call.
        for (who, tenant) in [(Who::TenantAdmin, "acme"), (Who::OtherAdmin, "globex")] {
            let res = fx
                .send(who, Req::sfn("dashboard", &[("tenant", tenant)]))
                .await;
            assert_eq!(res.status, 200, "warming the caches: {}", res.body);
        }
    }
    for case in &cases {
        for (who, side) in COLUMNS {
            let req = (case.build)(fx, who, side);
            let Some(want) = want(case, who, side, &req, &globex) else {
                continue;
            };
            if caches == Caches::Cold {
                fx.db.clear_caches();
            }
            let res = fx.send(who, req).await;
            let got = match want {
                Want::Exactly(Expect::Status(_)) => Expect::Status(res.status),
                _ if res.status == 200 => Expect::Ok,
                _ if res.body.contains("\"NotFound\"") => Expect::NotFound,
                _ if res.body.contains("\"Forbidden\"") => Expect::Forbidden,
                _ => Expect::Status(res.status),
            };
            calls += 1;
            match side {
                Side::Mismatch => mismatches += 1,
                _ if who == Who::OtherAdmin => other_admin += 1,
                _ => {}
            }
            let expect_allow = match want {
                Want::Exactly(e) => allows(e),
                Want::Allowed(a) => a,
            };
            match (expect_allow, allows(got)) {
                (true, true) => allowed += 1,
                (false, false) => refused += 1,
                (false, true) => unexpected_allows += 1,
                (true, false) => unexpected_denies += 1,
            }
            let right = match want {
                Want::Exactly(e) => got == e,
                Want::Allowed(a) => allows(got) == a,
            };
            if !right {
                failures.push(format!(
                    "{} as {who:?} on {side:?}: expected {want:?}, got {got:?} ({})",
                    case.key,
                    res.body.chars().take(200).collect::<String>()
                ));
            }
            // Whatever the answer, it never names the caller's other tenant.
            let leaked = if who == Who::OtherAdmin {
                acme.iter().any(|a| res.body.contains(a.as_str()))
            } else {
                (side != Side::Own && res.body.contains(&fx.tenant_id("globex")))
                    || res.body.contains("\"globex\"")
                    || res.body.contains("/t/globex")
            };
            if leaked {
                leaks += 1;
                failures.push(format!(
                    "{} as {who:?} on {side:?} leaked the other tenant: {}",
                    case.key,
                    res.body.chars().take(300).collect::<String>()
                ));
            }
        }
    }
    println!(
        "isolation matrix, {what}, caches {caches:?}: {calls} calls ({} entries x tenant admin \
         and viewer of acme x own tenant, other tenant and {mismatches} context/object \
         mismatches, and globex's admin against acme {other_admin} times): {allowed} allowed \
         and {refused} refused as expected, {unexpected_allows} unexpected allows, \
         {unexpected_denies} unexpected denies, {leaks} leaks of the other tenant",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "isolation matrix failures:\n{}",
        failures.join("\n")
    );
}

/// The path of every registered server function (`/fn/<endpoint>`).
fn registered_server_fns() -> BTreeSet<String> {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p.to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_function_is_in_the_matrix_and_isolates_tenants() {
    server_fn_matrix(Caches::Warm).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_server_function_isolates_tenants_with_cold_caches() {
    server_fn_matrix(Caches::Cold).await;
}

async fn server_fn_matrix(caches: Caches) {
    let fx = Fx::new().await;
    let registered = registered_server_fns();
    let cases = server_fn_cases();
    let covered: BTreeSet<String> = cases.iter().map(|c| c.key.to_string()).collect();
    assert!(!registered.is_empty(), "no server functions registered");
    let missing: Vec<_> = registered.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "server functions without an isolation matrix entry: {missing:?}"
    );
    let stale: Vec<_> = covered.difference(&registered).collect();
    assert!(
        stale.is_empty(),
        "matrix entries for server functions that do not exist: {stale:?}"
    );
    // Every server function declares its need, and the table names no other.
    let declared: BTreeSet<String> = app::access::SERVER_FNS
        .iter()
        .map(|(e, _)| format!("/fn/{e}"))
        .collect();
    let undeclared: Vec<_> = registered.difference(&declared).collect();
    assert!(
        undeclared.is_empty(),
        "server functions without a declared need in app::access::SERVER_FNS: {undeclared:?}"
    );
    let unknown: Vec<_> = declared.difference(&registered).collect();
    assert!(
        unknown.is_empty(),
        "needs declared for server functions that do not exist: {unknown:?}"
    );
    check(&fx, "server functions", cases, caches).await;
    fx.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rest_route_is_in_the_matrix_and_isolates_tenants() {
    rest_matrix(Caches::Warm).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rest_route_isolates_tenants_with_cold_caches() {
    rest_matrix(Caches::Cold).await;
}

async fn rest_matrix(caches: Caches) {
    let fx = Fx::new().await;
    let registered: BTreeSet<String> = server::rest::registered_routes()
        .into_iter()
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    let cases = rest_cases();
    let covered: BTreeSet<String> = cases.iter().map(|c| c.key.to_string()).collect();
    let missing: Vec<_> = registered.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "REST routes without an isolation matrix entry: {missing:?}"
    );
    let stale: Vec<_> = covered.difference(&registered).collect();
    assert!(
        stale.is_empty(),
        "matrix entries for REST routes that do not exist: {stale:?}"
    );
    check(&fx, "REST routes", cases, caches).await;
    fx.finish().await;
}

/// What the statements of the fixture give a principal, decided from the declared need
/// alone: the model the matrix holds enforcement to.
#[derive(Clone, Copy, Debug)]
enum Model {
    /// A viewer of acme whose group may manage network-family.
    NetOps,
    /// The same group member holding no role at all (a member with no role).
    NetOpsMember,
    /// A user of globex admitted into acme with this verb on network-family.
    Admitted(policy::iam::Verb),
    /// The same user once acme's Admit is gone.
    AdmitDeleted,
}

fn network_family(ty: &policy::iam::catalogue::ResourceType) -> bool {
    ty.families.contains(&"network-family")
}

/// Whether the model allows a tenant-scoped need in acme.
fn model_allows(model: Model, need: policy::access::Need) -> bool {
    use policy::access::Need;
    use policy::iam::{catalogue, Verb};
    let perm = match need {
        Need::InTenant => return !matches!(model, Model::AdmitDeleted),
        Need::Permission(p) => catalogue::permission(p).expect("declared permissions are known"),
        _ => unreachable!("only tenant-scoped needs are modelled"),
    };
    let (ty, verb) = perm;
    match model {
        Model::NetOps => network_family(ty) || verb <= Verb::Read,
        Model::NetOpsMember => network_family(ty),
        Model::Admitted(granted) => network_family(ty) && verb <= granted,
        Model::AdmitDeleted => false,
    }
}

/// The declared need of every entry point, keyed like the matrix's cases.
fn declared_needs() -> std::collections::HashMap<String, policy::access::Need> {
    let mut needs: std::collections::HashMap<String, policy::access::Need> =
        app::access::SERVER_FNS
            .iter()
            .map(|(e, n)| (format!("/fn/{e}"), *n))
            .collect();
    needs.extend(
        server::rest::registered_routes()
            .into_iter()
            .map(|(m, p, n)| (format!("{m} {p}"), n)),
    );
    needs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statements_decide_for_group_members_and_admitted_users_on_every_route() {
    use policy::access::Need;
    use policy::iam::Verb;
    let needs = declared_needs();
    let phases = [
        ("group member (netops)", Who::NetOps, Model::NetOps),
        (
            "group member with no role (netops)",
            Who::NetOps,
            Model::NetOpsMember,
        ),
        ("admitted, read", Who::Partner, Model::Admitted(Verb::Read)),
        (
            "admitted, manage",
            Who::Partner,
            Model::Admitted(Verb::Manage),
        ),
        ("admit deleted", Who::Partner, Model::AdmitDeleted),
    ];
    let mut failures = Vec::new();
    let mut report = Vec::new();
    for (label, who, model) in phases {
        let (mut allows, mut denies, mut unexpected_allows, mut unexpected_denies) = (0, 0, 0, 0);
        // A fresh fixture per principal and per kind of entry point: the calls consume
        // pools (deleted objects, used secrets) and count toward rate limits.
        for cases in [server_fn_cases(), rest_cases()] {
            let mut fx = Fx::new().await;
            fx.add_iam_principals("read").await;
            match model {
                Model::Admitted(Verb::Manage) => fx.set_admission("manage").await,
                Model::AdmitDeleted => fx.delete_admit().await,
                Model::NetOpsMember => fx.set_netops_role(policy::Role::Member).await,
                _ => {}
            }
            for case in &cases {
                let need = needs[case.key];
                if !matches!(need, Need::InTenant | Need::Permission(_)) {
                    continue;
                }
                let req = (case.build)(&fx, who, Side::Own);
                let res = fx.send(who, req).await;
                let sfn = case.key.starts_with("/fn/");
                let allowed = model_allows(model, need);
                // Allowed: what the tenant admin gets. Refused: a member is told what is
                // missing (403); anyone else finds nothing (404), or no role (403) over REST
                // once not admitted at all.
                let expected = if allowed {
                    case.expect[0]
                } else {
                    match (model, sfn) {
                        (Model::NetOps | Model::NetOpsMember, true) => Expect::Forbidden,
                        (Model::NetOps | Model::NetOpsMember, false) => Expect::Status(403),
                        (Model::Admitted(_), true) | (Model::AdmitDeleted, true) => {
                            Expect::NotFound
                        }
                        (Model::Admitted(_), false) => Expect::Status(404),
                        (Model::AdmitDeleted, false) => Expect::Status(403),
                    }
                };
                let got = match expected {
                    Expect::Status(_) => Expect::Status(res.status),
                    _ if res.status == 200 => Expect::Ok,
                    _ if res.body.contains("\"NotFound\"") => Expect::NotFound,
                    _ if res.body.contains("\"Forbidden\"") => Expect::Forbidden,
                    _ => Expect::Status(res.status),
                };
                let got_allowed = (200..300).contains(&res.status);
                if allowed {
                    allows += 1;
                } else {
                    denies += 1;
                }
                if got != expected {
                    if got_allowed && !allowed {
                        unexpected_allows += 1;
                    } else if !got_allowed && allowed {
                        unexpected_denies += 1;
                    }
                    failures.push(format!(
                        "{label}: {} expected {expected:?}, got {got:?} ({})",
                        case.key,
                        res.body.chars().take(200).collect::<String>()
                    ));
                }
                if res.body.contains("\"globex\"")
                    && matches!(model, Model::NetOps | Model::NetOpsMember)
                {
                    failures.push(format!("{label}: {} leaked globex's name", case.key));
                }
            }
            fx.finish().await;
        }
        report.push(format!(
            "{label}: {allows} expected allows, {denies} expected denies; {unexpected_allows} unexpected allows, {unexpected_denies} unexpected denies"
        ));
    }
    println!("{}", report.join("\n"));
    assert!(
        failures.is_empty(),
        "{}\nfailures:\n{}",
        report.join("\n"),
        failures.join("\n")
    );
}

/// Every row of every table but the session store's, as text: two equal fingerprints
/// mean nothing was written in between.
/// Fails with every call that was not refused and every table the calls changed.
fn assert_none_through(what: &str, failures: &[String], changed: &[String]) {
    assert!(
        failures.is_empty(),
        "{what} not refused:\n{}",
        failures.join("\n")
    );
    assert!(changed.is_empty(), "{what} changed {changed:?}");
}

/// The tables whose rows differ from the `before` fingerprint.
async fn changed_since(
    fx: &Fx,
    before: &std::collections::BTreeMap<String, String>,
) -> Vec<String> {
    let after = fingerprint(fx).await;
    before
        .keys()
        .filter(|t| before.get(*t) != after.get(*t))
        .cloned()
        .collect()
}

async fn fingerprint(fx: &Fx) -> std::collections::BTreeMap<String, String> {
    use sqlx::Row;
    let url = format!("sqlite://{}", fx.db_file().display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT IN ('tower_sessions', '_sqlx_migrations') ORDER BY name",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut out = std::collections::BTreeMap::new();
    for t in tables {
        let cols: Vec<String> = sqlx::query(&format!("PRAGMA table_info(\"{t}\")"))
            .fetch_all(&pool)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>("name"))
            .collect();
        let row = cols
            .iter()
            .map(|c| format!("quote(\"{c}\")"))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let all: String = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) || ':' || coalesce(group_concat(r, ';'), '') \
             FROM (SELECT {row} AS r FROM \"{t}\" ORDER BY r)"
        ))
        .fetch_one(&pool)
        .await
        .unwrap();
        out.insert(t, all);
    }
    pool.close().await;
    out
}

/// Issue 13: a page on another site that makes the browser call any server function,
/// or any REST route that changes something, with the caller's credentials, is refused
/// (403) and changes nothing: every row of every table is the same afterwards. The
/// calls come from the registry and the router, with the matrix's own arguments, as a
/// tenant admin and as the global admin.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cross_site_call_of_any_mutation_is_refused_and_changes_nothing() {
    let fx = Fx::new().await;
    let registered_fns = registered_server_fns();
    let mutating_routes: BTreeSet<String> = server::rest::registered_routes()
        .into_iter()
        .filter(|(m, _, _)| *m != "GET")
        .map(|(m, p, _)| format!("{m} {p}"))
        .collect();
    let cases: Vec<Case> = server_fn_cases()
        .into_iter()
        .chain(rest_cases())
        .filter(|c| registered_fns.contains(c.key) || mutating_routes.contains(c.key))
        .collect();
    assert_eq!(
        cases.len(),
        registered_fns.len() + mutating_routes.len(),
        "a case for every server function and mutating route"
    );
    let before = fingerprint(&fx).await;
    let mut refused = 0;
    let mut failures = Vec::new();
    for case in &cases {
        for who in [Who::TenantAdmin, Who::GlobalAdmin] {
            let res = fx
                .send_cross_site(who, (case.build)(&fx, who, Side::Own))
                .await;
            if res.status == 403 && res.body.contains("cross_site_request") {
                refused += 1;
            } else {
                failures.push(format!(
                    "{} as {who:?}: {} {}",
                    case.key, res.status, res.body
                ));
            }
        }
    }
    // The login routes outside the registry: a cross-site logout or password login.
    let form = format!(
        "email={}&password={}",
        app::components::encode(support::ADMIN_EMAIL),
        app::components::encode(support::ADMIN_PASSWORD),
    );
    for (path, body) in [("/auth/logout", String::new()), ("/auth/local", form)] {
        let req = axum::http::Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", fx.cookie(Who::GlobalAdmin))
            .body(axum::body::Body::from(body))
            .unwrap();
        let res = fx.send_cross_site(Who::Anonymous, Req::Raw(req)).await;
        if res.status == 403 {
            refused += 1;
        } else {
            failures.push(format!("POST {path}: {} {}", res.status, res.body));
        }
    }
    let still = fx.send_page(Who::GlobalAdmin, "/admin/tenants").await;
    assert_eq!(still.status, 200, "the global admin is still logged in");
    let changed = changed_since(&fx, &before).await;
    println!(
        "cross-site calls: {refused} refused of {} ({} server functions, {} mutating routes, 2 login routes); tables changed: {}",
        cases.len() * 2 + 2,
        registered_fns.len(),
        mutating_routes.len(),
        changed.len()
    );
    assert_none_through("cross-site calls", &failures, &changed);
    fx.finish().await;
}

/// Issue 13, the anonymous principal: every server function and every REST route,
/// generated from the registry and the router with the matrix's own arguments, called
/// with no session and no token. Whatever declares a need beyond `Public` refuses (401,
/// or `Unauthenticated` from a server function), and nothing changes in any table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anonymous_caller_reaches_nothing_but_the_public_entry_points() {
    use policy::access::Need;
    let fx = Fx::new().await;
    let needs = declared_needs();
    let cases: Vec<Case> = server_fn_cases().into_iter().chain(rest_cases()).collect();
    let before = fingerprint(&fx).await;
    let (mut refused, mut public, mut failures) = (0, 0, Vec::new());
    for case in &cases {
        let Some(need) = needs.get(case.key) else {
            failures.push(format!("{}: no declared need", case.key));
            continue;
        };
        let res = fx
            .send(
                Who::Anonymous,
                (case.build)(&fx, Who::TenantAdmin, Side::Own),
            )
            .await;
        if *need == Need::Public {
            public += 1;
        } else if res.status == 401 || res.body.contains("\"Unauthenticated\"") {
            refused += 1;
        } else {
            failures.push(format!(
                "{} ({need:?}) answered an anonymous caller {}: {}",
                case.key,
                res.status,
                res.body.chars().take(200).collect::<String>()
            ));
        }
    }
    let changed = changed_since(&fx, &before).await;
    println!(
        "anonymous: {refused} of {} entry points refused, {public} public, {} reached; tables changed: {}",
        cases.len(),
        failures.len(),
        changed.len()
    );
    assert_none_through("anonymous calls", &failures, &changed);
    fx.finish().await;
}

/// Entry points that delete the tenant they are called on: a global admin's pass calls
/// them last, so that every other call still finds the tenant.
const DESTROYS_TENANT: [&str; 2] = ["/fn/delete_tenant", "DELETE /tenants/{id}"];

/// What a global admin gets from a need: everything but the data plane's own calls.
fn global_admin_allowed(need: policy::access::Need) -> bool {
    !matches!(need, policy::access::Need::DataPlane)
}

/// Where a global admin's call passes authorisation and still gets another answer, for
/// a reason that is not the tenant: (entry, side, status, why).
const GLOBAL_ADMIN_ANSWERS: [(&str, Side, u16, &str); 12] = [
    (
        "/fn/create_cloud",
        Side::Own,
        404,
        "a wizard draft belongs to whoever started it",
    ),
    (
        "/fn/create_cloud",
        Side::Other,
        404,
        "a wizard draft belongs to whoever started it",
    ),
    (
        "/fn/restore_iam_version",
        Side::Other,
        422,
        "globex's policy has one version",
    ),
    (
        "POST /iam/simulate",
        Side::Other,
        422,
        "the question is about acme",
    ),
    (
        "/fn/audit_archives",
        Side::Own,
        404,
        "a live tenant has no archive",
    ),
    (
        "GET /audit-archive/{tenant_id}",
        Side::Own,
        404,
        "a live tenant has no archive",
    ),
    (
        "/fn/audit_archives",
        Side::Other,
        404,
        "a live tenant has no archive",
    ),
    (
        "GET /audit-archive/{tenant_id}",
        Side::Other,
        404,
        "a live tenant has no archive",
    ),
    (
        "/fn/save_network_policy",
        Side::Other,
        422,
        "the policy names acme's provider",
    ),
    (
        "POST /network-policies",
        Side::Other,
        422,
        "the policy names acme's provider",
    ),
    (
        "PUT /network-policies/{name}",
        Side::Other,
        422,
        "the policy names acme's provider",
    ),
    (
        "/fn/simulate_iam",
        Side::Other,
        422,
        "the question is about acme",
    ),
];

/// Whether a call names acme as its context: the `tenant` argument of a server
/// function, the `ActiveProjectID` header of a REST call.
fn acme_is_the_context(fx: &Fx, req: &Req) -> bool {
    match req {
        Req::Sfn { form, .. } => form.iter().any(|(k, v)| k == "tenant" && v == "acme"),
        Req::Api { project, .. } => project.as_deref() == Some(fx.tenant_id("acme").as_str()),
        Req::Raw(_) => false,
    }
}

/// The global admin, on every server function and route: in acme, in globex while
/// switched into acme (acme is the tenant of its session's last visit), and against a
/// context/object mismatch (acme as the context, an object of globex), which must be as
/// unknown to a global admin as to anyone: the object is not in the tenant named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_global_admin_reaches_every_tenant_but_never_across_a_mismatch() {
    let needs = declared_needs();
    let mut failures = Vec::new();
    let mut report = Vec::new();
    for (label, switched, sides) in [
        ("global admin", false, [Side::Own, Side::Mismatch]),
        (
            "global admin switched into acme",
            true,
            [Side::Other, Side::Mismatch],
        ),
    ] {
        let (mut calls, mut allowed, mut refused, mut mismatches, mut answered) = (0, 0, 0, 0, 0);
        let (mut unexpected_allows, mut unexpected_denies) = (0, 0);
        // A fresh fixture per pass and per kind of entry point: the calls consume what
        // they delete, and one of them deletes the tenant. Here every call succeeds on
        // globex's one object of each kind, so what deletes or removes goes after what
        // reads or changes, and what deletes the tenant goes last.
        for mut cases in [server_fn_cases(), rest_cases()] {
            cases.sort_by_key(|c| {
                let removes = ["delete_", "remove_", "revoke_", "DELETE "]
                    .iter()
                    .any(|w| c.key.contains(w));
                (DESTROYS_TENANT.contains(&c.key), removes)
            });
            let fx = Fx::new().await;
            let globex = globex_names(&fx);
            if switched {
                let res = fx
                    .send(
                        Who::GlobalAdmin,
                        Req::sfn("tenant_context", &[("tenant", "acme")]),
                    )
                    .await;
                assert_eq!(res.status, 200, "switching into acme: {}", res.body);
            }
            for case in &cases {
                for side in sides {
                    let req = (case.build)(&fx, Who::GlobalAdmin, side);
                    let names_globex = names_any(&req, &globex);
                    // (allowed, exact status): a call with acme as the context and an
                    // object of globex is a mismatch, whichever side built it.
                    let (expect_allow, exact) = if names_globex && acme_is_the_context(&fx, &req) {
                        mismatches += 1;
                        (false, None)
                    } else if side == Side::Mismatch {
                        // Names nothing of globex's: a call in acme, made on `Own`.
                        continue;
                    } else if let Some((.., status, _)) = GLOBAL_ADMIN_ANSWERS
                        .iter()
                        .find(|(k, sd, ..)| *k == case.key && *sd == side)
                    {
                        answered += 1;
                        (false, Some(*status))
                    } else {
                        (global_admin_allowed(needs[case.key]), None)
                    };
                    let res = fx.send(Who::GlobalAdmin, req).await;
                    let got = (200..300).contains(&res.status);
                    calls += 1;
                    match (expect_allow, got) {
                        (true, true) => allowed += 1,
                        (false, false) => refused += 1,
                        (false, true) => unexpected_allows += 1,
                        (true, false) => unexpected_denies += 1,
                    }
                    let right = match exact {
                        Some(status) => res.status == status,
                        None => expect_allow == got,
                    };
                    if !right {
                        failures.push(format!(
                            "{} as {label} on {side:?}: expected {}, got {} ({})",
                            case.key,
                            match exact {
                                Some(s) => s.to_string(),
                                None if expect_allow => "allowed".into(),
                                None => "refused".into(),
                            },
                            res.status,
                            res.body.chars().take(200).collect::<String>()
                        ));
                    }
                }
            }
            fx.finish().await;
        }
        report.push(format!(
            "{label}: {calls} calls ({mismatches} context/object mismatches, {answered} \
             answered for a reason other than the tenant), {allowed} allowed and {refused} \
             refused as expected, {unexpected_allows} unexpected allows, {unexpected_denies} \
             unexpected denies"
        ));
    }
    println!("isolation matrix, the global admin:\n{}", report.join("\n"));
    assert!(
        failures.is_empty(),
        "global admin failures:\n{}",
        failures.join("\n")
    );
}

/// A tenant admin of acme tries every way to reach past acme: a membership with the
/// `admin` role (global admin), a membership in globex or in the system tenant, and IAM
/// statements that name globex or the system tenant, or that hand acme's group all of
/// acme. Every attempt is refused, or accepted without effect: the group's member still
/// cannot reach globex, the system tenant, or the admin role. Counted: 0 escalations.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenant_admin_cannot_escalate_past_its_tenant_or_to_the_admin_role() {
    use domain::db::raw_scalar;
    let mut fx = Fx::new().await;
    fx.add_iam_principals("read").await;
    let system = domain::ids::SYSTEM_TENANT_ID.to_string();
    let (acme, globex) = (fx.tenant_id("acme"), fx.tenant_id("globex"));
    let alice = domain::directory::user_by_email(&fx.db, "alice@example.test")
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let nora = domain::directory::user_by_email(&fx.db, "nora@example.test")
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let counts = |fx: &Fx| {
        let db = fx.db.clone();
        let (globex, system) = (globex.clone(), system.clone());
        async move {
            (
                raw_scalar(&db, "SELECT COUNT(*) FROM memberships WHERE role = 'admin'")
                    .await
                    .unwrap(),
                raw_scalar(
                    &db,
                    &format!(
                        "SELECT COUNT(*) FROM memberships WHERE tenant_id IN ('{globex}', '{system}')"
                    ),
                )
                .await
                .unwrap(),
            )
        }
    };
    let before = counts(&fx).await;
    let iam = |name: &str, text: String| {
        Req::sfn(
            "save_iam_policy",
            &[
                ("tenant", "acme"),
                ("name", name),
                ("description", ""),
                ("text", &text),
                ("comment", ""),
                ("base", ""),
            ],
        )
    };
    // (what, who, request, may it be accepted: a statement that names another tenant is
    // acme's own business, as long as it gives nothing there)
    let attempts: Vec<(&str, Who, Req, bool)> = vec![
        (
            "add a member of acme as global admin",
            Who::TenantAdmin,
            Req::sfn(
                "add_member",
                &[("tenant", "acme"), ("email", &fx.fresh_email()), ("role", "admin")],
            ),
            false,
        ),
        (
            "make a member of acme global admin",
            Who::TenantAdmin,
            Req::sfn(
                "change_member_role",
                &[("tenant", "acme"), ("user_id", &fx.fresh_member("acme")), ("role", "admin")],
            ),
            false,
        ),
        (
            "make oneself global admin",
            Who::TenantAdmin,
            Req::sfn(
                "change_member_role",
                &[("tenant", "acme"), ("user_id", &alice), ("role", "admin")],
            ),
            false,
        ),
        (
            "join the system tenant as global admin",
            Who::TenantAdmin,
            Req::sfn(
                "add_member",
                &[("tenant", "admin"), ("email", "alice@example.test"), ("role", "admin")],
            ),
            false,
        ),
        (
            "join globex as its tenant admin",
            Who::TenantAdmin,
            Req::sfn(
                "add_member",
                &[("tenant", "globex"), ("email", "alice@example.test"), ("role", "tenant-admin")],
            ),
            false,
        ),
        (
            "REST: add a global admin to acme",
            Who::TenantAdmin,
            Req::api(
                "POST",
                "/api/v1/members",
                Who::TenantAdmin,
                Some(acme.clone()),
                Some(format!(r#"{{"email":"{}","role":"admin"}}"#, fx.fresh_email())),
            ),
            false,
        ),
        (
            "REST: join the system tenant",
            Who::TenantAdmin,
            Req::api(
                "POST",
                "/api/v1/members",
                Who::TenantAdmin,
                Some(system.clone()),
                Some(r#"{"email":"alice@example.test","role":"admin"}"#.into()),
            ),
            false,
        ),
        (
            "REST: join globex",
            Who::TenantAdmin,
            Req::api(
                "POST",
                "/api/v1/members",
                Who::TenantAdmin,
                Some(globex.clone()),
                Some(r#"{"email":"alice@example.test","role":"tenant-admin"}"#.into()),
            ),
            false,
        ),
        (
            "IAM: endorse acme's group to manage everything in globex",
            Who::TenantAdmin,
            iam(
                "reach-globex",
                format!(
                    "Define tenancy Globex as {globex}\nEndorse group netops to manage all-resources in tenancy Globex\n"
                ),
            ),
            true,
        ),
        (
            "IAM: endorse acme's group to manage everything in the system tenant",
            Who::TenantAdmin,
            iam(
                "reach-admin",
                format!(
                    "Define tenancy Root as {system}\nEndorse group netops to manage all-resources in tenancy Root\n"
                ),
            ),
            true,
        ),
        (
            "IAM: let acme's group manage everything in acme, members included",
            Who::TenantAdmin,
            iam(
                "all-of-acme",
                "Allow group netops to manage all-resources in tenancy\n".into(),
            ),
            true,
        ),
        // The group's member, with every statement above in force.
        (
            "group member: make oneself global admin",
            Who::NetOps,
            Req::sfn(
                "change_member_role",
                &[("tenant", "acme"), ("user_id", &nora), ("role", "admin")],
            ),
            false,
        ),
        (
            "group member: add a global admin to acme",
            Who::NetOps,
            Req::sfn(
                "add_member",
                &[("tenant", "acme"), ("email", &fx.fresh_email()), ("role", "admin")],
            ),
            false,
        ),
        (
            "group member: read globex's members",
            Who::NetOps,
            Req::sfn("list_members", &[("tenant", "globex"), ("q", "")]),
            false,
        ),
        (
            "group member: add a member to globex",
            Who::NetOps,
            Req::sfn(
                "add_member",
                &[("tenant", "globex"), ("email", &fx.fresh_email()), ("role", "viewer")],
            ),
            false,
        ),
        (
            "group member: read the system tenant's members",
            Who::NetOps,
            Req::sfn("list_members", &[("tenant", "admin"), ("q", "")]),
            false,
        ),
        (
            "group member, REST: read globex's workspaces",
            Who::NetOps,
            Req::api("GET", "/api/v1/workspaces", Who::NetOps, Some(globex.clone()), None),
            false,
        ),
        (
            "group member, REST: create a workspace in globex",
            Who::NetOps,
            Req::api(
                "POST",
                "/api/v1/workspaces",
                Who::NetOps,
                Some(globex.clone()),
                Some(r#"{"name":"stolen","labels":["x"]}"#.into()),
            ),
            false,
        ),
    ];
    let (total, mut refused, mut accepted_without_effect, mut escalations) =
        (attempts.len(), 0, 0, 0);
    let mut failures = Vec::new();
    for (what, who, req, may_accept) in attempts {
        let res = fx.send(who, req).await;
        let accepted = (200..300).contains(&res.status);
        match (accepted, may_accept) {
            (false, _) => refused += 1,
            (true, true) => accepted_without_effect += 1,
            (true, false) => {
                escalations += 1;
                failures.push(format!(
                    "{what}: accepted ({} {})",
                    res.status,
                    res.body.chars().take(200).collect::<String>()
                ));
            }
        }
    }
    let after = counts(&fx).await;
    if after.0 != before.0 {
        escalations += 1;
        failures.push(format!(
            "global admins: {} before, {} after",
            before.0, after.0
        ));
    }
    if after.1 != before.1 {
        escalations += 1;
        failures.push(format!(
            "memberships of globex and the system tenant: {} before, {} after",
            before.1, after.1
        ));
    }
    println!(
        "escalation attempts by acme's tenant admin and its group: {total}, {refused} refused, \
         {accepted_without_effect} accepted without effect outside acme, {escalations} escalations"
    );
    assert!(failures.is_empty(), "escalations:\n{}", failures.join("\n"));
    fx.finish().await;
}
