-- IAM enforcement (seed 001): groups that statements name, the version that tells a
-- cached policy set it is stale, and an index of Admit statements so that the switcher
-- finds the tenants a user is admitted to without reading every tenant's policies.

-- Bumped in the same transaction as every change to the tenant's IAM policies: a
-- server (any replica) holds a compiled policy set only as long as this has not moved.
ALTER TABLE tenants ADD COLUMN iam_version INTEGER NOT NULL DEFAULT 0;

CREATE TABLE iam_groups (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    -- lower(name): names are unique per tenant whatever their case, as statements match
    -- them case-insensitively.
    name_key    TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name_key)
);

-- A group's members are members of its tenant: removing the membership removes them.
-- source is 'console' (added by an admin) or 'oidc' (set by the provider's groups claim
-- at login, and replaced at the next login).
CREATE TABLE iam_group_members (
    tenant_id TEXT NOT NULL,
    group_id  TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    source    TEXT NOT NULL CHECK (source IN ('console', 'oidc')),
    added_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, group_id, user_id),
    FOREIGN KEY (tenant_id, group_id) REFERENCES iam_groups (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, user_id) REFERENCES memberships (tenant_id, user_id) ON DELETE CASCADE
);
CREATE INDEX iam_group_members_user ON iam_group_members (user_id, tenant_id);

-- One row per (admitting tenant, policy, tenant whose groups it admits), rewritten with
-- the policy. Only the switcher and the admission check read it.
CREATE TABLE iam_admits (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    policy       TEXT NOT NULL,
    of_tenant_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, policy, of_tenant_id)
);
CREATE INDEX iam_admits_of ON iam_admits (of_tenant_id, tenant_id);

-- An action taken through another tenant's admission names the actor's home tenant and
-- the statements that allowed it.
ALTER TABLE audit_events ADD COLUMN via TEXT;
