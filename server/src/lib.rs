//! The Tenantry server: configuration, the axum router (pages, server functions, login,
//! REST API), sessions in the database, the tenant controller, graceful shutdown.
//!
//! `build` assembles everything from a [`Config`] so that tests run the very router the
//! binary serves.

// Room for the Leptos view types of the pages this crate renders.
#![recursion_limit = "256"]

pub mod auth;
pub mod cli;
pub mod config;
pub mod forms;
pub mod rest;
pub mod security;
pub mod shutdown;
pub mod telemetry;

use app::ssr::UiContext;
use app::{shell, App};
use axum::extract::FromRef;
use axum::Router;
use config::Config;
use domain::Db;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::process::ExitCode;
use std::sync::Arc;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    pub oidc: Arc<auth::provider::Providers>,
    pub ui: UiContext,
    /// Counts API calls per tenant between flushes (see `telemetry`).
    pub meter: domain::telemetry::usage::Meter,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> Self {
        s.leptos_options.clone()
    }
}

/// Entry point of the binary: subcommands, or serve.
pub async fn run() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_sessions=warn")
    });
    // Logs go to stderr: stdout is for what a command prints (a token, a password),
    // which scripts capture.
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    match cli::dispatch().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// Opens the database named by the config (creating `./data` for the default SQLite
/// file) and applies migrations.
pub async fn open_db(config: &Config) -> Result<Db, String> {
    if let Some(path) = config.database_url.strip_prefix("sqlite://") {
        let file = path.split('?').next().unwrap_or("");
        if let Some(dir) = std::path::Path::new(file)
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
    }
    let db = Db::connect(&config.database_url, 10)
        .await
        .map_err(|e| format!("database: {e}"))?;
    match &config.migration_database_url {
        Some(owner_url) => migrate_as_owner(&db, owner_url).await?,
        None => db.migrate().await.map_err(|e| format!("{e}"))?,
    }
    db.refuse_a_role_above_the_wall()
        .await
        .map_err(|e| format!("{e}"))?;
    Ok(db)
}

/// Runs the migrations (the domain's and the session store's) as the tables' owner,
/// then lets the console's role use the tables it made.
async fn migrate_as_owner(db: &Db, owner_url: &str) -> Result<(), String> {
    let owner = Db::connect(owner_url, 3)
        .await
        .map_err(|e| format!("TENANTRY_MIGRATION_DATABASE_URL: {e}"))?;
    // One replica at a time: concurrent grants (and schema creation) fail in Postgres.
    let lock = owner
        .setup_lock()
        .await
        .map_err(|e| format!("TENANTRY_MIGRATION_DATABASE_URL: {e}"))?;
    owner.migrate().await.map_err(|e| format!("{e}"))?;
    if owner_url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(owner_url)
            .await
            .map_err(|e| format!("session store: {e}"))?;
        tower_sessions_sqlx_store::PostgresStore::new(pool.clone())
            .migrate()
            .await
            .map_err(|e| format!("session store: {e}"))?;
        pool.close().await;
    }
    let role = db.role().await.map_err(|e| format!("database: {e}"))?;
    owner
        .grant_tables_to(&role)
        .await
        .map_err(|e| format!("granting the tables to {role}: {e}"))?;
    lock.release().await.map_err(|e| format!("database: {e}"))?;
    owner.close().await;
    Ok(())
}

/// Ensures (or disables) the bootstrap admin, printing a generated password once.
pub async fn bootstrap(db: &Db, config: &Config) -> Result<(), String> {
    if !config.bootstrap_admin_enabled {
        domain::directory::disable_local_passwords(db)
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!("bootstrap admin disabled (TENANTRY_BOOTSTRAP_ADMIN=off)");
        return Ok(());
    }
    let outcome = domain::directory::ensure_bootstrap_admin(
        db,
        &config.bootstrap_admin_email,
        config.bootstrap_admin_password.as_deref(),
    )
    .await
    .map_err(|e| format!("bootstrap admin: {e}"))?;
    if let domain::directory::Bootstrap::CreatedWithGeneratedPassword(p) = outcome {
        // Printed once, at first start; only its argon2 hash is stored.
        println!(
            "\n  Bootstrap admin created.\n    email:    {}\n    password: {p}\n  This password is shown only now. Set TENANTRY_BOOTSTRAP_ADMIN_PASSWORD to choose your own.\n",
            config.bootstrap_admin_email
        );
    }
    Ok(())
}

/// Builds the complete router over an open database, with its own API meter written
/// every few seconds.
pub async fn build(
    config: Config,
    leptos_options: LeptosOptions,
    db: Db,
) -> Result<Router, String> {
    let meter = domain::telemetry::usage::Meter::new();
    telemetry::spawn_meter_flush(db.clone(), meter.clone());
    build_with_meter(config, leptos_options, db, meter).await
}

/// Builds the complete router, counting API calls in `meter` (whose owner writes it).
pub async fn build_with_meter(
    config: Config,
    leptos_options: LeptosOptions,
    db: Db,
    meter: domain::telemetry::usage::Meter,
) -> Result<Router, String> {
    let config = Arc::new(config);
    let providers = Arc::new(auth::provider::Providers::new(&config)?);
    let ui = UiContext {
        db: db.clone(),
        login: app::shell::api::LoginMethods {
            providers: providers.buttons(),
            local_login: config.bootstrap_admin_enabled,
        },
        absolute_timeout_ms: config.session_absolute_hours * 3_600_000,
        dns_suffix: config.dns_suffix.clone(),
        sealer: config.sealer.clone(),
        client_ip: app::ssr::ClientIpRule {
            header: config.client_ip_header.clone(),
            trusted: config.trusted_proxies.clone(),
        },
    };
    let state = AppState {
        leptos_options: leptos_options.clone(),
        db: db.clone(),
        config: config.clone(),
        oidc: providers,
        ui: ui.clone(),
        meter,
    };

    let routes = generate_route_list(App);
    // The bundle and the icon are served as files, never through Leptos's fallback: that
    // one makes its owner under whatever owner the thread last held, so a file request
    // could read (and a page then miss) another request's response options, the page's
    // CSP nonce among them. A page load fetches dozens of wasm chunks at once.
    let site_root = std::path::PathBuf::from(leptos_options.site_root.as_ref());
    let assets = Router::new()
        .nest_service(
            &format!("/{}", leptos_options.site_pkg_dir),
            tower_http::services::ServeDir::new(
                site_root.join(leptos_options.site_pkg_dir.as_ref()),
            ),
        )
        .route_service(
            "/favicon.svg",
            tower_http::services::ServeFile::new(site_root.join("favicon.svg")),
        );
    let ui_for_pages = ui.clone();
    let ui_for_fallback = ui.clone();
    let pages = Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            // Per request: the UI context, and a fresh memo of who the caller is.
            move || {
                provide_context(ui_for_pages.clone());
                provide_context(app::ssr::RequestMemo::default());
            },
            {
                let o = leptos_options.clone();
                move || shell(o.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(
            // The same per-request contexts as every page: a context a request does not
            // provide itself could otherwise be found under an owner another request
            // left behind on this thread.
            move || {
                provide_context(ui_for_fallback.clone());
                provide_context(app::ssr::RequestMemo::default());
            },
            shell,
        ));

    let router = Router::new()
        .merge(auth::oidc::routes())
        .nest("/api/v1", rest::router())
        .merge(assets)
        .merge(pages)
        .layer(axum::middleware::from_fn({
            let public_url: Arc<str> = config.public_url.clone().into();
            move |session: tower_sessions::Session,
                  req: axum::extract::Request,
                  next: axum::middleware::Next| {
                forms::plain_forms(public_url.clone(), session, req, next)
            }
        }))
        .layer(axum::middleware::from_fn({
            let refresh_ms = config.session_refresh_ms();
            move |session: tower_sessions::Session,
                  req: axum::extract::Request,
                  next: axum::middleware::Next| {
                auth::session::require_login_for_pages(refresh_ms, session, req, next)
            }
        }))
        .with_state(state.clone());

    let idle = time::Duration::minutes(config.session_idle_minutes);
    let router = if config.database_url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(&config.database_url)
            .await
            .map_err(|e| format!("session store: {e}"))?;
        let store = tower_sessions_sqlx_store::PostgresStore::new(pool);
        // With an owner's URL the owner made the table (see `migrate_as_owner`), and the
        // console's role may not create schemas.
        if config.migration_database_url.is_none() {
            store
                .migrate()
                .await
                .map_err(|e| format!("session store: {e}"))?;
        }
        auth::session::with_sessions(router, store, &config, idle)
    } else {
        // The store's own pool, whole from the start like the domain's (see
        // `sqlite_pool_fixed`): a page view reads its session on one of these.
        let pool = domain::db::sqlite_pool_fixed(sqlx::sqlite::SqlitePoolOptions::new(), 10)
            .connect(&config.database_url)
            .await
            .map_err(|e| format!("session store: {e}"))?;
        let store = tower_sessions_sqlx_store::SqliteStore::new(pool);
        store
            .migrate()
            .await
            .map_err(|e| format!("session store: {e}"))?;
        auth::session::with_sessions(router, store, &config, idle)
    };
    let origin = config.public_origin();
    Ok(router
        .layer(axum::middleware::from_fn(move |req, next| {
            security::refuse_cross_site(origin.clone(), req, next)
        }))
        .layer(axum::middleware::from_fn({
            let hsts = config.https();
            move |req, next| security::headers(hsts, req, next)
        }))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            security::panic_response,
        ))
        .layer(axum::middleware::from_fn(telemetry::request_id))
        .layer(axum::middleware::from_fn(shutdown::close_when_stopping)))
}

/// Runs the tenant controller until shutdown: a pass every second, which does
/// something only on the replica holding the lease.
pub fn spawn_controller(db: Db, ctl: domain::lifecycle::Controller) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            tick.tick().await;
            match domain::lifecycle::reconcile(&db, &ctl).await {
                Ok(pass) if pass.bootstrapped + pass.deleted + pass.stuck > 0 => tracing::info!(
                    replica = %ctl.replica,
                    bootstrapped = pass.bootstrapped,
                    deleted = pass.deleted,
                    stuck = pass.stuck,
                    "tenant controller pass"
                ),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "tenant controller pass failed"),
            }
        }
    });
}

/// Serves until Ctrl-C or SIGTERM, then lets requests in flight finish.
pub async fn serve(config: Config) -> Result<(), String> {
    let conf = leptos::config::get_configuration(None)
        .map_err(|e| format!("leptos configuration: {e}"))?;
    let leptos_options = conf.leptos_options;
    let addr = leptos_options.site_addr;
    let db = open_db(&config).await?;
    bootstrap(&db, &config).await?;
    spawn_controller(db.clone(), config.controller());
    let meter = domain::telemetry::usage::Meter::new();
    telemetry::spawn_meter_flush(db.clone(), meter.clone());
    let router =
        build_with_meter(config.clone(), leptos_options, db.clone(), meter.clone()).await?;
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!(
        "Tenantry listening on http://{addr} (public URL {})",
        config.public_url
    );
    // On SIGTERM every accepted request gets its answer (see `shutdown`).
    let (listener, held) =
        shutdown::Listener::hold(listener).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let (stopping_tx, stopping) = tokio::sync::oneshot::channel::<()>();
    let serving = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown::stop_accepting(&held).await;
        let _ = stopping_tx.send(());
    });
    let grace = std::time::Duration::from_secs(config.shutdown_grace_secs.max(0) as u64);
    let deadline = async move {
        if stopping.await.is_ok() {
            tokio::time::sleep(grace).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        served = serving => served.map_err(|e| format!("server: {e}"))?,
        _ = deadline => tracing::warn!(
            grace_seconds = config.shutdown_grace_secs,
            "requests still running at the end of the shutdown grace period were cut off"
        ),
    }
    // The calls counted since the last flush are written before the pool closes.
    telemetry::flush(&db, &meter).await;
    if let Err(e) = domain::lifecycle::release_lease(&db, &config.replica_id).await {
        tracing::warn!(error = %e, "could not give up the controller lease");
    }
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}
