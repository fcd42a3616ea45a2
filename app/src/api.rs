//! The typed client over the REST API (API.md). In the browser it uses `fetch`; while rendering on the server
//! it sends the same request through the in-process axum router (handed over in context as
//! [`InProcessApi`]) with the visitor's cookie, so both go through the same handlers, auth and validation.

use std::future::Future;

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use shared::{ErrorBody, ErrorCode, FieldError};

/// A failed call: the HTTP status (0 when the server could not be reached) and the error envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiFailure {
    pub status: u16,
    pub body: ErrorBody,
}

impl ApiFailure {
    fn local(status: u16, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody {
                error: message.into(),
                code,
                details: Vec::new(),
                request_id: None,
            },
        }
    }

    pub fn message(&self) -> &str {
        &self.body.error
    }

    pub fn details(&self) -> &[FieldError] {
        &self.body.details
    }
}

pub fn get<T>(path: &str) -> impl Future<Output = Result<T, ApiFailure>> + Send + 'static
where
    T: DeserializeOwned + 'static,
{
    call::<T>("GET", path, None)
}

pub fn send<B, T>(
    method: &'static str,
    path: &str,
    body: &B,
) -> impl Future<Output = Result<T, ApiFailure>> + Send + 'static
where
    B: Serialize,
    T: DeserializeOwned + 'static,
{
    let body = serde_json::to_string(body).ok();
    call::<T>(method, path, body)
}

pub fn delete(path: &str) -> impl Future<Output = Result<(), ApiFailure>> + Send + 'static {
    call::<()>("DELETE", path, None)
}

fn call<T>(
    method: &'static str,
    path: &str,
    body: Option<String>,
) -> impl Future<Output = Result<T, ApiFailure>> + Send + 'static
where
    T: DeserializeOwned + 'static,
{
    let transport = transport::Transport::current();
    let path = path.to_owned();
    transport::send_wrapped(async move {
        let (status, text) = transport.request(method, &path, body).await?;
        decode(status, &text)
    })
}

fn decode<T: DeserializeOwned>(status: u16, text: &str) -> Result<T, ApiFailure> {
    if (200..300).contains(&status) {
        let text = if text.trim().is_empty() { "null" } else { text };
        serde_json::from_str(text).map_err(|err| {
            ApiFailure::local(
                status,
                ErrorCode::Internal,
                format!("Unexpected response from the server: {err}"),
            )
        })
    } else {
        let body = serde_json::from_str::<ErrorBody>(text).unwrap_or_else(|_| ErrorBody {
            error: format!("The server answered {status}"),
            code: ErrorCode::Internal,
            details: Vec::new(),
            request_id: None,
        });
        Err(ApiFailure { status, body })
    }
}

#[cfg(feature = "ssr")]
pub use transport::InProcessApi;

#[cfg(feature = "ssr")]
mod transport {
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
                        .filter_map(|name| {
                            parts.headers.get(&name).map(|value| (name, value.clone()))
                        })
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
}

#[cfg(not(feature = "ssr"))]
mod transport {
    use std::future::Future;

    use super::ApiFailure;
    use shared::ErrorCode;

    pub struct Transport;

    impl Transport {
        pub fn current() -> Self {
            Transport
        }

        #[cfg(feature = "hydrate")]
        pub async fn request(
            self,
            method: &str,
            path: &str,
            body: Option<String>,
        ) -> Result<(u16, String), ApiFailure> {
            use wasm_bindgen::{JsCast, JsValue};
            use wasm_bindgen_futures::JsFuture;
            use web_sys::{Headers, Request, RequestCredentials, RequestInit, Response};

            let offline = |_| {
                ApiFailure::local(
                    0,
                    ErrorCode::ServiceUnavailable,
                    "Cannot reach the server. Check your connection and try again.",
                )
            };
            let init = RequestInit::new();
            init.set_method(method);
            init.set_credentials(RequestCredentials::SameOrigin);
            let headers = Headers::new().map_err(offline)?;
            headers.set("Accept", "application/json").map_err(offline)?;
            if let Some(body) = body {
                headers
                    .set("Content-Type", "application/json")
                    .map_err(offline)?;
                init.set_body(&JsValue::from_str(&body));
            }
            init.set_headers(&headers);
            let request = Request::new_with_str_and_init(path, &init).map_err(offline)?;
            let window = web_sys::window().ok_or(JsValue::NULL).map_err(offline)?;
            let response: Response = JsFuture::from(window.fetch_with_request(&request))
                .await
                .and_then(|value| value.dyn_into())
                .map_err(offline)?;
            let status = response.status();
            if status == 401 {
                // The session ended (logout elsewhere, deactivation, expiry): sign in again, then come back.
                let location = window.location();
                let here = location.pathname().unwrap_or_default()
                    + &location.search().unwrap_or_default();
                let next = crate::records::query::percent_encode(&here);
                let _ = location.set_href(&format!("/login?next={next}"));
            }
            let text = JsFuture::from(response.text().map_err(offline)?)
                .await
                .map_err(offline)?
                .as_string()
                .unwrap_or_default();
            Ok((status, text))
        }

        #[cfg(not(feature = "hydrate"))]
        pub async fn request(
            self,
            _method: &str,
            _path: &str,
            _body: Option<String>,
        ) -> Result<(u16, String), ApiFailure> {
            Err(ApiFailure::local(
                0,
                ErrorCode::ServiceUnavailable,
                "No transport in this build",
            ))
        }
    }

    /// Browser futures are not `Send`; the WASM app is single-threaded, so wrapping them is sound.
    #[cfg(feature = "hydrate")]
    pub fn send_wrapped<F: Future + 'static>(future: F) -> send_wrapper::SendWrapper<F> {
        send_wrapper::SendWrapper::new(future)
    }

    #[cfg(not(feature = "hydrate"))]
    pub fn send_wrapped<F: Future + Send + 'static>(future: F) -> F {
        future
    }
}
