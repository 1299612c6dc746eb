//! Users provisioned by a global admin before they first sign in.

use super::*;
use crate::db::Wall;

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
    let mut tx = db.begin(Wall::Platform).await?;
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
