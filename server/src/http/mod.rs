//! The HTTP layer, the only code that knows axum: the router (here), extractors, middleware, handlers, the
//! HTML form posts, the error envelope and the OpenAPI document. A handler parses, calls one domain
//! function, renders.

pub mod auth;
pub mod cookie;
pub mod download;
pub mod error;
pub mod extract;
pub mod handlers;
pub mod observe;
pub mod openapi;
pub mod rate_limit;
pub mod security;
pub mod server;
pub mod state;

use handlers::{
    auth as auth_routes, backend_config, client_errors, dashboard, forms, health, history, imports,
    records, schedules, tenant_export, users, views,
};

use axum::{
    extract::DefaultBodyLimit,
    routing::{get, post, put},
    Router,
};

use self::{error::ApiError, extract::JSON_BODY_LIMIT, state::AppState};

/// Operational endpoints and the JSON API (everything that is not a rendered page).
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/login", post(forms::login))
        .route("/signup", post(forms::signup))
        .route("/logout", post(forms::logout))
        .nest("/api", api_router(state))
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
}

fn api_router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/auth/signup", post(auth_routes::signup))
        .route("/auth/login", post(auth_routes::login))
        .route("/auth/logout", post(auth_routes::logout))
        .route("/auth/me", get(auth_routes::me))
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
            get(|| async { axum::Json(openapi::cached()) }),
        )
        .route(
            "/client-errors",
            post(client_errors::report).layer(DefaultBodyLimit::max(
                client_errors::CLIENT_ERROR_BODY_LIMIT,
            )),
        )
        .route("/views", get(views::list).post(views::create))
        .route(
            "/views/{id}",
            get(views::get).patch(views::update).delete(views::delete),
        )
        .route(
            "/views/{id}/default",
            put(views::set_default).delete(views::clear_default),
        )
        .route(
            "/report-schedules",
            get(schedules::list).post(schedules::create),
        )
        .route(
            "/report-schedules/{id}",
            get(schedules::get)
                .patch(schedules::update)
                .delete(schedules::delete),
        )
        .route("/report-schedules/{id}/runs", get(schedules::runs))
        .route("/report-schedules/{id}/run", post(schedules::run_now))
        .route("/report-runs/{id}/download", get(schedules::download))
        .route(
            "/time-zone",
            get(schedules::time_zone).put(schedules::set_time_zone),
        )
        .route("/statuses", get(records::statuses))
        .route("/dashboard", get(dashboard::show))
        .route("/backend-config", get(backend_config::for_forms))
        .route(
            "/admin/backend-config",
            get(backend_config::get).put(backend_config::put),
        )
        .route(
            "/admin/backend-config/preview",
            post(backend_config::preview),
        )
        .route("/admin/export", get(tenant_export::download))
        .route("/audit", get(history::audit))
        .route("/imports", get(imports::list))
        .route("/imports/{id}", axum::routing::delete(imports::undo))
        .route("/audit/export.csv", get(history::audit_export))
        .route("/trash/{entity}", get(records::trash))
        .route("/trash/{entity}/{id}/restore", post(records::restore))
        .route("/{entity}", get(records::list).post(records::create))
        .route("/{entity}/export.csv", get(records::export))
        .route("/{entity}/board", get(records::board))
        // The upload is streamed to disk under its own limit (`KEEL_IMPORT_MAX_BYTES`).
        .route(
            "/{entity}/import",
            post(imports::import).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/{entity}/{id}",
            get(records::get)
                .patch(records::update)
                .put(records::update)
                .delete(records::delete),
        )
        .route("/{entity}/{id}/history", get(history::of_record))
        .route(
            "/{entity}/{id}/history/{entry_id}/revert",
            post(history::revert),
        )
        // Unknown API paths answer with the JSON envelope, never with an HTML page.
        .fallback(|| async { ApiError::NOT_FOUND })
        .layer(axum::middleware::map_response(method_not_allowed_envelope))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            rate_limit::api_budget,
        ))
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
