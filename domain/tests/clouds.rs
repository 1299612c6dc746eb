//! Tenant-scoped clouds on SQLite and Postgres: what a cloud's creation makes in one
//! transaction (VRF contexts, Default-Group, the Tenant-Admin policy, the audit record),
//! the rollback when a step fails, the refused types, the wizard's drafts with sealed
//! secrets, the objects inside a cloud, isolation, and provider mode.

mod common;

use domain::clouds::{self, CloudSettings, NewCloud, NewServiceEngine, SeGroupInput};
use domain::crypto::Sealer;
use domain::{audit, iam, members, Backend, Role, TenantScope};
use serde_json::json;

struct World {
    acme: TenantScope,
    globex: TenantScope,
    viewer: TenantScope,
    /// A global admin switched into acme, and into the admin tenant.
    root_in_acme: TenantScope,
    root_in_admin: TenantScope,
    sealer: Sealer,
}

async fn world(db: &domain::Db) -> World {
    let root = common::global_admin(db).await;
    common::tenant(db, &root, "acme").await;
    common::tenant(db, &root, "globex").await;
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
        root_in_acme: a,
        root_in_admin: common::scope(db, &root, "admin").await.unwrap(),
        sealer: Sealer::from_hex(&Sealer::generate_hex()).unwrap(),
    }
}

fn aws_config() -> serde_json::Value {
    json!({"region": "eu-west-1", "access_key_id": "AKIAIOSFODNN7EXAMPLE",
        "secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "vpc_id": "vpc-0a1b2c3d",
        "availability_zones": ["eu-west-1a"]})
}

fn new<'a>(name: &'a str, kind: &'a str, config: &'a serde_json::Value) -> NewCloud<'a> {
    NewCloud {
        name,
        cloud_type: kind,
        config,
    }
}

both!(
    creation_makes_vrfs_default_group_policy_and_audit_in_one_step,
    |db: domain::Db| async move {
        let w = world(&db).await;
        let cfg = aws_config();
        let cloud = clouds::create_cloud(&db, &w.acme, &w.sealer, new("aws-prod", "aws", &cfg))
            .await
            .unwrap();
        assert_eq!(
            (cloud.vrf_contexts, cloud.se_groups, cloud.service_engines),
            (2, 1, 0)
        );
        // The secret is stored sealed and shown only as "set".
        assert_eq!(cloud.config["secret_access_key"], "set");
        assert_eq!(cloud.config["region"], "eu-west-1");
        let sealed = domain::db::raw_scalar(
            &db,
            "SELECT COUNT(*) FROM clouds WHERE name = 'aws-prod' \
        AND secrets LIKE 'v1:%' AND secrets NOT LIKE '%wJalr%' AND settings NOT LIKE '%wJalr%'",
        )
        .await
        .unwrap();
        assert_eq!(sealed, 1, "the secret is sealed at rest");

        let d = clouds::get_cloud(&db, &w.acme, cloud.id).await.unwrap();
        let vrfs: Vec<(&str, &str)> = d
            .vrf_contexts
            .iter()
            .map(|v| (v.name.as_str(), v.purpose.as_str()))
            .collect();
        assert_eq!(vrfs, [("global", "data"), ("management", "management")]);
        assert_eq!(d.se_groups.len(), 1);
        assert_eq!(d.se_groups[0].name, "Default-Group");

        let policy = iam::get_policy(&db, &w.acme, clouds::CLOUD_ADMIN_POLICY)
            .await
            .unwrap();
        assert!(policy
            .text
            .contains("Allow group Tenant-Admin to manage cloud-family in tenancy"));
        let log = audit::list(&db, &w.acme, None, Some(50)).await.unwrap();
        assert!(log
            .items
            .iter()
            .any(|e| e.action == "cloud.create" && e.target == "aws-prod"));

        // A second cloud keeps the (possibly edited) policy as it is.
        let none = json!({});
        clouds::create_cloud(
            &db,
            &w.acme,
            &w.sealer,
            new("by-hand", "no-orchestrator", &none),
        )
        .await
        .unwrap();
        assert_eq!(
            iam::list_versions(&db, &w.acme, clouds::CLOUD_ADMIN_POLICY, None, None)
                .await
                .unwrap()
                .items
                .len(),
            1
        );
        // The name is taken now.
        let e = clouds::create_cloud(&db, &w.acme, &w.sealer, new("aws-prod", "aws", &cfg))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "cloud_exists");
    }
);

both!(a_failing_step_leaves_nothing, |db: domain::Db| async move {
    let w = world(&db).await;
    // Make the third step (the SE group) fail inside the database.
    let trigger = match db.backend() {
        Backend::Sqlite => vec![
            "CREATE TRIGGER se_groups_fail BEFORE INSERT ON se_groups BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
        ],
        Backend::Postgres => vec![
            "CREATE OR REPLACE FUNCTION se_groups_fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER se_groups_fail BEFORE INSERT ON se_groups FOR EACH ROW EXECUTE FUNCTION se_groups_fail()",
        ],
    };
    for sql in trigger {
        common::owner_execute(&db, sql).await;
    }
    let cfg = aws_config();
    let e = clouds::create_cloud(&db, &w.acme, &w.sealer, new("doomed", "aws", &cfg))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "internal");
    for table in ["clouds", "vrf_contexts", "se_groups", "iam_policies"] {
        let n = domain::db::raw_scalar(&db, &format!("SELECT COUNT(*) FROM {table}"))
            .await
            .unwrap();
        assert_eq!(n, 0, "{table} keeps nothing of the failed creation");
    }
    let log = audit::list(&db, &w.acme, None, Some(50)).await.unwrap();
    assert!(!log.items.iter().any(|e| e.action == "cloud.create"));
});

both!(
    refused_types_and_bad_settings_change_nothing,
    |db: domain::Db| async move {
        let w = world(&db).await;
        let none = json!({});
        for kind in [
            "vcenter",
            "openstack",
            "gcp",
            "nsx-t",
            "kubernetes",
            "openshift",
        ] {
            let e = clouds::create_cloud(&db, &w.acme, &w.sealer, new("x", kind, &none))
                .await
                .unwrap_err();
            assert_eq!(e.code(), "cloud_type_not_allowed_in_tenant", "{kind}");
            // The global admin, switched into a tenant, gets the same answer.
            let e = clouds::create_cloud(&db, &w.root_in_acme, &w.sealer, new("x", kind, &none))
                .await
                .unwrap_err();
            assert_eq!(e.code(), "cloud_type_not_allowed_in_tenant", "{kind}");
        }
        let e = clouds::create_cloud(&db, &w.acme, &w.sealer, new("x", "mainframe", &none))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "unknown_cloud_type");
        let bad = json!({"hosts": [{"ip": "10.0.0.1", "ssh_user": "root"}, {"ip": "10.0.0.1", "ssh_user": "root"}],
        "ssh_private_key": "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----"});
        let e = clouds::create_cloud(&db, &w.acme, &w.sealer, new("lsc", "linux-server", &bad))
            .await
            .unwrap_err();
        assert_eq!((e.code(), e.field()), ("invalid_input", Some("hosts")));
        // A viewer may not create.
        let e = clouds::create_cloud(
            &db,
            &w.viewer,
            &w.sealer,
            new("x", "no-orchestrator", &none),
        )
        .await
        .unwrap_err();
        assert_eq!(e.code(), "forbidden");
        assert_eq!(
            domain::db::raw_scalar(&db, "SELECT COUNT(*) FROM clouds")
                .await
                .unwrap(),
            0
        );
    }
);

both!(
    drafts_keep_secrets_sealed_and_belong_to_their_author,
    |db: domain::Db| async move {
        let w = world(&db).await;
        let cfg = json!({"subscription_id": "6f1c1c3e-8e1a-4a77-9d3c-3c3f6b2a8e10", "resource_group": "rg-net",
        "virtual_network": "vnet-1", "client_id": "0b0b0b0b-1111-4222-8333-444455556666",
        "azure_tenant_id": "0c0c0c0c-1111-4222-8333-444455556666", "client_secret": "very-secret"});
        let id = clouds::save_draft(&db, &w.acme, &w.sealer, None, new("az", "azure", &cfg))
            .await
            .unwrap();
        let d = clouds::get_draft(&db, &w.acme, id).await.unwrap();
        assert_eq!(d.config["client_secret"], "set");
        // Back and Next without retyping the secret keep it.
        let mut again = cfg.clone();
        again["client_secret"] = json!("");
        again["resource_group"] = json!("rg-other");
        clouds::save_draft(
            &db,
            &w.acme,
            &w.sealer,
            Some(id),
            new("az", "azure", &again),
        )
        .await
        .unwrap();
        // Nobody else sees the draft: another admin of the same tenant, or another tenant.
        assert_eq!(
            clouds::get_draft(&db, &w.root_in_acme, id)
                .await
                .unwrap_err()
                .code(),
            "not_found"
        );
        assert_eq!(
            clouds::get_draft(&db, &w.globex, id)
                .await
                .unwrap_err()
                .code(),
            "not_found"
        );
        let cloud = clouds::create_from_draft(&db, &w.acme, &w.sealer, id)
            .await
            .unwrap();
        assert_eq!(cloud.config["resource_group"], "rg-other");
        assert_eq!(cloud.config["client_secret"], "set");
        // The draft is gone with the creation.
        assert_eq!(
            clouds::get_draft(&db, &w.acme, id)
                .await
                .unwrap_err()
                .code(),
            "not_found"
        );
        // A taken name is reported at the settings step.
        let e = clouds::save_draft(&db, &w.acme, &w.sealer, None, new("az", "azure", &cfg))
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some("name"));
    }
);

both!(objects_inside_a_cloud, |db: domain::Db| async move {
    let w = world(&db).await;
    let lsc_cfg = json!({"hosts": [{"ip": "10.0.0.11", "ssh_user": "ubuntu"}, {"ip": "10.0.0.12", "ssh_user": "ubuntu"}],
        "ssh_private_key": "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----"});
    let lsc = clouds::create_cloud(
        &db,
        &w.acme,
        &w.sealer,
        new("lsc", "linux-server", &lsc_cfg),
    )
    .await
    .unwrap();
    let d = clouds::get_cloud(&db, &w.acme, lsc.id).await.unwrap();
    let default = d.se_groups[0].id;
    let se = clouds::add_service_engine(
        &db,
        &w.acme,
        NewServiceEngine {
            name: "se-1",
            mgmt_ip: "10.0.0.11",
            se_group_id: default,
        },
    )
    .await
    .unwrap();
    // Only the cloud's hosts, once each.
    let e = clouds::add_service_engine(
        &db,
        &w.acme,
        NewServiceEngine {
            name: "se-2",
            mgmt_ip: "10.9.9.9",
            se_group_id: default,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.field(), Some("mgmt_ip"));
    let e = clouds::add_service_engine(
        &db,
        &w.acme,
        NewServiceEngine {
            name: "se-2",
            mgmt_ip: "10.0.0.11",
            se_group_id: default,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), "service_engine_exists");
    // A group cannot shrink below what it holds, and is not deleted while it holds SEs.
    let input = SeGroupInput {
        name: "Default-Group",
        ha_mode: "shared",
        max_ses: 0,
        description: "",
    };
    assert_eq!(
        clouds::update_se_group(&db, &w.acme, default, input)
            .await
            .unwrap_err()
            .field(),
        Some("max_ses")
    );
    assert_eq!(
        clouds::delete_se_group(&db, &w.acme, default)
            .await
            .unwrap_err()
            .code(),
        "se_group_required"
    );
    let web = clouds::create_se_group(
        &db,
        &w.acme,
        lsc.id,
        SeGroupInput {
            name: "web",
            ha_mode: "active-standby",
            max_ses: 1,
            description: "",
        },
    )
    .await
    .unwrap();
    clouds::add_service_engine(
        &db,
        &w.acme,
        NewServiceEngine {
            name: "se-2",
            mgmt_ip: "10.0.0.12",
            se_group_id: web.id,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        clouds::delete_se_group(&db, &w.acme, web.id)
            .await
            .unwrap_err()
            .code(),
        "se_group_in_use"
    );
    // VRF contexts: the two made with the cloud stay; one added by hand goes.
    let vrfs = clouds::list_vrf_contexts(&db, &w.acme, Some(lsc.id))
        .await
        .unwrap();
    assert_eq!(
        clouds::delete_vrf_context(&db, &w.acme, vrfs[0].id)
            .await
            .unwrap_err()
            .code(),
        "vrf_context_required"
    );
    let mine = clouds::create_vrf_context(&db, &w.acme, lsc.id, "blue", "tenant blue")
        .await
        .unwrap();
    clouds::update_vrf_context(&db, &w.acme, mine.id, "blue-2", "renamed")
        .await
        .unwrap();
    clouds::delete_vrf_context(&db, &w.acme, mine.id)
        .await
        .unwrap();
    // AWS clouds create their own SEs.
    let cfg = aws_config();
    let aws = clouds::create_cloud(&db, &w.acme, &w.sealer, new("aws", "aws", &cfg))
        .await
        .unwrap();
    let aws_group = clouds::list_se_groups(&db, &w.acme, Some(aws.id))
        .await
        .unwrap()[0]
        .id;
    let e = clouds::add_service_engine(
        &db,
        &w.acme,
        NewServiceEngine {
            name: "x",
            mgmt_ip: "10.1.1.1",
            se_group_id: aws_group,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(e.code(), "service_engines_managed_by_cloud");

    // Isolation: globex sees none of it, by list or by id, and cannot change it.
    assert!(clouds::list_clouds(&db, &w.globex, "", None, None)
        .await
        .unwrap()
        .items
        .is_empty());
    assert_eq!(
        clouds::get_cloud(&db, &w.globex, lsc.id)
            .await
            .unwrap_err()
            .code(),
        "not_found"
    );
    assert_eq!(
        clouds::remove_service_engine(&db, &w.globex, se.id)
            .await
            .unwrap_err()
            .code(),
        "not_found"
    );
    assert_eq!(
        clouds::create_se_group(
            &db,
            &w.globex,
            lsc.id,
            SeGroupInput {
                name: "x",
                ha_mode: "shared",
                max_ses: 1,
                description: ""
            }
        )
        .await
        .unwrap_err()
        .code(),
        "not_found"
    );
    assert_eq!(
        clouds::delete_cloud(&db, &w.globex, lsc.id)
            .await
            .unwrap_err()
            .code(),
        "not_found"
    );
    // Nor does the admin tenant's own list show acme's clouds.
    assert!(clouds::list_clouds(&db, &w.root_in_admin, "", None, None)
        .await
        .unwrap()
        .items
        .is_empty());

    // Deleting the cloud deletes everything it holds.
    let gone = clouds::delete_cloud(&db, &w.acme, lsc.id).await.unwrap();
    assert_eq!(
        (gone.vrf_contexts, gone.se_groups, gone.service_engines),
        (2, 2, 2)
    );
    for table in ["vrf_contexts", "se_groups", "service_engines"] {
        let n = domain::db::raw_scalar(
            &db,
            &format!("SELECT COUNT(*) FROM {table} WHERE cloud_id = '{}'", lsc.id),
        )
        .await
        .unwrap();
        assert_eq!(n, 0, "{table}");
    }
});

both!(
    provider_mode_shows_the_admin_tenants_clouds_read_only,
    |db: domain::Db| async move {
        let w = world(&db).await;
        let cfg = aws_config();
        let shared = clouds::create_cloud(
            &db,
            &w.root_in_admin,
            &w.sealer,
            new("shared-aws", "aws", &cfg),
        )
        .await
        .unwrap();
        // Off by default: acme sees nothing of it.
        assert!(clouds::provider_clouds(&db, &w.acme)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            clouds::get_cloud(&db, &w.acme, shared.id)
                .await
                .unwrap_err()
                .code(),
            "not_found"
        );
        // Only a global admin turns it on.
        let on = CloudSettings {
            se_in_provider_context: true,
            tenant_access_to_provider_se: false,
            tenant_vrf: false,
        };
        assert_eq!(
            clouds::set_cloud_settings(&db, &w.acme, on)
                .await
                .unwrap_err()
                .code(),
            "forbidden"
        );
        clouds::set_cloud_settings(&db, &w.root_in_acme, on)
            .await
            .unwrap();
        let seen = clouds::provider_clouds(&db, &w.acme).await.unwrap();
        assert_eq!(seen.len(), 1);
        assert!(seen[0].provider);
        // Where it runs, never how the provider reaches it.
        assert!(
            seen[0].config.get("access_key_id").is_none()
                && seen[0].config.get("secret_access_key").is_none()
        );
        let d = clouds::get_cloud(&db, &w.acme, shared.id).await.unwrap();
        assert!(d.cloud.provider && d.service_engines.is_empty());
        assert_eq!(d.vrf_contexts.len(), 2);
        let groups = clouds::se_group_choices(&db, &w.acme).await.unwrap();
        assert!(groups
            .iter()
            .any(|g| g.provider && g.name == "Default-Group"));
        // Read-only: nothing of it changes from acme.
        assert_eq!(
            clouds::delete_cloud(&db, &w.acme, shared.id)
                .await
                .unwrap_err()
                .code(),
            "not_found"
        );
        assert_eq!(
            clouds::create_vrf_context(&db, &w.acme, shared.id, "mine", "")
                .await
                .unwrap_err()
                .code(),
            "not_found"
        );
        assert_eq!(
            clouds::delete_se_group(&db, &w.acme, d.se_groups[0].id)
                .await
                .unwrap_err()
                .code(),
            "not_found"
        );
        // Globex, without provider mode, still sees nothing.
        assert!(clouds::provider_clouds(&db, &w.globex)
            .await
            .unwrap()
            .is_empty());
        // Its own routing domain hides the provider's VRF contexts.
        let own_vrf = CloudSettings {
            tenant_vrf: true,
            ..on
        };
        clouds::set_cloud_settings(&db, &w.root_in_acme, own_vrf)
            .await
            .unwrap();
        assert!(clouds::get_cloud(&db, &w.acme, shared.id)
            .await
            .unwrap()
            .vrf_contexts
            .is_empty());
        // The admin tenant provides; it has no provider mode of its own.
        assert!(clouds::set_cloud_settings(&db, &w.root_in_admin, on)
            .await
            .is_err());
    }
);
