//! The one module of queries that are not confined to a single tenant, kept small so it
//! can be reviewed as a whole: the tenants a caller may see, creating tenants (global
//! admins), users and their login (OIDC upsert, the bootstrap admin), and principals.
//! Everything here either checks `Principal::is_global_admin` or filters by the
//! caller's own memberships.

use crate::audit;
use crate::db::Wall;
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
    Ok(load_principal(db, user_id, None).await?.0)
}

/// The principal of a console session that began at `login_at`. A session begun before
/// the user's `sessions_valid_from` (set when a tenant of theirs was deleted) has ended.
pub async fn principal_for_session(
    db: &Db,
    user_id: UserId,
    login_at: i64,
) -> DomainResult<Principal> {
    Ok(load_principal(db, user_id, Some(login_at)).await?.0)
}

/// [`principal_for_session`] plus when the user's roles last changed (unix ms), in the
/// same read: a session that has not seen that change moves to a fresh id.
pub async fn session_principal(
    db: &Db,
    user_id: UserId,
    login_at: i64,
) -> DomainResult<(Principal, i64)> {
    load_principal(db, user_id, Some(login_at)).await
}

async fn load_principal(
    db: &Db,
    user_id: UserId,
    session_began: Option<i64>,
) -> DomainResult<(Principal, i64)> {
    let ended = DomainError::Unauthenticated("your session has ended, please log in again");
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS}, users.sessions_valid_from, users.roles_changed_at, (SELECT m.role FROM memberships m WHERE m.tenant_id = $2 AND m.user_id = users.id) AS system_role \
         FROM users WHERE id = $1"
    ))
    .bind(user_id.as_text())
    .bind(SYSTEM_TENANT_ID.as_text())
    .fetch_optional(&mut *db.read(Wall::Platform).await?)
    .await?
    .ok_or(ended)?;
    if let Some(began) = session_began {
        if began < row.try_get::<i64, _>("sessions_valid_from")? {
            return Err(DomainError::Unauthenticated(
                "your session has ended, please log in again",
            ));
        }
    }
    let user = user_from_row(&row)?;
    let global = row.try_get::<Option<String>, _>("system_role")?.as_deref() == Some("admin");
    let roles_changed_at = row.try_get::<i64, _>("roles_changed_at")?;
    Ok((Principal::new(user, global, None), roles_changed_at))
}

/// Notes, inside the caller's transaction, that `user`'s roles changed now: their
/// console sessions move to fresh ids at their next request (see
/// [`session_principal`]).
pub(crate) async fn roles_changed(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    user: UserId,
) -> DomainResult<()> {
    sqlx::query("UPDATE users SET roles_changed_at = $1 WHERE id = $2")
        .bind(crate::now_ms())
        .bind(user.as_text())
        .execute(&mut **tx)
        .await?;
    Ok(())
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
        .fetch_optional(&mut *db.read(Wall::Platform).await?)
        .await?;
    row.as_ref().map(user_from_row).transpose()
}

pub async fn user_by_email(db: &Db, email: &str) -> DomainResult<Option<User>> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE email_lower = $1"
    ))
    .bind(email.trim().to_lowercase())
    .fetch_optional(&mut *db.read(Wall::Platform).await?)
    .await?;
    row.as_ref().map(user_from_row).transpose()
}

async fn user_by_identity(db: &Db, issuer: &str, subject: &str) -> DomainResult<Option<User>> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE issuer = $1 AND subject = $2"
    ))
    .bind(issuer.to_string())
    .bind(subject.to_string())
    .fetch_optional(&mut *db.read(Wall::Platform).await?)
    .await?;
    row.as_ref().map(user_from_row).transpose()
}

mod login;
pub use login::*;
mod users;
pub use users::*;
mod tenants;
pub use tenants::*;
mod platform;
pub use platform::*;
