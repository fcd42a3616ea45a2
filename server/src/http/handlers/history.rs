//! `/api/{entity}/{id}/history`, its revert, and `/api/audit`: thin handlers over the history use cases.

use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
    Json,
};
use shared::{history::HistoryPage, EntityKind};

use crate::{
    domain::{history, params::parse_id},
    http::{
        auth::AuthContext,
        download,
        error::ApiError,
        extract::{EntityRecord, Query},
        state::AppState,
    },
};

pub async fn of_record(
    State(state): State<AppState>,
    EntityRecord(kind, id): EntityRecord,
    ctx: AuthContext,
    Query(params): Query,
) -> Result<Json<HistoryPage>, ApiError> {
    let (before, size) = history::parse_page(&params)?;
    Ok(Json(
        history::of_record(&state.services, &ctx.actor, kind, id, before, size).await?,
    ))
}

/// `POST /api/{entity}/{id}/history/{entry_id}/revert`: 200 with the record, or 204 when the revert moved it
/// to the trash.
pub async fn revert(
    State(state): State<AppState>,
    Path((entity, id, entry_id)): Path<(String, String, String)>,
    ctx: AuthContext,
) -> Result<Response, ApiError> {
    let kind = EntityKind::from_plural(&entity).ok_or(ApiError::NOT_FOUND)?;
    let (Some(id), Some(entry_id)) = (parse_id(&id), parse_id(&entry_id)) else {
        return Err(ApiError::NOT_FOUND);
    };
    Ok(
        match history::revert(&state.services, &ctx.actor, kind, id, entry_id).await? {
            Some(record) => Json(record).into_response(),
            None => StatusCode::NO_CONTENT.into_response(),
        },
    )
}

pub async fn audit(
    State(state): State<AppState>,
    ctx: AuthContext,
    Query(params): Query,
) -> Result<Json<HistoryPage>, ApiError> {
    let query = history::parse_audit(&params, true)?;
    Ok(Json(
        history::audit(&state.services, &ctx.actor, &query).await?,
    ))
}

/// `GET /api/audit/export.csv`: the audit log as CSV, streamed.
pub async fn audit_export(
    State(state): State<AppState>,
    ctx: AuthContext,
    Query(params): Query,
) -> Result<Response, ApiError> {
    let query = history::parse_audit(&params, false)?;
    let csv = history::audit_export(&state.services, &ctx.actor, query).await?;
    download::attachment(csv.chunks, "text/csv; charset=utf-8", &csv.filename)
}
