//! Deleting a tenant (seed 004): a fixed, documented order of steps that the tenant
//! controller runs one transaction at a time.
//!
//! Each step records its completion (`tenants.teardown_done`) in the transaction that
//! does its work, guarded by the count it expects, so a crash between steps resumes at
//! the step that did not commit, a step never runs twice to completion, and two
//! controllers cannot both run one. Every statement is idempotent (a `DELETE … WHERE
//! tenant_id`, an `UPDATE` guarded by the state it changes), so re-running a step that
//! rolled back is harmless.
//!
//! A step has a graceful part (what the component does for others: telling the peer
//! tenants their connections are revoked, alerting tenants whose policies name this
//! one) and its deletes. When the graceful part keeps failing past the step timeout, the
//! controller forces the step: it runs the deletes without it and raises an alert in
//! the system tenant that says so.

use super::alerts;
use crate::db::Wall;
use crate::ids::{col_id, TenantId, SYSTEM_TENANT_ID};
use crate::telemetry::logs;
use crate::{audit, now_ms, Db, DomainError, DomainResult, Principal};
use serde::{Deserialize, Serialize};
use sqlx::Row;

mod owned;
mod steps;
use owned::count_owned;
pub use owned::orphans;
pub(crate) use owned::owned_tables;
pub use steps::{Component, Kind, Step, STEPS};

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// A step of the dry run: what it will remove, by kind and count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanStep {
    pub key: String,
    pub label: String,
    pub items: Vec<PlanItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanItem {
    pub kind: String,
    pub count: i64,
}

/// The dry run of a tenant's deletion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub steps: Vec<PlanStep>,
    /// Set once the deletion has started.
    pub progress: Option<Progress>,
}

/// How far a tenant's teardown has come.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Steps done, out of [`STEPS`]`.len()`.
    pub done: usize,
    pub total: usize,
    /// The step running now (or next), for people.
    pub current: String,
    pub started_at: i64,
    pub requested_by: String,
    /// The current step's last failure, while it is retried.
    pub error: Option<String>,
}

impl Progress {
    pub(crate) fn new(
        done: i64,
        started_at: i64,
        requested_by: String,
        error: Option<String>,
    ) -> Self {
        let done = usize::try_from(done).unwrap_or(0).min(STEPS.len());
        Progress {
            done,
            total: STEPS.len(),
            current: STEPS
                .get(done)
                .map(|s| s.label.to_string())
                .unwrap_or_else(|| "Done".into()),
            started_at,
            requested_by,
            error,
        }
    }
}

/// The tenant row, as the teardown needs it.
struct Doomed {
    id: TenantId,
    name: String,
    is_system: bool,
    deleting: bool,
    done: i64,
    started_at: Option<i64>,
    step_at: Option<i64>,
    by: Option<String>,
    error: Option<String>,
}

async fn doomed(db: &Db, id: TenantId) -> DomainResult<Option<Doomed>> {
    let row = sqlx::query(
        "SELECT id, name, is_system, desired_state, teardown_done, teardown_started_at, teardown_step_at, teardown_by, teardown_error \
         FROM tenants WHERE id = $1",
    )
    .bind(id.as_text())
    .fetch_optional(&mut *db.read(Wall::Platform).await?)
    .await?;
    row.map(|row| -> DomainResult<Doomed> {
        Ok(Doomed {
            id: col_id(&row.try_get::<String, _>("id")?)?,
            name: row.try_get("name")?,
            is_system: row.try_get::<i64, _>("is_system")? != 0,
            deleting: row.try_get::<String, _>("desired_state")? == "DELETED",
            done: row.try_get("teardown_done")?,
            started_at: row.try_get("teardown_started_at")?,
            step_at: row.try_get("teardown_step_at")?,
            by: row.try_get("teardown_by")?,
            error: row.try_get("teardown_error")?,
        })
    })
    .transpose()
}

impl Doomed {
    fn progress(&self) -> Option<Progress> {
        self.deleting.then(|| {
            Progress::new(
                self.done,
                self.started_at.unwrap_or(0),
                self.by.clone().unwrap_or_default(),
                self.error.clone(),
            )
        })
    }
}

/// Deleting is for global admins. Anyone else is refused as for any tenant action: not
/// found for a tenant they cannot see (whether or not it exists), forbidden for theirs.
async fn global_admin_only(db: &Db, principal: &Principal, id: TenantId) -> DomainResult<()> {
    if principal.is_global_admin() {
        return Ok(());
    }
    crate::scope::authorize(db, principal, crate::scope::TenantRef::Id(id)).await?;
    Err(DomainError::Forbidden(
        "Only a global admin can delete a tenant.".into(),
    ))
}

/// The dry run: everything the deletion of a tenant will remove, by kind and count, in
/// the order of [`STEPS`]. Global admins only. It reads, and changes nothing.
pub async fn plan(db: &Db, principal: &Principal, id: TenantId) -> DomainResult<Plan> {
    global_admin_only(db, principal, id).await?;
    let t = doomed(db, id)
        .await?
        .ok_or(DomainError::NotFound("tenant"))?;
    let mut steps = Vec::with_capacity(STEPS.len());
    for step in STEPS {
        let mut items = Vec::with_capacity(step.kinds.len());
        for k in step.kinds {
            let count: i64 = sqlx::query_scalar(k.count_sql)
                .bind(id.as_text())
                .fetch_one(&mut *db.read(Wall::Platform).await?)
                .await?;
            items.push(PlanItem {
                kind: k.label.to_string(),
                count,
            });
        }
        steps.push(PlanStep {
            key: step.key.into(),
            label: step.label.into(),
            items,
        });
    }
    Ok(Plan {
        tenant_id: t.id,
        tenant_name: t.name.clone(),
        progress: t.progress(),
        steps,
    })
}

/// What a delete request found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Deletion {
    /// The teardown is under way (just started, or already running).
    Started(Progress),
    /// The tenant was deleted before: nothing to do.
    AlreadyDeleted,
}

/// Asks for a tenant's deletion (global admins only): sets its desired state to DELETED,
/// audited in the system tenant and in the tenant; the controller does the rest. With
/// `confirm`, the name typed by a person must be the tenant's. The system tenant cannot
/// be deleted. Asking again, while it runs or after it is done, changes nothing.
pub async fn request_delete(
    db: &Db,
    principal: &Principal,
    id: TenantId,
    confirm: Option<&str>,
) -> DomainResult<Deletion> {
    global_admin_only(db, principal, id).await?;
    let Some(t) = doomed(db, id).await? else {
        let archived: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_archive WHERE former_tenant_id = $1")
                .bind(id.as_text())
                .fetch_one(&mut *db.read(Wall::Platform).await?)
                .await?;
        return if archived > 0 {
            Ok(Deletion::AlreadyDeleted)
        } else {
            Err(DomainError::NotFound("tenant"))
        };
    };
    if t.is_system {
        return Err(DomainError::conflict(
            "system_tenant",
            "The system tenant `admin` cannot be deleted: its admins are the global admins.",
        ));
    }
    if let Some(typed) = confirm {
        if typed.trim() != t.name {
            return Err(DomainError::invalid(
                "confirm",
                format!("Type the tenant's name, {}, to confirm.", t.name),
            ));
        }
    }
    if let Some(p) = t.progress() {
        return Ok(Deletion::Started(p));
    }
    let now = now_ms();
    let actor = principal.user().label();
    let mut tx = db.begin(Wall::Platform).await?;
    let changed = sqlx::query(
        "UPDATE tenants SET desired_state = 'DELETED', teardown_done = 0, teardown_started_at = $1, \
         teardown_step_at = $1, teardown_by = $2, teardown_error = NULL, updated_at = $1 \
         WHERE id = $3 AND desired_state <> 'DELETED' AND is_system = 0",
    )
    .bind(now)
    .bind(actor.clone())
    .bind(id.as_text())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 1 {
        for tenant in [SYSTEM_TENANT_ID, id] {
            audit::record_global(
                &mut tx,
                tenant,
                Some(principal.user_id()),
                &actor,
                "tenant.delete",
                &t.name,
                Some("CREATED".into()),
                Some("DELETED".into()),
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(Deletion::Started(Progress::new(0, now, actor, None)))
}

/// What the controller is allowed to do, and how long it waits.
#[derive(Debug, Clone)]
pub struct Controller {
    /// Who this replica is (in the lease and in the audit of each step).
    pub replica: String,
    /// How long a step may keep failing before it is forced.
    pub step_timeout_ms: i64,
    /// How long a deleted tenant's archived audit log is kept.
    pub audit_retention_ms: i64,
    /// Steps whose graceful part fails on purpose: for fault drills and the tests of
    /// forcing. Empty in normal operation.
    pub faults: Vec<&'static str>,
    /// How long a tenant's log lines are kept.
    pub log_retention_ms: i64,
    /// Until when (unix ms) this replica need not look for tenants to count again: it
    /// found none a moment ago (shared by clones of this value).
    pub usage_quiet_until: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

impl Controller {
    pub fn new(replica: impl Into<String>) -> Self {
        Controller {
            replica: replica.into(),
            step_timeout_ms: 60_000,
            audit_retention_ms: 365 * 24 * 3_600_000,
            faults: Vec::new(),
            log_retention_ms: 90 * 24 * 3_600_000,
            usage_quiet_until: std::sync::Arc::new(std::sync::atomic::AtomicI64::new(0)),
        }
    }
}

/// Tenants whose teardown has not finished, oldest request first.
pub(crate) async fn pending(db: &Db) -> DomainResult<Vec<TenantId>> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM tenants WHERE desired_state = 'DELETED' ORDER BY teardown_started_at LIMIT 100",
    )
    .fetch_all(&mut *db.read(Wall::Platform).await?)
    .await?;
    ids.iter().map(|id| col_id(id)).collect()
}

/// Runs a tenant's remaining steps, each in its own transaction, until it is gone or a
/// step fails (it is retried at the next pass, and forced once past the timeout).
/// Returns true when the tenant is gone.
pub(crate) async fn advance(db: &Db, ctl: &Controller, id: TenantId) -> DomainResult<bool> {
    loop {
        let Some(t) = doomed(db, id).await? else {
            return Ok(true);
        };
        if !t.deleting {
            return Ok(false);
        }
        let Some(step) = usize::try_from(t.done).ok().and_then(|i| STEPS.get(i)) else {
            return Err(DomainError::Internal(format!(
                "tenant {} is at teardown step {} of {}",
                t.name,
                t.done,
                STEPS.len()
            )));
        };
        let overdue = now_ms() - t.step_at.unwrap_or(0) > ctl.step_timeout_ms;
        match run_step(db, ctl, &t, step, overdue).await {
            Ok(()) => continue,
            Err(e) => {
                tracing::warn!(tenant = %t.name, step = step.key, error = %e, "teardown step failed; retried at the next pass");
                db.write(Wall::Platform, sqlx::query(
                    "UPDATE tenants SET teardown_error = $1 WHERE id = $2 AND teardown_done = $3",
                )
                .bind(format!("{}: {}", step.label, e))
                .bind(id.as_text())
                .bind(t.done))
                .await?;
                return Err(e);
            }
        }
    }
}

/// One step in one transaction: claim it, do its work, record it. `forced` skips the
/// graceful part and says so in an alert of the system tenant.
async fn run_step(
    db: &Db,
    ctl: &Controller,
    t: &Doomed,
    step: &Step,
    forced: bool,
) -> DomainResult<()> {
    let now = now_ms();
    let mut tx = db.begin(Wall::Platform).await?;
    let claimed = sqlx::query(
        "UPDATE tenants SET teardown_done = teardown_done + 1, teardown_step_at = $1, teardown_error = NULL \
         WHERE id = $2 AND desired_state = 'DELETED' AND teardown_done = $3",
    )
    .bind(now)
    .bind(t.id.as_text())
    .bind(t.done)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if claimed != 1 {
        // Another controller did it first; read the row again.
        return Ok(());
    }
    if !forced {
        if ctl.faults.contains(&step.key) {
            return Err(DomainError::Internal(format!(
                "fault drill: step {} fails",
                step.key
            )));
        }
        graceful(&mut tx, t, step, now).await?;
    } else {
        essential(&mut tx, t, step, now).await?;
        alerts::raise(
            &mut tx,
            SYSTEM_TENANT_ID,
            "teardown_forced",
            alerts::Severity::Critical,
            &format!(
                "The teardown of {} forced the step \"{}\" after {} s without success{}.",
                t.name,
                step.label,
                ctl.step_timeout_ms / 1000,
                t.error
                    .as_deref()
                    .map(|e| format!(" (last error: {e})"))
                    .unwrap_or_default()
            ),
            &format!("teardown_forced:{}:{}", t.id, step.key),
        )
        .await?;
    }
    for table in step.tables {
        sqlx::query(&format!("DELETE FROM {table} WHERE tenant_id = $1"))
            .bind(t.id.as_text())
            .execute(&mut *tx)
            .await?;
    }
    if step.key == "tenant" {
        finish(&mut tx, t, now).await?;
    } else {
        if STEPS
            .iter()
            .skip(usize::try_from(t.done).unwrap_or(0) + 1)
            .all(|s| s.component != step.component)
        {
            sqlx::query(&format!(
                "UPDATE tenants SET {} = 0 WHERE id = $1",
                step.component.watcher()
            ))
            .bind(t.id.as_text())
            .execute(&mut *tx)
            .await?;
        }
        // The tenant's own log shows its teardown while it lasts (until the step that
        // deletes the log itself).
        if step.key != "audit" {
            logs::write(
                &mut tx,
                t.id,
                logs::Source::Controller,
                &format!(
                    "Teardown step {} of {}{}: {}.",
                    t.done + 1,
                    STEPS.len(),
                    if forced { " (forced)" } else { "" },
                    step.label
                ),
            )
            .await?;
        }
        // The system tenant's log tells the whole story, as the tenant's own is
        // archived before the end.
        audit::record_global(
            &mut tx,
            SYSTEM_TENANT_ID,
            None,
            &format!("tenant controller ({})", ctl.replica),
            if forced {
                "tenant.teardown_forced"
            } else {
                "tenant.teardown_step"
            },
            &t.name,
            None,
            Some(step.label.to_string()),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// What a step must do even when forced: stop secrets redeeming, and end the peers'
/// halves of the connections (without their audit records and alerts).
async fn essential(tx: &mut Tx, t: &Doomed, step: &Step, now: i64) -> DomainResult<()> {
    let revoked_by = format!("tenant controller ({} deleted)", t.name);
    match step.key {
        "secrets" => {
            sqlx::query(
                "UPDATE connection_secrets SET revoked_at = $1, revoked_by = $2 \
                 WHERE tenant_id = $3 AND used_at IS NULL AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(revoked_by)
            .bind(t.id.as_text())
            .execute(&mut **tx)
            .await?;
        }
        "connections" => {
            sqlx::query(
                "UPDATE connections SET status = 'Revoked', revoked_at = $1, revoked_by = $2 \
                 WHERE (tenant_id = $3 OR remote_tenant_id = $3) AND status = 'Active'",
            )
            .bind(now)
            .bind(revoked_by)
            .bind(t.id.as_text())
            .execute(&mut **tx)
            .await?;
        }
        "access" => end_sessions(tx, t, now).await?,
        "audit" => archive_audit(tx, t, now).await?,
        _ => {}
    }
    Ok(())
}

/// The step with what it does for others: the peers of each connection get it revoked
/// with an audit record and an alert; tenants whose Admit names this one are alerted.
async fn graceful(tx: &mut Tx, t: &Doomed, step: &Step, now: i64) -> DomainResult<()> {
    match step.key {
        "connections" => {
            let peers: Vec<(String, String)> = sqlx::query_as(
                "SELECT id, remote_tenant_id FROM connections WHERE tenant_id = $1 AND status = 'Active'",
            )
            .bind(t.id.as_text())
            .fetch_all(&mut **tx)
            .await?;
            for (conn, peer) in &peers {
                let peer: TenantId = col_id(peer)?;
                audit::record_global(
                    tx,
                    peer,
                    None,
                    "tenant controller",
                    "connection.revoke",
                    &t.name,
                    Some("Active".into()),
                    Some("Revoked".into()),
                )
                .await?;
                alerts::raise(
                    tx,
                    peer,
                    "connection_revoked",
                    alerts::Severity::Warning,
                    &format!(
                        "Tenant {} was deleted: its connection with you is revoked.",
                        t.name
                    ),
                    &format!("connection_revoked:{conn}"),
                )
                .await?;
            }
        }
        "iam" => {
            let admitting: Vec<(String, String)> = sqlx::query_as(
                "SELECT DISTINCT tenant_id, policy FROM iam_admits WHERE of_tenant_id = $1 AND tenant_id <> $1",
            )
            .bind(t.id.as_text())
            .fetch_all(&mut **tx)
            .await?;
            for (tenant, policy) in &admitting {
                alerts::raise(
                    tx,
                    col_id(tenant)?,
                    "policy_unknown_tenant",
                    alerts::Severity::Warning,
                    &format!(
                        "IAM policy {policy} admits groups of tenant {} ({}), which was deleted: the statement admits nobody now.",
                        t.name, t.id
                    ),
                    &format!("policy_unknown_tenant:{policy}:{}", t.id),
                )
                .await?;
            }
            sqlx::query("UPDATE tenants SET iam_version = iam_version + 1 WHERE id = $1")
                .bind(t.id.as_text())
                .execute(&mut **tx)
                .await?;
        }
        _ => {}
    }
    essential(tx, t, step, now).await
}

/// Logs out the tenant's members at once, on every replica: sessions begun before now
/// are refused for them. Global admins keep theirs (they are not there through this
/// tenant). API tokens of members who belong to no other tenant are deleted, as they
/// lead nowhere now.
async fn end_sessions(tx: &mut Tx, t: &Doomed, now: i64) -> DomainResult<()> {
    sqlx::query(
        "DELETE FROM api_tokens WHERE user_id IN (SELECT user_id FROM memberships WHERE tenant_id = $1) \
         AND user_id NOT IN (SELECT user_id FROM memberships WHERE tenant_id <> $1)",
    )
    .bind(t.id.as_text())
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE users SET sessions_valid_from = $1 WHERE id IN (SELECT user_id FROM memberships WHERE tenant_id = $2) \
         AND id NOT IN (SELECT user_id FROM memberships WHERE tenant_id = $3 AND role = 'admin')",
    )
    .bind(now)
    .bind(t.id.as_text())
    .bind(SYSTEM_TENANT_ID.as_text())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Moves the tenant's audit log to the archive, where global admins read it for the
/// retention period.
async fn archive_audit(tx: &mut Tx, t: &Doomed, now: i64) -> DomainResult<()> {
    sqlx::query(
        "INSERT INTO audit_archive (former_tenant_id, former_tenant_name, id, at, actor_id, actor_label, action, target, before_json, after_json, via, request_id, archived_at) \
         SELECT tenant_id, $1, id, at, actor_id, actor_label, action, target, before_json, after_json, via, request_id, $2 \
         FROM audit_events WHERE tenant_id = $3 ON CONFLICT DO NOTHING",
    )
    .bind(t.name.clone())
    .bind(now)
    .bind(t.id.as_text())
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM audit_events WHERE tenant_id = $1")
        .bind(t.id.as_text())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The last step: sweep whatever no step named (a table added later), say so, and
/// delete the tenant's row.
async fn finish(tx: &mut Tx, t: &Doomed, now: i64) -> DomainResult<()> {
    for (table, rows) in count_owned(tx, t.id).await? {
        if rows > 0 {
            tracing::error!(tenant = %t.name, table, rows, "teardown swept rows that no step covers");
            sqlx::query(&format!("DELETE FROM {table} WHERE tenant_id = $1"))
                .bind(t.id.as_text())
                .execute(&mut **tx)
                .await?;
            alerts::raise(
                tx,
                SYSTEM_TENANT_ID,
                "teardown_swept",
                alerts::Severity::Warning,
                &format!(
                    "The teardown of {} swept {rows} row(s) of {table} that no step covers.",
                    t.name
                ),
                &format!("teardown_swept:{}:{table}", t.id),
            )
            .await?;
        }
    }
    sqlx::query("DELETE FROM tenants WHERE id = $1 AND desired_state = 'DELETED'")
        .bind(t.id.as_text())
        .execute(&mut **tx)
        .await?;
    audit::record_global(
        tx,
        SYSTEM_TENANT_ID,
        None,
        "tenant controller",
        "tenant.deleted",
        &t.name,
        Some("DELETED".into()),
        None,
    )
    .await?;
    // The archive keeps the end of the story with the rest of it.
    sqlx::query(
        "INSERT INTO audit_archive (former_tenant_id, former_tenant_name, id, at, actor_id, actor_label, action, target, before_json, after_json, via, archived_at) \
         VALUES ($1, $2, $3, $4, NULL, 'tenant controller', 'tenant.deleted', $2, NULL, NULL, NULL, $4)",
    )
    .bind(t.id.as_text())
    .bind(t.name.clone())
    .bind(crate::ids::AuditId::new_random().as_text())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
