//! The authenticated context of one request: who, in which tenant, with which role. Extracted once per
//! request and handed to every service call, which scopes every query by it.

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use http::{header, request::Parts, HeaderMap};
use shared::{
    permissions::{allows, allows_on, Action, Ownership},
    Role,
};

use super::{cookie::read_session_cookie, service};
use crate::{error::ApiError, state::AppState};

/// Where the request's credentials came from. Cookie-authenticated writes must come from our own origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    Cookie,
    Bearer,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthContext {
    pub user_id: i64,
    pub tenant_id: i64,
    pub role: Role,
    pub session_id: String,
    pub credential: Credential,
}

impl AuthContext {
    /// 403 unless the role may perform `action` on at least some records.
    pub fn require(&self, action: Action) -> Result<(), ApiError> {
        if allows(self.role, action) {
            Ok(())
        } else {
            Err(forbidden(action))
        }
    }

    /// 403 unless the role may perform `action` on a record with this creator and assignee.
    pub fn require_on(
        &self,
        action: Action,
        created_by: Option<i64>,
        assigned_to: Option<i64>,
    ) -> Result<(), ApiError> {
        let ownership = if created_by == Some(self.user_id) || assigned_to == Some(self.user_id) {
            Ownership::OwnOrAssigned
        } else {
            Ownership::Others
        };
        if allows_on(self.role, action, ownership) {
            Ok(())
        } else {
            Err(forbidden(action))
        }
    }
}

fn forbidden(action: Action) -> ApiError {
    ApiError::Forbidden(match action {
        Action::ReadRecords => "Your role cannot read these records",
        Action::CreateRecord => "Your role cannot create records",
        Action::UpdateRecord => "You can only change records you created or are assigned to",
        Action::DeleteRecord => "You can only delete records you created or are assigned to",
        Action::RestoreRecord => "You can only restore records you created or are assigned to",
        Action::ManageUsers => "Only administrators can manage users",
        Action::ManageConfiguration => "Only administrators can change the configuration",
    })
}

/// The address of the connection (not a forwarded header: those are only trustworthy behind a known proxy).
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip()),
        ))
    }
}

pub const INVALID_CREDENTIALS: &str = "Authentication required: sign in again";

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
            .ok_or(ApiError::Unauthorized(INVALID_CREDENTIALS))?;
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
            credentials(&parts.headers)?.ok_or(ApiError::Unauthorized(INVALID_CREDENTIALS))?;
        let ctx = service::authenticate(state, &token, credential).await?;
        crate::observability::record_identity(ctx.user_id, ctx.tenant_id);
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
            Err(ApiError::Unauthorized(_)) => Ok(None),
            Err(other) => Err(other),
        }
    }
}
