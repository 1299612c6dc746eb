//! Tenants: list and search, create, edit, and the switcher's recent tenants.

use super::*;
use crate::db::Wall;

pub(super) const TENANT_COLUMNS: &str =
    "t.id, t.name, t.description, t.desired_state, t.current_state, t.is_system, t.created_at, \
     t.teardown_done, t.teardown_started_at, t.teardown_by, t.teardown_error";

pub(super) fn tenant_from_row(row: &AnyRow) -> DomainResult<Tenant> {
    let desired_state = TenantState::from_db(&row.try_get::<String, _>("desired_state")?);
    let teardown = if desired_state == TenantState::Deleted {
        Some(crate::lifecycle::Progress::new(
            row.try_get("teardown_done")?,
            row.try_get::<Option<i64>, _>("teardown_started_at")?
                .unwrap_or(0),
            row.try_get::<Option<String>, _>("teardown_by")?
                .unwrap_or_default(),
            row.try_get("teardown_error")?,
        ))
    } else {
        None
    };
    Ok(Tenant {
        teardown,
        id: col_id(&row.try_get::<String, _>("id")?)?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        labels: Vec::new(),
        desired_state,
        current_state: TenantState::from_db(&row.try_get::<String, _>("current_state")?),
        is_system: row.try_get::<i64, _>("is_system")? != 0,
        created_at: row.try_get("created_at")?,
    })
}

/// Loads the labels of the given tenants in one query.
pub(super) async fn attach_labels(db: &Db, tenants: &mut [Tenant]) -> DomainResult<()> {
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
    for row in q.fetch_all(&mut *db.read(Wall::Platform).await?).await? {
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
    let rows = q.fetch_all(&mut *db.read(Wall::Platform).await?).await?;
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
        page.total = Some(
            count
                .fetch_one(&mut *db.read(Wall::Platform).await?)
                .await?,
        );
    }
    if !query.without_labels {
        attach_labels(db, &mut page.items).await?;
    }
    Ok(page)
}

/// Writes a tenant's labels (inside the caller's transaction).
pub(super) async fn insert_tenant_labels(
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
    let mut tx = db.begin(Wall::Platform).await?;
    let row = sqlx::query(&format!(
        "SELECT {TENANT_COLUMNS} FROM tenants t WHERE t.id = $1"
    ))
    .bind(id.as_text())
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(DomainError::NotFound("tenant"))?;
    let mut tenant = tenant_from_row(&row)?;
    if tenant.teardown.is_some() {
        return Err(DomainError::conflict(
            "tenant_deleting",
            format!(
                "{} is being deleted: nothing in it can be changed.",
                tenant.name
            ),
        ));
    }
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
    .fetch_optional(&mut *db.read(Wall::Platform).await?)
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
    let mut tx = db.begin(Wall::Platform).await?;
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
        teardown: None,
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
    .fetch_optional(&mut *db.read(Wall::Platform).await?)
    .await?;
    if latest.as_deref() == Some(scope.tenant_id().as_text().as_str()) {
        return Ok(());
    }
    // One statement, not a delete and an insert: two first page views of a tenant at
    // once (two tabs, a prefetch) would otherwise both insert, and one would fail on the
    // primary key (seen on Postgres under load).
    let mut tx = db.begin(Wall::Platform).await?;
    sqlx::query(
        "INSERT INTO recent_tenants (user_id, tenant_id, used_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, tenant_id) DO UPDATE SET used_at = excluded.used_at",
    )
    .bind(scope.actor_id().as_text())
    .bind(scope.tenant_id().as_text())
    .bind(now_ms())
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
    .fetch_all(&mut *db.read(Wall::Platform).await?)
    .await?;
    rows.into_iter()
        .map(|(id, name)| Ok((col_id(&id)?, name)))
        .collect()
}

/// The names of the tenants with these ids (unknown ids are left out). An IAM policy's
/// `Define tenancy X as <tenant id>` shows the name of the tenant it names, and the
/// simulator names both tenants; names are not secret between tenants of one console,
/// but nothing else about the tenant is read here.
pub async fn tenant_names(
    db: &Db,
    ids: &[TenantId],
) -> DomainResult<std::collections::HashMap<TenantId, String>> {
    let mut names = std::collections::HashMap::new();
    // A policy holds at most 500 statements; chunks keep each query's placeholders few.
    for chunk in ids.chunks(100) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, name FROM tenants WHERE id IN ({})",
            marks.join(", ")
        );
        let mut q = sqlx::query_as::<_, (String, String)>(&sql);
        for id in chunk {
            q = q.bind(id.as_text());
        }
        for (id, name) in q.fetch_all(&mut *db.read(Wall::Platform).await?).await? {
            names.insert(col_id(&id)?, name);
        }
    }
    Ok(names)
}

/// A tenant's id from its name, for the simulator's "which tenant" fields, which accept
/// a name or an id. Like [`tenant_names`], this tells only that the tenant exists.
pub async fn tenant_id_by_name(db: &Db, name: &str) -> DomainResult<Option<TenantId>> {
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM tenants WHERE name = $1")
        .bind(name.trim().to_ascii_lowercase())
        .fetch_optional(&mut *db.read(Wall::Platform).await?)
        .await?;
    id.as_deref().map(col_id).transpose()
}
