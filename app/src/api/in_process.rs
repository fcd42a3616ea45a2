//! The transport while rendering on the server: the request goes through the API router in process, with the
//! visitor's credentials, so server-rendered pages see exactly what the browser would.

use std::future::Future;

use http::{header, request::Parts};
use leptos::prelude::use_context;
use tower::ServiceExt;

use super::ApiFailure;
use shared::ErrorCode;

/// The API router, put in context by the server for server-side rendering.
#[derive(Clone)]
pub struct InProcessApi(pub axum::Router);

/// Largest response body read while rendering (lists are paginated, so far below this).
const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

pub struct Transport {
    api: Option<InProcessApi>,
    forwarded: Vec<(header::HeaderName, header::HeaderValue)>,
}

impl Transport {
    /// Captures, synchronously, what the request needs from the current render: the router and the
    /// visitor's credentials.
    pub fn current() -> Self {
        let forwarded = use_context::<Parts>()
            .map(|parts| {
                [header::COOKIE, header::AUTHORIZATION, header::HOST]
                    .into_iter()
                    .filter_map(|name| parts.headers.get(&name).map(|value| (name, value.clone())))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            api: use_context::<InProcessApi>(),
            forwarded,
        }
    }

    pub async fn request(
        self,
        method: &str,
        path: &str,
        body: Option<String>,
    ) -> Result<(u16, String), ApiFailure> {
        let unavailable =
            |msg: &str| ApiFailure::local(503, ErrorCode::ServiceUnavailable, msg.to_owned());
        let api = self
            .api
            .ok_or_else(|| unavailable("The API is not available"))?;
        let mut builder = http::Request::builder()
            .method(method)
            .uri(path)
            .header(header::ACCEPT, "application/json");
        for (name, value) in self.forwarded {
            builder = builder.header(name, value);
        }
        if body.is_some() {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
        }
        let request = builder
            .body(axum::body::Body::from(body.unwrap_or_default()))
            .map_err(|_| unavailable("Could not build the request"))?;
        let response = match api.0.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), MAX_RESPONSE_BYTES)
            .await
            .map_err(|_| unavailable("Could not read the response"))?;
        Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
    }
}

pub fn send_wrapped<F: Future + Send + 'static>(future: F) -> F {
    future
}
