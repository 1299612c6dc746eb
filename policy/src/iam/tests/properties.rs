//! Properties: the printer's round trip, and the index against the scanning reference.

use super::*;

fn word() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9_-]{0,8}"
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![word(), "[a-z]{1,4} [a-z]{1,4}"]
}

fn subject() -> impl Strategy<Value = Subject> {
    prop_oneof![
        prop::collection::vec(name(), 1..3).prop_map(Subject::Groups),
        word().prop_map(Subject::GroupId),
        prop::collection::vec(name(), 1..3).prop_map(Subject::DynamicGroups),
        prop::collection::vec(name(), 1..3).prop_map(Subject::Services),
        Just(Subject::AnyUser),
        Just(Subject::AnyGroup),
    ]
}

fn access() -> impl Strategy<Value = Access> {
    let resources: Vec<&str> = catalogue::all_resources().collect();
    let perms: Vec<String> = catalogue::all_permissions().collect();
    prop_oneof![
        (
            prop::sample::select(Verb::ALL.to_vec()),
            prop::sample::select(resources)
        )
            .prop_map(|(verb, r)| Access::Verb {
                verb,
                resource: r.to_string()
            }),
        prop::collection::vec(prop::sample::select(perms), 1..4).prop_map(Access::Permissions),
    ]
}

fn condition() -> impl Strategy<Value = Condition> {
    let leaf = (
        prop::sample::select(vec![
            "request.user.name",
            "request.groups.name",
            "request.operation",
            "request.principal.type",
            "target.compartment.name",
        ]),
        any::<bool>(),
        prop_oneof![
            "[a-zA-Z0-9 ]{0,6}".prop_map(Value::Text),
            ("[a-z]{1,4}", 0..4u8).prop_map(|(t, k)| Value::Pattern(match k {
                0 => format!("{t}*"),
                1 => format!("*{t}"),
                2 => format!("*{t}*"),
                _ => t,
            })),
        ],
    )
        .prop_map(|(v, negated, value)| Condition::Compare {
            variable: v.to_string(),
            negated,
            value,
        });
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..3).prop_map(Condition::Any),
            prop::collection::vec(inner, 1..3).prop_map(Condition::All),
        ]
    })
}

/// A statement that parses: each kind with a location it may have, aliases defined.
fn statement() -> impl Strategy<Value = Vec<Statement>> {
    (
        prop::sample::select(Effect::ALL.to_vec()),
        subject(),
        access(),
        prop::option::of(condition()),
        0..3u8,
        prop::collection::vec(word(), 1..3),
    )
        .prop_map(|(effect, subject, access, condition, loc, path)| {
            let mut out = Vec::new();
            let define = |alias: &str| {
                Statement::Define(Define {
                    kind: DefineKind::Tenancy,
                    alias: alias.into(),
                    ocid: format!("ocid-{alias}"),
                })
            };
            let of_tenancy = matches!(effect, Effect::Admit).then(|| "Src".to_string());
            if of_tenancy.is_some() {
                out.push(define("Src"));
            }
            let location = match (effect, loc) {
                (Effect::Endorse, 0) => Some(Location::AnyTenancy),
                (Effect::Endorse, _) => {
                    out.push(define("Dst"));
                    Some(Location::TenancyAlias("Dst".into()))
                }
                (_, 0) => None,
                (_, 1) => Some(Location::Tenancy),
                _ => Some(Location::Compartment(path)),
            };
            out.push(Statement::Grant(Grant {
                effect,
                subject,
                of_tenancy,
                access,
                location,
                condition,
            }));
            out
        })
}

proptest! {
    #[test]
    fn printing_then_parsing_gives_the_same_statements(groups in prop::collection::vec(statement(), 1..6)) {
        let statements: Vec<Statement> = groups.into_iter().flatten().collect();
        let doc = Document { positions: vec![Pos::default(); statements.len()], statements };
        let text = print(&doc);
        let back = parse(&text).map_err(|e| TestCaseError::fail(format!("{text}\n{e:?}")))?;
        prop_assert_eq!(back.statements, doc.statements);
    }
}

/// Random statements over a small vocabulary, so that many of them match.
fn small_doc(tenant: &'static str, others: [&'static str; 2]) -> impl Strategy<Value = PolicyDoc> {
    let groups = vec!["a", "b", "c"];
    let resources = vec![
        "clusters",
        "cluster-family",
        "vcns",
        "virtual-network-family",
        "all-resources",
        "instance-images",
    ];
    let perms = vec![
        "CLUSTER_READ",
        "CLUSTER_DELETE",
        "VCN_USE",
        "INSTANCE_IMAGE_READ",
        "INSTANCE_IMAGE_INSPECT",
    ];
    let one = (
        prop_oneof![2 => Just(Effect::Allow), 1 => Just(Effect::Deny), 4 => Just(Effect::Endorse), 4 => Just(Effect::Admit)],
        prop_oneof![
            prop::collection::vec(prop::sample::select(groups.clone()), 1..3)
                .prop_map(|g| Subject::Groups(g.into_iter().map(String::from).collect())),
            Just(Subject::AnyUser),
            Just(Subject::AnyGroup),
        ],
        prop_oneof![
            (
                prop::sample::select(Verb::ALL.to_vec()),
                prop::sample::select(resources)
            )
                .prop_map(|(verb, r)| Access::Verb {
                    verb,
                    resource: r.into()
                }),
            prop::collection::vec(prop::sample::select(perms), 1..3)
                .prop_map(|p| Access::Permissions(p.into_iter().map(String::from).collect())),
        ],
        0..4u8,
        0..3usize,
        prop::option::weighted(0.2, prop::sample::select(vec!["a", "b"])),
    )
        .prop_map(move |(effect, subject, access, loc, who, cond)| {
            let alias = ["Me", "X", "Y"][who];
            let of_tenancy = match effect {
                Effect::Admit => Some(alias.to_string()),
                Effect::Deny if loc == 3 => Some(alias.to_string()),
                _ => None,
            };
            let location = match (effect, loc) {
                (Effect::Endorse, 0) | (Effect::Deny, 2) => Some(Location::AnyTenancy),
                (Effect::Endorse, _) => Some(Location::TenancyAlias(alias.into())),
                (_, 1) => Some(Location::Compartment(vec!["shared".into()])),
                _ => None,
            };
            let condition = cond.map(|g| Condition::Compare {
                variable: "request.groups.name".into(),
                negated: false,
                value: Value::Text(g.into()),
            });
            Statement::Grant(Grant {
                effect,
                subject,
                of_tenancy,
                access,
                location,
                condition,
            })
        });
    prop::collection::vec(one, 0..16).prop_map(move |grants| {
        let mut statements = vec![
            Statement::Define(Define {
                kind: DefineKind::Tenancy,
                alias: "Me".into(),
                ocid: tenant.into(),
            }),
            Statement::Define(Define {
                kind: DefineKind::Tenancy,
                alias: "X".into(),
                ocid: others[0].into(),
            }),
            Statement::Define(Define {
                kind: DefineKind::Tenancy,
                alias: "Y".into(),
                ocid: others[1].into(),
            }),
        ];
        statements.extend(grants);
        let positions = (1..=statements.len() as u32)
            .map(|line| Pos { line, column: 1 })
            .collect();
        PolicyDoc {
            tenant_id: tenant.into(),
            tenant_name: tenant.into(),
            name: "p".into(),
            document: Document {
                statements,
                positions,
            },
        }
    })
}

fn small_request() -> impl Strategy<Value = Request> {
    (
        prop::sample::select(vec![SOURCE, DEST, OTHER]),
        prop::sample::select(vec![SOURCE, DEST, OTHER]),
        prop::collection::vec(prop::sample::select(vec!["a", "b", "c", "d"]), 0..3),
        prop_oneof![
            prop::sample::select(Verb::ALL.to_vec()).prop_map(Wanted::Verb),
            prop::sample::select(vec![
                "CLUSTER_READ",
                "CLUSTER_DELETE",
                "VCN_USE",
                "INSTANCE_IMAGE_READ"
            ])
            .prop_map(|p| Wanted::Permission(p.into())),
        ],
        prop::sample::select(vec![
            "clusters",
            "vcns",
            "instance-images",
            "cluster-node-pools",
        ]),
        any::<bool>(),
    )
        .prop_map(|(home, target, groups, wanted, ty, shared)| Request {
            principal: Principal {
                tenant_id: home.into(),
                groups: groups
                    .into_iter()
                    .map(|g| GroupRef {
                        name: g.into(),
                        id: None,
                    })
                    .collect(),
                ..Principal::default()
            },
            wanted,
            resource_type: ty.into(),
            target_tenant_id: target.into(),
            compartment: if shared {
                vec!["shared".into()]
            } else {
                Vec::new()
            },
            operation: None,
            variables: Default::default(),
        })
}

/// A runner with a fixed seed: the same cases every run, so the mixes the property
/// tests count are stable.
pub(super) fn seeded_runner(cases: u32) -> proptest::test_runner::TestRunner {
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
    TestRunner::new_with_rng(
        Config {
            cases,
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    )
}

/// Three tenants' random documents, each defining the other two, and 48 requests.
pub(super) fn sets_and_requests() -> impl Strategy<Value = ([PolicyDoc; 3], Vec<Request>)> {
    (
        (
            small_doc(SOURCE, [DEST, OTHER]),
            small_doc(DEST, [SOURCE, OTHER]),
            small_doc(OTHER, [SOURCE, DEST]),
        )
            .prop_map(|(a, b, c)| [a, b, c]),
        prop::collection::vec(small_request(), 48),
    )
}

/// 500 policy sets × 48 requests = 24,000 decisions, index against scan; the mix of
/// answers is counted so that the comparison is known to cover grants, denies and both
/// halves of cross-tenant pairs, not only refusals.
#[test]
fn the_index_decides_like_the_scan() {
    use std::cell::RefCell;
    let seen: RefCell<HashMap<(Reason, bool), usize>> = RefCell::default();
    seeded_runner(500)
        .run(&sets_and_requests(), |(docs, requests)| {
            let set = PolicySet::new(&docs);
            for r in &requests {
                let d = set.evaluate(r);
                prop_assert_eq!(&d, &set.evaluate_scan(r));
                let cross = r.principal.tenant_id != r.target_tenant_id;
                *seen.borrow_mut().entry((d.reason, cross)).or_default() += 1;
            }
            Ok(())
        })
        .unwrap();
    let seen = seen.into_inner();
    assert!(seen.values().sum::<usize>() >= 10_000);
    for kind in [
        (Reason::Allowed, false),
        (Reason::Allowed, true),
        (Reason::NoAllow, false),
        (Reason::NoEndorse, true),
        (Reason::NoAdmit, true),
        (Reason::DeniedByPolicy, false),
        (Reason::DeniedByPolicy, true),
    ] {
        assert!(
            seen.get(&kind).copied().unwrap_or(0) >= 50,
            "too few {kind:?}: {seen:?}"
        );
    }
}
