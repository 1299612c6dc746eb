//! A running console for integration tests: the real router over a fresh SQLite file,
//! with tenants `acme` and `globex`, a tenant admin and a viewer of acme (each with a
//! real session in the session store and a real API token), and a member of globex.

#![allow(dead_code)]

pub mod idp;

use axum::body::Body;
use axum::http::{header, Request};
use domain::directory;
use domain::scope::{authorize, TenantRef};
use domain::{members, Db, Role};
use http_body_util::BodyExt;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use tower::ServiceExt;
use tower_sessions::session::{Id, Record};
use tower_sessions::SessionStore;

pub const ADMIN_EMAIL: &str = "admin@localhost";
pub const ADMIN_PASSWORD: &str = "integration-test-password";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Who {
    GlobalAdmin,
    TenantAdmin,
    Viewer,
    Anonymous,
    /// A viewer of acme in acme's group `netops`, which acme's statements let manage
    /// network-family (after [`Fx::add_iam_principals`]).
    NetOps,
    /// A viewer of globex in globex's group `partners`, admitted into acme by globex's
    /// Endorse and acme's Admit (after [`Fx::add_iam_principals`]).
    Partner,
    /// The tenant admin of globex (`bob`): the other tenant's admin, against acme.
    OtherAdmin,
}

pub enum Req {
    Sfn {
        name: String,
        form: Vec<(String, String)>,
    },
    Api {
        method: String,
        path: String,
        project: Option<String>,
        body: Option<String>,
    },
    Raw(Request<Body>),
}

impl Req {
    pub fn sfn(name: &str, form: &[(&str, &str)]) -> Req {
        Req::Sfn {
            name: name.into(),
            form: form
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }
    pub fn api(
        method: &str,
        path: &str,
        _who: Who,
        project: Option<String>,
        body: Option<String>,
    ) -> Req {
        Req::Api {
            method: method.into(),
            path: path.into(),
            project,
            body,
        }
    }
}

impl Req {
    /// Everything the call names (path, form, tenant header, body), for checking which
    /// tenants' objects it refers to.
    pub fn describe(&self) -> String {
        match self {
            Req::Sfn { name, form } => format!("/fn/{name} {form:?}"),
            Req::Api {
                method,
                path,
                project,
                body,
            } => format!("{method} {path} {project:?} {body:?}"),
            Req::Raw(r) => format!("{} {}", r.method(), r.uri()),
        }
    }
}

pub struct Res {
    pub status: u16,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Res {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

pub struct Fx {
    pub router: axum::Router,
    pub db: Db,
    dir: std::path::PathBuf,
    tenants: HashMap<String, String>,
    /// Each caller's session cookie, kept like a browser's cookie jar: a response that
    /// moves the session to a new id (after a change of the caller's roles) updates it.
    cookies: std::sync::Mutex<HashMap<&'static str, String>>,
    tokens: HashMap<&'static str, String>,
    pub globex_member: String,
    /// A connection between globex and initech, and a pending secret of globex: acme
    /// must never see either.
    pub globex_connection: String,
    pub globex_secret: String,
    spare_members: Vec<String>,
    /// Pools for calls that consume what they touch.
    acme_connections: Vec<String>,
    acme_secrets: Vec<String>,
    fresh_secrets: Vec<String>,
    /// NCS objects: globex's (acme must never reach them) and pools of acme's to delete.
    pub globex_workspace: String,
    pub globex_service: String,
    pub globex_policy: String,
    /// A policy of acme that tests read and rewrite, never delete.
    pub acme_policy: String,
    acme_workspaces: Vec<String>,
    acme_services: Vec<String>,
    acme_policies: Vec<String>,
    /// IAM policies: globex's, acme's to read and rewrite, and acme's with two versions.
    pub globex_iam: String,
    pub acme_iam: String,
    acme_iam_pool: Vec<String>,
    /// Clouds and their objects (seed 002).
    pub clouds: CloudFx,
    /// IAM groups of acme to delete or to remove [`Fx::grouped`] from (each call a
    /// different one).
    acme_group_pool: Vec<String>,
    /// A viewer of acme in every group of acme.
    pub grouped: String,
    /// An open alert of each tenant.
    pub acme_alert: String,
    pub globex_alert: String,
    next_group: AtomicUsize,
    next_iam: AtomicUsize,
    next_ncs: [AtomicUsize; 3],
    next_name: AtomicUsize,
    next_pool: [AtomicUsize; 3],
    next_member: AtomicUsize,
    next_email: AtomicUsize,
}

/// The two texts of the fixture's IAM policies.
pub const IAM_V1: &str = "Allow group Ops to read clusters in tenancy\n";
pub const IAM_V2: &str = "Allow group Ops to manage clusters in tenancy\n";

async fn iam_policy(db: &Db, scope: &domain::TenantScope, name: &str, text: &str) -> String {
    domain::iam::save_policy(
        db,
        scope,
        domain::iam::Save {
            name,
            text,
            description: None,
            comment: "",
            base: domain::iam::Base::New,
        },
    )
    .await
    .unwrap()
    .name
}

/// A real session in the real store (as a login leaves it), and an API token, for a
/// user: (cookie, token).
async fn session_for(db: &Db, db_url: &str, user: &domain::User) -> (String, String) {
    let pool = sqlx::SqlitePool::connect(db_url).await.unwrap();
    let store = tower_sessions_sqlx_store::SqliteStore::new(pool);
    let mut data = HashMap::new();
    data.insert(
        app::ssr::keys::USER_ID.to_string(),
        serde_json::json!(user.id.to_string()),
    );
    data.insert(
        app::ssr::keys::LOGIN_AT.to_string(),
        serde_json::json!(domain::now_ms()),
    );
    let mut record = Record {
        id: Id::default(),
        data,
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    };
    store.create(&mut record).await.unwrap();
    let (_, token, _) = domain::tokens::issue_for_email(db, &user.email, 3_600_000)
        .await
        .unwrap();
    (format!("tenantry_session={}", record.id), token)
}

/// An NCSPolicy allowing label `ide` to reach `service` of `tenant`.
pub fn policy_yaml(name: &str, tenant: &str, service: &str) -> String {
    format!(
        "kind: NCSPolicy\nmetadata:\n  name: {name}\nspec:\n  source:\n    workspaceLabel: ide\n  destination:\n    tenantID: \"{tenant}\"\n    serviceName: {service}\n  action: allow\n"
    )
}

fn form_encode(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                app::components::encode(k),
                app::components::encode(v)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

impl Fx {
    pub async fn new() -> Fx {
        Fx::with_providers(vec![]).await
    }

    /// The same fixture with OpenID Providers configured (bearer JWT tests).
    pub async fn with_providers(providers: Vec<server::config::OidcProviderConfig>) -> Fx {
        Fx::with(providers, "http://127.0.0.1:3000").await
    }

    /// The fixture with providers and a public URL of its own.
    pub async fn with(providers: Vec<server::config::OidcProviderConfig>, public_url: &str) -> Fx {
        let dir = std::env::temp_dir().join(format!("tenantry-it-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let db_url = format!("sqlite://{}/it.db?mode=rwc", dir.display());
        let config = server::config::Config {
            database_url: db_url.clone(),
            migration_database_url: None,
            public_url: public_url.into(),
            bootstrap_admin_enabled: true,
            bootstrap_admin_email: ADMIN_EMAIL.into(),
            bootstrap_admin_password: Some(ADMIN_PASSWORD.into()),
            providers,
            cookie_secure: server::config::secure_by_default(public_url),
            session_idle_minutes: 60,
            session_absolute_hours: 24,
            dns_suffix: "aether.internal".into(),
            trusted_proxies: vec![],
            client_ip_header: "x-forwarded-for".into(),
            sealer: domain::crypto::Sealer::from_hex(&domain::crypto::Sealer::generate_hex())
                .unwrap(),
            replica_id: "test".into(),
            teardown_step_timeout_secs: 60,
            audit_retention_days: 365,
            log_retention_days: 90,
            teardown_faults: vec![],
            shutdown_grace_secs: 30,
        };
        let sealer = config.sealer.clone();
        let db = server::open_db(&config).await.unwrap();
        server::bootstrap(&db, &config).await.unwrap();
        let options = leptos::config::LeptosOptions::builder()
            .output_name("tenantry")
            .site_root("target/site")
            .build();
        let router = server::build(config, options, db.clone()).await.unwrap();

        let root_user = directory::user_by_email(&db, ADMIN_EMAIL)
            .await
            .unwrap()
            .unwrap();
        let root = directory::principal_for_user(&db, root_user.id)
            .await
            .unwrap();
        let mut tenants = HashMap::new();
        for name in ["acme", "globex"] {
            let t = directory::create_tenant(
                &db,
                &root,
                domain::NewTenant {
                    name: name.into(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            tenants.insert(name.to_string(), t.id.to_string());
        }
        tenants.insert("admin".into(), domain::ids::SYSTEM_TENANT_ID.to_string());
        let acme = authorize(&db, &root, TenantRef::Name("acme"))
            .await
            .unwrap();
        let globex = authorize(&db, &root, TenantRef::Name("globex"))
            .await
            .unwrap();
        let mut users = HashMap::new();
        for (who, sub, role) in [
            (Who::TenantAdmin, "alice", Role::TenantAdmin),
            (Who::Viewer, "victor", Role::Viewer),
        ] {
            let u = directory::upsert_oidc_user(
                &db,
                "http://idp.test",
                sub,
                &format!("{sub}@example.test"),
                true,
                sub,
            )
            .await
            .unwrap();
            members::add(&db, &acme, &u.email, role).await.unwrap();
            users.insert(who, u);
        }
        users.insert(Who::GlobalAdmin, root_user);
        let bob = directory::upsert_oidc_user(
            &db,
            "http://idp.test",
            "bob",
            "bob@example.test",
            true,
            "bob",
        )
        .await
        .unwrap();
        members::add(&db, &globex, &bob.email, Role::TenantAdmin)
            .await
            .unwrap();
        let mut spare_members = Vec::new();
        for i in 0..12 {
            let m = members::add(&db, &acme, &format!("spare{i}@example.test"), Role::Viewer)
                .await
                .unwrap();
            spare_members.push(m.user_id.to_string());
        }

        // Cross-tenant connections: initech provides to globex; acme consumes from four
        // providers; four more providers have issued secrets nobody has redeemed yet.
        use domain::connections;
        let initech = directory::create_tenant(
            &db,
            &root,
            domain::NewTenant {
                name: "initech".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let initech = authorize(&db, &root, TenantRef::Id(initech.id))
            .await
            .unwrap();
        let s = connections::create_secret(&db, &initech, None, "")
            .await
            .unwrap();
        let globex_connection = connections::redeem(&db, &globex, &s.secret, "fixture")
            .await
            .unwrap()
            .id;
        let globex_secret = connections::create_secret(&db, &globex, None, "")
            .await
            .unwrap()
            .info
            .id;
        let (mut acme_connections, mut fresh_secrets, mut acme_secrets) =
            (Vec::new(), Vec::new(), Vec::new());
        // globex consumes initech's `initech-api` and allows its `web` workspaces to it.
        use domain::network;
        network::create_service(&db, &initech, "initech-api", 443, "https")
            .await
            .unwrap();
        let globex_workspace =
            network::create_workspace(&db, &globex, "globex-ws", vec!["web".into()])
                .await
                .unwrap()
                .id;
        let globex_service = network::create_service(&db, &globex, "globex-api", 80, "http")
            .await
            .unwrap()
            .id;
        let globex_policy = network::save_policy(
            &db,
            &globex,
            &policy_yaml(
                "globex-policy",
                &initech.tenant_id().to_string(),
                "initech-api",
            ),
            network::SaveMode::Create,
            None,
        )
        .await
        .unwrap()
        .policy
        .name;
        for i in 0..8 {
            let t = directory::create_tenant(
                &db,
                &root,
                domain::NewTenant {
                    name: format!("provider_{i}"),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
            let p = authorize(&db, &root, TenantRef::Id(t.id)).await.unwrap();
            tenants.insert(format!("provider_{i}"), t.id.to_string());
            network::create_service(&db, &p, "svc", 8080, "http")
                .await
                .unwrap();
            let secret = connections::create_secret(&db, &p, None, "")
                .await
                .unwrap()
                .secret;
            if i < 4 {
                let id = connections::redeem(&db, &acme, &secret, "fixture")
                    .await
                    .unwrap()
                    .id;
                // provider_0's connection is never revoked: acme's policies point there.
                if i > 0 {
                    acme_connections.push(id);
                }
            } else {
                fresh_secrets.push(secret);
            }
            acme_secrets.push(
                connections::create_secret(&db, &acme, None, "")
                    .await
                    .unwrap()
                    .info
                    .id,
            );
        }

        let provider0 = tenants["provider_0"].clone();
        let acme_policy = network::save_policy(
            &db,
            &acme,
            &policy_yaml("acme-policy", &provider0, "svc"),
            network::SaveMode::Create,
            None,
        )
        .await
        .unwrap()
        .policy
        .name;
        let (mut acme_workspaces, mut acme_services, mut acme_policies) =
            (Vec::new(), Vec::new(), Vec::new());
        for i in 0..4 {
            acme_workspaces.push(
                network::create_workspace(&db, &acme, &format!("pool-ws-{i}"), vec!["ide".into()])
                    .await
                    .unwrap()
                    .id,
            );
            acme_services.push(
                network::create_service(&db, &acme, &format!("pool-svc-{i}"), 8000 + i, "tcp")
                    .await
                    .unwrap()
                    .id,
            );
            acme_policies.push(
                network::save_policy(
                    &db,
                    &acme,
                    &policy_yaml(&format!("pool-{i}"), &provider0, "svc"),
                    network::SaveMode::Create,
                    None,
                )
                .await
                .unwrap()
                .policy
                .name,
            );
        }

        // IAM policies: globex's (acme must never see it), one of acme's that tests read
        // and rewrite, and a pool of acme's with two versions each, to restore or delete.
        let globex_iam = iam_policy(&db, &globex, "globex-iam", IAM_V1).await;
        let acme_iam = iam_policy(&db, &acme, "acme-iam", IAM_V1).await;
        let mut acme_iam_pool = Vec::new();
        for i in 0..10 {
            let name = iam_policy(&db, &acme, &format!("iam-pool-{i}"), IAM_V1).await;
            domain::iam::save_policy(
                &db,
                &acme,
                domain::iam::Save {
                    name: &name,
                    text: IAM_V2,
                    description: None,
                    comment: "second",
                    base: domain::iam::Base::Version(1),
                },
            )
            .await
            .unwrap();
            acme_iam_pool.push(name);
        }

        let clouds = CloudFx::new(&db, &sealer, &acme, &globex, &users[&Who::TenantAdmin]).await;

        // IAM groups: globex's (acme must never reach it), one of acme's with a member,
        // and a pool of acme's to delete.
        domain::iam::create_group(&db, &globex, "globex-ops", "")
            .await
            .unwrap();
        domain::iam::add_group_member(&db, &globex, "globex-ops", &bob.email)
            .await
            .unwrap();
        let grouped = members::add(&db, &acme, "grouped@example.test", Role::Viewer)
            .await
            .unwrap()
            .user_id
            .to_string();
        domain::iam::create_group(&db, &acme, "ops", "")
            .await
            .unwrap();
        domain::iam::add_group_member(&db, &acme, "ops", "grouped@example.test")
            .await
            .unwrap();
        let mut acme_group_pool = Vec::new();
        for i in 0..6 {
            let name = format!("pool-group-{i}");
            domain::iam::create_group(&db, &acme, &name, "")
                .await
                .unwrap();
            domain::iam::add_group_member(&db, &acme, &name, "grouped@example.test")
                .await
                .unwrap();
            acme_group_pool.push(name);
        }

        // An alert in each tenant, as the controller raises them (the matrix needs one
        // whose cause it does not have to stage).
        let mut alert_ids = Vec::new();
        for tenant in ["acme", "globex"] {
            let id = uuid::Uuid::new_v4().to_string();
            domain::db::raw_execute(
                &db,
                &format!(
                    "INSERT INTO alerts (tenant_id, id, kind, severity, message, dedup, created_at) \
                     VALUES ('{}', '{id}', 'fixture', 'info', 'An alert of {tenant}.', 'fixture:{id}', 1)",
                    tenants[tenant]
                ),
            )
            .await
            .unwrap();
            alert_ids.push(id);
        }
        let globex_alert = alert_ids.pop().unwrap();
        let acme_alert = alert_ids.pop().unwrap();

        // Real sessions in the real store, as a login would leave them.
        let mut cookies = HashMap::new();
        let mut tokens = HashMap::new();
        for (who, key) in [
            (Who::GlobalAdmin, "ga"),
            (Who::TenantAdmin, "ta"),
            (Who::Viewer, "v"),
        ] {
            let (cookie, token) = session_for(&db, &db_url, &users[&who]).await;
            cookies.insert(key, cookie);
            tokens.insert(key, token);
        }
        let (cookie, token) = session_for(&db, &db_url, &bob).await;
        cookies.insert("tb", cookie);
        tokens.insert("tb", token);
        Fx {
            router,
            db,
            dir,
            tenants,
            cookies: std::sync::Mutex::new(cookies),
            tokens,
            globex_member: bob.id.to_string(),
            globex_connection,
            globex_secret,
            spare_members,
            acme_connections,
            acme_secrets,
            fresh_secrets,
            globex_workspace,
            globex_service,
            globex_policy,
            acme_policy,
            acme_workspaces,
            acme_services,
            acme_policies,
            globex_iam,
            acme_alert,
            globex_alert,
            acme_iam,
            acme_iam_pool,
            acme_group_pool,
            grouped,
            next_group: AtomicUsize::new(0),
            clouds,
            next_iam: AtomicUsize::new(0),
            next_ncs: Default::default(),
            next_name: AtomicUsize::new(0),
            next_pool: Default::default(),
            next_member: AtomicUsize::new(0),
            next_email: AtomicUsize::new(0),
        }
    }

    /// The global admin acting in `tenant`, for setting up what a test needs there.
    pub async fn global_admin_scope(&self, tenant: &str) -> domain::TenantScope {
        let user = directory::user_by_email(&self.db, ADMIN_EMAIL)
            .await
            .unwrap()
            .unwrap();
        let root = directory::principal_for_user(&self.db, user.id)
            .await
            .unwrap();
        authorize(&self.db, &root, TenantRef::Name(tenant))
            .await
            .unwrap()
    }

    /// The SQLite file behind the fixture (sessions and data alike).
    pub fn db_file(&self) -> std::path::PathBuf {
        self.dir.join("it.db")
    }

    pub fn tenant_id(&self, name: &str) -> String {
        self.tenants[name].clone()
    }

    pub fn fresh_email(&self) -> String {
        format!(
            "new{}@example.test",
            self.next_email.fetch_add(1, Ordering::SeqCst)
        )
    }

    /// A distinct existing viewer of acme, for calls that change or remove one.
    pub fn fresh_member(&self, _tenant: &str) -> String {
        let i = self.next_member.fetch_add(1, Ordering::SeqCst);
        self.spare_members[i % self.spare_members.len()].clone()
    }

    fn pick(&self, which: usize, pool: &[String]) -> String {
        pool[self.next_pool[which].fetch_add(1, Ordering::SeqCst) % pool.len()].clone()
    }
    /// An active connection of acme (each call a different one, while they last).
    pub fn acme_connection(&self) -> String {
        self.pick(0, &self.acme_connections)
    }
    /// A pending secret issued by acme.
    pub fn acme_secret(&self) -> String {
        self.pick(1, &self.acme_secrets)
    }
    /// A secret from another provider that acme may redeem.
    pub fn fresh_secret(&self) -> String {
        self.pick(2, &self.fresh_secrets)
    }

    /// A name no earlier call used (`<prefix>-<n>`).
    pub fn fresh_name(&self, prefix: &str) -> String {
        format!("{prefix}-{}", self.next_name.fetch_add(1, Ordering::SeqCst))
    }
    /// A workspace, service or policy of acme to delete (each call a different one).
    pub fn acme_workspace(&self) -> String {
        let i = self.next_ncs[0].fetch_add(1, Ordering::SeqCst);
        self.acme_workspaces[i % self.acme_workspaces.len()].clone()
    }
    pub fn acme_service(&self) -> String {
        let i = self.next_ncs[1].fetch_add(1, Ordering::SeqCst);
        self.acme_services[i % self.acme_services.len()].clone()
    }
    pub fn acme_pool_policy(&self) -> String {
        let i = self.next_ncs[2].fetch_add(1, Ordering::SeqCst);
        self.acme_policies[i % self.acme_policies.len()].clone()
    }
    /// An IAM policy of acme at version 2, whose version 1 can be restored (each call a
    /// different one, while they last).
    pub fn acme_iam_pool(&self) -> String {
        let i = self.next_iam.fetch_add(1, Ordering::SeqCst);
        self.acme_iam_pool[i % self.acme_iam_pool.len()].clone()
    }
    /// A group of acme with [`Fx::grouped`] in it (each call a different one, while they last).
    pub fn acme_pool_group(&self) -> String {
        let i = self.next_group.fetch_add(1, Ordering::SeqCst);
        self.acme_group_pool[i % self.acme_group_pool.len()].clone()
    }
    /// A valid policy for acme (toward provider_0's `svc`) named `name`.
    pub fn acme_policy_yaml(&self, name: &str) -> String {
        policy_yaml(name, &self.tenant_id("provider_0"), "svc")
    }

    /// The caller's session cookie (`name=value`), for hand-made browser requests.
    pub fn cookie(&self, who: Who) -> String {
        Fx::key(who)
            .map(|k| self.cookies.lock().unwrap()[k].clone())
            .unwrap_or_default()
    }

    fn key(who: Who) -> Option<&'static str> {
        match who {
            Who::GlobalAdmin => Some("ga"),
            Who::TenantAdmin => Some("ta"),
            Who::Viewer => Some("v"),
            Who::NetOps => Some("no"),
            Who::Partner => Some("pa"),
            Who::OtherAdmin => Some("tb"),
            Who::Anonymous => None,
        }
    }

    pub fn token(&self, who: Who) -> String {
        Fx::key(who)
            .map(|k| self.tokens[k].clone())
            .unwrap_or_default()
    }

    pub async fn send(&self, who: Who, req: Req) -> Res {
        let request = self.request(who, req);
        self.send_request(who, request).await
    }

    /// The same call from a page on another site: the browser sends the caller's
    /// credentials along, and says where the request comes from.
    pub async fn send_cross_site(&self, who: Who, req: Req) -> Res {
        let mut request = self.request(who, req);
        let h = request.headers_mut();
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        h.insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        self.send_request(who, request).await
    }

    /// The HTTP request for `req`, with `who`'s session cookie or API token.
    pub fn request(&self, who: Who, req: Req) -> Request<Body> {
        match req {
            Req::Sfn { name, form } => {
                let mut b = Request::post(format!("/fn/{name}"))
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header(header::ACCEPT, "application/json");
                if Fx::key(who).is_some() {
                    b = b.header(header::COOKIE, self.cookie(who));
                }
                b.body(Body::from(form_encode(&form))).unwrap()
            }
            Req::Api {
                method,
                path,
                project,
                body,
            } => {
                let mut b = Request::builder().method(method.as_str()).uri(path);
                if let Some(k) = Fx::key(who) {
                    b = b.header(header::AUTHORIZATION, format!("Bearer {}", self.tokens[k]));
                }
                if let Some(p) = project {
                    b = b.header("ActiveProjectID", p);
                }
                match body {
                    Some(json) => b
                        .header(header::CONTENT_TYPE, "application/json")
                        .body(Body::from(json))
                        .unwrap(),
                    None => b.body(Body::empty()).unwrap(),
                }
            }
            Req::Raw(r) => r,
        }
    }

    async fn send_request(&self, who: Who, request: Request<Body>) -> Res {
        let res = self.router.clone().oneshot(request).await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        self.keep_session_cookie(who, &headers);
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        Res {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    pub async fn finish(self) {
        self.db.close().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Fx {
    /// The global admin's scope in `tenant`, for setting up what a test needs.
    pub async fn root_scope(&self, tenant: &str) -> domain::TenantScope {
        let root = directory::user_by_email(&self.db, ADMIN_EMAIL)
            .await
            .unwrap()
            .unwrap();
        let p = directory::principal_for_user(&self.db, root.id)
            .await
            .unwrap();
        authorize(&self.db, &p, TenantRef::Name(tenant))
            .await
            .unwrap()
    }

    /// Adds the principals whose access comes from statements: [`Who::NetOps`] and
    /// [`Who::Partner`] (admitted with `verb` on network-family).
    pub async fn add_iam_principals(&mut self, verb: &str) {
        let (acme, globex) = (
            self.root_scope("acme").await,
            self.root_scope("globex").await,
        );
        for (who, key, sub, scope, group) in [
            (Who::NetOps, "no", "nora", &acme, "netops"),
            (Who::Partner, "pa", "pat", &globex, "partners"),
        ] {
            let _ = who;
            let u = directory::upsert_oidc_user(
                &self.db,
                "http://idp.test",
                sub,
                &format!("{sub}@example.test"),
                true,
                sub,
            )
            .await
            .unwrap();
            members::add(&self.db, scope, &u.email, Role::Viewer)
                .await
                .unwrap();
            domain::iam::create_group(&self.db, scope, group, "")
                .await
                .unwrap();
            domain::iam::add_group_member(&self.db, scope, group, &u.email)
                .await
                .unwrap();
            let url = format!("sqlite://{}/it.db?mode=rwc", self.dir.display());
            let (cookie, token) = session_for(&self.db, &url, &u).await;
            self.cookies.lock().unwrap().insert(key, cookie);
            self.tokens.insert(key, token);
        }
        iam_policy(
            &self.db,
            &acme,
            "netops",
            "Allow group netops to manage network-family in tenancy\n",
        )
        .await;
        self.set_admission(verb).await;
    }

    /// Gives acme's group member (`nora`, of [`Fx::add_iam_principals`]) another role.
    pub async fn set_netops_role(&self, role: Role) {
        let acme = self.root_scope("acme").await;
        let nora = members::list(&self.db, &acme, "nora@", None, None)
            .await
            .unwrap();
        members::change_role(&self.db, &acme, nora.items[0].user_id, role)
            .await
            .unwrap();
    }

    /// Rewrites globex's Endorse and acme's Admit of `partners` with `verb`.
    pub async fn set_admission(&self, verb: &str) {
        let (acme, globex) = (
            self.root_scope("acme").await,
            self.root_scope("globex").await,
        );
        for (scope, name, text) in [
            (
                &globex,
                "endorse-acme",
                format!(
                    "Define tenancy Acme as {}\nEndorse group partners to {verb} network-family in tenancy Acme\n",
                    self.tenant_id("acme")
                ),
            ),
            (
                &acme,
                "admit-globex",
                format!(
                    "Define tenancy Globex as {}\nAdmit group partners of tenancy Globex to {verb} network-family in tenancy\n",
                    self.tenant_id("globex")
                ),
            ),
        ] {
            domain::iam::save_policy(
                &self.db,
                scope,
                domain::iam::Save {
                    name,
                    text: &text,
                    description: None,
                    comment: "",
                    base: domain::iam::Base::Any,
                },
            )
            .await
            .unwrap();
        }
    }

    /// Deletes acme's Admit: the partner's access ends at the next request.
    pub async fn delete_admit(&self) {
        let acme = self.root_scope("acme").await;
        domain::iam::delete_policy(&self.db, &acme, "admit-globex")
            .await
            .unwrap();
    }

    /// GETs a page with the caller's session cookie, as a browser would.
    pub async fn send_page(&self, who: Who, path: &str) -> Res {
        let res = self
            .send(Who::Anonymous, Req::Raw(self.page_request(who, path)))
            .await;
        self.keep_session_cookie(who, &res.headers);
        res
    }

    /// Follows a `Set-Cookie` of the session cookie with a value, as a browser does.
    fn keep_session_cookie(&self, who: Who, headers: &axum::http::HeaderMap) {
        let Some(k) = Fx::key(who) else { return };
        for value in headers.get_all(header::SET_COOKIE) {
            let Some(pair) = value.to_str().ok().and_then(|v| v.split(';').next()) else {
                continue;
            };
            if pair.starts_with("tenantry_session=") && pair.len() > "tenantry_session=".len() {
                self.cookies.lock().unwrap().insert(k, pair.to_string());
            }
        }
    }

    /// A browser's GET of a page, with `who`'s session.
    pub fn page_request(&self, who: Who, path: &str) -> Request<Body> {
        let mut b = Request::get(path).header(header::ACCEPT, "text/html");
        if Fx::key(who).is_some() {
            b = b.header(header::COOKIE, self.cookie(who));
        }
        b.body(Body::empty()).unwrap()
    }
}

/// Clouds for the isolation matrix: globex's (acme must never reach them), one of
/// acme's that tests read and add to, and pools of acme's to delete.
pub struct CloudFx {
    pub globex_cloud: String,
    pub globex_vrf: String,
    pub globex_group: String,
    pub globex_se: String,
    pub acme_cloud: String,
    /// An SE group of acme's cloud with room for every Service Engine a test adds.
    pub acme_group: String,
    pools: [Vec<String>; 5],
    next: [AtomicUsize; 5],
}

impl CloudFx {
    async fn new(
        db: &Db,
        sealer: &domain::crypto::Sealer,
        acme: &domain::TenantScope,
        globex: &domain::TenantScope,
        alice: &domain::User,
    ) -> CloudFx {
        use domain::clouds::{self, NewCloud, NewServiceEngine, SeGroupInput};
        let none = serde_json::json!({});
        let cloud = |scope: &domain::TenantScope, name: String| {
            let scope = scope.clone();
            let none = none.clone();
            async move {
                clouds::create_cloud(
                    db,
                    &scope,
                    sealer,
                    NewCloud {
                        name: &name,
                        cloud_type: "no-orchestrator",
                        config: &none,
                    },
                )
                .await
                .unwrap()
                .id
            }
        };
        let group = |scope: &domain::TenantScope, cloud: domain::ids::CloudId, name: String| {
            let scope = scope.clone();
            async move {
                clouds::create_se_group(
                    db,
                    &scope,
                    cloud,
                    SeGroupInput {
                        name: &name,
                        ha_mode: "shared",
                        max_ses: 1000,
                        description: "",
                    },
                )
                .await
                .unwrap()
                .id
            }
        };
        let g_cloud = cloud(globex, "globex-cloud".into()).await;
        let g_group = group(globex, g_cloud, "globex-group".into()).await;
        let g_vrf = clouds::create_vrf_context(db, globex, g_cloud, "globex-vrf", "")
            .await
            .unwrap()
            .id;
        let g_se = clouds::add_service_engine(
            db,
            globex,
            NewServiceEngine {
                name: "globex-se",
                mgmt_ip: "10.9.0.1",
                se_group_id: g_group,
            },
        )
        .await
        .unwrap()
        .id;
        let a_cloud = cloud(acme, "acme-cloud".into()).await;
        let a_group = group(acme, a_cloud, "acme-big".into()).await;
        let alice = directory::principal_for_user(db, alice.id).await.unwrap();
        let alice = authorize(db, &alice, TenantRef::Name("acme"))
            .await
            .unwrap();
        let mut pools: [Vec<String>; 5] = Default::default();
        for i in 0..4 {
            pools[0].push(cloud(acme, format!("pool-cloud-{i}")).await.to_string());
            pools[1].push(
                clouds::create_vrf_context(db, acme, a_cloud, &format!("pool-vrf-{i}"), "")
                    .await
                    .unwrap()
                    .id
                    .to_string(),
            );
            pools[2].push(
                group(acme, a_cloud, format!("pool-group-{i}"))
                    .await
                    .to_string(),
            );
            pools[3].push(
                clouds::add_service_engine(
                    db,
                    acme,
                    NewServiceEngine {
                        name: &format!("pool-se-{i}"),
                        mgmt_ip: &format!("10.1.0.{i}"),
                        se_group_id: a_group,
                    },
                )
                .await
                .unwrap()
                .id
                .to_string(),
            );
            // Wizard drafts belong to their author: alice, the tenant admin of the matrix.
            pools[4].push(
                clouds::save_draft(
                    db,
                    &alice,
                    sealer,
                    None,
                    NewCloud {
                        name: &format!("drafted-{i}"),
                        cloud_type: "no-orchestrator",
                        config: &none,
                    },
                )
                .await
                .unwrap()
                .to_string(),
            );
        }
        CloudFx {
            globex_cloud: g_cloud.to_string(),
            globex_vrf: g_vrf.to_string(),
            globex_group: g_group.to_string(),
            globex_se: g_se.to_string(),
            acme_cloud: a_cloud.to_string(),
            acme_group: a_group.to_string(),
            pools,
            next: Default::default(),
        }
    }

    fn pick(&self, i: usize) -> String {
        let n = self.next[i].fetch_add(1, Ordering::SeqCst);
        self.pools[i][n % self.pools[i].len()].clone()
    }
    /// A cloud of acme to delete (each call a different one, while they last).
    pub fn acme_pool_cloud(&self) -> String {
        self.pick(0)
    }
    /// A VRF context of acme added by hand, to delete or rename.
    pub fn acme_vrf(&self) -> String {
        self.pick(1)
    }
    /// An empty SE group of acme, to delete or change.
    pub fn acme_pool_group(&self) -> String {
        self.pick(2)
    }
    /// A Service Engine of acme, to remove.
    pub fn acme_se(&self) -> String {
        self.pick(3)
    }
    /// A wizard draft of alice's in acme, to create.
    pub fn acme_draft(&self) -> String {
        self.pick(4)
    }
}
