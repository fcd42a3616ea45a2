//! `ApiError`: the one place that turns failures into the JSON envelope of API.md.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use shared::{ErrorBody, ErrorCode, FieldError};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    BadRequest {
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
    #[error("Method not allowed on this path")]
    MethodNotAllowed,
    #[error("{message}")]
    Conflict {
        message: String,
        details: Vec<FieldError>,
    },
    #[error("Request body is too large (the limit is {limit_bytes} bytes)")]
    PayloadTooLarge { limit_bytes: usize },
    #[error("Expected a JSON body (Content-Type: application/json)")]
    UnsupportedMediaType,
    #[error("Too many attempts: try again later")]
    RateLimited { retry_after_secs: u64 },
    #[error("Database unavailable")]
    DatabaseUnavailable,
    /// Anything unexpected. The source is logged and reported, and never shown to the client.
    #[error("Internal server error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// A handler panicked: the panic itself has already been logged and reported.
    #[error("Internal server error")]
    Panicked,
}

impl ApiError {
    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(err))
    }

    pub fn validation(details: Vec<FieldError>) -> Self {
        Self::BadRequest {
            message: "Validation failed".into(),
            details,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::BadRequest {
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

    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::BadRequest { details, .. } if !details.is_empty() => {
                ErrorCode::ValidationFailed
            }
            ApiError::BadRequest { .. } => ErrorCode::BadRequest,
            ApiError::Unauthorized(_) => ErrorCode::Unauthorized,
            ApiError::Forbidden(_) => ErrorCode::Forbidden,
            ApiError::NotFound => ErrorCode::NotFound,
            ApiError::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            ApiError::Conflict { .. } => ErrorCode::Conflict,
            ApiError::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            ApiError::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            ApiError::RateLimited { .. } => ErrorCode::RateLimited,
            ApiError::DatabaseUnavailable => ErrorCode::ServiceUnavailable,
            ApiError::Internal(_) | ApiError::Panicked => ErrorCode::Internal,
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        if is_unavailable(&err) {
            tracing::warn!(error = %err, "database unavailable");
            ApiError::DatabaseUnavailable
        } else {
            ApiError::internal(err)
        }
    }
}

/// The database is gone or unreachable (as opposed to refusing one statement): no connection could be had,
/// the connection broke, or the server is shutting down or refusing connections. These answer 503 and the
/// pool reconnects by itself once the database is back.
fn is_unavailable(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{sqlx, DbErr, RuntimeErr};
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

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = self.code();
        let retry_after = match self {
            ApiError::RateLimited { retry_after_secs } => Some(retry_after_secs),
            _ => None,
        };
        match &self {
            ApiError::Internal(source) => {
                tracing::error!(
                    request_id = crate::observability::current_request_id().unwrap_or_default(),
                    error = %source,
                    "unexpected error"
                );
                crate::observability::sentry_reports::report_server_error(
                    source.as_ref(),
                    sentry::Level::Error,
                );
            }
            ApiError::DatabaseUnavailable => {
                crate::observability::sentry_reports::report_server_error(
                    &self,
                    sentry::Level::Warning,
                );
            }
            _ => {}
        }
        let details = match self {
            ApiError::BadRequest { ref details, .. } | ApiError::Conflict { ref details, .. } => {
                details.clone()
            }
            _ => Vec::new(),
        };
        let body = ErrorBody {
            error: self.to_string(),
            code,
            details,
            request_id: crate::observability::current_request_id(),
        };
        let status =
            StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(body)).into_response();
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
        if code == ErrorCode::Unauthorized {
            response.headers_mut().insert(
                http::header::WWW_AUTHENTICATE,
                http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}
