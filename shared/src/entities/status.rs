use serde::{Deserialize, Serialize};

use crate::descriptor::{EntityDescriptor, FieldDef, FieldKind, CREATED_AT};
use crate::rules;
use crate::validation::{
    check_field, field_error, into_result, FieldValue, RulesContext, ValidationErrors,
};

/// The entities that have a status, as stored in `statuses.entity`.
pub const STATUS_ENTITIES: &[&str] = &["lead", "client", "project", "task"];

pub const STATUS: EntityDescriptor = EntityDescriptor {
    table: "statuses",
    singular: "status",
    label: "Statuses",
    status: None,
    fields: &[
        FieldDef::id(),
        FieldDef::choice("entity", "Entity", STATUS_ENTITIES)
            .required()
            .max_chars(20),
        FieldDef::text("key", "Key").required().max_chars(50),
        FieldDef::text("label", "Label").required().max_chars(100),
        FieldDef::new("position", "Position", FieldKind::Integer),
        FieldDef::new("is_closed", "Closed", FieldKind::Bool),
        CREATED_AT,
    ],
    computed: &[],
    search_fields: &[],
    columns: &["position", "key", "label", "is_closed"],
};

/// The defaults every new tenant starts with (the plan's Phase 4 lists, in order): (entity, key, label, closed).
pub const DEFAULT_STATUSES: &[(&str, &str, &str, bool)] = &[
    ("lead", "new", "New", false),
    ("lead", "contacted", "Contacted", false),
    ("lead", "qualified", "Qualified", false),
    ("lead", "proposal", "Proposal", false),
    ("lead", "negotiation", "Negotiation", false),
    ("lead", "won", "Won", true),
    ("lead", "lost", "Lost", true),
    ("client", "new", "New", false),
    ("client", "active", "Active", false),
    ("client", "inactive", "Inactive", false),
    ("client", "churned", "Churned", true),
    ("project", "planning", "Planning", false),
    ("project", "active", "Active", false),
    ("project", "on_hold", "On hold", false),
    ("project", "completed", "Completed", true),
    ("project", "cancelled", "Cancelled", true),
    ("task", "todo", "To do", false),
    ("task", "in_progress", "In progress", false),
    ("task", "review", "Review", false),
    ("task", "done", "Done", true),
    ("task", "cancelled", "Cancelled", true),
];

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusInput {
    #[serde(default)]
    pub entity: String,
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub label: String,
    pub position: Option<i32>,
    #[serde(default)]
    pub is_closed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub id: i64,
    pub entity: String,
    pub key: String,
    pub label: String,
    pub position: i32,
    pub is_closed: bool,
}

pub fn validate_status(input: &StatusInput) -> Result<(), ValidationErrors> {
    let ctx = RulesContext::default();
    let def = |name| STATUS.field(name).expect("statuses descriptor field");
    let mut errors: ValidationErrors = [
        check_field(def("entity"), FieldValue::Text(&input.entity), &ctx),
        check_field(def("key"), FieldValue::Text(&input.key), &ctx),
        check_field(def("label"), FieldValue::Text(&input.label), &ctx),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !input.key.is_empty()
        && !errors.iter().any(|e| e.field == "key")
        && !rules::is_status_key(&input.key)
    {
        errors.push(field_error(
            "key",
            "key_format",
            "Key may contain only lowercase letters, digits and underscores",
        ));
    }
    if input.position.is_some_and(|p| p < 0) {
        errors.push(field_error(
            "position",
            "negative",
            "Position cannot be negative",
        ));
    }
    into_result(errors)
}
