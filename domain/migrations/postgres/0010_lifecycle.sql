-- Tenant lifecycle (seeds 003, 004): a watcher flag per component that takes part in
-- bootstrap and teardown, the teardown's progress on the tenant's row, alerts per tenant,
-- the audit records of deleted tenants kept for their retention period, a lease so that
-- one replica reconciles at a time, and a cut-off that ends the sessions of a deleted
-- tenant's members.

-- Set by each component once it has bootstrapped the tenant, cleared once it has torn
-- down its part. The console's own flag (watcher_console) stays for the tenant row.
ALTER TABLE tenants ADD COLUMN watcher_iam BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN watcher_network BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN watcher_clouds BIGINT NOT NULL DEFAULT 0;
UPDATE tenants SET watcher_iam = 1, watcher_network = 1, watcher_clouds = 1
    WHERE current_state = 'CREATED';
-- The teardown: how many of its steps are done, when it and its current step started
-- (a step past its timeout is forced), who asked for it, and the last error.
ALTER TABLE tenants ADD COLUMN teardown_done BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN teardown_started_at BIGINT;
ALTER TABLE tenants ADD COLUMN teardown_step_at BIGINT;
ALTER TABLE tenants ADD COLUMN teardown_by TEXT;
ALTER TABLE tenants ADD COLUMN teardown_error TEXT;
CREATE INDEX tenants_reconcile ON tenants (desired_state, current_state);

-- Alerts the system raises in a tenant (a secret about to expire, a connection revoked by
-- the peer, a policy naming an unknown tenant, a forced teardown step). `dedup` names the
-- cause: each cause is alerted once.
CREATE TABLE alerts (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    severity   TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    message    TEXT NOT NULL,
    dedup      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    acked_at   BIGINT,
    acked_by   TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX alerts_at ON alerts (tenant_id, created_at);
CREATE UNIQUE INDEX alerts_dedup ON alerts (tenant_id, dedup);
CREATE INDEX alerts_open ON alerts (tenant_id) WHERE acked_at IS NULL;

-- The controller's look for secrets that expire within the hour.
CREATE INDEX connection_secrets_expiry ON connection_secrets (expires_at)
    WHERE used_at IS NULL AND revoked_at IS NULL;

-- A deleted tenant's audit log, moved here by the last step of its teardown and kept for
-- the retention period (TENANTRY_AUDIT_RETENTION_DAYS) for global admins. It names the
-- tenant it came from in `former_tenant_id`: no tenant owns these rows any more.
CREATE TABLE audit_archive (
    former_tenant_id   TEXT NOT NULL,
    former_tenant_name TEXT NOT NULL,
    id                 TEXT NOT NULL,
    at                 BIGINT NOT NULL,
    actor_id           TEXT,
    actor_label        TEXT NOT NULL,
    action             TEXT NOT NULL,
    target             TEXT NOT NULL,
    before_json        TEXT,
    after_json         TEXT,
    via                TEXT,
    archived_at        BIGINT NOT NULL,
    PRIMARY KEY (former_tenant_id, id)
);
CREATE INDEX audit_archive_at ON audit_archive (former_tenant_id, at);
CREATE INDEX audit_archive_archived ON audit_archive (archived_at);

-- Who reconciles: the replica holding the unexpired lease.
CREATE TABLE controller_leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Sessions and tokens issued before this moment are refused (a deleted tenant's members
-- are logged out at once, whatever replica holds their session).
ALTER TABLE users ADD COLUMN sessions_valid_from BIGINT NOT NULL DEFAULT 0;
