-- Foundation schema (Postgres). Ids are UUID text, times are unix milliseconds (INTEGER),
-- booleans are 0/1, so that one query text serves SQLite and Postgres through sqlx Any.

CREATE TABLE tenants (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    description     TEXT NOT NULL DEFAULT '',
    desired_state   TEXT NOT NULL CHECK (desired_state IN ('UNKNOWN', 'CREATED', 'DELETED')),
    current_state   TEXT NOT NULL CHECK (current_state IN ('UNKNOWN', 'CREATED', 'DELETED')),
    -- One watcher flag per component that takes part in bootstrap/teardown (seed 004).
    watcher_console BIGINT NOT NULL DEFAULT 0,
    is_system       BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- Labels map tenants to environments or teams (env=prod, team=analytics).
CREATE TABLE tenant_labels (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX tenant_labels_kv ON tenant_labels (key, value);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    issuer         TEXT,
    subject        TEXT,
    email          TEXT NOT NULL,
    email_lower    TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL DEFAULT '',
    password_hash  TEXT,
    created_at     BIGINT NOT NULL,
    last_login_at  BIGINT,
    UNIQUE (issuer, subject)
);

CREATE TABLE memberships (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('admin', 'tenant-admin', 'viewer')),
    created_at BIGINT NOT NULL,
    created_by TEXT,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- Tenants a user switched into lately, for the switcher's "recent" list.
CREATE TABLE recent_tenants (
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    used_at   BIGINT NOT NULL,
    PRIMARY KEY (user_id, tenant_id)
);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_used_at BIGINT
);

CREATE TABLE audit_events (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    at          BIGINT NOT NULL,
    actor_id    TEXT,
    actor_label TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT NOT NULL,
    before_json TEXT,
    after_json  TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_events_at ON audit_events (tenant_id, at);

-- Failed local logins, for rate limiting that holds across replicas.
CREATE TABLE login_failures (
    key TEXT NOT NULL,
    at  BIGINT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

-- The system tenant exists from the start; its admins are global admins.
INSERT INTO tenants (id, name, description, desired_state, current_state, watcher_console, is_system, created_at, updated_at)
VALUES ('00000000-0000-4000-8000-000000000001', 'admin', 'System tenant: its admins manage every tenant.',
        'CREATED', 'CREATED', 1, 1, 0, 0);
