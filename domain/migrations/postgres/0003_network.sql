-- NCS networking (seed 000): workspaces with labels, services, network policies,
-- traffic per connection and day, and the data-plane tokens that report traffic.

CREATE TABLE workspaces (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

-- Plain labels (`project-a-ide`), which network policies select workspaces by.
CREATE TABLE workspace_labels (
    tenant_id    TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    label        TEXT NOT NULL,
    PRIMARY KEY (tenant_id, workspace_id, label),
    FOREIGN KEY (tenant_id, workspace_id) REFERENCES workspaces (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX workspace_labels_label ON workspace_labels (tenant_id, label);

CREATE TABLE services (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    port       BIGINT NOT NULL CHECK (port BETWEEN 1 AND 65535),
    protocol   TEXT NOT NULL CHECK (protocol IN ('tcp', 'udp', 'http', 'https', 'grpc')),
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

-- The YAML as written is kept (the editor shows it back); the columns beside it are the
-- parsed values the evaluator and the queries use.
CREATE TABLE network_policies (
    tenant_id        TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    yaml             TEXT NOT NULL,
    workspace_label  TEXT NOT NULL,
    dest_tenant_id   TEXT NOT NULL,
    service_name     TEXT NOT NULL,
    action           TEXT NOT NULL CHECK (action IN ('allow', 'deny')),
    created_at       BIGINT NOT NULL,
    created_by       TEXT NOT NULL,
    updated_at       BIGINT NOT NULL,
    updated_by       TEXT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
CREATE INDEX network_policies_dest ON network_policies (tenant_id, dest_tenant_id, service_name);

-- Traffic summed per connection and UTC day (days since the epoch), stored on both
-- sides of the connection like the connection itself.
CREATE TABLE traffic_daily (
    tenant_id     TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    connection_id TEXT NOT NULL,
    day           BIGINT NOT NULL,
    bytes         BIGINT NOT NULL,
    flows         BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, connection_id, day)
);

-- Tokens of the data planes that report traffic (prefix `ndp_`, hash only). They belong
-- to the platform, not to a tenant, and can do nothing but report traffic.
CREATE TABLE dataplane_tokens (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_used_at BIGINT
);
