-- Substring search over tenant names from an index, so that the switcher stays fast with
-- 100,000 tenants: a trigram GIN index, which `name LIKE '%…%'` uses for patterns of three
-- characters or more. pg_trgm is a trusted extension: a database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX tenants_name_trgm ON tenants USING gin (name gin_trgm_ops);
