//! The NCS networking routes through the real router: workspaces, services, remote
//! services with DNS names, network policies as YAML and JSON (422 with line numbers),
//! the connectivity check, and traffic from a data plane.

mod support;

use axum::body::Body;
use axum::http::{header, Request};
use support::{policy_yaml, Fx, Req, Who};

fn api(method: &str, path: &str, project: Option<String>, body: Option<String>) -> Req {
    Req::api(method, path, Who::Anonymous, project, body)
}

/// A request with a raw body and content type, as the tenant admin.
fn raw(fx: &Fx, method: &str, path: &str, ctype: &str, accept: &str, body: &str) -> Req {
    Req::Raw(
        Request::builder()
            .method(method)
            .uri(path)
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", fx.token(Who::TenantAdmin)),
            )
            .header("ActiveProjectID", fx.tenant_id("acme"))
            .header(header::CONTENT_TYPE, ctype)
            .header(header::ACCEPT, accept)
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspaces_services_and_remote_dns_names() {
    let fx = Fx::new().await;
    let acme = Some(fx.tenant_id("acme"));
    let res = fx
        .send(
            Who::TenantAdmin,
            api(
                "POST",
                "/api/v1/workspaces",
                acme.clone(),
                Some(r#"{"name":"ide-a","labels":["project-a-ide","ci"]}"#.into()),
            ),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(
        res.json()["labels"],
        serde_json::json!(["ci", "project-a-ide"])
    );
    let res = fx
        .send(
            Who::TenantAdmin,
            api(
                "POST",
                "/api/v1/workspaces",
                acme.clone(),
                Some(r#"{"name":"Bad Name"}"#.into()),
            ),
        )
        .await;
    assert_eq!(
        (res.status, res.json()["error"]["code"].as_str()),
        (422, Some("invalid_input"))
    );
    let res = fx
        .send(
            Who::TenantAdmin,
            api(
                "POST",
                "/api/v1/workspaces",
                acme.clone(),
                Some(r#"{"name":"ide-a"}"#.into()),
            ),
        )
        .await;
    assert_eq!(
        (res.status, res.json()["error"]["code"].as_str()),
        (409, Some("workspace_exists"))
    );
    let res = fx
        .send(
            Who::Viewer,
            api("GET", "/api/v1/workspaces?q=project-a", acme.clone(), None),
        )
        .await;
    assert_eq!(res.json()["items"].as_array().map(Vec::len), Some(1));

    let res = fx
        .send(
            Who::TenantAdmin,
            api(
                "POST",
                "/api/v1/services",
                acme.clone(),
                Some(r#"{"name":"billing","port":70000,"protocol":"tcp"}"#.into()),
            ),
        )
        .await;
    assert_eq!(res.status, 422);
    let res = fx
        .send(
            Who::TenantAdmin,
            api(
                "POST",
                "/api/v1/services",
                acme.clone(),
                Some(r#"{"name":"billing"}"#.into()),
            ),
        )
        .await;
    assert_eq!(
        (res.status, res.json()["error"]["code"].as_str()),
        (400, Some("invalid_json"))
    );

    // acme consumes from provider_0..3, each offering `svc`; never globex's or initech's.
    let res = fx
        .send(
            Who::Viewer,
            api("GET", "/api/v1/remote-services", acme, None),
        )
        .await;
    assert_eq!(res.status, 200);
    let items = res.json()["items"].as_array().cloned().unwrap_or_default();
    let p0 = fx.tenant_id("provider_0");
    assert!(
        items
            .iter()
            .any(|i| i["dns_name"] == format!("svc.{p0}.aether.internal")),
        "{items:?}"
    );
    assert!(items.iter().all(|i| i["name"] == "svc"), "{items:?}");
    fx.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policies_as_yaml_and_json_with_line_numbers() {
    let fx = Fx::new().await;
    let p0 = fx.tenant_id("provider_0");
    // YAML in, YAML back with Accept.
    let yaml = policy_yaml("allow-yaml", &p0, "svc");
    let res = fx
        .send(
            Who::TenantAdmin,
            raw(
                &fx,
                "POST",
                "/api/v1/network-policies",
                "application/yaml",
                "application/json",
                &yaml,
            ),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.json()["tenant_id"], p0);
    let res = fx
        .send(
            Who::TenantAdmin,
            raw(
                &fx,
                "GET",
                "/api/v1/network-policies/allow-yaml",
                "text/plain",
                "application/yaml",
                "",
            ),
        )
        .await;
    assert_eq!(res.status, 200);
    assert!(res.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("application/yaml"));
    assert_eq!(res.body, yaml);

    // Bad documents: 422 with every problem and its line; nothing stored.
    let bad = yaml
        .replace("name: allow-yaml", "name: Not_Valid")
        .replace("action: allow", "action: allow\n  priority: 1");
    let res = fx
        .send(
            Who::TenantAdmin,
            raw(
                &fx,
                "POST",
                "/api/v1/network-policies",
                "application/yaml",
                "application/json",
                &bad,
            ),
        )
        .await;
    assert_eq!(res.status, 422);
    let body = res.json();
    assert_eq!(body["error"]["code"], "invalid_policy");
    let lines: Vec<i64> = body["error"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, vec![3, 11], "{body}");
    let globex = fx.tenant_id("globex");
    let res = fx
        .send(
            Who::TenantAdmin,
            raw(
                &fx,
                "POST",
                "/api/v1/network-policies",
                "application/yaml",
                "application/json",
                &policy_yaml("to-globex", &globex, "globex-api"),
            ),
        )
        .await;
    assert_eq!(res.status, 422);
    let e = &res.json()["error"]["errors"][0];
    assert_eq!(e["line"], 8);
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("no active connection"),
        "{e}"
    );
    let res = fx
        .send(
            Who::TenantAdmin,
            raw(
                &fx,
                "POST",
                "/api/v1/network-policies",
                "application/xml",
                "application/json",
                "<x/>",
            ),
        )
        .await;
    assert_eq!(res.status, 415);

    // PUT: the path names the policy; a different metadata.name is refused at its line.
    let res = fx
        .send(
            Who::TenantAdmin,
            raw(
                &fx,
                "PUT",
                "/api/v1/network-policies/allow-yaml",
                "application/yaml",
                "application/json",
                &yaml.replace("action: allow", "action: deny"),
            ),
        )
        .await;
    assert_eq!(
        (res.status, res.json()["action"].as_str()),
        (200, Some("deny"))
    );
    let res = fx
        .send(
            Who::TenantAdmin,
            raw(
                &fx,
                "PUT",
                "/api/v1/network-policies/other-name",
                "application/yaml",
                "application/json",
                &yaml,
            ),
        )
        .await;
    assert_eq!(
        (
            res.status,
            res.json()["error"]["errors"][0]["line"].as_i64()
        ),
        (422, Some(3))
    );
    // acme writing a policy named like globex's creates acme's own; globex's is untouched.
    let res = fx
        .send(
            Who::TenantAdmin,
            raw(
                &fx,
                "PUT",
                "/api/v1/network-policies/globex-policy",
                "application/yaml",
                "application/json",
                &policy_yaml("globex-policy", &p0, "svc"),
            ),
        )
        .await;
    assert_eq!(res.status, 200);
    let globex_scope = {
        let root = domain::directory::user_by_email(&fx.db, support::ADMIN_EMAIL)
            .await
            .unwrap()
            .unwrap();
        let root = domain::directory::principal_for_user(&fx.db, root.id)
            .await
            .unwrap();
        domain::scope::authorize(&fx.db, &root, domain::scope::TenantRef::Name("globex"))
            .await
            .unwrap()
    };
    let theirs = domain::network::get_policy(&fx.db, &globex_scope, "globex-policy")
        .await
        .unwrap();
    assert_ne!(
        theirs.policy.tenant_id, p0,
        "globex's policy kept its own destination"
    );

    // Viewers read but do not write; delete is 204 then 404.
    let res = fx
        .send(
            Who::Viewer,
            api(
                "GET",
                "/api/v1/network-policies?q=allow",
                Some(fx.tenant_id("acme")),
                None,
            ),
        )
        .await;
    assert_eq!(res.json()["items"].as_array().map(Vec::len), Some(1));
    let del = || {
        api(
            "DELETE",
            "/api/v1/network-policies/allow-yaml",
            Some(fx.tenant_id("acme")),
            None,
        )
    };
    assert_eq!(fx.send(Who::Viewer, del()).await.status, 403);
    assert_eq!(fx.send(Who::TenantAdmin, del()).await.status, 204);
    assert_eq!(fx.send(Who::TenantAdmin, del()).await.status, 404);
    fx.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_check_answers_with_its_reason() {
    let fx = Fx::new().await;
    let p0 = fx.tenant_id("provider_0");
    let ask = |label: &str, tenant: &str, service: &str| {
        api(
            "POST",
            "/api/v1/connectivity-check",
            Some(fx.tenant_id("acme")),
            Some(format!(
                r#"{{"workspace_label":"{label}","tenant_id":"{tenant}","service_name":"{service}"}}"#
            )),
        )
    };
    // The fixture's acme-policy allows label `ide` to provider_0's `svc`.
    let res = fx.send(Who::Viewer, ask("ide", &p0, "svc")).await;
    let body = res.json();
    assert_eq!(
        (body["allowed"].as_bool(), body["reason"].as_str()),
        (Some(true), Some("allowed_by_policy")),
        "{body}"
    );
    assert!(body["policy"].is_string());
    let res = fx.send(Who::Viewer, ask("web", &p0, "svc")).await;
    assert_eq!(res.json()["reason"], "no_policy");
    let res = fx.send(Who::Viewer, ask("ide", &p0, "nope")).await;
    assert_eq!(res.json()["reason"], "unknown_service");
    // globex is not connected to acme: no connection, and nothing about its services.
    let res = fx
        .send(
            Who::Viewer,
            ask("ide", &fx.tenant_id("globex"), "globex-api"),
        )
        .await;
    assert_eq!(res.json()["reason"], "no_connection");
    let res = fx.send(Who::Viewer, ask("", &p0, "svc")).await;
    assert_eq!(res.status, 422);
    fx.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traffic_comes_from_data_planes_and_is_read_per_connection() {
    let fx = Fx::new().await;
    let (token, _) = domain::traffic::issue_token(&fx.db, "dp-test", 3_600_000)
        .await
        .unwrap();
    let connection = fx.globex_connection.clone();
    let now = domain::now_ms();
    let post = |auth: &str, body: String| {
        Req::Raw(
            Request::post("/api/v1/traffic")
                .header(header::AUTHORIZATION, format!("Bearer {auth}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .unwrap(),
        )
    };
    let ok = format!(
        r#"[{{"connection_id":"{connection}","bytes":2048,"flows":3,"at":{now}}},{{"connection_id":"{connection}","bytes":1000,"flows":1,"at":{now}}}]"#
    );
    let res = fx.send(Who::Anonymous, post(&token, ok.clone())).await;
    assert_eq!(
        (res.status, res.json()["accepted"].as_i64()),
        (202, Some(2)),
        "{}",
        res.body
    );
    // A console token is not a data plane's; an unknown ndp_ token is not authenticated.
    assert_eq!(
        fx.send(
            Who::Anonymous,
            post(&fx.token(Who::TenantAdmin), ok.clone())
        )
        .await
        .status,
        403
    );
    assert_eq!(
        fx.send(Who::Anonymous, post("ndp_unknown", ok))
            .await
            .status,
        401
    );
    // A bad record refuses the batch.
    let res = fx
        .send(
            Who::Anonymous,
            post(
                &token,
                format!(r#"[{{"connection_id":"{connection}","bytes":-1,"flows":0,"at":{now}}}]"#),
            ),
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Record 1"));

    // The consuming side (globex) reads it; acme cannot see globex's connection.
    let res = fx
        .send(
            Who::Anonymous,
            Req::Raw(
                Request::get(format!("/api/v1/connections/{connection}/traffic?days=7"))
                    .header(
                        header::AUTHORIZATION,
                        format!("Bearer {}", fx.token(Who::GlobalAdmin)),
                    )
                    .header("ActiveProjectID", fx.tenant_id("globex"))
                    .body(Body::empty())
                    .unwrap(),
            ),
        )
        .await;
    let body = res.json();
    assert_eq!(res.status, 200, "{body}");
    assert_eq!(body["days"].as_array().map(Vec::len), Some(7));
    assert_eq!(
        (body["total_bytes"].as_i64(), body["total_flows"].as_i64()),
        (Some(3048), Some(4))
    );
    assert_eq!(body["days"][6]["date"], app::fmt_date(now));
    let res = fx
        .send(
            Who::TenantAdmin,
            api(
                "GET",
                &format!("/api/v1/connections/{connection}/traffic"),
                Some(fx.tenant_id("acme")),
                None,
            ),
        )
        .await;
    assert_eq!(res.status, 404);

    // The global admins' map shows the connection once, provider first, with its traffic.
    let res = fx
        .send(
            Who::GlobalAdmin,
            Req::sfn("connection_map", &[("tenant", "admin"), ("q", "initech")]),
        )
        .await;
    let items = res.json()["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{}", res.body);
    assert_eq!(
        (
            items[0]["provider_name"].as_str(),
            items[0]["consumer_name"].as_str(),
            items[0]["bytes"].as_i64()
        ),
        (Some("initech"), Some("globex"), Some(3048))
    );
    fx.finish().await;
}

/// IAM policies over REST (seed 001): text/plain in and out, 422 with line and column,
/// versions, a stale PUT answered 409 with the diff, restore, and the simulator's
/// contract across two tenants.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iam_policies_versions_conflicts_and_the_simulator() {
    let fx = Fx::new().await;
    let acme_id = fx.tenant_id("acme");
    let globex_id = fx.tenant_id("globex");
    let text = |method: &str, path: &str, body: &str| {
        raw(&fx, method, path, "text/plain", "application/json", body)
    };
    // A broken document: every error with its line and column, nothing stored.
    let res = fx
        .send(
            Who::TenantAdmin,
            text(
                "POST",
                "/api/v1/iam-policies?name=cross-access",
                "Allow group A to\n  fly clusters\nEndorse group B to read vcns",
            ),
        )
        .await;
    assert_eq!(res.status, 422, "{}", res.body);
    let err = &res.json()["error"];
    assert_eq!(err["code"], "invalid_policy");
    assert_eq!(err["errors"][0]["line"], 2);
    assert_eq!(err["errors"][0]["column"], 3);
    assert_eq!(err["errors"][1]["line"], 3);
    // The seed's source side, as text.
    let endorse = format!(
        "Define tenancy DestinationTenancy as {globex_id}\nEndorse group OKE-Admins to manage cluster-family in tenancy DestinationTenancy\n"
    );
    let res = fx
        .send(
            Who::TenantAdmin,
            text(
                "POST",
                "/api/v1/iam-policies?name=cross-access&comment=first",
                &endorse,
            ),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.body);
    assert_eq!(res.json()["version"], 1);
    // Read back as text, with the version as ETag.
    let res = fx
        .send(
            Who::TenantAdmin,
            raw(
                &fx,
                "GET",
                "/api/v1/iam-policies/cross-access",
                "text/plain",
                "text/plain",
                "",
            ),
        )
        .await;
    assert_eq!((res.status, res.body.as_str()), (200, endorse.as_str()));
    assert_eq!(res.headers[header::ETAG], "\"1\"");
    // Version 2 on top of 1; then a PUT still on top of 1 is stale: 409 with the diff.
    let v2 = format!("{endorse}Endorse group OKE-Admins to inspect compartments in any-tenancy\n");
    let res = fx
        .send(
            Who::TenantAdmin,
            text("PUT", "/api/v1/iam-policies/cross-access?version=1", &v2),
        )
        .await;
    assert_eq!(
        (res.status, res.json()["version"].as_i64()),
        (200, Some(2)),
        "{}",
        res.body
    );
    let res = fx
        .send(
            Who::TenantAdmin,
            text(
                "PUT",
                "/api/v1/iam-policies/cross-access?version=1",
                "Allow group Ops to read clusters\n",
            ),
        )
        .await;
    assert_eq!(res.status, 409, "{}", res.body);
    let err = &res.json()["error"];
    assert_eq!(
        (err["code"].as_str(), err["latest_version"].as_i64()),
        (Some("version_conflict"), Some(2))
    );
    let diff: Vec<String> = serde_json::from_value(err["diff"].clone()).unwrap();
    assert!(
        diff.contains(&"-Allow group Ops to read clusters".to_string()),
        "{diff:?}"
    );
    assert!(
        diff.iter()
            .any(|l| l.starts_with("+Endorse group OKE-Admins to inspect compartments")),
        "{diff:?}"
    );
    // Versions, newest first; restore version 1 as version 3.
    let res = fx
        .send(
            Who::TenantAdmin,
            api_as(
                &fx,
                "GET",
                "/api/v1/iam-policies/cross-access/versions",
                None,
            ),
        )
        .await;
    let versions: Vec<i64> = res.json()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, vec![2, 1]);
    let res = fx
        .send(
            Who::TenantAdmin,
            api_as(
                &fx,
                "POST",
                "/api/v1/iam-policies/cross-access/versions/1/restore",
                None,
            ),
        )
        .await;
    assert_eq!(
        (
            res.status,
            res.json()["version"].as_i64(),
            res.json()["text"].as_str()
        ),
        (200, Some(3), Some(endorse.as_str()))
    );

    // The simulator: only the Endorse exists, so no Admit in globex.
    let ask = serde_json::json!({
        "principal": { "tenant_id": acme_id, "groups": ["OKE-Admins"] },
        "verb": "manage", "resource_type": "clusters", "target_tenant_id": globex_id,
    })
    .to_string();
    let res = fx
        .send(
            Who::TenantAdmin,
            api_as(&fx, "POST", "/api/v1/iam/simulate", Some(ask.clone())),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let sim = res.json();
    assert_eq!(
        (sim["allowed"].as_bool(), sim["reason"].as_str()),
        (Some(false), Some("no_admit"))
    );
    assert_eq!(sim["statements"][0]["policy"], "cross-access");
    assert_eq!(sim["statements"][0]["line"], 2);
    assert_eq!(sim["statements"][0]["kind"], "endorse");
    assert_eq!(sim["statements"][0]["tenant_id"], acme_id.as_str());
    // globex admits acme's OKE-Admins (as globex's own admin would, in the domain).
    let root = fx.global_admin_scope("globex").await;
    domain::iam::save_policy(
        &fx.db,
        &root,
        domain::iam::Save {
            name: "admit-oke",
            text: &format!("Define tenancy SourceTenancy as {acme_id}\nAdmit group OKE-Admins of tenancy SourceTenancy to manage cluster-family in tenancy\n"),
            description: None,
            comment: "",
            base: domain::iam::Base::New,
        },
    )
    .await
    .unwrap();
    let res = fx
        .send(
            Who::TenantAdmin,
            api_as(&fx, "POST", "/api/v1/iam/simulate", Some(ask)),
        )
        .await;
    let sim = res.json();
    assert_eq!(
        (sim["allowed"].as_bool(), sim["reason"].as_str()),
        (Some(true), Some("allowed")),
        "{sim}"
    );
    // acme's admin is no member of globex: the Admit is counted, not shown.
    let admit = sim["statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "admit")
        .unwrap()
        .clone();
    assert_eq!(
        (
            admit["tenant_id"].as_str(),
            admit["policy"].is_null(),
            admit["line"].is_null()
        ),
        (Some(globex_id.as_str()), true, true)
    );
    assert!(sim["explanation"]
        .as_str()
        .unwrap()
        .contains("a matching Admit exists in globex"));
}

/// A JSON call to the API as acme's tenant admin.
fn api_as(fx: &Fx, method: &str, path: &str, body: Option<String>) -> Req {
    Req::api(
        method,
        path,
        Who::TenantAdmin,
        Some(fx.tenant_id("acme")),
        body,
    )
}

/// A viewer opening "new policy" gets no editor (it could not be saved); an admin does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_get_no_editor_for_a_new_policy() {
    let fx = Fx::new().await;
    for (f, form) in [
        (
            "network_policy",
            vec![("tenant", "acme"), ("name", ""), ("draft_for", "")],
        ),
        ("iam_policy", vec![("tenant", "acme"), ("name", "")]),
    ] {
        let res = fx.send(Who::Viewer, Req::sfn(f, &form)).await;
        assert!(
            res.body.contains("Forbidden"),
            "{f}: {} {}",
            res.status,
            res.body
        );
        let res = fx.send(Who::TenantAdmin, Req::sfn(f, &form)).await;
        assert_eq!(res.status, 200, "{f}: {}", res.body);
    }
}
