//! `DbError`: a database failure, classified once here so that no other layer reads SQLSTATEs or messages.

use sea_orm::{sqlx, DbErr, RuntimeErr, SqlErr};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database is gone or unreachable (as opposed to refusing one statement).
    #[error("database unavailable: {0}")]
    Unavailable(DbErr),
    /// A unique index refused the write; `constraint` is the database's text naming it.
    #[error("unique constraint violated")]
    Unique { constraint: String },
    /// A CHECK constraint (the database's copy of a shared limit) refused a value.
    #[error("check constraint violated")]
    Check,
    /// A foreign key refused the write: a referenced row is missing, or (`ON DELETE RESTRICT`) a row is still
    /// referenced — e.g. a status that records still use.
    #[error("foreign key constraint violated")]
    ForeignKey { constraint: String },
    /// SQLSTATE class 22 (a data exception): a value the database cannot take — NUL in text, out of range,
    /// too long. Validation should have caught it; this keeps it a refusal of the input, not a 500.
    #[error("data exception")]
    Data,
    /// A statement returned nothing where the code relies on a row (e.g. `RETURNING id`).
    #[error("{0}")]
    Missing(&'static str),
    #[error(transparent)]
    Other(DbErr),
}

impl From<DbErr> for DbError {
    fn from(err: DbErr) -> Self {
        if is_unavailable(&err) {
            return DbError::Unavailable(err);
        }
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(constraint)) => DbError::Unique { constraint },
            Some(SqlErr::ForeignKeyConstraintViolation(constraint)) => {
                DbError::ForeignKey { constraint }
            }
            _ if is_check_violation(&err) => DbError::Check,
            _ if sqlstate(&err).is_some_and(|code| code.starts_with("22")) => DbError::Data,
            _ => DbError::Other(err),
        }
    }
}

fn sqlstate(err: &DbErr) -> Option<String> {
    match err {
        DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e)) => {
            match e.as_ref() {
                sqlx::Error::Database(db) => db.code().map(|code| code.into_owned()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// SQLSTATE 23514 on PostgreSQL; SQLite reports its extended code 275 (`SQLITE_CONSTRAINT_CHECK`).
fn is_check_violation(err: &DbErr) -> bool {
    let sqlx_err = match err {
        DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e)) => e,
        _ => return false,
    };
    match sqlx_err.as_ref() {
        sqlx::Error::Database(db) => match db.code() {
            Some(code) => code == "23514" || code == "275",
            None => db.message().contains("CHECK constraint failed"),
        },
        _ => false,
    }
}

/// No connection could be had, the connection broke, or the server is shutting down or refusing
/// connections. These answer 503 and the pool reconnects by itself once the database is back.
fn is_unavailable(err: &DbErr) -> bool {
    let sqlx_err = match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e)) => e,
        _ => return false,
    };
    match sqlx_err.as_ref() {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_) => true,
        // SQLSTATE 08… connection exception, 57P… operator intervention (shutdown, terminated backend).
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
        _ => false,
    }
}
