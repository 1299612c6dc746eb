-- Tenant-scoped clouds (seed 002): a cloud inside a tenant, its VRF contexts, SE groups
-- and hand-added Service Engines. Every row carries its tenant, and every child names its
-- cloud by (tenant_id, cloud_id), so that a child can never point into another tenant.
-- Settings that are not secret are kept as JSON; secrets are sealed (AES-256-GCM with the
-- key from TENANTRY_SECRET_KEY) and never leave the server.

-- Provider mode (global admins only): whether the admin tenant's clouds, SE groups and
-- Service Engines serve this tenant, read-only.
ALTER TABLE tenants ADD COLUMN se_in_provider_context INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN tenant_access_to_provider_se INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tenants ADD COLUMN tenant_vrf INTEGER NOT NULL DEFAULT 0;

CREATE TABLE clouds (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    cloud_type TEXT NOT NULL CHECK (cloud_type IN ('aws', 'azure', 'linux-server', 'no-orchestrator')),
    settings   TEXT NOT NULL,
    secrets    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE vrf_contexts (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    cloud_id    TEXT NOT NULL,
    name        TEXT NOT NULL,
    -- `data` (the `global` VRF), `management`, or `custom` for those added by hand.
    purpose     TEXT NOT NULL CHECK (purpose IN ('data', 'management', 'custom')),
    description TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, cloud_id, name),
    FOREIGN KEY (tenant_id, cloud_id) REFERENCES clouds (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE se_groups (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    cloud_id    TEXT NOT NULL,
    name        TEXT NOT NULL,
    ha_mode     TEXT NOT NULL CHECK (ha_mode IN ('shared', 'active-standby', 'active-active')),
    max_ses     INTEGER NOT NULL CHECK (max_ses BETWEEN 1 AND 1000),
    description TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, cloud_id, name),
    FOREIGN KEY (tenant_id, cloud_id) REFERENCES clouds (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE service_engines (
    tenant_id   TEXT NOT NULL,
    id          TEXT NOT NULL,
    cloud_id    TEXT NOT NULL,
    se_group_id TEXT NOT NULL,
    name        TEXT NOT NULL,
    mgmt_ip     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, cloud_id, name),
    UNIQUE (tenant_id, cloud_id, mgmt_ip),
    FOREIGN KEY (tenant_id, cloud_id) REFERENCES clouds (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, se_group_id) REFERENCES se_groups (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX service_engines_group ON service_engines (tenant_id, se_group_id);

-- The cloud wizard's work in progress: what was entered so far (secrets sealed), so that
-- Back and Next keep it with or without JavaScript and no secret is sent back to the
-- browser. A draft belongs to one user in one tenant and expires after an hour.
CREATE TABLE cloud_drafts (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    cloud_type TEXT NOT NULL,
    name       TEXT NOT NULL,
    settings   TEXT NOT NULL,
    secrets    TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX cloud_drafts_expiry ON cloud_drafts (expires_at);
