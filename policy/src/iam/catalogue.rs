//! The resource catalogue: every resource type a statement may name, the families that
//! group them, and the permissions each verb gives on each type.
//!
//! It is data in one place so that the parser (unknown names, suggestions), the
//! evaluator (does `manage cluster-family` cover `CLUSTER_NODE_POOL_CREATE`?), the
//! editor's completion and the console's enforcement all read the same table. A type's
//! permissions follow one rule from its prefix, cumulative by verb:
//! `inspect` gives `P_INSPECT`; `read` adds `P_READ`; `use` adds `P_USE` and `P_UPDATE`;
//! `manage` adds `P_CREATE`, `P_DELETE` and `P_MANAGE`.

use super::ast::Verb;

/// One resource type: its name in statements, its permission prefix, and its families.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceType {
    pub name: &'static str,
    pub prefix: &'static str,
    pub families: &'static [&'static str],
}

/// The family that holds every type.
pub const ALL_RESOURCES: &str = "all-resources";

macro_rules! types {
    ($($name:literal => $prefix:literal in [$($family:literal),*];)*) => {
        /// Every resource type, OCI's of seed 001 first, then Tenantry's own objects.
        pub const TYPES: &[ResourceType] = &[
            $(ResourceType { name: $name, prefix: $prefix, families: &[$($family),*] },)*
        ];
    };
}

types! {
    // OCI Kubernetes Engine (seed 001).
    "clusters" => "CLUSTER" in ["cluster-family"];
    "cluster-node-pools" => "CLUSTER_NODE_POOL" in ["cluster-family"];
    "cluster-virtual-node-pools" => "CLUSTER_VIRTUAL_NODE_POOL" in ["cluster-family"];
    "cluster-work-requests" => "CLUSTER_WORK_REQUEST" in ["cluster-family"];
    // OCI networking.
    "vcns" => "VCN" in ["virtual-network-family"];
    "subnets" => "SUBNET" in ["virtual-network-family"];
    "route-tables" => "ROUTE_TABLE" in ["virtual-network-family"];
    "security-lists" => "SECURITY_LIST" in ["virtual-network-family"];
    "network-security-groups" => "NETWORK_SECURITY_GROUP" in ["virtual-network-family"];
    "internet-gateways" => "INTERNET_GATEWAY" in ["virtual-network-family"];
    "nat-gateways" => "NAT_GATEWAY" in ["virtual-network-family"];
    "vnics" => "VNIC" in ["virtual-network-family", "instance-family"];
    // OCI compute and storage.
    "instances" => "INSTANCE" in ["instance-family"];
    "instance-images" => "INSTANCE_IMAGE" in ["instance-family"];
    "instance-console-connection" => "INSTANCE_CONSOLE_CONNECTION" in ["instance-family"];
    "volume-attachments" => "VOLUME_ATTACHMENT" in ["instance-family", "volume-family"];
    "volumes" => "VOLUME" in ["volume-family"];
    "volume-backups" => "VOLUME_BACKUP" in ["volume-family"];
    "buckets" => "BUCKET" in ["object-family"];
    "objects" => "OBJECT" in ["object-family"];
    "compartments" => "COMPARTMENT" in [];
    // Tenantry: networking between tenants (seed 000).
    "workspaces" => "WORKSPACE" in ["network-family"];
    "services" => "SERVICE" in ["network-family"];
    "network-policies" => "NETWORK_POLICY" in ["network-family"];
    "connections" => "CONNECTION" in ["network-family"];
    "connection-secrets" => "CONNECTION_SECRET" in ["network-family"];
    // Tenantry: clouds (seed 002).
    "clouds" => "CLOUD" in ["cloud-family"];
    "vrf-contexts" => "VRF_CONTEXT" in ["cloud-family"];
    "se-groups" => "SE_GROUP" in ["cloud-family"];
    "service-engines" => "SERVICE_ENGINE" in ["cloud-family"];
    // Tenantry: identity, people and the record of changes.
    "iam-policies" => "IAM_POLICY" in ["iam-family"];
    "groups" => "GROUP" in ["iam-family"];
    "members" => "MEMBER" in [];
    "audit-events" => "AUDIT_EVENT" in [];
    "alerts" => "ALERT" in [];
    // Tenantry: the tenant as a container (seed 003).
    "logs" => "LOG" in [];
    "metrics" => "METRIC" in [];
    "usage" => "USAGE" in [];
}

/// Every family name, `all-resources` first.
pub const FAMILIES: &[&str] = &[
    ALL_RESOURCES,
    "cluster-family",
    "virtual-network-family",
    "instance-family",
    "volume-family",
    "object-family",
    "network-family",
    "cloud-family",
    "iam-family",
];

/// The permission suffixes each verb adds to the ones before it.
const SUFFIXES: [&[&str]; 4] = [
    &["INSPECT"],
    &["READ"],
    &["USE", "UPDATE"],
    &["CREATE", "DELETE", "MANAGE"],
];

/// A resource type by name (case-insensitive).
pub fn resource_type(name: &str) -> Option<&'static ResourceType> {
    TYPES.iter().find(|t| t.name.eq_ignore_ascii_case(name))
}

/// Whether `name` is a family (case-insensitive), including `all-resources`.
pub fn is_family(name: &str) -> bool {
    FAMILIES.iter().any(|f| f.eq_ignore_ascii_case(name))
}

/// The canonical spelling of a type or family name, or `None` when it is neither.
pub fn canonical_resource(name: &str) -> Option<&'static str> {
    resource_type(name).map(|t| t.name).or_else(|| {
        FAMILIES
            .iter()
            .copied()
            .find(|f| f.eq_ignore_ascii_case(name))
    })
}

/// Whether the resource (a type or a family) named in a statement covers a type.
pub fn covers(resource: &str, ty: &ResourceType) -> bool {
    resource.eq_ignore_ascii_case(ALL_RESOURCES)
        || resource.eq_ignore_ascii_case(ty.name)
        || ty.families.iter().any(|f| f.eq_ignore_ascii_case(resource))
}

/// The types a statement's resource covers.
pub fn members(resource: &str) -> impl Iterator<Item = &'static ResourceType> + '_ {
    TYPES.iter().filter(move |t| covers(resource, t))
}

/// The permissions `verb` gives on a type, cumulative (`manage` includes `inspect`'s).
pub fn permissions(ty: &ResourceType, verb: Verb) -> Vec<String> {
    SUFFIXES[..=verb.rank()]
        .iter()
        .flat_map(|s| s.iter())
        .map(|s| format!("{}_{}", ty.prefix, s))
        .collect()
}

/// The type a permission belongs to, and the weakest verb that gives it.
pub fn permission(name: &str) -> Option<(&'static ResourceType, Verb)> {
    let upper = name.to_ascii_uppercase();
    // The longest prefix wins: `CLUSTER_NODE_POOL_READ` is a node pool's, not a cluster's.
    TYPES
        .iter()
        .filter_map(|t| {
            let rest = upper.strip_prefix(t.prefix)?.strip_prefix('_')?;
            let rank = SUFFIXES.iter().position(|s| s.contains(&rest))?;
            Some((t, Verb::ALL[rank]))
        })
        .max_by_key(|(t, _)| t.prefix.len())
}

/// Every permission name (for suggestions and completion).
pub fn all_permissions() -> impl Iterator<Item = String> {
    TYPES.iter().flat_map(|t| permissions(t, Verb::Manage))
}

/// Every name a statement may use as a resource (for suggestions and completion).
pub fn all_resources() -> impl Iterator<Item = &'static str> {
    FAMILIES.iter().copied().chain(TYPES.iter().map(|t| t.name))
}

/// Up to three known names closest to `wrong`, nearest first, for "did you mean".
pub fn nearest<I, S>(wrong: &str, known: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let wrong = wrong.to_ascii_lowercase();
    let mut scored: Vec<(usize, String)> = known
        .into_iter()
        .map(|k| {
            let k = k.as_ref().to_string();
            let lower = k.to_ascii_lowercase();
            // A name that contains what was typed (or the reverse) is close whatever its
            // length: `cluster` for `clusters`, `network` for `network-family`.
            let d = if lower.contains(&wrong) || wrong.contains(&lower) {
                lower.len().abs_diff(wrong.len()).min(2)
            } else {
                strsim::levenshtein(&wrong, &lower)
            };
            (d, k)
        })
        .filter(|(d, k)| *d <= (k.len() / 3).max(2))
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, k)| k).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_give_cumulative_permissions() {
        let images = resource_type("instance-images").unwrap();
        assert_eq!(
            permissions(images, Verb::Inspect),
            vec!["INSTANCE_IMAGE_INSPECT"]
        );
        assert_eq!(
            permissions(images, Verb::Read),
            vec!["INSTANCE_IMAGE_INSPECT", "INSTANCE_IMAGE_READ"]
        );
        assert_eq!(permissions(images, Verb::Manage).len(), 7);
    }

    #[test]
    fn a_permission_belongs_to_the_type_with_the_longest_prefix() {
        let (t, v) = permission("CLUSTER_NODE_POOL_CREATE").unwrap();
        assert_eq!((t.name, v), ("cluster-node-pools", Verb::Manage));
        let (t, v) = permission("cluster_read").unwrap();
        assert_eq!((t.name, v), ("clusters", Verb::Read));
        assert!(permission("CLUSTER_FLY").is_none());
    }

    #[test]
    fn families_cover_their_members_and_all_resources_covers_everything() {
        let pools = resource_type("cluster-node-pools").unwrap();
        assert!(covers("cluster-family", pools));
        assert!(covers("ALL-RESOURCES", pools));
        assert!(!covers("network-family", pools));
        assert_eq!(members("cloud-family").count(), 4);
        assert_eq!(members(ALL_RESOURCES).count(), TYPES.len());
    }

    #[test]
    fn every_family_has_members_and_names_are_unique() {
        for f in FAMILIES {
            assert!(members(f).count() > 0, "{f} is empty");
        }
        let mut names: Vec<_> = all_resources().collect();
        names.sort();
        let n = names.len();
        names.dedup();
        assert_eq!(names.len(), n);
    }

    #[test]
    fn near_misses_get_suggestions() {
        assert_eq!(
            nearest("cluster-familly", all_resources())[0],
            "cluster-family"
        );
        assert_eq!(nearest("cluster", all_resources())[0], "clusters");
        assert!(nearest("zzzzzzzzzz", all_resources()).is_empty());
    }
}
