-- Newest-first lists (`ORDER BY at DESC, id DESC LIMIT n`, with the keyset cursor on the
-- same two columns) read these indexes backwards and stop after n rows. The indexes
-- they replace ended at the time, so every such query read all of the tenant's rows and
-- sorted them: the dashboard's recent audit events grew slower with each event (30 ms
-- at 5,000 events on Postgres under load).
CREATE INDEX audit_events_recent ON audit_events (tenant_id, at, id);
DROP INDEX audit_events_at;
CREATE INDEX audit_archive_recent ON audit_archive (former_tenant_id, at, id);
DROP INDEX audit_archive_at;
CREATE INDEX alerts_recent ON alerts (tenant_id, created_at, id);
DROP INDEX alerts_at;
