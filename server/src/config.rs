//! Configuration from environment variables (documented in `.env.example`). Read once
//! at start; a bad value stops the server with a message that names the variable.

use std::env;

/// One configured OpenID Provider.
#[derive(Debug, Clone)]
pub struct OidcProviderConfig {
    /// Short name used in URLs (`/auth/oidc/<name>/login`), lowercase.
    pub name: String,
    /// The button label on the login page.
    pub label: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// Claim holding group names (optional; reserved for group → role mapping).
    pub groups_claim: Option<String>,
    /// Claim of bearer JWTs holding `<tenant-uuid>_<role>` entries [roles].
    pub roles_claim: String,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// Postgres only: the tables' owner, who runs the migrations and grants the console's
    /// role (`DATABASE_URL`) the use of the tables. Row-level security holds the console
    /// only when it connects as a role that does not own them.
    pub migration_database_url: Option<String>,
    pub public_url: String,
    pub bootstrap_admin_enabled: bool,
    pub bootstrap_admin_email: String,
    pub bootstrap_admin_password: Option<String>,
    pub providers: Vec<OidcProviderConfig>,
    pub cookie_secure: bool,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    /// The DNS suffix of services in connected tenants (`<service>.<tenant-id>.<suffix>`).
    pub dns_suffix: String,
    /// Reverse proxies whose client-address header is believed.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// That header, lowercase [x-forwarded-for].
    pub client_ip_header: String,
    /// Seals stored cloud credentials (`TENANTRY_SECRET_KEY`, or the key file).
    pub sealer: domain::crypto::Sealer,
    /// This replica's name in the tenant controller's lease and audit
    /// (`TENANTRY_REPLICA_ID`) [a name made of the process id and a random suffix].
    pub replica_id: String,
    /// How long a teardown step may keep failing before it is forced
    /// (`TENANTRY_TEARDOWN_STEP_TIMEOUT_SECONDS`) [60].
    pub teardown_step_timeout_secs: i64,
    /// How long a deleted tenant's audit log is kept for global admins
    /// (`TENANTRY_AUDIT_RETENTION_DAYS`) [365].
    pub audit_retention_days: i64,
    /// How long a tenant's log lines are kept (`TENANTRY_LOG_RETENTION_DAYS`) [90].
    pub log_retention_days: i64,
    /// Teardown steps that fail on purpose, for fault drills (`TENANTRY_TEARDOWN_FAULTS`,
    /// comma-separated step keys) [none].
    pub teardown_faults: Vec<&'static str>,
    /// After SIGTERM or Ctrl-C, how long requests in flight may take to finish before
    /// the server stops anyway (`TENANTRY_SHUTDOWN_GRACE_SECONDS`) [30]. Orchestrators
    /// kill a process some time after SIGTERM (Kubernetes: 30 s); keep this below that.
    pub shutdown_grace_secs: i64,
}

/// The key that seals stored credentials: `TENANTRY_SECRET_KEY` (64 hex digits), or else
/// the key file `TENANTRY_SECRET_KEY_FILE` [data/secret.key], which is made (mode 0600)
/// with a new random key the first time. Losing the key makes the stored credentials
/// unreadable, so the file is backed up with the database (docs/operations.md).
fn sealer() -> Result<domain::crypto::Sealer, String> {
    use domain::crypto::Sealer;
    if let Some(hex) = var("TENANTRY_SECRET_KEY") {
        return Sealer::from_hex(&hex).map_err(|e| format!("TENANTRY_SECRET_KEY: {e}"));
    }
    let path = std::path::PathBuf::from(
        var("TENANTRY_SECRET_KEY_FILE").unwrap_or_else(|| "data/secret.key".into()),
    );
    let shown = path.display();
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            Sealer::from_hex(&text).map_err(|e| format!("TENANTRY_SECRET_KEY_FILE {shown}: {e}"))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("TENANTRY_SECRET_KEY_FILE {shown}: {e}"))?;
            }
            let key = Sealer::generate_hex();
            write_private(&path, &key)
                .map_err(|e| format!("TENANTRY_SECRET_KEY_FILE {shown}: {e}"))?;
            tracing::warn!(file = %shown, "generated a new secret key for stored credentials; back it up with the database");
            Sealer::from_hex(&key)
        }
        Err(e) => Err(format!("TENANTRY_SECRET_KEY_FILE {shown}: {e}")),
    }
}

/// Writes a file only its owner can read.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())
}

fn var(name: &str) -> Option<String> {
    env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn flag(name: &str, default: bool) -> Result<bool, String> {
    match var(name).as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "on" | "yes") => Ok(true),
        Some("0" | "false" | "off" | "no") => Ok(false),
        Some(other) => Err(format!("{name}: expected on/off, got `{other}`")),
    }
}

fn number(name: &str, default: i64) -> Result<i64, String> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("{name}: expected a positive whole number, got `{v}`")),
    }
}

/// Step keys of the teardown (`secrets,connections`), each one of `lifecycle::STEPS`.
fn teardown_faults(raw: Option<String>) -> Result<Vec<&'static str>, String> {
    raw.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|key| {
            domain::lifecycle::STEPS
                .iter()
                .find(|s| s.key == key)
                .map(|s| s.key)
                .ok_or_else(|| format!("TENANTRY_TEARDOWN_FAULTS: `{key}` is not a teardown step"))
        })
        .collect()
}

/// A DNS suffix: dot-separated labels of lowercase letters, digits and hyphens.
fn dns_suffix(raw: Option<String>) -> Result<String, String> {
    let Some(raw) = raw else {
        return Ok(domain::network::DEFAULT_DNS_SUFFIX.to_string());
    };
    let suffix = raw.trim_matches('.').to_ascii_lowercase();
    let ok = suffix.len() <= 200
        && suffix.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        });
    if ok {
        Ok(suffix)
    } else {
        Err(format!(
            "TENANTRY_DNS_SUFFIX: `{raw}` is not a DNS suffix (labels of letters, digits and hyphens, separated by dots)"
        ))
    }
}

/// Cookies are Secure by default exactly when the console is served over https.
pub fn secure_by_default(public_url: &str) -> bool {
    public_url
        .trim()
        .to_ascii_lowercase()
        .starts_with("https://")
}

impl Config {
    pub fn from_env() -> Result<Config, String> {
        let mut providers = Vec::new();
        for name in var("TENANTRY_OIDC_PROVIDERS")
            .unwrap_or_default()
            .split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
        {
            if !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return Err(format!(
                    "TENANTRY_OIDC_PROVIDERS: `{name}` may only hold letters, digits, - and _"
                ));
            }
            let key = name.to_ascii_uppercase().replace('-', "_");
            let get = |suffix: &str| var(&format!("TENANTRY_OIDC_{key}_{suffix}"));
            let issuer = get("ISSUER").ok_or_else(|| {
                format!("TENANTRY_OIDC_{key}_ISSUER is required for provider `{name}`")
            })?;
            url::Url::parse(&issuer).map_err(|e| format!("TENANTRY_OIDC_{key}_ISSUER: {e}"))?;
            let client_id = get("CLIENT_ID").ok_or_else(|| {
                format!("TENANTRY_OIDC_{key}_CLIENT_ID is required for provider `{name}`")
            })?;
            providers.push(OidcProviderConfig {
                label: get("LABEL").unwrap_or_else(|| name.clone()),
                name,
                issuer,
                client_id,
                client_secret: get("CLIENT_SECRET"),
                groups_claim: get("GROUPS_CLAIM"),
                roles_claim: get("ROLES_CLAIM").unwrap_or_else(|| "roles".into()),
            });
        }
        let public_url =
            var("TENANTRY_PUBLIC_URL").unwrap_or_else(|| "http://127.0.0.1:3000".into());
        url::Url::parse(&public_url).map_err(|e| format!("TENANTRY_PUBLIC_URL: {e}"))?;
        let trusted_proxies = var("TENANTRY_TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<std::net::IpAddr>()
                    .map_err(|_| format!("TENANTRY_TRUSTED_PROXIES: `{s}` is not an IP address"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let client_ip_header = var("TENANTRY_CLIENT_IP_HEADER")
            .unwrap_or_else(|| "x-forwarded-for".into())
            .to_ascii_lowercase();
        axum::http::HeaderName::from_bytes(client_ip_header.as_bytes()).map_err(|_| {
            format!("TENANTRY_CLIENT_IP_HEADER: `{client_ip_header}` is not a header name")
        })?;
        Ok(Config {
            database_url: var("DATABASE_URL")
                .unwrap_or_else(|| "sqlite://data/tenantry.db?mode=rwc".into()),
            migration_database_url: var("TENANTRY_MIGRATION_DATABASE_URL"),
            public_url: public_url.trim_end_matches('/').to_string(),
            bootstrap_admin_enabled: flag("TENANTRY_BOOTSTRAP_ADMIN", true)?,
            bootstrap_admin_email: var("TENANTRY_BOOTSTRAP_ADMIN_EMAIL")
                .unwrap_or_else(|| "admin@localhost".into()),
            bootstrap_admin_password: var("TENANTRY_BOOTSTRAP_ADMIN_PASSWORD"),
            providers,
            // Secure cookies (and HSTS) whenever the console is served over https.
            cookie_secure: flag("TENANTRY_COOKIE_SECURE", secure_by_default(&public_url))?,
            session_idle_minutes: number("TENANTRY_SESSION_IDLE_MINUTES", 8 * 60)?,
            session_absolute_hours: number("TENANTRY_SESSION_ABSOLUTE_HOURS", 24)?,
            dns_suffix: dns_suffix(var("TENANTRY_DNS_SUFFIX"))?,
            trusted_proxies,
            client_ip_header,
            sealer: sealer()?,
            replica_id: var("TENANTRY_REPLICA_ID").unwrap_or_else(|| {
                format!(
                    "pid{}-{}",
                    std::process::id(),
                    &uuid::Uuid::new_v4().simple().to_string()[..6]
                )
            }),
            teardown_step_timeout_secs: number("TENANTRY_TEARDOWN_STEP_TIMEOUT_SECONDS", 60)?,
            audit_retention_days: number("TENANTRY_AUDIT_RETENTION_DAYS", 365)?,
            log_retention_days: number("TENANTRY_LOG_RETENTION_DAYS", 90)?,
            teardown_faults: teardown_faults(var("TENANTRY_TEARDOWN_FAULTS"))?,
            shutdown_grace_secs: number("TENANTRY_SHUTDOWN_GRACE_SECONDS", 30)?,
        })
    }

    /// The tenant controller this replica runs.
    pub fn controller(&self) -> domain::lifecycle::Controller {
        domain::lifecycle::Controller {
            step_timeout_ms: self.teardown_step_timeout_secs * 1000,
            audit_retention_ms: self.audit_retention_days * 24 * 3_600_000,
            log_retention_ms: self.log_retention_days * 24 * 3_600_000,
            faults: self.teardown_faults.clone(),
            ..domain::lifecycle::Controller::new(self.replica_id.clone())
        }
    }

    /// How often an active session's idle expiry is pushed forward (and so saved): a
    /// tenth of the idle timeout, at most five minutes. Reads in between write nothing.
    pub fn session_refresh_ms(&self) -> i64 {
        (self.session_idle_minutes * 60_000 / 10).clamp(1_000, 5 * 60_000)
    }

    /// True when the public URL is https: then browsers are told to use nothing else.
    pub fn https(&self) -> bool {
        secure_by_default(&self.public_url)
    }

    /// The console's own origin (`scheme://host[:port]`), for the cross-site check.
    pub fn public_origin(&self) -> String {
        url::Url::parse(&self.public_url)
            .map(|u| u.origin().ascii_serialization())
            .unwrap_or_else(|_| self.public_url.clone())
    }
}
