//! The per-entity part of the generic record path, and nothing more: which `shared` types parse a body and
//! which `shared` function validates it. Everything else (SQL, permissions, responses) is driven by the
//! entity's descriptor.

use serde::{de::DeserializeOwned, Serialize};
use serde_json::{Map, Value};
use shared::{
    entities::{account, client, lead, project, task},
    record::RecordPatch,
    validation::{apply_defaults, Fields},
    EntityDescriptor, EntityKind, RulesContext, ValidationErrors,
};

use crate::{error::ApiError, extract::json_error};

pub trait RecordContract {
    type Input: DeserializeOwned + Serialize + Fields + Default;
    type Patch: DeserializeOwned + RecordPatch<Input = Self::Input>;
    const DESCRIPTOR: &'static EntityDescriptor;
    fn validate(input: &Self::Input, ctx: &RulesContext) -> Result<(), ValidationErrors>;
}

macro_rules! contract {
    ($name:ident, $module:ident, $input:ident, $patch:ident, $descriptor:ident, $validate:ident) => {
        pub struct $name;
        impl RecordContract for $name {
            type Input = $module::$input;
            type Patch = $module::$patch;
            const DESCRIPTOR: &'static EntityDescriptor = &$module::$descriptor;
            fn validate(input: &Self::Input, ctx: &RulesContext) -> Result<(), ValidationErrors> {
                $module::$validate(input, ctx)
            }
        }
    };
}

contract!(Leads, lead, LeadInput, LeadPatch, LEAD, validate_lead);
contract!(
    Clients,
    client,
    ClientInput,
    ClientPatch,
    CLIENT,
    validate_client
);
contract!(
    Projects,
    project,
    ProjectInput,
    ProjectPatch,
    PROJECT,
    validate_project
);
contract!(
    Accounts,
    account,
    AccountInput,
    AccountPatch,
    ACCOUNT,
    validate_account
);
contract!(Tasks, task, TaskInput, TaskPatch, TASK, validate_task);

/// A validated record as a map of writable field → JSON value (absent and null both mean "no value").
pub type FieldMap = Map<String, Value>;

/// A validated update: the version it was read at, the fields it touches, and the full record after it.
pub struct PreparedUpdate {
    pub version: i64,
    pub touched: Vec<&'static str>,
    pub record: FieldMap,
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|err| json_error(&err))
}

fn to_map(value: &impl Serialize) -> Result<FieldMap, ApiError> {
    match serde_json::to_value(value).map_err(ApiError::internal)? {
        Value::Object(map) => Ok(map),
        _ => Err(ApiError::Internal(
            "a record did not serialise to an object".into(),
        )),
    }
}

fn prepare_create_for<C: RecordContract>(
    body: &[u8],
    ctx: &RulesContext,
) -> Result<FieldMap, ApiError> {
    let mut input: C::Input = parse(body)?;
    apply_defaults(C::DESCRIPTOR, &mut input, ctx);
    C::validate(&input, ctx).map_err(ApiError::validation)?;
    to_map(&input)
}

fn prepare_update_for<C: RecordContract>(
    body: &[u8],
    current: &FieldMap,
    ctx: &RulesContext,
) -> Result<PreparedUpdate, ApiError> {
    let patch: C::Patch = parse(body)?;
    // The stored record, read back into the entity's input type, is what the patch applies to.
    let mut record: C::Input =
        serde_json::from_value(Value::Object(current.clone())).map_err(ApiError::internal)?;
    let version = patch.version();
    let touched = patch.touched_fields();
    patch.apply(&mut record);
    C::validate(&record, ctx).map_err(ApiError::validation)?;
    Ok(PreparedUpdate {
        version,
        touched,
        record: to_map(&record)?,
    })
}

/// Parses a create body for `kind`, fills defaults, validates (with the tenant's statuses in `ctx`).
pub fn prepare_create(
    kind: EntityKind,
    body: &[u8],
    ctx: &RulesContext,
) -> Result<FieldMap, ApiError> {
    match kind {
        EntityKind::Lead => prepare_create_for::<Leads>(body, ctx),
        EntityKind::Client => prepare_create_for::<Clients>(body, ctx),
        EntityKind::Project => prepare_create_for::<Projects>(body, ctx),
        EntityKind::Account => prepare_create_for::<Accounts>(body, ctx),
        EntityKind::Task => prepare_create_for::<Tasks>(body, ctx),
    }
}

/// Parses a patch body for `kind`, applies it to `current` (the stored writable fields), validates the result.
pub fn prepare_update(
    kind: EntityKind,
    body: &[u8],
    current: &FieldMap,
    ctx: &RulesContext,
) -> Result<PreparedUpdate, ApiError> {
    match kind {
        EntityKind::Lead => prepare_update_for::<Leads>(body, current, ctx),
        EntityKind::Client => prepare_update_for::<Clients>(body, current, ctx),
        EntityKind::Project => prepare_update_for::<Projects>(body, current, ctx),
        EntityKind::Account => prepare_update_for::<Accounts>(body, current, ctx),
        EntityKind::Task => prepare_update_for::<Tasks>(body, current, ctx),
    }
}
