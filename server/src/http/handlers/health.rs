//! Liveness and readiness probes.

use std::time::Duration;

use axum::{extract::State, Json};
use serde_json::{json, Value};

use crate::{
    db,
    domain::DomainError,
    http::{error::ApiError, state::AppState},
};

/// The process is up and serving requests; says nothing about its dependencies.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}

/// The server can do useful work: the database answers within a second. Redis is reported but does not
/// decide readiness: without it each instance limits requests on its own (docs/OPERATIONS.md).
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let (database, redis) = tokio::join!(
        tokio::time::timeout(Duration::from_secs(1), db::ping(&state.services.db)),
        state.services.limits.health()
    );
    match database {
        Ok(Ok(())) => Ok(Json(
            json!({ "status": "ready", "database": "ok", "redis": redis.as_str() }),
        )),
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness check: database unreachable");
            Err(DomainError::DatabaseUnavailable.into())
        }
        Err(_) => {
            tracing::warn!("readiness check: database did not answer within 1 s");
            Err(DomainError::DatabaseUnavailable.into())
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
        state
            .metrics
            .render(&state.services.db, state.services.limits.fallbacks()),
    )
}
