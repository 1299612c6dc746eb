-- The tenant as a container (seed 003): the request that made each audited change, a
-- per-tenant stream of system events, and usage per day for billing and the metrics page.

-- The request id (the X-Request-Id the console answered with) of the change, so an
-- audit record can be matched with the server's log of that request.
ALTER TABLE audit_events ADD COLUMN request_id TEXT;
ALTER TABLE audit_archive ADD COLUMN request_id TEXT;

-- System events of a tenant, newest first: the controller's steps, logins, API token use.
-- They are not changes (those are the audit log) but what the system saw happen. API use
-- is one line per caller and hour, its `quantity` the calls made (1 for other lines).
-- Lines are kept for TENANTRY_LOG_RETENTION_DAYS.
CREATE TABLE tenant_logs (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    at         INTEGER NOT NULL,
    source     TEXT NOT NULL CHECK (source IN ('controller', 'login', 'api')),
    message    TEXT NOT NULL,
    quantity   INTEGER NOT NULL DEFAULT 1,
    request_id TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX tenant_logs_at ON tenant_logs (tenant_id, at, id);
CREATE INDEX tenant_logs_purge ON tenant_logs (at);

-- Usage per tenant per UTC day (days since the epoch, as traffic_daily): each resource
-- kind's count as the controller last saw it that day (it counts every tenant once an
-- hour), and the day's API calls (added up from every replica's meter). The tenant's own
-- row ('tenant', 1) says it existed that day; its `updated_at` is the last count.
CREATE TABLE usage_daily (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    day       INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    quantity  INTEGER NOT NULL,
    updated_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, day, kind)
);
CREATE INDEX usage_daily_day ON usage_daily (day, tenant_id);
