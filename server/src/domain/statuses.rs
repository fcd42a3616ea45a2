//! The tenant's statuses per status entity, in order (what validation accepts and forms offer).

use shared::{entities::status::STATUS_ENTITIES, permissions::Action, FieldError, StatusOption};

use super::{
    params::{problem, Params, Read},
    Actor, DomainError, Services,
};

/// `?entity=lead|client|project|task`.
fn parse_entity(params: &Params) -> Result<&'static str, DomainError> {
    let mut entity = None;
    params.read_each("Invalid parameters", |name, value, _| match name {
        "entity" => match STATUS_ENTITIES.iter().find(|e| **e == value) {
            Some(found) => {
                entity = Some(*found);
                Read::Taken
            }
            None => Read::Bad(problem(
                "entity",
                "invalid",
                format!("entity must be one of: {}", STATUS_ENTITIES.join(", ")),
            )),
        },
        _ => Read::Unknown,
    })?;
    entity.ok_or_else(|| DomainError::Invalid {
        message: "Invalid parameters".into(),
        details: vec![FieldError {
            field: "entity".into(),
            code: "required".into(),
            message: "entity is required".into(),
        }],
    })
}

/// The statuses of the entity `params` name. The role is checked before the parameters, so a caller who may
/// not read records learns nothing from a malformed query.
pub async fn list(
    svc: &Services,
    actor: &Actor,
    params: &Params,
) -> Result<Vec<StatusOption>, DomainError> {
    actor.require(Action::ReadRecords)?;
    let entity = parse_entity(params)?;
    let config = super::backend_config::current(svc, actor).await?;
    Ok(config
        .statuses_of(entity)
        .iter()
        .map(shared::backend_config::StatusDef::option)
        .collect())
}
