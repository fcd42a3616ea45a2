//! `POST /api/client-errors`: a browser error or panic, forwarded by the server to Sentry.

use serde::Serialize;

/// One report, as the endpoint takes it (each text already clipped to the endpoint's limits).
#[derive(Debug, Serialize)]
pub struct ClientError<'a> {
    /// `"error"` (caught by an error boundary) or `"panic"`.
    pub kind: &'a str,
    pub message: &'a str,
    pub stack: Option<&'a str>,
    pub url: Option<&'a str>,
    pub component: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// Sends `report` (browser only), fire-and-forget, straight through `fetch` rather than the async client: this runs from
/// the panic hook, when the app's own runtime can no longer be trusted.
#[cfg(feature = "hydrate")]
pub fn report(report: &ClientError<'_>) {
    use wasm_bindgen::JsValue;
    use web_sys::{Headers, Request, RequestInit};

    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(body) = serde_json::to_string(report) else {
        return;
    };
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(&body));
    if let Ok(headers) = Headers::new() {
        let _ = headers.set("Content-Type", "application/json");
        init.set_headers(&headers);
    }
    if let Ok(request) = Request::new_with_str_and_init("/api/client-errors", &init) {
        let _ = window.fetch_with_request(&request);
    }
}
