//! HTTP routes. Handlers stay thin: parse, call a service, render.

pub mod health;

use axum::{routing::get, Router};

use crate::{error::ApiError, state::AppState};

/// Operational endpoints and the JSON API (everything that is not a rendered page).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .nest("/api", api_router())
}

fn api_router() -> Router<AppState> {
    // Unknown API paths answer with the JSON envelope, never with an HTML page.
    Router::new().fallback(|| async { ApiError::NotFound })
}
