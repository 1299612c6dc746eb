//! Memberships of the scope's tenant: who holds which role there.

use crate::audit;
use crate::directory::{insert_pending_user, user_by_email};
use crate::ids::{col_id, UserId};
use crate::model::{capped_count_sql, clamp_limit, Member, Page};
use crate::validate::{self, like_pattern};
use crate::{now_ms, Db, DomainError, DomainResult, TenantScope};
use policy::Role;
use sqlx::Row;

/// Lists the tenant's members by email, with an optional search and keyset paging.
pub async fn list(
    db: &Db,
    scope: &TenantScope,
    q: &str,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> DomainResult<Page<Member>> {
    scope.require("MEMBER_READ")?;
    let limit = clamp_limit(limit);
    let rows = sqlx::query(
        "SELECT u.id, u.email, u.email_lower, u.name, m.joined_at, m.role, m.created_at FROM memberships m \
         JOIN users u ON u.id = m.user_id \
         WHERE m.tenant_id = $1 AND ($2 = '%%' OR u.email_lower LIKE $2 ESCAPE '\\' OR lower(u.name) LIKE $2 ESCAPE '\\') \
         AND u.email_lower > $3 ORDER BY u.email_lower LIMIT $4",
    )
    .bind(scope.tenant_id().as_text())
    .bind(like_pattern(q))
    .bind(cursor.unwrap_or("").to_string())
    .bind(limit + 1)
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let role: String = row.try_get("role")?;
        let pending = row.try_get::<Option<i64>, _>("joined_at")?.is_none();
        items.push(Member {
            user_id: col_id(&row.try_get::<String, _>("id")?)?,
            email: row.try_get("email")?,
            // Until they sign in, a member is the address the admin typed, nothing more.
            name: if pending {
                String::new()
            } else {
                row.try_get("name")?
            },
            role: role
                .parse()
                .map_err(|_| DomainError::Internal(format!("bad role {role}")))?,
            added_at: row.try_get("created_at")?,
            pending,
        });
    }
    let total: i64 = sqlx::query_scalar(&capped_count_sql(
        "SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.tenant_id = $1 AND ($2 = '%%' OR u.email_lower LIKE $2 ESCAPE '\\' OR lower(u.name) LIKE $2 ESCAPE '\\')",
    ))
    .bind(scope.tenant_id().as_text())
    .bind(like_pattern(q))
    .fetch_one(&mut *db.read(scope.wall()).await?)
    .await?;
    Ok(Page::from_overfetch(items, limit, |m: &Member| m.email.to_lowercase()).with_total(total))
}

/// Adds a member by email. An address nobody has claimed yet creates a pending user (an
/// invitation), bound to an identity at first login with that *verified* address.
///
/// The answer is the same whether or not the address already belongs to someone on the
/// platform: the new member shows as invited, with no name, until they sign in. So a
/// tenant admin cannot use this to find out who exists elsewhere.
pub async fn add(db: &Db, scope: &TenantScope, email: &str, role: Role) -> DomainResult<Member> {
    scope.require("MEMBER_CREATE")?;
    scope.require_grant(role)?;
    let email = validate::email(email)?;
    let mut tx = db.begin(scope.wall()).await?;
    let member = insert(db, &mut tx, scope, &email, role).await?;
    tx.commit().await?;
    Ok(member)
}

/// Adds a membership inside the caller's transaction, with its audit record: for
/// [`add`], and for a group's page, which can invite someone as a member with no role.
/// The caller has checked `MEMBER_CREATE`, the right to grant `role`, and the address.
pub(crate) async fn insert(
    db: &Db,
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    scope: &TenantScope,
    email: &str,
    role: Role,
) -> DomainResult<Member> {
    let user = match user_by_email(db, email).await? {
        Some(u) => u,
        None => insert_pending_user(tx, email, "").await?,
    };
    let now = now_ms();
    sqlx::query("INSERT INTO memberships (tenant_id, user_id, role, created_at, created_by) VALUES ($1, $2, $3, $4, $5)")
        .bind(scope.tenant_id().as_text())
        .bind(user.id.as_text())
        .bind(role.as_str())
        .bind(now)
        .bind(scope.actor_id().as_text())
        .execute(&mut **tx)
        .await
        .map_err(|e| {
            if crate::error::is_unique_violation(&e) {
                DomainError::conflict("already_member", format!("{email} is already a member of this tenant."))
            } else {
                e.into()
            }
        })?;
    crate::directory::roles_changed(tx, user.id).await?;
    audit::record(
        tx,
        scope,
        "member.add",
        email,
        None,
        Some(role.as_str().to_string()),
    )
    .await?;
    Ok(Member {
        user_id: user.id,
        email: email.to_string(),
        name: String::new(),
        role,
        added_at: now,
        pending: true,
    })
}

/// Reads one membership of this tenant, or not found.
async fn current(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    scope: &TenantScope,
    user: UserId,
) -> DomainResult<(String, Role)> {
    let row: Option<(String, String)> = sqlx::query_as(
        "SELECT u.email, m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = $1 AND m.user_id = $2",
    )
    .bind(scope.tenant_id().as_text())
    .bind(user.as_text())
    .fetch_optional(&mut **tx)
    .await?;
    let (email, role) = row.ok_or(DomainError::NotFound("member"))?;
    let role = role
        .parse()
        .map_err(|_| DomainError::Internal(format!("bad role {role}")))?;
    Ok((email, role))
}

/// Changing or removing a membership needs the right to grant both the old and the new
/// role, so a tenant admin cannot touch a global admin's membership; and nobody changes
/// their own, so an admin cannot lock themselves out by accident.
fn check_change(scope: &TenantScope, user: UserId, old: Role) -> DomainResult<()> {
    if user == scope.actor_id() {
        return Err(DomainError::Forbidden(
            "You cannot change or remove your own membership.".into(),
        ));
    }
    scope.require_grant(old)
}

/// Serialises membership changes of one tenant: the first write of the transaction
/// touches the tenant's row (a row lock on Postgres, the write lock on SQLite), so two
/// admins changing each other at once run one after the other and the second sees the
/// first's result.
async fn lock_tenant(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    scope: &TenantScope,
) -> DomainResult<()> {
    sqlx::query("UPDATE tenants SET updated_at = updated_at WHERE id = $1")
        .bind(scope.tenant_id().as_text())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A tenant's own admins may not leave it without one: after the change, at least one
/// member with a managing role must remain. Global admins can always repair a tenant,
/// so the guard holds for tenant admins only.
async fn keep_an_admin(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    scope: &TenantScope,
) -> DomainResult<()> {
    if scope.is_global_admin() {
        return Ok(());
    }
    let admins: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM memberships WHERE tenant_id = $1 AND role IN ('tenant-admin', 'admin')",
    )
    .bind(scope.tenant_id().as_text())
    .fetch_one(&mut **tx)
    .await?;
    if admins == 0 {
        return Err(DomainError::conflict(
            "last_admin",
            "This would leave the tenant without an admin. Make someone else tenant admin first.",
        ));
    }
    Ok(())
}

pub async fn change_role(
    db: &Db,
    scope: &TenantScope,
    user: UserId,
    role: Role,
) -> DomainResult<Member> {
    scope.require("MEMBER_UPDATE")?;
    let mut tx = db.begin(scope.wall()).await?;
    lock_tenant(&mut tx, scope).await?;
    let (email, old) = current(&mut tx, scope, user).await?;
    check_change(scope, user, old)?;
    scope.require_grant(role)?;
    sqlx::query("UPDATE memberships SET role = $1 WHERE tenant_id = $2 AND user_id = $3")
        .bind(role.as_str())
        .bind(scope.tenant_id().as_text())
        .bind(user.as_text())
        .execute(&mut *tx)
        .await?;
    keep_an_admin(&mut tx, scope).await?;
    crate::directory::roles_changed(&mut tx, user).await?;
    audit::record(
        &mut tx,
        scope,
        "member.change_role",
        &email,
        Some(old.as_str().into()),
        Some(role.as_str().into()),
    )
    .await?;
    // Read the changed row back by its key, in the same transaction (a search by email
    // could match another member first).
    let row = sqlx::query(
        "SELECT u.email, u.name, m.joined_at, m.created_at FROM memberships m JOIN users u ON u.id = m.user_id \
         WHERE m.tenant_id = $1 AND m.user_id = $2",
    )
    .bind(scope.tenant_id().as_text())
    .bind(user.as_text())
    .fetch_one(&mut *tx)
    .await?;
    let pending = row.try_get::<Option<i64>, _>("joined_at")?.is_none();
    let member = Member {
        user_id: user,
        email: row.try_get("email")?,
        name: if pending {
            String::new()
        } else {
            row.try_get("name")?
        },
        role,
        added_at: row.try_get("created_at")?,
        pending,
    };
    tx.commit().await?;
    Ok(member)
}

pub async fn remove(db: &Db, scope: &TenantScope, user: UserId) -> DomainResult<()> {
    scope.require("MEMBER_DELETE")?;
    let mut tx = db.begin(scope.wall()).await?;
    lock_tenant(&mut tx, scope).await?;
    let (email, old) = current(&mut tx, scope, user).await?;
    check_change(scope, user, old)?;
    sqlx::query("DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2")
        .bind(scope.tenant_id().as_text())
        .bind(user.as_text())
        .execute(&mut *tx)
        .await?;
    keep_an_admin(&mut tx, scope).await?;
    crate::directory::roles_changed(&mut tx, user).await?;
    sqlx::query("DELETE FROM recent_tenants WHERE tenant_id = $1 AND user_id = $2")
        .bind(scope.tenant_id().as_text())
        .bind(user.as_text())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        scope,
        "member.remove",
        &email,
        Some(old.as_str().into()),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What a tenant admin checks first: the tenant's contents counted, traffic over the
/// last 30 days, and when something last changed.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TenantStats {
    pub members: i64,
    pub admins: i64,
    pub connections_active: i64,
    pub connections_revoked: i64,
    /// Secrets issued and still redeemable.
    pub secrets_pending: i64,
    pub services: i64,
    pub workspaces: i64,
    pub policies: i64,
    pub iam_policies: i64,
    /// Bytes over the tenant's connections in the last 30 days (UTC days).
    pub traffic_30d: i64,
    pub last_activity_at: Option<i64>,
}

/// The dashboard's numbers in one statement: each a count over an index on
/// `tenant_id` (the latest audit event reads one index entry).
pub async fn stats(db: &Db, scope: &TenantScope) -> DomainResult<TenantStats> {
    scope.require("MEMBER_READ")?;
    let now = now_ms();
    let since_day = now.div_euclid(crate::model::DAY_MS) - 29;
    let row = sqlx::query(
        "SELECT \
         (SELECT COUNT(*) FROM memberships WHERE tenant_id = $1) AS members, \
         (SELECT COUNT(*) FROM memberships WHERE tenant_id = $1 AND role IN ('tenant-admin', 'admin')) AS admins, \
         (SELECT COUNT(*) FROM connections WHERE tenant_id = $1 AND status = 'Active') AS c_active, \
         (SELECT COUNT(*) FROM connections WHERE tenant_id = $1 AND status = 'Revoked') AS c_revoked, \
         (SELECT COUNT(*) FROM connection_secrets WHERE tenant_id = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2) AS secrets, \
         (SELECT COUNT(*) FROM services WHERE tenant_id = $1) AS services, \
         (SELECT COUNT(*) FROM workspaces WHERE tenant_id = $1) AS workspaces, \
         (SELECT COUNT(*) FROM network_policies WHERE tenant_id = $1) AS policies, \
         (SELECT COUNT(*) FROM iam_policies WHERE tenant_id = $1) AS iam_policies, \
         CAST((SELECT COALESCE(SUM(bytes), 0) FROM traffic_daily WHERE tenant_id = $1 AND day >= $3) AS BIGINT) AS traffic, \
         (SELECT MAX(at) FROM audit_events WHERE tenant_id = $1) AS last",
    )
    .bind(scope.tenant_id().as_text())
    .bind(now)
    .bind(since_day)
    .fetch_one(&mut *db.read(scope.wall()).await?)
    .await?;
    Ok(TenantStats {
        members: row.try_get("members")?,
        admins: row.try_get("admins")?,
        connections_active: row.try_get("c_active")?,
        connections_revoked: row.try_get("c_revoked")?,
        secrets_pending: row.try_get("secrets")?,
        services: row.try_get("services")?,
        workspaces: row.try_get("workspaces")?,
        policies: row.try_get("policies")?,
        iam_policies: row.try_get("iam_policies")?,
        traffic_30d: row.try_get("traffic")?,
        last_activity_at: row.try_get("last")?,
    })
}
