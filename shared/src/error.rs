//! The one JSON error envelope every API failure uses (see API.md, "Errors").

use serde::{Deserialize, Serialize};

/// Machine-readable error categories. The HTTP status is derived from the code, so the two never disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    ValidationFailed,
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    RateLimited,
    Internal,
    ServiceUnavailable,
}

impl ErrorCode {
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorCode::ValidationFailed | ErrorCode::BadRequest => 400,
            ErrorCode::Unauthorized => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Conflict => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal => 500,
            ErrorCode::ServiceUnavailable => 503,
        }
    }
}

/// One problem with one input field, phrased for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// `{"error", "code", "details"?, "request_id"?}` — the body of every non-2xx API response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: String,
    pub code: ErrorCode,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<FieldError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_serialises_as_the_api_contract_says() {
        let body = ErrorBody {
            error: "Validation failed".into(),
            code: ErrorCode::ValidationFailed,
            details: vec![FieldError {
                field: "email".into(),
                code: "email".into(),
                message: "Invalid email format".into(),
            }],
            request_id: Some("req-1".into()),
        };
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "error": "Validation failed",
                "code": "validation_failed",
                "details": [{"field": "email", "code": "email", "message": "Invalid email format"}],
                "request_id": "req-1"
            })
        );
    }

    #[test]
    fn internal_errors_carry_no_details() {
        let body = ErrorBody {
            error: "Internal server error".into(),
            code: ErrorCode::Internal,
            details: vec![],
            request_id: None,
        };
        let json = serde_json::to_string(&body).unwrap();
        assert_eq!(
            json,
            r#"{"error":"Internal server error","code":"internal"}"#
        );
        assert_eq!(ErrorCode::Internal.http_status(), 500);
    }
}
