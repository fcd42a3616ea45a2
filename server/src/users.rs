//! The users of a tenant, administered by its admins. Every query is scoped by the caller's tenant.

use chrono::Utc;
use sea_orm::{
    sea_query::Expr, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use shared::{
    entities::user::{
        validate_user, validate_user_patch, User, UserInput, UserList, UserOption, UserPatch,
    },
    permissions::Action,
    Patch, Role,
};

use crate::{
    accounts::{self, NewUser},
    auth::{service::account_error, AuthContext},
    entities::{session, tenant, user},
    error::ApiError,
    state::AppState,
};

pub fn to_dto(model: user::Model) -> User {
    User {
        id: model.id,
        role: Role::parse(&model.role).unwrap_or(Role::Viewer),
        email: model.email,
        name: model.name,
        is_active: model.is_active,
        created_at: model.created_at.to_rfc3339(),
    }
}

pub async fn list(state: &AppState, ctx: &AuthContext) -> Result<UserList, ApiError> {
    ctx.require(Action::ManageUsers)?;
    let data: Vec<User> = user::Entity::find()
        .filter(user::Column::TenantId.eq(ctx.tenant_id))
        .order_by_asc(user::Column::Name)
        .order_by_asc(user::Column::Id)
        .all(&state.db)
        .await?
        .into_iter()
        .map(to_dto)
        .collect();
    Ok(UserList {
        total: data.len() as u64,
        data,
    })
}

/// Active users of the caller's tenant, by name. Any role may read this (it feeds assignee dropdowns).
pub async fn options(state: &AppState, ctx: &AuthContext) -> Result<Vec<UserOption>, ApiError> {
    ctx.require(Action::ReadRecords)?;
    Ok(user::Entity::find()
        .filter(user::Column::TenantId.eq(ctx.tenant_id))
        .filter(user::Column::IsActive.eq(true))
        .order_by_asc(user::Column::Name)
        .order_by_asc(user::Column::Id)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|u| UserOption {
            id: u.id,
            name: u.name,
        })
        .collect())
}

pub async fn get(state: &AppState, ctx: &AuthContext, id: i64) -> Result<User, ApiError> {
    ctx.require(Action::ManageUsers)?;
    find_in_tenant(&state.db, ctx, id).await.map(to_dto)
}

pub async fn create(
    state: &AppState,
    ctx: &AuthContext,
    input: UserInput,
) -> Result<User, ApiError> {
    ctx.require(Action::ManageUsers)?;
    validate_user(&input).map_err(ApiError::validation)?;
    let new_user = NewUser {
        email: input.email,
        name: input.name,
        role: input.role.unwrap_or(Role::Member),
        password: input.password,
    };
    accounts::create_user(&state.db, ctx.tenant_id, new_user)
        .await
        .map(to_dto)
        .map_err(account_error)
}

pub async fn update(
    state: &AppState,
    ctx: &AuthContext,
    id: i64,
    patch: UserPatch,
) -> Result<User, ApiError> {
    ctx.require(Action::ManageUsers)?;
    validate_user_patch(&patch).map_err(ApiError::validation)?;
    let null = |field: &str| {
        ApiError::validation(vec![shared::FieldError {
            field: field.into(),
            code: "required".into(),
            message: format!("{field} cannot be null"),
        }])
    };
    let role = match patch.role {
        Patch::Absent => None,
        Patch::Null => return Err(null("role")),
        Patch::Set(role) => Some(role),
    };
    let is_active = match patch.is_active {
        Patch::Absent => None,
        Patch::Null => return Err(null("is_active")),
        Patch::Set(active) => Some(active),
    };
    let name = match patch.name {
        Patch::Set(name) => Some(name.trim().to_owned()),
        _ => None,
    };

    let txn = crate::db::begin_write(&state.db).await?;
    lock_tenant_users(&txn, ctx.tenant_id).await?;
    let current = find_in_tenant(&txn, ctx, id).await?;
    let stays_admin = role.unwrap_or(Role::parse(&current.role).unwrap_or(Role::Viewer))
        == Role::Admin
        && is_active.unwrap_or(current.is_active);
    if current.role == Role::Admin.as_str() && current.is_active && !stays_admin {
        ensure_another_active_admin(&txn, ctx.tenant_id, id).await?;
    }
    let deactivated = current.is_active && is_active == Some(false);
    let mut model = current.into_active_model();
    if let Some(name) = name {
        model.name = Set(name);
    }
    if let Some(role) = role {
        model.role = Set(role.as_str().to_owned());
    }
    if let Some(active) = is_active {
        model.is_active = Set(active);
    }
    model.updated_at = Set(Utc::now());
    let updated = model.update(&txn).await?;
    if deactivated {
        end_all_sessions(&txn, ctx.tenant_id, id).await?;
    }
    txn.commit().await?;
    Ok(to_dto(updated))
}

/// Deactivates a user (their records keep pointing at them; they can no longer sign in).
pub async fn deactivate(state: &AppState, ctx: &AuthContext, id: i64) -> Result<(), ApiError> {
    let patch = UserPatch {
        is_active: Patch::Set(false),
        ..Default::default()
    };
    update(state, ctx, id, patch).await.map(|_| ())
}

async fn find_in_tenant(
    db: &impl ConnectionTrait,
    ctx: &AuthContext,
    id: i64,
) -> Result<user::Model, ApiError> {
    user::Entity::find_by_id(id)
        .filter(user::Column::TenantId.eq(ctx.tenant_id))
        .one(db)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Serialises changes to one tenant's users: a no-op write to the tenant row takes its row lock on
/// PostgreSQL and the database write lock on SQLite, so two admins demoting each other at the same moment
/// cannot both succeed and leave the tenant without an administrator.
async fn lock_tenant_users(db: &impl ConnectionTrait, tenant_id: i64) -> Result<(), ApiError> {
    tenant::Entity::update_many()
        .col_expr(
            tenant::Column::UpdatedAt,
            Expr::col(tenant::Column::UpdatedAt),
        )
        .filter(tenant::Column::Id.eq(tenant_id))
        .exec(db)
        .await?;
    Ok(())
}

async fn ensure_another_active_admin(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    except: i64,
) -> Result<(), ApiError> {
    let others = user::Entity::find()
        .filter(user::Column::TenantId.eq(tenant_id))
        .filter(user::Column::Id.ne(except))
        .filter(user::Column::Role.eq(Role::Admin.as_str()))
        .filter(user::Column::IsActive.eq(true))
        .count(db)
        .await?;
    if others == 0 {
        Err(ApiError::conflict_on(
            "role",
            "last_admin",
            "This is the organisation's last active administrator: make someone else an administrator first",
        ))
    } else {
        Ok(())
    }
}

async fn end_all_sessions(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    user_id: i64,
) -> Result<(), ApiError> {
    session::Entity::delete_many()
        .filter(session::Column::TenantId.eq(tenant_id))
        .filter(session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}
