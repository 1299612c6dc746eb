-- A membership without a role (`member`): its holder can do only what the tenant's IAM
-- statements give their groups (seed 001, "a member of NetOps, who may have no role").
-- SQLite cannot change a CHECK constraint in place, and the table rebuild that does it
-- needs foreign keys off, which only works outside a migration's transaction: so
-- `Db::migrate` rebuilds `memberships` right after this migration (see `db.rs`,
-- `sqlite_memberships_member_role`). This file only records the step.
SELECT 1;
