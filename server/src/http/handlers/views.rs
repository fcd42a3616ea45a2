//! `/api/views`: saved views of the reports, and each user's default view per entity.

use axum::{extract::State, http::StatusCode, Json};
use shared::views::{SavedView, SavedViewInput, SavedViewList, SavedViewPatch};

use crate::{
    domain::views,
    http::{
        auth::AuthContext,
        error::ApiError,
        extract::{ApiJson, Query, RecordId},
        state::AppState,
    },
};

pub async fn list(
    State(state): State<AppState>,
    ctx: AuthContext,
    Query(params): Query,
) -> Result<Json<SavedViewList>, ApiError> {
    Ok(Json(
        views::list(&state.services, &ctx.actor, &params).await?,
    ))
}

pub async fn create(
    State(state): State<AppState>,
    ctx: AuthContext,
    ApiJson(input): ApiJson<SavedViewInput>,
) -> Result<(StatusCode, Json<SavedView>), ApiError> {
    let view = views::create(&state.services, &ctx.actor, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

pub async fn get(
    State(state): State<AppState>,
    ctx: AuthContext,
    RecordId(id): RecordId,
) -> Result<Json<SavedView>, ApiError> {
    Ok(Json(views::get(&state.services, &ctx.actor, id).await?))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: AuthContext,
    RecordId(id): RecordId,
    ApiJson(patch): ApiJson<SavedViewPatch>,
) -> Result<Json<SavedView>, ApiError> {
    Ok(Json(
        views::update(&state.services, &ctx.actor, id, patch).await?,
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: AuthContext,
    RecordId(id): RecordId,
) -> Result<StatusCode, ApiError> {
    views::delete(&state.services, &ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn set_default(
    State(state): State<AppState>,
    ctx: AuthContext,
    RecordId(id): RecordId,
) -> Result<Json<SavedView>, ApiError> {
    Ok(Json(
        views::set_default(&state.services, &ctx.actor, id).await?,
    ))
}

pub async fn clear_default(
    State(state): State<AppState>,
    ctx: AuthContext,
    RecordId(id): RecordId,
) -> Result<StatusCode, ApiError> {
    views::clear_default(&state.services, &ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
