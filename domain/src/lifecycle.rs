//! The tenant controller's reconcile step (seed 004): tenants whose `desired_state` is
//! ahead of their `current_state` are bootstrapped. Idempotent, so a crash between two
//! steps is repaired by the next pass; the watcher flag records the console's part.

use crate::{audit, now_ms, Db, DomainResult};

/// Bootstraps every tenant waiting for it; returns how many were completed.
pub async fn reconcile_once(db: &Db) -> DomainResult<usize> {
    let pending: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, name FROM tenants WHERE desired_state = 'CREATED' AND current_state <> 'CREATED' ORDER BY created_at LIMIT 100",
    )
    .fetch_all(db.pool())
    .await?;
    let mut done = 0;
    for (id, name) in pending {
        let mut tx = db.begin().await?;
        // The conditional update makes concurrent controllers harmless: one wins.
        let res = sqlx::query(
            "UPDATE tenants SET watcher_console = 1, current_state = 'CREATED', updated_at = $1 \
             WHERE id = $2 AND desired_state = 'CREATED' AND current_state <> 'CREATED'",
        )
        .bind(now_ms())
        .bind(id.clone())
        .execute(&mut *tx)
        .await?;
        if res.rows_affected() == 1 {
            let tid = crate::ids::col_id(&id)?;
            audit::record_global(
                &mut tx,
                tid,
                None,
                "tenant controller",
                "tenant.bootstrap",
                &name,
                Some("UNKNOWN".into()),
                Some("CREATED".into()),
            )
            .await?;
            done += 1;
        }
        tx.commit().await?;
    }
    Ok(done)
}
