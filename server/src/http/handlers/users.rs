//! `/api/users`: user administration (admins) and the assignee options (everyone).

use axum::{extract::State, http::StatusCode, Json};
use shared::entities::user::{User, UserInput, UserList, UserOption, UserPatch};

use crate::{
    domain::users,
    http::{
        auth::AuthContext,
        error::ApiError,
        extract::{ApiJson, RecordId},
        state::AppState,
    },
};

pub async fn list(
    State(state): State<AppState>,
    ctx: AuthContext,
) -> Result<Json<UserList>, ApiError> {
    Ok(Json(users::list(&state.services, &ctx.actor).await?))
}

pub async fn options(
    State(state): State<AppState>,
    ctx: AuthContext,
) -> Result<Json<Vec<UserOption>>, ApiError> {
    Ok(Json(users::options(&state.services, &ctx.actor).await?))
}

pub async fn create(
    State(state): State<AppState>,
    ctx: AuthContext,
    ApiJson(input): ApiJson<UserInput>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let user = users::create(&state.services, &ctx.actor, input).await?;
    Ok((StatusCode::CREATED, Json(user)))
}

pub async fn get(
    State(state): State<AppState>,
    ctx: AuthContext,
    RecordId(id): RecordId,
) -> Result<Json<User>, ApiError> {
    Ok(Json(users::get(&state.services, &ctx.actor, id).await?))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: AuthContext,
    RecordId(id): RecordId,
    ApiJson(patch): ApiJson<UserPatch>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(
        users::update(&state.services, &ctx.actor, id, patch).await?,
    ))
}

pub async fn deactivate(
    State(state): State<AppState>,
    ctx: AuthContext,
    RecordId(id): RecordId,
) -> Result<StatusCode, ApiError> {
    users::deactivate(&state.services, &ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
