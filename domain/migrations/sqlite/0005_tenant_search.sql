-- Substring search over tenant names from an index, so that the switcher stays fast with
-- 100,000 tenants: an FTS5 table with the trigram tokenizer over the tenants' names
-- (external content: it stores only the index). Triggers keep it in step; names never
-- change, but tenants are created and deleted.
CREATE VIRTUAL TABLE tenant_search USING fts5(
    name, content = 'tenants', content_rowid = 'rowid', tokenize = 'trigram case_sensitive 0'
);
CREATE TRIGGER tenant_search_insert AFTER INSERT ON tenants BEGIN
    INSERT INTO tenant_search (rowid, name) VALUES (new.rowid, new.name);
END;
CREATE TRIGGER tenant_search_delete AFTER DELETE ON tenants BEGIN
    INSERT INTO tenant_search (tenant_search, rowid, name) VALUES ('delete', old.rowid, old.name);
END;
CREATE TRIGGER tenant_search_update AFTER UPDATE OF name ON tenants BEGIN
    INSERT INTO tenant_search (tenant_search, rowid, name) VALUES ('delete', old.rowid, old.name);
    INSERT INTO tenant_search (rowid, name) VALUES (new.rowid, new.name);
END;
INSERT INTO tenant_search (tenant_search) VALUES ('rebuild');
