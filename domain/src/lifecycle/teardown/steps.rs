//! The steps of a tenant's teardown, in their fixed order, and what each removes: the
//! table the rest of `teardown` (the dry run, the controller) reads. Kept apart so that
//! the order can be read and reviewed as one list.

use serde::{Deserialize, Serialize};

/// The component a step belongs to. Its watcher flag on the tenant row is set when it
/// has bootstrapped the tenant and cleared when its last teardown step is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Component {
    Network,
    Iam,
    Clouds,
    Console,
}

impl Component {
    /// The watcher column of the tenant row.
    pub(crate) fn watcher(self) -> &'static str {
        match self {
            Component::Network => "watcher_network",
            Component::Iam => "watcher_iam",
            Component::Clouds => "watcher_clouds",
            Component::Console => "watcher_console",
        }
    }
}

/// What a step removes, for the dry run: a kind of object and how to count it.
pub struct Kind {
    pub label: &'static str,
    pub(super) count_sql: &'static str,
}

/// One step of the teardown.
pub struct Step {
    pub key: &'static str,
    pub label: &'static str,
    pub component: Component,
    pub kinds: &'static [Kind],
    /// Deleted in this order by the step (children before parents), `WHERE tenant_id`.
    pub(super) tables: &'static [&'static str],
}

const fn kind(label: &'static str, count_sql: &'static str) -> Kind {
    Kind { label, count_sql }
}

/// The teardown, in order. Secrets go first so that nobody can open a new connection
/// while the rest runs; connections next, so the peers learn of it while everything
/// else still exists; the people and their sessions near the end, so an admin watching
/// the progress is logged out only when there is nothing left to watch; the audit log
/// last but one, so it records every step before it is archived.
pub const STEPS: &[Step] = &[
    Step {
        key: "secrets",
        label: "Invalidate connection secrets",
        component: Component::Network,
        kinds: &[kind(
            "connection secrets still redeemable",
            "SELECT COUNT(*) FROM connection_secrets WHERE tenant_id = $1 AND used_at IS NULL AND revoked_at IS NULL",
        )],
        tables: &[],
    },
    Step {
        key: "connections",
        label: "Revoke connections on both sides",
        component: Component::Network,
        kinds: &[kind(
            "active connections (each peer sees it Revoked, with an alert)",
            "SELECT COUNT(*) FROM connections WHERE tenant_id = $1 AND status = 'Active'",
        )],
        tables: &[],
    },
    Step {
        key: "network-policies",
        label: "Delete network policies",
        component: Component::Network,
        kinds: &[kind(
            "network policies",
            "SELECT COUNT(*) FROM network_policies WHERE tenant_id = $1",
        )],
        tables: &["network_policies"],
    },
    Step {
        key: "iam",
        label: "Delete IAM policies and their versions",
        component: Component::Iam,
        kinds: &[
            kind(
                "IAM policies",
                "SELECT COUNT(*) FROM iam_policies WHERE tenant_id = $1",
            ),
            kind(
                "IAM policy versions",
                "SELECT COUNT(*) FROM iam_policy_versions WHERE tenant_id = $1",
            ),
        ],
        tables: &["iam_policy_versions", "iam_policies", "iam_admits"],
    },
    Step {
        key: "groups",
        label: "Delete groups",
        component: Component::Iam,
        kinds: &[
            kind(
                "groups",
                "SELECT COUNT(*) FROM iam_groups WHERE tenant_id = $1",
            ),
            kind(
                "group memberships",
                "SELECT COUNT(*) FROM iam_group_members WHERE tenant_id = $1",
            ),
        ],
        tables: &["iam_group_members", "iam_groups"],
    },
    Step {
        key: "clouds",
        label: "Delete clouds with their VRF contexts, SE groups and Service Engines",
        component: Component::Clouds,
        kinds: &[
            kind("clouds", "SELECT COUNT(*) FROM clouds WHERE tenant_id = $1"),
            kind(
                "VRF contexts",
                "SELECT COUNT(*) FROM vrf_contexts WHERE tenant_id = $1",
            ),
            kind(
                "SE groups",
                "SELECT COUNT(*) FROM se_groups WHERE tenant_id = $1",
            ),
            kind(
                "Service Engines",
                "SELECT COUNT(*) FROM service_engines WHERE tenant_id = $1",
            ),
            kind(
                "cloud wizard drafts",
                "SELECT COUNT(*) FROM cloud_drafts WHERE tenant_id = $1",
            ),
        ],
        tables: &[
            "service_engines",
            "se_groups",
            "vrf_contexts",
            "cloud_drafts",
            "clouds",
        ],
    },
    Step {
        key: "network",
        label: "Delete workspaces, services, traffic and connection records",
        component: Component::Network,
        kinds: &[
            kind(
                "workspaces",
                "SELECT COUNT(*) FROM workspaces WHERE tenant_id = $1",
            ),
            kind(
                "services",
                "SELECT COUNT(*) FROM services WHERE tenant_id = $1",
            ),
            kind(
                "days of traffic",
                "SELECT COUNT(*) FROM traffic_daily WHERE tenant_id = $1",
            ),
            kind(
                "connection records",
                "SELECT COUNT(*) FROM connections WHERE tenant_id = $1",
            ),
            kind(
                "connection secrets",
                "SELECT COUNT(*) FROM connection_secrets WHERE tenant_id = $1",
            ),
        ],
        tables: &[
            "workspace_labels",
            "workspaces",
            "services",
            "traffic_daily",
            "connections",
            "connection_secrets",
        ],
    },
    Step {
        key: "access",
        label: "End memberships, sessions and API tokens",
        component: Component::Console,
        kinds: &[
            kind(
                "memberships (their sessions end at once)",
                "SELECT COUNT(*) FROM memberships WHERE tenant_id = $1",
            ),
            kind(
                "API tokens of members with no other tenant",
                "SELECT COUNT(*) FROM api_tokens WHERE user_id IN (SELECT user_id FROM memberships WHERE tenant_id = $1) \
                 AND user_id NOT IN (SELECT user_id FROM memberships WHERE tenant_id <> $1)",
            ),
            kind(
                "alerts",
                "SELECT COUNT(*) FROM alerts WHERE tenant_id = $1",
            ),
        ],
        tables: &["memberships", "recent_tenants", "tenant_labels", "alerts"],
    },
    Step {
        key: "audit",
        label: "Archive the audit log; delete the logs and usage",
        component: Component::Console,
        kinds: &[
            kind(
                "audit records (kept for the retention period, for global admins)",
                "SELECT COUNT(*) FROM audit_events WHERE tenant_id = $1",
            ),
            kind(
                "log lines",
                "SELECT COUNT(*) FROM tenant_logs WHERE tenant_id = $1",
            ),
            kind(
                "usage records (export them first for billing)",
                "SELECT COUNT(*) FROM usage_daily WHERE tenant_id = $1",
            ),
        ],
        tables: &["tenant_logs", "usage_daily"],
    },
    Step {
        key: "tenant",
        label: "Delete the tenant",
        component: Component::Console,
        kinds: &[kind(
            "tenant",
            "SELECT COUNT(*) FROM tenants WHERE id = $1",
        )],
        tables: &[],
    },
];
