//! Cross-tenant connections on SQLite and Postgres: one-time secrets under concurrency,
//! every refusal code, expiry at the boundary, and revocation by each side.

mod common;

use domain::connections::{self, SecretStatus};
use domain::{members, DomainError, Role};

fn code(e: &DomainError) -> &'static str {
    e.code()
}

/// Two tenants with a tenant admin each, as scopes.
async fn two_tenants(db: &domain::Db) -> (domain::TenantScope, domain::TenantScope) {
    let root = common::global_admin(db).await;
    common::tenant(db, &root, "provider").await;
    common::tenant(db, &root, "consumer").await;
    let p = common::scope(db, &root, "provider").await.unwrap();
    let c = common::scope(db, &root, "consumer").await.unwrap();
    members::add(db, &p, "pat@example.test", Role::TenantAdmin)
        .await
        .unwrap();
    members::add(db, &c, "cody@example.test", Role::TenantAdmin)
        .await
        .unwrap();
    let pat = common::oidc_user(db, "pat").await;
    let cody = common::oidc_user(db, "cody").await;
    (
        common::scope(db, &pat, "provider").await.unwrap(),
        common::scope(db, &cody, "consumer").await.unwrap(),
    )
}

both!(
    secrets_are_shown_once_and_listed_by_status,
    |db: domain::Db| async move {
        let (provider, _) = two_tenants(&db).await;
        let issued = connections::create_secret(&db, &provider, None, "for consumer")
            .await
            .unwrap();
        assert!(issued.secret.starts_with("ncs_"));
        assert!(
            issued.secret.len() >= 4 + 32,
            "at least 128 bits of randomness"
        );
        assert_eq!(
            issued.info.expires_at - issued.info.created_at,
            24 * 3600 * 1000,
            "24 hours by default"
        );
        for bad in [Some(299), Some(30 * 24 * 3600 + 1), Some(-5)] {
            assert!(matches!(
                connections::create_secret(&db, &provider, bad, "").await,
                Err(DomainError::Invalid {
                    field: "expires_in_seconds",
                    ..
                })
            ));
        }
        connections::create_secret(&db, &provider, Some(300), "")
            .await
            .unwrap();
        let list = connections::list_secrets(&db, &provider, None, None)
            .await
            .unwrap();
        assert_eq!(list.items.len(), 2);
        assert!(list.items.iter().all(|s| s.status == SecretStatus::Pending
            && s.hint.ends_with('…')
            && !issued.secret.starts_with(&s.hint)));
        let revoked = connections::revoke_secret(&db, &provider, &issued.info.id)
            .await
            .unwrap();
        assert_eq!(revoked.status, SecretStatus::Revoked);
        assert!(matches!(
            connections::revoke_secret(&db, &provider, &issued.info.id).await,
            Err(DomainError::Conflict {
                code: "secret_not_pending",
                ..
            })
        ));
    }
);

both!(
    the_redemption_race_has_one_winner_in_each_of_a_hundred_rounds,
    |db: domain::Db| async move {
        // Issue 13's count: 100 rounds on each database, each a fresh secret raced by
        // eight tenants at once. The round's connection is revoked afterwards, so each
        // round has eight contenders (a connected tenant could not win again).
        let root = common::global_admin(&db).await;
        common::tenant(&db, &root, "provider").await;
        let provider = common::scope(&db, &root, "provider").await.unwrap();
        let mut consumers = Vec::new();
        let mut one_winner = 0;
        for round in 0..100 {
            // Losers' failed redemptions count toward the rate limit of their tenant, so
            // every eight rounds eight fresh tenants race.
            if round % 8 == 0 {
                consumers.clear();
                for i in 0..8 {
                    let name = format!("racer_{round}_{i}");
                    common::tenant(&db, &root, &name).await;
                    consumers.push(common::scope(&db, &root, &name).await.unwrap());
                }
            }
            let secret = connections::create_secret(&db, &provider, None, "")
                .await
                .unwrap()
                .secret;
            let tasks: Vec<_> = consumers
                .iter()
                .cloned()
                .enumerate()
                .map(|(i, consumer)| {
                    let (db, secret) = (db.clone(), secret.clone());
                    tokio::spawn(async move {
                        connections::redeem(&db, &consumer, &secret, &format!("r{round}-{i}")).await
                    })
                })
                .collect();
            let mut winners = Vec::new();
            for t in tasks {
                match t.await.unwrap() {
                    Ok(conn) => winners.push(conn),
                    Err(e) => assert_eq!(code(&e), "secret_used", "round {round}: {e:?}"),
                }
            }
            assert_eq!(winners.len(), 1, "round {round}: exactly one winner");
            one_winner += 1;
            connections::revoke_connection(&db, &provider, &winners[0].id)
                .await
                .unwrap();
        }
        println!(
            "redemption race on {:?}: {one_winner} of 100 rounds had exactly one winner",
            db.backend()
        );
        assert_eq!(one_winner, 100);
    }
);

both!(
    exactly_one_of_fifty_concurrent_redemptions_wins,
    |db: domain::Db| async move {
        let root = common::global_admin(&db).await;
        common::tenant(&db, &root, "provider").await;
        let provider = common::scope(&db, &root, "provider").await.unwrap();
        let mut consumers = Vec::new();
        for i in 0..50 {
            common::tenant(&db, &root, &format!("consumer_{i:02}")).await;
            consumers.push(
                common::scope(&db, &root, &format!("consumer_{i:02}"))
                    .await
                    .unwrap(),
            );
        }
        // Repeated, so a lucky interleaving cannot pass by chance.
        for round in 0..3 {
            let secret = connections::create_secret(&db, &provider, None, "")
                .await
                .unwrap()
                .secret;
            let mut tasks = Vec::new();
            for (i, consumer) in consumers.iter().cloned().enumerate() {
                let (db, secret) = (db.clone(), secret.clone());
                tasks.push(tokio::spawn(async move {
                    connections::redeem(&db, &consumer, &secret, &format!("client-{round}-{i}"))
                        .await
                }));
            }
            let mut wins = 0;
            for t in tasks {
                match t.await.unwrap() {
                    Ok(_) => wins += 1,
                    Err(e) => assert!(
                        matches!(code(&e), "secret_used" | "already_connected"),
                        "round {round}: unexpected {e:?}"
                    ),
                }
            }
            assert_eq!(wins, 1, "round {round}: exactly one redemption wins");
        }
        // Three rounds, three winners: the provider has three active connections.
        let mine = connections::list_connections(&db, &provider, None, Some(100))
            .await
            .unwrap();
        assert_eq!(mine.items.iter().filter(|c| c.is_active()).count(), 3);
    }
);

both!(
    every_refusal_has_its_code_and_changes_nothing,
    |db: domain::Db| async move {
        let (provider, consumer) = two_tenants(&db).await;
        let r = |s: String| {
            let (db, consumer) = (db.clone(), consumer.clone());
            async move { connections::redeem(&db, &consumer, &s, "c1").await }
        };
        assert_eq!(
            code(&r("ncs_".to_string() + &"0".repeat(64)).await.unwrap_err()),
            "secret_unknown"
        );
        assert_eq!(
            code(&r("hello".into()).await.unwrap_err()),
            "secret_unknown"
        );
        let own = connections::create_secret(&db, &consumer, None, "")
            .await
            .unwrap();
        assert_eq!(code(&r(own.secret).await.unwrap_err()), "self_connection");
        let revoked = connections::create_secret(&db, &provider, None, "")
            .await
            .unwrap();
        connections::revoke_secret(&db, &provider, &revoked.info.id)
            .await
            .unwrap();
        assert_eq!(
            code(&r(revoked.secret).await.unwrap_err()),
            "secret_revoked"
        );
        assert!(
            connections::list_connections(&db, &consumer, None, None)
                .await
                .unwrap()
                .items
                .is_empty(),
            "nothing changed"
        );
        let good = connections::create_secret(&db, &provider, None, "")
            .await
            .unwrap();
        let conn = r(good.secret.clone()).await.unwrap();
        assert_eq!(conn.remote_tenant_name, "provider");
        assert_eq!(code(&r(good.secret).await.unwrap_err()), "secret_used");
        let second = connections::create_secret(&db, &provider, None, "")
            .await
            .unwrap();
        assert_eq!(
            code(&r(second.secret.clone()).await.unwrap_err()),
            "already_connected"
        );
        let still = connections::list_secrets(&db, &provider, None, None)
            .await
            .unwrap();
        assert!(
            still
                .items
                .iter()
                .any(|s| s.id == second.info.id && s.status == SecretStatus::Pending),
            "a refused redemption leaves the secret pending"
        );
        // Past the limit, every attempt answers rate_limited.
        let mut limited = false;
        for _ in 0..connections::REDEEM_MAX_ATTEMPTS {
            if let Err(DomainError::RateLimited) = r("nonsense".into()).await {
                limited = true;
            }
        }
        assert!(limited, "redemptions are rate-limited per tenant");
    }
);

both!(expiry_holds_to_the_second, |db: domain::Db| async move {
    let (provider, consumer) = two_tenants(&db).await;
    let early = connections::create_secret(&db, &provider, Some(300), "")
        .await
        .unwrap();
    let late = connections::create_secret(&db, &provider, Some(300), "")
        .await
        .unwrap();
    let err = connections::redeem_at(
        &db,
        &consumer,
        &late.secret,
        "c",
        late.info.expires_at + 1000,
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "secret_expired");
    let ok = connections::redeem_at(
        &db,
        &consumer,
        &early.secret,
        "c",
        early.info.expires_at - 1000,
    )
    .await;
    assert!(ok.is_ok(), "{ok:?}");
});

both!(
    either_side_revokes_and_both_see_it,
    |db: domain::Db| async move {
        let (provider, consumer) = two_tenants(&db).await;
        for revoker_is_provider in [true, false] {
            let secret = connections::create_secret(&db, &provider, None, "")
                .await
                .unwrap()
                .secret;
            let conn = connections::redeem(&db, &consumer, &secret, "c")
                .await
                .unwrap();
            let seen = connections::get_connection(&db, &provider, &conn.id)
                .await
                .unwrap();
            assert_eq!(seen.remote_tenant_id, consumer.tenant_id());
            assert!(matches!(seen.direction, connections::Direction::Provides));
            let revoker = if revoker_is_provider {
                &provider
            } else {
                &consumer
            };
            connections::revoke_connection(&db, revoker, &conn.id)
                .await
                .unwrap();
            for side in [&provider, &consumer] {
                let c = connections::get_connection(&db, side, &conn.id)
                    .await
                    .unwrap();
                assert_eq!(c.status, "Revoked");
                assert!(c.revoked_by.is_some());
            }
            assert!(matches!(
                connections::revoke_connection(&db, revoker, &conn.id).await,
                Err(DomainError::Conflict { .. })
            ));
        }
        // Audited on both sides.
        for side in [&provider, &consumer] {
            let log = domain::audit::list(&db, side, None, Some(100))
                .await
                .unwrap();
            assert!(log.items.iter().any(|e| e.action == "connection.create"));
            assert!(log.items.iter().any(|e| e.action == "connection.revoke"));
        }
    }
);

both!(a_third_tenant_sees_nothing, |db: domain::Db| async move {
    let (provider, consumer) = two_tenants(&db).await;
    let secret = connections::create_secret(&db, &provider, None, "")
        .await
        .unwrap();
    let conn = connections::redeem(&db, &consumer, &secret.secret, "c")
        .await
        .unwrap();
    let root = common::global_admin(&db).await;
    common::tenant(&db, &root, "outsider").await;
    let outsider = common::scope(&db, &root, "outsider").await.unwrap();
    assert!(matches!(
        connections::get_connection(&db, &outsider, &conn.id).await,
        Err(DomainError::NotFound(_))
    ));
    assert!(matches!(
        connections::revoke_connection(&db, &outsider, &conn.id).await,
        Err(DomainError::NotFound(_))
    ));
    assert!(matches!(
        connections::revoke_secret(&db, &outsider, &secret.info.id).await,
        Err(DomainError::NotFound(_))
    ));
    assert!(connections::list_connections(&db, &outsider, None, None)
        .await
        .unwrap()
        .items
        .is_empty());
    // A viewer reads connections but cannot issue or redeem.
    members::add(&db, &consumer, "vic@example.test", Role::Viewer)
        .await
        .unwrap();
    let vic = common::oidc_user(&db, "vic").await;
    let v = common::scope(&db, &vic, "consumer").await.unwrap();
    assert_eq!(
        connections::list_connections(&db, &v, None, None)
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    assert!(matches!(
        connections::create_secret(&db, &v, None, "").await,
        Err(DomainError::Forbidden(_))
    ));
});
