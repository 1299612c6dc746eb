-- IAM policy documents (seed 001): each tenant's named documents in the
-- Define/Endorse/Admit/Allow language. The row holds the latest version; every saved
-- version, the latest included, is kept in iam_policy_versions with its author, time and
-- comment, so that any version can be viewed and restored.
CREATE TABLE iam_policies (
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    version     BIGINT NOT NULL,
    text        TEXT NOT NULL,
    statements  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, name)
);

CREATE TABLE iam_policy_versions (
    tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    version    BIGINT NOT NULL,
    text       TEXT NOT NULL,
    comment    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    PRIMARY KEY (tenant_id, name, version)
);
