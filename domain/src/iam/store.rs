//! A tenant's IAM policy documents and their versions, through the tenant scope.

use crate::db::Wall;
use crate::error::unique;
use crate::ids::TenantId;
use crate::model::{capped_count_sql, clamp_limit, Page};
use crate::validate::{self, like_pattern};
use crate::{audit, directory, now_ms, Db, DomainError, DomainResult, TenantScope};
use policy::iam::{DefineKind, Statement};
use policy::ncs;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

/// A policy as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IamPolicy {
    pub name: String,
    pub description: String,
    /// The latest version's number (1 for a new policy).
    pub version: i64,
    /// The latest version's text, as its author wrote it.
    pub text: String,
    pub statements: i64,
    pub created_at: i64,
    pub created_by: String,
    pub updated_at: i64,
    pub updated_by: String,
}

/// One saved version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyVersion {
    pub version: i64,
    pub comment: String,
    pub created_at: i64,
    pub created_by: String,
    pub text: String,
}

/// Which version a save builds on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// A new policy: the name must be free.
    New,
    /// An edit of this version: it must still be the latest.
    Version(i64),
    /// Create or replace, whatever is there (a script's `PUT` without a version).
    Any,
}

/// What a save writes.
#[derive(Debug, Clone)]
pub struct Save<'a> {
    pub name: &'a str,
    pub text: &'a str,
    pub description: Option<&'a str>,
    pub comment: &'a str,
    pub base: Base,
}

/// A Define of a tenancy, resolved to the tenant it names where this console knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DefineInfo {
    pub line: u32,
    pub alias: String,
    pub ocid: String,
    /// The tenant's name; `None` is a warning (an id this console does not know).
    pub tenant_name: Option<String>,
}

const COLUMNS: &str =
    "name, description, version, text, statements, created_at, created_by, updated_at, updated_by";

fn from_row(row: &AnyRow) -> DomainResult<IamPolicy> {
    Ok(IamPolicy {
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        version: row.try_get("version")?,
        text: row.try_get("text")?,
        statements: row.try_get("statements")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        updated_at: row.try_get("updated_at")?,
        updated_by: row.try_get("updated_by")?,
    })
}

/// A policy name: a DNS label, like the other named objects of a tenant.
pub fn check_name(raw: &str) -> DomainResult<String> {
    let name = raw.trim().to_string();
    ncs::check_dns_label("A policy name", &name)
        .map_err(|why| DomainError::invalid("name", why))?;
    if name.eq_ignore_ascii_case(policy::access::BUILTIN_POLICY_NAME) {
        return Err(DomainError::invalid(
            "name",
            "built-in is the name of the statements every tenant has: choose another name.",
        ));
    }
    Ok(name)
}

/// This tenant's policies by name; `q` matches part of a name. The cursor is the last name.
pub async fn list_policies(
    db: &Db,
    scope: &TenantScope,
    q: &str,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> DomainResult<Page<IamPolicy>> {
    scope.require("IAM_POLICY_READ")?;
    let limit = clamp_limit(limit);
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM iam_policies WHERE tenant_id = $1 AND name > $2 AND name LIKE $3 ESCAPE '\\' ORDER BY name LIMIT $4"
    ))
    .bind(scope.tenant_id().as_text())
    .bind(cursor.unwrap_or("").to_string())
    .bind(like_pattern(q))
    .bind(limit + 1)
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?;
    let items = rows
        .iter()
        .map(from_row)
        .collect::<DomainResult<Vec<_>>>()?;
    let total: i64 = sqlx::query_scalar(&capped_count_sql(
        "SELECT 1 FROM iam_policies WHERE tenant_id = $1 AND name LIKE $2 ESCAPE '\\'",
    ))
    .bind(scope.tenant_id().as_text())
    .bind(like_pattern(q))
    .fetch_one(&mut *db.read(scope.wall()).await?)
    .await?;
    Ok(Page::from_overfetch(items, limit, |p| p.name.clone()).with_total(total))
}

pub async fn get_policy(db: &Db, scope: &TenantScope, name: &str) -> DomainResult<IamPolicy> {
    scope.require("IAM_POLICY_READ")?;
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM iam_policies WHERE tenant_id = $1 AND name = $2"
    ))
    .bind(scope.tenant_id().as_text())
    .bind(name.to_string())
    .fetch_optional(&mut *db.read(scope.wall()).await?)
    .await?
    .ok_or(DomainError::NotFound("IAM policy"))?;
    from_row(&row)
}

/// The tenancy Defines of a document, each with the tenant it names where known.
pub async fn defines(db: &Db, doc: &policy::iam::Document) -> DomainResult<Vec<DefineInfo>> {
    let found: Vec<(u32, &policy::iam::Define)> = doc
        .statements
        .iter()
        .zip(&doc.positions)
        .filter_map(|(s, p)| match s {
            Statement::Define(d) if d.kind == DefineKind::Tenancy => Some((p.line, d)),
            _ => None,
        })
        .collect();
    let ids: Vec<TenantId> = found
        .iter()
        .filter_map(|(_, d)| TenantId::parse(&d.ocid))
        .collect();
    let names = directory::tenant_names(db, &ids).await?;
    Ok(found
        .into_iter()
        .map(|(line, d)| DefineInfo {
            line,
            alias: d.alias.clone(),
            ocid: d.ocid.clone(),
            tenant_name: TenantId::parse(&d.ocid).and_then(|id| names.get(&id).cloned()),
        })
        .collect())
}

/// Checks and stores a new version. Bad documents change nothing and answer every
/// error with its line and column; a stale base answers `version_conflict`.
pub async fn save_policy(db: &Db, scope: &TenantScope, save: Save<'_>) -> DomainResult<IamPolicy> {
    // Creating needs IAM_POLICY_CREATE and changing IAM_POLICY_UPDATE (checked below,
    // once it is known which); someone with neither is refused before anything else.
    if !scope.allows("IAM_POLICY_CREATE") {
        scope.require("IAM_POLICY_UPDATE")?;
    }
    let name = check_name(save.name)?;
    let comment = validate::free_text("comment", "A comment", save.comment, 200)?;
    let description = save.description.map(validate::description).transpose()?;
    let doc = super::check(save.text)?;
    let statements = doc.statements.len() as i64;
    let now = now_ms();
    let actor = scope.actor_label().to_string();
    let tenant = scope.tenant_id().as_text();
    let mut tx = db.begin(scope.wall()).await?;
    let current: Option<(i64, String, String)> = sqlx::query_as(
        "SELECT version, text, description FROM iam_policies WHERE tenant_id = $1 AND name = $2",
    )
    .bind(tenant.clone())
    .bind(name.clone())
    .fetch_optional(&mut *tx)
    .await?;
    match (save.base, &current) {
        (Base::New, Some(_)) => {
            return Err(DomainError::conflict(
                "policy_exists",
                format!("An IAM policy named {name} already exists. Edit it instead."),
            ))
        }
        (Base::Version(_), None) => return Err(DomainError::NotFound("IAM policy")),
        (_, None) => scope.require("IAM_POLICY_CREATE")?,
        (Base::Version(v), Some((latest, _, _))) if v != *latest => {
            return Err(DomainError::conflict(
                "version_conflict",
                format!(
                    "Policy {name} changed while you edited it: version {latest} is the latest, and you edited version {v}. Review the difference, then save again."
                ),
            ))
        }
        _ => scope.require("IAM_POLICY_UPDATE")?,
    }
    if let Some((latest, text, old_description)) = &current {
        let same_description = description.as_ref().is_none_or(|d| d == old_description);
        if text == save.text && same_description {
            return Err(DomainError::invalid(
                "text",
                format!("Nothing changed: this is the text of version {latest}."),
            ));
        }
    }
    let version = current.as_ref().map(|c| c.0 + 1).unwrap_or(1);
    let comment = if comment.is_empty() {
        if version == 1 {
            "Created".to_string()
        } else {
            format!("Version {version}")
        }
    } else {
        comment
    };
    if let Some((_, _, old_description)) = &current {
        sqlx::query(
            "UPDATE iam_policies SET version = $1, text = $2, statements = $3, description = $4, updated_at = $5, updated_by = $6 \
             WHERE tenant_id = $7 AND name = $8",
        )
        .bind(version)
        .bind(save.text.to_string())
        .bind(statements)
        .bind(description.clone().unwrap_or_else(|| old_description.clone()))
        .bind(now)
        .bind(actor.clone())
        .bind(tenant.clone())
        .bind(name.clone())
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query(&format!(
            "INSERT INTO iam_policies (tenant_id, {COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $8)"
        ))
        .bind(tenant.clone())
        .bind(name.clone())
        .bind(description.clone().unwrap_or_default())
        .bind(version)
        .bind(save.text.to_string())
        .bind(statements)
        .bind(now)
        .bind(actor.clone())
        .execute(&mut *tx)
        .await
        .map_err(|e| unique(e, "policy_exists", format!("An IAM policy named {name} already exists.")))?;
    }
    sqlx::query(
        "INSERT INTO iam_policy_versions (tenant_id, name, version, text, comment, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(tenant.clone())
    .bind(name.clone())
    .bind(version)
    .bind(save.text.to_string())
    .bind(comment.clone())
    .bind(now)
    .bind(actor)
    .execute(&mut *tx)
    .await?;
    let action = match (&current, save.comment.starts_with(RESTORED)) {
        (None, _) => "iam_policy.create",
        (Some(_), true) => "iam_policy.restore",
        (Some(_), false) => "iam_policy.update",
    };
    super::enforce::policy_changed(&mut tx, scope.tenant_id(), &name, Some(&doc)).await?;
    audit::record(
        &mut tx,
        scope,
        action,
        &format!("{name} v{version}"),
        current.map(|c| c.1),
        Some(save.text.to_string()),
    )
    .await?;
    tx.commit().await?;
    get_policy(db, scope, &name).await
}

/// How a restore's comment starts (and how the audit tells a restore from an edit).
const RESTORED: &str = "Restored version ";

/// Writes an old version again as the newest. `base` is the version the caller saw as
/// the latest, so a restore does not silently undo someone else's save either.
pub async fn restore_version(
    db: &Db,
    scope: &TenantScope,
    name: &str,
    version: i64,
    base: Base,
) -> DomainResult<IamPolicy> {
    scope.require("IAM_POLICY_UPDATE")?;
    let old = get_version(db, scope, name, version).await?;
    let current = get_policy(db, scope, name).await?;
    if current.text == old.text {
        return Err(DomainError::invalid(
            "version",
            format!(
                "Version {version} has the same text as the latest version {}: nothing to restore.",
                current.version
            ),
        ));
    }
    let base = match base {
        Base::New => Base::Version(current.version),
        other => other,
    };
    save_policy(
        db,
        scope,
        Save {
            name,
            text: &old.text,
            description: None,
            comment: &format!("{RESTORED}{version}"),
            base,
        },
    )
    .await
}

/// A policy's versions, newest first. The cursor is the last version number shown.
pub async fn list_versions(
    db: &Db,
    scope: &TenantScope,
    name: &str,
    cursor: Option<i64>,
    limit: Option<i64>,
) -> DomainResult<Page<PolicyVersion>> {
    scope.require("IAM_POLICY_READ")?;
    // A policy that does not exist (here) is not found, not an empty history.
    get_policy(db, scope, name).await?;
    let limit = clamp_limit(limit);
    let rows = sqlx::query(
        "SELECT version, comment, created_at, created_by, text FROM iam_policy_versions \
         WHERE tenant_id = $1 AND name = $2 AND version < $3 ORDER BY version DESC LIMIT $4",
    )
    .bind(scope.tenant_id().as_text())
    .bind(name.to_string())
    .bind(cursor.unwrap_or(i64::MAX))
    .bind(limit + 1)
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?;
    let items = rows
        .iter()
        .map(version_from_row)
        .collect::<DomainResult<Vec<_>>>()?;
    let total: i64 = sqlx::query_scalar(&capped_count_sql(
        "SELECT 1 FROM iam_policy_versions WHERE tenant_id = $1 AND name = $2",
    ))
    .bind(scope.tenant_id().as_text())
    .bind(name.to_string())
    .fetch_one(&mut *db.read(scope.wall()).await?)
    .await?;
    Ok(Page::from_overfetch(items, limit, |v| v.version.to_string()).with_total(total))
}

fn version_from_row(row: &AnyRow) -> DomainResult<PolicyVersion> {
    Ok(PolicyVersion {
        version: row.try_get("version")?,
        comment: row.try_get("comment")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
        text: row.try_get("text")?,
    })
}

pub async fn get_version(
    db: &Db,
    scope: &TenantScope,
    name: &str,
    version: i64,
) -> DomainResult<PolicyVersion> {
    scope.require("IAM_POLICY_READ")?;
    let row = sqlx::query(
        "SELECT version, comment, created_at, created_by, text FROM iam_policy_versions \
         WHERE tenant_id = $1 AND name = $2 AND version = $3",
    )
    .bind(scope.tenant_id().as_text())
    .bind(name.to_string())
    .bind(version)
    .fetch_optional(&mut *db.read(scope.wall()).await?)
    .await?
    .ok_or(DomainError::NotFound("policy version"))?;
    version_from_row(&row)
}

/// Deletes a policy and its history; the audit keeps its last text.
pub async fn delete_policy(db: &Db, scope: &TenantScope, name: &str) -> DomainResult<()> {
    scope.require("IAM_POLICY_DELETE")?;
    let tenant = scope.tenant_id().as_text();
    let mut tx = db.begin(scope.wall()).await?;
    let before: Option<String> =
        sqlx::query_scalar("SELECT text FROM iam_policies WHERE tenant_id = $1 AND name = $2")
            .bind(tenant.clone())
            .bind(name.to_string())
            .fetch_optional(&mut *tx)
            .await?;
    let before = before.ok_or(DomainError::NotFound("IAM policy"))?;
    for table in ["iam_policy_versions", "iam_policies"] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE tenant_id = $1 AND name = $2"
        ))
        .bind(tenant.clone())
        .bind(name.to_string())
        .execute(&mut *tx)
        .await?;
    }
    super::enforce::policy_changed(&mut tx, scope.tenant_id(), name, None).await?;
    audit::record(
        &mut tx,
        scope,
        "iam_policy.delete",
        name,
        Some(before),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every policy document of one tenant, parsed, for the evaluator. Reads a tenant other
/// than the scope's only for [`super::simulate`], which decides what of it to show.
pub(super) async fn documents_of(db: &Db, tenant: TenantId) -> DomainResult<Vec<(String, String)>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, text FROM iam_policies WHERE tenant_id = $1 ORDER BY name LIMIT 1000",
    )
    .bind(tenant.as_text())
    .fetch_all(&mut *db.read(Wall::Platform).await?)
    .await?;
    Ok(rows)
}

/// Writes a policy that the console itself provides (the Tenant-Admin policy of the
/// first cloud), inside the caller's transaction: version 1 when the tenant has no
/// policy of that name, and nothing when it has one (its admins may have edited it).
pub(crate) async fn ensure_policy(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    scope: &TenantScope,
    name: &str,
    text: &str,
    description: &str,
) -> DomainResult<()> {
    let doc = super::check(text)?;
    let tenant = scope.tenant_id().as_text();
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT version FROM iam_policies WHERE tenant_id = $1 AND name = $2")
            .bind(tenant.clone())
            .bind(name.to_string())
            .fetch_optional(&mut **tx)
            .await?;
    if exists.is_some() {
        return Ok(());
    }
    let now = now_ms();
    let actor = scope.actor_label().to_string();
    sqlx::query(&format!(
        "INSERT INTO iam_policies (tenant_id, {COLUMNS}) VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $6, $7)"
    ))
    .bind(tenant.clone())
    .bind(name.to_string())
    .bind(description.to_string())
    .bind(text.to_string())
    .bind(doc.statements.len() as i64)
    .bind(now)
    .bind(actor.clone())
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO iam_policy_versions (tenant_id, name, version, text, comment, created_at, created_by) \
         VALUES ($1, $2, 1, $3, 'Created by the console', $4, $5)",
    )
    .bind(tenant)
    .bind(name.to_string())
    .bind(text.to_string())
    .bind(now)
    .bind(actor)
    .execute(&mut **tx)
    .await?;
    super::enforce::policy_changed(tx, scope.tenant_id(), name, Some(&doc)).await?;
    audit::record(
        tx,
        scope,
        "iam_policy.create",
        &format!("{name} v1"),
        None,
        Some(text.to_string()),
    )
    .await
}
