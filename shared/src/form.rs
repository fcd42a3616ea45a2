//! From what people type to a record, in the browser: each field's text becomes the JSON value the API takes,
//! and the record is checked by the entity's own `validate_*` function — the very code the server runs, so the
//! browser shows the server's messages before the server is asked.

use serde_json::{Map, Value};

use crate::{
    backend_config::{validate_write, WriteKind},
    descriptor::FieldDef,
    entity::EntityKind,
    error::FieldError,
    record::{Record, RecordVisitor},
    storage::Storage,
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
    match def.kind.storage() {
        Storage::Money => Money::parse(trimmed)
            .map(|amount| Value::String(amount.to_string()))
            .ok_or_else(|| {
                field_error(
                    def.name,
                    "invalid_money",
                    format!("{label} must be an amount such as 1250.00"),
                )
            }),
        Storage::Date => Date::parse(trimmed)
            .map(|date| Value::String(date.to_string()))
            .ok_or_else(|| {
                field_error(
                    def.name,
                    "invalid_date",
                    format!("{label} must be a date (YYYY-MM-DD)"),
                )
            }),
        Storage::Integer => trimmed.parse::<i64>().map(Value::from).map_err(|_| {
            field_error(
                def.name,
                "invalid_number",
                format!("{label} must be a whole number"),
            )
        }),
        Storage::Bool => Ok(Value::Bool(matches!(trimmed, "true" | "on" | "1"))),
        // Text keeps what was typed (the server stores it as sent); only blank means "no value". Timestamps
        // are the server's to set and never reach a form.
        Storage::Text | Storage::Timestamp => Ok(Value::String(text.to_owned())),
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

/// Runs `kind`'s validation and the tenant's rules over a record given as field → JSON value, as the server
/// would on create or on the full record after an update (`write` says which, and what the edit touches).
/// Values of the wrong shape are reported on their field.
pub fn validate_record(
    kind: EntityKind,
    record: &Map<String, Value>,
    ctx: &RulesContext,
    write: WriteKind<'_>,
) -> Vec<FieldError> {
    struct Check<'a> {
        record: &'a Map<String, Value>,
        ctx: &'a RulesContext,
        write: WriteKind<'a>,
    }
    impl RecordVisitor for Check<'_> {
        type Output = Vec<FieldError>;
        fn visit<R: Record>(self) -> Vec<FieldError> {
            match serde_json::from_value::<R::Input>(Value::Object(self.record.clone())) {
                Ok(input) => validate_write::<R>(&input, self.ctx, self.write),
                Err(err) => vec![field_error("", "invalid", err.to_string())],
            }
        }
    }
    kind.visit(Check { record, ctx, write })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{entities::lead::LEAD, entities::project::PROJECT, StatusOption};

    fn statuses() -> RulesContext {
        RulesContext::with_statuses(vec![StatusOption::new(
            "new",
            "New",
            crate::StatusCategory::Open,
        )])
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
        let errors = validate_record(EntityKind::Lead, &record, &statuses(), WriteKind::Create);
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
        let errors = validate_record(EntityKind::Project, &record, &statuses(), WriteKind::Create);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "end_date");
    }
}
