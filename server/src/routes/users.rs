//! `/api/users`: user administration (admins) and the assignee options (everyone).

use axum::{extract::State, http::StatusCode, Json};
use shared::entities::user::{User, UserInput, UserList, UserOption, UserPatch};

use super::RecordId;
use crate::{auth::AuthContext, error::ApiError, extract::ApiJson, state::AppState, users};

pub async fn list(
    State(state): State<AppState>,
    ctx: AuthContext,
) -> Result<Json<UserList>, ApiError> {
    users::list(&state, &ctx).await.map(Json)
}

pub async fn options(
    State(state): State<AppState>,
    ctx: AuthContext,
) -> Result<Json<Vec<UserOption>>, ApiError> {
    users::options(&state, &ctx).await.map(Json)
}

pub async fn create(
    State(state): State<AppState>,
    ctx: AuthContext,
    ApiJson(input): ApiJson<UserInput>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let user = users::create(&state, &ctx, input).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

pub async fn get(
    State(state): State<AppState>,
    ctx: AuthContext,
    RecordId(id): RecordId,
) -> Result<Json<User>, ApiError> {
    users::get(&state, &ctx, id).await.map(Json)
}

pub async fn update(
    State(state): State<AppState>,
    ctx: AuthContext,
    RecordId(id): RecordId,
    ApiJson(patch): ApiJson<UserPatch>,
) -> Result<Json<User>, ApiError> {
    users::update(&state, &ctx, id, patch).await.map(Json)
}

pub async fn deactivate(
    State(state): State<AppState>,
    ctx: AuthContext,
    RecordId(id): RecordId,
) -> Result<StatusCode, ApiError> {
    users::deactivate(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
