//! `/api/{entity}`, `/api/trash/{entity}` and `/api/statuses`: thin handlers over the record use cases.
//! The entity is extracted before the credentials, so an unknown path is a 404 for everyone.

use axum::{extract::State, http::StatusCode, response::Response, Json};
use serde_json::Value;
use shared::{board::Board, StatusOption};

use crate::{
    domain::{
        records::{self, board, export, read, Page},
        statuses,
    },
    http::{
        auth::AuthContext,
        download,
        error::ApiError,
        extract::{Entity, EntityRecord, JsonBytes, Query},
        state::AppState,
    },
};

pub async fn list(
    State(state): State<AppState>,
    Entity(kind): Entity,
    ctx: AuthContext,
    Query(params): Query,
) -> Result<Json<Page>, ApiError> {
    let query = read::parse_list(&ctx.actor, kind, &params)?;
    Ok(Json(
        records::list(&state.services, &ctx.actor, kind, &query).await?,
    ))
}

/// `GET /api/{entity}/board`: the report's filters and sort as one column per status.
pub async fn board(
    State(state): State<AppState>,
    Entity(kind): Entity,
    ctx: AuthContext,
    Query(params): Query,
) -> Result<Json<Board<Value>>, ApiError> {
    let query = board::parse_board(&ctx.actor, kind, &params)?;
    Ok(Json(
        board::board(&state.services, &ctx.actor, kind, &query).await?,
    ))
}

/// `GET /api/{entity}/export.csv`: the report as CSV, streamed as the domain produces it.
pub async fn export(
    State(state): State<AppState>,
    Entity(kind): Entity,
    ctx: AuthContext,
    Query(params): Query,
) -> Result<Response, ApiError> {
    let query = export::parse_export(&ctx.actor, kind, &params)?;
    let csv = export::export(&state.services, &ctx.actor, kind, &query).await?;
    download::attachment(csv.chunks, "text/csv; charset=utf-8", &csv.filename)
}

pub async fn create(
    State(state): State<AppState>,
    Entity(kind): Entity,
    ctx: AuthContext,
    JsonBytes(body): JsonBytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let record = records::create(&state.services, &ctx.actor, kind, &body).await?;
    Ok((StatusCode::CREATED, Json(record)))
}

pub async fn get(
    State(state): State<AppState>,
    EntityRecord(kind, id): EntityRecord,
    ctx: AuthContext,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        records::get(&state.services, &ctx.actor, kind, id).await?,
    ))
}

pub async fn update(
    State(state): State<AppState>,
    EntityRecord(kind, id): EntityRecord,
    ctx: AuthContext,
    JsonBytes(body): JsonBytes,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        records::update(&state.services, &ctx.actor, kind, id, &body).await?,
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    EntityRecord(kind, id): EntityRecord,
    ctx: AuthContext,
) -> Result<StatusCode, ApiError> {
    records::delete(&state.services, &ctx.actor, kind, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn trash(
    State(state): State<AppState>,
    Entity(kind): Entity,
    ctx: AuthContext,
    Query(params): Query,
) -> Result<Json<Page>, ApiError> {
    Ok(Json(
        records::trash(&state.services, &ctx.actor, kind, &params).await?,
    ))
}

pub async fn restore(
    State(state): State<AppState>,
    EntityRecord(kind, id): EntityRecord,
    ctx: AuthContext,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(
        records::restore(&state.services, &ctx.actor, kind, id).await?,
    ))
}

/// `GET /api/statuses?entity=lead|client|project|task`: the tenant's statuses in order.
pub async fn statuses(
    State(state): State<AppState>,
    ctx: AuthContext,
    Query(params): Query,
) -> Result<Json<Vec<StatusOption>>, ApiError> {
    Ok(Json(
        statuses::list(&state.services, &ctx.actor, &params).await?,
    ))
}
