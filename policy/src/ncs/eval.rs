//! The one evaluator: may workspaces with a label reach a service across a connection?

use super::*;

/// What the caller knows about the connection between the source tenant and the
/// destination tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// The two tenants were never connected.
    None,
    /// They were, and the connection is revoked.
    Revoked,
    Active,
}

/// Why traffic is allowed or denied. Exactly one reason per answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", content = "policy", rename_all = "snake_case")]
pub enum Reason {
    NoConnection,
    ConnectionRevoked,
    /// The destination tenant offers no service by that name.
    UnknownService,
    /// Connected, but no policy matches: default deny.
    NoPolicy,
    DeniedBy(String),
    AllowedBy(String),
}

impl Reason {
    /// A stable code for APIs and tests.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::NoConnection => "no_connection",
            Reason::ConnectionRevoked => "connection_revoked",
            Reason::UnknownService => "unknown_service",
            Reason::NoPolicy => "no_policy",
            Reason::DeniedBy(_) => "denied_by_policy",
            Reason::AllowedBy(_) => "allowed_by_policy",
        }
    }

    /// The deciding policy, when one decided.
    pub fn policy(&self) -> Option<&str> {
        match self {
            Reason::DeniedBy(p) | Reason::AllowedBy(p) => Some(p),
            _ => None,
        }
    }
}

/// The question: may workspaces labelled `workspace_label` reach `service_name` of
/// tenant `tenant_id`?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub workspace_label: String,
    pub tenant_id: String,
    pub service_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub allowed: bool,
    pub reason: Reason,
}

impl Verdict {
    /// A sentence for people, naming the tenant as the caller knows it.
    pub fn explain(&self, q: &Question, tenant_label: &str) -> String {
        let what = format!(
            "`{}` → {} of {}",
            q.workspace_label, q.service_name, tenant_label
        );
        match &self.reason {
            Reason::NoConnection => format!("There is no connection with {tenant_label}."),
            Reason::ConnectionRevoked => {
                format!("The connection with {tenant_label} was revoked.")
            }
            Reason::UnknownService => format!(
                "{tenant_label} offers no service named `{}`.",
                q.service_name
            ),
            Reason::NoPolicy => {
                format!("No policy allows {what}. Connections allow nothing by default.")
            }
            Reason::DeniedBy(p) => format!("Policy `{p}` denies {what}."),
            Reason::AllowedBy(p) => format!("Policy `{p}` allows {what}."),
        }
    }
}

/// The one evaluator. Order of the checks: the connection must be active, the service
/// must exist, then policies of the source tenant that match the question decide, a
/// matching `deny` winning over any `allow` (so a deny can carve out an exception), and
/// with no match the answer is the default deny. Among several matches of the same
/// action the first name in alphabetical order is named, so the answer is stable.
pub fn evaluate(q: &Question, link: Link, service_exists: bool, policies: &[NcsPolicy]) -> Verdict {
    let deny = |reason| Verdict {
        allowed: false,
        reason,
    };
    match link {
        Link::None => return deny(Reason::NoConnection),
        Link::Revoked => return deny(Reason::ConnectionRevoked),
        Link::Active => {}
    }
    if !service_exists {
        return deny(Reason::UnknownService);
    }
    let first = |action: NetAction| {
        policies
            .iter()
            .filter(|p| {
                p.action == action
                    && p.workspace_label == q.workspace_label
                    && p.tenant_id == q.tenant_id
                    && p.service_name == q.service_name
            })
            .map(|p| p.name.as_str())
            .min()
            .map(str::to_string)
    };
    if let Some(name) = first(NetAction::Deny) {
        return deny(Reason::DeniedBy(name));
    }
    match first(NetAction::Allow) {
        Some(name) => Verdict {
            allowed: true,
            reason: Reason::AllowedBy(name),
        },
        None => deny(Reason::NoPolicy),
    }
}
