//! A tenant's groups: the subjects its IAM statements name (`Allow group netops …`).
//!
//! A group belongs to one tenant, and its members are members of that tenant (the
//! table's foreign key to `memberships` removes them with the membership). Changing a
//! group's members changes what they may do at their next request: the authorisation
//! step reads a caller's groups afresh whenever the tenant has statements of its own.

use crate::directory::user_by_email;
use crate::ids::{col_id, GroupId, UserId};
use crate::model::{capped_count_sql, clamp_limit, Page};
use crate::validate::{self, like_pattern};
use crate::{audit, now_ms, Db, DomainError, DomainResult, TenantScope};
use policy::Role;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    pub description: String,
    pub members: i64,
    pub created_at: i64,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupMember {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    /// `console` (added here) or `oidc` (set by the provider's groups claim at login).
    pub source: String,
    pub added_at: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupDetail {
    pub group: Group,
    pub members: Vec<GroupMember>,
}

const SELECT: &str = "SELECT g.id, g.name, g.description, g.created_at, g.created_by, \
    (SELECT COUNT(*) FROM iam_group_members gm WHERE gm.tenant_id = g.tenant_id AND gm.group_id = g.id) AS members \
    FROM iam_groups g";

fn from_row(row: &AnyRow) -> DomainResult<Group> {
    Ok(Group {
        id: col_id(&row.try_get::<String, _>("id")?)?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        members: row.try_get("members")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

/// A name a group may have here: the tenant-name rule, and not a role's group.
pub fn check_group_name(raw: &str) -> DomainResult<String> {
    let name = validate::group_name(raw)?;
    if policy::access::is_role_group(&name) {
        return Err(DomainError::invalid(
            "name",
            format!("{name} is the group of a built-in role: choose another name."),
        ));
    }
    Ok(name)
}

/// The tenant's groups by name; `q` matches part of a name. The cursor is the last name.
pub async fn list_groups(
    db: &Db,
    scope: &TenantScope,
    q: &str,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> DomainResult<Page<Group>> {
    scope.require("GROUP_READ")?;
    let limit = clamp_limit(limit);
    let pattern = like_pattern(&q.to_ascii_lowercase());
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE g.tenant_id = $1 AND g.name_key > $2 AND g.name_key LIKE $3 ESCAPE '\\' ORDER BY g.name_key LIMIT $4"
    ))
    .bind(scope.tenant_id().as_text())
    .bind(cursor.unwrap_or("").to_string())
    .bind(pattern.clone())
    .bind(limit + 1)
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?;
    let items = rows
        .iter()
        .map(from_row)
        .collect::<DomainResult<Vec<_>>>()?;
    let total: i64 = sqlx::query_scalar(&capped_count_sql(
        "SELECT 1 FROM iam_groups WHERE tenant_id = $1 AND name_key LIKE $2 ESCAPE '\\'",
    ))
    .bind(scope.tenant_id().as_text())
    .bind(pattern)
    .fetch_one(&mut *db.read(scope.wall()).await?)
    .await?;
    Ok(Page::from_overfetch(items, limit, |g: &Group| g.name.clone()).with_total(total))
}

async fn find(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    scope: &TenantScope,
    name: &str,
) -> DomainResult<Group> {
    let row = sqlx::query(&format!(
        "{SELECT} WHERE g.tenant_id = $1 AND g.name_key = $2"
    ))
    .bind(scope.tenant_id().as_text())
    .bind(name.trim().to_ascii_lowercase())
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(DomainError::NotFound("group"))?;
    from_row(&row)
}

/// One group with its members (by email).
pub async fn get_group(db: &Db, scope: &TenantScope, name: &str) -> DomainResult<GroupDetail> {
    scope.require("GROUP_READ")?;
    let mut tx = db.begin(scope.wall()).await?;
    let group = find(&mut tx, scope, name).await?;
    let rows = sqlx::query(
        "SELECT u.id, u.email, u.name, gm.source, gm.added_at FROM iam_group_members gm \
         JOIN users u ON u.id = gm.user_id \
         WHERE gm.tenant_id = $1 AND gm.group_id = $2 ORDER BY u.email_lower LIMIT 1000",
    )
    .bind(scope.tenant_id().as_text())
    .bind(group.id.as_text())
    .fetch_all(&mut *tx)
    .await?;
    tx.rollback().await?;
    let members = rows
        .iter()
        .map(|r| {
            Ok(GroupMember {
                user_id: col_id(&r.try_get::<String, _>("id")?)?,
                email: r.try_get("email")?,
                name: r.try_get("name")?,
                source: r.try_get("source")?,
                added_at: r.try_get("added_at")?,
            })
        })
        .collect::<DomainResult<Vec<_>>>()?;
    Ok(GroupDetail { group, members })
}

/// Creates an empty group.
pub async fn create_group(
    db: &Db,
    scope: &TenantScope,
    name: &str,
    description: &str,
) -> DomainResult<Group> {
    scope.require("GROUP_CREATE")?;
    let name = check_group_name(name)?;
    let description = validate::description(description)?;
    let id = GroupId::new_random();
    let now = now_ms();
    let mut tx = db.begin(scope.wall()).await?;
    sqlx::query(
        "INSERT INTO iam_groups (tenant_id, id, name, name_key, description, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(scope.tenant_id().as_text())
    .bind(id.as_text())
    .bind(name.clone())
    .bind(name.to_ascii_lowercase())
    .bind(description.clone())
    .bind(now)
    .bind(scope.actor_label().to_string())
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        crate::error::unique(
            e,
            "group_exists",
            format!("A group named {name} already exists in this tenant."),
        )
    })?;
    audit::record(
        &mut tx,
        scope,
        "group.create",
        &name,
        None,
        Some(description.clone()),
    )
    .await?;
    tx.commit().await?;
    Ok(Group {
        id,
        name,
        description,
        members: 0,
        created_at: now,
        created_by: scope.actor_label().to_string(),
    })
}

/// Deletes a group and its memberships. Statements that name it stay, and match nobody
/// until a group of that name exists again.
pub async fn delete_group(db: &Db, scope: &TenantScope, name: &str) -> DomainResult<Group> {
    scope.require("GROUP_DELETE")?;
    let mut tx = db.begin(scope.wall()).await?;
    let group = find(&mut tx, scope, name).await?;
    for table in ["iam_group_members", "iam_groups"] {
        let column = if table == "iam_groups" {
            "id"
        } else {
            "group_id"
        };
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE tenant_id = $1 AND {column} = $2"
        ))
        .bind(scope.tenant_id().as_text())
        .bind(group.id.as_text())
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut tx,
        scope,
        "group.delete",
        &group.name,
        Some(format!("{} members", group.members)),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(group)
}

/// Adds a member of this tenant to a group, by email; anyone else is refused with a hint.
pub async fn add_group_member(
    db: &Db,
    scope: &TenantScope,
    name: &str,
    email: &str,
) -> DomainResult<GroupMember> {
    join_group(db, scope, name, email, false).await
}

/// Adds someone to a group, by email, inviting them into the tenant first when they are
/// not a member yet: they join as a member with no role ([`Role::Member`]), in the same
/// transaction, so the group's statements are all they get. Inviting needs the right to
/// add members as well as the right to change the group.
pub async fn invite_to_group(
    db: &Db,
    scope: &TenantScope,
    name: &str,
    email: &str,
) -> DomainResult<GroupMember> {
    join_group(db, scope, name, email, true).await
}

/// A group's members are members of its tenant: see [`add_group_member`] and
/// [`invite_to_group`].
async fn join_group(
    db: &Db,
    scope: &TenantScope,
    name: &str,
    email: &str,
    invite: bool,
) -> DomainResult<GroupMember> {
    scope.require("GROUP_UPDATE")?;
    let email = validate::email(email)?;
    let mut tx = db.begin(scope.wall()).await?;
    let group = find(&mut tx, scope, name).await?;
    // Someone elsewhere (or nowhere) gets the same answer as a stranger, so the form
    // does not tell who exists on the platform.
    let existing = user_by_email(db, &email).await?;
    let is_member = match &existing {
        Some(user) => sqlx::query_scalar::<_, String>(
            "SELECT role FROM memberships WHERE tenant_id = $1 AND user_id = $2",
        )
        .bind(scope.tenant_id().as_text())
        .bind(user.id.as_text())
        .fetch_optional(&mut *tx)
        .await?
        .is_some(),
        None => false,
    };
    let (user_id, user_name) = match existing {
        Some(user) if is_member => (user.id, user.name),
        _ if invite => {
            scope.require("MEMBER_CREATE")?;
            scope.require_grant(Role::Member)?;
            let member = crate::members::insert(db, &mut tx, scope, &email, Role::Member).await?;
            (member.user_id, member.name)
        }
        _ => {
            return Err(DomainError::invalid(
                "email",
                format!(
                    "{email} is not a member of this tenant: invite them here as a member with no role, or add them on the Members page first."
                ),
            ))
        }
    };
    let now = now_ms();
    sqlx::query(
        "INSERT INTO iam_group_members (tenant_id, group_id, user_id, source, added_at) VALUES ($1, $2, $3, 'console', $4)",
    )
    .bind(scope.tenant_id().as_text())
    .bind(group.id.as_text())
    .bind(user_id.as_text())
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(|e| {
        crate::error::unique(
            e,
            "already_in_group",
            format!("{email} is already in {}.", group.name),
        )
    })?;
    audit::record(
        &mut tx,
        scope,
        "group.member_add",
        &format!("{email} in {}", group.name),
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(GroupMember {
        user_id,
        email,
        name: user_name,
        source: "console".into(),
        added_at: now,
    })
}

/// Removes someone from a group.
pub async fn remove_group_member(
    db: &Db,
    scope: &TenantScope,
    name: &str,
    user: UserId,
) -> DomainResult<()> {
    scope.require("GROUP_UPDATE")?;
    let mut tx = db.begin(scope.wall()).await?;
    let group = find(&mut tx, scope, name).await?;
    let email: Option<String> = sqlx::query_scalar(
        "SELECT u.email FROM iam_group_members gm JOIN users u ON u.id = gm.user_id \
         WHERE gm.tenant_id = $1 AND gm.group_id = $2 AND gm.user_id = $3",
    )
    .bind(scope.tenant_id().as_text())
    .bind(group.id.as_text())
    .bind(user.as_text())
    .fetch_optional(&mut *tx)
    .await?;
    let email = email.ok_or(DomainError::NotFound("group member"))?;
    sqlx::query(
        "DELETE FROM iam_group_members WHERE tenant_id = $1 AND group_id = $2 AND user_id = $3",
    )
    .bind(scope.tenant_id().as_text())
    .bind(group.id.as_text())
    .bind(user.as_text())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        scope,
        "group.member_remove",
        &format!("{email} in {}", group.name),
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
