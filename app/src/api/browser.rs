//! The transport in the browser: `fetch`, same origin, with the session cookie; a 401 sends the user to sign
//! in and back. (A native build without `hydrate`, e.g. the unit tests, has no transport: calls fail.)

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
        let body = body.map(|text| (wasm_bindgen::JsValue::from_str(&text), "application/json"));
        let (status, text) = fetch(method, path, body).await?;
        if status == 401 {
            // The session ended (logout elsewhere, deactivation, expiry): sign in again, then come back.
            if let Some(window) = web_sys::window() {
                let location = window.location();
                let here = location.pathname().unwrap_or_default()
                    + &location.search().unwrap_or_default();
                let next = crate::records::query::percent_encode(&here);
                let _ = location.set_href(&format!("/login?next={next}"));
            }
        }
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

#[cfg(feature = "hydrate")]
fn offline<T>(_: T) -> ApiFailure {
    ApiFailure::local(
        0,
        ErrorCode::ServiceUnavailable,
        "Cannot reach the server. Check your connection and try again.",
    )
}

/// One same-origin `fetch` with the session cookie: the body (a JSON text, a file) with its media type;
/// answers the status and the response's text.
#[cfg(feature = "hydrate")]
async fn fetch(
    method: &str,
    path: &str,
    body: Option<(wasm_bindgen::JsValue, &str)>,
) -> Result<(u16, String), ApiFailure> {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{Headers, Request, RequestCredentials, RequestInit, Response};

    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = Headers::new().map_err(offline)?;
    headers.set("Accept", "application/json").map_err(offline)?;
    if let Some((body, content_type)) = body {
        headers.set("Content-Type", content_type).map_err(offline)?;
        init.set_body(&body);
    }
    init.set_headers(&headers);
    let request = Request::new_with_str_and_init(path, &init).map_err(offline)?;
    let window = web_sys::window().ok_or(JsValue::NULL).map_err(offline)?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .and_then(|value| value.dyn_into())
        .map_err(offline)?;
    let status = response.status();
    let text = JsFuture::from(response.text().map_err(offline)?)
        .await
        .map_err(offline)?
        .as_string()
        .unwrap_or_default();
    Ok((status, text))
}

/// Sends a file as the body of a POST (a CSV import), with its own media type. The file is handed to
/// `fetch` as it is: the browser streams it from disk.
#[cfg(feature = "hydrate")]
pub async fn upload(
    path: &str,
    file: &web_sys::File,
    content_type: &str,
) -> Result<(u16, String), ApiFailure> {
    fetch(
        "POST",
        path,
        Some((wasm_bindgen::JsValue::from(file.clone()), content_type)),
    )
    .await
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
