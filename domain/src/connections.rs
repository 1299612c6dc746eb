//! Cross-tenant connections (seed 000): the provider issues a one-time connection secret,
//! the consumer redeems it, and both sides then see one connection that either can
//! revoke. A connection carries no traffic by itself; network policies decide that.
//!
//! Redeeming is the one place where a tenant's request writes another tenant's rows:
//! the provider's secret is consumed and the provider's half of the connection is
//! created. That is the two-sided agreement itself, and it is confined to this module.

use crate::crypto::{hash_token, random_text};
use crate::db::Wall;
use crate::ids::{col_id, TenantId};
use crate::model::{clamp_limit, newest_first_cursor, Page};
use crate::{audit, now_ms, Db, DomainError, DomainResult, TenantScope};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

/// Every connection secret starts with this, so a leaked one is recognisable.
pub const SECRET_PREFIX: &str = "ncs_";
/// The default lifetime of a secret: 24 hours.
pub const DEFAULT_SECRET_TTL_SECONDS: i64 = 24 * 3600;
/// Shortest and longest lifetimes a secret may be given.
pub const MIN_SECRET_TTL_SECONDS: i64 = 5 * 60;
pub const MAX_SECRET_TTL_SECONDS: i64 = 30 * 24 * 3600;
/// Redemption attempts allowed per consumer tenant in the window.
pub const REDEEM_MAX_ATTEMPTS: i64 = 10;
/// Redemption attempts allowed per client address across all tenants in the window.
/// Higher than the tenant limit: behind a proxy without a trusted client header many
/// people share one address, and one tenant's mistakes must not block the others.
pub const REDEEM_CLIENT_MAX_ATTEMPTS: i64 = 60;
pub const REDEEM_WINDOW_MS: i64 = 10 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecretStatus {
    Pending,
    Used,
    Expired,
    Revoked,
}

impl SecretStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SecretStatus::Pending => "pending",
            SecretStatus::Used => "used",
            SecretStatus::Expired => "expired",
            SecretStatus::Revoked => "revoked",
        }
    }
}

/// A secret as listed: never the secret itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SecretInfo {
    pub id: String,
    /// The first characters, so people can tell secrets apart (`ncs_3f9a…`).
    pub hint: String,
    pub note: String,
    pub status: SecretStatus,
    pub created_at: i64,
    pub created_by: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub connection_id: Option<String>,
}

/// A freshly issued secret: the only time its value exists outside the holder's hands.
#[derive(Debug, Clone)]
pub struct IssuedSecret {
    pub info: SecretInfo,
    pub secret: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// This tenant issued the secret: it provides services to the remote tenant.
    Provides,
    /// This tenant redeemed the secret: it consumes the remote tenant's services.
    Consumes,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Connection {
    pub id: String,
    pub remote_tenant_id: TenantId,
    pub remote_tenant_name: String,
    pub direction: Direction,
    /// `Active` or `Revoked`.
    pub status: String,
    pub created_at: i64,
    pub created_by: String,
    pub revoked_at: Option<i64>,
    pub revoked_by: Option<String>,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Provides => "provides",
            Direction::Consumes => "consumes",
        }
    }
}

impl Connection {
    pub fn is_active(&self) -> bool {
        self.status == "Active"
    }
}

fn secret_status(row: &AnyRow, now: i64) -> DomainResult<SecretStatus> {
    Ok(if row.try_get::<Option<i64>, _>("revoked_at")?.is_some() {
        SecretStatus::Revoked
    } else if row.try_get::<Option<i64>, _>("used_at")?.is_some() {
        SecretStatus::Used
    } else if row.try_get::<i64, _>("expires_at")? <= now {
        SecretStatus::Expired
    } else {
        SecretStatus::Pending
    })
}

fn secret_from_row(row: &AnyRow, now: i64) -> DomainResult<SecretInfo> {
    Ok(SecretInfo {
        id: row.try_get("id")?,
        hint: row.try_get("hint")?,
        note: row.try_get("note")?,
        status: secret_status(row, now)?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        expires_at: row.try_get("expires_at")?,
        used_at: row.try_get("used_at")?,
        connection_id: row.try_get("connection_id")?,
    })
}

const SECRET_COLUMNS: &str =
    "id, hint, note, created_at, created_by, expires_at, revoked_at, used_at, connection_id";

/// Issues a one-time connection secret in the provider tenant (the scope). Only the
/// hash is stored; the value is returned once.
pub async fn create_secret(
    db: &Db,
    scope: &TenantScope,
    expires_in_seconds: Option<i64>,
    note: &str,
) -> DomainResult<IssuedSecret> {
    scope.require("CONNECTION_SECRET_CREATE")?;
    let ttl = expires_in_seconds.unwrap_or(DEFAULT_SECRET_TTL_SECONDS);
    if !(MIN_SECRET_TTL_SECONDS..=MAX_SECRET_TTL_SECONDS).contains(&ttl) {
        return Err(DomainError::invalid(
            "expires_in_seconds",
            "A secret expires after 5 minutes at the least and 30 days at the most.",
        ));
    }
    let note = note.trim();
    if note.chars().count() > 200 {
        return Err(DomainError::invalid(
            "note",
            "A note has at most 200 characters.",
        ));
    }
    // 32 random bytes: 256 bits, well above the 128 the design asks for.
    let secret = format!("{SECRET_PREFIX}{}", random_text(32));
    let hint = format!("{}…", &secret[..SECRET_PREFIX.len() + 6]);
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    let expires_at = now + ttl * 1000;
    let mut tx = db.begin(scope.wall()).await?;
    sqlx::query(
        "INSERT INTO connection_secrets (tenant_id, id, secret_hash, hint, note, created_at, created_by, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(scope.tenant_id().as_text())
    .bind(id.clone())
    .bind(hash_token(&secret))
    .bind(hint.clone())
    .bind(note.to_string())
    .bind(now)
    .bind(scope.actor_label().to_string())
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        scope,
        "connection_secret.create",
        &hint,
        None,
        Some(format!("expires {expires_at}")),
    )
    .await?;
    tx.commit().await?;
    Ok(IssuedSecret {
        info: SecretInfo {
            id,
            hint,
            note: note.to_string(),
            status: SecretStatus::Pending,
            created_at: now,
            created_by: scope.actor_label().to_string(),
            expires_at,
            used_at: None,
            connection_id: None,
        },
        secret,
    })
}

/// The provider's secrets, newest first.
pub async fn list_secrets(
    db: &Db,
    scope: &TenantScope,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> DomainResult<Page<SecretInfo>> {
    scope.require("CONNECTION_SECRET_MANAGE")?;
    let limit = clamp_limit(limit);
    let (at, id) = newest_first_cursor(cursor);
    let rows = sqlx::query(&format!(
        "SELECT {SECRET_COLUMNS} FROM connection_secrets WHERE tenant_id = $1 \
         AND (created_at < $2 OR (created_at = $2 AND id < $3)) ORDER BY created_at DESC, id DESC LIMIT $4"
    ))
    .bind(scope.tenant_id().as_text())
    .bind(at)
    .bind(id)
    .bind(limit + 1)
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?;
    let now = now_ms();
    let items = rows
        .iter()
        .map(|r| secret_from_row(r, now))
        .collect::<DomainResult<Vec<_>>>()?;
    let total: i64 = sqlx::query_scalar(&crate::model::capped_count_sql(
        "SELECT 1 FROM connection_secrets WHERE tenant_id = $1",
    ))
    .bind(scope.tenant_id().as_text())
    .fetch_one(&mut *db.read(scope.wall()).await?)
    .await?;
    Ok(
        Page::from_overfetch(items, limit, |s| format!("{}:{}", s.created_at, s.id))
            .with_total(total),
    )
}

/// Revokes a pending secret. A used, expired or already revoked secret is a conflict.
pub async fn revoke_secret(db: &Db, scope: &TenantScope, id: &str) -> DomainResult<SecretInfo> {
    scope.require("CONNECTION_SECRET_DELETE")?;
    let now = now_ms();
    let mut tx = db.begin(scope.wall()).await?;
    let res = sqlx::query(
        "UPDATE connection_secrets SET revoked_at = $1, revoked_by = $2 \
         WHERE tenant_id = $3 AND id = $4 AND revoked_at IS NULL AND used_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(scope.actor_label().to_string())
    .bind(scope.tenant_id().as_text())
    .bind(id.to_string())
    .execute(&mut *tx)
    .await?;
    let row = sqlx::query(&format!(
        "SELECT {SECRET_COLUMNS} FROM connection_secrets WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(scope.tenant_id().as_text())
    .bind(id.to_string())
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(DomainError::NotFound("connection secret"))?;
    let info = secret_from_row(&row, now)?;
    if res.rows_affected() != 1 {
        return Err(DomainError::conflict(
            "secret_not_pending",
            format!(
                "This secret is {} and can no longer be revoked.",
                info.status.as_str()
            ),
        ));
    }
    audit::record(
        &mut tx,
        scope,
        "connection_secret.revoke",
        &info.hint,
        Some("pending".into()),
        Some("revoked".into()),
    )
    .await?;
    tx.commit().await?;
    Ok(info)
}

/// Counts an attempt and refuses past the limit: first per consumer tenant, then per
/// client address (taken from the trusted proxy header when one is configured).
/// Committed on its own, so failed attempts count even though they change nothing else.
async fn count_attempt(db: &Db, scope: &TenantScope, client: &str) -> DomainResult<()> {
    let now = now_ms();
    let keys = [
        format!("tenant:{}", scope.tenant_id()),
        format!("client:{client}"),
    ];
    use crate::ratelimit::{count, record, Attempts::Redemptions};
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    record(db, Redemptions, &keys, now, REDEEM_WINDOW_MS).await?;
    let mut over = false;
    for (key, max) in keys
        .iter()
        .zip([REDEEM_MAX_ATTEMPTS, REDEEM_CLIENT_MAX_ATTEMPTS])
    {
        over |= count(db, Redemptions, key, now - REDEEM_WINDOW_MS).await? > max;
    }
    if over {
        Err(DomainError::RateLimited)
    } else {
        Ok(())
    }
}

fn redeem_error(code: &'static str, message: &str) -> DomainError {
    DomainError::conflict(code, message)
}

/// Redeems a secret for the consumer tenant (the scope). Exactly one redemption of a
/// secret can ever succeed: the secret is consumed by one conditional UPDATE, the first
/// write of the transaction, so concurrent attempts serialise on it (row lock on
/// Postgres, the write lock on SQLite) and every loser sees it used. Each failure has
/// its own code and changes nothing.
pub async fn redeem(
    db: &Db,
    scope: &TenantScope,
    secret: &str,
    client: &str,
) -> DomainResult<Connection> {
    redeem_at(db, scope, secret, client, now_ms()).await
}

/// [`redeem`] as of the time `now` (unix ms): lets tests probe the expiry boundary.
pub async fn redeem_at(
    db: &Db,
    scope: &TenantScope,
    secret: &str,
    client: &str,
    now: i64,
) -> DomainResult<Connection> {
    scope.require("CONNECTION_CREATE")?;
    count_attempt(db, scope, client).await?;
    let secret = secret.trim();
    if !secret.starts_with(SECRET_PREFIX) || secret.len() < SECRET_PREFIX.len() + 32 {
        return Err(redeem_error(
            "secret_unknown",
            "This is not a connection secret. Paste the whole secret, starting with ncs_.",
        ));
    }
    let hash = hash_token(secret);
    let consumer = scope.tenant_id();
    let connection_id = uuid::Uuid::new_v4().to_string();

    // Both tenants' rows (the secret's, and a half of the connection in each): above
    // either tenant's wall.
    let mut tx = db.begin(Wall::Platform).await?;
    let used = sqlx::query(
        "UPDATE connection_secrets SET used_at = $1, used_by_tenant = $2, connection_id = $3 \
         WHERE secret_hash = $4 AND tenant_id <> $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1 \
         AND tenant_id NOT IN (SELECT id FROM tenants WHERE desired_state = 'DELETED')",
    )
    .bind(now)
    .bind(consumer.as_text())
    .bind(connection_id.clone())
    .bind(hash.clone())
    .execute(&mut *tx)
    .await?;
    if used.rows_affected() != 1 {
        tx.rollback().await?;
        return Err(classify_refusal(db, consumer, &hash, now).await?);
    }
    let row = sqlx::query("SELECT s.tenant_id, s.hint, t.name FROM connection_secrets s JOIN tenants t ON t.id = s.tenant_id WHERE s.secret_hash = $1")
        .bind(hash)
        .fetch_one(&mut *tx)
        .await?;
    let provider: TenantId = col_id(&row.try_get::<String, _>("tenant_id")?)?;
    let provider_name: String = row.try_get("name")?;
    let hint: String = row.try_get("hint")?;
    let actor = scope.actor_label().to_string();
    for (side, remote, remote_name, direction) in [
        (consumer, provider, provider_name.as_str(), "consumes"),
        (provider, consumer, scope.tenant_name(), "provides"),
    ] {
        sqlx::query(
            "INSERT INTO connections (tenant_id, id, remote_tenant_id, remote_tenant_name, direction, status, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, 'Active', $6, $7)",
        )
        .bind(side.as_text())
        .bind(connection_id.clone())
        .bind(remote.as_text())
        .bind(remote_name.to_string())
        .bind(direction)
        .bind(now)
        .bind(actor.clone())
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            if crate::error::is_unique_violation(&e) {
                redeem_error("already_connected", "These two tenants already have an active connection. Revoke it before making a new one.")
            } else {
                e.into()
            }
        })?;
    }
    audit::record(
        &mut tx,
        scope,
        "connection.create",
        &provider_name,
        None,
        Some(format!("consumes from {provider} via {hint}")),
    )
    .await?;
    audit::record_global(
        &mut tx,
        provider,
        Some(scope.actor_id()),
        &actor,
        "connection.create",
        scope.tenant_name(),
        None,
        Some(format!("provides to {consumer} via {hint}")),
    )
    .await?;
    tx.commit().await?;
    Ok(Connection {
        id: connection_id,
        remote_tenant_id: provider,
        remote_tenant_name: provider_name,
        direction: Direction::Consumes,
        status: "Active".into(),
        created_at: now,
        created_by: actor,
        revoked_at: None,
        revoked_by: None,
    })
}

/// Says why a secret could not be redeemed, each reason with its own code.
async fn classify_refusal(
    db: &Db,
    consumer: TenantId,
    hash: &str,
    now: i64,
) -> DomainResult<DomainError> {
    let row = sqlx::query(
        "SELECT s.tenant_id, s.expires_at, s.revoked_at, s.used_at, t.desired_state FROM connection_secrets s \
         JOIN tenants t ON t.id = s.tenant_id WHERE s.secret_hash = $1",
    )
        .bind(hash.to_string())
        .fetch_optional(&mut *db.read(Wall::Platform).await?)
        .await?;
    let Some(row) = row else {
        return Ok(redeem_error(
            "secret_unknown",
            "No connection secret matches. Check that you pasted the whole secret.",
        ));
    };
    if row.try_get::<String, _>("tenant_id")? == consumer.as_text() {
        return Ok(redeem_error(
            "self_connection",
            "This secret was issued by this tenant. A tenant cannot connect to itself.",
        ));
    }
    if row.try_get::<String, _>("desired_state")? == "DELETED" {
        return Ok(redeem_error(
            "secret_revoked",
            "The tenant that issued this secret is being deleted.",
        ));
    }
    Ok(match secret_status(&row, now)? {
        SecretStatus::Revoked => redeem_error(
            "secret_revoked",
            "This secret was revoked by the tenant that issued it.",
        ),
        SecretStatus::Used => redeem_error(
            "secret_used",
            "This secret has already been used. Ask the provider for a new one.",
        ),
        SecretStatus::Expired => redeem_error(
            "secret_expired",
            "This secret has expired. Ask the provider for a new one.",
        ),
        SecretStatus::Pending => DomainError::Internal("secret pending but not redeemable".into()),
    })
}

fn connection_from_row(row: &AnyRow) -> DomainResult<Connection> {
    let direction: String = row.try_get("direction")?;
    Ok(Connection {
        id: row.try_get("id")?,
        remote_tenant_id: col_id(&row.try_get::<String, _>("remote_tenant_id")?)?,
        remote_tenant_name: row.try_get("remote_tenant_name")?,
        direction: if direction == "provides" {
            Direction::Provides
        } else {
            Direction::Consumes
        },
        status: row.try_get("status")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        revoked_at: row.try_get("revoked_at")?,
        revoked_by: row.try_get("revoked_by")?,
    })
}

const CONNECTION_COLUMNS: &str =
    "id, remote_tenant_id, remote_tenant_name, direction, status, created_at, created_by, revoked_at, revoked_by";

/// This tenant's connections in both directions, newest first.
pub async fn list_connections(
    db: &Db,
    scope: &TenantScope,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> DomainResult<Page<Connection>> {
    scope.require("CONNECTION_READ")?;
    let limit = clamp_limit(limit);
    let (at, id) = newest_first_cursor(cursor);
    let rows = sqlx::query(&format!(
        "SELECT {CONNECTION_COLUMNS} FROM connections WHERE tenant_id = $1 \
         AND (created_at < $2 OR (created_at = $2 AND id < $3)) ORDER BY created_at DESC, id DESC LIMIT $4"
    ))
    .bind(scope.tenant_id().as_text())
    .bind(at)
    .bind(id)
    .bind(limit + 1)
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?;
    let items = rows
        .iter()
        .map(connection_from_row)
        .collect::<DomainResult<Vec<_>>>()?;
    let total: i64 = sqlx::query_scalar(&crate::model::capped_count_sql(
        "SELECT 1 FROM connections WHERE tenant_id = $1",
    ))
    .bind(scope.tenant_id().as_text())
    .fetch_one(&mut *db.read(scope.wall()).await?)
    .await?;
    Ok(
        Page::from_overfetch(items, limit, |c| format!("{}:{}", c.created_at, c.id))
            .with_total(total),
    )
}

/// One connection of this tenant, or not found (another tenant's id included).
pub async fn get_connection(db: &Db, scope: &TenantScope, id: &str) -> DomainResult<Connection> {
    scope.require("CONNECTION_READ")?;
    let row = sqlx::query(&format!(
        "SELECT {CONNECTION_COLUMNS} FROM connections WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(scope.tenant_id().as_text())
    .bind(id.to_string())
    .fetch_optional(&mut *db.read(scope.wall()).await?)
    .await?
    .ok_or(DomainError::NotFound("connection"))?;
    connection_from_row(&row)
}

/// Revokes a connection from either side; both sides then see it `Revoked`, and both
/// audit logs say who did it.
pub async fn revoke_connection(db: &Db, scope: &TenantScope, id: &str) -> DomainResult<Connection> {
    scope.require("CONNECTION_DELETE")?;
    let current = get_connection(db, scope, id).await?;
    if !current.is_active() {
        return Err(DomainError::conflict(
            "connection_revoked",
            "This connection is already revoked.",
        ));
    }
    let now = now_ms();
    let actor = format!("{} ({})", scope.actor_label(), scope.tenant_name());
    // Both halves of the connection: above either tenant's wall.
    let mut tx = db.begin(Wall::Platform).await?;
    // Both halves, addressed by the pair of tenants this connection joins.
    for (side, remote) in [
        (scope.tenant_id(), current.remote_tenant_id),
        (current.remote_tenant_id, scope.tenant_id()),
    ] {
        sqlx::query(
            "UPDATE connections SET status = 'Revoked', revoked_at = $1, revoked_by = $2 \
             WHERE tenant_id = $3 AND id = $4 AND remote_tenant_id = $5 AND status = 'Active'",
        )
        .bind(now)
        .bind(actor.clone())
        .bind(side.as_text())
        .bind(id.to_string())
        .bind(remote.as_text())
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut tx,
        scope,
        "connection.revoke",
        &current.remote_tenant_name,
        Some("Active".into()),
        Some("Revoked".into()),
    )
    .await?;
    audit::record_global(
        &mut tx,
        current.remote_tenant_id,
        Some(scope.actor_id()),
        &actor,
        "connection.revoke",
        scope.tenant_name(),
        Some("Active".into()),
        Some("Revoked".into()),
    )
    .await?;
    // The peer did not ask for it: tell its admins.
    crate::lifecycle::alerts::raise(
        &mut tx,
        current.remote_tenant_id,
        "connection_revoked",
        crate::lifecycle::alerts::Severity::Warning,
        &format!(
            "Tenant {} revoked its connection with you.",
            scope.tenant_name()
        ),
        &format!("connection_revoked:{id}"),
    )
    .await?;
    tx.commit().await?;
    get_connection(db, scope, id).await
}
