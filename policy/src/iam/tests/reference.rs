//! A naive reference evaluator, written from the rules as the language states them and
//! not from the evaluator's code: it reads the parsed documents directly (no compiling,
//! no index, aliases looked up in place), and the property below holds the evaluator's
//! answers (allowed, reason and the deciding statements) to it over random policy sets.

use super::properties::{seeded_runner, sets_and_requests};
use super::*;

/// A Define of `kind` in `doc` with this alias (case-insensitive): the id it stands for.
fn define(doc: &PolicyDoc, kind: DefineKind, alias: &str) -> Option<String> {
    doc.document.statements.iter().find_map(|s| match s {
        Statement::Define(d) if d.kind == kind && d.alias.eq_ignore_ascii_case(alias) => {
            Some(d.ocid.to_ascii_lowercase())
        }
        _ => None,
    })
}

fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Who: a group of the principal by name, anyone, or anyone in some group.
fn who(g: &Grant, p: &Principal) -> bool {
    match &g.subject {
        Subject::Groups(names) => names
            .iter()
            .any(|n| p.groups.iter().any(|have| same(&have.name, n))),
        Subject::AnyUser => true,
        Subject::AnyGroup => !p.groups.is_empty(),
        other => panic!("the reference covers group subjects only, not {other:?}"),
    }
}

/// What: the verb on a family or type that contains the asked type, or the named
/// permissions.
fn what(g: &Grant, wanted: &Wanted, ty: &catalogue::ResourceType) -> bool {
    let perm_of_ty = |p: &str| {
        catalogue::permission(p)
            .filter(|(t, _)| t.name == ty.name)
            .map(|(_, v)| v)
    };
    match (&g.access, wanted) {
        (Access::Verb { verb, resource }, Wanted::Verb(w)) => {
            catalogue::covers(resource, ty) && verb.rank() >= w.rank()
        }
        (Access::Verb { verb, resource }, Wanted::Permission(p)) => {
            catalogue::covers(resource, ty)
                && perm_of_ty(p).is_some_and(|v| v.rank() <= verb.rank())
        }
        (Access::Permissions(list), Wanted::Permission(p)) => {
            perm_of_ty(p).is_some() && list.iter().any(|l| same(l, p))
        }
        (Access::Permissions(list), Wanted::Verb(w)) => catalogue::permissions(ty, *w)
            .iter()
            .all(|need| list.iter().any(|l| same(l, need))),
    }
}

/// Where, inside the target tenant: the whole tenancy, or a compartment path that the
/// request's compartment starts with. A location naming a tenancy is not inside.
fn inside(g: &Grant, req: &Request) -> bool {
    match &g.location {
        None | Some(Location::Tenancy) => true,
        Some(Location::Compartment(path)) => {
            path.len() <= req.compartment.len()
                && path.iter().zip(&req.compartment).all(|(a, b)| same(a, b))
        }
        Some(other) => matches!(other, Location::CompartmentId(_)) && panic!("not covered"),
    }
}

/// The tenancy a location names (`in tenancy X` through the document's Define, or any).
fn reaches(doc: &PolicyDoc, g: &Grant, target: &str) -> bool {
    match &g.location {
        Some(Location::AnyTenancy) => true,
        Some(Location::TenancyAlias(a)) => {
            define(doc, DefineKind::Tenancy, a).is_some_and(|id| same(&id, target))
        }
        _ => false,
    }
}

/// `of tenancy X` names the principal's home tenant.
fn of_home(doc: &PolicyDoc, g: &Grant, home: &str) -> bool {
    g.of_tenancy
        .as_ref()
        .and_then(|a| define(doc, DefineKind::Tenancy, a))
        .is_some_and(|id| same(&id, home))
}

/// When: `request.groups.name = v`, the only condition the generator writes.
fn when(g: &Grant, req: &Request) -> bool {
    match &g.condition {
        None => true,
        Some(Condition::Compare {
            variable,
            negated: false,
            value: Value::Text(v),
        }) if variable == "request.groups.name" => {
            req.principal.groups.iter().any(|have| same(&have.name, v))
        }
        Some(other) => panic!("the reference does not cover {other:?}"),
    }
}

/// The decision: any matching Deny refuses; inside one tenant an Allow of it grants;
/// across tenants an Endorse of the home tenant reaching the target and an Admit of the
/// target naming the home tenant grant together. Returns (allowed, reason, deciding
/// statements as (tenant, line)).
pub(super) fn decide(docs: &[PolicyDoc], req: &Request) -> (bool, Reason, Vec<(String, u32)>) {
    let Some(ty) = catalogue::resource_type(&req.resource_type) else {
        return (false, Reason::NoAllow, Vec::new());
    };
    let home = req.principal.tenant_id.to_ascii_lowercase();
    let target = req.target_tenant_id.to_ascii_lowercase();
    let cross = home != target;
    let mut denies = Vec::new();
    let mut allows = Vec::new();
    let mut endorses = Vec::new();
    let mut admits = Vec::new();
    for doc in docs {
        let tenant = doc.tenant_id.to_ascii_lowercase();
        for (s, pos) in doc.document.statements.iter().zip(&doc.document.positions) {
            let Statement::Grant(g) = s else { continue };
            if !(who(g, &req.principal) && what(g, &req.wanted, ty) && when(g, req)) {
                continue;
            }
            let at = (doc.tenant_id.clone(), pos.line);
            let in_target = tenant == target;
            let in_home = tenant == home;
            match g.effect {
                Effect::Deny => {
                    let targeted = match (&g.of_tenancy, &g.location) {
                        // `Deny … of tenancy X …` in the target: people of X, there.
                        (Some(_), _) => in_target && of_home(doc, g, &home) && inside(g, req),
                        // `Deny … in tenancy X` / `in any-tenancy` in the home tenant.
                        (None, Some(Location::AnyTenancy | Location::TenancyAlias(_))) => {
                            in_home && reaches(doc, g, &target)
                        }
                        // A plain Deny: its own people, in its own tenant.
                        (None, _) => in_target && !cross && inside(g, req),
                    };
                    if targeted {
                        denies.push(at);
                    }
                }
                Effect::Allow => {
                    if in_target && !cross && g.of_tenancy.is_none() && inside(g, req) {
                        allows.push(at);
                    }
                }
                Effect::Endorse => {
                    if in_home && cross && reaches(doc, g, &target) {
                        endorses.push(at);
                    }
                }
                Effect::Admit => {
                    if in_target && cross && of_home(doc, g, &home) && inside(g, req) {
                        admits.push(at);
                    }
                }
            }
        }
    }
    let sorted = |mut v: Vec<(String, u32)>| {
        v.sort();
        v.dedup();
        v
    };
    if !denies.is_empty() {
        return (false, Reason::DeniedByPolicy, sorted(denies));
    }
    if !cross {
        return if allows.is_empty() {
            (false, Reason::NoAllow, Vec::new())
        } else {
            (true, Reason::Allowed, sorted(allows))
        };
    }
    let reason = match (endorses.is_empty(), admits.is_empty()) {
        (false, false) => Reason::Allowed,
        (true, _) => Reason::NoEndorse,
        (false, true) => Reason::NoAdmit,
    };
    endorses.extend(admits);
    (reason == Reason::Allowed, reason, sorted(endorses))
}

/// Issue 13: 1,000 random policy sets × 48 requests, the evaluator (through its index)
/// against the naive reference: 0 disagreements on whether, why and by which
/// statements. The mix is counted so the agreement is known to cover every reason.
#[test]
fn the_evaluator_agrees_with_the_naive_reference() {
    use std::cell::{Cell, RefCell};
    let seen: RefCell<HashMap<Reason, usize>> = RefCell::default();
    let disagreements = Cell::new(0usize);
    seeded_runner(1000)
        .run(&sets_and_requests(), |(docs, requests)| {
            let set = PolicySet::new(&docs);
            for r in &requests {
                let d = set.evaluate(r);
                let got = (
                    d.allowed,
                    d.reason,
                    d.statements
                        .iter()
                        .map(|s| (s.tenant_id.clone(), s.line))
                        .collect::<Vec<_>>(),
                );
                let want = decide(&docs, r);
                if got != want {
                    disagreements.set(disagreements.get() + 1);
                }
                prop_assert_eq!(got, want, "request {:?}", r);
                *seen.borrow_mut().entry(d.reason).or_default() += 1;
            }
            Ok(())
        })
        .unwrap();
    let seen = seen.into_inner();
    let total: usize = seen.values().sum();
    println!(
        "evaluator vs naive reference: {total} decisions, {} disagreements, {seen:?}",
        disagreements.get()
    );
    assert_eq!(total, 48_000);
    for reason in [
        Reason::Allowed,
        Reason::NoAllow,
        Reason::NoEndorse,
        Reason::NoAdmit,
        Reason::DeniedByPolicy,
    ] {
        assert!(
            seen.get(&reason).copied().unwrap_or(0) >= 100,
            "too few {reason:?}: {seen:?}"
        );
    }
}
