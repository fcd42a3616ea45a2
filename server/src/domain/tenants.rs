//! Tenants and their users: creation with password hashing and the default statuses. Shared by sign-up,
//! `keel create-admin`, the demo seed and user administration, so there is one way to make an account.

use sea_orm::{ConnectionTrait, TransactionTrait};
use shared::{
    entities::{
        status::DEFAULT_STATUSES,
        tenant::TENANT,
        user::{validate_user, UserInput},
    },
    validation::{check_field, FieldValue, RulesContext},
    FieldError, Role,
};

use super::{passwords, DomainError};
use crate::db::{
    self,
    accounts::{self, NewUserRow, TenantRow, UserRow},
    DbError,
};

pub struct NewUser {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password: String,
}

impl NewUser {
    /// The rules of `shared` (the very ones the users page and the API check).
    fn validate(&self) -> Result<(), DomainError> {
        validate_user(&UserInput {
            email: self.email.clone(),
            name: self.name.clone(),
            role: Some(self.role),
            password: self.password.clone(),
        })
        .map_err(DomainError::validation)
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

/// Creates a tenant, its default statuses and its first administrator in one transaction.
pub async fn create_tenant_with_admin(
    db: &impl TransactionTrait<Transaction = sea_orm::DatabaseTransaction>,
    tenant_name: &str,
    admin: NewUser,
) -> Result<(TenantRow, UserRow), DomainError> {
    let tenant_name = tenant_name.trim();
    let name_rule = TENANT.field("name").expect("tenants.name");
    if let Some(mut error) = check_field(
        name_rule,
        FieldValue::Text(tenant_name),
        &RulesContext::default(),
    ) {
        error.field = "tenant_name".into();
        return Err(DomainError::validation(vec![error]));
    }
    admin.validate()?;
    let txn = db::begin_write(db).await?;
    let tenant = accounts::insert_tenant(&txn, tenant_name, &slugify(tenant_name)).await?;
    accounts::insert_statuses(&txn, tenant.id, DEFAULT_STATUSES).await?;
    let user = insert_user(&txn, tenant.id, admin).await?;
    txn.commit().await?;
    Ok((tenant, user))
}

/// Adds a user to an existing tenant.
pub async fn create_user(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    new_user: NewUser,
) -> Result<UserRow, DomainError> {
    new_user.validate()?;
    insert_user(db, tenant_id, new_user).await
}

fn email_taken() -> DomainError {
    DomainError::conflict_on(
        "email",
        "taken",
        "An account with this email already exists",
    )
}

async fn insert_user(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    new_user: NewUser,
) -> Result<UserRow, DomainError> {
    let email = new_user.email.trim().to_lowercase();
    if accounts::find_user_by_email(db, &email).await?.is_some() {
        return Err(email_taken());
    }
    let password_hash = passwords::hash(new_user.password)
        .await
        .map_err(|err| DomainError::Internal(err.to_string().into()))?;
    accounts::insert_user(
        db,
        tenant_id,
        NewUserRow {
            email: &email,
            name: new_user.name.trim(),
            role: new_user.role,
            password_hash,
        },
    )
    .await
    .map_err(|err| match err {
        // Two sign-ups racing for one email: the unique index decides, and the loser gets a clear answer.
        DbError::Unique { .. } => email_taken(),
        other => other.into(),
    })
}

/// For a message that lists every problem (the CLI's).
pub fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
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
        let err = user.validate().expect_err("expected validation errors");
        let fields: Vec<_> = err.details().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "name", "password"]);
    }
}
