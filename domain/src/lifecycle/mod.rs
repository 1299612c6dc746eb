//! The tenant lifecycle (seed 004): a tenant's `desired_state` says what an admin asked
//! for, its `current_state` what the tenant controller has done, and the watcher flags
//! which components have done their part. The controller runs inside every server
//! replica; the one holding the lease reconciles: it bootstraps tenants that want to
//! exist and tears down those that want to be gone ([`teardown`]).
//!
//! Every step is idempotent and commits with its own record of progress, so a crash
//! anywhere is repaired by the next pass of whichever replica holds the lease then.

pub mod alerts;
pub mod teardown;

pub use teardown::{plan, request_delete, Controller, Deletion, Plan, Progress, STEPS};

use crate::db::Wall;
use crate::ids::col_id;
use crate::{audit, now_ms, Db, DomainResult};

/// What one pass of the controller did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pass {
    /// False when another replica holds the lease (this one did nothing).
    pub leader: bool,
    pub bootstrapped: usize,
    pub deleted: usize,
    /// Teardowns that stopped at a failing step (retried at the next pass).
    pub stuck: usize,
    /// Tenants whose usage snapshot of the day was taken.
    pub usage_snapshots: usize,
}

/// How long a lease lasts without renewal: a replica that dies is replaced after this.
pub const LEASE_MS: i64 = 15_000;

/// How long after a renewal the holder renews again: a pass every second then writes
/// the lease every five seconds, not every pass.
const RENEW_AFTER_MS: i64 = 5_000;

/// Takes or renews the controller lease for `holder`; true when `holder` has it. It
/// reads first, so a pass writes nothing while its own lease is fresh or another
/// replica's is alive; taking or renewing is one conditional upsert, so two replicas
/// racing for an expired lease cannot both win.
pub async fn acquire_lease(db: &Db, holder: &str) -> DomainResult<bool> {
    let now = now_ms();
    let current: Option<(String, i64)> = sqlx::query_as(
        "SELECT holder, expires_at FROM controller_leases WHERE name = 'tenant-controller'",
    )
    .fetch_optional(&mut *db.read(Wall::Platform).await?)
    .await?;
    match &current {
        Some((h, expires)) if h == holder && *expires - now > LEASE_MS - RENEW_AFTER_MS => {
            return Ok(true)
        }
        Some((h, expires)) if h != holder && *expires >= now => return Ok(false),
        _ => {}
    }
    let taken = db.write(Wall::Platform, sqlx::query(
        "INSERT INTO controller_leases (name, holder, expires_at) VALUES ('tenant-controller', $1, $2) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
         WHERE controller_leases.expires_at < $3 OR controller_leases.holder = excluded.holder",
    )
    .bind(holder.to_string())
    .bind(now + LEASE_MS)
    .bind(now))
    .await?
    .rows_affected();
    Ok(taken == 1)
}

/// Gives the lease up (at shutdown), so another replica takes over at once.
pub async fn release_lease(db: &Db, holder: &str) -> DomainResult<()> {
    db.write(
        Wall::Platform,
        sqlx::query(
            "DELETE FROM controller_leases WHERE name = 'tenant-controller' AND holder = $1",
        )
        .bind(holder.to_string()),
    )
    .await?;
    Ok(())
}

/// The replica that holds the lease now, if any.
pub async fn lease_holder(db: &Db) -> DomainResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT holder FROM controller_leases WHERE name = 'tenant-controller' AND expires_at >= $1",
    )
    .bind(now_ms())
    .fetch_optional(&mut *db.read(Wall::Platform).await?)
    .await?)
}

/// One pass of the controller, if this replica holds the lease: bootstrap, then
/// teardown. A teardown that fails at a step is left for the next pass (and forced
/// once the step is past its timeout).
pub async fn reconcile(db: &Db, ctl: &Controller) -> DomainResult<Pass> {
    if !acquire_lease(db, &ctl.replica).await? {
        return Ok(Pass::default());
    }
    let mut pass = Pass {
        leader: true,
        bootstrapped: bootstrap(db, ctl).await?,
        ..Pass::default()
    };
    expiring_secrets(db).await?;
    purge_archive(db, now_ms() - ctl.audit_retention_ms).await?;
    crate::telemetry::logs::purge(db, now_ms() - ctl.log_retention_ms).await?;
    pass.usage_snapshots = usage_snapshots(db, ctl, pass.bootstrapped).await?;
    for id in teardown::pending(db).await? {
        // Renew the lease between tenants, so a long queue does not let it lapse.
        if !acquire_lease(db, &ctl.replica).await? {
            pass.leader = false;
            break;
        }
        match teardown::advance(db, ctl, id).await {
            Ok(true) => pass.deleted += 1,
            Ok(false) => {}
            Err(_) => pass.stuck += 1,
        }
    }
    Ok(pass)
}

/// Counts a batch of tenants whose usage of today is missing or over an hour old. When a
/// pass finds none, the next minute's passes skip the look (a tenant bootstrapped in
/// between is counted at once); the cost is one indexed scan a minute, on whichever
/// replica holds the lease.
async fn usage_snapshots(db: &Db, ctl: &Controller, bootstrapped: usize) -> DomainResult<usize> {
    use std::sync::atomic::Ordering;
    let now = now_ms();
    if bootstrapped == 0 && now < ctl.usage_quiet_until.load(Ordering::Relaxed) {
        return Ok(0);
    }
    let counted =
        crate::telemetry::usage::snapshot_due(db, 200, now - crate::telemetry::usage::RECOUNT_MS)
            .await?;
    if counted == 0 {
        ctl.usage_quiet_until.store(now + 60_000, Ordering::Relaxed);
    }
    Ok(counted)
}

/// Drops archived audit logs past their retention, a bounded batch per pass. It looks
/// first (one indexed read), so a pass with nothing to drop writes nothing.
async fn purge_archive(db: &Db, before: i64) -> DomainResult<()> {
    let due: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM audit_archive WHERE archived_at < $1 LIMIT 1")
            .bind(before)
            .fetch_optional(&mut *db.read(Wall::Platform).await?)
            .await?;
    if due.is_some() {
        db.write(Wall::Platform, sqlx::query(
            "DELETE FROM audit_archive WHERE former_tenant_id IN \
             (SELECT DISTINCT former_tenant_id FROM audit_archive WHERE archived_at < $1 LIMIT 100)",
        )
        .bind(before))
        .await?;
    }
    Ok(())
}

/// Alerts each tenant with a connection secret that expires within the hour and has not
/// been redeemed (once per secret).
async fn expiring_secrets(db: &Db) -> DomainResult<()> {
    let now = now_ms();
    let soon: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT tenant_id, id, hint, expires_at FROM connection_secrets \
         WHERE used_at IS NULL AND revoked_at IS NULL AND expires_at > $1 AND expires_at <= $2 \
         AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.tenant_id = connection_secrets.tenant_id \
             AND a.dedup = 'secret_expiring:' || connection_secrets.id) \
         ORDER BY expires_at LIMIT 500",
    )
    .bind(now)
    .bind(now + 3_600_000)
    .fetch_all(&mut *db.read(Wall::Platform).await?)
    .await?;
    if soon.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin(Wall::Platform).await?;
    for (tenant, id, hint, expires_at) in &soon {
        let minutes = (expires_at - now).div_euclid(60_000).max(1);
        alerts::raise(
            &mut tx,
            col_id(tenant)?,
            "secret_expiring",
            alerts::Severity::Info,
            &format!(
                "Connection secret {hint} expires in {minutes} minute(s) and has not been redeemed."
            ),
            &format!("secret_expiring:{id}"),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Bootstraps every tenant waiting for it; returns how many were completed. Each
/// component sets its watcher (IAM: the built-in statements are every tenant's default
/// documents and need no rows; network and clouds: a tenant starts with none of their
/// objects, and its cloud settings are columns of its row), then the tenant is CREATED.
async fn bootstrap(db: &Db, ctl: &Controller) -> DomainResult<usize> {
    let pending: Vec<(String, String)> = sqlx::query_as(
        "SELECT id, name FROM tenants WHERE desired_state = 'CREATED' AND current_state <> 'CREATED' ORDER BY created_at LIMIT 100",
    )
    .fetch_all(&mut *db.read(Wall::Platform).await?)
    .await?;
    let mut done = 0;
    for (id, name) in pending {
        let mut tx = db.begin(Wall::Platform).await?;
        // The conditional update makes concurrent controllers harmless: one wins.
        let res = sqlx::query(
            "UPDATE tenants SET watcher_console = 1, watcher_iam = 1, watcher_network = 1, watcher_clouds = 1, \
             current_state = 'CREATED', updated_at = $1 \
             WHERE id = $2 AND desired_state = 'CREATED' AND current_state <> 'CREATED'",
        )
        .bind(now_ms())
        .bind(id.clone())
        .execute(&mut *tx)
        .await?;
        if res.rows_affected() == 1 {
            let tid = col_id(&id)?;
            audit::record_global(
                &mut tx,
                tid,
                None,
                &format!("tenant controller ({})", ctl.replica),
                "tenant.bootstrap",
                &name,
                Some("UNKNOWN".into()),
                Some("CREATED".into()),
            )
            .await?;
            crate::telemetry::logs::write(
                &mut tx,
                tid,
                crate::telemetry::logs::Source::Controller,
                &format!(
                    "Bootstrapped by the tenant controller ({}): IAM, network and clouds are ready; the tenant is CREATED.",
                    ctl.replica
                ),
            )
            .await?;
            done += 1;
        }
        tx.commit().await?;
    }
    Ok(done)
}

/// One pass as a controller named `local` (for tools and tests that run no server);
/// returns how many tenants were bootstrapped.
pub async fn reconcile_once(db: &Db) -> DomainResult<usize> {
    Ok(reconcile(db, &Controller::new("local")).await?.bootstrapped)
}
