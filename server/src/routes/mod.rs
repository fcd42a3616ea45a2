//! HTTP routes. Handlers stay thin: parse, call a service, render.

pub mod auth;
pub mod client_errors;
pub mod forms;
pub mod health;
pub mod records;
pub mod users;

use axum::{
    extract::{DefaultBodyLimit, FromRequestParts, Path},
    http::request::Parts,
    routing::{get, post},
    Router,
};

use crate::{error::ApiError, extract::JSON_BODY_LIMIT, state::AppState};

/// Operational endpoints and the JSON API (everything that is not a rendered page).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/login", post(forms::login))
        .route("/signup", post(forms::signup))
        .route("/logout", post(forms::logout))
        .nest("/api", api_router())
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
}

fn api_router() -> Router<AppState> {
    Router::new()
        .route("/auth/signup", post(auth::signup))
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/me", get(auth::me))
        .route("/users", get(users::list).post(users::create))
        .route("/users/options", get(users::options))
        .route(
            "/users/{id}",
            get(users::get)
                .patch(users::update)
                .put(users::update)
                .delete(users::deactivate),
        )
        .route(
            "/openapi.json",
            get(|| async { axum::Json(crate::openapi::cached()) }),
        )
        .route(
            "/client-errors",
            post(client_errors::report).layer(DefaultBodyLimit::max(
                client_errors::CLIENT_ERROR_BODY_LIMIT,
            )),
        )
        .route("/statuses", get(records::statuses))
        .route("/trash/{entity}", get(records::trash))
        .route("/trash/{entity}/{id}/restore", post(records::restore))
        .route("/{entity}", get(records::list).post(records::create))
        .route("/{entity}/export.csv", get(records::export))
        .route(
            "/{entity}/{id}",
            get(records::get)
                .patch(records::update)
                .put(records::update)
                .delete(records::delete),
        )
        // Unknown API paths answer with the JSON envelope, never with an HTML page.
        .fallback(|| async { ApiError::NotFound })
        .layer(axum::middleware::map_response(method_not_allowed_envelope))
}

/// axum answers a known path with the wrong method with 405 and an `Allow` header but no body; this keeps the
/// header and adds the envelope.
async fn method_not_allowed_envelope(
    response: axum::response::Response,
) -> axum::response::Response {
    if response.status() != http::StatusCode::METHOD_NOT_ALLOWED {
        return response;
    }
    let allow = response.headers().get(http::header::ALLOW).cloned();
    let mut envelope = axum::response::IntoResponse::into_response(ApiError::MethodNotAllowed);
    if let Some(allow) = allow {
        envelope.headers_mut().insert(http::header::ALLOW, allow);
    }
    envelope
}

/// A record id from the path. Anything that is not a positive integer names no record: 404.
pub struct RecordId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for RecordId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        match raw.parse::<i64>() {
            Ok(id) if id > 0 => Ok(RecordId(id)),
            _ => Err(ApiError::NotFound),
        }
    }
}
