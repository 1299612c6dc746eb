-- Cross-tenant connections (seed 000). A connection is stored once per side, under each
-- side's tenant_id, with the same connection id: the only rows that name two tenants.

CREATE TABLE connection_secrets (
    tenant_id        TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id               TEXT NOT NULL,
    secret_hash      TEXT NOT NULL UNIQUE,
    hint             TEXT NOT NULL,
    note             TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    created_by       TEXT NOT NULL,
    expires_at       BIGINT NOT NULL,
    revoked_at       BIGINT,
    revoked_by       TEXT,
    used_at          BIGINT,
    used_by_tenant   TEXT,
    connection_id    TEXT,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE connections (
    tenant_id          TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                 TEXT NOT NULL,
    remote_tenant_id   TEXT NOT NULL,
    remote_tenant_name TEXT NOT NULL,
    direction          TEXT NOT NULL CHECK (direction IN ('provides', 'consumes')),
    status             TEXT NOT NULL CHECK (status IN ('Active', 'Revoked')),
    created_at         BIGINT NOT NULL,
    created_by         TEXT NOT NULL,
    revoked_at         BIGINT,
    revoked_by         TEXT,
    PRIMARY KEY (tenant_id, id)
);
-- At most one active connection between two tenants (per side).
CREATE UNIQUE INDEX connections_one_active ON connections (tenant_id, remote_tenant_id) WHERE status = 'Active';

-- Redemption attempts, for rate limiting per tenant and per client across replicas.
CREATE TABLE redeem_attempts (
    key TEXT NOT NULL,
    at  BIGINT NOT NULL
);
CREATE INDEX redeem_attempts_key ON redeem_attempts (key, at);
