//! Validation that the browser runs as people type and the server runs before every write: the same
//! functions, the same messages. Every failing field is reported at once.

use crate::{
    backend_config::{ValidationRules, WorkflowRules},
    descriptor::{EntityDescriptor, FieldDef, FieldKind, StatusCategory},
    error::FieldError,
    rules,
    value::{Date, Money, MONEY_MAX_CENTS},
};

/// One field's value as validation sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldValue<'a> {
    Missing,
    Text(&'a str),
    Money(Money),
    Date(Date),
    Id(i64),
    Bool(bool),
}

/// Read access to a record's fields by name; implemented by every `…Input` type.
pub trait Fields {
    fn get(&self, name: &str) -> FieldValue<'_>;
    /// Sets a text field that is missing or blank; other kinds of field are left alone.
    fn fill_missing_text(&mut self, name: &str, value: &str);
}

pub trait FillText {
    fn fill_missing_text(&mut self, value: &str);
}

impl FillText for Option<String> {
    fn fill_missing_text(&mut self, value: &str) {
        if self.as_deref().is_none_or(|text| text.trim().is_empty()) {
            *self = Some(value.to_owned());
        }
    }
}

macro_rules! no_text_to_fill {
    ($($ty:ty),*) => {
        $(impl FillText for Option<$ty> {
            fn fill_missing_text(&mut self, _value: &str) {}
        })*
    };
}
no_text_to_fill!(Money, Date, i64, bool);

/// Fills what a new record gets when the client leaves it out: each field's declared default, and for the
/// status the tenant's first status.
pub fn apply_defaults(descriptor: &EntityDescriptor, record: &mut impl Fields, ctx: &RulesContext) {
    for def in descriptor.writable_fields() {
        if let Some(default) = def.default {
            record.fill_missing_text(def.name, default);
        }
    }
    if let (Some((status_field, _)), Some(first)) = (descriptor.status, ctx.statuses.first()) {
        record.fill_missing_text(status_field, &first.key);
    }
}

pub trait AsFieldValue {
    fn as_field_value(&self) -> FieldValue<'_>;
}

impl AsFieldValue for Option<String> {
    fn as_field_value(&self) -> FieldValue<'_> {
        self.as_deref()
            .map_or(FieldValue::Missing, FieldValue::Text)
    }
}
impl AsFieldValue for Option<Money> {
    fn as_field_value(&self) -> FieldValue<'_> {
        self.map_or(FieldValue::Missing, FieldValue::Money)
    }
}
impl AsFieldValue for Option<Date> {
    fn as_field_value(&self) -> FieldValue<'_> {
        self.map_or(FieldValue::Missing, FieldValue::Date)
    }
}
impl AsFieldValue for Option<i64> {
    fn as_field_value(&self) -> FieldValue<'_> {
        self.map_or(FieldValue::Missing, FieldValue::Id)
    }
}
impl AsFieldValue for Option<bool> {
    fn as_field_value(&self) -> FieldValue<'_> {
        self.map_or(FieldValue::Missing, FieldValue::Bool)
    }
}

/// A status a tenant has defined for one entity.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StatusOption {
    pub key: String,
    pub label: String,
    /// `category != open`, kept for clients of the first API version.
    #[serde(default)]
    pub is_closed: bool,
    #[serde(default)]
    pub category: StatusCategory,
}

impl StatusOption {
    pub fn new(key: &str, label: &str, category: StatusCategory) -> Self {
        StatusOption {
            key: key.to_owned(),
            label: label.to_owned(),
            is_closed: category.is_closed(),
            category,
        }
    }
}

/// What validation needs to know about the tenant for the entity being validated: its statuses in order,
/// and the rules its administrators configured (see [`crate::backend_config`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RulesContext {
    pub statuses: Vec<StatusOption>,
    pub validation: ValidationRules,
    pub workflow: WorkflowRules,
}

impl RulesContext {
    pub fn with_statuses(statuses: Vec<StatusOption>) -> Self {
        RulesContext {
            statuses,
            ..RulesContext::default()
        }
    }

    /// The label of a status key, or the key itself when the tenant has no such status.
    pub fn status_label<'a>(&'a self, key: &'a str) -> &'a str {
        self.statuses
            .iter()
            .find(|s| s.key == key)
            .map_or(key, |s| s.label.as_str())
    }
}

pub type ValidationErrors = Vec<FieldError>;

pub(crate) fn field_error(field: &str, code: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.to_owned(),
        code: code.to_owned(),
        message: message.into(),
    }
}

fn options_list(options: impl Iterator<Item = String>) -> String {
    options.collect::<Vec<_>>().join(", ")
}

/// Checks one field against its definition. `None` when it is fine.
pub fn check_field(
    def: &FieldDef,
    value: FieldValue<'_>,
    ctx: &RulesContext,
) -> Option<FieldError> {
    let label = def.label;
    let name = def.name;
    let blank = match value {
        FieldValue::Missing => true,
        FieldValue::Text(text) => text.trim().is_empty(),
        _ => false,
    };
    if blank {
        return def
            .required
            .then(|| field_error(name, "required", format!("{label} is required")));
    }
    match value {
        FieldValue::Text(text) => {
            // PostgreSQL cannot store NUL in text (SQLite can): refused here so both databases, and the
            // browser, give the same answer.
            if text.contains('\0') {
                return Some(field_error(
                    name,
                    "invalid_characters",
                    format!("{label} cannot contain a NUL character"),
                ));
            }
            let chars = text.chars().count();
            if let Some(max) = def.max_chars {
                if chars > max {
                    return Some(field_error(
                        name,
                        "max_length",
                        format!("{label} must be at most {max} characters"),
                    ));
                }
            }
            match def.kind {
                FieldKind::Email if !rules::is_email_shape(text.trim()) => {
                    Some(field_error(name, "email", "Invalid email format"))
                }
                FieldKind::Phone => def.min_digits.and_then(|min| {
                    (rules::phone_digit_count(text) < min).then(|| {
                        field_error(
                            name,
                            "min_digits",
                            format!("{label} must have at least {min} digits"),
                        )
                    })
                }),
                FieldKind::Url if !rules::is_http_url(text.trim()) => Some(field_error(
                    name,
                    "url",
                    format!("{label} must be a web address starting with http:// or https://"),
                )),
                FieldKind::Status if !ctx.statuses.iter().any(|s| s.key == text) => {
                    Some(field_error(
                        name,
                        "invalid_status",
                        format!(
                            "{label} must be one of: {}",
                            options_list(ctx.statuses.iter().map(|s| s.label.clone()))
                        ),
                    ))
                }
                FieldKind::Choice(keys) if !keys.contains(&text) => Some(field_error(
                    name,
                    "invalid_choice",
                    format!(
                        "{label} must be one of: {}",
                        options_list(keys.iter().map(|k| k.to_string()))
                    ),
                )),
                _ => None,
            }
        }
        FieldValue::Money(amount) if amount.cents() < 0 => Some(field_error(
            name,
            "negative",
            format!("{label} cannot be negative"),
        )),
        FieldValue::Money(amount) if amount.cents() > MONEY_MAX_CENTS => Some(field_error(
            name,
            "too_large",
            format!("{label} must be at most {}", Money(MONEY_MAX_CENTS)),
        )),
        FieldValue::Id(id) if id <= 0 => Some(field_error(
            name,
            "invalid_reference",
            format!("{label} must refer to an existing record"),
        )),
        _ => None,
    }
}

/// Checks every writable field of `record` against `descriptor`. Entity-specific rules are added by the
/// `validate_<entity>` functions beside each descriptor.
pub fn validate_fields(
    descriptor: &EntityDescriptor,
    record: &impl Fields,
    ctx: &RulesContext,
) -> ValidationErrors {
    descriptor
        .writable_fields()
        .filter_map(|def| check_field(def, record.get(def.name), ctx))
        .collect()
}

pub(crate) fn into_result(errors: ValidationErrors) -> Result<(), ValidationErrors> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
