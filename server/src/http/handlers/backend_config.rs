//! `GET/PUT /api/admin/backend-config`, `POST /api/admin/backend-config/preview` (administrators) and
//! `GET /api/backend-config` (anyone who may read records: what forms and reports need).

use std::sync::Arc;

use axum::{extract::State, Json};
use shared::BackendConfig;

use crate::{
    domain::backend_config::{self, Preview},
    http::{auth::AuthContext, error::ApiError, extract::JsonBytes, state::AppState},
};

pub async fn get(
    State(state): State<AppState>,
    ctx: AuthContext,
) -> Result<Json<Arc<BackendConfig>>, ApiError> {
    Ok(Json(
        backend_config::get(&state.services, &ctx.actor).await?,
    ))
}

pub async fn put(
    State(state): State<AppState>,
    ctx: AuthContext,
    JsonBytes(body): JsonBytes,
) -> Result<Json<Arc<BackendConfig>>, ApiError> {
    Ok(Json(
        backend_config::save(&state.services, &ctx.actor, &body).await?,
    ))
}

pub async fn preview(
    State(state): State<AppState>,
    ctx: AuthContext,
    JsonBytes(body): JsonBytes,
) -> Result<Json<Preview>, ApiError> {
    Ok(Json(
        backend_config::preview(&state.services, &ctx.actor, &body).await?,
    ))
}

pub async fn for_forms(
    State(state): State<AppState>,
    ctx: AuthContext,
) -> Result<Json<Arc<BackendConfig>>, ApiError> {
    Ok(Json(
        backend_config::for_forms(&state.services, &ctx.actor).await?,
    ))
}
