//! Console API tokens: opaque bearer secrets (`tnt_…`), tied to a user, with an expiry.
//! Only a SHA-256 hash is stored, so a database leak does not leak usable tokens.

pub use crate::crypto::{hash_token, last_use_is_stale, random_text, LAST_USED_GRANULARITY_MS};
use crate::db::Wall;
use crate::directory::{principal_for_user, user_by_email};
use crate::ids::{col_id, TokenId, SYSTEM_TENANT_ID};
use crate::{audit, now_ms, Db, DomainError, DomainResult, Principal};

/// Every console token starts with this, so leaked tokens are easy to spot and scan for.
pub const TOKEN_PREFIX: &str = "tnt_";

/// Issues a token for the user with `email` (the `server admin token` command).
/// Returns the token once; it cannot be read back.
pub async fn issue_for_email(
    db: &Db,
    email: &str,
    ttl_ms: i64,
) -> DomainResult<(TokenId, String, i64)> {
    if ttl_ms <= 0 {
        return Err(DomainError::invalid(
            "ttl",
            "The lifetime must be positive.",
        ));
    }
    let user = user_by_email(db, email)
        .await?
        .ok_or(DomainError::NotFound("user"))?;
    let id = TokenId::new_random();
    let token = format!("{TOKEN_PREFIX}{}", random_text(32));
    let now = now_ms();
    let expires_at = now.saturating_add(ttl_ms);
    let mut tx = db.begin(Wall::Platform).await?;
    sqlx::query("INSERT INTO api_tokens (id, user_id, token_hash, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id.as_text())
        .bind(user.id.as_text())
        .bind(hash_token(&token))
        .bind("cli")
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
    audit::record_global(
        &mut tx,
        SYSTEM_TENANT_ID,
        Some(user.id),
        "server admin token",
        "api_token.issue",
        &user.email,
        None,
        Some(id.as_text()),
    )
    .await?;
    tx.commit().await?;
    Ok((id, token, expires_at))
}

/// The principal behind a console token, or unauthenticated for an unknown or expired one.
pub async fn principal_for_token(db: &Db, token: &str) -> DomainResult<Principal> {
    let row: Option<(String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, user_id, expires_at, last_used_at FROM api_tokens WHERE token_hash = $1",
    )
    .bind(hash_token(token.trim()))
    .fetch_optional(&mut *db.read(Wall::Platform).await?)
    .await?;
    let Some((id, user_id, expires_at, last_used_at)) = row else {
        return Err(DomainError::Unauthenticated("unknown API token"));
    };
    let now = now_ms();
    if expires_at <= now {
        return Err(DomainError::Unauthenticated("the API token has expired"));
    }
    if last_use_is_stale(last_used_at, now) {
        db.write(
            Wall::Platform,
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(id),
        )
        .await?;
    }
    principal_for_user(db, col_id(&user_id)?).await
}
