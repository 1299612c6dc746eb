//! Tenant teardown on SQLite and Postgres: the dry run counts what goes; a deletion
//! freezes the tenant; the controller runs every step in order, resumes after a failing
//! step, forces a step past its timeout; and afterwards a scan driven by the schema
//! finds no row of the tenant anywhere, its members' sessions are over, its secrets
//! redeem nothing, its peers see the connection revoked with an alert, and asking again
//! is a no-op that succeeds.

mod common;

use domain::clouds::{self, NewCloud, NewServiceEngine};
use domain::crypto::Sealer;
use domain::iam::{self, Base, Save};
use domain::lifecycle::{self, alerts, Controller, Deletion};
use domain::network::{self, SaveMode};
use domain::{connections, directory, members, DomainError, Principal, Role, TenantScope};
use serde_json::json;

struct World {
    root: Principal,
    acme_id: domain::TenantId,
    /// acme's tenant admin (and when he logged in), and the scopes of the peer and of
    /// the system tenant.
    cody: Principal,
    cody_login_at: i64,
    globex: TenantScope,
    admin: TenantScope,
    /// A secret of acme that nobody redeemed.
    pending_secret: String,
}

fn save<'a>(name: &'a str, text: &'a str) -> Save<'a> {
    Save {
        name,
        text,
        description: None,
        comment: "",
        base: Base::Any,
    }
}

/// acme has a bit of everything: members, a connection to globex and a pending secret,
/// a workspace, a service and a network policy, IAM policies with versions, a group, a
/// cloud with a Service Engine; globex admits acme's group.
async fn world(db: &domain::Db) -> World {
    let root = common::global_admin(db).await;
    let acme_t = common::tenant(db, &root, "acme").await;
    let globex_t = common::tenant(db, &root, "globex").await;
    let acme_root = common::scope(db, &root, "acme").await.unwrap();
    let globex = common::scope(db, &root, "globex").await.unwrap();
    members::add(db, &acme_root, "cody@example.test", Role::TenantAdmin)
        .await
        .unwrap();
    members::add(db, &acme_root, "vera@example.test", Role::Viewer)
        .await
        .unwrap();
    let cody_login_at = domain::now_ms();
    let cody = common::oidc_user(db, "cody").await;
    let acme = common::scope(db, &cody, "acme").await.unwrap();
    // globex provides a service; acme connects and writes a policy for it.
    network::create_service(db, &globex, "global-inventory-api", 443, "tcp")
        .await
        .unwrap();
    let s = connections::create_secret(db, &globex, None, "for acme")
        .await
        .unwrap();
    connections::redeem(db, &acme, &s.secret, "test")
        .await
        .unwrap();
    let pending_secret = connections::create_secret(db, &acme, None, "never used")
        .await
        .unwrap()
        .secret;
    network::create_workspace(db, &acme, "ide", vec!["project-a-ide".into()])
        .await
        .unwrap();
    network::create_service(db, &acme, "billing", 8443, "tcp")
        .await
        .unwrap();
    network::save_policy(
        db,
        &acme,
        &format!(
            "kind: NCSPolicy\nmetadata:\n  name: to-inventory\nspec:\n  source:\n    workspaceLabel: project-a-ide\n  destination:\n    tenantID: \"{}\"\n    serviceName: \"global-inventory-api\"\n  action: allow\n",
            globex_t.id
        ),
        SaveMode::Create,
        None,
    )
    .await
    .unwrap();
    iam::create_group(db, &acme, "netops", "").await.unwrap();
    iam::add_group_member(db, &acme, "netops", "vera@example.test")
        .await
        .unwrap();
    let endorse = format!(
        "Define tenancy Globex as {}\nEndorse group netops to read network-family in tenancy Globex\n",
        globex_t.id
    );
    iam::save_policy(db, &acme, save("endorse-globex", &endorse))
        .await
        .unwrap();
    iam::save_policy(
        db,
        &acme,
        save("endorse-globex", &endorse.replace("read", "inspect")),
    )
    .await
    .unwrap();
    iam::save_policy(
        db,
        &globex,
        save(
            "admit-acme",
            &format!(
                "Define tenancy Acme as {}\nAdmit group netops of tenancy Acme to read network-family in tenancy\n",
                acme_t.id
            ),
        ),
    )
    .await
    .unwrap();
    let sealer = Sealer::from_hex(&Sealer::generate_hex()).unwrap();
    let cfg = json!({"hosts": [{"ip": "10.0.0.11", "ssh_user": "ubuntu"}],
        "ssh_private_key": "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----"});
    let cloud = clouds::create_cloud(
        db,
        &acme,
        &sealer,
        NewCloud {
            name: "lsc",
            cloud_type: "linux-server",
            config: &cfg,
        },
    )
    .await
    .unwrap();
    let detail = clouds::get_cloud(db, &acme, cloud.id).await.unwrap();
    clouds::add_service_engine(
        db,
        &acme,
        NewServiceEngine {
            name: "se-1",
            mgmt_ip: "10.0.0.11",
            se_group_id: detail.se_groups[0].id,
        },
    )
    .await
    .unwrap();
    let admin = common::scope(db, &root, "admin").await.unwrap();
    World {
        root,
        acme_id: acme_t.id,
        cody,
        cody_login_at,
        globex,
        admin,
        pending_secret,
    }
}

fn count(plan: &lifecycle::Plan, kind: &str) -> i64 {
    plan.steps
        .iter()
        .flat_map(|s| &s.items)
        .find(|i| i.kind == kind)
        .map(|i| i.count)
        .unwrap_or_else(|| panic!("no kind {kind} in the plan"))
}

async fn alert_kinds(db: &domain::Db, scope: &TenantScope) -> Vec<String> {
    alerts::list(db, scope, true, None, None)
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|a| a.kind)
        .collect()
}

both!(
    a_deleted_tenant_leaves_nothing_behind,
    |db: domain::Db| async move {
        let w = world(&db).await;
        let ctl = Controller::new("test");
        // Only a global admin asks (a tenant admin is refused, and learns nothing of
        // other tenants), never for the system tenant, and only with the name.
        assert!(matches!(
            lifecycle::request_delete(&db, &w.cody, w.acme_id, None).await,
            Err(DomainError::Forbidden(_))
        ));
        assert!(matches!(
            lifecycle::request_delete(&db, &w.cody, w.globex.tenant_id(), None).await,
            Err(DomainError::NotFound(_))
        ));
        assert!(matches!(
            lifecycle::plan(&db, &w.cody, w.acme_id).await,
            Err(DomainError::Forbidden(_))
        ));
        let e = lifecycle::request_delete(&db, &w.root, w.admin.tenant_id(), None)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "system_tenant");
        let e = lifecycle::request_delete(&db, &w.root, w.acme_id, Some("acme-typo"))
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some("confirm"));
        // The dry run counts what goes, in order, and changes nothing.
        let plan = lifecycle::plan(&db, &w.root, w.acme_id).await.unwrap();
        assert_eq!(
            plan.steps
                .iter()
                .map(|s| s.key.as_str())
                .collect::<Vec<_>>(),
            lifecycle::STEPS.iter().map(|s| s.key).collect::<Vec<_>>()
        );
        assert!(plan.progress.is_none());
        assert_eq!(count(&plan, "connection secrets still redeemable"), 1);
        assert_eq!(count(&plan, "network policies"), 1);
        // Two of endorse-globex, one of the policy the cloud's creation wrote.
        assert_eq!(count(&plan, "IAM policy versions"), 3);
        assert_eq!(count(&plan, "clouds"), 1);
        assert_eq!(count(&plan, "VRF contexts"), 2);
        assert_eq!(count(&plan, "Service Engines"), 1);
        assert_eq!(count(&plan, "memberships (their sessions end at once)"), 2);
        // Asked: the tenant is frozen at once, readable but unchangeable.
        let Deletion::Started(p) = lifecycle::request_delete(&db, &w.root, w.acme_id, Some("acme"))
            .await
            .unwrap()
        else {
            panic!("the deletion did not start");
        };
        assert_eq!((p.done, p.total), (0, lifecycle::STEPS.len()));
        let frozen = common::scope(&db, &w.cody, "acme").await.unwrap();
        assert!(frozen.is_deleting());
        let e = network::create_workspace(&db, &frozen, "late", vec![])
            .await
            .unwrap_err();
        assert_eq!(e.code(), "tenant_deleting");
        assert!(!frozen.allows("WORKSPACE_CREATE"));
        assert!(network::list_workspaces(&db, &frozen, "", None, None)
            .await
            .is_ok());
        let e = directory::update_tenant(&db, &w.root, w.acme_id, "late", vec![])
            .await
            .unwrap_err();
        assert_eq!(e.code(), "tenant_deleting");
        // From the moment it is asked, its secrets redeem nothing.
        let e = connections::redeem(&db, &w.globex, &w.pending_secret, "test")
            .await
            .unwrap_err();
        assert_eq!(e.code(), "secret_revoked");
        // A step that fails stops the teardown there, with its error, until it passes.
        let failing = Controller {
            faults: vec!["connections"],
            ..ctl.clone()
        };
        let pass = lifecycle::reconcile(&db, &failing).await.unwrap();
        assert_eq!((pass.deleted, pass.stuck), (0, 1));
        let t = directory::list_tenants(&db, &w.root, &Default::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|t| t.name == "acme")
            .unwrap();
        let progress = t.teardown.unwrap();
        assert_eq!(progress.done, 1, "the secrets step is done");
        assert!(progress.error.is_some());
        // Its secrets already redeem nothing.
        assert!(
            connections::redeem(&db, &w.globex, &w.pending_secret, "test")
                .await
                .is_err()
        );
        // The next pass resumes and finishes.
        let pass = lifecycle::reconcile(&db, &ctl).await.unwrap();
        assert_eq!((pass.deleted, pass.stuck), (1, 0));
        assert_eq!(
            lifecycle::teardown::orphans(&db, w.acme_id).await.unwrap(),
            vec![],
            "rows left in tenant-owned tables"
        );
        // Every table was covered by a step: the final sweep found nothing.
        assert!(!alert_kinds(&db, &w.admin)
            .await
            .contains(&"teardown_swept".to_string()));
        assert!(matches!(
            common::scope(&db, &w.root, "acme").await,
            Err(DomainError::NotFound(_))
        ));
        // Its members' sessions are over; a new login works.
        assert!(matches!(
            directory::principal_for_session(&db, w.cody.user_id(), w.cody_login_at).await,
            Err(DomainError::Unauthenticated(_))
        ));
        assert!(
            directory::principal_for_session(&db, w.cody.user_id(), domain::now_ms() + 1)
                .await
                .is_ok()
        );
        // The peer sees the connection revoked, with an alert, and an alert for the
        // Admit that names a tenant that is gone.
        let conns = connections::list_connections(&db, &w.globex, None, None)
            .await
            .unwrap();
        assert!(conns.items.iter().all(|c| !c.is_active()));
        let kinds = alert_kinds(&db, &w.globex).await;
        assert!(
            kinds.contains(&"connection_revoked".to_string()),
            "{kinds:?}"
        );
        assert!(
            kinds.contains(&"policy_unknown_tenant".to_string()),
            "{kinds:?}"
        );
        // The audit log is archived, with the end of the story.
        let archived = domain::db::raw_scalar(
            &db,
            &format!(
                "SELECT COUNT(*) FROM audit_archive WHERE former_tenant_id = '{}' AND action = 'tenant.deleted'",
                w.acme_id
            ),
        )
        .await
        .unwrap();
        assert_eq!(archived, 1);
        // Global admins read it; nobody else does.
        let log = domain::audit::archived(&db, &w.root, w.acme_id, None, Some(5))
            .await
            .unwrap();
        assert_eq!(log.items[0].action, "tenant.deleted");
        assert!(log.next_cursor.is_some());
        assert!(matches!(
            domain::audit::archived(&db, &w.cody, w.acme_id, None, None).await,
            Err(DomainError::Forbidden(_))
        ));
        assert!(matches!(
            domain::audit::archived(&db, &w.root, w.globex.tenant_id(), None, None).await,
            Err(DomainError::NotFound(_))
        ));
        // Asking again is a no-op that succeeds.
        assert_eq!(
            lifecycle::request_delete(&db, &w.root, w.acme_id, None)
                .await
                .unwrap(),
            Deletion::AlreadyDeleted
        );
        assert_eq!(lifecycle::reconcile(&db, &ctl).await.unwrap().deleted, 0);
        // Past its retention, the archive goes too.
        let purging = Controller {
            audit_retention_ms: -1,
            ..ctl.clone()
        };
        lifecycle::reconcile(&db, &purging).await.unwrap();
        assert!(matches!(
            domain::audit::archived(&db, &w.root, w.acme_id, None, None).await,
            Err(DomainError::NotFound(_))
        ));
        // globex is untouched.
        assert!(common::scope(&db, &w.root, "globex").await.is_ok());
    }
);

both!(
    a_step_that_keeps_failing_is_forced_and_alerted,
    |db: domain::Db| async move {
        let w = world(&db).await;
        lifecycle::request_delete(&db, &w.root, w.acme_id, None)
            .await
            .unwrap();
        let mut ctl = Controller::new("test");
        ctl.faults = vec!["connections"];
        assert_eq!(lifecycle::reconcile(&db, &ctl).await.unwrap().stuck, 1);
        // Past the timeout, the step runs without its graceful part.
        ctl.step_timeout_ms = -1;
        let pass = lifecycle::reconcile(&db, &ctl).await.unwrap();
        assert_eq!((pass.deleted, pass.stuck), (1, 0));
        assert_eq!(
            lifecycle::teardown::orphans(&db, w.acme_id).await.unwrap(),
            vec![]
        );
        assert!(alert_kinds(&db, &w.admin)
            .await
            .contains(&"teardown_forced".to_string()));
        // The peer's half is still revoked, without the courtesy alert.
        let conns = connections::list_connections(&db, &w.globex, None, None)
            .await
            .unwrap();
        assert!(conns.items.iter().all(|c| !c.is_active()));
        assert!(!alert_kinds(&db, &w.globex)
            .await
            .contains(&"connection_revoked".to_string()));
    }
);

both!(
    one_controller_at_a_time_holds_the_lease,
    |db: domain::Db| async move {
        assert!(lifecycle::acquire_lease(&db, "a").await.unwrap());
        assert!(!lifecycle::acquire_lease(&db, "b").await.unwrap());
        assert!(lifecycle::acquire_lease(&db, "a").await.unwrap());
        assert_eq!(
            lifecycle::lease_holder(&db).await.unwrap().as_deref(),
            Some("a")
        );
        let pass = lifecycle::reconcile(&db, &Controller::new("b"))
            .await
            .unwrap();
        assert!(!pass.leader);
        lifecycle::release_lease(&db, "a").await.unwrap();
        assert!(lifecycle::acquire_lease(&db, "b").await.unwrap());
    }
);
