//! Which kinds of cloud a tenant may create (seed 002), and the fixed choices their
//! settings offer. Pure data, shared by the server (which refuses the other kinds) and
//! the browser (which shows them as unavailable, with the reason).

/// One kind of cloud, as the wizard and the API name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloudKind {
    /// The API's `type` (`aws`, `azure`, …).
    pub key: &'static str,
    pub label: &'static str,
    /// What it is, in a sentence (the wizard's type cards).
    pub summary: &'static str,
    /// Whether a tenant may create one; the others are only for the admin tenant's
    /// infrastructure.
    pub in_tenant: bool,
}

/// Why the other kinds cannot be created inside a tenant (shown on the card and in the
/// `cloud_type_not_allowed_in_tenant` error).
pub const NOT_IN_TENANT_REASON: &str = "Tenant-scoped clouds are limited to AWS, Azure, Linux Server and No-Orchestrator clouds. This kind of cloud is managed by the provider in the admin tenant.";

/// Every kind the console knows: the four allowed inside a tenant first.
pub const CLOUD_KINDS: [CloudKind; 9] = [
    CloudKind {
        key: "aws",
        label: "Amazon Web Services",
        summary: "Service Engines in your own AWS account and VPC.",
        in_tenant: true,
    },
    CloudKind {
        key: "azure",
        label: "Microsoft Azure",
        summary: "Service Engines in your Azure subscription, through a service principal.",
        in_tenant: true,
    },
    CloudKind {
        key: "linux-server",
        label: "Linux Server Cloud",
        summary: "Service Engines on Linux hosts you name, reached over SSH.",
        in_tenant: true,
    },
    CloudKind {
        key: "no-orchestrator",
        label: "No-Orchestrator",
        summary: "No access to any infrastructure: Service Engines are added by hand.",
        in_tenant: true,
    },
    CloudKind {
        key: "vcenter",
        label: "VMware vCenter",
        summary: "Service Engines as virtual machines in vCenter.",
        in_tenant: false,
    },
    CloudKind {
        key: "openstack",
        label: "OpenStack",
        summary: "Service Engines as OpenStack instances.",
        in_tenant: false,
    },
    CloudKind {
        key: "gcp",
        label: "Google Cloud",
        summary: "Service Engines in a Google Cloud project.",
        in_tenant: false,
    },
    CloudKind {
        key: "nsx-t",
        label: "VMware NSX-T",
        summary: "Service Engines on NSX-T overlay segments.",
        in_tenant: false,
    },
    CloudKind {
        key: "kubernetes",
        label: "Kubernetes / OpenShift",
        summary: "Service Engines for a Kubernetes or OpenShift cluster.",
        in_tenant: false,
    },
];

/// The kind named `key` (case-insensitive; `openshift` is the Kubernetes kind).
pub fn kind(key: &str) -> Option<&'static CloudKind> {
    let key = key.trim().to_ascii_lowercase();
    let key = if key == "openshift" {
        "kubernetes"
    } else {
        key.as_str()
    };
    CLOUD_KINDS.iter().find(|k| k.key == key)
}

/// A kind's label, or the key itself for one the console does not know.
pub fn label(key: &str) -> &str {
    kind(key).map(|k| k.label).unwrap_or(key)
}

/// The AWS regions the wizard offers.
pub const AWS_REGIONS: [(&str, &str); 20] = [
    ("us-east-1", "US East (N. Virginia)"),
    ("us-east-2", "US East (Ohio)"),
    ("us-west-1", "US West (N. California)"),
    ("us-west-2", "US West (Oregon)"),
    ("ca-central-1", "Canada (Central)"),
    ("sa-east-1", "South America (São Paulo)"),
    ("eu-west-1", "Europe (Ireland)"),
    ("eu-west-2", "Europe (London)"),
    ("eu-west-3", "Europe (Paris)"),
    ("eu-central-1", "Europe (Frankfurt)"),
    ("eu-north-1", "Europe (Stockholm)"),
    ("eu-south-1", "Europe (Milan)"),
    ("me-south-1", "Middle East (Bahrain)"),
    ("af-south-1", "Africa (Cape Town)"),
    ("ap-south-1", "Asia Pacific (Mumbai)"),
    ("ap-northeast-1", "Asia Pacific (Tokyo)"),
    ("ap-northeast-2", "Asia Pacific (Seoul)"),
    ("ap-southeast-1", "Asia Pacific (Singapore)"),
    ("ap-southeast-2", "Asia Pacific (Sydney)"),
    ("ap-east-1", "Asia Pacific (Hong Kong)"),
];

/// How an SE group keeps virtual services available: (key, label).
pub const HA_MODES: [(&str, &str); 3] = [
    ("shared", "Elastic HA, N+M buffer"),
    ("active-active", "Elastic HA, active/active"),
    ("active-standby", "Legacy HA, active/standby"),
];

/// An HA mode's label.
pub fn ha_label(key: &str) -> &str {
    HA_MODES
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, l)| *l)
        .unwrap_or(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_four_kinds_are_allowed_in_a_tenant() {
        let allowed: Vec<_> = CLOUD_KINDS
            .iter()
            .filter(|k| k.in_tenant)
            .map(|k| k.key)
            .collect();
        assert_eq!(allowed, ["aws", "azure", "linux-server", "no-orchestrator"]);
        assert_eq!(kind("OpenShift").map(|k| k.key), Some("kubernetes"));
        assert!(kind("vcenter").is_some_and(|k| !k.in_tenant));
        assert!(kind("mainframe").is_none());
    }
}
