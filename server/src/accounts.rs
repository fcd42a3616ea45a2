//! Tenants and their users: creation, password hashing. Shared by `keel create-admin`, the demo seed and (later)
//! sign-up, so there is one way to make an account.

use chrono::Utc;
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set, SqlErr,
    TransactionTrait,
};
use shared::{entities::status::DEFAULT_STATUSES, rules, FieldError, Role};

use crate::entities::{tenant, user};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("invalid input: {}", describe(.0))]
    Invalid(Vec<FieldError>),
    #[error("a user with the email {0} already exists")]
    EmailTaken(String),
    #[error("cannot hash the password: {0}")]
    Hash(String),
    #[error(transparent)]
    Database(#[from] DbErr),
}

fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password: String,
}

impl NewUser {
    fn validate(&self) -> Result<(), AccountError> {
        let mut errors = Vec::new();
        let mut fail = |field: &str, code: &str, message: &str| {
            errors.push(FieldError {
                field: field.into(),
                code: code.into(),
                message: message.into(),
            })
        };
        let email = self.email.trim();
        if email.is_empty() {
            fail("email", "required", "Email is required");
        } else if email.chars().count() > rules::EMAIL_MAX_CHARS {
            fail(
                "email",
                "max_length",
                "Email must be at most 255 characters",
            );
        } else if !rules::is_email_shape(email) {
            fail("email", "email", "Invalid email format");
        }
        let name_chars = self.name.trim().chars().count();
        if name_chars == 0 {
            fail("name", "required", "Name is required");
        } else if self.name.chars().count() > 200 {
            fail("name", "max_length", "Name must be at most 200 characters");
        }
        if !rules::password_length_ok(&self.password) {
            fail(
                "password",
                "length",
                "Password must be between 10 and 128 characters",
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AccountError::Invalid(errors))
        }
    }
}

/// A URL-safe slug from a tenant name: lowercase ASCII letters and digits separated by single dashes.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for ch in name.trim().chars().flat_map(char::to_lowercase) {
        if ch.is_ascii_alphanumeric() {
            slug.push(ch);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let slug: String = slug.chars().take(60).collect();
    if slug.is_empty() {
        "tenant".to_owned()
    } else {
        slug
    }
}

/// Creates a tenant and its first administrator in one transaction.
pub async fn create_tenant_with_admin(
    db: &impl TransactionTrait<Transaction = sea_orm::DatabaseTransaction>,
    tenant_name: &str,
    admin: NewUser,
) -> Result<(tenant::Model, user::Model), AccountError> {
    let tenant_name = tenant_name.trim();
    if tenant_name.is_empty() || tenant_name.chars().count() > 100 {
        return Err(AccountError::Invalid(vec![FieldError {
            field: "tenant_name".into(),
            code: "length".into(),
            message: "Organisation name must be 1 to 100 characters".into(),
        }]));
    }
    admin.validate()?;
    let txn = crate::db::begin_write(db).await?;
    let tenant = insert_tenant(&txn, tenant_name).await?;
    insert_default_statuses(&txn, tenant.id).await?;
    let user = insert_user(&txn, tenant.id, admin).await?;
    txn.commit().await?;
    Ok((tenant, user))
}

/// Every new tenant starts with the plan's default statuses (Phase 4), in order; it may change them later.
async fn insert_default_statuses(db: &impl ConnectionTrait, tenant_id: i64) -> Result<(), DbErr> {
    let mut insert = Query::insert();
    insert.into_table(Alias::new("statuses")).columns(
        [
            "tenant_id",
            "entity",
            "key",
            "label",
            "position",
            "is_closed",
        ]
        .map(Alias::new),
    );
    let mut position_in_entity: i32 = 0;
    let mut previous_entity = "";
    for &(entity, key, label, is_closed) in DEFAULT_STATUSES {
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
            is_closed.into(),
        ]);
        position_in_entity += 1;
    }
    db.execute(&insert).await?;
    Ok(())
}

/// Adds a user to an existing tenant.
pub async fn create_user(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    new_user: NewUser,
) -> Result<user::Model, AccountError> {
    new_user.validate()?;
    insert_user(db, tenant_id, new_user).await
}

async fn insert_tenant(
    db: &impl ConnectionTrait,
    name: &str,
) -> Result<tenant::Model, AccountError> {
    let base = slugify(name);
    let mut slug = base.clone();
    let mut suffix = 1;
    while tenant::Entity::find()
        .filter(tenant::Column::Slug.eq(&slug))
        .one(db)
        .await?
        .is_some()
    {
        suffix += 1;
        slug = format!("{base}-{suffix}");
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

async fn insert_user(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    new_user: NewUser,
) -> Result<user::Model, AccountError> {
    let email = new_user.email.trim().to_lowercase();
    if find_user_by_email(db, &email).await?.is_some() {
        return Err(AccountError::EmailTaken(email));
    }
    let password_hash = crate::auth::password::hash(new_user.password)
        .await
        .map_err(|err| AccountError::Hash(err.to_string()))?;
    let now = Utc::now();
    user::ActiveModel {
        tenant_id: Set(tenant_id),
        email: Set(email.clone()),
        name: Set(new_user.name.trim().to_owned()),
        role: Set(new_user.role.as_str().to_owned()),
        is_active: Set(true),
        password_hash: Set(password_hash),
        token_version: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|err| match err.sql_err() {
        // Two sign-ups racing for one email: the unique index decides, and the loser gets a clear answer.
        Some(SqlErr::UniqueConstraintViolation(_)) => AccountError::EmailTaken(email),
        _ => AccountError::Database(err),
    })
}

pub async fn find_user_by_email(
    db: &impl ConnectionTrait,
    email: &str,
) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find()
        .filter(user::Column::Email.eq(email.trim().to_lowercase()))
        .one(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slugify("Acme Corp."), "acme-corp");
        assert_eq!(slugify("  Müller & Söhne GmbH "), "m-ller-s-hne-gmbh");
        assert_eq!(slugify("!!!"), "tenant");
    }

    #[test]
    fn invalid_users_report_every_problem() {
        let user = NewUser {
            email: "nope".into(),
            name: "  ".into(),
            role: Role::Admin,
            password: "short".into(),
        };
        let Err(AccountError::Invalid(errors)) = user.validate() else {
            panic!("expected validation errors");
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "name", "password"]);
    }
}
