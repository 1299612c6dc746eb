-- Identities and addresses (security review): an address the IdP did not verify is kept
-- for display only and never identifies anyone. `email_verified` says whether an IdP
-- vouched for the address; `email_lower` becomes the *claimed* address (verified by an
-- IdP, or given by an administrator for an invitation or the bootstrap admin) and may be
-- NULL. SQLite cannot drop that column's NOT NULL inside a migration's transaction (the
-- table rebuild needs foreign keys off), so `Db::migrate` rebuilds the table right after
-- this migration (see `db.rs`, `sqlite_users_email_nullable`).
-- Memberships get `joined_at`: NULL until the member signs in after being added, so the
-- Members page shows every new member as invited and reveals nothing about whether the
-- address already belongs to someone elsewhere on the platform.
ALTER TABLE users ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 0;
UPDATE users SET email_verified = 1 WHERE issuer IS NOT NULL;
ALTER TABLE memberships ADD COLUMN joined_at INTEGER;
UPDATE memberships SET joined_at = created_at
    WHERE user_id IN (SELECT id FROM users WHERE issuer IS NOT NULL OR password_hash IS NOT NULL);
