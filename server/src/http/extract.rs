//! The API's extractors. `ApiJson<T>`: every way a body can be wrong becomes the envelope: not JSON → 415,
//! over the limit → 413, malformed or mistyped → 400, unknown field → 400 naming the field. Path segments
//! (`RecordId`, `Entity`, `EntityRecord`: anything else is a 404) and the query string (`Query`).

use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Path, Request},
};
use http::{header, request::Parts, StatusCode};
use serde::de::DeserializeOwned;
use shared::EntityKind;

use super::error::ApiError;
use crate::domain::{
    params::{parse_id, Params},
    DomainError,
};

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
                    DomainError::bad_request("Could not read the request body").into()
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

/// A JSON body serde refused, in the envelope.
pub fn json_error(err: &serde_json::Error) -> ApiError {
    DomainError::json(err).into()
}

/// A record id from the path. Anything that is not an id as `params::parse_id` spells it names no record: 404.
pub struct RecordId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for RecordId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NOT_FOUND)?;
        parse_id(&raw).map(RecordId).ok_or(ApiError::NOT_FOUND)
    }
}

/// The `{entity}` path segment: one of the entity plurals, else 404.
pub struct Entity(pub EntityKind);

/// `{entity}` and `{id}` together.
pub struct EntityRecord(pub EntityKind, pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Entity {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(segment) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NOT_FOUND)?;
        EntityKind::from_plural(&segment)
            .map(Entity)
            .ok_or(ApiError::NOT_FOUND)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for EntityRecord {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path((segment, id)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NOT_FOUND)?;
        let kind = EntityKind::from_plural(&segment).ok_or(ApiError::NOT_FOUND)?;
        let id = parse_id(&id).ok_or(ApiError::NOT_FOUND)?;
        Ok(EntityRecord(kind, id))
    }
}

/// The query string, decoded the one way every endpoint reads it.
pub struct Query(pub Params);

impl<S: Send + Sync> FromRequestParts<S> for Query {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Query(Params::parse(parts.uri.query())))
    }
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
            ApiError::Domain(DomainError::Invalid { details, .. }) => {
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
            matches!(json_error(&err), ApiError::Domain(DomainError::Invalid { details, .. }) if details.is_empty())
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
