//! The per-entity part of the generic record path lives in `shared::contract` (dispatched by the entity
//! registry); this file only maps its errors to domain errors.

use shared::{contract::ContractError, EntityKind, RulesContext};

use crate::domain::DomainError;

pub use shared::contract::PreparedUpdate;

use crate::db::records::FieldMap;

impl From<ContractError> for DomainError {
    fn from(err: ContractError) -> Self {
        match err {
            ContractError::Body(err) => DomainError::json(&err),
            ContractError::Invalid(details) => DomainError::validation(details),
            ContractError::Stored(err) => DomainError::internal(err),
            ContractError::NotAnObject => {
                DomainError::Internal("a record did not serialise to an object".into())
            }
        }
    }
}

/// Parses a create body for `kind`, fills defaults, validates (with the tenant's statuses in `ctx`).
pub fn prepare_create(
    kind: EntityKind,
    body: &[u8],
    ctx: &RulesContext,
) -> Result<FieldMap, DomainError> {
    Ok(shared::contract::prepare_create(kind, body, ctx)?)
}

/// Parses a patch body for `kind`, applies it to `current` (the stored writable fields), validates the result.
pub fn prepare_update(
    kind: EntityKind,
    body: &[u8],
    current: &FieldMap,
    ctx: &RulesContext,
) -> Result<PreparedUpdate, DomainError> {
    Ok(shared::contract::prepare_update(kind, body, current, ctx)?)
}
