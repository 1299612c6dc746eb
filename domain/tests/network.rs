//! NCS networking on SQLite and Postgres: workspaces and services, policies validated
//! against the database with line numbers, the connectivity check through every
//! reason, DNS names of connected services, and traffic ingest.

mod common;

use domain::connections;
use domain::network::{self, SaveMode};
use domain::traffic::{self, TrafficRecord};
use domain::{members, DomainError, Role, TenantScope};
use policy::ncs::{Question, Reason};

struct World {
    provider: TenantScope,
    consumer: TenantScope,
    /// A viewer of the consumer tenant.
    viewer: TenantScope,
    /// A tenant never connected to the consumer, with a service of the same name.
    stranger: TenantScope,
    connection: String,
}

async fn world(db: &domain::Db) -> World {
    let root = common::global_admin(db).await;
    for t in ["provider", "consumer", "stranger"] {
        common::tenant(db, &root, t).await;
    }
    let p = common::scope(db, &root, "provider").await.unwrap();
    let c = common::scope(db, &root, "consumer").await.unwrap();
    let s = common::scope(db, &root, "stranger").await.unwrap();
    members::add(db, &p, "pat@example.test", Role::TenantAdmin)
        .await
        .unwrap();
    members::add(db, &c, "cody@example.test", Role::TenantAdmin)
        .await
        .unwrap();
    members::add(db, &c, "vera@example.test", Role::Viewer)
        .await
        .unwrap();
    let pat = common::oidc_user(db, "pat").await;
    let cody = common::oidc_user(db, "cody").await;
    let vera = common::oidc_user(db, "vera").await;
    let provider = common::scope(db, &pat, "provider").await.unwrap();
    let consumer = common::scope(db, &cody, "consumer").await.unwrap();
    let viewer = common::scope(db, &vera, "consumer").await.unwrap();
    network::create_service(db, &provider, "global-inventory-api", 8080, "HTTP")
        .await
        .unwrap();
    network::create_service(db, &s, "global-inventory-api", 8080, "http")
        .await
        .unwrap();
    network::create_workspace(db, &consumer, "ide", vec!["project-a-ide".into()])
        .await
        .unwrap();
    let secret = connections::create_secret(db, &provider, None, "")
        .await
        .unwrap();
    let connection = connections::redeem(db, &consumer, &secret.secret, "test")
        .await
        .unwrap()
        .id;
    World {
        provider,
        consumer,
        viewer,
        stranger: s,
        connection,
    }
}

fn seed_policy(tenant: &str, name: &str, action: &str) -> String {
    format!(
        "kind: NCSPolicy\nmetadata:\n  name: {name}\nspec:\n  source:\n    workspaceLabel: project-a-ide\n  destination:\n    tenantID: \"{tenant}\"\n    serviceName: \"global-inventory-api\"\n  action: {action}\n"
    )
}

fn issues(e: DomainError) -> Vec<(usize, String)> {
    match e {
        DomainError::InvalidDocument(list) => {
            list.into_iter().map(|i| (i.line, i.message)).collect()
        }
        other => panic!("expected a document error, got {other:?}"),
    }
}

fn question(tenant: &str, label: &str, service: &str) -> Question {
    Question {
        workspace_label: label.into(),
        tenant_id: tenant.into(),
        service_name: service.into(),
    }
}

both!(
    workspaces_and_services_are_validated_and_scoped,
    |db: domain::Db| async move {
        let w = world(&db).await;
        let ws = network::create_workspace(
            &db,
            &w.consumer,
            "build",
            vec!["ci".into(), "ci".into(), "x.y_z".into()],
        )
        .await
        .unwrap();
        assert_eq!(
            ws.labels,
            vec!["ci".to_string(), "x.y_z".to_string()],
            "labels are deduplicated and sorted"
        );
        for (name, labels, field) in [
            ("Bad Name", vec![], "name"),
            ("ok", vec!["Not OK".to_string()], "labels"),
            ("ok", (0..21).map(|i| format!("l{i}")).collect(), "labels"),
        ] {
            match network::create_workspace(&db, &w.consumer, name, labels).await {
                Err(DomainError::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("expected invalid {field}, got {other:?}"),
            }
        }
        assert_eq!(
            network::create_workspace(&db, &w.consumer, "build", vec![])
                .await
                .unwrap_err()
                .code(),
            "workspace_exists"
        );
        assert!(matches!(
            network::create_workspace(&db, &w.viewer, "v", vec![]).await,
            Err(DomainError::Forbidden(_))
        ));
        // Search by label, and the viewer reads.
        let found = network::list_workspaces(&db, &w.viewer, "x.y", None, None)
            .await
            .unwrap();
        assert_eq!(found.items.len(), 1);
        assert_eq!(found.items[0].name, "build");

        for (port, proto, field) in [
            (0, "tcp", "port"),
            (65536, "tcp", "port"),
            (80, "ftp", "protocol"),
        ] {
            match network::create_service(&db, &w.provider, "svc", port, proto).await {
                Err(DomainError::Invalid { field: f, .. }) => assert_eq!(f, field),
                other => panic!("expected invalid {field}, got {other:?}"),
            }
        }
        assert_eq!(
            network::create_service(&db, &w.provider, "global-inventory-api", 1, "tcp")
                .await
                .unwrap_err()
                .code(),
            "service_exists"
        );
        // Another tenant's workspace or service cannot be deleted, and is reported missing.
        let theirs = network::list_services(&db, &w.stranger, "", None, None)
            .await
            .unwrap()
            .items[0]
            .id
            .clone();
        assert!(matches!(
            network::delete_service(&db, &w.provider, &theirs).await,
            Err(DomainError::NotFound(_))
        ));
        assert!(matches!(
            network::delete_workspace(&db, &w.provider, &ws.id).await,
            Err(DomainError::NotFound(_))
        ));
        network::delete_workspace(&db, &w.consumer, &ws.id)
            .await
            .unwrap();
        assert!(
            network::list_workspaces(&db, &w.consumer, "build", None, None)
                .await
                .unwrap()
                .items
                .is_empty()
        );
    }
);

both!(
    connected_services_get_dns_names_and_others_stay_hidden,
    |db: domain::Db| async move {
        let w = world(&db).await;
        let remote = network::remote_services(&db, &w.viewer, "aether.internal")
            .await
            .unwrap();
        assert_eq!(
            remote.len(),
            1,
            "only the connected provider's service: {remote:?}"
        );
        let pid = w.provider.tenant_id();
        assert_eq!(
            remote[0].dns_name,
            format!("global-inventory-api.{pid}.aether.internal")
        );
        assert_eq!(remote[0].tenant_name, "provider");
        // The provider sees the consumer's services (none), never the stranger's.
        assert!(network::remote_services(&db, &w.provider, "x")
            .await
            .unwrap()
            .is_empty());
        connections::revoke_connection(&db, &w.provider, &w.connection)
            .await
            .unwrap();
        assert!(
            network::remote_services(&db, &w.consumer, "aether.internal")
                .await
                .unwrap()
                .is_empty()
        );
    }
);

both!(
    policies_are_checked_against_connections_and_services,
    |db: domain::Db| async move {
        let w = world(&db).await;
        let pid = w.provider.tenant_id().to_string();
        let sid = w.stranger.tenant_id().to_string();
        // A tenant with no connection: the line of tenantID (8).
        let errs = issues(
            network::save_policy(
                &db,
                &w.consumer,
                &seed_policy(&sid, "p1", "allow"),
                SaveMode::Create,
                None,
            )
            .await
            .unwrap_err(),
        );
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].0, 8);
        assert!(errs[0].1.contains("no active connection"), "{errs:?}");
        // The name instead of the id gets a hint with the id.
        let errs = issues(
            network::save_policy(
                &db,
                &w.consumer,
                &seed_policy("provider", "p1", "allow"),
                SaveMode::Create,
                None,
            )
            .await
            .unwrap_err(),
        );
        assert!(errs[0].1.contains(&pid), "{errs:?}");
        // An unknown service: the line of serviceName (9).
        let text = seed_policy(&pid, "p1", "allow").replace("global-inventory-api", "no-such-api");
        let errs = issues(
            network::save_policy(&db, &w.consumer, &text, SaveMode::Create, None)
                .await
                .unwrap_err(),
        );
        assert_eq!(errs[0].0, 9);
        assert!(errs[0].1.contains("no service named"));
        assert!(
            errs[0].1.contains("It offers: global-inventory-api."),
            "{errs:?}"
        );
        // Shape errors come from the parser, all at once.
        let text = seed_policy(&pid, "Bad_Name", "maybe").replace("spec:", "spec:\n  extra: 1");
        let errs = issues(
            network::save_policy(&db, &w.consumer, &text, SaveMode::Create, None)
                .await
                .unwrap_err(),
        );
        assert_eq!(errs.iter().map(|e| e.0).collect::<Vec<_>>(), vec![3, 5, 11]);
        // Viewers cannot save; nothing above was stored.
        assert!(matches!(
            network::save_policy(
                &db,
                &w.viewer,
                &seed_policy(&pid, "p1", "allow"),
                SaveMode::Create,
                None
            )
            .await,
            Err(DomainError::Forbidden(_))
        ));
        assert!(network::list_policies(&db, &w.consumer, "", None, None)
            .await
            .unwrap()
            .items
            .is_empty());

        // A valid one (upper-case id is stored canonical), then create again conflicts,
        // update keeps the name, rename refused at the name's line, delete audited.
        let saved = network::save_policy(
            &db,
            &w.consumer,
            &seed_policy(&pid.to_uppercase(), "p1", "allow"),
            SaveMode::Create,
            None,
        )
        .await
        .unwrap();
        assert_eq!(saved.policy.tenant_id, pid);
        assert_eq!(
            network::save_policy(
                &db,
                &w.consumer,
                &seed_policy(&pid, "p1", "allow"),
                SaveMode::Create,
                None
            )
            .await
            .unwrap_err()
            .code(),
            "policy_exists"
        );
        let updated = network::save_policy(
            &db,
            &w.consumer,
            &seed_policy(&pid, "p1", "deny"),
            SaveMode::Update,
            Some("p1"),
        )
        .await
        .unwrap();
        assert_eq!(updated.policy.action, policy::ncs::NetAction::Deny);
        let errs = issues(
            network::save_policy(
                &db,
                &w.consumer,
                &seed_policy(&pid, "p2", "deny"),
                SaveMode::Put,
                Some("p1"),
            )
            .await
            .unwrap_err(),
        );
        assert_eq!(errs[0].0, 3);
        assert!(matches!(
            network::save_policy(
                &db,
                &w.consumer,
                &seed_policy(&pid, "p9", "deny"),
                SaveMode::Update,
                Some("p9")
            )
            .await,
            Err(DomainError::NotFound(_))
        ));
        // Another tenant cannot read it.
        assert!(matches!(
            network::get_policy(&db, &w.provider, "p1").await,
            Err(DomainError::NotFound(_))
        ));
        network::delete_policy(&db, &w.consumer, "p1")
            .await
            .unwrap();
        assert!(matches!(
            network::delete_policy(&db, &w.consumer, "p1").await,
            Err(DomainError::NotFound(_))
        ));
        let log = domain::audit::list(&db, &w.consumer, None, Some(100))
            .await
            .unwrap();
        for action in [
            "network_policy.create",
            "network_policy.update",
            "network_policy.delete",
            "workspace.create",
        ] {
            assert!(
                log.items.iter().any(|e| e.action == action),
                "{action} audited"
            );
        }
    }
);

both!(the_check_gives_each_reason, |db: domain::Db| async move {
    let w = world(&db).await;
    let pid = w.provider.tenant_id().to_string();
    let sid = w.stranger.tenant_id().to_string();
    let reason = |q: Question| {
        let db = db.clone();
        let scope = w.viewer.clone();
        async move { network::check(&db, &scope, &q).await.unwrap() }
    };
    let r = reason(question(&sid, "project-a-ide", "global-inventory-api")).await;
    assert_eq!(r.verdict.reason, Reason::NoConnection);
    assert!(!r.verdict.allowed);
    assert_eq!(
        reason(question("not-a-uuid", "project-a-ide", "x"))
            .await
            .verdict
            .reason,
        Reason::NoConnection
    );
    assert_eq!(
        reason(question(&pid, "project-a-ide", "nope"))
            .await
            .verdict
            .reason,
        Reason::UnknownService
    );
    let r = reason(question(&pid, "project-a-ide", "global-inventory-api")).await;
    assert_eq!(
        r.verdict.reason,
        Reason::NoPolicy,
        "a connection alone allows nothing"
    );
    assert_eq!(
        network::allow_counts(&db, &w.consumer).await.unwrap()[&w.provider.tenant_id()],
        0
    );

    network::save_policy(
        &db,
        &w.consumer,
        &seed_policy(&pid, "allow-external-api", "allow"),
        SaveMode::Create,
        None,
    )
    .await
    .unwrap();
    let r = reason(question(&pid, "project-a-ide", "global-inventory-api")).await;
    assert!(r.verdict.allowed);
    assert_eq!(
        r.verdict.reason,
        Reason::AllowedBy("allow-external-api".into())
    );
    assert!(r.explanation.contains("allow-external-api"));
    // Other labels are still denied by default.
    assert_eq!(
        reason(question(&pid, "other-label", "global-inventory-api"))
            .await
            .verdict
            .reason,
        Reason::NoPolicy
    );
    // Both sides see that the connection now carries something.
    assert_eq!(
        network::allow_counts(&db, &w.consumer).await.unwrap()[&w.provider.tenant_id()],
        1
    );
    assert_eq!(
        network::allow_counts(&db, &w.provider).await.unwrap()[&w.consumer.tenant_id()],
        1
    );
    // The connection page: the consumer sees its policy by name; the provider sees which
    // of its services is allowed, for which label, but not the consumer's policy name.
    let mine = network::connection_policies(&db, &w.consumer, w.provider.tenant_id())
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].name.as_deref(), Some("allow-external-api"));
    assert_eq!(
        (
            mine[0].service_name.as_str(),
            mine[0].workspace_label.as_str()
        ),
        ("global-inventory-api", "project-a-ide")
    );
    let theirs = network::connection_policies(&db, &w.provider, w.consumer.tenant_id())
        .await
        .unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].name, None);
    assert_eq!(theirs[0].service_name, "global-inventory-api");

    network::save_policy(
        &db,
        &w.consumer,
        &seed_policy(&pid, "block-it", "deny"),
        SaveMode::Create,
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        reason(question(&pid, "project-a-ide", "global-inventory-api"))
            .await
            .verdict
            .reason,
        Reason::DeniedBy("block-it".into())
    );
    connections::revoke_connection(&db, &w.consumer, &w.connection)
        .await
        .unwrap();
    assert_eq!(
        reason(question(&pid, "project-a-ide", "global-inventory-api"))
            .await
            .verdict
            .reason,
        Reason::ConnectionRevoked
    );
    // Revoked, the connection carries nothing and the other side's policies are out of
    // reach again.
    assert!(
        network::connection_policies(&db, &w.provider, w.consumer.tenant_id())
            .await
            .unwrap()
            .is_empty()
    );
    // A draft for a revoked connection still names the tenant.
    let draft = network::draft_policy(&db, &w.consumer, w.provider.tenant_id())
        .await
        .unwrap();
    assert!(draft.contains(&pid));
    assert!(policy::ncs::parse(&draft).is_ok(), "drafts parse: {draft}");
});

both!(
    traffic_is_summed_per_day_on_both_sides,
    |db: domain::Db| async move {
        let w = world(&db).await;
        let (token, _) = traffic::issue_token(&db, "dp-1", 3_600_000).await.unwrap();
        assert!(token.starts_with("ndp_"));
        assert!(traffic::authenticate(&db, "ndp_wrong").await.is_err());
        let plane = traffic::authenticate(&db, &token).await.unwrap();
        // The connection has existed for three days, so yesterday's traffic is plausible.
        domain::db::raw_execute(
            &db,
            "UPDATE connections SET created_at = created_at - 259200000",
        )
        .await
        .unwrap();
        let now = domain::now_ms();
        let rec = |bytes, flows, at| TrafficRecord {
            connection_id: w.connection.clone(),
            bytes,
            flows,
            at,
        };
        let n = traffic::ingest(
            &db,
            &plane,
            &[
                rec(1000, 2, now),
                rec(500, 1, now),
                rec(7, 1, now - traffic::DAY_MS),
            ],
        )
        .await
        .unwrap();
        assert_eq!(n, 3);
        for scope in [&w.consumer, &w.provider, &w.viewer] {
            let days = traffic::for_connection(&db, scope, &w.connection, 7)
                .await
                .unwrap();
            assert_eq!(days.len(), 7);
            assert_eq!(
                (days[6].bytes, days[6].flows),
                (1500, 3),
                "today on {}",
                scope.tenant_name()
            );
            assert_eq!(days[5].bytes, 7);
            assert_eq!(
                traffic::totals(&db, scope).await.unwrap()[&w.connection],
                (1507, 4)
            );
        }
        // A bad record refuses the whole batch and changes nothing.
        for bad in [
            vec![rec(1, 1, now), rec(-1, 0, now)],
            vec![rec(1, 1, now + 3_600_000)],
            vec![rec(1, 1, now - 5 * traffic::DAY_MS)],
            vec![
                rec(1, 1, now),
                TrafficRecord {
                    connection_id: "nope".into(),
                    bytes: 1,
                    flows: 1,
                    at: now,
                },
            ],
            vec![],
        ] {
            assert!(matches!(
                traffic::ingest(&db, &plane, &bad).await,
                Err(DomainError::Invalid { .. })
            ));
        }
        assert_eq!(
            traffic::totals(&db, &w.consumer).await.unwrap()[&w.connection],
            (1507, 4)
        );
        // Another tenant's connection is not found.
        assert!(matches!(
            traffic::for_connection(&db, &w.stranger, &w.connection, 7).await,
            Err(DomainError::NotFound(_))
        ));
    }
);

both!(
    workspaces_and_services_are_edited_in_place_audited_and_refused_cleanly,
    |db: domain::Db| async move {
        let w = world(&db).await;
        let ws = network::list_workspaces(&db, &w.consumer, "", None, None)
            .await
            .unwrap();
        assert_eq!(ws.total, Some(1), "lists count themselves");
        let id = ws.items[0].id.clone();
        // A key=value label is refused, with a reason, and nothing changes.
        let e = network::update_workspace(&db, &w.consumer, &id, vec!["team=ide".into()])
            .await
            .unwrap_err();
        assert!(
            matches!(
                e,
                DomainError::Invalid {
                    field: "labels",
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(e.to_string().contains("plain words"), "{e}");
        let edited = network::update_workspace(
            &db,
            &w.consumer,
            &id,
            vec!["project-b".into(), "project-a-ide".into()],
        )
        .await
        .unwrap();
        assert_eq!(edited.labels, vec!["project-a-ide", "project-b"]);
        assert_eq!(edited.name, "ide", "the name stays");
        // A viewer may not, and another tenant's workspace is not found.
        assert!(matches!(
            network::update_workspace(&db, &w.viewer, &id, vec![]).await,
            Err(DomainError::Forbidden(_))
        ));
        assert!(matches!(
            network::update_workspace(&db, &w.provider, &id, vec![]).await,
            Err(DomainError::NotFound(_))
        ));
        let svc = network::list_services(&db, &w.provider, "", None, None)
            .await
            .unwrap()
            .items[0]
            .clone();
        assert!(matches!(
            network::update_service(&db, &w.provider, &svc.id, 70_000, "tcp").await,
            Err(DomainError::Invalid { field: "port", .. })
        ));
        let s = network::update_service(&db, &w.provider, &svc.id, 9443, "GRPC")
            .await
            .unwrap();
        assert_eq!(
            (s.port, s.protocol.as_str(), s.name.as_str()),
            (9443, "grpc", "global-inventory-api")
        );
        let log = domain::audit::list(&db, &w.consumer, None, Some(100))
            .await
            .unwrap();
        let e = log
            .items
            .iter()
            .find(|e| e.action == "workspace.update")
            .expect("audited");
        assert_eq!(e.before.as_deref(), Some("labels: project-a-ide"));
        assert_eq!(e.after.as_deref(), Some("labels: project-a-ide, project-b"));
        let log = domain::audit::list(&db, &w.provider, None, Some(100))
            .await
            .unwrap();
        assert!(log.items.iter().any(|e| e.action == "service.update"
            && e.before.as_deref() == Some("http/8080")
            && e.after.as_deref() == Some("grpc/9443")));
    }
);
