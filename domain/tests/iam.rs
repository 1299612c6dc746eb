//! IAM policies on SQLite and Postgres: versions with authors and comments, a stale save
//! refused, restore as a new version, scoping to the tenant, audit, and the simulator
//! across two tenants showing only what the caller may read.

mod common;

use domain::iam::{self, Base, Question, Save};
use domain::{audit, members, DomainError, Role, TenantScope};
use policy::iam::Reason;

struct World {
    acme: TenantScope,
    globex: TenantScope,
    /// A viewer of acme.
    viewer: TenantScope,
    /// acme's tenant admin, who is not a member of globex.
    cody: domain::Principal,
    acme_id: String,
    globex_id: String,
}

async fn world(db: &domain::Db) -> World {
    let root = common::global_admin(db).await;
    let acme_t = common::tenant(db, &root, "acme").await;
    let globex_t = common::tenant(db, &root, "globex").await;
    let a = common::scope(db, &root, "acme").await.unwrap();
    let g = common::scope(db, &root, "globex").await.unwrap();
    members::add(db, &a, "cody@example.test", Role::TenantAdmin)
        .await
        .unwrap();
    members::add(db, &a, "vera@example.test", Role::Viewer)
        .await
        .unwrap();
    members::add(db, &g, "gail@example.test", Role::TenantAdmin)
        .await
        .unwrap();
    let cody = common::oidc_user(db, "cody").await;
    let vera = common::oidc_user(db, "vera").await;
    let gail = common::oidc_user(db, "gail").await;
    World {
        acme: common::scope(db, &cody, "acme").await.unwrap(),
        globex: common::scope(db, &gail, "globex").await.unwrap(),
        viewer: common::scope(db, &vera, "acme").await.unwrap(),
        cody,
        acme_id: acme_t.id.to_string(),
        globex_id: globex_t.id.to_string(),
    }
}

fn save<'a>(name: &'a str, text: &'a str, comment: &'a str, base: Base) -> Save<'a> {
    Save {
        name,
        text,
        description: None,
        comment,
        base,
    }
}

both!(
    versions_conflicts_and_restore,
    |db: domain::Db| async move {
        let w = world(&db).await;
        let v1 = "Allow group Ops to read clusters in tenancy\n";
        let v2 = "Allow group Ops to manage clusters in tenancy\n";
        let p = iam::save_policy(&db, &w.acme, save("ops", v1, "", Base::New))
            .await
            .unwrap();
        assert_eq!((p.version, p.statements), (1, 1));
        // The name is taken now.
        let e = iam::save_policy(&db, &w.acme, save("ops", v1, "", Base::New))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "policy_exists");
        let p = iam::save_policy(
            &db,
            &w.acme,
            save("ops", v2, "more power", Base::Version(1)),
        )
        .await
        .unwrap();
        assert_eq!(p.version, 2);
        // Someone else saved version 2 while this editor had version 1 open.
        let e = iam::save_policy(
            &db,
            &w.acme,
            save(
                "ops",
                "Allow any-user to inspect clusters\n",
                "",
                Base::Version(1),
            ),
        )
        .await
        .unwrap_err();
        assert_eq!(e.code(), "version_conflict");
        assert_eq!(
            iam::get_policy(&db, &w.acme, "ops").await.unwrap().text,
            v2,
            "the conflict changed nothing"
        );
        // A bad document changes nothing and names its line and column.
        match iam::save_policy(
            &db,
            &w.acme,
            save(
                "ops",
                "Allow group Ops to\n  fly clusters",
                "",
                Base::Version(2),
            ),
        )
        .await
        {
            Err(DomainError::InvalidDocument(issues)) => {
                assert_eq!((issues[0].line, issues[0].column), (2, 3));
            }
            other => panic!("expected invalid_policy, got {other:?}"),
        }
        // Saving the same text is refused: it would be an empty version.
        let e = iam::save_policy(&db, &w.acme, save("ops", v2, "", Base::Version(2)))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        // Restore version 1: a new version 3 with its text; the history keeps all three.
        let p = iam::restore_version(&db, &w.acme, "ops", 1, Base::Version(2))
            .await
            .unwrap();
        assert_eq!((p.version, p.text.as_str()), (3, v1));
        let versions = iam::list_versions(&db, &w.acme, "ops", None, None)
            .await
            .unwrap();
        let seen: Vec<(i64, &str)> = versions
            .items
            .iter()
            .map(|v| (v.version, v.comment.as_str()))
            .collect();
        assert_eq!(
            seen,
            vec![(3, "Restored version 1"), (2, "more power"), (1, "Created")]
        );
        // Each version names its author as the audit log does.
        let author = w.acme.actor_label().to_string();
        assert!(author.contains("cody"), "{author}");
        assert!(versions.items.iter().all(|v| v.created_by == author));
        // Restoring what is already the latest is refused.
        assert!(
            iam::restore_version(&db, &w.acme, "ops", 1, Base::Version(3))
                .await
                .is_err()
        );
        // Every step is audited with before and after.
        let events = audit::list(&db, &w.acme, None, Some(50))
            .await
            .unwrap()
            .items;
        // (Events of the same millisecond have no order between them.)
        let mut actions: Vec<&str> = events
            .iter()
            .map(|e| e.action.as_str())
            .filter(|a| a.starts_with("iam_policy"))
            .collect();
        actions.sort_unstable();
        assert_eq!(
            actions,
            vec![
                "iam_policy.create",
                "iam_policy.restore",
                "iam_policy.update"
            ]
        );
        let restore = events
            .iter()
            .find(|e| e.action == "iam_policy.restore")
            .unwrap();
        assert_eq!(
            (restore.before.as_deref(), restore.after.as_deref()),
            (Some(v2), Some(v1))
        );
        // Delete takes the history with it.
        iam::delete_policy(&db, &w.acme, "ops").await.unwrap();
        assert!(matches!(
            iam::get_version(&db, &w.acme, "ops", 1).await,
            Err(DomainError::NotFound(_))
        ));
    }
);

both!(
    policies_are_scoped_to_their_tenant,
    |db: domain::Db| async move {
        let w = world(&db).await;
        let text = "Allow group Ops to read clusters\n";
        iam::save_policy(&db, &w.globex, save("secret-plan", text, "", Base::New))
            .await
            .unwrap();
        // acme cannot read, list, version, restore or delete globex's policy: not found.
        assert!(matches!(
            iam::get_policy(&db, &w.acme, "secret-plan").await,
            Err(DomainError::NotFound(_))
        ));
        assert!(iam::list_policies(&db, &w.acme, "", None, None)
            .await
            .unwrap()
            .items
            .is_empty());
        assert!(matches!(
            iam::list_versions(&db, &w.acme, "secret-plan", None, None).await,
            Err(DomainError::NotFound(_))
        ));
        assert!(matches!(
            iam::get_version(&db, &w.acme, "secret-plan", 1).await,
            Err(DomainError::NotFound(_))
        ));
        assert!(matches!(
            iam::delete_policy(&db, &w.acme, "secret-plan").await,
            Err(DomainError::NotFound(_))
        ));
        // The same name is free in acme.
        iam::save_policy(&db, &w.acme, save("secret-plan", text, "", Base::New))
            .await
            .unwrap();
        // The dashboard counts this tenant's policies only.
        assert_eq!(members::stats(&db, &w.acme).await.unwrap().iam_policies, 1);
        // A viewer reads but does not write.
        assert!(iam::get_policy(&db, &w.viewer, "secret-plan").await.is_ok());
        let e = iam::save_policy(&db, &w.viewer, save("mine", text, "", Base::New))
            .await
            .unwrap_err();
        assert!(matches!(e, DomainError::Forbidden(_)));
        assert!(matches!(
            iam::delete_policy(&db, &w.viewer, "secret-plan").await,
            Err(DomainError::Forbidden(_))
        ));
    }
);

both!(
    the_simulator_needs_both_halves_and_hides_what_the_caller_cannot_read,
    |db: domain::Db| async move {
        let w = world(&db).await;
        let endorse = format!(
            "Define tenancy DestinationTenancy as {}\nEndorse group OKE-Admins to manage cluster-family in tenancy DestinationTenancy\n",
            w.globex_id
        );
        iam::save_policy(&db, &w.acme, save("cross-access", &endorse, "", Base::New))
            .await
            .unwrap();
        let q = Question {
            principal_tenant: "acme".into(),
            groups: vec!["OKE-Admins".into()],
            verb: Some("manage".into()),
            resource_type: "clusters".into(),
            target_tenant: w.globex_id.clone(),
            ..Question::default()
        };
        let sim = iam::simulate(&db, &w.cody, &w.acme, &q).await.unwrap();
        assert_eq!((sim.allowed, sim.reason), (false, Reason::NoAdmit));
        assert_eq!(sim.statements.len(), 1);
        assert_eq!(
            (sim.statements[0].policy.as_deref(), sim.statements[0].line),
            (Some("cross-access"), Some(2))
        );
        assert_eq!(
            sim.explanation,
            "Denied: Endorse in acme, policy cross-access, line 2 ✓ — no matching Admit in globex ✗."
        );
        let admit = format!(
            "Define tenancy SourceTenancy as {}\nDefine group OKE-Admins as ocid1.group.oc1..oke\nAdmit group OKE-Admins of tenancy SourceTenancy to manage cluster-family in tenancy\n",
            w.acme_id
        );
        let saved = iam::save_policy(&db, &w.globex, save("admit-oke", &admit, "", Base::New))
            .await
            .unwrap();
        // The Define names acme, which this console knows.
        let doc = iam::check(&saved.text).unwrap();
        let defines = iam::defines(&db, &doc).await.unwrap();
        assert_eq!(defines[0].tenant_name.as_deref(), Some("acme"));
        let sim = iam::simulate(&db, &w.cody, &w.acme, &q).await.unwrap();
        assert!(sim.allowed, "{sim:?}");
        // Cody is not a member of globex: its Admit is said to exist, not shown.
        let admit_half = sim.statements.iter().find(|s| s.kind == "admit").unwrap();
        assert_eq!(
            (
                admit_half.policy.as_ref(),
                admit_half.line,
                admit_half.text.as_ref()
            ),
            (None, None, None)
        );
        assert!(
            sim.explanation
                .contains("a matching Admit exists in globex ✓"),
            "{}",
            sim.explanation
        );
        assert!(!sim.explanation.contains("admit-oke"));
        // A question that neither starts nor ends in the caller's tenant is refused.
        let elsewhere = Question {
            principal_tenant: w.globex_id.clone(),
            ..q.clone()
        };
        assert!(iam::simulate(&db, &w.cody, &w.acme, &elsewhere)
            .await
            .is_err());
        // Unknown resource types and misplaced permissions are clear errors.
        let bad = Question {
            resource_type: "clustres".into(),
            ..q.clone()
        };
        let e = iam::simulate(&db, &w.cody, &w.acme, &bad)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("clusters"), "{e}");
        let bad = Question {
            verb: None,
            permission: Some("VCN_READ".into()),
            ..q
        };
        assert_eq!(
            iam::simulate(&db, &w.cody, &w.acme, &bad)
                .await
                .unwrap_err()
                .code(),
            "invalid_input"
        );
    }
);
