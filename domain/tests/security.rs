//! The security review's findings, each proven on SQLite and Postgres: bearer tokens
//! never create or bind accounts, unverified addresses claim nothing, adding a member
//! reveals nothing, the last admin stays, pages skip no rows, only the consumer reaches
//! across a connection, traffic sums cannot overflow, and rate limits hold under bursts
//! without locking out everyone.

mod common;

use domain::connections;
use domain::directory;
use domain::network::{self, SaveMode};
use domain::scope::{authorize, TenantRef};
use domain::traffic::{self, TrafficRecord};
use domain::{members, DomainError, Role};

const ISSUER: &str = "http://idp.test";

/// Every stored user, whether or not any tenant lists them.
async fn user_count(db: &domain::Db) -> i64 {
    domain::db::raw_scalar(db, "SELECT COUNT(*) FROM users")
        .await
        .unwrap()
}

both!(
    bearer_jwt_never_creates_or_binds_users,
    |db: domain::Db| async move {
        directory::ensure_bootstrap_admin(&db, "admin@localhost", Some("bootstrap-pw"))
            .await
            .unwrap();
        let admin = directory::user_by_email(&db, "admin@localhost")
            .await
            .unwrap()
            .unwrap();
        assert!(admin.issuer.is_none());
        let before = user_count(&db).await;

        // A token from a configured IdP: right audience, a new subject, the admin's
        // address (unverified, as any IdP user may type it).
        let p = directory::principal_for_jwt(
            &db,
            ISSUER,
            "attacker-sub",
            Some("admin@localhost"),
            vec![],
        )
        .await
        .unwrap();
        assert!(!p.is_global_admin());
        assert_ne!(p.user_id(), admin.id);
        assert_eq!(
            user_count(&db).await,
            before,
            "the bearer path stored a user"
        );
        let after = directory::user_by_email(&db, "admin@localhost")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(after.id, admin.id);
        assert!(after.issuer.is_none() && after.subject.is_none());
        assert!(domain::scope::memberships(&db, &p)
            .await
            .unwrap()
            .is_empty());

        // A later browser login with that identity, still unverified, is not the admin.
        let u =
            directory::upsert_oidc_user(&db, ISSUER, "attacker-sub", "admin@localhost", false, "")
                .await
                .unwrap();
        assert_ne!(u.id, admin.id);
        let p = directory::principal_for_user(&db, u.id).await.unwrap();
        assert!(!p.is_global_admin());
        let admin_now = directory::user_by_email(&db, "admin@localhost")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(admin_now.id, admin.id);
        assert!(admin_now.issuer.is_none());
    }
);

both!(
    unverified_address_claims_no_invitation,
    |db: domain::Db| async move {
        let root = common::global_admin(&db).await;
        common::tenant(&db, &root, "acme").await;
        let acme = common::scope(&db, &root, "acme").await.unwrap();
        members::add(&db, &acme, "newhire@corp.test", Role::TenantAdmin)
            .await
            .unwrap();

        let mallory = directory::upsert_oidc_user(
            &db,
            ISSUER,
            "mallory",
            "newhire@corp.test",
            false,
            "Mallory",
        )
        .await
        .expect("an unverified address is stored, not refused");
        assert!(!mallory.email_verified);
        let mallory = directory::principal_for_user(&db, mallory.id)
            .await
            .unwrap();
        assert!(matches!(
            common::scope(&db, &mallory, "acme").await,
            Err(DomainError::NotFound(_))
        ));

        // The real person, whose IdP verified the address, gets the invitation.
        let real = directory::upsert_oidc_user(
            &db,
            ISSUER,
            "newhire",
            "newhire@corp.test",
            true,
            "New Hire",
        )
        .await
        .expect("the real owner is not locked out with email_in_use");
        let real_p = directory::principal_for_user(&db, real.id).await.unwrap();
        let s = common::scope(&db, &real_p, "acme").await.unwrap();
        assert_eq!(s.role(), Role::TenantAdmin);
        let by_email = directory::user_by_email(&db, "newhire@corp.test")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(by_email.id, real.id);
    }
);

both!(
    unverified_address_never_replaces_a_verified_one,
    |db: domain::Db| async move {
        let carol =
            directory::upsert_oidc_user(&db, ISSUER, "carol", "carol@example.test", true, "Carol")
                .await
                .unwrap();
        let again =
            directory::upsert_oidc_user(&db, ISSUER, "carol", "ceo@example.test", false, "Carol")
                .await
                .unwrap();
        assert_eq!(again.id, carol.id);
        assert_eq!(again.email, "carol@example.test");
        assert!(directory::user_by_email(&db, "ceo@example.test")
            .await
            .unwrap()
            .is_none());

        // A verified new address of an identity takes over an invitation for it: the
        // identity moves onto the invited row, with the memberships it already had.
        let root = common::global_admin(&db).await;
        common::tenant(&db, &root, "acme").await;
        common::tenant(&db, &root, "globex").await;
        let acme = common::scope(&db, &root, "acme").await.unwrap();
        let globex = common::scope(&db, &root, "globex").await.unwrap();
        members::add(&db, &globex, "carol@example.test", Role::TenantAdmin)
            .await
            .unwrap();
        let invited = members::add(&db, &acme, "carol.new@example.test", Role::Viewer)
            .await
            .unwrap();
        let moved = directory::upsert_oidc_user(
            &db,
            ISSUER,
            "carol",
            "carol.new@example.test",
            true,
            "Carol",
        )
        .await
        .unwrap();
        assert_eq!(moved.id, invited.user_id);
        assert_eq!(moved.email, "carol.new@example.test");
        assert_eq!(moved.subject.as_deref(), Some("carol"));
        let p = directory::principal_for_user(&db, moved.id).await.unwrap();
        assert_eq!(
            common::scope(&db, &p, "acme").await.unwrap().role(),
            Role::Viewer
        );
        assert_eq!(
            common::scope(&db, &p, "globex").await.unwrap().role(),
            Role::TenantAdmin
        );
    }
);

both!(
    bootstrap_admin_is_not_promoted_by_an_unverified_address,
    |db: domain::Db| async move {
        let early =
            directory::upsert_oidc_user(&db, ISSUER, "early-bird", "admin@localhost", false, "")
                .await
                .unwrap();
        directory::ensure_bootstrap_admin(&db, "admin@localhost", Some("bootstrap-pw"))
            .await
            .unwrap();
        let p = directory::principal_for_user(&db, early.id).await.unwrap();
        assert!(!p.is_global_admin());
        let admin = directory::user_by_email(&db, "admin@localhost")
            .await
            .unwrap()
            .unwrap();
        assert_ne!(admin.id, early.id);
        let admin = directory::principal_for_user(&db, admin.id).await.unwrap();
        assert!(admin.is_global_admin());
    }
);

both!(
    adding_a_member_reveals_nothing_about_the_address,
    |db: domain::Db| async move {
        let root = common::global_admin(&db).await;
        common::tenant(&db, &root, "acme").await;
        common::tenant(&db, &root, "globex").await;
        let globex = common::scope(&db, &root, "globex").await.unwrap();
        members::add(&db, &globex, "alice@example.test", Role::Viewer)
            .await
            .unwrap();
        let alice = common::oidc_user(&db, "alice").await;
        let acme = common::scope(&db, &root, "acme").await.unwrap();

        let known = members::add(&db, &acme, "alice@example.test", Role::Viewer)
            .await
            .unwrap();
        let unknown = members::add(&db, &acme, "ghost@example.test", Role::Viewer)
            .await
            .unwrap();
        for m in [&known, &unknown] {
            assert!(m.pending, "{} should show as invited", m.email);
            assert_eq!(m.name, "", "{} shows a name", m.email);
        }
        let listed = members::list(&db, &acme, "", None, None).await.unwrap();
        for m in &listed.items {
            assert!(m.pending && m.name.is_empty(), "{m:?}");
        }
        // Once alice signs in, acme sees her as joined, with her name.
        common::oidc_user(&db, "alice").await;
        let listed = members::list(&db, &acme, "alice", None, None)
            .await
            .unwrap();
        assert_eq!(listed.items.len(), 1);
        assert!(!listed.items[0].pending);
        assert_eq!(listed.items[0].name, "alice");
        assert_eq!(listed.items[0].user_id, alice.user_id());
    }
);

both!(
    two_tenant_admins_removing_each_other_leave_one,
    |db: domain::Db| async move {
        let root = common::global_admin(&db).await;
        common::tenant(&db, &root, "acme").await;
        let acme = common::scope(&db, &root, "acme").await.unwrap();
        for who in ["ann", "ben"] {
            members::add(
                &db,
                &acme,
                &format!("{who}@example.test"),
                Role::TenantAdmin,
            )
            .await
            .unwrap();
        }
        let ann = common::oidc_user(&db, "ann").await;
        let ben = common::oidc_user(&db, "ben").await;
        let as_ann = common::scope(&db, &ann, "acme").await.unwrap();
        let as_ben = common::scope(&db, &ben, "acme").await.unwrap();
        for _ in 0..3 {
            let (a, b) = tokio::join!(
                members::remove(&db, &as_ann, ben.user_id()),
                members::remove(&db, &as_ben, ann.user_id()),
            );
            let ok = [a.is_ok(), b.is_ok()].iter().filter(|x| **x).count();
            assert_eq!(ok, 1, "exactly one removal wins: {a:?} {b:?}");
            let loser = if a.is_ok() { b } else { a };
            assert_eq!(loser.unwrap_err().code(), "last_admin");
            let left = members::list(&db, &acme, "", None, None).await.unwrap();
            let admins = left
                .items
                .iter()
                .filter(|m| m.role == Role::TenantAdmin)
                .count();
            assert_eq!(admins, 1);
            // Put the removed one back for the next round.
            let gone = if left.items.iter().any(|m| m.user_id == ann.user_id()) {
                "ben"
            } else {
                "ann"
            };
            members::add(
                &db,
                &acme,
                &format!("{gone}@example.test"),
                Role::TenantAdmin,
            )
            .await
            .unwrap();
        }
        // The last tenant admin cannot be demoted by another tenant admin either.
        members::remove(&db, &as_ann, ben.user_id()).await.ok();
        members::add(&db, &acme, "cat@example.test", Role::TenantAdmin)
            .await
            .unwrap();
        let cat = common::oidc_user(&db, "cat").await;
        let as_cat = common::scope(&db, &cat, "acme").await.unwrap();
        members::change_role(&db, &as_cat, ann.user_id(), Role::Viewer)
            .await
            .unwrap();
        let as_ann_again = common::scope(&db, &ann, "acme").await.unwrap();
        assert!(
            members::change_role(&db, &as_ann_again, cat.user_id(), Role::Viewer)
                .await
                .is_err()
        );
    }
);

/// A provider and a consumer tenant, connected, as their tenant admins' scopes.
async fn connected(db: &domain::Db) -> (domain::TenantScope, domain::TenantScope, String) {
    let root = common::global_admin(db).await;
    common::tenant(db, &root, "provider").await;
    common::tenant(db, &root, "consumer").await;
    let p = common::scope(db, &root, "provider").await.unwrap();
    let c = common::scope(db, &root, "consumer").await.unwrap();
    let s = connections::create_secret(db, &p, None, "").await.unwrap();
    let conn = connections::redeem(db, &c, &s.secret, "test")
        .await
        .unwrap();
    (p, c, conn.id)
}

both!(
    pages_do_not_skip_rows_that_share_a_timestamp,
    |db: domain::Db| async move {
        let (provider, _, _) = connected(&db).await;
        for _ in 0..12 {
            connections::create_secret(&db, &provider, None, "")
                .await
                .unwrap();
        }
        domain::db::raw_execute(&db, "UPDATE connection_secrets SET created_at = 1000")
            .await
            .unwrap();
        let mut seen = std::collections::HashSet::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = connections::list_secrets(&db, &provider, cursor.as_deref(), Some(5))
                .await
                .unwrap();
            for s in &page.items {
                assert!(seen.insert(s.id.clone()), "secret {} listed twice", s.id);
            }
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen.len(), 13, "every secret, the redeemed one included");

        // Connections page the same way.
        let root = common::global_admin(&db).await;
        for i in 0..4 {
            common::tenant(&db, &root, &format!("peer{i}")).await;
            let peer = common::scope(&db, &root, &format!("peer{i}"))
                .await
                .unwrap();
            let s = connections::create_secret(&db, &peer, None, "")
                .await
                .unwrap();
            connections::redeem(&db, &provider, &s.secret, "test")
                .await
                .unwrap();
        }
        domain::db::raw_execute(&db, "UPDATE connections SET created_at = 1000")
            .await
            .unwrap();
        let mut seen = std::collections::HashSet::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = connections::list_connections(&db, &provider, cursor.as_deref(), Some(2))
                .await
                .unwrap();
            for c in &page.items {
                assert!(seen.insert(c.id.clone()));
            }
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen.len(), 5);
    }
);

both!(
    only_the_consumer_reaches_across_a_connection,
    |db: domain::Db| async move {
        let (provider, consumer, _) = connected(&db).await;
        network::create_service(&db, &provider, "inventory", 443, "https")
            .await
            .unwrap();
        network::create_service(&db, &consumer, "secret-db", 5432, "tcp")
            .await
            .unwrap();
        let seen = network::remote_services(&db, &consumer, "aether.internal")
            .await
            .unwrap();
        assert_eq!(
            seen.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            ["inventory"]
        );
        assert!(network::remote_services(&db, &provider, "aether.internal")
            .await
            .unwrap()
            .is_empty());

        // The provider cannot write an allow policy toward the consumer's service.
        let yaml = format!(
            "kind: NCSPolicy\nmetadata:\n  name: sneak\nspec:\n  source:\n    workspaceLabel: ide\n  destination:\n    tenantID: \"{}\"\n    serviceName: secret-db\n  action: allow\n",
            consumer.tenant_id()
        );
        assert!(matches!(
            network::save_policy(&db, &provider, &yaml, SaveMode::Create, None).await,
            Err(DomainError::InvalidDocument(_))
        ));
        let answer = network::check(
            &db,
            &provider,
            &policy::ncs::Question {
                workspace_label: "ide".into(),
                tenant_id: consumer.tenant_id().to_string(),
                service_name: "secret-db".into(),
            },
        )
        .await
        .unwrap();
        assert!(!answer.verdict.allowed);
    }
);

async fn data_plane(db: &domain::Db) -> traffic::DataPlane {
    let (token, _) = traffic::issue_token(db, "dp-test", 3_600_000)
        .await
        .unwrap();
    traffic::authenticate(db, &token).await.unwrap()
}

both!(
    traffic_window_is_checked_for_every_record,
    |db: domain::Db| async move {
        let (_, consumer, id) = connected(&db).await;
        let plane = data_plane(&db).await;
        let now = domain::now_ms();
        let rec = |at: i64| TrafficRecord {
            connection_id: id.clone(),
            bytes: 100,
            flows: 1,
            at,
        };
        // The first record is fine; the second predates the connection by two days.
        let err = traffic::ingest(&db, &plane, &[rec(now), rec(now - 2 * traffic::DAY_MS)])
            .await
            .unwrap_err();
        assert!(err.to_string().contains("Record 2"), "{err}");
        let days = traffic::for_connection(&db, &consumer, &id, 30)
            .await
            .unwrap();
        assert_eq!(days.iter().map(|d| d.bytes).sum::<i64>(), 0);
    }
);

both!(
    traffic_sums_saturate_instead_of_overflowing,
    |db: domain::Db| async move {
        let (provider, consumer, id) = connected(&db).await;
        let plane = data_plane(&db).await;
        let now = domain::now_ms();
        let huge = TrafficRecord {
            connection_id: id.clone(),
            bytes: i64::MAX,
            flows: 1,
            at: now,
        };
        assert!(matches!(
            traffic::ingest(&db, &plane, &[huge]).await,
            Err(DomainError::Invalid { .. })
        ));
        let max = TrafficRecord {
            connection_id: id.clone(),
            bytes: traffic::MAX_RECORD_BYTES,
            flows: traffic::MAX_RECORD_FLOWS,
            at: now,
        };
        let batch = vec![max; traffic::MAX_RECORDS];
        for _ in 0..3 {
            traffic::ingest(&db, &plane, &batch).await.unwrap();
        }
        for side in [&provider, &consumer] {
            let totals = traffic::totals(&db, side).await.unwrap();
            assert_eq!(totals[&id].0, traffic::DAY_CAP);
            let days = traffic::for_connection(&db, side, &id, 366).await.unwrap();
            assert_eq!(days.last().unwrap().bytes, traffic::DAY_CAP);
        }
    }
);

both!(
    a_burst_of_wrong_passwords_cannot_pass_the_limit,
    |db: domain::Db| async move {
        directory::ensure_bootstrap_admin(&db, "root@example.test", Some("root-password"))
            .await
            .unwrap();
        let attempts = (0..12).map(|_| {
            let db = db.clone();
            tokio::spawn(async move {
                directory::verify_local_login(&db, "root@example.test", "wrong", "10.0.0.9").await
            })
        });
        let mut checked = 0;
        for a in attempts.collect::<Vec<_>>() {
            match a.await.unwrap() {
                Err(DomainError::Unauthenticated(_)) => checked += 1,
                Err(DomainError::RateLimited) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        assert!(
            checked <= directory::LOGIN_MAX_FAILURES,
            "{checked} guesses were checked"
        );
        // The right password from that client now waits out the backoff...
        assert!(matches!(
            directory::verify_local_login(&db, "root@example.test", "root-password", "10.0.0.9")
                .await,
            Err(DomainError::RateLimited)
        ));
        // ...but the admin, elsewhere, is not locked out.
        directory::verify_local_login(&db, "root@example.test", "root-password", "192.0.2.1")
            .await
            .expect("guesses from another client must not lock the admin out");
    }
);

#[test]
fn login_backoff_doubles_after_the_free_failures() {
    use directory::{login_backoff_ms, LOGIN_MAX_FAILURES, LOGIN_WINDOW_MS};
    assert_eq!(login_backoff_ms(0), 0);
    assert_eq!(login_backoff_ms(LOGIN_MAX_FAILURES - 1), 0);
    assert_eq!(login_backoff_ms(LOGIN_MAX_FAILURES), 1000);
    assert_eq!(login_backoff_ms(LOGIN_MAX_FAILURES + 1), 2000);
    assert_eq!(login_backoff_ms(LOGIN_MAX_FAILURES + 3), 8000);
    assert_eq!(login_backoff_ms(1000), LOGIN_WINDOW_MS);
}

both!(
    redemption_limits_are_per_tenant_first,
    |db: domain::Db| async move {
        let (provider, _, _) = connected(&db).await;
        let root = common::global_admin(&db).await;
        common::tenant(&db, &root, "clumsy").await;
        common::tenant(&db, &root, "careful").await;
        let clumsy = common::scope(&db, &root, "clumsy").await.unwrap();
        let careful = common::scope(&db, &root, "careful").await.unwrap();
        let bogus = format!("ncs_{}", "0".repeat(64));
        let mut limited = false;
        for _ in 0..connections::REDEEM_MAX_ATTEMPTS + 2 {
            if let Err(DomainError::RateLimited) =
                connections::redeem(&db, &clumsy, &bogus, "proxy").await
            {
                limited = true;
            }
        }
        assert!(limited, "the clumsy tenant is rate-limited");
        // Another tenant behind the same address still connects.
        let s = connections::create_secret(&db, &provider, None, "")
            .await
            .unwrap();
        let tid = careful.tenant_id();
        connections::redeem(&db, &careful, &s.secret, "proxy")
            .await
            .expect("one tenant's failures must not block another tenant");
        assert!(authorize(&db, &root, TenantRef::Id(tid)).await.is_ok());
    }
);
