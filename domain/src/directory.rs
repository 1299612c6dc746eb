//! The one module of queries that are not confined to a single tenant, kept small so it
//! can be reviewed as a whole: the tenants a caller may see, creating tenants (global
//! admins), users and their login (OIDC upsert, the bootstrap admin), and principals.
//! Everything here either checks `Principal::is_global_admin` or filters by the
//! caller's own memberships.

use crate::audit;
use crate::ids::{col_id, TenantId, UserId, SYSTEM_TENANT_ID};
use crate::model::{clamp_limit, Label, NewTenant, Page, Tenant, TenantState, User};
use crate::scope::Principal;
use crate::validate::{self, like_pattern};
use crate::{now_ms, Db, DomainError, DomainResult};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use policy::Role;
use sqlx::any::AnyRow;
use sqlx::Row;

const USER_COLUMNS: &str =
    "id, email, email_verified, name, issuer, subject, created_at, last_login_at";

pub(crate) fn user_from_row(row: &AnyRow) -> DomainResult<User> {
    Ok(User {
        id: col_id(&row.try_get::<String, _>("id")?)?,
        email: row.try_get("email")?,
        email_verified: row.try_get::<i64, _>("email_verified")? != 0,
        name: row.try_get("name")?,
        issuer: row.try_get("issuer")?,
        subject: row.try_get("subject")?,
        created_at: row.try_get("created_at")?,
        last_login_at: row.try_get("last_login_at")?,
    })
}

// ---------------------------------------------------------------- principals

/// Builds the principal for a logged-in user id (from the session). A user that no
/// longer exists is unauthenticated. One indexed read: the user row, and their role in
/// the system tenant (global admin or not) in the same statement.
pub async fn principal_for_user(db: &Db, user_id: UserId) -> DomainResult<Principal> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS}, (SELECT m.role FROM memberships m WHERE m.tenant_id = $2 AND m.user_id = users.id) AS system_role \
         FROM users WHERE id = $1"
    ))
    .bind(user_id.as_text())
    .bind(SYSTEM_TENANT_ID.as_text())
    .fetch_optional(db.pool())
    .await?
    .ok_or(DomainError::Unauthenticated(
        "your session has ended, please log in again",
    ))?;
    let user = user_from_row(&row)?;
    let global = row.try_get::<Option<String>, _>("system_role")?.as_deref() == Some("admin");
    Ok(Principal::new(user, global, None))
}

/// Builds the principal for a bearer JWT: the roles come from the token itself
/// (`<tenant-uuid>_<role>`, seed 004), and the console user is found by (issuer,
/// subject) only.
///
/// The bearer path never creates or binds a user. A token is a credential for one
/// request, not a login: binding a pending account to it by the token's `email` claim
/// would let anyone whose IdP signs an unverified address take that account (the
/// bootstrap global admin included). An identity the console does not know gets a
/// principal that is not stored anywhere: a stable id derived from (issuer, subject) for
/// the audit log, and nothing but the token's roles.
pub async fn principal_for_jwt(
    db: &Db,
    issuer: &str,
    subject: &str,
    email: Option<&str>,
    roles: Vec<(TenantId, Role)>,
) -> DomainResult<Principal> {
    let user = match user_by_identity(db, issuer, subject).await? {
        Some(u) => u,
        None => token_only_user(issuer, subject, email),
    };
    let global = roles
        .iter()
        .any(|(t, r)| *t == SYSTEM_TENANT_ID && *r == Role::Admin);
    Ok(Principal::new(user, global, Some(roles)))
}

/// The in-memory user behind a token whose identity has no console account.
fn token_only_user(issuer: &str, subject: &str, email: Option<&str>) -> User {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("jwt\n{issuer}\n{subject}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    let id = uuid::Builder::from_custom_bytes(bytes).into_uuid();
    User {
        id: UserId(id),
        // Shown in audit records only, never matched: the token's claim is unverified.
        email: email.unwrap_or("").to_string(),
        email_verified: false,
        name: format!("token {subject}"),
        issuer: Some(issuer.to_string()),
        subject: Some(subject.to_string()),
        created_at: 0,
        last_login_at: None,
    }
}

pub async fn user_by_id(db: &Db, id: UserId) -> DomainResult<Option<User>> {
    let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
        .bind(id.as_text())
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

pub async fn user_by_email(db: &Db, email: &str) -> DomainResult<Option<User>> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE email_lower = $1"
    ))
    .bind(email.trim().to_lowercase())
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(user_from_row).transpose()
}

async fn user_by_identity(db: &Db, issuer: &str, subject: &str) -> DomainResult<Option<User>> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE issuer = $1 AND subject = $2"
    ))
    .bind(issuer.to_string())
    .bind(subject.to_string())
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(user_from_row).transpose()
}

// ---------------------------------------------------------------- login

/// Records an OIDC login. Users are keyed by (issuer, subject).
///
/// An address counts only when the provider vouches for it (`email_verified`): only then
/// does it become the user's claimed address (`email_lower`), which is what invitations,
/// the bootstrap admin and `server admin token` match. A verified login binds a pending
/// user (invited by email, no identity yet), also when the identity signed in before
/// with an unverified address; a first login whose verified address is bound to another
/// identity is refused rather than merged. An unverified address is stored for display
/// only and never matches, binds or promotes anyone.
pub async fn upsert_oidc_user(
    db: &Db,
    issuer: &str,
    subject: &str,
    email: &str,
    email_verified: bool,
    name: &str,
) -> DomainResult<User> {
    let now = now_ms();
    let email = email.trim();
    let lower = email.to_lowercase();
    let claim = email_verified && !email.is_empty();
    let mut tx = db.begin().await?;
    let existing: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT id, email_lower FROM users WHERE issuer = $1 AND subject = $2")
            .bind(issuer.to_string())
            .bind(subject.to_string())
            .fetch_optional(&mut *tx)
            .await?;
    let id = if let Some((id, current)) = existing {
        let id = if claim && current.as_deref() != Some(lower.as_str()) {
            claim_address(&mut tx, &id, email, &lower).await?
        } else {
            id
        };
        if !claim && current.is_none() && !email.is_empty() {
            // Never verified: keep the shown address current, still unverified.
            sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
                .bind(email.to_string())
                .bind(id.clone())
                .execute(&mut *tx)
                .await?;
        }
        if !name.is_empty() {
            sqlx::query("UPDATE users SET name = $1 WHERE id = $2")
                .bind(name.to_string())
                .bind(id.clone())
                .execute(&mut *tx)
                .await?;
        }
        id
    } else {
        let by_email: Option<(String, Option<String>)> = if claim {
            sqlx::query_as("SELECT id, issuer FROM users WHERE email_lower = $1")
                .bind(lower.clone())
                .fetch_optional(&mut *tx)
                .await?
        } else {
            None
        };
        match by_email {
            Some((id, None)) => {
                sqlx::query("UPDATE users SET issuer = $1, subject = $2, email_verified = 1, name = CASE WHEN $3 = '' THEN name ELSE $3 END WHERE id = $4")
                    .bind(issuer.to_string())
                    .bind(subject.to_string())
                    .bind(name.to_string())
                    .bind(id.clone())
                    .execute(&mut *tx)
                    .await?;
                audit::record_global(&mut tx, SYSTEM_TENANT_ID, None, email, "user.bind", email, None, Some(format!("{issuer} {subject}"))).await?;
                id
            }
            Some(_) => {
                return Err(DomainError::conflict(
                    "email_in_use",
                    "This email address is already linked to another sign-in. Ask an administrator for help.",
                ))
            }
            None => {
                let id = UserId::new_random().as_text();
                sqlx::query(
                    "INSERT INTO users (id, issuer, subject, email, email_lower, email_verified, name, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(id.clone())
                .bind(issuer.to_string())
                .bind(subject.to_string())
                .bind(email.to_string())
                .bind(claim.then(|| lower.clone()))
                .bind(i64::from(claim))
                .bind(name.to_string())
                .bind(now)
                .execute(&mut *tx)
                .await?;
                // A user created by a first login is a change like any other: audited.
                let how = if claim { "verified" } else { "unverified, not matched" };
                audit::record_global(
                    &mut tx,
                    SYSTEM_TENANT_ID,
                    None,
                    email,
                    "user.create",
                    email,
                    None,
                    Some(format!("first login via {issuer} (address {how})")),
                )
                .await?;
                id
            }
        }
    };
    mark_login(&mut tx, &id, now).await?;
    let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let user = user_from_row(&row)?;
    tx.commit().await?;
    Ok(user)
}

/// Gives an existing identity its newly verified address, and answers which user row
/// the identity is now. When a user with no identity yet holds the address (an
/// invitation, or the bootstrap admin), the identity moves onto that row, as a first
/// login would have bound it: the identity's own memberships move along and its old row
/// goes. When another identity holds the address, the address stays there.
async fn claim_address(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
    email: &str,
    lower: &str,
) -> DomainResult<String> {
    let holder: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT id, issuer FROM users WHERE email_lower = $1 AND id <> $2")
            .bind(lower.to_string())
            .bind(id.to_string())
            .fetch_optional(&mut **tx)
            .await?;
    match holder {
        Some((_, Some(_))) => Ok(id.to_string()),
        Some((pending, None)) => {
            let (issuer, subject, name): (Option<String>, Option<String>, String) =
                sqlx::query_as("SELECT issuer, subject, name FROM users WHERE id = $1")
                    .bind(id.to_string())
                    .fetch_one(&mut **tx)
                    .await?;
            sqlx::query(
                "INSERT INTO memberships (tenant_id, user_id, role, created_at, created_by) \
                 SELECT m.tenant_id, $1, m.role, m.created_at, m.created_by FROM memberships m \
                 WHERE m.user_id = $2 AND NOT EXISTS (SELECT 1 FROM memberships o WHERE o.tenant_id = m.tenant_id AND o.user_id = $1)",
            )
            .bind(pending.clone())
            .bind(id.to_string())
            .execute(&mut **tx)
            .await?;
            sqlx::query("DELETE FROM users WHERE id = $1")
                .bind(id.to_string())
                .execute(&mut **tx)
                .await?;
            sqlx::query("UPDATE users SET issuer = $1, subject = $2, email = $3, email_verified = 1, name = CASE WHEN $4 = '' THEN name ELSE $4 END WHERE id = $5")
                .bind(issuer.clone())
                .bind(subject.clone())
                .bind(email.to_string())
                .bind(name)
                .bind(pending.clone())
                .execute(&mut **tx)
                .await?;
            let who = format!(
                "{} {}",
                issuer.unwrap_or_default(),
                subject.unwrap_or_default()
            );
            audit::record_global(
                tx,
                SYSTEM_TENANT_ID,
                None,
                email,
                "user.bind",
                email,
                None,
                Some(who),
            )
            .await?;
            Ok(pending)
        }
        None => {
            sqlx::query(
                "UPDATE users SET email = $1, email_lower = $2, email_verified = 1 WHERE id = $3",
            )
            .bind(email.to_string())
            .bind(lower.to_string())
            .bind(id.to_string())
            .execute(&mut **tx)
            .await?;
            Ok(id.to_string())
        }
    }
}

/// A sign-in: the time, and every membership added since the last one is now joined.
async fn mark_login(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
    now: i64,
) -> DomainResult<()> {
    sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE memberships SET joined_at = $1 WHERE user_id = $2 AND joined_at IS NULL")
        .bind(now)
        .bind(id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Failed local logins allowed per (client, email) pair before each further attempt
/// has to wait (exponential backoff). Keyed by the pair, so that nobody can lock the
/// bootstrap admin out for everyone by guessing wrong from elsewhere.
pub const LOGIN_MAX_FAILURES: i64 = 5;
/// Failed local logins allowed per client across all addresses within the window.
pub const LOGIN_CLIENT_MAX_FAILURES: i64 = 50;
/// The rate-limit window for local logins, in milliseconds.
pub const LOGIN_WINDOW_MS: i64 = 15 * 60 * 1000;

/// How long the attempt after `prior` failures must wait after the last one: nothing
/// for the first [`LOGIN_MAX_FAILURES`], then 1 s, 2 s, 4 s… up to the whole window.
pub fn login_backoff_ms(prior: i64) -> i64 {
    if prior < LOGIN_MAX_FAILURES {
        return 0;
    }
    let doublings = (prior - LOGIN_MAX_FAILURES).min(20) as u32;
    (1000i64 << doublings).min(LOGIN_WINDOW_MS)
}

/// Password hashing is slow on purpose; it runs on the blocking pool, at most two at a
/// time, so a burst of logins cannot stall the async workers that serve every page.
static ARGON2_SLOTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

async fn argon2_off_thread<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> DomainResult<T> {
    let _slot = ARGON2_SLOTS
        .acquire()
        .await
        .map_err(|e| DomainError::Internal(format!("argon2 slots: {e}")))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| DomainError::Internal(format!("argon2 task: {e}")))
}

/// Checks a local (bootstrap admin) login.
///
/// The attempt is written *before* it is checked, in its own transaction, so parallel
/// attempts all count each other and a burst cannot slip past the limit. Failures count
/// per (client, email) pair, with backoff past the limit, and per client overall; the
/// rows live in the database, so the limit holds across replicas. A success clears the
/// pair's record.
pub async fn verify_local_login(
    db: &Db,
    email: &str,
    password: &str,
    client: &str,
) -> DomainResult<User> {
    let now = now_ms();
    let lower = email.trim().to_lowercase();
    let pair = format!("pair:{client}|{lower}");
    let by_client = format!("client:{client}");
    use crate::ratelimit::{count, record, Attempts::LoginFailures};
    record(
        db,
        LoginFailures,
        &[&pair, &by_client],
        now,
        LOGIN_WINDOW_MS,
    )
    .await?;
    let since = now - LOGIN_WINDOW_MS;
    let prior = count(db, LoginFailures, &pair, since).await? - 1;
    if count(db, LoginFailures, &by_client, since).await? > LOGIN_CLIENT_MAX_FAILURES {
        return Err(DomainError::RateLimited);
    }
    let wait = login_backoff_ms(prior);
    if wait > 0 {
        // The attempt before this one (ties with concurrent attempts count as now).
        let previous: Option<i64> = sqlx::query_scalar(
            "SELECT at FROM login_failures WHERE key = $1 AND at > $2 ORDER BY at DESC LIMIT 1 OFFSET 1",
        )
        .bind(pair.clone())
        .bind(since)
        .fetch_optional(db.pool())
        .await?;
        if previous.is_some_and(|at| now - at < wait) {
            return Err(DomainError::RateLimited);
        }
    }
    let row: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT id, password_hash FROM users WHERE email_lower = $1")
            .bind(lower.clone())
            .fetch_optional(db.pool())
            .await?;
    let hash = row.as_ref().and_then(|(_, h)| h.clone());
    let given = password.to_string();
    let verified = argon2_off_thread(move || match hash {
        Some(hash) => verify_password(&given, &hash),
        // Hash anyway so that a wrong email takes as long as a wrong password.
        None => {
            let _ = hash_password(&given);
            false
        }
    })
    .await?;
    let id = match (verified, row) {
        (true, Some((id, _))) => id,
        _ => return Err(DomainError::Unauthenticated("wrong email or password")),
    };
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM login_failures WHERE key = $1")
        .bind(pair)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM login_failures WHERE key = $1 AND at = $2")
        .bind(by_client)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    mark_login(&mut tx, &id, now).await?;
    tx.commit().await?;
    user_by_id(db, col_id(&id)?)
        .await?
        .ok_or(DomainError::Unauthenticated("wrong email or password"))
}

fn hash_password(password: &str) -> DomainResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| DomainError::Internal(format!("argon2: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// What happened to the bootstrap admin at start-up.
#[derive(Debug, PartialEq, Eq)]
pub enum Bootstrap {
    /// Created now with a generated password, to be printed once.
    CreatedWithGeneratedPassword(String),
    /// Created now, or its password set, from the configured password.
    PasswordFromConfig,
    /// Already there; nothing changed.
    Unchanged,
}

/// Makes sure the bootstrap admin exists and is a global admin. With a configured
/// password the stored hash follows it; without one, a password is generated only when
/// the user has none yet (so it is printed exactly once, at first start).
pub async fn ensure_bootstrap_admin(
    db: &Db,
    email: &str,
    password: Option<&str>,
) -> DomainResult<Bootstrap> {
    let email = validate::email(email)?;
    let now = now_ms();
    let mut tx = db.begin().await?;
    let existing: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT id, password_hash FROM users WHERE email_lower = $1")
            .bind(email.to_lowercase())
            .fetch_optional(&mut *tx)
            .await?;
    let (id, outcome, hash) = match (existing, password) {
        (Some((id, Some(old))), Some(p)) if verify_password(p, &old) => {
            (id, Bootstrap::Unchanged, None)
        }
        (Some((id, _)), Some(p)) => (id, Bootstrap::PasswordFromConfig, Some(hash_password(p)?)),
        (Some((id, Some(_))), None) => (id, Bootstrap::Unchanged, None),
        (existing, maybe_password) => {
            let (outcome, p) = match maybe_password {
                Some(p) => (Bootstrap::PasswordFromConfig, p.to_string()),
                None => {
                    let p = crate::crypto::random_text(18);
                    (Bootstrap::CreatedWithGeneratedPassword(p.clone()), p)
                }
            };
            let id = match existing {
                Some((id, _)) => id,
                None => {
                    let id = UserId::new_random().as_text();
                    sqlx::query("INSERT INTO users (id, email, email_lower, name, created_at) VALUES ($1, $2, $3, $4, $5)")
                        .bind(id.clone())
                        .bind(email.clone())
                        .bind(email.to_lowercase())
                        .bind("Bootstrap admin")
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    id
                }
            };
            (id, outcome, Some(hash_password(&p)?))
        }
    };
    if let Some(hash) = hash {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(id.clone())
            .execute(&mut *tx)
            .await?;
    }
    let member: Option<String> =
        sqlx::query_scalar("SELECT role FROM memberships WHERE tenant_id = $1 AND user_id = $2")
            .bind(SYSTEM_TENANT_ID.as_text())
            .bind(id.clone())
            .fetch_optional(&mut *tx)
            .await?;
    if member.as_deref() != Some("admin") {
        sqlx::query("DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2")
            .bind(SYSTEM_TENANT_ID.as_text())
            .bind(id.clone())
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO memberships (tenant_id, user_id, role, created_at, joined_at) VALUES ($1, $2, 'admin', $3, $3)")
            .bind(SYSTEM_TENANT_ID.as_text())
            .bind(id.clone())
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    if outcome != Bootstrap::Unchanged {
        audit::record_global(
            &mut tx,
            SYSTEM_TENANT_ID,
            None,
            "system",
            "bootstrap_admin.ensure",
            &email,
            None,
            None,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(outcome)
}

/// Turns local password login off for everyone (`TENANTRY_BOOTSTRAP_ADMIN=off`).
pub async fn disable_local_passwords(db: &Db) -> DomainResult<()> {
    sqlx::query("UPDATE users SET password_hash = NULL WHERE password_hash IS NOT NULL")
        .execute(db.pool())
        .await?;
    Ok(())
}

// ---------------------------------------------------------------- users

/// Pre-provisions a user by email (global admins). The user is bound to an OIDC
/// identity at first login with that verified address.
pub async fn provision_user(
    db: &Db,
    principal: &Principal,
    email: &str,
    name: &str,
) -> DomainResult<User> {
    if !principal.is_global_admin() {
        return Err(DomainError::Forbidden(
            "only a global admin can add users".into(),
        ));
    }
    let email = validate::email(email)?;
    let name = validate::person_name(name)?;
    let mut tx = db.begin().await?;
    let user = insert_pending_user(&mut tx, &email, &name).await?;
    audit::record_global(
        &mut tx,
        SYSTEM_TENANT_ID,
        Some(principal.user_id()),
        &principal.user().label(),
        "user.create",
        &email,
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// Inserts a user known only by email; a conflict if the address is taken.
pub(crate) async fn insert_pending_user(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    email: &str,
    name: &str,
) -> DomainResult<User> {
    let id = UserId::new_random();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO users (id, email, email_lower, name, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id.as_text())
    .bind(email.to_string())
    .bind(email.to_lowercase())
    .bind(name.to_string())
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(|e| {
        if crate::error::is_unique_violation(&e) {
            DomainError::conflict(
                "user_exists",
                format!("A user with the email {email} already exists."),
            )
        } else {
            e.into()
        }
    })?;
    Ok(User {
        id,
        email: email.to_string(),
        email_verified: false,
        name: name.to_string(),
        issuer: None,
        subject: None,
        created_at: now,
        last_login_at: None,
    })
}

// ---------------------------------------------------------------- tenants

const TENANT_COLUMNS: &str =
    "t.id, t.name, t.description, t.desired_state, t.current_state, t.is_system, t.created_at";

fn tenant_from_row(row: &AnyRow) -> DomainResult<Tenant> {
    Ok(Tenant {
        id: col_id(&row.try_get::<String, _>("id")?)?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        labels: Vec::new(),
        desired_state: TenantState::from_db(&row.try_get::<String, _>("desired_state")?),
        current_state: TenantState::from_db(&row.try_get::<String, _>("current_state")?),
        is_system: row.try_get::<i64, _>("is_system")? != 0,
        created_at: row.try_get("created_at")?,
    })
}

/// Loads the labels of the given tenants in one query.
async fn attach_labels(db: &Db, tenants: &mut [Tenant]) -> DomainResult<()> {
    if tenants.is_empty() {
        return Ok(());
    }
    let placeholders: Vec<String> = (1..=tenants.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT tenant_id, key, value FROM tenant_labels WHERE tenant_id IN ({}) ORDER BY key",
        placeholders.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for t in tenants.iter() {
        q = q.bind(t.id.as_text());
    }
    for row in q.fetch_all(db.pool()).await? {
        let tid: String = row.try_get("tenant_id")?;
        if let Some(t) = tenants.iter_mut().find(|t| t.id.as_text() == tid) {
            t.labels.push(Label {
                key: row.try_get("key")?,
                value: row.try_get("value")?,
            });
        }
    }
    Ok(())
}

/// Filters for listing tenants.
#[derive(Debug, Clone, Default)]
pub struct TenantQuery {
    /// Substring of the name, case-insensitive.
    pub q: String,
    /// Only tenants carrying this label.
    pub label: Option<Label>,
    /// Opaque cursor from the previous page.
    pub cursor: Option<String>,
    pub limit: Option<i64>,
    /// Names only, without labels: one query less.
    pub without_labels: bool,
    /// Count the matching tenants too (the tenants page's pager); the switcher does not.
    pub count_total: bool,
}

/// The tenants the caller may see: every tenant for a global admin, otherwise those
/// the caller holds a role in. Ordered by name, keyset-paginated (so it stays fast with
/// 100,000 tenants: each page is one index range scan).
pub async fn list_tenants(
    db: &Db,
    principal: &Principal,
    query: &TenantQuery,
) -> DomainResult<Page<Tenant>> {
    let limit = clamp_limit(query.limit);
    let mut sql = format!("SELECT {TENANT_COLUMNS} FROM tenants t WHERE 1 = 1");
    let mut binds: Vec<String> = Vec::new();
    let next = |binds: &mut Vec<String>, v: String| {
        binds.push(v);
        format!("${}", binds.len())
    };
    if !principal.is_global_admin() {
        match principal.token_roles() {
            Some(roles) => {
                if roles.is_empty() {
                    return Ok(Page {
                        items: vec![],
                        next_cursor: None,
                        total: Some(0),
                    });
                }
                let ids: Vec<String> = roles
                    .iter()
                    .map(|(t, _)| next(&mut binds, t.as_text()))
                    .collect();
                sql.push_str(&format!(" AND t.id IN ({})", ids.join(", ")));
            }
            None => {
                let p = next(&mut binds, principal.user_id().as_text());
                sql.push_str(&format!(
                    " AND EXISTS (SELECT 1 FROM memberships m WHERE m.tenant_id = t.id AND m.user_id = {p})"
                ));
            }
        }
    }
    let q = query.q.trim();
    if !q.is_empty() {
        // Substring search from an index on both backends: SQLite's FTS5 trigram table
        // (a quoted phrase matches the text literally), Postgres's pg_trgm index behind
        // LIKE. Trigrams need three characters; shorter queries scan, which is cheap
        // next to what a one- or two-letter query returns anyway.
        if db.backend() == crate::Backend::Sqlite && q.chars().count() >= 3 {
            let p = next(&mut binds, format!("\"{}\"", q.replace('"', "\"\"")));
            sql.push_str(&format!(
                " AND t.rowid IN (SELECT rowid FROM tenant_search WHERE tenant_search MATCH {p})"
            ));
        } else {
            let p = next(&mut binds, like_pattern(q));
            sql.push_str(&format!(" AND t.name LIKE {p} ESCAPE '\\'"));
        }
    }
    if let Some(label) = &query.label {
        let k = next(&mut binds, label.key.clone());
        let v = next(&mut binds, label.value.clone());
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM tenant_labels l WHERE l.tenant_id = t.id AND l.key = {k} AND l.value = {v})"
        ));
    }
    // The count covers the same filter, without the cursor (the switcher needs none).
    let count_sql = query.count_total.then(|| {
        crate::model::capped_count_sql(&sql.replacen(
            &format!("SELECT {TENANT_COLUMNS} FROM"),
            "SELECT 1 FROM",
            1,
        ))
    });
    let count_binds = binds.clone();
    if let Some(c) = query.cursor.as_deref().filter(|c| !c.is_empty()) {
        let p = next(&mut binds, c.to_string());
        sql.push_str(&format!(" AND t.name > {p}"));
    }
    sql.push_str(&format!(" ORDER BY t.name LIMIT {}", limit + 1));
    let mut q = sqlx::query(&sql);
    for b in binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(db.pool()).await?;
    let items = rows
        .iter()
        .map(tenant_from_row)
        .collect::<DomainResult<Vec<_>>>()?;
    let mut page = Page::from_overfetch(items, limit, |t| t.name.clone());
    if let Some(count_sql) = count_sql {
        let mut count = sqlx::query_scalar::<_, i64>(&count_sql);
        for b in count_binds {
            count = count.bind(b);
        }
        page.total = Some(count.fetch_one(db.pool()).await?);
    }
    if !query.without_labels {
        attach_labels(db, &mut page.items).await?;
    }
    Ok(page)
}

/// Writes a tenant's labels (inside the caller's transaction).
async fn insert_tenant_labels(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: TenantId,
    labels: &[Label],
) -> DomainResult<()> {
    for l in labels {
        sqlx::query("INSERT INTO tenant_labels (tenant_id, key, value) VALUES ($1, $2, $3)")
            .bind(id.as_text())
            .bind(l.key.clone())
            .bind(l.value.clone())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Changes a tenant's description and labels (global admins). Its name and id never
/// change. Audited in the tenant and in the system tenant, before and after.
pub async fn update_tenant(
    db: &Db,
    principal: &Principal,
    id: TenantId,
    description: &str,
    labels: Vec<Label>,
) -> DomainResult<Tenant> {
    if !principal.is_global_admin() {
        return Err(DomainError::Forbidden(
            "only a global admin can change tenants".into(),
        ));
    }
    let description = validate::description(description)?;
    let labels = validate::check_labels(labels)?;
    let mut tx = db.begin().await?;
    let row = sqlx::query(&format!(
        "SELECT {TENANT_COLUMNS} FROM tenants t WHERE t.id = $1"
    ))
    .bind(id.as_text())
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(DomainError::NotFound("tenant"))?;
    let mut tenant = tenant_from_row(&row)?;
    let old_rows =
        sqlx::query("SELECT key, value FROM tenant_labels WHERE tenant_id = $1 ORDER BY key")
            .bind(id.as_text())
            .fetch_all(&mut *tx)
            .await?;
    let mut old = Vec::with_capacity(old_rows.len());
    for r in &old_rows {
        old.push(Label {
            key: r.try_get("key")?,
            value: r.try_get("value")?,
        });
    }
    sqlx::query("UPDATE tenants SET description = $1, updated_at = $2 WHERE id = $3")
        .bind(description.clone())
        .bind(now_ms())
        .bind(id.as_text())
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM tenant_labels WHERE tenant_id = $1")
        .bind(id.as_text())
        .execute(&mut *tx)
        .await?;
    insert_tenant_labels(&mut tx, id, &labels).await?;
    let before = serde_json::json!({"description": tenant.description, "labels": old}).to_string();
    let after = serde_json::json!({"description": description, "labels": labels}).to_string();
    let actor = principal.user().label();
    // Recorded where global admins look, and in the tenant itself (once for the
    // system tenant).
    let logs: &[TenantId] = if id == SYSTEM_TENANT_ID {
        &[SYSTEM_TENANT_ID]
    } else {
        &[SYSTEM_TENANT_ID, id]
    };
    for &in_tenant in logs {
        audit::record_global(
            &mut tx,
            in_tenant,
            Some(principal.user_id()),
            &actor,
            "tenant.update",
            &tenant.name,
            Some(before.clone()),
            Some(after.clone()),
        )
        .await?;
    }
    tx.commit().await?;
    tenant.description = description;
    tenant.labels = labels;
    Ok(tenant)
}

/// One tenant, if the caller may see it (otherwise not found).
pub async fn get_tenant(db: &Db, principal: &Principal, id: TenantId) -> DomainResult<Tenant> {
    // Authorising answers "not found" for tenants the caller has no standing in.
    let scope = crate::scope::authorize(db, principal, crate::scope::TenantRef::Id(id)).await?;
    tenant_for_scope(db, &scope).await
}

/// The tenant a scope acts in, with its labels and states.
pub async fn tenant_for_scope(db: &Db, scope: &crate::TenantScope) -> DomainResult<Tenant> {
    let row = sqlx::query(&format!(
        "SELECT {TENANT_COLUMNS} FROM tenants t WHERE t.id = $1"
    ))
    .bind(scope.tenant_id().as_text())
    .fetch_optional(db.pool())
    .await?
    .ok_or(DomainError::NotFound("tenant"))?;
    let mut t = vec![tenant_from_row(&row)?];
    attach_labels(db, &mut t).await?;
    t.pop().ok_or(DomainError::NotFound("tenant"))
}

/// Creates a tenant (global admins only), audited in the system tenant and in the new
/// tenant. The tenant controller then bootstraps it (`current_state` → CREATED).
pub async fn create_tenant(db: &Db, principal: &Principal, new: NewTenant) -> DomainResult<Tenant> {
    if !principal.is_global_admin() {
        return Err(DomainError::Forbidden(
            "only a global admin can create tenants".into(),
        ));
    }
    let name = validate::tenant_name(&new.name)?;
    let description = validate::description(&new.description)?;
    let labels = validate::check_labels(new.labels)?;
    let id = new.id.unwrap_or_else(TenantId::new_random);
    let now = now_ms();
    let mut tx = db.begin().await?;
    sqlx::query(
        "INSERT INTO tenants (id, name, description, desired_state, current_state, created_at, updated_at) \
         VALUES ($1, $2, $3, 'CREATED', 'UNKNOWN', $4, $4)",
    )
    .bind(id.as_text())
    .bind(name.clone())
    .bind(description.clone())
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        if crate::error::is_unique_violation(&e) {
            DomainError::conflict("tenant_exists", format!("A tenant named `{name}` or with this id already exists."))
        } else {
            e.into()
        }
    })?;
    insert_tenant_labels(&mut tx, id, &labels).await?;
    let after =
        serde_json::json!({"id": id, "name": name, "description": description, "labels": labels})
            .to_string();
    let actor = principal.user().label();
    audit::record_global(
        &mut tx,
        SYSTEM_TENANT_ID,
        Some(principal.user_id()),
        &actor,
        "tenant.create",
        &name,
        None,
        Some(after.clone()),
    )
    .await?;
    audit::record_global(
        &mut tx,
        id,
        Some(principal.user_id()),
        &actor,
        "tenant.create",
        &name,
        None,
        Some(after),
    )
    .await?;
    tx.commit().await?;
    Ok(Tenant {
        id,
        name,
        description,
        labels,
        desired_state: TenantState::Created,
        current_state: TenantState::Unknown,
        is_system: false,
        created_at: now,
    })
}

/// Remembers that the caller entered a tenant, for the switcher's "recent" list.
///
/// Called on every page of a tenant, so it writes only when the tenant actually changes:
/// one indexed read says whether this tenant is already the most recent one, and a page
/// view in the same tenant as the last one commits nothing.
pub async fn touch_recent(db: &Db, scope: &crate::TenantScope) -> DomainResult<()> {
    let latest: Option<String> = sqlx::query_scalar(
        "SELECT tenant_id FROM recent_tenants WHERE user_id = $1 ORDER BY used_at DESC LIMIT 1",
    )
    .bind(scope.actor_id().as_text())
    .fetch_optional(db.pool())
    .await?;
    if latest.as_deref() == Some(scope.tenant_id().as_text().as_str()) {
        return Ok(());
    }
    let now = now_ms();
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM recent_tenants WHERE user_id = $1 AND tenant_id = $2")
        .bind(scope.actor_id().as_text())
        .bind(scope.tenant_id().as_text())
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO recent_tenants (user_id, tenant_id, used_at) VALUES ($1, $2, $3)")
        .bind(scope.actor_id().as_text())
        .bind(scope.tenant_id().as_text())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The tenants the caller entered most recently and may still see.
pub async fn recent_tenants(
    db: &Db,
    principal: &Principal,
    limit: i64,
) -> DomainResult<Vec<(TenantId, String)>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT t.id, t.name FROM recent_tenants r JOIN tenants t ON t.id = r.tenant_id \
         WHERE r.user_id = $1 AND ($2 = 1 OR EXISTS (SELECT 1 FROM memberships m WHERE m.tenant_id = t.id AND m.user_id = $1)) \
         ORDER BY r.used_at DESC LIMIT $3",
    )
    .bind(principal.user_id().as_text())
    .bind(i64::from(principal.is_global_admin()))
    .bind(limit.clamp(1, 20))
    .fetch_all(db.pool())
    .await?;
    rows.into_iter()
        .map(|(id, name)| Ok((col_id(&id)?, name)))
        .collect()
}

/// One connection as the platform sees it: the provider, the consumer, and traffic.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PlatformConnection {
    pub id: String,
    pub provider_id: TenantId,
    pub provider_name: String,
    pub consumer_id: TenantId,
    pub consumer_name: String,
    pub status: String,
    pub created_at: i64,
    /// Bytes and flows over the last 30 days.
    pub bytes: i64,
    pub flows: i64,
}

/// Every cross-tenant connection (global admins only), newest first, optionally only
/// those where `q` is part of either tenant's name: the centralised view of seed 000.
/// Each connection is read once, from its provider's half.
pub async fn all_connections(
    db: &Db,
    principal: &Principal,
    q: &str,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> DomainResult<Page<PlatformConnection>> {
    if !principal.is_global_admin() {
        return Err(DomainError::Forbidden(
            "only a global admin sees every connection".into(),
        ));
    }
    let limit = clamp_limit(limit);
    let (c_at, c_id) = crate::model::newest_first_cursor(cursor);
    let since = crate::now_ms().div_euclid(crate::model::DAY_MS) - 29;
    let pattern = like_pattern(q);
    let rows = sqlx::query(
        "SELECT c.id, c.tenant_id, t.name AS provider_name, c.remote_tenant_id, c.remote_tenant_name, c.status, c.created_at, \
         CAST(COALESCE((SELECT SUM(d.bytes) FROM traffic_daily d WHERE d.tenant_id = c.tenant_id AND d.connection_id = c.id AND d.day >= $1), 0) AS BIGINT) AS bytes, \
         CAST(COALESCE((SELECT SUM(d.flows) FROM traffic_daily d WHERE d.tenant_id = c.tenant_id AND d.connection_id = c.id AND d.day >= $1), 0) AS BIGINT) AS flows \
         FROM connections c JOIN tenants t ON t.id = c.tenant_id \
         WHERE c.direction = 'provides' AND (LOWER(t.name) LIKE $2 ESCAPE '\\' OR LOWER(c.remote_tenant_name) LIKE $2 ESCAPE '\\') \
         AND (c.created_at < $3 OR (c.created_at = $3 AND c.id < $4)) \
         ORDER BY c.created_at DESC, c.id DESC LIMIT $5",
    )
    .bind(since)
    .bind(pattern)
    .bind(c_at)
    .bind(c_id)
    .bind(limit + 1)
    .fetch_all(db.pool())
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        items.push(PlatformConnection {
            id: r.try_get("id")?,
            provider_id: col_id(&r.try_get::<String, _>("tenant_id")?)?,
            provider_name: r.try_get("provider_name")?,
            consumer_id: col_id(&r.try_get::<String, _>("remote_tenant_id")?)?,
            consumer_name: r.try_get("remote_tenant_name")?,
            status: r.try_get("status")?,
            created_at: r.try_get("created_at")?,
            bytes: r.try_get("bytes")?,
            flows: r.try_get("flows")?,
        });
    }
    let total: i64 = sqlx::query_scalar(&crate::model::capped_count_sql(
        "SELECT 1 FROM connections c JOIN tenants t ON t.id = c.tenant_id \
         WHERE c.direction = 'provides' AND (LOWER(t.name) LIKE $1 ESCAPE '\\' OR LOWER(c.remote_tenant_name) LIKE $1 ESCAPE '\\')",
    ))
    .bind(like_pattern(q))
    .fetch_one(db.pool())
    .await?;
    Ok(
        Page::from_overfetch(items, limit, |c| format!("{}:{}", c.created_at, c.id))
            .with_total(total),
    )
}
