//! `/api/{entity}`, `/api/trash/{entity}` and `/api/statuses`: thin handlers over the generic record service.
//! The entity is extracted before the credentials, so an unknown path is a 404 for everyone.

use axum::{
    extract::{FromRequestParts, Path, RawQuery, State},
    http::{request::Parts, StatusCode},
    Json,
};
use serde_json::Value;
use shared::{EntityKind, FieldError};

use crate::{
    auth::AuthContext,
    error::ApiError,
    extract::JsonBytes,
    records::service::{self, Page},
    state::AppState,
};

/// The `{entity}` path segment: one of the five entity plurals, else 404.
pub struct Entity(pub EntityKind);

/// `{entity}` and `{id}` together.
pub struct EntityRecord(pub EntityKind, pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Entity {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(segment) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        EntityKind::from_plural(&segment)
            .map(Entity)
            .ok_or(ApiError::NotFound)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for EntityRecord {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path((segment, id)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound)?;
        let kind = EntityKind::from_plural(&segment).ok_or(ApiError::NotFound)?;
        match id.parse::<i64>() {
            Ok(id) if id > 0 => Ok(EntityRecord(kind, id)),
            _ => Err(ApiError::NotFound),
        }
    }
}

/// The query string as `(name, value)` pairs, percent-decoded.
pub fn query_pairs(raw: Option<String>) -> Vec<(String, String)> {
    raw.map(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect()
    })
    .unwrap_or_default()
}

pub async fn list(
    State(state): State<AppState>,
    Entity(kind): Entity,
    ctx: AuthContext,
    RawQuery(query): RawQuery,
) -> Result<Json<Page>, ApiError> {
    service::list(&state, &ctx, kind, &query_pairs(query))
        .await
        .map(Json)
}

/// `GET /api/{entity}/export.csv`: the report as CSV, streamed.
pub async fn export(
    State(state): State<AppState>,
    Entity(kind): Entity,
    ctx: AuthContext,
    RawQuery(query): RawQuery,
) -> Result<axum::response::Response, ApiError> {
    crate::records::export::export(&state, &ctx, kind, &query_pairs(query)).await
}

pub async fn create(
    State(state): State<AppState>,
    Entity(kind): Entity,
    ctx: AuthContext,
    JsonBytes(body): JsonBytes,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let record = service::create(&state, &ctx, kind, &body).await?;
    Ok((StatusCode::CREATED, Json(record)))
}

pub async fn get(
    State(state): State<AppState>,
    EntityRecord(kind, id): EntityRecord,
    ctx: AuthContext,
) -> Result<Json<Value>, ApiError> {
    service::get(&state, &ctx, kind, id).await.map(Json)
}

pub async fn update(
    State(state): State<AppState>,
    EntityRecord(kind, id): EntityRecord,
    ctx: AuthContext,
    JsonBytes(body): JsonBytes,
) -> Result<Json<Value>, ApiError> {
    service::update(&state, &ctx, kind, id, &body)
        .await
        .map(Json)
}

pub async fn delete(
    State(state): State<AppState>,
    EntityRecord(kind, id): EntityRecord,
    ctx: AuthContext,
) -> Result<StatusCode, ApiError> {
    service::delete(&state, &ctx, kind, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn trash(
    State(state): State<AppState>,
    Entity(kind): Entity,
    ctx: AuthContext,
    RawQuery(query): RawQuery,
) -> Result<Json<Page>, ApiError> {
    service::trash(&state, &ctx, kind, &query_pairs(query))
        .await
        .map(Json)
}

pub async fn restore(
    State(state): State<AppState>,
    EntityRecord(kind, id): EntityRecord,
    ctx: AuthContext,
) -> Result<Json<Value>, ApiError> {
    service::restore(&state, &ctx, kind, id).await.map(Json)
}

/// `GET /api/statuses?entity=lead|client|project|task`: the tenant's statuses in order.
pub async fn statuses(
    State(state): State<AppState>,
    ctx: AuthContext,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<shared::StatusOption>>, ApiError> {
    ctx.require(shared::permissions::Action::ReadRecords)?;
    let pairs = query_pairs(query);
    let mut entity = None;
    let mut errors = Vec::new();
    for (name, value) in &pairs {
        match name.as_str() {
            "entity"
                if entity.is_none()
                    && shared::entities::status::STATUS_ENTITIES.contains(&value.as_str()) =>
            {
                entity = Some(value.clone())
            }
            "entity" => errors.push(FieldError {
                field: "entity".into(),
                code: "invalid".into(),
                message: format!(
                    "entity must be one of: {}",
                    shared::entities::status::STATUS_ENTITIES.join(", ")
                ),
            }),
            other => errors.push(FieldError {
                field: other.into(),
                code: "unknown_parameter".into(),
                message: format!("Unknown parameter `{other}`"),
            }),
        }
    }
    let Some(entity) = entity.filter(|_| errors.is_empty()) else {
        if errors.is_empty() {
            errors.push(FieldError {
                field: "entity".into(),
                code: "required".into(),
                message: "entity is required".into(),
            });
        }
        return Err(ApiError::BadRequest {
            message: "Invalid parameters".into(),
            details: errors,
        });
    };
    crate::records::service::statuses(&state.db, ctx.tenant_id, &entity)
        .await
        .map(Json)
}
