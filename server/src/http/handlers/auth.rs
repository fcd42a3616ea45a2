//! `/api/auth/*`: sign-up, login, logout, me.

use axum::{
    extract::State,
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use shared::auth::{LoginInput, Me, Session, SignupInput};

use crate::{
    domain::sessions,
    http::{
        auth::AuthContext,
        cookie::{clear_session_cookie, set_session_cookie},
        error::ApiError,
        extract::ApiJson,
        rate_limit::ClientAddr,
        state::AppState,
    },
};

pub async fn signup(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    ApiJson(input): ApiJson<SignupInput>,
) -> Result<Response, ApiError> {
    let session = sessions::signup(&state.services, input, client).await?;
    Ok(with_session(&state, &headers, StatusCode::CREATED, session))
}

pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    ApiJson(input): ApiJson<LoginInput>,
) -> Result<Response, ApiError> {
    let session = sessions::login(&state.services, input, client).await?;
    Ok(with_session(&state, &headers, StatusCode::OK, session))
}

/// Always 204 and a cleared cookie; when the request was signed in, its session is ended server-side.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    ctx: Option<AuthContext>,
) -> Result<Response, ApiError> {
    if let Some(ctx) = ctx {
        sessions::logout(&state.services, &ctx.actor, &ctx.session_id).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, clear_session_cookie(&headers))],
    )
        .into_response())
}

pub async fn me(State(state): State<AppState>, ctx: AuthContext) -> Result<Json<Me>, ApiError> {
    Ok(Json(sessions::me(&state.services, &ctx.actor).await?))
}

fn with_session(
    state: &AppState,
    request_headers: &HeaderMap,
    status: StatusCode,
    session: Session,
) -> Response {
    let cookie = set_session_cookie(
        request_headers,
        &session.token,
        state.services.config.session_ttl.as_secs(),
    );
    (
        status,
        [
            (header::SET_COOKIE, cookie),
            (
                header::CACHE_CONTROL,
                "no-store".parse().expect("static header"),
            ),
        ],
        Json(session),
    )
        .into_response()
}
