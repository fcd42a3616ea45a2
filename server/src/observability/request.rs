//! The request middleware: assigns the request id (kept from `x-request-id` when it is sane), makes it and the
//! caller's identity available to everything the request runs (a task-local), echoes it in the response, logs
//! one line per request, warns about slow ones and feeds the metrics.

use std::{
    sync::{Arc, Mutex},
    time::Instant,
};

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use http::{HeaderName, HeaderValue};

use crate::state::AppState;

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

#[derive(Default)]
struct Identity {
    user_id: Option<i64>,
    tenant_id: Option<i64>,
}

#[derive(Clone)]
struct RequestScope {
    id: String,
    route: String,
    identity: Arc<Mutex<Identity>>,
}

/// What is known about the request being served, for error reports.
#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    pub request_id: String,
    pub route: String,
    pub user_id: Option<i64>,
    pub tenant_id: Option<i64>,
}

pub fn current_context() -> Option<RequestContext> {
    SCOPE
        .try_with(|scope| {
            let (user_id, tenant_id) = scope
                .identity
                .lock()
                .map(|i| (i.user_id, i.tenant_id))
                .unwrap_or_default();
            RequestContext {
                request_id: scope.id.clone(),
                route: scope.route.clone(),
                user_id,
                tenant_id,
            }
        })
        .ok()
}

tokio::task_local! {
    static SCOPE: RequestScope;
}

/// The id of the request being served, if any (error bodies and log lines carry it).
pub fn current_request_id() -> Option<String> {
    SCOPE.try_with(|scope| scope.id.clone()).ok()
}

/// Records who is calling, once authentication has established it, for the request's log line.
pub fn record_identity(user_id: i64, tenant_id: i64) {
    let _ = SCOPE.try_with(|scope| {
        if let Ok(mut identity) = scope.identity.lock() {
            identity.user_id = Some(user_id);
            identity.tenant_id = Some(tenant_id);
        }
    });
}

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

/// 128 random bits in hex, prefixed with the time so ids sort roughly by creation.
fn generate() -> String {
    let millis = chrono::Utc::now().timestamp_millis();
    format!("{millis:011x}{}", hex::encode(rand::random::<[u8; 10]>()))
}

/// A route label without ids (`/api/leads/{id}`), so logs group and metrics stay bounded.
pub fn route_label(path: &str) -> String {
    if path.starts_with("/pkg/") {
        return "/pkg/*".into();
    }
    let mut label = String::with_capacity(path.len());
    for segment in path.split('/').skip(1) {
        label.push('/');
        if !segment.is_empty() && segment.chars().all(|c| c.is_ascii_digit()) {
            label.push_str("{id}");
        } else {
            label.push_str(segment);
        }
    }
    if label.is_empty() {
        label.push('/');
    }
    label
}

pub async fn observe(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request
        .headers()
        .get(&REQUEST_ID_HEADER)
        .and_then(sane)
        .unwrap_or_else(generate);
    request.extensions_mut().insert(RequestId(id.clone()));
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let scope = RequestScope {
        id: id.clone(),
        route: route_label(&path),
        identity: Arc::default(),
    };
    let identity = scope.identity.clone();

    let mut response = SCOPE.scope(scope, next.run(request)).await;

    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    // Unknown paths share one label: random URLs must not grow the metrics without bound.
    let route = if status == 404 && !path.starts_with("/api/") {
        "unmatched".to_owned()
    } else {
        route_label(&path)
    };
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    state
        .metrics
        .observe_request(method.as_str(), &route, status, elapsed);
    let (user_id, tenant_id) = identity
        .lock()
        .map(|i| (i.user_id, i.tenant_id))
        .unwrap_or_default();
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
    if elapsed > state.config.slow_request {
        tracing::warn!(
            target: "keel::slow_request",
            request_id = %id,
            method = %method,
            route = %route,
            status,
            latency_ms = format!("{latency_ms:.1}"),
            threshold_ms = state.config.slow_request.as_millis() as u64,
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
        let generated = generate();
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
