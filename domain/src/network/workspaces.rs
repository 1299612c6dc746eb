//! Workspaces and their labels: what an NCS policy selects by `workspaceLabel`.

use super::*;

pub async fn create_workspace(
    db: &Db,
    scope: &TenantScope,
    name: &str,
    mut labels: Vec<String>,
) -> DomainResult<Workspace> {
    scope.require("WORKSPACE_CREATE")?;
    let name = check_name("workspace name", "name", name)?;
    check_labels(&mut labels)?;
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    let tenant = scope.tenant_id().as_text();
    let mut tx = db.begin(scope.wall()).await?;
    sqlx::query("INSERT INTO workspaces (tenant_id, id, name, created_at, created_by) VALUES ($1, $2, $3, $4, $5)")
        .bind(tenant.clone())
        .bind(id.clone())
        .bind(name.clone())
        .bind(now)
        .bind(scope.actor_label().to_string())
        .execute(&mut *tx)
        .await
        .map_err(|e| unique(e, "workspace_exists", format!("A workspace named {name} already exists.")))?;
    insert_labels(&mut tx, &tenant, &id, &labels).await?;
    audit::record(
        &mut tx,
        scope,
        "workspace.create",
        &name,
        None,
        Some(format!("labels: {}", labels.join(", "))),
    )
    .await?;
    tx.commit().await?;
    Ok(Workspace {
        id,
        name,
        labels,
        created_at: now,
        created_by: scope.actor_label().to_string(),
    })
}

/// Writes a workspace's labels (inside the caller's transaction).
pub(super) async fn insert_labels(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    tenant: &str,
    workspace: &str,
    labels: &[String],
) -> DomainResult<()> {
    for l in labels {
        sqlx::query(
            "INSERT INTO workspace_labels (tenant_id, workspace_id, label) VALUES ($1, $2, $3)",
        )
        .bind(tenant.to_string())
        .bind(workspace.to_string())
        .bind(l.clone())
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Replaces a workspace's labels. Its name stays.
pub async fn update_workspace(
    db: &Db,
    scope: &TenantScope,
    id: &str,
    mut labels: Vec<String>,
) -> DomainResult<Workspace> {
    scope.require("WORKSPACE_UPDATE")?;
    check_labels(&mut labels)?;
    let tenant = scope.tenant_id().as_text();
    let mut tx = db.begin(scope.wall()).await?;
    let row = sqlx::query(
        "SELECT id, name, created_at, created_by FROM workspaces WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.clone())
    .bind(id.to_string())
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(DomainError::NotFound("workspace"))?;
    let name: String = row.try_get("name")?;
    let old: Vec<String> = sqlx::query_scalar(
        "SELECT label FROM workspace_labels WHERE tenant_id = $1 AND workspace_id = $2 ORDER BY label",
    )
    .bind(tenant.clone())
    .bind(id.to_string())
    .fetch_all(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM workspace_labels WHERE tenant_id = $1 AND workspace_id = $2")
        .bind(tenant.clone())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    insert_labels(&mut tx, &tenant, id, &labels).await?;
    audit::record(
        &mut tx,
        scope,
        "workspace.update",
        &name,
        Some(format!("labels: {}", old.join(", "))),
        Some(format!("labels: {}", labels.join(", "))),
    )
    .await?;
    tx.commit().await?;
    Ok(Workspace {
        id: id.to_string(),
        name,
        labels,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by")?,
    })
}

/// Workspaces by name; `q` matches a name or a label. The cursor is the last name.
pub async fn list_workspaces(
    db: &Db,
    scope: &TenantScope,
    q: &str,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> DomainResult<Page<Workspace>> {
    scope.require("WORKSPACE_READ")?;
    let limit = clamp_limit(limit);
    let pattern = like_pattern(q);
    let tenant = scope.tenant_id().as_text();
    let rows = sqlx::query(
        "SELECT w.id, w.name, w.created_at, w.created_by FROM workspaces w WHERE w.tenant_id = $1 AND w.name > $2 \
         AND (w.name LIKE $3 ESCAPE '\\' OR EXISTS (SELECT 1 FROM workspace_labels l WHERE l.tenant_id = w.tenant_id AND l.workspace_id = w.id AND l.label LIKE $3 ESCAPE '\\')) \
         ORDER BY w.name LIMIT $4",
    )
    .bind(tenant.clone())
    .bind(cursor.unwrap_or("").to_string())
    .bind(pattern)
    .bind(limit + 1)
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?;
    // The labels of the whole page in one query: the page is a name range.
    let mut labels: HashMap<String, Vec<String>> = HashMap::new();
    if let Some(last) = rows.last() {
        let last: String = last.try_get("name")?;
        let label_rows = sqlx::query(
            "SELECT l.workspace_id, l.label FROM workspace_labels l JOIN workspaces w \
             ON w.tenant_id = l.tenant_id AND w.id = l.workspace_id \
             WHERE w.tenant_id = $1 AND w.name > $2 AND w.name <= $3 ORDER BY l.label",
        )
        .bind(tenant)
        .bind(cursor.unwrap_or("").to_string())
        .bind(last)
        .fetch_all(&mut *db.read(scope.wall()).await?)
        .await?;
        for r in &label_rows {
            labels
                .entry(r.try_get("workspace_id")?)
                .or_default()
                .push(r.try_get("label")?);
        }
    }
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: String = row.try_get("id")?;
        items.push(Workspace {
            labels: labels.remove(&id).unwrap_or_default(),
            id,
            name: row.try_get("name")?,
            created_at: row.try_get("created_at")?,
            created_by: row.try_get("created_by")?,
        });
    }
    let total: i64 = sqlx::query_scalar(&capped_count_sql(
        "SELECT 1 FROM workspaces w WHERE w.tenant_id = $1 \
         AND (w.name LIKE $2 ESCAPE '\\' OR EXISTS (SELECT 1 FROM workspace_labels l WHERE l.tenant_id = w.tenant_id AND l.workspace_id = w.id AND l.label LIKE $2 ESCAPE '\\'))",
    ))
    .bind(scope.tenant_id().as_text())
    .bind(like_pattern(q))
    .fetch_one(&mut *db.read(scope.wall()).await?)
    .await?;
    Ok(Page::from_overfetch(items, limit, |w| w.name.clone()).with_total(total))
}

/// Every label in use in this tenant (for pickers), alphabetically.
pub async fn workspace_labels(db: &Db, scope: &TenantScope) -> DomainResult<Vec<String>> {
    scope.require("WORKSPACE_READ")?;
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT label FROM workspace_labels WHERE tenant_id = $1 ORDER BY label LIMIT 500",
    )
    .bind(scope.tenant_id().as_text())
    .fetch_all(&mut *db.read(scope.wall()).await?)
    .await?)
}

pub async fn delete_workspace(db: &Db, scope: &TenantScope, id: &str) -> DomainResult<()> {
    scope.require("WORKSPACE_DELETE")?;
    let mut tx = db.begin(scope.wall()).await?;
    let name: Option<String> =
        sqlx::query_scalar("SELECT name FROM workspaces WHERE tenant_id = $1 AND id = $2")
            .bind(scope.tenant_id().as_text())
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
    let name = name.ok_or(DomainError::NotFound("workspace"))?;
    // Its labels go with it (ON DELETE CASCADE).
    sqlx::query("DELETE FROM workspaces WHERE tenant_id = $1 AND id = $2")
        .bind(scope.tenant_id().as_text())
        .bind(id.to_string())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        scope,
        "workspace.delete",
        &name,
        Some(name.clone()),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
