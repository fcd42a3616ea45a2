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
    #[error("Not found")]
    NotFound,
    #[error("Database unavailable")]
    DatabaseUnavailable,
    /// Anything unexpected. The source is logged and never shown to the client.
    #[error("Internal server error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(err))
    }

    fn code(&self) -> ErrorCode {
        match self {
            ApiError::BadRequest { details, .. } if !details.is_empty() => {
                ErrorCode::ValidationFailed
            }
            ApiError::BadRequest { .. } => ErrorCode::BadRequest,
            ApiError::NotFound => ErrorCode::NotFound,
            ApiError::DatabaseUnavailable => ErrorCode::ServiceUnavailable,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = self.code();
        if let ApiError::Internal(source) = &self {
            tracing::error!(error = %source, "unexpected error");
        }
        let details = match self {
            ApiError::BadRequest { ref details, .. } => details.clone(),
            _ => Vec::new(),
        };
        let body = ErrorBody {
            error: self.to_string(),
            code,
            details,
            request_id: None,
        };
        let status =
            StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(body)).into_response()
    }
}
