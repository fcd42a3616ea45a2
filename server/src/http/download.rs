//! A file download streamed as the domain produces it: the CSV export and the organisation's archive.

use axum::{
    body::{Body, Bytes},
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
    BoxError,
};
use futures_util::TryStream;

use super::error::ApiError;

/// `stream` as an attachment named `filename`, never cached.
pub fn attachment<S>(
    stream: S,
    content_type: &'static str,
    filename: &str,
) -> Result<Response, ApiError>
where
    S: TryStream + Send + 'static,
    S::Ok: Into<Bytes>,
    S::Error: Into<BoxError>,
{
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .map_err(ApiError::internal)?;
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_DISPOSITION, disposition);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
