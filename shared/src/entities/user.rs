use serde::{Deserialize, Serialize};

use crate::descriptor::{EntityDescriptor, FieldDef, Filter, CREATED_AT, UPDATED_AT};
use crate::error::FieldError;
use crate::role::Role;
use crate::rules;
use crate::validation::{
    check_field, field_error, into_result, FieldValue, RulesContext, ValidationErrors,
};
use crate::value::Patch;

pub const ROLE_KEYS: &[&str] = &["admin", "manager", "member", "viewer"];

pub const USER: EntityDescriptor = EntityDescriptor {
    table: "users",
    singular: "user",
    label: "Users",
    status: None,
    fields: &[
        FieldDef::id(),
        FieldDef::email("email", "Email")
            .required()
            .filter(Filter::Contains)
            .sortable(),
        FieldDef::text("name", "Name")
            .required()
            .max_chars(200)
            .filter(Filter::Contains)
            .sortable(),
        FieldDef::choice("role", "Role", ROLE_KEYS)
            .required()
            .max_chars(20)
            .filter(Filter::AnyOf)
            .sortable(),
        FieldDef::new("is_active", "Active", crate::descriptor::FieldKind::Bool),
        CREATED_AT,
        UPDATED_AT,
    ],
    computed: &[],
    search_fields: &["name", "email"],
    columns: &["id", "name", "email", "role", "is_active", "created_at"],
    default_statuses: &[],
    unique: &[],
    cascades: &[],
    board: None,
    in_reports: false,
    switchable: false,
};

/// A new user, created by an administrator (or the first admin at sign-up).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    pub role: Option<Role>,
    #[serde(default)]
    pub password: String,
}

/// What an administrator may change about a user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    pub name: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    pub role: Patch<Role>,
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    pub is_active: Patch<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub is_active: bool,
    pub created_at: String,
}

/// `GET /api/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserList {
    pub data: Vec<User>,
    pub total: u64,
}

/// `GET /api/users/options`: `{id, name}` of the tenant's active users, for assignee pickers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserOption {
    pub id: i64,
    pub name: String,
}

fn field(name: &str) -> &'static FieldDef {
    USER.field(name).expect("users descriptor field")
}

pub fn validate_password(password: &str) -> Option<FieldError> {
    (!rules::password_length_ok(password)).then(|| {
        field_error(
            "password",
            "length",
            format!(
                "Password must be between {} and {} characters",
                rules::PASSWORD_MIN_CHARS,
                rules::PASSWORD_MAX_CHARS
            ),
        )
    })
}

pub fn validate_user(input: &UserInput) -> Result<(), ValidationErrors> {
    let ctx = RulesContext::default();
    let mut errors: ValidationErrors = [
        check_field(field("email"), FieldValue::Text(&input.email), &ctx),
        check_field(field("name"), FieldValue::Text(&input.name), &ctx),
        input
            .role
            .is_none()
            .then(|| field_error("role", "required", "Role is required")),
        validate_password(&input.password),
    ]
    .into_iter()
    .flatten()
    .collect();
    errors.dedup_by(|a, b| a.field == b.field);
    into_result(errors)
}

pub fn validate_user_patch(patch: &UserPatch) -> Result<(), ValidationErrors> {
    let ctx = RulesContext::default();
    let errors = match &patch.name {
        Patch::Absent => vec![],
        Patch::Null => vec![field_error("name", "required", "Name is required")],
        Patch::Set(name) => check_field(field("name"), FieldValue::Text(name), &ctx)
            .into_iter()
            .collect(),
    };
    into_result(errors)
}
