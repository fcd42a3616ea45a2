//! Sign-up and login: the request bodies, their validation (run by the browser form and by the server), and
//! what the server answers about the signed-in user.

use serde::{Deserialize, Serialize};

use crate::entities::{tenant::TENANT, user::validate_password, user::USER};
use crate::error::FieldError;
use crate::role::Role;
use crate::validation::{check_field, field_error, into_result, FieldValue, RulesContext};
use crate::ValidationErrors;

/// `POST /api/auth/signup`: a new organisation and its first administrator.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignupInput {
    #[serde(default)]
    pub tenant_name: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
}

/// `POST /api/auth/login`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
}

/// The signed-in user as `GET /api/auth/me` (and login/sign-up) describe them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub tenant: TenantSummary,
    /// The modules (`projects`, …) the tenant switched off: hidden from navigation, reports and pickers.
    #[serde(default)]
    pub modules_off: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantSummary {
    pub id: i64,
    pub name: String,
    pub slug: String,
}

/// The body of a successful login or sign-up: the user and a bearer token for API clients (browsers use the
/// HttpOnly cookie set by the same response).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub user: Me,
    pub token: String,
    /// RFC 3339 instant after which the token is refused.
    pub expires_at: String,
}

pub fn validate_signup(input: &SignupInput) -> Result<(), ValidationErrors> {
    let ctx = RulesContext::default();
    let tenant_name = TENANT.field("name").expect("tenants.name");
    let errors: ValidationErrors = [
        // The tenants descriptor calls the field `name`; the sign-up form calls it `tenant_name`.
        check_field(tenant_name, FieldValue::Text(&input.tenant_name), &ctx).map(|mut e| {
            e.field = "tenant_name".into();
            e
        }),
        check_field(
            USER.field("name").expect("users.name"),
            FieldValue::Text(&input.name),
            &ctx,
        ),
        check_field(
            USER.field("email").expect("users.email"),
            FieldValue::Text(&input.email),
            &ctx,
        ),
        validate_password(&input.password),
    ]
    .into_iter()
    .flatten()
    .collect();
    into_result(errors)
}

/// Login only checks presence: telling a visitor that a password is "too short" would reveal the policy to
/// no one's benefit and would lock out accounts created before a policy change.
pub fn validate_login(input: &LoginInput) -> Result<(), ValidationErrors> {
    let mut errors: Vec<FieldError> = Vec::new();
    if input.email.trim().is_empty() {
        errors.push(field_error("email", "required", "Email is required"));
    } else if input.email.contains('\0') {
        errors.push(field_error("email", "email", "Invalid email format"));
    }
    if input.password.is_empty() {
        errors.push(field_error("password", "required", "Password is required"));
    }
    into_result(errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(result: Result<(), ValidationErrors>) -> Vec<String> {
        result
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn signup_reports_every_bad_field() {
        let input = SignupInput {
            tenant_name: " ".into(),
            name: String::new(),
            email: "not-an-email".into(),
            password: "short".into(),
        };
        assert_eq!(
            fields(validate_signup(&input)),
            ["tenant_name", "name", "email", "password"]
        );
        let errors = validate_signup(&input).unwrap_err();
        assert!(
            errors[0].message.starts_with("Organisation name"),
            "{errors:?}"
        );
    }

    #[test]
    fn a_complete_signup_passes() {
        let input = SignupInput {
            tenant_name: "Acme Ltd".into(),
            name: "Ada Admin".into(),
            email: "ada@acme.test".into(),
            password: "correct horse battery".into(),
        };
        assert_eq!(validate_signup(&input), Ok(()));
    }

    #[test]
    fn login_only_needs_both_fields() {
        assert_eq!(
            fields(validate_login(&LoginInput::default())),
            ["email", "password"]
        );
        let input = LoginInput {
            email: "a@b.co".into(),
            password: "x".into(),
        };
        assert_eq!(validate_login(&input), Ok(()));
    }

    #[test]
    fn signup_bodies_reject_fields_the_server_owns() {
        for extra in ["role", "tenant_id", "is_admin"] {
            let body = format!(
                r#"{{"tenant_name":"A","name":"B","email":"c@d.ef","password":"0123456789","{extra}":"x"}}"#
            );
            assert!(
                serde_json::from_str::<SignupInput>(&body).is_err(),
                "{extra}"
            );
        }
    }
}
