//! The users of a tenant, administered by its admins. Every statement is scoped by the actor's tenant; an
//! organisation always keeps one active administrator.

use serde_json::{json, Value};
use shared::{
    entities::user::{
        validate_user, validate_user_patch, User, UserInput, UserList, UserOption, UserPatch,
    },
    history::{FieldChange, HistoryAction},
    permissions::Action,
    Patch, Role,
};

use super::{
    history,
    tenants::{self, NewUser},
    Actor, DomainError, Services,
};
use crate::db::{
    self,
    accounts::{self, UserChange, UserRow},
};

pub fn to_dto(row: UserRow) -> User {
    User {
        id: row.id,
        role: Role::parse(&row.role).unwrap_or(Role::Viewer),
        email: row.email,
        name: row.name,
        is_active: row.is_active,
        created_at: row.created_at.to_rfc3339(),
    }
}

pub async fn list(svc: &Services, actor: &Actor) -> Result<UserList, DomainError> {
    actor.require(Action::ManageUsers)?;
    let data: Vec<User> = accounts::users_by_name(&svc.db, actor.tenant_id, false)
        .await?
        .into_iter()
        .map(to_dto)
        .collect();
    Ok(UserList {
        total: data.len() as u64,
        data,
    })
}

/// Active users of the actor's tenant, by name. Any role may read this (it feeds assignee dropdowns).
pub async fn options(svc: &Services, actor: &Actor) -> Result<Vec<UserOption>, DomainError> {
    actor.require(Action::ReadRecords)?;
    Ok(accounts::users_by_name(&svc.db, actor.tenant_id, true)
        .await?
        .into_iter()
        .map(|u| UserOption {
            id: u.id,
            name: u.name,
        })
        .collect())
}

pub async fn get(svc: &Services, actor: &Actor, id: i64) -> Result<User, DomainError> {
    actor.require(Action::ManageUsers)?;
    find_in_tenant(&svc.db, actor, id).await.map(to_dto)
}

pub async fn create(svc: &Services, actor: &Actor, input: UserInput) -> Result<User, DomainError> {
    actor.require(Action::ManageUsers)?;
    validate_user(&input).map_err(DomainError::validation)?;
    let new_user = NewUser {
        email: input.email,
        name: input.name,
        role: input.role.unwrap_or(Role::Member),
        password: input.password,
    };
    let txn = db::begin_write(&svc.db).await?;
    let created = tenants::create_user(&txn, actor.tenant_id, new_user).await?;
    let changes = user_changes(None, &created);
    let entry = history::entry(
        actor,
        "users",
        created.id,
        HistoryAction::UserCreate,
        changes,
    );
    db::history::insert(&txn, &[entry]).await?;
    txn.commit().await?;
    Ok(to_dto(created))
}

/// What changed in a user that the audit log shows (never the password).
fn user_changes(before: Option<&UserRow>, after: &UserRow) -> Vec<FieldChange> {
    let fields = |user: Option<&UserRow>| -> [(&'static str, Value); 4] {
        [
            ("name", user.map_or(Value::Null, |u| json!(u.name))),
            ("email", user.map_or(Value::Null, |u| json!(u.email))),
            ("role", user.map_or(Value::Null, |u| json!(u.role))),
            (
                "is_active",
                user.map_or(Value::Null, |u| json!(u.is_active)),
            ),
        ]
    };
    fields(before)
        .into_iter()
        .zip(fields(Some(after)))
        .filter(|((_, old), (_, new))| old != new)
        .map(|((field, old), (_, new))| FieldChange {
            field: field.into(),
            old,
            new,
            old_label: None,
            new_label: None,
        })
        .collect()
}

pub async fn update(
    svc: &Services,
    actor: &Actor,
    id: i64,
    patch: UserPatch,
) -> Result<User, DomainError> {
    actor.require(Action::ManageUsers)?;
    validate_user_patch(&patch).map_err(DomainError::validation)?;
    let null = |field: &str| {
        DomainError::validation(vec![shared::FieldError {
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

    let txn = db::begin_write(&svc.db).await?;
    accounts::lock_tenant_users(&txn, actor.tenant_id).await?;
    let current = find_in_tenant(&txn, actor, id).await?;
    let current_role = Role::parse(&current.role).unwrap_or(Role::Viewer);
    let stays_admin =
        role.unwrap_or(current_role) == Role::Admin && is_active.unwrap_or(current.is_active);
    if current_role == Role::Admin && current.is_active && !stays_admin {
        ensure_another_active_admin(&txn, actor.tenant_id, id).await?;
    }
    let deactivated = current.is_active && is_active == Some(false);
    let before = current.clone();
    let updated = accounts::update_user(
        &txn,
        current,
        UserChange {
            name,
            role,
            is_active,
        },
    )
    .await?;
    if deactivated {
        accounts::delete_sessions_of(&txn, actor.tenant_id, id).await?;
    }
    let changes = user_changes(Some(&before), &updated);
    if !changes.is_empty() {
        let action = if deactivated {
            HistoryAction::UserDeactivate
        } else {
            HistoryAction::UserUpdate
        };
        db::history::insert(&txn, &[history::entry(actor, "users", id, action, changes)]).await?;
    }
    txn.commit().await?;
    Ok(to_dto(updated))
}

/// Deactivates a user (their records keep pointing at them; they can no longer sign in).
pub async fn deactivate(svc: &Services, actor: &Actor, id: i64) -> Result<(), DomainError> {
    let patch = UserPatch {
        is_active: Patch::Set(false),
        ..Default::default()
    };
    update(svc, actor, id, patch).await.map(|_| ())
}

async fn find_in_tenant(
    db: &impl sea_orm::ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<UserRow, DomainError> {
    accounts::find_user(db, actor.tenant_id, id)
        .await?
        .ok_or(DomainError::NotFound)
}

async fn ensure_another_active_admin(
    db: &impl sea_orm::ConnectionTrait,
    tenant_id: i64,
    except: i64,
) -> Result<(), DomainError> {
    if accounts::count_active_admins_except(db, tenant_id, except).await? == 0 {
        Err(DomainError::conflict_on(
            "role",
            "last_admin",
            "This is the organisation's last active administrator: make someone else an administrator first",
        ))
    } else {
        Ok(())
    }
}
