//! Domain behaviour on SQLite and Postgres: tenants, isolation, members, login, tokens.

mod common;

use domain::directory::{self, Bootstrap, TenantQuery};
use domain::{members, DomainError, Role};

both!(
    system_tenant_and_bootstrap_admin_exist,
    |db: domain::Db| async move {
        let first = directory::ensure_bootstrap_admin(&db, "admin@localhost", None)
            .await
            .unwrap();
        let password = match first {
            Bootstrap::CreatedWithGeneratedPassword(p) => p,
            other => panic!("expected a generated password, got {other:?}"),
        };
        assert!(password.len() >= 24, "generated password is long");
        // Printed exactly once: the second start changes nothing.
        assert_eq!(
            directory::ensure_bootstrap_admin(&db, "admin@localhost", None)
                .await
                .unwrap(),
            Bootstrap::Unchanged
        );
        let user = directory::verify_local_login(&db, "admin@localhost", &password, "c1")
            .await
            .unwrap();
        let p = directory::principal_for_user(&db, user.id).await.unwrap();
        assert!(p.is_global_admin());
        let s = common::scope(&db, &p, "admin").await.unwrap();
        assert!(s.is_system());
        assert_eq!(s.role(), Role::Admin);
    }
);

both!(
    tenant_creation_validates_and_audits,
    |db: domain::Db| async move {
        let root = common::global_admin(&db).await;
        let bad = directory::create_tenant(
            &db,
            &root,
            domain::NewTenant {
                name: "Bad Name".into(),
                ..Default::default()
            },
        )
        .await;
        assert!(matches!(
            bad,
            Err(DomainError::Invalid { field: "name", .. })
        ));
        let t = common::tenant(&db, &root, "acme").await;
        assert_eq!(t.current_state, domain::TenantState::Unknown);
        let dup = directory::create_tenant(
            &db,
            &root,
            domain::NewTenant {
                name: "acme".into(),
                ..Default::default()
            },
        )
        .await;
        assert!(matches!(
            dup,
            Err(DomainError::Conflict {
                code: "tenant_exists",
                ..
            })
        ));
        // Audited in the new tenant and in the system tenant.
        let s = common::scope(&db, &root, "acme").await.unwrap();
        let log = domain::audit::list(&db, &s, None, None).await.unwrap();
        assert!(log.items.iter().any(|e| e.action == "tenant.create"));
        let sys = common::scope(&db, &root, "admin").await.unwrap();
        let log = domain::audit::list(&db, &sys, None, None).await.unwrap();
        assert!(log
            .items
            .iter()
            .any(|e| e.action == "tenant.create" && e.target == "acme"));
        // A non-admin cannot create tenants.
        let alice = common::oidc_user(&db, "alice").await;
        let refused = directory::create_tenant(
            &db,
            &alice,
            domain::NewTenant {
                name: "mine".into(),
                ..Default::default()
            },
        )
        .await;
        assert!(matches!(refused, Err(DomainError::Forbidden(_))));
        // The controller bootstraps it.
        assert_eq!(domain::lifecycle::reconcile_once(&db).await.unwrap(), 1);
        let t = directory::get_tenant(&db, &root, t.id).await.unwrap();
        assert_eq!(t.current_state, domain::TenantState::Created);
        assert_eq!(
            domain::lifecycle::reconcile_once(&db).await.unwrap(),
            0,
            "idempotent"
        );
    }
);

both!(another_tenant_is_not_found, |db: domain::Db| async move {
    let root = common::global_admin(&db).await;
    common::tenant(&db, &root, "acme").await;
    let globex = common::tenant(&db, &root, "globex").await;
    let alice = common::oidc_user(&db, "alice").await;
    let acme_root = common::scope(&db, &root, "acme").await.unwrap();
    members::add(&db, &acme_root, "alice@example.test", Role::TenantAdmin)
        .await
        .unwrap();
    let alice = common::reload(&db, &alice).await;
    assert!(common::scope(&db, &alice, "acme").await.is_ok());
    for name in ["globex", "admin", "does-not-exist"] {
        assert!(
            matches!(
                common::scope(&db, &alice, name).await,
                Err(DomainError::NotFound(_))
            ),
            "{name}"
        );
    }
    assert!(matches!(
        directory::get_tenant(&db, &alice, globex.id).await,
        Err(DomainError::NotFound(_))
    ));
    // Listing shows only her tenant; a global admin sees all three.
    let mine = directory::list_tenants(&db, &alice, &TenantQuery::default())
        .await
        .unwrap();
    assert_eq!(
        mine.items
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        vec!["acme"]
    );
    let all = directory::list_tenants(&db, &root, &TenantQuery::default())
        .await
        .unwrap();
    assert_eq!(all.items.len(), 3);
    // A member of globex, seen through alice's acme scope, does not exist.
    let globex_root = common::scope(&db, &root, "globex").await.unwrap();
    let bob = members::add(&db, &globex_root, "bob@example.test", Role::TenantAdmin)
        .await
        .unwrap();
    let alice_acme = common::scope(&db, &alice, "acme").await.unwrap();
    assert!(matches!(
        members::remove(&db, &alice_acme, bob.user_id).await,
        Err(DomainError::NotFound(_))
    ));
    assert!(matches!(
        members::change_role(&db, &alice_acme, bob.user_id, Role::Viewer).await,
        Err(DomainError::NotFound(_))
    ));
    let listed = members::list(&db, &alice_acme, "", None, None)
        .await
        .unwrap();
    assert!(listed.items.iter().all(|m| m.email != "bob@example.test"));
});

both!(member_rules, |db: domain::Db| async move {
    let root = common::global_admin(&db).await;
    common::tenant(&db, &root, "acme").await;
    let alice = common::oidc_user(&db, "alice").await;
    let s = common::scope(&db, &root, "acme").await.unwrap();
    members::add(&db, &s, "alice@example.test", Role::TenantAdmin)
        .await
        .unwrap();
    let alice = common::reload(&db, &alice).await;
    let a = common::scope(&db, &alice, "acme").await.unwrap();
    // A tenant admin can never grant admin; nor can anyone outside the system tenant.
    assert!(matches!(
        members::add(&db, &a, "x@example.test", Role::Admin).await,
        Err(DomainError::Forbidden(_))
    ));
    assert!(matches!(
        members::add(&db, &s, "x@example.test", Role::Admin).await,
        Err(DomainError::Forbidden(_))
    ));
    // Adding by email creates a pending user; adding twice conflicts; bad email is invalid.
    let carol = members::add(&db, &a, "carol@example.test", Role::Viewer)
        .await
        .unwrap();
    assert!(carol.pending);
    assert!(matches!(
        members::add(&db, &a, "CAROL@example.test", Role::Viewer).await,
        Err(DomainError::Conflict {
            code: "already_member",
            ..
        })
    ));
    assert!(matches!(
        members::add(&db, &a, "not-an-email", Role::Viewer).await,
        Err(DomainError::Invalid { field: "email", .. })
    ));
    // Changing a member whose address is part of another's still answers that member.
    members::add(&db, &a, "acarol@example.test", Role::Viewer)
        .await
        .unwrap();
    let m = members::change_role(&db, &a, carol.user_id, Role::Viewer)
        .await
        .unwrap();
    assert_eq!(
        (m.email.as_str(), m.role),
        ("carol@example.test", Role::Viewer)
    );
    // Change role, then remove; nobody changes their own membership.
    let m = members::change_role(&db, &a, carol.user_id, Role::TenantAdmin)
        .await
        .unwrap();
    assert_eq!(m.role, Role::TenantAdmin);
    assert!(matches!(
        members::remove(&db, &a, alice.user_id()).await,
        Err(DomainError::Forbidden(_))
    ));
    members::remove(&db, &a, carol.user_id).await.unwrap();
    assert!(matches!(
        members::remove(&db, &a, carol.user_id).await,
        Err(DomainError::NotFound(_))
    ));
    // A viewer reads but cannot change.
    members::add(&db, &a, "victor@example.test", Role::Viewer)
        .await
        .unwrap();
    let victor = common::oidc_user(&db, "victor").await;
    let v = common::scope(&db, &victor, "acme").await.unwrap();
    assert!(members::list(&db, &v, "", None, None).await.is_ok());
    assert!(matches!(
        members::add(&db, &v, "y@example.test", Role::Viewer).await,
        Err(DomainError::Forbidden(_))
    ));
    // Every change left an audit record.
    let log = domain::audit::list(&db, &s, None, Some(100)).await.unwrap();
    for action in ["member.add", "member.change_role", "member.remove"] {
        assert!(
            log.items.iter().any(|e| e.action == action),
            "{action} audited"
        );
    }
    // Paging through the log two at a time yields the same events, once each, in order.
    let (mut paged, mut cursor) = (Vec::new(), None);
    loop {
        let page = domain::audit::list(&db, &s, cursor.as_deref(), Some(2))
            .await
            .unwrap();
        paged.extend(page.items.into_iter().map(|e| e.id));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(paged, log.items.iter().map(|e| e.id).collect::<Vec<_>>());
});

both!(
    listing_paginates_searches_and_filters,
    |db: domain::Db| async move {
        let root = common::global_admin(&db).await;
        for i in 0..30 {
            let labels = if i % 3 == 0 {
                vec![domain::validate::label("env", "prod").unwrap()]
            } else {
                vec![]
            };
            directory::create_tenant(
                &db,
                &root,
                domain::NewTenant {
                    name: format!("team_{i:02}"),
                    labels,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        }
        let first = directory::list_tenants(
            &db,
            &root,
            &TenantQuery {
                q: "team".into(),
                limit: Some(25),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(first.items.len(), 25);
        let second = directory::list_tenants(
            &db,
            &root,
            &TenantQuery {
                q: "team".into(),
                limit: Some(25),
                cursor: first.next_cursor.clone(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(second.items.len(), 5);
        assert!(second.next_cursor.is_none());
        // `_` in a search is literal, not a wildcard.
        let literal = directory::list_tenants(
            &db,
            &root,
            &TenantQuery {
                q: "m_0".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(literal.items.len(), 10);
        let prod = directory::list_tenants(
            &db,
            &root,
            &TenantQuery {
                label: Some(domain::validate::label("env", "prod").unwrap()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(prod.items.len(), 10);
        assert!(prod
            .items
            .iter()
            .all(|t| t.labels.iter().any(|l| l.key == "env" && l.value == "prod")));
    }
);

both!(
    oidc_login_binds_preprovisioned_users_by_verified_email,
    |db: domain::Db| async move {
        let root = common::global_admin(&db).await;
        let pre = directory::provision_user(&db, &root, "dana@example.test", "Dana")
            .await
            .unwrap();
        // Unverified email does not bind: the login is stored as its own, unmatched user,
        // and the pre-provisioned user stays pending (security review: an unverified
        // address never matches, and the real owner is not locked out).
        let unverified = directory::upsert_oidc_user(
            &db,
            "http://idp.test",
            "dana-sub",
            "dana@example.test",
            false,
            "",
        )
        .await
        .unwrap();
        assert_ne!(unverified.id, pre.id);
        assert!(!unverified.email_verified);
        assert_eq!(
            directory::user_by_email(&db, "dana@example.test")
                .await
                .unwrap()
                .map(|u| u.id),
            Some(pre.id)
        );
        let bound = directory::upsert_oidc_user(
            &db,
            "http://idp.test",
            "dana-sub",
            "dana@example.test",
            true,
            "",
        )
        .await
        .unwrap();
        assert_eq!(bound.id, pre.id);
        assert_eq!(bound.subject.as_deref(), Some("dana-sub"));
        // The same (issuer, subject) is the same user next time.
        let again = directory::upsert_oidc_user(
            &db,
            "http://idp.test",
            "dana-sub",
            "dana@example.test",
            true,
            "Dana D",
        )
        .await
        .unwrap();
        assert_eq!(again.id, pre.id);
        assert_eq!(again.name, "Dana D");
        // First logins and bindings are audited in the system tenant.
        directory::upsert_oidc_user(
            &db,
            "http://idp.test",
            "erin-sub",
            "erin@example.test",
            true,
            "Erin",
        )
        .await
        .unwrap();
        let sys = common::scope(&db, &root, "admin").await.unwrap();
        let log = domain::audit::list(&db, &sys, None, Some(100))
            .await
            .unwrap();
        assert!(log
            .items
            .iter()
            .any(|e| e.action == "user.create" && e.target == "erin@example.test"));
        assert!(log
            .items
            .iter()
            .any(|e| e.action == "user.bind" && e.target == "dana@example.test"));
        // Another identity with a bound address is refused.
        let other = directory::upsert_oidc_user(
            &db,
            "http://other.test",
            "x",
            "dana@example.test",
            true,
            "",
        )
        .await;
        assert!(matches!(other, Err(DomainError::Conflict { .. })));
    }
);

both!(local_login_is_rate_limited, |db: domain::Db| async move {
    directory::ensure_bootstrap_admin(&db, "root@example.test", Some("right-password"))
        .await
        .unwrap();
    for _ in 0..directory::LOGIN_MAX_FAILURES {
        assert!(matches!(
            directory::verify_local_login(&db, "root@example.test", "wrong", "client-a").await,
            Err(DomainError::Unauthenticated(_))
        ));
    }
    // Past the limit even the right password is refused from that client...
    assert!(matches!(
        directory::verify_local_login(&db, "root@example.test", "right-password", "client-a").await,
        Err(DomainError::RateLimited)
    ));
    // ...but guesses from one client do not lock the account for everyone (security
    // review: the limit is per client and email together).
    directory::verify_local_login(&db, "root@example.test", "right-password", "client-b")
        .await
        .unwrap();
});

both!(
    api_tokens_resolve_until_they_expire,
    |db: domain::Db| async move {
        let root = common::global_admin(&db).await;
        let (_, token, _) = domain::tokens::issue_for_email(&db, "root@example.test", 60_000)
            .await
            .unwrap();
        assert!(token.starts_with("tnt_"));
        assert!(token.len() >= 4 + 64);
        let p = domain::tokens::principal_for_token(&db, &token)
            .await
            .unwrap();
        assert_eq!(p.user_id(), root.user_id());
        assert!(matches!(
            domain::tokens::principal_for_token(&db, "tnt_nope").await,
            Err(DomainError::Unauthenticated(_))
        ));
        let (_, short, _) = domain::tokens::issue_for_email(&db, "root@example.test", 1)
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        assert!(matches!(
            domain::tokens::principal_for_token(&db, &short).await,
            Err(DomainError::Unauthenticated(_))
        ));
        assert!(matches!(
            domain::tokens::issue_for_email(&db, "nobody@example.test", 1000).await,
            Err(DomainError::NotFound(_))
        ));
    }
);

both!(jwt_roles_replace_memberships, |db: domain::Db| async move {
    let root = common::global_admin(&db).await;
    let acme = common::tenant(&db, &root, "acme").await;
    common::tenant(&db, &root, "globex").await;
    let p = directory::principal_for_jwt(
        &db,
        "http://idp.test",
        "svc",
        Some("svc@example.test"),
        vec![(acme.id, Role::Viewer)],
    )
    .await
    .unwrap();
    let s = common::scope(&db, &p, "acme").await.unwrap();
    assert_eq!(s.role(), Role::Viewer);
    assert!(matches!(
        common::scope(&db, &p, "globex").await,
        Err(DomainError::NotFound(_))
    ));
});

// The switcher's "recent" entry is written by the first page view of a tenant; several
// first views at once (tabs, a prefetch, two replicas) all succeed and leave one row.
both!(
    first_views_of_a_tenant_at_once_record_it_once,
    |db: domain::Db| async move {
        let root = common::global_admin(&db).await;
        directory::create_tenant(
            &db,
            &root,
            domain::NewTenant {
                name: "busy".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let scope = common::scope(&db, &root, "busy").await.unwrap();
        let views: Vec<_> = (0..16)
            .map(|_| {
                let (db, scope) = (db.clone(), scope.clone());
                tokio::spawn(async move { directory::touch_recent(&db, &scope).await })
            })
            .collect();
        for v in views {
            v.await
                .unwrap()
                .expect("every first view records the tenant");
        }
        let recent = directory::recent_tenants(&db, &root, 10).await.unwrap();
        let busy: Vec<_> = recent.iter().filter(|(_, name)| name == "busy").collect();
        assert_eq!(busy.len(), 1, "one entry for the tenant: {recent:?}");
    }
);
