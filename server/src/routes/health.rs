//! Liveness and readiness probes.

use std::time::Duration;

use axum::{extract::State, Json};
use serde_json::{json, Value};

use crate::{db, error::ApiError, state::AppState};

/// The process is up and serving requests; says nothing about its dependencies.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

/// The server can do useful work: the database answers within a second.
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    match tokio::time::timeout(Duration::from_secs(1), db::ping(&state.db)).await {
        Ok(Ok(())) => Ok(Json(json!({ "status": "ready", "database": "ok" }))),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness check: database unreachable");
            Err(ApiError::DatabaseUnavailable)
        }
        Err(_) => {
            tracing::warn!("readiness check: database did not answer within 1 s");
            Err(ApiError::DatabaseUnavailable)
        }
    }
}

/// Prometheus text exposition (see docs/OPERATIONS.md for what each metric means).
pub async fn metrics(State(state): State<AppState>) -> impl axum::response::IntoResponse {
    (
        [(
            http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(&state.db),
    )
}
