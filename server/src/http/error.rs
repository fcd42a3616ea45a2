//! `ApiError`: the one place that turns failures into the JSON envelope of API.md — a domain error, or one of
//! the refusals only HTTP can make (method, body size, media type, a panic).

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use shared::{ErrorBody, ErrorCode};

use crate::domain::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("Method not allowed on this path")]
    MethodNotAllowed,
    #[error("Request body is too large (the limit is {limit_bytes} bytes)")]
    PayloadTooLarge { limit_bytes: usize },
    #[error("Expected a JSON body (Content-Type: application/json)")]
    UnsupportedMediaType,
    /// A handler panicked: the panic itself has already been logged and reported.
    #[error("Internal server error")]
    Panicked,
}

impl ApiError {
    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        DomainError::internal(err).into()
    }

    pub const NOT_FOUND: ApiError = ApiError::Domain(DomainError::NotFound);

    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Domain(err) => match err {
                DomainError::Invalid { details, .. } if !details.is_empty() => {
                    ErrorCode::ValidationFailed
                }
                DomainError::Invalid { .. } => ErrorCode::BadRequest,
                DomainError::Unauthorized(_) => ErrorCode::Unauthorized,
                DomainError::Forbidden(_) => ErrorCode::Forbidden,
                DomainError::NotFound => ErrorCode::NotFound,
                DomainError::Conflict { .. } => ErrorCode::Conflict,
                DomainError::RateLimited { .. } => ErrorCode::RateLimited,
                DomainError::TooLarge(_) => ErrorCode::PayloadTooLarge,
                DomainError::DatabaseUnavailable => ErrorCode::ServiceUnavailable,
                DomainError::Internal(_) => ErrorCode::Internal,
            },
            ApiError::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            ApiError::PayloadTooLarge { .. } => ErrorCode::PayloadTooLarge,
            ApiError::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            ApiError::Panicked => ErrorCode::Internal,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = self.code();
        let mut retry_after = None;
        let mut details = Vec::new();
        if let ApiError::Domain(err) = &self {
            match err {
                DomainError::Internal(source) => {
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
                DomainError::DatabaseUnavailable => {
                    crate::observability::sentry_reports::report_server_error(
                        err,
                        sentry::Level::Warning,
                    );
                }
                DomainError::RateLimited {
                    retry_after_secs, ..
                } => retry_after = Some(*retry_after_secs),
                _ => {}
            }
            details = err.details().to_vec();
        }
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
