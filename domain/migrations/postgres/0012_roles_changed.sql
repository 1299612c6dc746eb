-- When a user's roles last changed (a membership added, changed or removed, the global
-- admin role given or taken). A console session that began before it moves to a fresh
-- session id at its next request, and the old id stops working: a stolen or fixed id
-- does not carry over a change of what its holder may do.
ALTER TABLE users ADD COLUMN roles_changed_at BIGINT NOT NULL DEFAULT 0;
