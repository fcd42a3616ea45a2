//! Who is calling: the request's credentials (bearer token or session cookie) checked against their session.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use http::{header, request::Parts, HeaderMap};
use shared::history::Source;

use super::{cookie::read_session_cookie, error::ApiError, state::AppState};
use crate::domain::{
    sessions::{self, INVALID_CREDENTIALS},
    Actor, DomainError,
};

/// Where the request's credentials came from. Cookie-authenticated writes must come from our own origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    Cookie,
    Bearer,
}

impl Credential {
    /// The app signs in with the cookie; API clients send a token.
    pub fn source(self) -> Source {
        match self {
            Credential::Cookie => Source::Ui,
            Credential::Bearer => Source::Api,
        }
    }
}

/// The caller of one request: the domain's [`Actor`] plus how they proved it. Extracted once per request
/// (cached in its extensions); handlers hand `actor` to the domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthContext {
    pub actor: Actor,
    pub session_id: String,
    pub credential: Credential,
}

/// The token a request carries: `Authorization: Bearer …` first, then the session cookie. An Authorization
/// header that is not a bearer token is refused rather than silently ignored.
pub fn credentials(headers: &HeaderMap) -> Result<Option<(String, Credential)>, ApiError> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(DomainError::Unauthorized(INVALID_CREDENTIALS))?;
        return Ok(Some((token.to_owned(), Credential::Bearer)));
    }
    Ok(read_session_cookie(headers).map(|token| (token.to_owned(), Credential::Cookie)))
}

impl FromRequestParts<AppState> for AuthContext {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(ctx) = parts.extensions.get::<AuthContext>() {
            return Ok(ctx.clone());
        }
        let (token, credential) =
            credentials(&parts.headers)?.ok_or(DomainError::Unauthorized(INVALID_CREDENTIALS))?;
        let authenticated = sessions::authenticate(&state.services, &token).await?;
        let ctx = AuthContext {
            actor: Actor {
                source: credential.source(),
                ..authenticated.actor
            },
            session_id: authenticated.session_id,
            credential,
        };
        crate::observability::record_identity(ctx.actor.user_id, ctx.actor.tenant_id);
        parts.extensions.insert(ctx.clone());
        Ok(ctx)
    }
}

/// `Option<AuthContext>`: `None` when the request carries no valid credentials at all.
impl OptionalFromRequestParts<AppState> for AuthContext {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, ApiError> {
        match <AuthContext as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(ctx) => Ok(Some(ctx)),
            Err(ApiError::Domain(DomainError::Unauthorized(_))) => Ok(None),
            Err(other) => Err(other),
        }
    }
}
