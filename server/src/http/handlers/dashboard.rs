//! `GET /api/dashboard`: the home page's figures, a thin handler over the dashboard use case.

use axum::{extract::State, Json};
use shared::dashboard::Dashboard;

use crate::{
    domain::dashboard,
    http::{auth::AuthContext, error::ApiError, extract::Query, state::AppState},
};

pub async fn show(
    State(state): State<AppState>,
    ctx: AuthContext,
    Query(params): Query,
) -> Result<Json<Dashboard>, ApiError> {
    dashboard::parse(&params)?;
    Ok(Json(dashboard::show(&state.services, &ctx.actor).await?))
}
