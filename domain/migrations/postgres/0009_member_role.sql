-- A membership without a role (`member`): its holder can do only what the tenant's IAM
-- statements give their groups (seed 001, "a member of NetOps, who may have no role").
ALTER TABLE memberships DROP CONSTRAINT IF EXISTS memberships_role_check;
ALTER TABLE memberships ADD CONSTRAINT memberships_role_check
    CHECK (role IN ('admin', 'tenant-admin', 'viewer', 'member'));
