//! The request middleware: assigns the request id (kept from `x-request-id` when it is sane), makes it and the
//! caller's identity available to everything the request runs (a task-local), echoes it in the response, logs
//! one line per request, warns about slow ones and feeds the metrics.

use std::time::Instant;

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use http::{HeaderName, HeaderValue};

use super::state::AppState;
use crate::observability::request::{generate_request_id, route_label, RequestId, RequestScope};

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// A client-supplied id is kept when it is 1–64 characters of letters, digits, `-`, `_`, `.` or `:`;
/// anything else (too long, spaces, control characters) is replaced, so logs cannot be forged through it.
fn sane(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?;
    let ok = !text.is_empty()
        && text.len() <= 64
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    ok.then(|| text.to_owned())
}

pub async fn observe(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request
        .headers()
        .get(&REQUEST_ID_HEADER)
        .and_then(sane)
        .unwrap_or_else(generate_request_id);
    request.extensions_mut().insert(RequestId(id.clone()));
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let scope = RequestScope::new(id.clone(), route_label(&path));
    let mut response = scope.clone().run(next.run(request)).await;

    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    // Unknown paths share one label: random URLs must not grow the metrics without bound.
    let route = if status == 404 && !path.starts_with("/api/") {
        "unmatched".to_owned()
    } else {
        route_label(&path)
    };
    super::rate_limit::add_quota_headers(response.headers_mut(), &scope.quotas());
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    state
        .metrics
        .observe_request(method.as_str(), &route, status, elapsed);
    let (user_id, tenant_id) = scope.identity();
    let latency_ms = elapsed.as_secs_f64() * 1000.0;
    tracing::info!(
        target: "keel::request",
        request_id = %id,
        method = %method,
        route = %route,
        status,
        latency_ms = format!("{latency_ms:.1}"),
        user_id,
        tenant_id,
        "request"
    );
    if elapsed > state.services.config.slow_request {
        tracing::warn!(
            target: "keel::slow_request",
            request_id = %id,
            method = %method,
            route = %route,
            status,
            latency_ms = format!("{latency_ms:.1}"),
            threshold_ms = state.services.config.slow_request.as_millis() as u64,
            "slow request"
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_are_kept_only_when_sane() {
        let keep = HeaderValue::from_static("abc-123_x.y:z");
        assert_eq!(sane(&keep).as_deref(), Some("abc-123_x.y:z"));
        for bad in ["", "has space", "quote\"", &"x".repeat(65)] {
            assert_eq!(sane(&HeaderValue::from_str(bad).unwrap()), None, "{bad:?}");
        }
        let generated = generate_request_id();
        assert_eq!(generated.len(), 31);
        assert!(sane(&HeaderValue::from_str(&generated).unwrap()).is_some());
    }

    #[test]
    fn routes_are_labelled_without_ids() {
        assert_eq!(route_label("/api/leads/123"), "/api/leads/{id}");
        assert_eq!(
            route_label("/api/trash/clients/7/restore"),
            "/api/trash/clients/{id}/restore"
        );
        assert_eq!(route_label("/"), "/");
        assert_eq!(route_label("/pkg/keel.wasm"), "/pkg/*");
    }
}
