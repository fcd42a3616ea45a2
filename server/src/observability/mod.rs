//! Observability: a request id on every request, one log line per request, slow request and slow statement
//! warnings, and the Prometheus metrics behind `/metrics`.

pub mod metrics;
pub mod request;

pub use metrics::Metrics;
pub mod sentry_reports;

pub use request::{
    current_context, current_request_id, current_scope, record_identity, record_quota, QuotaReport,
    RequestId,
};
