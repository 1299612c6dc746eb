//! The tenant as a container, on SQLite and Postgres: audit records name the request
//! that made them; a tenant's log holds its controller steps, sign-ins and API use and is
//! searched and purged past its retention; usage is counted per kind every hour (a day's
//! figure is its last count), API calls add up, and the export
//! tags every row with the tenant's name and id.

mod common;

use domain::telemetry::{self, logs, usage};
use domain::{audit, directory, lifecycle, members, network, DomainError, Role};

both!(
    audit_records_carry_the_request_id_they_were_written_under,
    |db: domain::Db| async move {
        let root = common::global_admin(&db).await;
        common::tenant(&db, &root, "acme").await;
        let acme = common::scope(&db, &root, "acme").await.unwrap();
        telemetry::with_request_id(
            "req-0001".into(),
            members::add(&db, &acme, "vera@example.test", Role::Viewer),
        )
        .await
        .unwrap();
        members::add(&db, &acme, "otto@example.test", Role::Viewer)
            .await
            .unwrap();
        let by_request = audit::search(
            &db,
            &acme,
            &audit::AuditFilter {
                request_id: "req-0001".into(),
                ..Default::default()
            },
            None,
            None,
        )
        .await
        .unwrap();
        assert_eq!(by_request.items.len(), 1);
        assert_eq!(by_request.items[0].target, "vera@example.test");
        assert_eq!(by_request.items[0].request_id.as_deref(), Some("req-0001"));
        // Written outside a request (a tool, the controller): no id.
        let all = audit::list(&db, &acme, None, None).await.unwrap();
        let otto = all
            .items
            .iter()
            .find(|e| e.target == "otto@example.test")
            .unwrap();
        assert_eq!(otto.request_id, None);
    }
);

both!(
    a_tenant_log_holds_bootstrap_sign_ins_and_api_use_and_is_searched,
    |db: domain::Db| async move {
        let root = common::global_admin(&db).await;
        common::tenant(&db, &root, "acme").await;
        common::tenant(&db, &root, "globex").await;
        lifecycle::reconcile_once(&db).await.unwrap();
        let acme = common::scope(&db, &root, "acme").await.unwrap();
        let globex = common::scope(&db, &root, "globex").await.unwrap();
        members::add(&db, &acme, "cody@example.test", Role::Viewer)
            .await
            .unwrap();
        let cody = directory::user_by_email(&db, "cody@example.test")
            .await
            .unwrap()
            .unwrap();
        logs::record_login(&db, cody.id, &cody.email, "local-idp")
            .await
            .unwrap();
        let meter = usage::Meter::new();
        meter.count(acme.tenant_id(), "cody@example.test (console token)");
        meter.count(acme.tenant_id(), "cody@example.test (console token)");
        meter.count(globex.tenant_id(), "root@example.test (JWT)");
        assert_eq!(meter.flush(&db).await.unwrap(), 3);
        // Flushed counts are gone from the meter.
        assert_eq!(meter.flush(&db).await.unwrap(), 0);
        // A later flush in the same hour adds to the caller's line of the hour.
        meter.count(acme.tenant_id(), "cody@example.test (console token)");
        assert_eq!(meter.flush(&db).await.unwrap(), 1);

        let search = |q: &str, source: Option<logs::Source>| logs::LogFilter {
            q: q.into(),
            source,
        };
        let all = logs::search(&db, &acme, &search("", None), None, None)
            .await
            .unwrap();
        let messages: Vec<&str> = all.items.iter().map(|l| l.message.as_str()).collect();
        assert!(
            messages.iter().any(|m| m.starts_with("Bootstrapped")),
            "{messages:?}"
        );
        assert!(
            messages.contains(&"cody@example.test signed in (local-idp)."),
            "{messages:?}"
        );
        let api_lines: Vec<&&str> = messages
            .iter()
            .filter(|m| m.starts_with("cody@example.test (console token), the hour from "))
            .collect();
        assert_eq!(api_lines.len(), 1, "{messages:?}");
        assert!(api_lines[0].ends_with(" UTC: 3 API calls."), "{messages:?}");
        // Each tenant's log holds only its own lines.
        assert!(!messages.iter().any(|m| m.contains("JWT")));
        let logins = logs::search(
            &db,
            &acme,
            &search("", Some(logs::Source::Login)),
            None,
            None,
        )
        .await
        .unwrap();
        assert_eq!(logins.items.len(), 1);
        let found = logs::search(&db, &acme, &search("SIGNED", None), None, None)
            .await
            .unwrap();
        assert_eq!(found.items.len(), 1);
        let api = logs::search(
            &db,
            &globex,
            &search("", Some(logs::Source::Api)),
            None,
            None,
        )
        .await
        .unwrap();
        assert!(api.items[0]
            .message
            .starts_with("root@example.test (JWT), the hour from "));
        assert!(api.items[0].message.ends_with(" UTC: 1 API call."));
        assert_eq!(api.items[0].quantity, 1);
        // Keyset paging walks the whole log once.
        let first = logs::search(&db, &acme, &search("", None), None, Some(1))
            .await
            .unwrap();
        let second = logs::search(
            &db,
            &acme,
            &search("", None),
            first.next_cursor.as_deref(),
            Some(1),
        )
        .await
        .unwrap();
        assert_ne!(first.items[0].id, second.items[0].id);
        // A member who may not read the log is told so.
        let vera_scope = {
            members::add(&db, &acme, "vera@example.test", Role::Member)
                .await
                .unwrap();
            let vera = common::oidc_user(&db, "vera").await;
            common::scope(&db, &vera, "acme").await.unwrap()
        };
        assert!(matches!(
            logs::search(&db, &vera_scope, &search("", None), None, None).await,
            Err(DomainError::Forbidden(_))
        ));
        // Past the retention, the controller deletes the lines.
        let purging = lifecycle::Controller {
            log_retention_ms: -1,
            ..lifecycle::Controller::new("local")
        };
        lifecycle::reconcile(&db, &purging).await.unwrap();
        let left = logs::search(&db, &acme, &search("", None), None, None)
            .await
            .unwrap();
        assert!(left.items.is_empty(), "{:?}", left.items);
    }
);

both!(
    usage_is_counted_per_kind_every_hour_and_exported_with_its_tenant,
    |db: domain::Db| async move {
        let root = common::global_admin(&db).await;
        common::tenant(&db, &root, "acme").await;
        // The pass that bootstraps the tenant also takes its snapshot of the day.
        let ctl = lifecycle::Controller::new("local");
        let pass = lifecycle::reconcile(&db, &ctl).await.unwrap();
        assert!(
            pass.bootstrapped >= 1 && pass.usage_snapshots >= 1,
            "{pass:?}"
        );
        let acme = common::scope(&db, &root, "acme").await.unwrap();
        network::create_workspace(&db, &acme, "ide", vec![])
            .await
            .unwrap();
        members::add(&db, &acme, "cody@example.test", Role::Viewer)
            .await
            .unwrap();
        let meter = usage::Meter::new();
        for _ in 0..5 {
            meter.count(acme.tenant_id(), "cody@example.test (console token)");
        }
        meter.flush(&db).await.unwrap();
        // The next passes within the hour count nothing again, while API calls keep
        // adding up.
        assert_eq!(
            lifecycle::reconcile(&db, &ctl)
                .await
                .unwrap()
                .usage_snapshots,
            0
        );
        // A tenant created later that day gets its snapshot at its bootstrap.
        common::tenant(&db, &root, "globex").await;
        let pass = lifecycle::reconcile(&db, &ctl).await.unwrap();
        assert_eq!((pass.bootstrapped, pass.usage_snapshots), (1, 1));

        let today = telemetry::day_of(domain::now_ms());
        let rows = usage::export(&db, &acme, today, today).await.unwrap();
        let qty = |kind: &str| rows.iter().find(|r| r.kind == kind).map(|r| r.quantity);
        assert_eq!(
            qty("workspaces"),
            Some(0),
            "the last count, an hour old at most"
        );
        // Once the counts are stale, the next count replaces the day's figures.
        assert!(
            usage::snapshot_due(&db, 200, domain::now_ms() + 1)
                .await
                .unwrap()
                >= 2
        );
        let rows = usage::export(&db, &acme, today, today).await.unwrap();
        let qty = |kind: &str| rows.iter().find(|r| r.kind == kind).map(|r| r.quantity);
        assert_eq!(qty("workspaces"), Some(1), "the day's last count");
        assert_eq!(qty("members"), Some(1));
        assert_eq!(qty("tenant"), Some(1));
        assert_eq!(qty("api_calls"), Some(5));
        assert!(rows.iter().all(|r| r.tenant_name == "acme"
            && r.tenant_id == acme.tenant_id().as_text()
            && r.day == telemetry::day_date(today)));
        let csv = usage::to_csv(&rows, true);
        assert!(csv.starts_with("day,tenant_id,tenant_name,kind,quantity\n"));
        assert!(csv.contains(&format!(
            "{},{},acme,api_calls,5\n",
            telemetry::day_date(today),
            acme.tenant_id()
        )));
        // A span is ordered and bounded.
        assert!(usage::export(&db, &acme, today, today - 1).await.is_err());
        assert!(usage::export(&db, &acme, today - 400, today).await.is_err());

        // Every tenant's day, page by page, for global admins only.
        let (page, next) = usage::export_all(&db, &root, today, None, 3).await.unwrap();
        assert_eq!(page.len(), 3);
        let (rest, _) = usage::export_all(&db, &root, today, next.as_deref(), 10_000)
            .await
            .unwrap();
        assert!(rest
            .iter()
            .chain(page.iter())
            .any(|r| r.tenant_name == "acme" && r.kind == "api_calls"));
        let cody = common::oidc_user(&db, "cody").await;
        assert!(matches!(
            usage::export_all(&db, &cody, today, None, 10).await,
            Err(DomainError::Forbidden(_))
        ));

        // The metrics show what the tenant holds now, and today's API calls.
        let m = telemetry::metrics::tenant_metrics(&db, &acme)
            .await
            .unwrap();
        let count = |kind: &str| m.counts.iter().find(|(k, _)| k == kind).map(|(_, n)| *n);
        assert_eq!(count("workspaces"), Some(1));
        assert_eq!(count("members"), Some(1));
        assert_eq!(m.api_calls.len() as i64, telemetry::metrics::DAYS);
        assert_eq!(m.api_calls.last().map(|d| d.value), Some(5));
        // Today's bar is what the tenant holds now.
        assert_eq!(m.resources.last().map(|d| d.value), Some(2));
    }
);
