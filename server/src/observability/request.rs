//! The request being served, available to everything it runs (a task-local set by the HTTP layer's `observe`
//! middleware): its id and route for logs and error reports, and the caller once authentication knows it.

use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

#[derive(Default)]
struct Identity {
    user_id: Option<i64>,
    tenant_id: Option<i64>,
}

/// One rate-limit policy as it stood for the caller after a decision taken while serving the request (the
/// figures of the `RateLimit-Policy` and `RateLimit` headers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaReport {
    pub policy: &'static str,
    pub limit: u32,
    pub window_secs: u64,
    pub remaining: u32,
    pub reset_secs: u64,
}

/// The request being served, as seen by everything it runs (a task-local).
#[derive(Clone)]
pub struct RequestScope {
    id: String,
    route: String,
    identity: Arc<Mutex<Identity>>,
    quotas: Arc<Mutex<Vec<QuotaReport>>>,
}

impl RequestScope {
    pub fn new(id: String, route: String) -> Self {
        Self {
            id,
            route,
            identity: Arc::default(),
            quotas: Arc::default(),
        }
    }

    /// The rate-limit policies applied to the request so far (a later decision on a policy replaces an
    /// earlier one).
    pub fn quotas(&self) -> Vec<QuotaReport> {
        self.quotas.lock().map(|q| q.clone()).unwrap_or_default()
    }

    /// The caller recorded by authentication so far: (user, tenant).
    pub fn identity(&self) -> (Option<i64>, Option<i64>) {
        self.identity
            .lock()
            .map(|i| (i.user_id, i.tenant_id))
            .unwrap_or_default()
    }

    /// Runs `work` with this scope as the current request's.
    pub async fn run<F: std::future::Future>(self, work: F) -> F::Output {
        SCOPE.scope(self, work).await
    }
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

/// Records rate-limit decisions on the request being served (nothing happens outside a request).
pub fn record_quota(reports: impl IntoIterator<Item = QuotaReport>) {
    let _ = SCOPE.try_with(|scope| {
        if let Ok(mut quotas) = scope.quotas.lock() {
            for report in reports {
                quotas.retain(|q| q.policy != report.policy);
                quotas.push(report);
            }
        }
    });
}

/// The request being served, if any.
pub fn current_scope() -> Option<RequestScope> {
    SCOPE.try_with(Clone::clone).ok()
}

/// 128 random bits in hex, prefixed with the time so ids sort roughly by creation.
pub fn generate_request_id() -> String {
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
