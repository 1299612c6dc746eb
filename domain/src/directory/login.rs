//! Login: OIDC users, local passwords with backoff, and the bootstrap admin.

use super::*;
use crate::db::Wall;

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
    let mut tx = db.begin(Wall::Platform).await?;
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
pub(super) async fn claim_address(
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
pub(super) async fn mark_login(
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

pub(super) async fn argon2_off_thread<T: Send + 'static>(
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
        .fetch_optional(&mut *db.read(Wall::Platform).await?)
        .await?;
        if previous.is_some_and(|at| now - at < wait) {
            return Err(DomainError::RateLimited);
        }
    }
    let row: Option<(String, Option<String>)> =
        sqlx::query_as("SELECT id, password_hash FROM users WHERE email_lower = $1")
            .bind(lower.clone())
            .fetch_optional(&mut *db.read(Wall::Platform).await?)
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
    let mut tx = db.begin(Wall::Platform).await?;
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

pub(super) fn hash_password(password: &str) -> DomainResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| DomainError::Internal(format!("argon2: {e}")))
}

pub(super) fn verify_password(password: &str, hash: &str) -> bool {
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
    let mut tx = db.begin(Wall::Platform).await?;
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
    db.write(
        Wall::Platform,
        sqlx::query("UPDATE users SET password_hash = NULL WHERE password_hash IS NOT NULL"),
    )
    .await?;
    Ok(())
}

/// Parses the values of an OpenID Provider's groups claim: `<tenant-name-or-id>/<group>`
/// each. Anything else (another application's groups) is left out.
pub fn parse_claimed_groups(values: &[String]) -> Vec<(String, String)> {
    values
        .iter()
        .filter_map(|v| {
            let (tenant, group) = v.trim().split_once('/')?;
            let (tenant, group) = (tenant.trim(), group.trim());
            // A role's group is never a claimed group: roles come from the roles claim.
            (!tenant.is_empty()
                && !group.is_empty()
                && !group.contains('/')
                && !policy::access::is_role_group(group))
            .then(|| (tenant.to_ascii_lowercase(), group.to_ascii_lowercase()))
        })
        .collect()
}

/// Sets a user's provider-given group memberships from the groups claim of a login:
/// afterwards the user is in exactly the claimed groups that exist in tenants they are
/// a member of, as far as the provider is concerned. Memberships an admin added in the
/// console are left alone. One transaction, and an audit record in each tenant whose
/// groups changed.
///
/// It crosses tenants (the claim names any number of them), which is why it lives here;
/// it only ever touches rows of this user, in tenants this user is a member of.
pub async fn sync_claimed_groups(
    db: &Db,
    user: &User,
    claimed: &[(String, String)],
) -> DomainResult<()> {
    let mut tx = db.begin(Wall::Platform).await?;
    // Every group the claim can name: those of the user's tenants.
    let rows = sqlx::query(
        "SELECT g.tenant_id, t.name AS tenant_name, g.id, g.name_key FROM iam_groups g \
         JOIN memberships m ON m.tenant_id = g.tenant_id AND m.user_id = $1 \
         JOIN tenants t ON t.id = g.tenant_id AND t.desired_state <> 'DELETED'",
    )
    .bind(user.id.as_text())
    .fetch_all(&mut *tx)
    .await?;
    let mut wanted: Vec<(String, String)> = Vec::new();
    for r in &rows {
        let (tenant_id, tenant_name, group_id, key): (String, String, String, String) = (
            r.try_get("tenant_id")?,
            r.try_get("tenant_name")?,
            r.try_get("id")?,
            r.try_get("name_key")?,
        );
        if claimed
            .iter()
            .any(|(t, g)| (*t == tenant_id || *t == tenant_name) && *g == key)
        {
            wanted.push((tenant_id, group_id));
        }
    }
    let current: Vec<(String, String)> = sqlx::query_as(
        "SELECT tenant_id, group_id FROM iam_group_members WHERE user_id = $1 AND source = 'oidc'",
    )
    .bind(user.id.as_text())
    .fetch_all(&mut *tx)
    .await?;
    let mut changed: Vec<String> = Vec::new();
    for (tenant, group) in current.iter().filter(|c| !wanted.contains(c)) {
        sqlx::query(
            "DELETE FROM iam_group_members WHERE tenant_id = $1 AND group_id = $2 AND user_id = $3 AND source = 'oidc'",
        )
        .bind(tenant.clone())
        .bind(group.clone())
        .bind(user.id.as_text())
        .execute(&mut *tx)
        .await?;
        changed.push(tenant.clone());
    }
    for (tenant, group) in wanted.iter().filter(|w| !current.contains(w)) {
        let exists: Option<String> = sqlx::query_scalar(
            "SELECT source FROM iam_group_members WHERE tenant_id = $1 AND group_id = $2 AND user_id = $3",
        )
        .bind(tenant.clone())
        .bind(group.clone())
        .bind(user.id.as_text())
        .fetch_optional(&mut *tx)
        .await?;
        if exists.is_some() {
            continue;
        }
        sqlx::query(
            "INSERT INTO iam_group_members (tenant_id, group_id, user_id, source, added_at) VALUES ($1, $2, $3, 'oidc', $4)",
        )
        .bind(tenant.clone())
        .bind(group.clone())
        .bind(user.id.as_text())
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
        changed.push(tenant.clone());
    }
    changed.sort();
    changed.dedup();
    for tenant in changed {
        let tenant: TenantId = col_id(&tenant)?;
        let groups: Vec<String> = rows
            .iter()
            .filter_map(|r| {
                let t: String = r.try_get("tenant_id").ok()?;
                let id: String = r.try_get("id").ok()?;
                let key: String = r.try_get("name_key").ok()?;
                (t == tenant.as_text() && wanted.iter().any(|(wt, wg)| *wt == t && *wg == id))
                    .then_some(key)
            })
            .collect();
        audit::record_global(
            &mut tx,
            tenant,
            Some(user.id),
            &user.label(),
            "group.claim_sync",
            &user.email,
            None,
            Some(groups.join(", ")),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
