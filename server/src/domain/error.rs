//! `DomainError`: what a use case can refuse or fail with, whoever called it (a handler, a CLI command, a
//! scheduled job). The HTTP layer renders each variant as the JSON envelope in one place (`http::error`).

use shared::FieldError;

use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The input is wrong: `details` names each field (empty for a problem with the request as a whole).
    #[error("{message}")]
    Invalid {
        message: String,
        details: Vec<FieldError>,
    },
    /// No, invalid, expired or revoked credentials. One message for all of them, on purpose.
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("Not found")]
    NotFound,
    #[error("{message}")]
    Conflict {
        message: String,
        details: Vec<FieldError>,
    },
    /// Over a rate limit: `action` says what was counted ("attempts", "requests", "exports", …).
    #[error("Too many {action} — try again in {retry_after_secs} s")]
    RateLimited {
        action: &'static str,
        retry_after_secs: u64,
    },
    /// More than a limit allows (an import's size or row count): 413.
    #[error("{0}")]
    TooLarge(String),
    #[error("Database unavailable")]
    DatabaseUnavailable,
    /// Anything unexpected. The source is logged and reported, and never shown to the caller.
    #[error("Internal server error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl DomainError {
    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(err))
    }

    pub fn validation(details: Vec<FieldError>) -> Self {
        Self::Invalid {
            message: "Validation failed".into(),
            details,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::Invalid {
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// A conflict on one field, e.g. an email that is already taken.
    pub fn conflict_on(field: &str, code: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::Conflict {
            details: vec![FieldError {
                field: field.into(),
                code: code.into(),
                message: message.clone(),
            }],
            message,
        }
    }

    /// A JSON document serde refused: serde's message without the input itself (it names the problem and
    /// its position); an unknown field is reported on that field.
    pub fn json(err: &serde_json::Error) -> Self {
        use serde_json::error::Category;
        match err.classify() {
            Category::Syntax | Category::Eof | Category::Io => {
                Self::bad_request(format!("Malformed JSON: {err}"))
            }
            Category::Data => {
                let message = err.to_string();
                match unknown_field(&message) {
                    Some(field) => Self::validation(vec![FieldError {
                        message: format!("Unknown field `{field}`: it cannot be set"),
                        field,
                        code: "unknown_field".into(),
                    }]),
                    None => Self::bad_request(format!("Invalid request body: {message}")),
                }
            }
        }
    }

    /// The per-field problems, for forms that show them beside their fields.
    pub fn details(&self) -> &[FieldError] {
        match self {
            DomainError::Invalid { details, .. } | DomainError::Conflict { details, .. } => details,
            _ => &[],
        }
    }
}

fn unknown_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split_once('`').map(|(field, _)| field.to_owned())
}

/// A database failure the use case did not expect: unavailable (503, the pool recovers by itself) or
/// internal. Refusals a use case does expect (a taken name, a status in use) are matched on `DbError` first.
impl From<DbError> for DomainError {
    fn from(err: DbError) -> Self {
        match err {
            DbError::Unavailable(source) => {
                tracing::warn!(error = %source, "database unavailable");
                DomainError::DatabaseUnavailable
            }
            DbError::Check | DbError::Data => {
                DomainError::bad_request("A value is outside what the database allows")
            }
            other => DomainError::internal(other),
        }
    }
}

impl From<sea_orm::DbErr> for DomainError {
    fn from(err: sea_orm::DbErr) -> Self {
        DbError::from(err).into()
    }
}
