//! What backups, restores and tenant exports ask of the database: its tables and their shapes, every row of a
//! table rendered one canonical way (the manifest's checksums and the tenant archive both read them), a
//! snapshot that `pg_dump` can share, `VACUUM INTO`, and scratch databases.
//!
//! A row is rendered as one JSON object by the database itself — PostgreSQL's `row_to_json` with the
//! session's time zone set to UTC, SQLite's `json_object` — with the columns in the order the caller gives
//! and the rows ordered by the primary key (text keys in byte order). The same data gives the same text on
//! the original and on a restored copy, whatever the server's locale or time zone.

use std::path::Path;

use futures_util::{stream::BoxStream, StreamExt};
use migration::{Migrator, MigratorTrait};
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend,
    IsolationLevel, Statement, StreamTrait, TransactionTrait,
};

use super::DbError;

/// SeaORM's bookkeeping of applied migrations: part of every backup, never "data" when deciding whether a
/// database is empty.
pub const MIGRATIONS_TABLE: &str = "seaql_migrations";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Boolean,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
}

/// A table as the catalog describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableShape {
    pub name: String,
    /// Sorted by name.
    pub columns: Vec<Column>,
    /// The primary key's columns in key order; empty when the table has none (then rows are ordered by every
    /// column).
    pub key: Vec<String>,
}

impl TableShape {
    pub fn column_names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    pub fn has_column(&self, name: &str) -> bool {
        self.columns.iter().any(|c| c.name == name)
    }

    fn kind_of(&self, name: &str) -> ColumnKind {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .map_or(ColumnKind::Other, |c| c.kind)
    }
}

/// Which rows of a table to read.
#[derive(Debug, Clone, Copy)]
pub enum RowFilter<'a> {
    All,
    /// Rows whose `column` equals the id (a tenant's rows: `tenant_id`, or `id` in `tenants`).
    Equals(&'a str, i64),
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn string_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Every table of the connection's schema (SQLite's own `sqlite_…` tables excepted), sorted by name.
pub async fn tables(db: &impl ConnectionTrait) -> Result<Vec<TableShape>, DbError> {
    let backend = db.get_database_backend();
    let (columns_sql, key_sql) = match backend {
        DbBackend::Postgres => (
            "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, \
                    c.data_type::text AS data_type \
             FROM information_schema.columns c \
             JOIN information_schema.tables t \
               ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
             ORDER BY 1, 2",
            "SELECT k.table_name::text AS table_name, k.column_name::text AS column_name \
             FROM information_schema.table_constraints tc \
             JOIN information_schema.key_column_usage k \
               ON k.constraint_schema = tc.constraint_schema AND k.constraint_name = tc.constraint_name \
              AND k.table_name = tc.table_name \
             WHERE tc.table_schema = current_schema() AND tc.constraint_type = 'PRIMARY KEY' \
             ORDER BY 1, k.ordinal_position",
        ),
        _ => (
            "SELECT m.name AS table_name, p.name AS column_name, lower(p.type) AS data_type \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
             ORDER BY 1, 2",
            "SELECT m.name AS table_name, p.name AS column_name \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND p.pk > 0 \
             ORDER BY 1, p.pk",
        ),
    };
    let mut shapes: Vec<TableShape> = Vec::new();
    for row in db
        .query_all_raw(Statement::from_string(backend, columns_sql))
        .await?
    {
        let table: String = row.try_get("", "table_name")?;
        let name: String = row.try_get("", "column_name")?;
        let data_type: String = row.try_get("", "data_type")?;
        let kind = if data_type.contains("char") || data_type.contains("text") {
            ColumnKind::Text
        } else if data_type.starts_with("bool") {
            ColumnKind::Boolean
        } else {
            ColumnKind::Other
        };
        if shapes.last().is_none_or(|t| t.name != table) {
            shapes.push(TableShape {
                name: table,
                columns: Vec::new(),
                key: Vec::new(),
            });
        }
        if let Some(shape) = shapes.last_mut() {
            shape.columns.push(Column { name, kind });
        }
    }
    for row in db
        .query_all_raw(Statement::from_string(backend, key_sql))
        .await?
    {
        let table: String = row.try_get("", "table_name")?;
        let column: String = row.try_get("", "column_name")?;
        if let Some(shape) = shapes.iter_mut().find(|t| t.name == table) {
            shape.key.push(column);
        }
    }
    Ok(shapes)
}

/// The SELECT that renders each row of `table` (only `columns`, in that order) as one JSON text, `line`.
/// `booleans_as_json`: SQLite keeps booleans as 0/1; the tenant archive writes them as JSON booleans, while
/// checksums take the stored value as it is.
fn rows_sql(
    backend: DbBackend,
    table: &TableShape,
    columns: &[String],
    filter: RowFilter<'_>,
    booleans_as_json: bool,
) -> String {
    let key: Vec<String> = if table.key.is_empty() {
        table.column_names()
    } else {
        table.key.clone()
    };
    let order = key
        .iter()
        .map(|column| {
            // Text keys in byte order, whatever the database's collation.
            if backend == DbBackend::Postgres && table.kind_of(column) == ColumnKind::Text {
                format!("t.{} COLLATE \"C\"", quote(column))
            } else if backend == DbBackend::Postgres {
                format!("t.{}", quote(column))
            } else {
                quote(column)
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let condition = match filter {
        RowFilter::All => String::new(),
        RowFilter::Equals(column, _) => format!(
            " WHERE {}{} = {}",
            if backend == DbBackend::Postgres {
                "t."
            } else {
                ""
            },
            quote(column),
            if backend == DbBackend::Postgres {
                "$1"
            } else {
                "?"
            }
        ),
    };
    let from = quote(&table.name);
    match backend {
        DbBackend::Postgres => {
            let list = columns
                .iter()
                .map(|c| format!("t.{}", quote(c)))
                .collect::<Vec<_>>()
                .join(", ");
            // The row is built in a subquery per row so that the ORDER BY is the outer query's own.
            format!(
                "SELECT (SELECT row_to_json(r) FROM (SELECT {list}) r)::text AS line \
                 FROM {from} t{condition} ORDER BY {order}"
            )
        }
        _ => {
            let pairs = columns
                .iter()
                .map(|c| {
                    let value = if booleans_as_json && table.kind_of(c) == ColumnKind::Boolean {
                        format!(
                            "CASE WHEN {q} IS NULL THEN NULL WHEN {q} THEN json('true') ELSE json('false') END",
                            q = quote(c)
                        )
                    } else {
                        quote(c)
                    };
                    format!("{}, {value}", string_literal(c))
                })
                .collect::<Vec<_>>()
                .join(", ");
            format!("SELECT json_object({pairs}) AS line FROM {from}{condition} ORDER BY {order}")
        }
    }
}

/// Every row of `table` (as `filter` selects) rendered as one JSON object of `columns`, in key order,
/// streamed. Run it inside [`read_snapshot`] so that every table is read at the same moment.
pub async fn rows<'a, C>(
    db: &'a C,
    table: &TableShape,
    columns: &[String],
    filter: RowFilter<'_>,
    booleans_as_json: bool,
) -> Result<BoxStream<'a, Result<String, DbError>>, DbError>
where
    C: ConnectionTrait + StreamTrait,
{
    let backend = ConnectionTrait::get_database_backend(db);
    let sql = rows_sql(backend, table, columns, filter, booleans_as_json);
    let statement = match filter {
        RowFilter::All => Statement::from_string(backend, sql),
        RowFilter::Equals(_, id) => Statement::from_sql_and_values(backend, sql, [id.into()]),
    };
    let stream = db.stream_raw(statement).await?;
    Ok(stream
        .map(|row| Ok(row?.try_get::<String>("", "line")?))
        .boxed())
}

/// A read-only transaction that sees one moment of the database (PostgreSQL: REPEATABLE READ, with the time
/// zone set to UTC for the rendering of timestamps; SQLite: a read transaction, a snapshot under WAL).
pub async fn read_snapshot(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbError> {
    if super::is_sqlite(db) {
        return Ok(db.begin().await?);
    }
    let txn = db
        .begin_with_config(
            Some(IsolationLevel::RepeatableRead),
            Some(AccessMode::ReadOnly),
        )
        .await?;
    txn.execute_unprepared("SET LOCAL TimeZone = 'UTC'").await?;
    Ok(txn)
}

/// PostgreSQL: exports the transaction's snapshot, so that `pg_dump --snapshot` dumps exactly what the
/// transaction reads. Valid while the transaction stays open.
pub async fn export_snapshot(txn: &DatabaseTransaction) -> Result<String, DbError> {
    let row = txn
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT pg_export_snapshot() AS snapshot",
        ))
        .await?
        .ok_or(DbError::Missing("pg_export_snapshot returned no row"))?;
    Ok(row.try_get("", "snapshot")?)
}

/// The migrations recorded as applied, in the order they were applied.
pub async fn applied_migrations(db: &impl ConnectionTrait) -> Result<Vec<String>, DbError> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            format!("SELECT version FROM {MIGRATIONS_TABLE} ORDER BY applied_at, version"),
        ))
        .await?;
    rows.iter()
        .map(|row| Ok(row.try_get::<String>("", "version")?))
        .collect()
}

/// The migrations this binary knows, in order.
pub fn known_migrations() -> Vec<String> {
    Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect()
}

/// The migrations this binary would apply to the database.
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<Vec<String>, DbError> {
    Ok(Migrator::get_pending_migrations(db)
        .await?
        .iter()
        .map(|m| m.name().to_owned())
        .collect())
}

/// The server's version as it reports it, and (PostgreSQL) its major version.
pub async fn server_version(db: &impl ConnectionTrait) -> Result<(String, u32), DbError> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT current_setting('server_version') AS version, \
                    current_setting('server_version_num')::int AS num"
        }
        _ => "SELECT sqlite_version() AS version, 0 AS num",
    };
    let row = db
        .query_one_raw(Statement::from_string(backend, sql))
        .await?
        .ok_or(DbError::Missing("no server version"))?;
    let version: String = row.try_get("", "version")?;
    let num: i32 = row.try_get("", "num")?;
    Ok((version, u32::try_from(num / 10_000).unwrap_or(0)))
}

/// PostgreSQL: the name of the database the connection is in.
pub async fn current_database(db: &impl ConnectionTrait) -> Result<String, DbError> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT current_database()::text AS name",
        ))
        .await?
        .ok_or(DbError::Missing("no current database"))?;
    Ok(row.try_get("", "name")?)
}

/// Rows per table, for the tables that have any (the migrations' bookkeeping left out).
pub async fn tables_with_rows(db: &impl ConnectionTrait) -> Result<Vec<(String, u64)>, DbError> {
    let backend = db.get_database_backend();
    let mut counts = Vec::new();
    for table in tables(db).await? {
        if table.name == MIGRATIONS_TABLE {
            continue;
        }
        let row = db
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT COUNT(*) AS n FROM {}", quote(&table.name)),
            ))
            .await?
            .ok_or(DbError::Missing("COUNT returned no row"))?;
        let n: i64 = row.try_get("", "n")?;
        if n > 0 {
            counts.push((table.name, n.unsigned_abs()));
        }
    }
    Ok(counts)
}

/// PostgreSQL: drops the named tables (and what depends on them). A restore removes the tables a newer schema
/// added, which the backup's own `DROP … IF EXISTS` statements would not.
pub async fn drop_tables(db: &impl ConnectionTrait, names: &[String]) -> Result<(), DbError> {
    if names.is_empty() {
        return Ok(());
    }
    let list = names
        .iter()
        .map(|n| quote(n))
        .collect::<Vec<_>>()
        .join(", ");
    db.execute_unprepared(&format!("DROP TABLE IF EXISTS {list} CASCADE"))
        .await?;
    Ok(())
}

/// SQLite: writes a consistent copy of the database to `path` (which must not exist) while others keep
/// reading and writing.
pub async fn vacuum_into(db: &impl ConnectionTrait, path: &Path) -> Result<(), DbError> {
    let target = string_literal(&path.to_string_lossy());
    db.execute_unprepared(&format!("VACUUM INTO {target}"))
        .await?;
    Ok(())
}

/// PostgreSQL: creates an empty database on the connection's server.
pub async fn create_database(db: &impl ConnectionTrait, name: &str) -> Result<(), DbError> {
    db.execute_unprepared(&format!("CREATE DATABASE {}", quote(name)))
        .await?;
    Ok(())
}

/// PostgreSQL: drops a database, ending its other sessions first.
pub async fn drop_database(db: &impl ConnectionTrait, name: &str) -> Result<(), DbError> {
    db.execute_unprepared(&format!(
        "DROP DATABASE IF EXISTS {} WITH (FORCE)",
        quote(name)
    ))
    .await?;
    Ok(())
}

/// Opens a SQLite file read-only and immutable: nothing about it changes, not even its journal mode, so a
/// backup file keeps its checksum.
pub async fn open_sqlite_read_only(path: &Path) -> Result<DatabaseConnection, DbError> {
    use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .immutable(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(|err| {
            DbError::Other(sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(
                err.into(),
            )))
        })?;
    Ok(sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape() -> TableShape {
        TableShape {
            name: "sessions".into(),
            columns: vec![
                Column {
                    name: "id".into(),
                    kind: ColumnKind::Text,
                },
                Column {
                    name: "open".into(),
                    kind: ColumnKind::Boolean,
                },
            ],
            key: vec!["id".into()],
        }
    }

    #[test]
    fn text_keys_sort_in_byte_order_on_postgres() {
        let sql = rows_sql(
            DbBackend::Postgres,
            &shape(),
            &["id".into(), "open".into()],
            RowFilter::Equals("tenant_id", 3),
            false,
        );
        assert_eq!(
            sql,
            "SELECT (SELECT row_to_json(r) FROM (SELECT t.\"id\", t.\"open\") r)::text AS line \
             FROM \"sessions\" t WHERE t.\"tenant_id\" = $1 ORDER BY t.\"id\" COLLATE \"C\""
        );
    }

    #[test]
    fn sqlite_booleans_become_json_booleans_only_when_asked() {
        let columns = ["id".to_owned(), "open".to_owned()];
        let raw = rows_sql(DbBackend::Sqlite, &shape(), &columns, RowFilter::All, false);
        assert_eq!(
            raw,
            "SELECT json_object('id', \"id\", 'open', \"open\") AS line FROM \"sessions\" ORDER BY \"id\""
        );
        let typed = rows_sql(DbBackend::Sqlite, &shape(), &columns, RowFilter::All, true);
        assert!(typed.contains("WHEN \"open\" THEN json('true')"), "{typed}");
    }
}
