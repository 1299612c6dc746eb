//! Every statement of seed 001, parsed and decided; errors with their positions; the
//! printer's round trip and the index against the scanning reference, as properties.

use super::*;
use proptest::prelude::*;
use std::collections::HashMap;

const SOURCE: &str = "11111111-1111-4111-8111-111111111111";
const DEST: &str = "22222222-2222-4222-8222-222222222222";
const OTHER: &str = "33333333-3333-4333-8333-333333333333";

fn ok(text: &str) -> Document {
    parse(text).unwrap_or_else(|e| panic!("{text}\n{e:?}"))
}

fn errors(text: &str) -> Vec<ParseError> {
    parse(text).expect_err("the document should be refused")
}

fn doc(tenant: &str, name: &str, text: &str) -> PolicyDoc {
    PolicyDoc {
        tenant_id: tenant.into(),
        tenant_name: name_of(tenant).into(),
        name: name.into(),
        document: ok(text),
    }
}

/// The set, with every tenant of these tests named.
fn set_of(docs: Vec<PolicyDoc>) -> PolicySet {
    PolicySet::new(&docs)
        .with_names([SOURCE, DEST, OTHER].map(|t| (t.to_string(), name_of(t).to_string())))
}

fn name_of(tenant: &str) -> &'static str {
    match tenant {
        SOURCE => "acme",
        DEST => "globex",
        _ => "initech",
    }
}

fn oke_admin(tenant: &str) -> Principal {
    Principal {
        tenant_id: tenant.into(),
        user_id: Some("u-1".into()),
        user_name: Some("alice".into()),
        groups: vec![GroupRef {
            name: "OKE-Admins".into(),
            id: None,
        }],
        ..Principal::default()
    }
}

fn ask(p: Principal, wanted: Wanted, ty: &str, target: &str) -> Request {
    Request {
        principal: p,
        wanted,
        resource_type: ty.into(),
        target_tenant_id: target.into(),
        compartment: Vec::new(),
        operation: None,
        variables: Default::default(),
    }
}

fn both(set: &PolicySet, r: &Request) -> Decision {
    let d = set.evaluate(r);
    assert_eq!(d, set.evaluate_scan(r), "index and scan disagree on {r:?}");
    d
}

// ---------------------------------------------------------------- the seed, statement by statement

#[test]
fn every_statement_of_the_seed_parses() {
    let seed = [
        "Endorse group OKE-Admins to manage cluster-family in any-tenancy",
        "Endorse group OKE-Admins to manage virtual-network-family in any-tenancy",
        "Endorse group OKE-Admins to inspect compartments in any-tenancy",
        "Define tenancy DestinationTenancy as ocid1.tenancy.oc1..<unique_ID>\nEndorse group OKE-Admins to manage cluster-family in tenancy DestinationTenancy",
        "Define tenancy SourceTenancy as ocid1.tenancy.oc1..<unique_ID>\nDefine group OKE-Admins as ocid1.group.oc1..<unique_ID>\nAdmit group OKE-Admins of tenancy SourceTenancy to manage cluster-family in tenancy",
        "Define tenancy SourceTenancy as ocid1.tenancy.oc1..<unique_ID>\nAdmit group OKE-Admins of tenancy SourceTenancy to manage virtual-network-family in tenancy",
        "Define tenancy SourceTenancy as ocid1.tenancy.oc1..<unique_ID>\nAdmit group OKE-Admins of tenancy SourceTenancy to inspect compartments in tenancy",
        "Define tenancy SourceTenancy as ocid1.tenancy.oc1..<unique_ID>\nDefine group OKE-Admins as ocid1.group.oc1..<unique_ID>\nAdmit group OKE-Admins of tenancy SourceTenancy to manage cluster-family in compartment SharedOKEClusters",
        "Define tenancy image-tenancy as ocid1.tenancy.oc1...<unique_ID>\nEndorse any-user to {INSTANCE_IMAGE_INSPECT, INSTANCE_IMAGE_READ} in tenancy image-tenancy where request.principal.type = 'nodepool'",
        "Define tenancy nodepool-tenancy as ocid1.tenancy.oc1...<unique_ID>\nAdmit any-user of tenancy nodepool-tenancy to {INSTANCE_IMAGE_INSPECT, INSTANCE_IMAGE_READ} where request.principal.type = 'nodepool'",
    ];
    for text in seed {
        let d = ok(text);
        assert!(d
            .statements
            .iter()
            .any(|s| matches!(s, Statement::Grant(_))));
    }
    let d = ok(seed[8]);
    let Statement::Grant(g) = &d.statements[1] else {
        panic!()
    };
    assert_eq!(g.effect, Effect::Endorse);
    assert_eq!(g.subject, Subject::AnyUser);
    assert_eq!(
        g.access,
        Access::Permissions(vec![
            "INSTANCE_IMAGE_INSPECT".into(),
            "INSTANCE_IMAGE_READ".into()
        ])
    );
    assert_eq!(
        g.location,
        Some(Location::TenancyAlias("image-tenancy".into()))
    );
    assert_eq!(d.positions[1], Pos { line: 2, column: 1 });
}

#[test]
fn keywords_are_case_insensitive_and_layout_is_free() {
    let a = ok("Endorse group OKE-Admins to manage cluster-family in any-tenancy");
    let b = ok("  ENDORSE Group OKE-Admins # who\n   TO Manage\n CLUSTER-FAMILY\n in ANY-TENANCY");
    assert_eq!(a.statements, b.statements);
}

fn seed_pair(with_admit: bool) -> PolicySet {
    let mut docs = vec![doc(
        SOURCE,
        "cross-access",
        &format!("Define tenancy DestinationTenancy as {DEST}\nEndorse group OKE-Admins to manage cluster-family in tenancy DestinationTenancy"),
    )];
    if with_admit {
        docs.push(doc(
            DEST,
            "admit-oke",
            &format!("Define tenancy SourceTenancy as {SOURCE}\nDefine group OKE-Admins as ocid1.group.oc1..oke\nAdmit group OKE-Admins of tenancy SourceTenancy to manage cluster-family in tenancy"),
        ));
    }
    set_of(docs)
}

#[test]
fn endorse_alone_grants_nothing_and_says_the_admit_is_missing() {
    let set = seed_pair(false);
    let d = both(
        &set,
        &ask(
            oke_admin(SOURCE),
            Wanted::Verb(Verb::Manage),
            "clusters",
            DEST,
        ),
    );
    assert!(!d.allowed);
    assert_eq!(d.reason, Reason::NoAdmit);
    assert_eq!(d.statements.len(), 1);
    assert_eq!(
        (d.statements[0].policy.as_str(), d.statements[0].line),
        ("cross-access", 2)
    );
    assert_eq!(
        d.explanation,
        "Endorse found in acme/cross-access line 2; no matching Admit in globex."
    );
}

#[test]
fn endorse_and_admit_together_grant_and_both_are_named() {
    let set = seed_pair(true);
    let d = both(
        &set,
        &ask(
            oke_admin(SOURCE),
            Wanted::Permission("CLUSTER_NODE_POOL_CREATE".into()),
            "cluster-node-pools",
            DEST,
        ),
    );
    assert!(d.allowed, "{d:?}");
    let kinds: Vec<_> = d
        .statements
        .iter()
        .map(|s| (s.kind.as_str(), s.line))
        .collect();
    assert_eq!(kinds, vec![("endorse", 2), ("admit", 3)]);
    // The pair names each other's tenants: a third tenant gets nothing from it.
    let d = both(
        &set,
        &ask(oke_admin(OTHER), Wanted::Verb(Verb::Read), "clusters", DEST),
    );
    assert_eq!(d.reason, Reason::NoEndorse);
    // Other families are not covered.
    let d = both(
        &set,
        &ask(oke_admin(SOURCE), Wanted::Verb(Verb::Read), "vcns", DEST),
    );
    assert!(!d.allowed);
}

#[test]
fn an_admit_alone_says_the_endorse_is_missing() {
    let set = set_of(vec![doc(
        DEST,
        "admit-oke",
        &format!("Define tenancy SourceTenancy as {SOURCE}\nAdmit group OKE-Admins of tenancy SourceTenancy to manage cluster-family in tenancy"),
    )]);
    let d = both(
        &set,
        &ask(
            oke_admin(SOURCE),
            Wanted::Verb(Verb::Manage),
            "clusters",
            DEST,
        ),
    );
    assert_eq!(d.reason, Reason::NoEndorse);
    assert_eq!(
        d.explanation,
        "No matching Endorse in acme; Admit found in globex/admit-oke line 2."
    );
}

#[test]
fn any_tenancy_endorse_pairs_with_admits_for_virtual_networks_and_compartments() {
    let set = set_of(vec![
        doc(SOURCE, "oke", "Endorse group OKE-Admins to manage virtual-network-family in any-tenancy\nEndorse group OKE-Admins to inspect compartments in any-tenancy"),
        doc(DEST, "admit", &format!("Define tenancy SourceTenancy as {SOURCE}\nAdmit group OKE-Admins of tenancy SourceTenancy to manage virtual-network-family in tenancy\nAdmit group OKE-Admins of tenancy SourceTenancy to inspect compartments in tenancy")),
    ]);
    assert!(
        both(
            &set,
            &ask(
                oke_admin(SOURCE),
                Wanted::Verb(Verb::Manage),
                "subnets",
                DEST
            )
        )
        .allowed
    );
    assert!(
        both(
            &set,
            &ask(
                oke_admin(SOURCE),
                Wanted::Verb(Verb::Inspect),
                "compartments",
                DEST
            )
        )
        .allowed
    );
    // inspect does not include read.
    let d = both(
        &set,
        &ask(
            oke_admin(SOURCE),
            Wanted::Verb(Verb::Read),
            "compartments",
            DEST,
        ),
    );
    assert!(!d.allowed);
}

#[test]
fn a_compartment_admit_covers_that_compartment_and_below_only() {
    let set = set_of(vec![
        doc(SOURCE, "oke", "Endorse group OKE-Admins to manage cluster-family in any-tenancy"),
        doc(DEST, "shared", &format!("Define tenancy SourceTenancy as {SOURCE}\nDefine group OKE-Admins as ocid1.group.oc1..oke\nAdmit group OKE-Admins of tenancy SourceTenancy to manage cluster-family in compartment SharedOKEClusters")),
    ]);
    let mut r = ask(
        oke_admin(SOURCE),
        Wanted::Verb(Verb::Manage),
        "clusters",
        DEST,
    );
    assert!(
        !both(&set, &r).allowed,
        "the tenancy root is not the compartment"
    );
    r.compartment = vec!["sharedokeclusters".into(), "team-a".into()];
    assert!(both(&set, &r).allowed);
    r.compartment = vec!["Other".into()];
    assert!(!both(&set, &r).allowed);
}

#[test]
fn a_defined_group_id_matches_by_id_once_groups_have_ids() {
    let set = seed_pair(true);
    let mut p = oke_admin(SOURCE);
    p.groups[0].id = Some("ocid1.group.oc1..oke".into());
    p.groups[0].name = "renamed".into();
    assert!(
        !both(
            &set,
            &ask(p.clone(), Wanted::Verb(Verb::Read), "clusters", DEST)
        )
        .allowed,
        "the Endorse names the group by name in its own tenant"
    );
    p.groups.push(GroupRef {
        name: "OKE-Admins".into(),
        id: Some("ocid1.group.oc1..other".into()),
    });
    // Endorse matches the name; the Admit's Define wants id ..oke, which the first group has.
    assert!(both(&set, &ask(p, Wanted::Verb(Verb::Read), "clusters", DEST)).allowed);
}

#[test]
fn the_nodepool_image_example_needs_the_principal_type() {
    let set = set_of(vec![
        doc(SOURCE, "images", &format!("Define tenancy image-tenancy as {DEST}\nEndorse any-user to {{INSTANCE_IMAGE_INSPECT, INSTANCE_IMAGE_READ}} in tenancy image-tenancy where request.principal.type = 'nodepool'")),
        doc(DEST, "nodepools", &format!("Define tenancy nodepool-tenancy as {SOURCE}\nAdmit any-user of tenancy nodepool-tenancy to {{INSTANCE_IMAGE_INSPECT, INSTANCE_IMAGE_READ}} where request.principal.type = 'nodepool'")),
    ]);
    let mut p = Principal {
        tenant_id: SOURCE.into(),
        ..Principal::default()
    };
    let read = |p: &Principal| {
        ask(
            p.clone(),
            Wanted::Permission("INSTANCE_IMAGE_READ".into()),
            "instance-images",
            DEST,
        )
    };
    assert!(!both(&set, &read(&p)).allowed, "a user is not a node pool");
    p.principal_type = Some("NodePool".into());
    assert!(both(&set, &read(&p)).allowed);
    assert!(
        both(
            &set,
            &ask(p.clone(), Wanted::Verb(Verb::Read), "instance-images", DEST)
        )
        .allowed
    );
    let d = both(
        &set,
        &ask(
            p,
            Wanted::Permission("INSTANCE_IMAGE_DELETE".into()),
            "instance-images",
            DEST,
        ),
    );
    assert!(!d.allowed);
}

#[test]
fn inside_a_tenant_allow_grants_and_deny_wins() {
    let set = set_of(vec![doc(
        SOURCE,
        "ops",
        "Allow group Ops, OKE-Admins to use clusters in tenancy\nAllow any-user to inspect all-resources\nDeny group OKE-Admins to {CLUSTER_DELETE} in tenancy",
    )]);
    let p = oke_admin(SOURCE);
    assert!(
        both(
            &set,
            &ask(
                p.clone(),
                Wanted::Permission("CLUSTER_UPDATE".into()),
                "clusters",
                SOURCE
            )
        )
        .allowed
    );
    assert!(
        !both(
            &set,
            &ask(p.clone(), Wanted::Verb(Verb::Manage), "clusters", SOURCE)
        )
        .allowed
    );
    assert!(
        both(
            &set,
            &ask(
                p.clone(),
                Wanted::Verb(Verb::Inspect),
                "audit-events",
                SOURCE
            )
        )
        .allowed
    );
    let d = both(
        &set,
        &ask(
            p,
            Wanted::Permission("CLUSTER_DELETE".into()),
            "clusters",
            SOURCE,
        ),
    );
    assert_eq!((d.allowed, d.reason), (false, Reason::DeniedByPolicy));
    assert_eq!(d.statements[0].line, 3);
    // Another tenant's Allow grants nothing here.
    let d = both(
        &set,
        &ask(
            oke_admin(DEST),
            Wanted::Verb(Verb::Inspect),
            "clusters",
            DEST,
        ),
    );
    assert_eq!(d.reason, Reason::NoAllow);
}

#[test]
fn deny_wins_over_an_endorse_admit_pair() {
    let mut docs = vec![
        doc(SOURCE, "oke", "Endorse group OKE-Admins to manage cluster-family in any-tenancy"),
        doc(DEST, "admit", &format!("Define tenancy S as {SOURCE}\nAdmit group OKE-Admins of tenancy S to manage cluster-family\nDeny group OKE-Admins of tenancy S to {{CLUSTER_DELETE}}")),
    ];
    let set = set_of(docs.clone());
    let p = oke_admin(SOURCE);
    assert!(
        both(
            &set,
            &ask(
                p.clone(),
                Wanted::Permission("CLUSTER_CREATE".into()),
                "clusters",
                DEST
            )
        )
        .allowed
    );
    let d = both(
        &set,
        &ask(
            p.clone(),
            Wanted::Permission("CLUSTER_DELETE".into()),
            "clusters",
            DEST,
        ),
    );
    assert_eq!(d.reason, Reason::DeniedByPolicy);
    // The home tenant may also forbid its people to reach out.
    docs[0] = doc(SOURCE, "oke", "Endorse group OKE-Admins to manage cluster-family in any-tenancy\nDeny any-user to manage cluster-family in any-tenancy where request.user.name = /al*/");
    let set = set_of(docs);
    let d = both(
        &set,
        &ask(
            p,
            Wanted::Permission("CLUSTER_CREATE".into()),
            "clusters",
            DEST,
        ),
    );
    assert_eq!(
        (d.reason, d.statements[0].tenant_id.as_str()),
        (Reason::DeniedByPolicy, SOURCE)
    );
}

#[test]
fn conditions_match_case_insensitively_and_missing_variables_are_false() {
    let set = set_of(vec![doc(
        SOURCE,
        "c",
        "Allow any-user to read clusters where any {request.groups.name = /*-admins/, request.user.name = 'BOB'}\nAllow any-user to manage clusters where all {request.operation != 'DeleteCluster', request.operation = /*Cluster*/}",
    )]);
    let mut p = oke_admin(SOURCE);
    assert!(
        both(
            &set,
            &ask(p.clone(), Wanted::Verb(Verb::Read), "clusters", SOURCE)
        )
        .allowed
    );
    p.groups.clear();
    assert!(
        !both(
            &set,
            &ask(p.clone(), Wanted::Verb(Verb::Read), "clusters", SOURCE)
        )
        .allowed
    );
    p.user_name = Some("bob".into());
    assert!(
        both(
            &set,
            &ask(p.clone(), Wanted::Verb(Verb::Read), "clusters", SOURCE)
        )
        .allowed
    );
    let mut r = ask(p, Wanted::Verb(Verb::Manage), "clusters", SOURCE);
    assert!(
        !both(&set, &r).allowed,
        "no operation given: `!=` on a missing variable is false too"
    );
    r.operation = Some("updatecluster".into());
    assert!(both(&set, &r).allowed);
    r.operation = Some("DeleteCluster".into());
    assert!(!both(&set, &r).allowed);
}

// ---------------------------------------------------------------- errors

#[test]
fn errors_have_line_column_text_and_what_was_expected() {
    let e = errors("Allow group A manage clusters");
    assert_eq!(
        (e[0].line, e[0].column, e[0].found.as_str()),
        (1, 15, "manage")
    );
    assert!(
        e[0].message.contains("expected `to` before the verb"),
        "{}",
        e[0].message
    );

    let e = errors("Allow group A to\n  manage clustres in tenancy");
    assert_eq!(
        (e[0].line, e[0].column, e[0].found.as_str()),
        (2, 10, "clustres")
    );
    assert!(
        e[0].message.contains("did you mean `clusters`"),
        "{}",
        e[0].message
    );

    let e = errors("Allow group A to {CLUSTER_REED}");
    assert!(e[0].message.contains("`CLUSTER_READ`"), "{}", e[0].message);

    let e = errors("Allow group A to");
    assert!(
        e[0].message.contains("found the end of the policy"),
        "{}",
        e[0].message
    );
}

#[test]
fn all_errors_of_a_document_are_reported_at_once() {
    let e = errors("Allow group A to fly clusters\nAllow group B to manage clusters\nEndorse group C to read vcns in tenancy Nowhere\nAdmit group D to read vcns");
    let lines: Vec<_> = e.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![1, 3, 4], "{e:?}");
    assert!(e[1].message.contains("not defined in this policy"));
    assert!(e[2].message.contains("of tenancy"));
}

#[test]
fn statement_kinds_keep_to_their_locations() {
    assert!(errors("Endorse group A to read vcns")[0]
        .message
        .contains("any-tenancy"));
    assert!(errors("Allow group A to read vcns in any-tenancy")[0]
        .message
        .contains("Endorse"));
    assert!(
        errors("Define tenancy X as x\nAllow group A to read vcns in tenancy X")[0]
            .message
            .contains("without an alias")
    );
    assert!(
        errors("Define tenancy X as x\nAllow group A of tenancy X to read vcns")[0]
            .message
            .contains("Admit and Deny")
    );
    assert!(
        errors("Allow any-user to read vcns where request.user.name = /a*b/")[0]
            .message
            .contains("pattern")
    );
    assert!(errors("Allow any-user to read vcns where user = 'x'")[0]
        .message
        .contains("request."));
    assert!(errors("Define tenancy X as a\nDefine tenancy X as b")[0]
        .message
        .contains("already defined"));
}

#[test]
fn documents_are_capped() {
    let big = "# padding\n".repeat(MAX_BYTES / 10 + 1);
    assert!(errors(&big)[0].message.contains("at most 64 KB"));
    let many = "Allow any-user to inspect vcns\n".repeat(MAX_STATEMENTS + 1);
    let e = errors(&many);
    assert_eq!(e[0].line, MAX_STATEMENTS as u32 + 1);
}

#[test]
fn strange_text_is_an_error_not_a_panic() {
    for text in [
        "{",
        "}",
        "Allow",
        "Allow group",
        "Allow group ,",
        "Define",
        "Allow any-user to {",
        "Allow any-user to read vcns where any {",
        "Allow any-user to read vcns where request.x = ",
        "'",
        "/",
        "!",
        "Allow any-user to read vcns where any {any {any {",
        "é ü 😀 \u{0}",
    ] {
        let _ = parse(text);
    }
}

mod properties;
mod reference;
