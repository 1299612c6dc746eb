//! IAM enforcement on SQLite and Postgres: groups belong to one tenant and hold only
//! its members; an Allow for a group grants exactly what it names and a Deny wins;
//! admission across tenants needs both an Endorse and an Admit, gives their
//! intersection, ends when either goes, and is audited in both tenants; and the
//! simulator answers as enforcement does.

mod common;

use domain::iam::{self, Base, Question, Save};
use domain::{audit, members, DomainError, Role};

fn save<'a>(name: &'a str, text: &'a str) -> Save<'a> {
    Save {
        name,
        text,
        description: None,
        comment: "",
        base: Base::Any,
    }
}

fn forbidden(e: DomainError) -> String {
    match e {
        DomainError::Forbidden(why) => why,
        other => panic!("expected Forbidden, got {other:?}"),
    }
}

both!(
    groups_belong_to_one_tenant_and_hold_only_its_members,
    |db: domain::Db| async move {
        let root = common::global_admin(&db).await;
        common::tenant(&db, &root, "acme").await;
        common::tenant(&db, &root, "globex").await;
        let acme = common::scope(&db, &root, "acme").await.unwrap();
        let globex = common::scope(&db, &root, "globex").await.unwrap();
        members::add(&db, &acme, "vera@example.test", Role::Viewer)
            .await
            .unwrap();
        members::add(&db, &globex, "gail@example.test", Role::Viewer)
            .await
            .unwrap();
        // Names follow the tenant-name rule, and a role's group is not a name to take.
        for (bad, code) in [
            ("NetOps", "invalid_input"),
            ("tenant-admin", "invalid_input"),
            ("x", "invalid_input"),
        ] {
            let e = iam::create_group(&db, &acme, bad, "").await.unwrap_err();
            assert_eq!(e.code(), code, "{bad}");
        }
        iam::create_group(&db, &acme, "netops", "Network operators")
            .await
            .unwrap();
        let e = iam::create_group(&db, &acme, "netops", "")
            .await
            .unwrap_err();
        assert_eq!(e.code(), "group_exists");
        // The same name in another tenant is another group.
        iam::create_group(&db, &globex, "netops", "").await.unwrap();
        // Only a member of acme joins acme's group; nothing changes otherwise.
        let e = iam::add_group_member(&db, &acme, "netops", "gail@example.test")
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some("email"));
        let m = iam::add_group_member(&db, &acme, "netops", "vera@example.test")
            .await
            .unwrap();
        let e = iam::add_group_member(&db, &acme, "netops", "vera@example.test")
            .await
            .unwrap_err();
        assert_eq!(e.code(), "already_in_group");
        assert_eq!(
            iam::get_group(&db, &acme, "netops")
                .await
                .unwrap()
                .members
                .len(),
            1
        );
        assert!(iam::get_group(&db, &globex, "netops")
            .await
            .unwrap()
            .members
            .is_empty());
        // Leaving the tenant leaves its groups.
        members::remove(&db, &acme, m.user_id).await.unwrap();
        assert_eq!(
            iam::get_group(&db, &acme, "netops")
                .await
                .unwrap()
                .group
                .members,
            0
        );
        // Every change is audited.
        let log = audit::list(&db, &acme, None, Some(50)).await.unwrap();
        for action in ["group.create", "group.member_add"] {
            assert!(
                log.items.iter().any(|e| e.action == action),
                "{action} missing"
            );
        }
        iam::delete_group(&db, &acme, "netops").await.unwrap();
        assert!(matches!(
            iam::get_group(&db, &acme, "netops").await,
            Err(DomainError::NotFound(_))
        ));
    }
);

both!(
    an_allow_for_a_group_grants_exactly_its_family_and_a_deny_wins,
    |db: domain::Db| async move {
        let root = common::global_admin(&db).await;
        common::tenant(&db, &root, "acme").await;
        let acme = common::scope(&db, &root, "acme").await.unwrap();
        members::add(&db, &acme, "vera@example.test", Role::Viewer)
            .await
            .unwrap();
        let vera = common::oidc_user(&db, "vera").await;
        iam::create_group(&db, &acme, "netops", "").await.unwrap();
        iam::add_group_member(&db, &acme, "netops", "vera@example.test")
            .await
            .unwrap();
        // A viewer reads everything and changes nothing, and is told what is missing.
        let s = common::scope(&db, &vera, "acme").await.unwrap();
        assert!(s.allows("CLOUD_READ"));
        let why = forbidden(s.require("WORKSPACE_CREATE").unwrap_err());
        assert!(why.contains("WORKSPACE_CREATE on workspaces"), "{why}");
        iam::save_policy(
            &db,
            &acme,
            save(
                "netops",
                "Allow group NetOps to manage network-family in tenancy\n",
            ),
        )
        .await
        .unwrap();
        // The next request sees it.
        let s = common::scope(&db, &vera, "acme").await.unwrap();
        for p in [
            "WORKSPACE_CREATE",
            "SERVICE_DELETE",
            "NETWORK_POLICY_UPDATE",
            "CONNECTION_CREATE",
        ] {
            assert!(s.allows(p), "{p}");
        }
        for p in [
            "CLOUD_CREATE",
            "MEMBER_CREATE",
            "IAM_POLICY_UPDATE",
            "GROUP_UPDATE",
        ] {
            assert!(!s.allows(p), "{p}");
        }
        domain::network::create_workspace(&db, &s, "ws-a", vec!["ide".into()])
            .await
            .unwrap();
        // A Deny wins over the Allow and over the role.
        iam::save_policy(
            &db,
            &acme,
            save(
                "no-services",
                "Deny group netops to read services in tenancy\n",
            ),
        )
        .await
        .unwrap();
        let s = common::scope(&db, &vera, "acme").await.unwrap();
        let why = forbidden(s.require("SERVICE_READ").unwrap_err());
        assert!(why.contains("Deny"), "{why}");
        assert!(s.allows("WORKSPACE_CREATE"));
        // Managing members through a group gives no role above one's own.
        iam::save_policy(
            &db,
            &acme,
            save("hr", "Allow group netops to manage members in tenancy\n"),
        )
        .await
        .unwrap();
        let s = common::scope(&db, &vera, "acme").await.unwrap();
        members::add(&db, &s, "new@example.test", Role::Viewer)
            .await
            .unwrap();
        let e = members::add(&db, &s, "boss@example.test", Role::TenantAdmin)
            .await
            .unwrap_err();
        assert!(matches!(e, DomainError::Forbidden(_)), "{e:?}");
        // Out of the group, back to a viewer.
        let uid = vera.user_id();
        iam::remove_group_member(&db, &acme, "netops", uid)
            .await
            .unwrap();
        let s = common::scope(&db, &vera, "acme").await.unwrap();
        assert!(!s.allows("WORKSPACE_CREATE"));
        assert!(s.allows("SERVICE_READ"));
    }
);

both!(
    admission_needs_endorse_and_admit_and_grants_their_intersection,
    |db: domain::Db| async move {
        let root = common::global_admin(&db).await;
        let acme_t = common::tenant(&db, &root, "acme").await;
        let globex_t = common::tenant(&db, &root, "globex").await;
        let acme = common::scope(&db, &root, "acme").await.unwrap();
        let globex = common::scope(&db, &root, "globex").await.unwrap();
        members::add(&db, &globex, "gail@example.test", Role::Viewer)
            .await
            .unwrap();
        let gail = common::oidc_user(&db, "gail").await;
        iam::create_group(&db, &globex, "partners", "")
            .await
            .unwrap();
        iam::add_group_member(&db, &globex, "partners", "gail@example.test")
            .await
            .unwrap();
        domain::network::create_workspace(&db, &acme, "shared", vec!["ide".into()])
            .await
            .unwrap();
        let endorse = format!(
            "Define tenancy Acme as {}\nEndorse group partners to manage network-family in tenancy Acme\n",
            acme_t.id
        );
        let admit = format!(
            "Define tenancy Globex as {}\nAdmit group partners of tenancy Globex to use workspaces in tenancy\n",
            globex_t.id
        );
        // One half is not enough, in either order.
        iam::save_policy(&db, &acme, save("admit-globex", &admit))
            .await
            .unwrap();
        assert!(matches!(
            common::scope(&db, &gail, "acme").await,
            Err(DomainError::NotFound(_))
        ));
        iam::save_policy(&db, &globex, save("endorse-acme", &endorse))
            .await
            .unwrap();
        let s = common::scope(&db, &gail, "acme").await.unwrap();
        let a = s.admission().expect("admitted");
        assert_eq!(a.home_name, "globex");
        assert_eq!(s.own_role(), None);
        // The intersection: use of workspaces, nothing else of network-family.
        assert!(s.allows("WORKSPACE_READ") && s.allows("WORKSPACE_UPDATE"));
        assert!(!s.allows("WORKSPACE_CREATE"));
        assert!(!s.allows("SERVICE_READ"));
        // What was not admitted is not found, as anything of another tenant.
        assert!(matches!(
            members::list(&db, &s, "", None, None).await,
            Err(DomainError::NotFound(_))
        ));
        assert!(matches!(
            domain::network::create_workspace(&db, &s, "nope", vec![]).await,
            Err(DomainError::NotFound(_))
        ));
        let list = domain::network::list_workspaces(&db, &s, "", None, None)
            .await
            .unwrap();
        let ws = list.items.iter().find(|w| w.name == "shared").unwrap();
        domain::network::update_workspace(&db, &s, &ws.id, vec!["ide".into(), "db".into()])
            .await
            .unwrap();
        // Audited in both tenants, naming the home tenant and the statements.
        for scope in [&acme, &globex] {
            let log = audit::list(&db, scope, None, Some(20)).await.unwrap();
            let e = log
                .items
                .iter()
                .find(|e| e.action == "workspace.update")
                .unwrap_or_else(|| panic!("no record in {}", scope.tenant_name()));
            let via = e.via.clone().unwrap_or_default();
            assert!(via.contains("from globex"), "{via}");
            assert!(via.contains("endorse") && via.contains("admit"), "{via}");
            // acme's data stays in acme's log.
            if scope.tenant_name() == "globex" {
                assert_eq!((e.before.as_deref(), e.after.as_deref()), (None, None));
                assert!(e.target.starts_with("in acme: "), "{}", e.target);
            }
        }
        // Even admitted to manage everything, the partner makes no membership (which
        // would outlive the admission).
        let admit_all = format!(
            "Define tenancy Globex as {}\nAdmit group partners of tenancy Globex to manage all-resources in tenancy\n",
            globex_t.id
        );
        let endorse_all = format!(
            "Define tenancy Acme as {}\nEndorse group partners to manage all-resources in tenancy Acme\n",
            acme_t.id
        );
        iam::save_policy(&db, &acme, save("admit-all", &admit_all))
            .await
            .unwrap();
        iam::save_policy(&db, &globex, save("endorse-all", &endorse_all))
            .await
            .unwrap();
        let s = common::scope(&db, &gail, "acme").await.unwrap();
        assert!(s.allows("MEMBER_CREATE"));
        assert!(members::add(&db, &s, "gail@example.test", Role::Viewer)
            .await
            .is_err());
        iam::delete_policy(&db, &acme, "admit-all").await.unwrap();
        iam::delete_policy(&db, &globex, "endorse-all")
            .await
            .unwrap();
        // The Admit index is rebuilt at start-up when it is empty (policies saved before
        // it existed).
        domain::db::raw_execute(&db, "DELETE FROM iam_admits")
            .await
            .unwrap();
        assert!(common::scope(&db, &gail, "acme").await.is_err());
        common::migrate_as_owner(&db).await;
        assert!(common::scope(&db, &gail, "acme")
            .await
            .unwrap()
            .admission()
            .is_some());
        // The switcher lists it, with the verb.
        let admitted = iam::admitted_tenants(&db, &gail).await.unwrap();
        assert_eq!(admitted.len(), 1);
        assert_eq!(
            (admitted[0].1.as_str(), admitted[0].2.as_str()),
            ("acme", "use")
        );
        // Removing either half ends it at the next request.
        iam::delete_policy(&db, &globex, "endorse-acme")
            .await
            .unwrap();
        assert!(common::scope(&db, &gail, "acme").await.is_err());
        iam::save_policy(&db, &globex, save("endorse-acme", &endorse))
            .await
            .unwrap();
        assert!(common::scope(&db, &gail, "acme").await.is_ok());
        iam::delete_policy(&db, &acme, "admit-globex")
            .await
            .unwrap();
        assert!(matches!(
            common::scope(&db, &gail, "acme").await,
            Err(DomainError::NotFound(_))
        ));
        assert!(iam::admitted_tenants(&db, &gail).await.unwrap().is_empty());
    }
);

both!(
    the_simulator_answers_with_the_built_in_statements_as_enforcement_does,
    |db: domain::Db| async move {
        let root = common::global_admin(&db).await;
        common::tenant(&db, &root, "acme").await;
        let acme = common::scope(&db, &root, "acme").await.unwrap();
        members::add(&db, &acme, "vera@example.test", Role::Viewer)
            .await
            .unwrap();
        let vera = common::oidc_user(&db, "vera").await;
        let s = common::scope(&db, &vera, "acme").await.unwrap();
        for (verb, enforced) in [
            ("read", s.allows("CLOUD_READ")),
            ("manage", s.allows("CLOUD_MANAGE")),
        ] {
            let q = Question {
                principal_tenant: "acme".into(),
                groups: vec!["Viewer".into()],
                verb: Some(verb.into()),
                resource_type: "clouds".into(),
                target_tenant: "acme".into(),
                ..Default::default()
            };
            let sim = iam::simulate(&db, &root, &acme, &q).await.unwrap();
            assert_eq!(sim.allowed, enforced, "{verb}: {}", sim.explanation);
        }
    }
);

both!(
    a_member_with_no_role_gets_only_what_their_groups_are_granted,
    |db: domain::Db| async move {
        let root = common::global_admin(&db).await;
        common::tenant(&db, &root, "acme").await;
        let acme = common::scope(&db, &root, "acme").await.unwrap();
        iam::create_group(&db, &acme, "netops", "").await.unwrap();
        iam::save_policy(
            &db,
            &acme,
            save(
                "netops",
                "Allow group NetOps to manage network-family in tenancy\n",
            ),
        )
        .await
        .unwrap();
        // Someone who is not a member yet is refused, unless invited: then they join
        // the tenant with no role and the group in one step, and both are audited.
        let e = iam::add_group_member(&db, &acme, "netops", "nora@example.test")
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some("email"));
        assert!(members::list(&db, &acme, "nora", None, None)
            .await
            .unwrap()
            .items
            .is_empty());
        iam::invite_to_group(&db, &acme, "netops", "nora@example.test")
            .await
            .unwrap();
        let listed = members::list(&db, &acme, "nora", None, None).await.unwrap();
        assert_eq!(listed.items.len(), 1);
        assert_eq!(listed.items[0].role, Role::Member);
        let log = audit::list(&db, &acme, None, Some(50)).await.unwrap();
        assert!(log
            .items
            .iter()
            .any(|e| e.action == "member.add" && e.after.as_deref() == Some("member")));
        // Inviting someone already in the group is refused and changes nothing.
        let e = iam::invite_to_group(&db, &acme, "netops", "nora@example.test")
            .await
            .unwrap_err();
        assert_eq!(e.code(), "already_in_group");
        // Nora sees the tenant, manages its network family, and nothing else: no
        // members, no clouds, no IAM, no audit.
        let nora = common::oidc_user(&db, "nora").await;
        let s = common::scope(&db, &nora, "acme").await.unwrap();
        assert_eq!(s.own_role(), Some(Role::Member));
        for allowed in [
            "WORKSPACE_CREATE",
            "SERVICE_DELETE",
            "NETWORK_POLICY_UPDATE",
        ] {
            assert!(s.allows(allowed), "{allowed}");
        }
        for refused in [
            "MEMBER_READ",
            "CLOUD_READ",
            "IAM_POLICY_READ",
            "AUDIT_EVENT_READ",
            "GROUP_READ",
        ] {
            assert!(!s.allows(refused), "{refused}");
        }
        let why = forbidden(members::list(&db, &s, "", None, None).await.unwrap_err());
        assert!(why.contains("MEMBER_READ on members"), "{why}");
        // Out of the group, a member with no role may do nothing at all, though the
        // tenant is still theirs to see.
        iam::remove_group_member(&db, &acme, "netops", nora.user_id())
            .await
            .unwrap();
        let s = common::scope(&db, &nora, "acme").await.unwrap();
        assert!(!s.allows("WORKSPACE_READ"));
        // A member with no role is nobody's admin: it counts as none, and lets its
        // holder add nobody.
        members::add(&db, &acme, "tina@example.test", Role::TenantAdmin)
            .await
            .unwrap();
        let tina = common::oidc_user(&db, "tina").await;
        let as_tina = common::scope(&db, &tina, "acme").await.unwrap();
        let e = members::change_role(&db, &as_tina, nora.user_id(), Role::Viewer)
            .await
            .unwrap();
        assert_eq!(e.role, Role::Viewer);
        members::change_role(&db, &as_tina, nora.user_id(), Role::Member)
            .await
            .unwrap();
        let nora_scope = common::scope(&db, &nora, "acme").await.unwrap();
        assert!(
            members::add(&db, &nora_scope, "x@example.test", Role::Member)
                .await
                .is_err()
        );
        let stats = members::stats(&db, &acme).await.unwrap();
        assert_eq!((stats.members, stats.admins), (2, 1));
    }
);

/// A SQLite file from before members without a role has a `memberships` table whose
/// CHECK refuses `member`: start-up rebuilds it, keeping every membership and every
/// group membership that hangs on one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_sqlite_file_is_upgraded_to_members_without_a_role() {
    let t = common::TestDb::sqlite().await;
    let db = t.db.clone();
    let root = common::global_admin(&db).await;
    common::tenant(&db, &root, "acme").await;
    let acme = common::scope(&db, &root, "acme").await.unwrap();
    members::add(&db, &acme, "vera@example.test", Role::Viewer)
        .await
        .unwrap();
    iam::create_group(&db, &acme, "netops", "").await.unwrap();
    iam::add_group_member(&db, &acme, "netops", "vera@example.test")
        .await
        .unwrap();
    // The table as migration 0004 left it.
    domain::db::raw_execute(
        &db,
        "PRAGMA foreign_keys = OFF;
         BEGIN;
         CREATE TABLE memberships_old (
             tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
             user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
             role       TEXT NOT NULL CHECK (role IN ('admin', 'tenant-admin', 'viewer')),
             created_at INTEGER NOT NULL,
             created_by TEXT,
             joined_at  INTEGER,
             PRIMARY KEY (tenant_id, user_id)
         );
         INSERT INTO memberships_old SELECT tenant_id, user_id, role, created_at, created_by, joined_at FROM memberships;
         DROP TABLE memberships;
         ALTER TABLE memberships_old RENAME TO memberships;
         CREATE INDEX memberships_user ON memberships (user_id);
         COMMIT;
         PRAGMA foreign_keys = ON;",
    )
    .await
    .unwrap();
    assert!(
        members::add(&db, &acme, "nora@example.test", Role::Member)
            .await
            .is_err(),
        "the old table refuses a member without a role"
    );
    let before = domain::db::raw_scalar(&db, "SELECT COUNT(*) FROM memberships")
        .await
        .unwrap();
    db.migrate().await.unwrap();
    assert_eq!(
        domain::db::raw_scalar(&db, "SELECT COUNT(*) FROM memberships")
            .await
            .unwrap(),
        before
    );
    assert_eq!(
        iam::get_group(&db, &acme, "netops")
            .await
            .unwrap()
            .members
            .len(),
        1
    );
    members::add(&db, &acme, "nora@example.test", Role::Member)
        .await
        .unwrap();
    // Its index and the cascade into groups still hold.
    assert_eq!(
        domain::db::raw_scalar(
            &db,
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name = 'memberships_user'"
        )
        .await
        .unwrap(),
        1
    );
    let vera = members::list(&db, &acme, "vera", None, None).await.unwrap();
    members::remove(&db, &acme, vera.items[0].user_id)
        .await
        .unwrap();
    assert!(iam::get_group(&db, &acme, "netops")
        .await
        .unwrap()
        .members
        .is_empty());
    t.finish().await;
}
