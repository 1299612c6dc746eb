//! The cloud routes through the real router (seed 002): the four tenant types, the
//! refused and unknown types with their codes, a bad setting answered with its field,
//! secrets never sent back, the objects made with a cloud, Service Engines by hand,
//! deletion, and provider mode set by a global admin.

mod support;

use serde_json::json;
use support::{Fx, Req, Who};

fn api(method: &str, path: &str, project: &str, body: Option<serde_json::Value>) -> Req {
    Req::api(
        method,
        path,
        Who::Anonymous,
        Some(project.to_string()),
        body.map(|b| b.to_string()),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clouds_through_the_rest_api() {
    let fx = Fx::new().await;
    let acme = fx.tenant_id("acme");
    let ta = Who::TenantAdmin;

    // Types a tenant may not create, and types nobody knows.
    for kind in ["vcenter", "openstack", "gcp", "nsx-t", "kubernetes"] {
        let res = fx
            .send(
                ta,
                api(
                    "POST",
                    "/api/v1/clouds",
                    &acme,
                    Some(json!({"name": "x", "type": kind, "config": {}})),
                ),
            )
            .await;
        assert_eq!(res.status, 422, "{kind}: {}", res.body);
        assert_eq!(
            res.json()["error"]["code"],
            "cloud_type_not_allowed_in_tenant"
        );
        assert_eq!(res.json()["error"]["field"], "type");
    }
    let res = fx
        .send(
            ta,
            api(
                "POST",
                "/api/v1/clouds",
                &acme,
                Some(json!({"name": "x", "type": "mainframe"})),
            ),
        )
        .await;
    assert_eq!(
        (res.status, res.json()["error"]["code"].as_str()),
        (422, Some("unknown_cloud_type"))
    );

    // A bad setting names its field inside config, and changes nothing.
    let bad = json!({"name": "aws-prod", "type": "aws", "config": {"region": "eu-west-1", "iam_role_arn": "arn:aws:iam::123456789012:role/avi", "vpc_id": "vpc-nothex"}});
    let res = fx
        .send(ta, api("POST", "/api/v1/clouds", &acme, Some(bad)))
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert_eq!(res.json()["error"]["field"], "config.vpc_id");

    // An AWS cloud: the secret is stored and never answered.
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let good = json!({"name": "aws-prod", "type": "aws", "config": {"region": "eu-west-1", "access_key_id": "AKIAIOSFODNN7EXAMPLE",
        "secret_access_key": secret, "vpc_id": "vpc-0a1b2c3d", "availability_zones": ["eu-west-1a", "eu-west-1b"]}});
    let res = fx
        .send(ta, api("POST", "/api/v1/clouds", &acme, Some(good)))
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert!(!res.body.contains(secret));
    let cloud = res.json();
    assert_eq!(cloud["config"]["secret_access_key"], "set");
    assert_eq!(
        (cloud["vrf_contexts"].as_i64(), cloud["se_groups"].as_i64()),
        (Some(2), Some(1))
    );
    let id = cloud["id"].as_str().unwrap().to_string();
    let res = fx
        .send(ta, api("GET", &format!("/api/v1/clouds/{id}"), &acme, None))
        .await;
    assert_eq!(res.status, 200);
    assert!(!res.body.contains(secret));
    let names: Vec<_> = res.json()["vrf_context_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["global", "management"]);
    let res = fx
        .send(
            ta,
            api(
                "GET",
                &format!("/api/v1/se-groups?cloud_id={id}"),
                &acme,
                None,
            ),
        )
        .await;
    assert_eq!(res.json()["items"][0]["name"], "Default-Group");
    let res = fx.send(ta, api("GET", "/api/v1/clouds", &acme, None)).await;
    assert!(!res.body.contains(secret));
    assert!(res.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name"] == "aws-prod"));

    // AWS makes its own Service Engines; a No-Orchestrator cloud takes them by hand.
    let group = fx
        .send(
            ta,
            api(
                "GET",
                &format!("/api/v1/se-groups?cloud_id={id}"),
                &acme,
                None,
            ),
        )
        .await
        .json()["items"][0]["id"]
        .clone();
    let res = fx
        .send(
            ta,
            api(
                "POST",
                "/api/v1/service-engines",
                &acme,
                Some(json!({"se_group_id": group, "name": "se-1", "mgmt_ip": "10.0.0.5"})),
            ),
        )
        .await;
    assert_eq!(
        (res.status, res.json()["error"]["code"].as_str()),
        (422, Some("service_engines_managed_by_cloud"))
    );
    let res = fx
        .send(
            ta,
            api(
                "POST",
                "/api/v1/clouds",
                &acme,
                Some(json!({"name": "manual", "type": "no-orchestrator"})),
            ),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let manual = res.json()["id"].as_str().unwrap().to_string();
    let res = fx
        .send(
            ta,
            api(
                "POST",
                "/api/v1/se-groups",
                &acme,
                Some(json!({"cloud_id": manual, "name": "web", "max_ses": 2})),
            ),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let web = res.json()["id"].clone();
    let res = fx
        .send(
            ta,
            api(
                "POST",
                "/api/v1/service-engines",
                &acme,
                Some(json!({"se_group_id": web, "name": "se-1", "mgmt_ip": "not-an-ip"})),
            ),
        )
        .await;
    assert_eq!(
        (res.status, res.json()["error"]["field"].as_str()),
        (422, Some("mgmt_ip"))
    );
    let res = fx
        .send(
            ta,
            api(
                "POST",
                "/api/v1/service-engines",
                &acme,
                Some(json!({"se_group_id": web, "name": "se-1", "mgmt_ip": "10.0.0.5"})),
            ),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let res = fx
        .send(
            ta,
            api(
                "GET",
                &format!("/api/v1/service-engines?cloud_id={manual}"),
                &acme,
                None,
            ),
        )
        .await;
    assert_eq!(res.json()["items"][0]["se_group_name"], "web");
    let res = fx
        .send(
            ta,
            api(
                "DELETE",
                &format!("/api/v1/se-groups/{}", web.as_str().unwrap()),
                &acme,
                None,
            ),
        )
        .await;
    assert_eq!(
        (res.status, res.json()["error"]["code"].as_str()),
        (409, Some("se_group_in_use"))
    );

    // Deleting a cloud answers what went with it.
    let res = fx
        .send(
            ta,
            api("DELETE", &format!("/api/v1/clouds/{manual}"), &acme, None),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(
        res.json(),
        json!({"name": "manual", "vrf_contexts": 2, "se_groups": 2, "service_engines": 1})
    );
    let res = fx
        .send(
            ta,
            api("GET", &format!("/api/v1/clouds/{manual}"), &acme, None),
        )
        .await;
    assert_eq!(res.status, 404);

    // Provider mode: only a global admin sets it; then the admin tenant's clouds show.
    let admin = fx.tenant_id("admin");
    let res = fx
        .send(
            Who::GlobalAdmin,
            api(
                "POST",
                "/api/v1/clouds",
                &admin,
                Some(json!({"name": "shared", "type": "no-orchestrator"})),
            ),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    let on = json!({"se_in_provider_context": true, "tenant_access_to_provider_se": true, "tenant_vrf": false});
    let res = fx
        .send(
            ta,
            api("PUT", "/api/v1/cloud-settings", &acme, Some(on.clone())),
        )
        .await;
    assert_eq!(res.status, 403);
    let res = fx.send(ta, api("GET", "/api/v1/clouds", &acme, None)).await;
    assert_eq!(res.json()["provider"], json!([]));
    let res = fx
        .send(
            Who::GlobalAdmin,
            api("PUT", "/api/v1/cloud-settings", &acme, Some(on.clone())),
        )
        .await;
    assert_eq!((res.status, res.json()), (200, on));
    let res = fx.send(ta, api("GET", "/api/v1/clouds", &acme, None)).await;
    assert_eq!(res.json()["provider"][0]["name"], "shared");
    assert_eq!(res.json()["provider"][0]["provider"], true);
    let res = fx
        .send(
            ta,
            api(
                "GET",
                "/api/v1/se-groups?include_provider=true",
                &acme,
                None,
            ),
        )
        .await;
    assert!(res.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["provider"] == true));
    fx.finish().await;
}
