//! Tenants, users and sessions: every statement the account use cases run, scoped by the tenant given.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Alias, Expr, Query},
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, IntoActiveModel,
    JoinType, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, RelationTrait, Set,
};
use shared::{Role, StatusCategory};

use super::{
    entities::{session, tenant, user},
    DbError,
};

pub use super::entities::{
    session::Model as SessionRow, tenant::Model as TenantRow, user::Model as UserRow,
};

/// A tenant with a slug made unique by a numeric suffix (`acme`, `acme-2`, …).
pub async fn insert_tenant(
    db: &impl ConnectionTrait,
    name: &str,
    base_slug: &str,
) -> Result<TenantRow, DbError> {
    let mut slug = base_slug.to_owned();
    let mut suffix = 1;
    while tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(&slug))
        .one(db)
        .await?
        .is_some()
    {
        suffix += 1;
        slug = format!("{base_slug}-{suffix}");
    }
    let now = Utc::now();
    Ok(tenant::ActiveModel {
        name: Set(name.to_owned()),
        slug: Set(slug),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub async fn find_tenant(db: &impl ConnectionTrait, id: i64) -> Result<Option<TenantRow>, DbError> {
    Ok(tenant::Entity::find_by_id(id).one(db).await?)
}

/// Statuses in order for a new tenant: (entity, key, label, category), positions counted per entity.
pub async fn insert_statuses(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    statuses: &[(&str, &str, &str, StatusCategory)],
) -> Result<(), DbError> {
    let mut insert = Query::insert();
    insert.into_table(Alias::new("statuses")).columns(
        [
            "tenant_id",
            "entity",
            "key",
            "label",
            "position",
            "is_closed",
            "category",
        ]
        .map(Alias::new),
    );
    let mut position_in_entity: i32 = 0;
    let mut previous_entity = "";
    for &(entity, key, label, category) in statuses {
        if entity != previous_entity {
            position_in_entity = 0;
            previous_entity = entity;
        }
        insert.values_panic([
            tenant_id.into(),
            entity.into(),
            key.into(),
            label.into(),
            position_in_entity.into(),
            category.is_closed().into(),
            category.key().into(),
        ]);
        position_in_entity += 1;
    }
    db.execute(&insert).await?;
    Ok(())
}

pub struct NewUserRow<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: String,
}

/// Inserts a user; two sign-ups racing for one email are decided by the unique index (`DbError::Unique`).
pub async fn insert_user(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    new: NewUserRow<'_>,
) -> Result<UserRow, DbError> {
    let now = Utc::now();
    Ok(user::ActiveModel {
        tenant_id: Set(tenant_id),
        email: Set(new.email.to_owned()),
        name: Set(new.name.to_owned()),
        role: Set(new.role.as_str().to_owned()),
        is_active: Set(true),
        password_hash: Set(new.password_hash),
        token_version: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Emails are stored lower-cased and looked up the same way.
pub async fn find_user_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<UserRow>, DbError> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await?)
}

pub async fn find_user(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
) -> Result<Option<UserRow>, DbError> {
    Ok(user::Entity::find_by_id(id)
        .filter(user::Column::TenantId.eq(tenant_id))
        .one(db)
        .await?)
}

pub async fn find_user_with_tenant(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
) -> Result<Option<(UserRow, TenantRow)>, DbError> {
    Ok(user::Entity::find_by_id(id)
        .filter(user::Column::TenantId.eq(tenant_id))
        .find_also_related(tenant::Entity)
        .one(db)
        .await?
        .and_then(|(user, tenant)| Some((user, tenant?))))
}

/// The tenant's users by name (`active_only` for assignee pickers).
pub async fn users_by_name(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    active_only: bool,
) -> Result<Vec<UserRow>, DbError> {
    let mut select = user::Entity::find().filter(user::Column::TenantId.eq(tenant_id));
    if active_only {
        select = select.filter(user::Column::IsActive.eq(true));
    }
    Ok(select
        .order_by_asc(user::Column::Name)
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?)
}

/// What an administrator changes about a user (`None`: unchanged).
#[derive(Default)]
pub struct UserChange {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
}

pub async fn update_user(
    db: &impl ConnectionTrait,
    current: UserRow,
    change: UserChange,
) -> Result<UserRow, DbError> {
    let mut model = current.into_active_model();
    if let Some(name) = change.name {
        model.name = Set(name);
    }
    if let Some(role) = change.role {
        model.role = Set(role.as_str().to_owned());
    }
    if let Some(active) = change.is_active {
        model.is_active = Set(active);
    }
    model.updated_at = Set(Utc::now());
    Ok(model.update(db).await?)
}

/// Serialises changes to one tenant's users: a no-op write to the tenant row takes its row lock on
/// PostgreSQL and the database write lock on SQLite, so two admins demoting each other at the same moment
/// cannot both succeed and leave the tenant without an administrator.
pub async fn lock_tenant_users(db: &impl ConnectionTrait, tenant_id: i64) -> Result<(), DbError> {
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

pub async fn count_active_admins_except(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    except: i64,
) -> Result<u64, DbError> {
    Ok(user::Entity::find()
        .filter(user::Column::TenantId.eq(tenant_id))
        .filter(user::Column::Id.ne(except))
        .filter(user::Column::Role.eq(Role::Admin.as_str()))
        .filter(user::Column::IsActive.eq(true))
        .count(db)
        .await?)
}

/// The session a token names, with its user and its tenant's configuration version: one statement.
pub async fn find_session_with_user(
    db: &impl ConnectionTrait,
    session_id: &str,
) -> Result<Option<(SessionRow, UserRow, i64)>, DbError> {
    let select = session::Entity::find_by_id(session_id.to_owned())
        .find_also_related(user::Entity)
        .join(JoinType::InnerJoin, user::Relation::Tenant.def())
        .expr_as(
            Expr::col((tenant::Entity, tenant::Column::ConfigVersion)),
            "config_version",
        );
    let Some(row) = db
        .query_one_raw(select.build(db.get_database_backend()))
        .await?
    else {
        return Ok(None);
    };
    let session = SessionRow::from_query_result(&row, "A_")?;
    let Some(user) = UserRow::from_query_result_optional(&row, "B_")? else {
        return Ok(None);
    };
    let config_version: i64 = row.try_get("", "config_version")?;
    Ok(Some((session, user, config_version)))
}

pub async fn insert_session(
    db: &impl ConnectionTrait,
    id: &str,
    user: &UserRow,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), DbError> {
    session::ActiveModel {
        id: Set(id.to_owned()),
        tenant_id: Set(user.tenant_id),
        user_id: Set(user.id),
        created_at: Set(created_at),
        expires_at: Set(expires_at),
    }
    .insert(db)
    .await?;
    Ok(())
}

pub async fn delete_session(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    session_id: &str,
) -> Result<(), DbError> {
    session::Entity::delete_many()
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::TenantId.eq(tenant_id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn delete_sessions_of(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    user_id: i64,
) -> Result<(), DbError> {
    session::Entity::delete_many()
        .filter(session::Column::TenantId.eq(tenant_id))
        .filter(session::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn delete_expired_sessions_of(
    db: &impl ConnectionTrait,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::ExpiresAt.lt(now))
        .exec(db)
        .await?;
    Ok(())
}
