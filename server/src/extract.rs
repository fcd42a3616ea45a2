//! `ApiJson<T>`: the JSON body extractor of the API. Every way a body can be wrong becomes the envelope:
//! not JSON → 415, over the limit → 413, malformed or mistyped → 400, unknown field → 400 naming the field.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
};
use http::{header, StatusCode};
use serde::de::DeserializeOwned;
use shared::FieldError;

use crate::error::ApiError;

/// The API's request body limit (API.md: 1 MiB of JSON).
pub const JSON_BODY_LIMIT: usize = 1024 * 1024;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let JsonBytes(bytes) = JsonBytes::from_request(req, state).await?;
        serde_json::from_slice(&bytes)
            .map(ApiJson)
            .map_err(|err| json_error(&err))
    }
}

/// A JSON body, checked for its content type and size but not yet parsed: the generic record path picks
/// the entity's type at run time.
pub struct JsonBytes(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBytes {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError::UnsupportedMediaType);
        }
        Bytes::from_request(req, state)
            .await
            .map(JsonBytes)
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge {
                        limit_bytes: JSON_BODY_LIMIT,
                    }
                } else {
                    ApiError::bad_request("Could not read the request body")
                }
            })
    }
}

fn is_json(headers: &http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false)
}

/// serde's message, without the input itself: it names the problem and its position.
pub fn json_error(err: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    match err.classify() {
        Category::Syntax | Category::Eof | Category::Io => {
            ApiError::bad_request(format!("Malformed JSON: {err}"))
        }
        Category::Data => {
            let message = err.to_string();
            if let Some(field) = unknown_field(&message) {
                ApiError::validation(vec![FieldError {
                    field: field.clone(),
                    code: "unknown_field".into(),
                    message: format!("Unknown field `{field}`: it cannot be set"),
                }])
            } else {
                ApiError::bad_request(format!("Invalid request body: {message}"))
            }
        }
    }
}

fn unknown_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split_once('`').map(|(field, _)| field.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
    }

    #[test]
    fn unknown_fields_are_named() {
        let err = serde_json::from_str::<Body>(r#"{"name":"a","tenant_id":5}"#).unwrap_err();
        match json_error(&err) {
            ApiError::BadRequest { details, .. } => {
                assert_eq!(details[0].field, "tenant_id");
                assert_eq!(details[0].code, "unknown_field");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn syntax_errors_are_bad_requests() {
        let err = serde_json::from_str::<Body>(r#"{"name":"#).unwrap_err();
        assert!(
            matches!(json_error(&err), ApiError::BadRequest { details, .. } if details.is_empty())
        );
    }

    #[test]
    fn json_content_types() {
        let mut headers = http::HeaderMap::new();
        assert!(!is_json(&headers));
        headers.insert(
            header::CONTENT_TYPE,
            "application/json; charset=utf-8".parse().unwrap(),
        );
        assert!(is_json(&headers));
        headers.insert(header::CONTENT_TYPE, "text/plain".parse().unwrap());
        assert!(!is_json(&headers));
    }
}
