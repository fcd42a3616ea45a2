//! From what people type to a record, in the browser: each field's text becomes the JSON value the API takes,
//! and the record is checked by the entity's own `validate_*` function — the very code the server runs, so the
//! browser shows the server's messages before the server is asked.

use serde_json::{Map, Value};

use crate::{
    descriptor::{FieldDef, FieldKind},
    entities::{account, client, lead, project, task},
    entity::EntityKind,
    error::FieldError,
    validation::{field_error, RulesContext},
    value::{Date, Money},
};

/// The JSON value for one field's text; blank text is `null` (no value).
pub fn field_value(def: &FieldDef, text: &str) -> Result<Value, FieldError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(Value::Null);
    }
    let label = def.label;
    match def.kind {
        FieldKind::Money => Money::parse(trimmed)
            .map(|amount| Value::String(amount.to_string()))
            .ok_or_else(|| {
                field_error(
                    def.name,
                    "invalid_money",
                    format!("{label} must be an amount such as 1250.00"),
                )
            }),
        FieldKind::Date => Date::parse(trimmed)
            .map(|date| Value::String(date.to_string()))
            .ok_or_else(|| {
                field_error(
                    def.name,
                    "invalid_date",
                    format!("{label} must be a date (YYYY-MM-DD)"),
                )
            }),
        FieldKind::Id | FieldKind::User | FieldKind::Reference(_) | FieldKind::Integer => {
            trimmed.parse::<i64>().map(Value::from).map_err(|_| {
                field_error(
                    def.name,
                    "invalid_number",
                    format!("{label} must be a whole number"),
                )
            })
        }
        FieldKind::Bool => Ok(Value::Bool(matches!(trimmed, "true" | "on" | "1"))),
        // Text keeps what was typed (the server stores it as sent); only blank means "no value".
        _ => Ok(Value::String(text.to_owned())),
    }
}

/// The text a form shows for a stored value.
pub fn field_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// Runs `kind`'s validation over a record given as field → JSON value, as the server would on create or on
/// the full record after an update. Values of the wrong shape are reported on their field.
pub fn validate_record(
    kind: EntityKind,
    record: &Map<String, Value>,
    ctx: &RulesContext,
) -> Vec<FieldError> {
    fn check<T: serde::de::DeserializeOwned>(
        record: &Map<String, Value>,
        validate: impl Fn(&T) -> Result<(), Vec<FieldError>>,
    ) -> Vec<FieldError> {
        match serde_json::from_value::<T>(Value::Object(record.clone())) {
            Ok(input) => validate(&input).err().unwrap_or_default(),
            Err(err) => vec![field_error("", "invalid", err.to_string())],
        }
    }
    match kind {
        EntityKind::Lead => check(record, |i| lead::validate_lead(i, ctx)),
        EntityKind::Client => check(record, |i| client::validate_client(i, ctx)),
        EntityKind::Project => check(record, |i| project::validate_project(i, ctx)),
        EntityKind::Account => check(record, |i| account::validate_account(i, ctx)),
        EntityKind::Task => check(record, |i| task::validate_task(i, ctx)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{entities::lead::LEAD, entities::project::PROJECT, StatusOption};

    fn statuses() -> RulesContext {
        RulesContext::with_statuses(vec![StatusOption {
            key: "new".into(),
            label: "New".into(),
            is_closed: false,
        }])
    }

    #[test]
    fn typed_text_becomes_the_api_value() {
        let budget = PROJECT.field("budget").unwrap();
        assert_eq!(field_value(budget, " 1250.5 ").unwrap(), "1250.50");
        assert_eq!(field_value(budget, "").unwrap(), Value::Null);
        assert_eq!(
            field_value(budget, "12,50").unwrap_err().code,
            "invalid_money"
        );
        let client = PROJECT.field("client_id").unwrap();
        assert_eq!(field_value(client, "42").unwrap(), 42);
        let start = PROJECT.field("start_date").unwrap();
        assert_eq!(
            field_value(start, "2026-13-01").unwrap_err().field,
            "start_date"
        );
    }

    #[test]
    fn the_browser_gets_the_servers_messages() {
        let mut record = Map::new();
        record.insert("company_name".into(), Value::Null);
        record.insert("email".into(), "not-an-email".into());
        record.insert("lead_status".into(), "new".into());
        let errors = validate_record(EntityKind::Lead, &record, &statuses());
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["company_name", "email"]);
        assert_eq!(errors[1].message, "Invalid email format");
        assert!(LEAD.field("email").is_some());
    }

    #[test]
    fn cross_field_rules_run_too() {
        let mut record = Map::new();
        record.insert("project_name".into(), "Site".into());
        record.insert("client_id".into(), 1.into());
        record.insert("project_status".into(), "new".into());
        record.insert("start_date".into(), "2026-02-01".into());
        record.insert("end_date".into(), "2026-01-01".into());
        let errors = validate_record(EntityKind::Project, &record, &statuses());
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "end_date");
    }
}
