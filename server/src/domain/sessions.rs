//! Sign-up, login, logout, the signed-in user, and the per-request check of a token against its session.

use std::net::IpAddr;

use chrono::{Duration as ChronoDuration, Utc};
use shared::{
    auth::{validate_login, validate_signup, LoginInput, Me, Session, SignupInput, TenantSummary},
    history::Source,
    BackendConfig, Role, ENTITY_KINDS,
};

use super::{
    backend_config, passwords,
    tenants::{self, NewUser},
    tokens::Claims,
    Actor, DomainError, Services,
};
use crate::db::accounts::{self, TenantRow, UserRow};

/// The one answer to a failed login, whatever the reason (unknown email, wrong password, deactivated user).
pub const LOGIN_FAILED: &str = "Invalid email or password";

/// The one answer to credentials that do not (or no longer) name a live session.
pub const INVALID_CREDENTIALS: &str = "Authentication required: sign in again";

/// Who a valid token speaks for, and the session it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    pub actor: Actor,
    pub session_id: String,
}

/// Checks a token and the session it names. One SQL statement: the session joined with its user.
pub async fn authenticate(svc: &Services, token: &str) -> Result<Authenticated, DomainError> {
    let unauthorized = || DomainError::Unauthorized(INVALID_CREDENTIALS);
    let claims = svc.tokens.verify(token).ok_or_else(unauthorized)?;
    let user_id: i64 = claims.sub.parse().map_err(|_| unauthorized())?;
    let (session, user, config_version) = accounts::find_session_with_user(&svc.db, &claims.sid)
        .await?
        .ok_or_else(unauthorized)?;
    let valid = session.user_id == user_id
        && session.tenant_id == claims.tid
        && user.tenant_id == claims.tid
        && session.expires_at > Utc::now()
        && user.is_active;
    if !valid {
        return Err(unauthorized());
    }
    Ok(Authenticated {
        actor: Actor {
            user_id,
            tenant_id: user.tenant_id,
            role: Role::parse(&user.role).ok_or_else(unauthorized)?,
            config_version,
            source: Source::Api,
        },
        session_id: session.id,
    })
}

/// `client` is the caller's address (absent for in-process calls); with the email it keys the throttle.
pub async fn login(
    svc: &Services,
    input: LoginInput,
    client: Option<IpAddr>,
) -> Result<Session, DomainError> {
    validate_login(&input).map_err(DomainError::validation)?;
    svc.limits.login_attempt(&input.email, client).await?;
    let found = accounts::find_user_by_email(&svc.db, &input.email).await?;
    // Always run one argon2 verification, so every failure takes the same time.
    let stored_hash = found.as_ref().map(|u| u.password_hash.clone());
    let password_ok = passwords::verify(input.password, stored_hash).await;
    match found {
        Some(user) if password_ok && user.is_active => {
            svc.limits.login_succeeded(&input.email, client).await;
            start_session(svc, user).await
        }
        _ => {
            svc.limits.login_failed(&input.email, client).await;
            Err(DomainError::Unauthorized(LOGIN_FAILED))
        }
    }
}

/// `client` is the caller's address: sign-ups are limited per address.
pub async fn signup(
    svc: &Services,
    input: SignupInput,
    client: Option<IpAddr>,
) -> Result<Session, DomainError> {
    validate_signup(&input).map_err(DomainError::validation)?;
    svc.limits.signup(client).await?;
    let admin = NewUser {
        email: input.email,
        name: input.name,
        role: Role::Admin,
        password: input.password,
    };
    let (_, user) = tenants::create_tenant_with_admin(&svc.db, &input.tenant_name, admin).await?;
    start_session(svc, user).await
}

/// Ends a session: its token stops working on the very next request.
pub async fn logout(svc: &Services, actor: &Actor, session_id: &str) -> Result<(), DomainError> {
    accounts::delete_session(&svc.db, actor.tenant_id, session_id).await?;
    Ok(())
}

pub async fn me(svc: &Services, actor: &Actor) -> Result<Me, DomainError> {
    let (user, tenant) = accounts::find_user_with_tenant(&svc.db, actor.tenant_id, actor.user_id)
        .await?
        .ok_or(DomainError::Unauthorized(INVALID_CREDENTIALS))?;
    let config = backend_config::current(svc, actor).await?;
    Ok(me_from(user, tenant, &config))
}

fn me_from(user: UserRow, tenant: TenantRow, config: &BackendConfig) -> Me {
    Me {
        modules_off: ENTITY_KINDS
            .into_iter()
            .filter(|kind| !config.enabled(*kind))
            .map(|kind| kind.plural().to_owned())
            .collect(),
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

async fn start_session(svc: &Services, user: UserRow) -> Result<Session, DomainError> {
    let now = Utc::now();
    let ttl = ChronoDuration::from_std(svc.config.session_ttl).map_err(DomainError::internal)?;
    let expires_at = now + ttl;
    // Expired sessions of this user are of no further use; removing them here keeps the table small.
    accounts::delete_expired_sessions_of(&svc.db, user.id, now).await?;
    let session_id = hex::encode(rand::random::<[u8; 16]>());
    accounts::insert_session(&svc.db, &session_id, &user, now, expires_at).await?;
    let token = svc
        .tokens
        .issue(&Claims {
            sub: user.id.to_string(),
            tid: user.tenant_id,
            sid: session_id,
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
        })
        .map_err(DomainError::internal)?;
    let tenant = accounts::find_tenant(&svc.db, user.tenant_id)
        .await?
        .ok_or(DomainError::Unauthorized(LOGIN_FAILED))?;
    let actor = Actor {
        user_id: user.id,
        tenant_id: user.tenant_id,
        role: Role::Viewer,
        config_version: tenant.config_version,
        source: Source::Api,
    };
    let config = backend_config::current(svc, &actor).await?;
    Ok(Session {
        user: me_from(user, tenant, &config),
        token,
        expires_at: expires_at.to_rfc3339(),
    })
}
