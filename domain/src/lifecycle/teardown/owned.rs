//! What a tenant still owns, found from the schema (every table with a `tenant_id`
//! column): the check a teardown's last step makes before it removes the tenant row,
//! and what the tests of the teardown assert is empty afterwards.

use crate::db::Wall;
use crate::ids::TenantId;
use crate::{Db, DomainResult};

/// The tables that hold tenant-owned rows, read from the schema itself (every table
/// with a `tenant_id` column), so that a table added later is never forgotten.
pub(crate) async fn owned_tables<'c, E>(db: E, backend: crate::Backend) -> DomainResult<Vec<String>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let sql = match backend {
        crate::Backend::Sqlite => {
            "SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND c.name = 'tenant_id' ORDER BY m.name"
        }
        crate::Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.columns \
             WHERE column_name = 'tenant_id' AND table_schema = current_schema() ORDER BY table_name"
        }
    };
    Ok(sqlx::query_scalar(sql).fetch_all(db).await?)
}

/// Rows each tenant-owned table still holds for `tenant` (tables with none included).
pub(super) async fn count_owned(
    conn: &mut sqlx::AnyConnection,
    tenant: TenantId,
) -> DomainResult<Vec<(String, i64)>> {
    let backend = if conn.backend_name().eq_ignore_ascii_case("sqlite") {
        crate::Backend::Sqlite
    } else {
        crate::Backend::Postgres
    };
    let tables = owned_tables(&mut *conn, backend).await?;
    let mut out = Vec::with_capacity(tables.len());
    for table in tables {
        let rows: i64 = sqlx::query_scalar(&format!(
            "SELECT COUNT(*) FROM {table} WHERE tenant_id = $1"
        ))
        .bind(tenant.as_text())
        .fetch_one(&mut *conn)
        .await?;
        out.push((table, rows));
    }
    Ok(out)
}

/// Rows left for `tenant` in any tenant-owned table, found from the schema: what a
/// finished teardown must bring to zero (and what its tests check).
pub async fn orphans(db: &Db, tenant: TenantId) -> DomainResult<Vec<(String, i64)>> {
    let mut conn = db.read(Wall::Platform).await?;
    Ok(count_owned(&mut conn, tenant)
        .await?
        .into_iter()
        .filter(|(_, rows)| *rows > 0)
        .collect())
}
