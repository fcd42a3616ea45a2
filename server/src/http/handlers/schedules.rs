//! `/api/report-schedules`, `/api/report-runs/{id}/download` and the organisation's time zone.

use axum::{extract::State, http::StatusCode, response::Response, Json};
use serde::{Deserialize, Serialize};
use shared::schedules::{Run, RunList, Schedule, ScheduleInput, ScheduleList, SchedulePatch};

use crate::{
    domain::schedules,
    http::{
        auth::AuthContext,
        download,
        error::ApiError,
        extract::{ApiJson, RecordId},
        state::AppState,
    },
};

pub async fn list(
    State(state): State<AppState>,
    ctx: AuthContext,
) -> Result<Json<ScheduleList>, ApiError> {
    Ok(Json(schedules::list(&state.services, &ctx.actor).await?))
}

pub async fn create(
    State(state): State<AppState>,
    ctx: AuthContext,
    ApiJson(input): ApiJson<ScheduleInput>,
) -> Result<(StatusCode, Json<Schedule>), ApiError> {
    let schedule = schedules::create(&state.services, &ctx.actor, input).await?;
    Ok((StatusCode::CREATED, Json(schedule)))
}

pub async fn get(
    State(state): State<AppState>,
    ctx: AuthContext,
    RecordId(id): RecordId,
) -> Result<Json<Schedule>, ApiError> {
    Ok(Json(schedules::get(&state.services, &ctx.actor, id).await?))
}

pub async fn update(
    State(state): State<AppState>,
    ctx: AuthContext,
    RecordId(id): RecordId,
    ApiJson(patch): ApiJson<SchedulePatch>,
) -> Result<Json<Schedule>, ApiError> {
    Ok(Json(
        schedules::update(&state.services, &ctx.actor, id, patch).await?,
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    ctx: AuthContext,
    RecordId(id): RecordId,
) -> Result<StatusCode, ApiError> {
    schedules::delete(&state.services, &ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn runs(
    State(state): State<AppState>,
    ctx: AuthContext,
    RecordId(id): RecordId,
) -> Result<Json<RunList>, ApiError> {
    Ok(Json(
        schedules::runs(&state.services, &ctx.actor, id).await?,
    ))
}

pub async fn run_now(
    State(state): State<AppState>,
    ctx: AuthContext,
    RecordId(id): RecordId,
) -> Result<(StatusCode, Json<Run>), ApiError> {
    let run = schedules::run_now(&state.services, &ctx.actor, id).await?;
    Ok((StatusCode::ACCEPTED, Json(run)))
}

/// The run's CSV, decompressed as it is sent.
pub async fn download(
    State(state): State<AppState>,
    ctx: AuthContext,
    RecordId(id): RecordId,
) -> Result<Response, ApiError> {
    let file = schedules::download(&state.services, &ctx.actor, id).await?;
    download::attachment(file.chunks, "text/csv; charset=utf-8", &file.filename)
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeZone {
    pub time_zone: String,
}

pub async fn time_zone(
    State(state): State<AppState>,
    ctx: AuthContext,
) -> Result<Json<TimeZone>, ApiError> {
    Ok(Json(TimeZone {
        time_zone: schedules::time_zone(&state.services, &ctx.actor).await?,
    }))
}

pub async fn set_time_zone(
    State(state): State<AppState>,
    ctx: AuthContext,
    ApiJson(body): ApiJson<TimeZone>,
) -> Result<Json<TimeZone>, ApiError> {
    Ok(Json(TimeZone {
        time_zone: schedules::set_time_zone(&state.services, &ctx.actor, &body.time_zone).await?,
    }))
}
