//! The cloud wizard's drafts: what was entered so far, kept on the server so that Back
//! and Next keep it with or without JavaScript, and so that a secret typed in the
//! settings step is never sent back to the browser (the review shows it as "set").
//! A draft belongs to the user who started it, in its tenant, for an hour.

use super::*;
use crate::crypto::Sealer;

/// How long a draft waits for its creation.
pub const DRAFT_TTL_MS: i64 = 60 * 60 * 1000;

/// A draft as the wizard shows it (secrets as `"set"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloudDraft {
    pub id: DraftId,
    #[serde(rename = "type")]
    pub cloud_type: CloudType,
    pub name: String,
    pub config: Value,
}

/// Checks the settings step and keeps it: a new draft, or `draft` updated. Secrets left
/// empty keep the draft's. The name is checked against the tenant's clouds now, so the
/// settings step reports a taken name rather than the last step.
pub async fn save_draft(
    db: &Db,
    scope: &TenantScope,
    sealer: &Sealer,
    draft: Option<DraftId>,
    new: NewCloud<'_>,
) -> DomainResult<DraftId> {
    scope.require("CLOUD_CREATE")?;
    let kept = match draft {
        Some(id) => {
            let sealed = draft_row(db, scope, id).await?.3;
            open_secrets(sealer, &sealed)?
        }
        None => Secrets::new(),
    };
    let (kind, name, checked) = check_new(&new, &kept)?;
    let taken: Option<String> =
        sqlx::query_scalar("SELECT id FROM clouds WHERE tenant_id = $1 AND name = $2")
            .bind(scope.tenant_id().as_text())
            .bind(name.clone())
            .fetch_optional(&mut *db.read(scope.wall()).await?)
            .await?;
    if taken.is_some() {
        return Err(DomainError::invalid(
            "name",
            format!("A cloud named {name} already exists in this tenant."),
        ));
    }
    let (settings, sealed) = stored_settings(kind, &checked, sealer)?;
    let now = now_ms();
    let tenant = scope.tenant_id().as_text();
    let mut tx = db.begin(scope.wall()).await?;
    // Expired drafts of this tenant go with each save (a read never writes).
    sqlx::query("DELETE FROM cloud_drafts WHERE tenant_id = $1 AND expires_at < $2")
        .bind(tenant.clone())
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let id = match draft {
        Some(id) => {
            sqlx::query(
                "UPDATE cloud_drafts SET cloud_type = $1, name = $2, settings = $3, secrets = $4, expires_at = $5 \
                 WHERE tenant_id = $6 AND id = $7 AND user_id = $8",
            )
            .bind(kind.as_str())
            .bind(name.clone())
            .bind(settings)
            .bind(sealed)
            .bind(now + DRAFT_TTL_MS)
            .bind(tenant)
            .bind(id.as_text())
            .bind(scope.actor_id().as_text())
            .execute(&mut *tx)
            .await?;
            id
        }
        None => {
            let id = DraftId::new_random();
            sqlx::query(
                "INSERT INTO cloud_drafts (tenant_id, id, user_id, cloud_type, name, settings, secrets, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(tenant)
            .bind(id.as_text())
            .bind(scope.actor_id().as_text())
            .bind(kind.as_str())
            .bind(name.clone())
            .bind(settings)
            .bind(sealed)
            .bind(now + DRAFT_TTL_MS)
            .execute(&mut *tx)
            .await?;
            id
        }
    };
    audit::record(
        &mut tx,
        scope,
        "cloud.draft",
        &name,
        None,
        Some(format!("{} cloud, not yet created", kind.label())),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// (type, name, settings, sealed secrets) of a live draft of the caller's.
async fn draft_row(
    db: &Db,
    scope: &TenantScope,
    id: DraftId,
) -> DomainResult<(String, String, String, String)> {
    sqlx::query_as(
        "SELECT cloud_type, name, settings, secrets FROM cloud_drafts \
         WHERE tenant_id = $1 AND id = $2 AND user_id = $3 AND expires_at >= $4",
    )
    .bind(scope.tenant_id().as_text())
    .bind(id.as_text())
    .bind(scope.actor_id().as_text())
    .bind(now_ms())
    .fetch_optional(&mut *db.read(scope.wall()).await?)
    .await?
    .ok_or(DomainError::NotFound("cloud draft"))
}

/// A draft of the caller's in this tenant; an expired one, or anyone else's, is not found.
pub async fn get_draft(db: &Db, scope: &TenantScope, id: DraftId) -> DomainResult<CloudDraft> {
    scope.require("CLOUD_CREATE")?;
    let (kind, name, settings, _) = draft_row(db, scope, id).await?;
    Ok(CloudDraft {
        id,
        cloud_type: CloudType::parse(&kind)?,
        name,
        config: serde_json::from_str(&settings)
            .map_err(|e| DomainError::Internal(format!("stored draft: {e}")))?,
    })
}

/// Creates the cloud a draft describes (checked again: the tenant may have changed
/// since), and removes the draft in the same transaction.
pub async fn create_from_draft(
    db: &Db,
    scope: &TenantScope,
    sealer: &Sealer,
    id: DraftId,
) -> DomainResult<Cloud> {
    scope.require("CLOUD_CREATE")?;
    let (kind, name, settings, sealed) = draft_row(db, scope, id).await?;
    let kept = open_secrets(sealer, &sealed)?;
    let config: Value = serde_json::from_str(&settings)
        .map_err(|e| DomainError::Internal(format!("stored draft: {e}")))?;
    let (kind, name, checked) = check_new(
        &NewCloud {
            name: &name,
            cloud_type: &kind,
            config: &config,
        },
        &kept,
    )?;
    let (settings, sealed) = stored_settings(kind, &checked, sealer)?;
    let mut tx = db.begin(scope.wall()).await?;
    let cloud = insert_cloud(&mut tx, scope, kind, &name, &settings, &sealed).await?;
    sqlx::query("DELETE FROM cloud_drafts WHERE tenant_id = $1 AND id = $2")
        .bind(scope.tenant_id().as_text())
        .bind(id.as_text())
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    get_own(db, scope, cloud).await.map(|d| d.cloud)
}
