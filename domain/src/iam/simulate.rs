//! The simulator: "can this principal do this on that?", decided with the stored
//! documents of both tenants involved, and explained.
//!
//! This is the one place that reads another tenant's IAM policies, as the evaluator
//! must to see both halves of an Endorse/Admit pair. What it shows of them depends on
//! the caller: a tenant's statements are named (policy, line, text) only to someone who
//! may read that tenant's policies; anyone else learns only whether a matching half
//! exists there.

use crate::{directory, Db, DomainError, DomainResult, TenantId, TenantScope};
use policy::iam::{
    self, catalogue, Decision, GroupRef, PolicyDoc, PolicySet, Principal, Reason, Request, Verb,
    Wanted,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A question for the simulator, as the page and the REST API put it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub principal_tenant: String,
    pub groups: Vec<String>,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    /// `user` when empty; `nodepool`, `service`, … for other principals.
    pub principal_type: Option<String>,
    /// A verb (`inspect` … `manage`) …
    pub verb: Option<String>,
    /// … or one permission.
    pub permission: Option<String>,
    pub resource_type: String,
    pub target_tenant: String,
    /// `A:B` or `A/B`, empty for the tenancy itself.
    pub compartment: Option<String>,
    pub operation: Option<String>,
    pub variables: BTreeMap<String, String>,
}

/// One deciding statement as the caller may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shown {
    pub tenant_id: String,
    pub tenant_name: String,
    pub kind: String,
    /// `None` when the caller may not read that tenant's policies.
    pub policy: Option<String>,
    pub line: Option<u32>,
    /// The statement in canonical form, when shown.
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Simulation {
    pub allowed: bool,
    pub reason: Reason,
    pub statements: Vec<Shown>,
    pub explanation: String,
    /// The two tenants, by name, for the page.
    pub principal_tenant_name: String,
    pub target_tenant_name: String,
}

/// A tenant named by id or by name.
async fn find_tenant(db: &Db, field: &'static str, raw: &str) -> DomainResult<TenantId> {
    if raw.trim().is_empty() {
        return Err(DomainError::invalid(field, "Give a tenant, by name or id."));
    }
    match TenantId::parse(raw) {
        Some(id) => Ok(id),
        None => directory::tenant_id_by_name(db, raw)
            .await?
            .ok_or_else(|| DomainError::invalid(field, "No tenant has this name.")),
    }
}

/// Turns the question into the evaluator's request, refusing what cannot be asked.
fn request(q: &Question, home: TenantId, target: TenantId) -> DomainResult<Request> {
    let ty = catalogue::resource_type(q.resource_type.trim()).ok_or_else(|| {
        let near = catalogue::nearest(
            q.resource_type.trim(),
            catalogue::TYPES.iter().map(|t| t.name),
        );
        let hint = near
            .first()
            .map(|n| format!(" Did you mean {n}?"))
            .unwrap_or_default();
        DomainError::invalid(
            "resource_type",
            format!("`{}` is not a resource type.{hint}", q.resource_type.trim()),
        )
    })?;
    let verb = q.verb.as_deref().map(str::trim).filter(|v| !v.is_empty());
    let permission = q
        .permission
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let wanted = match (verb, permission) {
        (Some(_), Some(_)) => {
            return Err(DomainError::invalid(
                "permission",
                "Ask for a verb or a permission, not both.",
            ))
        }
        (Some(v), None) => Wanted::Verb(Verb::parse(v).ok_or_else(|| {
            DomainError::invalid("verb", "The verb is inspect, read, use or manage.")
        })?),
        (None, Some(p)) => match catalogue::permission(p) {
            Some((t, _)) if t.name == ty.name => Wanted::Permission(p.to_ascii_uppercase()),
            Some((t, _)) => {
                return Err(DomainError::invalid(
                    "permission",
                    format!(
                        "{} is a permission on {}, not on {}.",
                        p.to_ascii_uppercase(),
                        t.name,
                        ty.name
                    ),
                ))
            }
            None => {
                return Err(DomainError::invalid(
                    "permission",
                    format!("{p} is not a known permission."),
                ))
            }
        },
        (None, None) => {
            return Err(DomainError::invalid(
                "verb",
                "Choose a verb or give a permission.",
            ))
        }
    };
    let groups: Vec<GroupRef> = q
        .groups
        .iter()
        .map(|g| g.trim())
        .filter(|g| !g.is_empty())
        .map(|g| GroupRef {
            name: g.to_string(),
            id: None,
        })
        .collect();
    let compartment = q
        .compartment
        .as_deref()
        .unwrap_or("")
        .split([':', '/'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect();
    let some = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
    };
    Ok(Request {
        principal: Principal {
            tenant_id: home.as_text(),
            user_id: some(&q.user_id),
            user_name: some(&q.user_name),
            groups,
            dynamic_groups: Vec::new(),
            principal_type: some(&q.principal_type),
        },
        wanted,
        resource_type: ty.name.to_string(),
        target_tenant_id: target.as_text(),
        compartment,
        operation: some(&q.operation),
        variables: q.variables.clone(),
    })
}

/// Decides a question. `scope` is the caller's tenant, which must be one of the two; the
/// other tenant's statements are shown only if `principal` may read that tenant too.
pub async fn simulate(
    db: &Db,
    principal: &crate::Principal,
    scope: &TenantScope,
    q: &Question,
) -> DomainResult<Simulation> {
    scope.require("IAM_POLICY_READ")?;
    let home = find_tenant(db, "principal_tenant", &q.principal_tenant).await?;
    let target = find_tenant(db, "target_tenant", &q.target_tenant).await?;
    if scope.tenant_id() != home && scope.tenant_id() != target {
        return Err(DomainError::invalid(
            "target_tenant",
            "The simulator answers questions that start or end in this tenant: make it the principal's tenant or the target.",
        ));
    }
    let names = directory::tenant_names(db, &[home, target]).await?;
    let name = |id: TenantId, field: &'static str| {
        names
            .get(&id)
            .cloned()
            .ok_or_else(|| DomainError::invalid(field, "No tenant has this id."))
    };
    let (home_name, target_name) = (
        name(home, "principal_tenant")?,
        name(target, "target_tenant")?,
    );
    let req = request(q, home, target)?;
    let other = if scope.tenant_id() == home {
        target
    } else {
        home
    };
    let other_readable = other == scope.tenant_id()
        || crate::scope::authorize(db, principal, crate::scope::TenantRef::Id(other))
            .await
            .is_ok_and(|s| s.allows("IAM_POLICY_READ"));
    let mut tenants = vec![(home, home_name.clone())];
    if target != home {
        tenants.push((target, target_name.clone()));
    }
    // The same documents enforcement decides with: the built-in statements and the
    // stored ones, from the same cache.
    let mut docs: Vec<PolicyDoc> = Vec::new();
    for (id, _) in &tenants {
        docs.extend(super::enforce::documents(db, *id).await?.iter().cloned());
    }
    // Only the statements that decided are printed, and only for a caller who may read
    // them.
    let text_of = |tenant: &str, policy: &str, line: u32| {
        let doc = docs
            .iter()
            .find(|d| d.tenant_id == tenant && d.name == policy)?;
        let at = doc.document.positions.iter().position(|p| p.line == line)?;
        Some(iam::print_statement(&doc.document.statements[at]))
    };
    let decision = PolicySet::new(&docs).evaluate(&req);
    let readable = |tenant: &str| tenant == scope.tenant_id().as_text() || other_readable;
    let shown: Vec<Shown> = decision
        .statements
        .iter()
        .map(|s| {
            let tenant_name = if s.tenant_id == home.as_text() {
                home_name.clone()
            } else {
                target_name.clone()
            };
            let open = readable(&s.tenant_id);
            Shown {
                tenant_id: s.tenant_id.clone(),
                tenant_name,
                kind: s.kind.clone(),
                policy: open.then(|| s.policy.clone()),
                line: open.then_some(s.line),
                text: open
                    .then(|| text_of(&s.tenant_id, &s.policy, s.line))
                    .flatten(),
            }
        })
        .collect();
    // The home tenant's half first: the order a request crosses the boundary.
    let mut shown = shown;
    shown.sort_by_key(|s| match s.kind.as_str() {
        "deny" => 0,
        "allow" => 1,
        "endorse" => 2,
        _ => 3,
    });
    let explanation = explain(&decision, &shown, &home_name, &target_name, home == target);
    Ok(Simulation {
        allowed: decision.allowed,
        reason: decision.reason,
        statements: shown,
        explanation,
        principal_tenant_name: home_name,
        target_tenant_name: target_name,
    })
}

/// The explanation, naming only what the caller may see.
fn explain(d: &Decision, shown: &[Shown], home: &str, target: &str, same: bool) -> String {
    let cite = |s: &Shown| match (&s.policy, s.line) {
        (Some(p), Some(l)) => format!(
            "{} in {}, policy {p}, line {l}",
            capital(&s.kind),
            s.tenant_name
        ),
        _ => format!(
            "a matching {} exists in {}",
            capital(&s.kind),
            s.tenant_name
        ),
    };
    let of_kind = |kind: &str| {
        shown
            .iter()
            .filter(|s| s.kind == kind)
            .map(cite)
            .collect::<Vec<_>>()
    };
    match d.reason {
        Reason::DeniedByPolicy => format!("Denied: {}.", of_kind("deny").join("; ")),
        Reason::Allowed if same => format!("Allowed: {}.", of_kind("allow").join("; ")),
        Reason::NoAllow => format!("Denied: no Allow statement in {target} grants this."),
        _ => {
            let half = |kind: &str, tenant: &str| {
                let found = of_kind(kind);
                if found.is_empty() {
                    format!("no matching {} in {tenant} ✗", capital(kind))
                } else {
                    format!("{} ✓", found.join("; "))
                }
            };
            let verdict = if d.allowed { "Allowed" } else { "Denied" };
            format!(
                "{verdict}: {} — {}.",
                half("endorse", home),
                half("admit", target)
            )
        }
    }
}

fn capital(kind: &str) -> String {
    let mut c = kind.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}
