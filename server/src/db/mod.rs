//! The data layer: the only code that builds SQL. Connecting and migrating (here), the record statements
//! (`records`), tenants, users and sessions (`accounts`), the SeaORM entities, and `DbError`, which
//! classifies database refusals once.

pub mod accounts;
pub mod backend_config;
pub mod backup;
pub mod dashboard;
pub mod demo_data;
pub mod entities;
pub mod error;
pub mod history;
pub mod imports;
pub mod records;
pub mod schedules;
pub mod views;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    sea_query::SelectStatement, ConnectOptions, ConnectionTrait, Database, DatabaseConnection,
    DbErr, QueryResult,
};

pub use error::DbError;

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("cannot create the directory for the SQLite database {path}: {source}")]
    SqliteDirectory {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot connect to the database: {0}")]
    Connect(DbErr),
    #[error("migration failed: {0}")]
    Migrate(DbErr),
}

/// Opens a pool. For SQLite the file's directory is created first, so the default works on a fresh clone.
pub async fn connect(database_url: &str) -> Result<DatabaseConnection, DbSetupError> {
    if let Some(path) = sqlite_file_path(database_url) {
        if let Some(parent) = std::path::Path::new(&path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent).map_err(|source| {
                    DbSetupError::SqliteDirectory {
                        path: path.clone(),
                        source,
                    }
                })?;
            }
        }
    }
    let mut options = ConnectOptions::new(database_url.to_owned());
    options
        .max_connections(if database_url.starts_with("sqlite:") {
            8
        } else {
            20
        })
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false)
        // Applied to every pooled SQLite connection: enforce foreign keys (SQLite's default is off), let
        // readers run beside the writer (WAL), and wait for a busy writer instead of failing at once.
        // Every statement is planned for its values. After five runs of a prepared statement PostgreSQL may
        // switch to one generic plan, which cannot see that a substring is rare or a tenant large: the report
        // search then walked the whole tenant in date order (over a second instead of milliseconds).
        .map_sqlx_postgres_opts(|opts| opts.options([("plan_cache_mode", "force_custom_plan")]))
        .map_sqlx_sqlite_opts(|opts| {
            opts.foreign_keys(true)
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(5))
        });
    Database::connect(options)
        .await
        .map_err(DbSetupError::Connect)
}

pub async fn migrate_up(db: &DatabaseConnection) -> Result<(), DbSetupError> {
    Migrator::up(db, None).await.map_err(DbSetupError::Migrate)
}

/// `sqlite://path?mode=rwc` → `path`; `None` for in-memory databases and other backends.
pub fn sqlite_file_path(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| path.to_owned())
}

/// Answers whether the database responds to a trivial statement.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.ping().await
}

/// Begins a transaction that will write. On SQLite it is `BEGIN IMMEDIATE`: the write lock is taken at the
/// start (waiting up to the busy timeout), so a transaction that reads before it writes cannot fail later
/// with "database is locked" when another writer got in between. Elsewhere it is a plain `BEGIN`.
pub async fn begin_write<C>(db: &C) -> Result<sea_orm::DatabaseTransaction, DbErr>
where
    C: sea_orm::TransactionTrait<Transaction = sea_orm::DatabaseTransaction>,
{
    db.begin_with_options(sea_orm::TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

pub fn is_sqlite(db: &impl ConnectionTrait) -> bool {
    db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite
}

pub(crate) async fn fetch_all(
    db: &impl ConnectionTrait,
    select: &SelectStatement,
) -> Result<Vec<QueryResult>, DbError> {
    let statement = db.get_database_backend().build(select);
    Ok(db.query_all_raw(statement).await?)
}

pub(crate) async fn fetch_one(
    db: &impl ConnectionTrait,
    select: &SelectStatement,
) -> Result<Option<QueryResult>, DbError> {
    let statement = db.get_database_backend().build(select);
    Ok(db.query_one_raw(statement).await?)
}

/// Runs an insert of one row and answers the id the database gave it.
pub(crate) async fn insert_returning_id(
    db: &impl ConnectionTrait,
    insert: &mut sea_orm::sea_query::InsertStatement,
) -> Result<i64, DbError> {
    insert.returning_col(sea_orm::sea_query::Alias::new("id"));
    let row = db
        .query_one_raw(db.get_database_backend().build(&*insert))
        .await?
        .ok_or(DbError::Missing("the insert returned no id"))?;
    Ok(row.try_get("", "id")?)
}

/// An update of one row of a tenant that applies only while the row is at `version` (optimistic locking),
/// bumping the version and stamping `updated_at`; the caller adds the values it writes and runs it (zero
/// rows changed: someone changed the row first, or it is gone).
pub(crate) fn versioned_update(
    table: &str,
    tenant_id: i64,
    id: i64,
    version: i64,
    updated_at: sea_orm::sea_query::SimpleExpr,
) -> sea_orm::sea_query::UpdateStatement {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
    let mut update = Query::update();
    update
        .table(Alias::new(table))
        .value(Alias::new("updated_at"), updated_at)
        .value(
            Alias::new("version"),
            Expr::col(Alias::new("version")).add(1),
        )
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .and_where(Expr::col(Alias::new("version")).eq(version));
    update
}

/// Runs an insert, update or delete; answers the number of rows it changed.
pub(crate) async fn execute(
    db: &impl ConnectionTrait,
    update: &impl sea_orm::StatementBuilder,
) -> Result<u64, DbError> {
    let statement = db.get_database_backend().build(update);
    Ok(db.execute_raw(statement).await?.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::sqlite_file_path;

    #[test]
    fn sqlite_paths_are_extracted_from_urls() {
        assert_eq!(
            sqlite_file_path("sqlite://./data/keel.db?mode=rwc").as_deref(),
            Some("./data/keel.db")
        );
        assert_eq!(
            sqlite_file_path("sqlite:/tmp/x.db").as_deref(),
            Some("/tmp/x.db")
        );
        assert_eq!(sqlite_file_path("sqlite::memory:"), None);
        assert_eq!(sqlite_file_path("postgres://localhost/keel"), None);
    }
}
