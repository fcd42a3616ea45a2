//! The record write contract, for every entity through the registry: a create body becomes the entity's
//! input with defaults applied, validated; a patch body is applied to the stored record and the result
//! validated. The server maps [`ContractError`] to its responses.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::{
    backend_config::{validate_write, WriteKind},
    entity::EntityKind,
    record::{Record, RecordPatch, RecordVisitor},
    validation::{apply_defaults, RulesContext, ValidationErrors},
};

/// A validated record as a map of writable field → JSON value (absent and null both mean "no value").
pub type FieldMap = Map<String, Value>;

/// A validated update: the version it was read at, the fields it touches, and the full record after it.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedUpdate {
    pub version: i64,
    pub touched: Vec<&'static str>,
    pub record: FieldMap,
}

#[derive(Debug)]
pub enum ContractError {
    /// The body is not the entity's JSON shape (syntax, unknown field, wrong type): the client's fault.
    Body(serde_json::Error),
    /// The record breaks a rule.
    Invalid(ValidationErrors),
    /// The stored record did not read back into the entity's type, or a record did not serialise to an
    /// object: the server's fault.
    Stored(serde_json::Error),
    NotAnObject,
}

fn to_map(value: &impl Serialize) -> Result<FieldMap, ContractError> {
    match serde_json::to_value(value).map_err(ContractError::Stored)? {
        Value::Object(map) => Ok(map),
        _ => Err(ContractError::NotAnObject),
    }
}

fn invalid(errors: ValidationErrors) -> Result<(), ContractError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ContractError::Invalid(errors))
    }
}

/// Parses a create body for `kind`, fills defaults, validates (with the tenant's statuses in `ctx`).
pub fn prepare_create(
    kind: EntityKind,
    body: &[u8],
    ctx: &RulesContext,
) -> Result<FieldMap, ContractError> {
    struct Create<'a> {
        body: &'a [u8],
        ctx: &'a RulesContext,
    }
    impl RecordVisitor for Create<'_> {
        type Output = Result<FieldMap, ContractError>;
        fn visit<R: Record>(self) -> Self::Output {
            let mut input: R::Input =
                serde_json::from_slice(self.body).map_err(ContractError::Body)?;
            apply_defaults(R::DESCRIPTOR, &mut input, self.ctx);
            invalid(validate_write::<R>(&input, self.ctx, WriteKind::Create))?;
            to_map(&input)
        }
    }
    kind.visit(Create { body, ctx })
}

/// Parses a patch body for `kind`, applies it to `current` (the stored writable fields), validates the result.
pub fn prepare_update(
    kind: EntityKind,
    body: &[u8],
    current: &FieldMap,
    ctx: &RulesContext,
) -> Result<PreparedUpdate, ContractError> {
    struct Update<'a> {
        body: &'a [u8],
        current: &'a FieldMap,
        ctx: &'a RulesContext,
    }
    impl RecordVisitor for Update<'_> {
        type Output = Result<PreparedUpdate, ContractError>;
        fn visit<R: Record>(self) -> Self::Output {
            let patch: R::Patch = serde_json::from_slice(self.body).map_err(ContractError::Body)?;
            // The stored record, read back into the entity's input type, is what the patch applies to.
            let mut record: R::Input = serde_json::from_value(Value::Object(self.current.clone()))
                .map_err(ContractError::Stored)?;
            let version = patch.version();
            let touched = patch.touched_fields();
            let previous_status = R::DESCRIPTOR
                .status
                .and_then(|(field, _)| self.current.get(field))
                .and_then(Value::as_str);
            patch.apply(&mut record);
            let write = WriteKind::Update {
                previous_status,
                touched: &touched,
            };
            invalid(validate_write::<R>(&record, self.ctx, write))?;
            Ok(PreparedUpdate {
                version,
                touched,
                record: to_map(&record)?,
            })
        }
    }
    kind.visit(Update { body, current, ctx })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StatusOption;

    fn statuses() -> RulesContext {
        RulesContext::with_statuses(vec![StatusOption::new(
            "todo",
            "To do",
            crate::StatusCategory::Open,
        )])
    }

    #[test]
    fn create_fills_defaults_and_validates() {
        let map = prepare_create(EntityKind::Task, br#"{"title":"Call"}"#, &statuses()).unwrap();
        assert_eq!(map["priority"], "medium");
        assert_eq!(map["task_status"], "todo");
        assert!(matches!(
            prepare_create(EntityKind::Task, br#"{"title":""}"#, &statuses()),
            Err(ContractError::Invalid(_))
        ));
        assert!(matches!(
            prepare_create(EntityKind::Task, br#"{"id":1}"#, &statuses()),
            Err(ContractError::Body(_))
        ));
    }

    #[test]
    fn update_applies_the_patch_to_the_stored_record() {
        let current =
            prepare_create(EntityKind::Task, br#"{"title":"Call"}"#, &statuses()).unwrap();
        let update = prepare_update(
            EntityKind::Task,
            br#"{"version":3,"title":"Call back","due_date":null}"#,
            &current,
            &statuses(),
        )
        .unwrap();
        assert_eq!(update.version, 3);
        assert_eq!(update.touched, ["title", "due_date"]);
        assert_eq!(update.record["title"], "Call back");
        assert_eq!(update.record["priority"], "medium");
        assert!(matches!(
            prepare_update(EntityKind::Task, br#"{"title":"x"}"#, &current, &statuses()),
            Err(ContractError::Body(_))
        ));
    }
}
