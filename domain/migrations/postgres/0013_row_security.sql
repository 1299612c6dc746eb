-- Row-level security: the second wall between tenants (see domain::db::Wall).
--
-- Every table with a tenant_id column lets a transaction reach only the rows of the
-- tenants named in its `app.tenant_id` setting (one id, or two separated by a comma for
-- a caller admitted from another tenant; set with set_config(..., true) at the start of
-- every transaction of the console), or every row when the setting is `*` (work above
-- tenants). Without a setting a transaction sees no row at all.
--
-- FORCE makes the policy hold the tables' owner too. The console connects as a role that
-- is neither superuser, nor BYPASSRLS, nor owner (it refuses to start otherwise), and
-- migrations run as the owner: a later migration that changes rows of these tables
-- starts with `SELECT set_config('app.tenant_id', '*', true);`, and one that adds a
-- tenant-owned table gives it the same three statements as below (a test checks that
-- every table with a tenant_id column is held by the policy).
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT c.table_name
        FROM information_schema.columns c
        JOIN information_schema.tables tb
          ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
        WHERE c.table_schema = current_schema()
          AND c.column_name = 'tenant_id'
          AND tb.table_type = 'BASE TABLE'
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t.table_name);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t.table_name);
        EXECUTE format(
            'CREATE POLICY tenant_wall ON %I USING ('
            '    current_setting(''app.tenant_id'', true) = ''*'' '
            '    OR tenant_id = ANY (string_to_array(current_setting(''app.tenant_id'', true), '','')))',
            t.table_name);
    END LOOP;
END $$;
