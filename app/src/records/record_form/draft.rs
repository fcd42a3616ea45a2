//! What the form holds: the typed text of each field, and the record — or the changes — it makes. Kept apart
//! from the components so the rules (what is sent, what is wrong) read, and test, on their own.

use leptos::prelude::*;
use serde_json::{Map, Value};
use shared::{
    backend_config::WriteKind,
    descriptor::FieldDef,
    form::{field_text, field_value, validate_record},
    EntityKind, FieldError, RulesContext,
};

use crate::records::Record;

/// One input of the form.
#[derive(Clone, Copy)]
pub(crate) struct FieldState {
    pub(crate) def: &'static FieldDef,
    pub(crate) text: RwSignal<String>,
    pub(crate) error: RwSignal<Option<String>>,
    /// Left at least once (or the form was submitted): only then are its messages shown.
    pub(crate) touched: RwSignal<bool>,
}

impl FieldState {
    pub(crate) fn id(&self) -> String {
        format!("field-{}", self.def.name)
    }
}

/// The record the fields describe, and every problem with it, exactly as the server would see them: a new
/// record whole, an edit of `original` with the tenant's rules on what it changes (the whole record when it
/// changes the status).
pub(super) fn check(
    kind: EntityKind,
    fields: &[FieldState],
    ctx: &RulesContext,
    original: Option<&Record>,
) -> (Record, Vec<FieldError>) {
    let mut record = Map::new();
    let mut errors = Vec::new();
    for field in fields {
        match field_value(field.def, &field.text.get_untracked()) {
            Ok(value) => {
                record.insert(field.def.name.to_owned(), value);
            }
            Err(error) => {
                record.insert(field.def.name.to_owned(), Value::Null);
                errors.push(error);
            }
        }
    }
    let changed = original.map(|original| changes(&record, original));
    let touched: Vec<&str> = changed
        .iter()
        .flat_map(|changed| changed.keys().map(String::as_str))
        .collect();
    let previous_status = kind
        .descriptor()
        .status
        .and_then(|(field, _)| original?.get(field)?.as_str());
    let write = match original {
        None => WriteKind::Create,
        Some(_) => WriteKind::Update {
            previous_status,
            touched: &touched,
        },
    };
    for error in validate_record(kind, &record, ctx, write) {
        if !errors.iter().any(|e| e.field == error.field) {
            errors.push(error);
        }
    }
    (record, errors)
}

/// What an edit sends: the version it was read at and only the fields that changed (`null` clears one).
pub(super) fn changes(record: &Record, original: &Record) -> Map<String, Value> {
    record
        .iter()
        .filter(|(name, value)| {
            let before = original.get(*name).unwrap_or(&Value::Null);
            field_text(Some(before)) != field_text(Some(value))
        })
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_sends_only_what_changed() {
        let original: Record = serde_json::from_str(
            r#"{"company_name": "Acme", "email": null, "phone": "555 0100 000", "budget": "10.00"}"#,
        )
        .unwrap();
        let typed: Record = serde_json::from_str(
            r#"{"company_name": "Acme", "email": "a@b.co", "phone": null, "budget": "10.00"}"#,
        )
        .unwrap();
        let sent = changes(&typed, &original);
        assert_eq!(
            Value::Object(sent),
            serde_json::json!({"email": "a@b.co", "phone": null})
        );
    }
}
