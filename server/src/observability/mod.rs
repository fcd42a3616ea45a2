//! Observability: a request id on every request, one log line per request, slow request and slow statement
//! warnings, and the Prometheus metrics behind `/metrics`.

pub mod metrics;
pub mod request;

pub use metrics::Metrics;
pub use request::{current_request_id, record_identity, RequestId};
