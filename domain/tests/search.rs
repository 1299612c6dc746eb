//! Tenant search from an index (FTS5 trigram on SQLite, pg_trgm on Postgres) answers what
//! a substring scan would: anywhere in the name, any case, literal characters, paged.

mod common;

use domain::directory::{self, TenantQuery};

async fn names(db: &domain::Db, p: &domain::Principal, q: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let page = directory::list_tenants(
            db,
            p,
            &TenantQuery {
                q: q.into(),
                cursor,
                limit: Some(7),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        out.extend(page.items.into_iter().map(|t| t.name));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
}

both!(
    search_finds_substrings_from_the_index,
    |db: domain::Db| async move {
        let root = common::global_admin(&db).await;
        let mut all = vec!["admin".to_string()];
        for i in 0..40 {
            let name = format!("team-{i:03}-prod");
            common::tenant(&db, &root, &name).await;
            all.push(name);
        }
        for name in ["acme_prod", "acme-stage", "zprodz"] {
            common::tenant(&db, &root, name).await;
            all.push(name.to_string());
        }
        all.sort();
        let expect = |q: &str| -> Vec<String> {
            let q = q.trim().to_lowercase();
            all.iter().filter(|n| n.contains(&q)).cloned().collect()
        };
        for q in [
            "prod",
            "PROD",
            "team-01",
            "-01",
            "039",
            "e_p",
            "acme",
            "zprodz",
            "me-s",
            "pr",
            "a",
            "nothing-here",
            "\"",
            "a\"b",
            "%",
            "_",
            "prod\"",
            "",
        ] {
            assert_eq!(names(&db, &root, q).await, expect(q), "query {q:?}");
        }
        // A tenant deleted from the table leaves the index too (the trigger keeps it in step).
        domain::db::raw_execute(&db, "DELETE FROM tenants WHERE name = 'zprodz'")
            .await
            .unwrap();
        assert!(names(&db, &root, "zprodz").await.is_empty());
    }
);
