//! Sign-up, login, logout and the per-request check of a token against its session.

use std::net::IpAddr;

use chrono::{Duration as ChronoDuration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use shared::{
    auth::{validate_login, validate_signup, LoginInput, Me, Session, SignupInput, TenantSummary},
    Role,
};

use super::{
    context::{AuthContext, Credential, INVALID_CREDENTIALS},
    password,
    token::Claims,
};
use crate::{
    accounts::{self, AccountError, NewUser},
    entities::{session, tenant, user},
    error::ApiError,
    state::AppState,
};

/// The one answer to a failed login, whatever the reason (unknown email, wrong password, deactivated user).
pub const LOGIN_FAILED: &str = "Invalid email or password";

/// Checks a token and the session it names. One SQL statement: the session joined with its user.
pub async fn authenticate(
    state: &AppState,
    token: &str,
    credential: Credential,
) -> Result<AuthContext, ApiError> {
    let unauthorized = || ApiError::Unauthorized(INVALID_CREDENTIALS);
    let claims = state.tokens.verify(token).ok_or_else(unauthorized)?;
    let user_id: i64 = claims.sub.parse().map_err(|_| unauthorized())?;
    let (session, user) = session::Entity::find_by_id(claims.sid.clone())
        .find_also_related(user::Entity)
        .one(&state.db)
        .await?
        .ok_or_else(unauthorized)?;
    let user = user.ok_or_else(unauthorized)?;
    let valid = session.user_id == user_id
        && session.tenant_id == claims.tid
        && user.tenant_id == claims.tid
        && session.expires_at > Utc::now()
        && user.is_active;
    if !valid {
        return Err(unauthorized());
    }
    Ok(AuthContext {
        user_id,
        tenant_id: user.tenant_id,
        role: Role::parse(&user.role).ok_or_else(unauthorized)?,
        session_id: session.id,
        credential,
    })
}

/// `client` is the caller's address (absent for in-process calls); with the email it keys the throttle.
pub async fn login(
    state: &AppState,
    input: LoginInput,
    client: Option<IpAddr>,
) -> Result<Session, ApiError> {
    validate_login(&input).map_err(ApiError::validation)?;
    let throttle = &state.login_throttle;
    throttle
        .check(&input.email, client)
        .map_err(|retry_after| ApiError::RateLimited {
            retry_after_secs: retry_after.as_secs().max(1),
        })?;
    let email = input.email.clone();
    let found = accounts::find_user_by_email(&state.db, &input.email).await?;
    // Always run one argon2 verification, so every failure takes the same time.
    let stored_hash = found.as_ref().map(|u| u.password_hash.clone());
    let password_ok = password::verify(input.password, stored_hash).await;
    match found {
        Some(user) if password_ok && user.is_active => {
            throttle.reset(&email, client);
            start_session(state, user).await
        }
        _ => {
            throttle.record_failure(&email, client);
            Err(ApiError::Unauthorized(LOGIN_FAILED))
        }
    }
}

pub async fn signup(state: &AppState, input: SignupInput) -> Result<Session, ApiError> {
    validate_signup(&input).map_err(ApiError::validation)?;
    let admin = NewUser {
        email: input.email,
        name: input.name,
        role: Role::Admin,
        password: input.password,
    };
    let (_, user) = accounts::create_tenant_with_admin(&state.db, &input.tenant_name, admin)
        .await
        .map_err(account_error)?;
    start_session(state, user).await
}

/// Ends the caller's session: the token stops working on the very next request.
pub async fn logout(state: &AppState, ctx: &AuthContext) -> Result<(), ApiError> {
    session::Entity::delete_many()
        .filter(session::Column::Id.eq(&ctx.session_id))
        .filter(session::Column::TenantId.eq(ctx.tenant_id))
        .exec(&state.db)
        .await?;
    Ok(())
}

pub async fn me(state: &AppState, ctx: &AuthContext) -> Result<Me, ApiError> {
    let (user, tenant) = user::Entity::find_by_id(ctx.user_id)
        .filter(user::Column::TenantId.eq(ctx.tenant_id))
        .find_also_related(tenant::Entity)
        .one(&state.db)
        .await?
        .ok_or(ApiError::Unauthorized(INVALID_CREDENTIALS))?;
    let tenant = tenant.ok_or(ApiError::Unauthorized(INVALID_CREDENTIALS))?;
    Ok(me_from(user, tenant))
}

fn me_from(user: user::Model, tenant: tenant::Model) -> Me {
    Me {
        id: user.id,
        email: user.email,
        name: user.name,
        role: Role::parse(&user.role).unwrap_or(Role::Viewer),
        tenant: TenantSummary {
            id: tenant.id,
            name: tenant.name,
            slug: tenant.slug,
        },
    }
}

pub fn account_error(err: AccountError) -> ApiError {
    match err {
        AccountError::Invalid(details) => ApiError::validation(details),
        AccountError::EmailTaken(_) => ApiError::conflict_on(
            "email",
            "taken",
            "An account with this email already exists",
        ),
        AccountError::Hash(message) => ApiError::Internal(message.into()),
        AccountError::Database(err) => err.into(),
    }
}

async fn start_session(state: &AppState, user: user::Model) -> Result<Session, ApiError> {
    let now = Utc::now();
    let ttl = ChronoDuration::from_std(state.config.session_ttl).map_err(ApiError::internal)?;
    let expires_at = now + ttl;
    // Expired sessions of this user are of no further use; removing them here keeps the table small.
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user.id))
        .filter(session::Column::ExpiresAt.lt(now))
        .exec(&state.db)
        .await?;
    let session_id = hex::encode(rand::random::<[u8; 16]>());
    session::ActiveModel {
        id: Set(session_id.clone()),
        tenant_id: Set(user.tenant_id),
        user_id: Set(user.id),
        created_at: Set(now),
        expires_at: Set(expires_at),
    }
    .insert(&state.db)
    .await?;
    let token = state
        .tokens
        .issue(&Claims {
            sub: user.id.to_string(),
            tid: user.tenant_id,
            sid: session_id,
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
        })
        .map_err(ApiError::internal)?;
    let tenant = tenant::Entity::find_by_id(user.tenant_id)
        .one(&state.db)
        .await?
        .ok_or(ApiError::Unauthorized(LOGIN_FAILED))?;
    Ok(Session {
        user: me_from(user, tenant),
        token,
        expires_at: expires_at.to_rfc3339(),
    })
}
