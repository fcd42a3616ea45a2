//! `POST /api/{entity}/import`, `GET /api/imports` and `DELETE /api/imports/{id}`. The upload is streamed to
//! a temporary file as it arrives (never held in memory), up to `KEEL_IMPORT_MAX_BYTES`; the domain reads it
//! from there.

use axum::{
    body::Body,
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use futures_util::StreamExt;
use serde_json::json;
use shared::{
    imports::{ImportList, UndoneImport},
    ErrorCode,
};
use tokio::io::AsyncWriteExt;

use crate::{
    domain::{imports, params::problem, DomainError},
    http::{
        auth::AuthContext,
        error::ApiError,
        extract::{Entity, Query, RecordId},
        state::AppState,
    },
};

/// The media types a CSV upload may come with (browsers send the spreadsheet one for `.csv` on Windows).
const CSV_TYPES: [&str; 6] = [
    "text/csv",
    "text/plain",
    "application/csv",
    "application/vnd.ms-excel",
    "application/octet-stream",
    "text/comma-separated-values",
];

fn is_csv(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| CSV_TYPES.contains(&mime.trim().to_ascii_lowercase().as_str()))
}

fn too_large(limit: u64) -> ApiError {
    DomainError::TooLarge(format!(
        "The file is larger than {} MB, the most one import takes: split it",
        limit / (1024 * 1024)
    ))
    .into()
}

/// Writes the request body to a new temporary file in the data directory, refusing it past `limit` bytes.
async fn spool(
    body: Body,
    data_dir: &std::path::Path,
    limit: u64,
) -> Result<tempfile::TempPath, ApiError> {
    let temp_dir = data_dir.join("tmp");
    tokio::fs::create_dir_all(&temp_dir)
        .await
        .map_err(ApiError::internal)?;
    let (file, path) = tempfile::Builder::new()
        .prefix("import-")
        .suffix(".csv")
        .tempfile_in(&temp_dir)
        .map_err(ApiError::internal)?
        .into_parts();
    let mut file = tokio::fs::File::from_std(file);
    let mut stream = body.into_data_stream();
    let mut written = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk
            .map_err(|_| ApiError::from(DomainError::bad_request("The upload was interrupted")))?;
        written += chunk.len() as u64;
        if written > limit {
            return Err(too_large(limit));
        }
        file.write_all(&chunk).await.map_err(ApiError::internal)?;
    }
    file.flush().await.map_err(ApiError::internal)?;
    Ok(path)
}

/// `POST /api/{entity}/import[?dry_run=true]`, a CSV body: 200 with the report for a dry run, 201 with it
/// and the import when every row was created, 400 with it (and the error envelope) when rows failed.
pub async fn import(
    State(state): State<AppState>,
    Entity(kind): Entity,
    ctx: AuthContext,
    Query(params): Query,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let options = imports::parse_options(&params)?;
    if !is_csv(&headers) {
        return Err(DomainError::Invalid {
            message: "Expected a CSV body (Content-Type: text/csv)".into(),
            details: vec![problem(
                "file",
                "unsupported_media_type",
                "Send the file as text/csv",
            )],
        }
        .into());
    }
    let config = &state.services.config;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > config.import_max_bytes) {
        return Err(too_large(config.import_max_bytes));
    }
    let upload = spool(body, &config.data_dir, config.import_max_bytes).await?;
    let outcome = imports::import(&state.services, &ctx.actor, kind, &upload, &options).await?;
    drop(upload);
    let report = outcome.report;
    if outcome.refused {
        let mut body = json!({
            "error": format!(
                "{} of {} rows cannot be imported: nothing was written",
                report.rows - report.valid,
                report.rows
            ),
            "code": ErrorCode::ValidationFailed,
            "details": [],
            "request_id": crate::observability::current_request_id(),
        });
        if let (Some(body), Ok(serde_json::Value::Object(fields))) =
            (body.as_object_mut(), serde_json::to_value(&report))
        {
            body.extend(fields);
        }
        return Ok((StatusCode::BAD_REQUEST, Json(body)).into_response());
    }
    let status = if report.import.is_some() {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(report)).into_response())
}

pub async fn list(
    State(state): State<AppState>,
    ctx: AuthContext,
) -> Result<Json<ImportList>, ApiError> {
    Ok(Json(imports::list(&state.services, &ctx.actor).await?))
}

/// `DELETE /api/imports/{id}[?force=true]`: the undo.
pub async fn undo(
    State(state): State<AppState>,
    RecordId(id): RecordId,
    ctx: AuthContext,
    Query(params): Query,
) -> Result<Json<UndoneImport>, ApiError> {
    let force = imports::parse_force(&params)?;
    Ok(Json(
        imports::undo(&state.services, &ctx.actor, id, force).await?,
    ))
}
