"""Seeds a migrated Tenantry SQLite file for scripts/bench.sh.

usage: seed.py <db-file> <tenants> <audit-rows>

Tenants are named tenant-000000, tenant-000001, ... (the search index fills itself through
its triggers); audit rows go to the system tenant `admin`, whose audit page the bench
reads. One transaction, so a crash leaves the file as it was.
"""
import sqlite3
import sys
import uuid

SYSTEM = "00000000-0000-4000-8000-000000000001"


def main() -> None:
    path, tenants, audit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    have = db.execute("SELECT COUNT(*) FROM tenants WHERE name LIKE 'tenant-%'").fetchone()[0]
    with db:
        db.executemany(
            "INSERT INTO tenants (id, name, description, desired_state, current_state, watcher_console, created_at, updated_at) "
            "VALUES (?, ?, '', 'CREATED', 'CREATED', 1, ?, ?)",
            ((str(uuid.uuid4()), f"tenant-{i:06d}", 1_700_000_000_000 + i, 1_700_000_000_000 + i) for i in range(have, tenants)),
        )
        db.executemany(
            "INSERT INTO audit_events (tenant_id, id, at, actor_id, actor_label, action, target, before_json, after_json) "
            "VALUES (?, ?, ?, NULL, 'bench', 'bench.event', ?, NULL, NULL)",
            ((SYSTEM, str(uuid.uuid4()), 1_700_000_000_000 + i, f"object-{i}") for i in range(audit)),
        )
    db.close()


if __name__ == "__main__":
    main()
