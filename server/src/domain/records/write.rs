//! The one write path for records. Create, update, delete and restore each run [`write`]: permission, one
//! transaction, the record before and after, the descriptor's cascades, then [`on_written`] — where tenant
//! rules, status transitions and the history attach — and the commit. Nothing else writes records one by
//! one (an import writes its rows in bulk, with the same rules and the same history).

use sea_orm::DatabaseTransaction;
use serde_json::Value;
use shared::{
    descriptor::FieldKind, permissions::Action, EntityDescriptor, EntityKind, FieldError,
};

use super::contract::{prepare_create, prepare_update};
use crate::{
    db::{
        self,
        records::{Cascading, Liveness, StoredRecord},
        DbError,
    },
    domain::{backend_config, history, Actor, DomainError, Services},
};

/// What a caller asks of one record. Bodies are the API's JSON documents (the entity's input or patch type).
#[derive(Debug, Clone, Copy)]
pub enum Change<'a> {
    Create { body: &'a [u8] },
    Update { id: i64, body: &'a [u8] },
    Delete { id: i64 },
    Restore { id: i64 },
}

impl Change<'_> {
    fn action(self) -> Action {
        match self {
            Change::Create { .. } => Action::CreateRecord,
            Change::Update { .. } => Action::UpdateRecord,
            Change::Delete { .. } => Action::DeleteRecord,
            Change::Restore { .. } => Action::RestoreRecord,
        }
    }
}

/// What a write's history entry says besides the write itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Provenance {
    /// The history entry this write reverts.
    pub reverts: Option<i64>,
    /// The import that made this write.
    pub import_id: Option<i64>,
}

/// A write as it stands inside its transaction, before the commit.
pub struct Written<'a> {
    pub actor: &'a Actor,
    pub kind: EntityKind,
    pub action: Action,
    pub id: i64,
    /// The live (or, for a restore, trashed) record before the write; `None` for a create.
    pub before: Option<&'a StoredRecord>,
    /// The live record after it; `None` for a delete.
    pub after: Option<&'a StoredRecord>,
    /// The children its cascades moved with it: (table, ids).
    pub cascaded: &'a [(&'static str, Vec<i64>)],
}

/// Runs after every record write, inside its transaction: an error here rolls the whole write back. The
/// place for what must hold on every write path: the history entries.
async fn on_written(
    txn: &DatabaseTransaction,
    written: &Written<'_>,
    provenance: Provenance,
) -> Result<(), DomainError> {
    history::record_write(txn, written, provenance).await
}

/// Applies one change; answers the record after it (`None` after a delete).
pub async fn write(
    svc: &Services,
    actor: &Actor,
    kind: EntityKind,
    change: Change<'_>,
) -> Result<Option<Value>, DomainError> {
    write_with(svc, actor, kind, change, Provenance::default()).await
}

/// [`write`], with what its history entry says about where it came from.
pub async fn write_with(
    svc: &Services,
    actor: &Actor,
    kind: EntityKind,
    change: Change<'_>,
    provenance: Provenance,
) -> Result<Option<Value>, DomainError> {
    let action = change.action();
    actor.require(action)?;
    let rules = backend_config::enabled(svc, actor, kind)
        .await?
        .rules_for(kind);
    let descriptor = kind.descriptor();
    let tenant_id = actor.tenant_id;
    let txn = db::begin_write(&svc.db).await?;

    let before = match change {
        Change::Create { .. } => None,
        Change::Update { id, .. } | Change::Delete { id } => {
            Some(load(&txn, descriptor, tenant_id, id, Liveness::Live).await?)
        }
        Change::Restore { id } => {
            Some(load(&txn, descriptor, tenant_id, id, Liveness::Trashed).await?)
        }
    };
    if let Some(before) = &before {
        actor.require_on(action, before.created_by(), before.assigned_to())?;
    }

    let mut cascaded = Vec::new();
    let id = match (change, before.as_ref()) {
        (Change::Create { body }, _) => {
            let record = prepare_create(kind, body, &rules)?;
            check_references(&txn, descriptor, tenant_id, &record, None).await?;
            db::records::insert(&txn, descriptor, tenant_id, actor.user_id, &record)
                .await
                .map_err(|err| refused(descriptor, err))?
        }
        (Change::Update { id, body }, Some(before)) => {
            let prepared = prepare_update(kind, body, &before.writable(), &rules)?;
            if prepared.version != before.version() {
                return Err(stale(descriptor));
            }
            check_references(
                &txn,
                descriptor,
                tenant_id,
                &prepared.record,
                Some(&prepared.touched),
            )
            .await?;
            let written = db::records::update(
                &txn,
                descriptor,
                tenant_id,
                id,
                before.version(),
                &prepared.record,
            )
            .await
            .map_err(|err| refused(descriptor, err))?;
            if !written {
                return Err(stale(descriptor));
            }
            id
        }
        (Change::Delete { id }, _) => {
            db::records::trash(&txn, descriptor.table, tenant_id, id).await?;
            cascaded = cascade(&txn, Cascading::ToTrash, descriptor, tenant_id, id).await?;
            id
        }
        (Change::Restore { id }, Some(before)) => {
            ensure_parents_live(&txn, kind, tenant_id, before).await?;
            cascaded = cascade(&txn, Cascading::FromTrash, descriptor, tenant_id, id).await?;
            db::records::untrash(&txn, descriptor.table, tenant_id, id)
                .await
                .map_err(|err| refused(descriptor, err))?;
            id
        }
        (Change::Update { .. } | Change::Restore { .. }, None) => {
            return Err(DomainError::Internal(
                "an update or restore without the record it changes".into(),
            ))
        }
    };

    let after = match change {
        Change::Delete { .. } => None,
        _ => Some(load(&txn, descriptor, tenant_id, id, Liveness::Live).await?),
    };
    on_written(
        &txn,
        &Written {
            actor,
            kind,
            action,
            id,
            before: before.as_ref(),
            after: after.as_ref(),
            cascaded: &cascaded,
        },
        provenance,
    )
    .await?;
    txn.commit().await?;
    Ok(after.map(|stored| stored.json))
}

pub async fn create(
    svc: &Services,
    actor: &Actor,
    kind: EntityKind,
    body: &[u8],
) -> Result<Value, DomainError> {
    written(write(svc, actor, kind, Change::Create { body }).await?)
}

pub async fn update(
    svc: &Services,
    actor: &Actor,
    kind: EntityKind,
    id: i64,
    body: &[u8],
) -> Result<Value, DomainError> {
    written(write(svc, actor, kind, Change::Update { id, body }).await?)
}

/// Soft delete: the record (and its cascade children) go to the trash.
pub async fn delete(
    svc: &Services,
    actor: &Actor,
    kind: EntityKind,
    id: i64,
) -> Result<(), DomainError> {
    write(svc, actor, kind, Change::Delete { id })
        .await
        .map(|_| ())
}

/// Restores a record from the trash with the children trashed together with it. A restore that would break a
/// unique name answers 409 and changes nothing.
pub async fn restore(
    svc: &Services,
    actor: &Actor,
    kind: EntityKind,
    id: i64,
) -> Result<Value, DomainError> {
    written(write(svc, actor, kind, Change::Restore { id }).await?)
}

fn written(record: Option<Value>) -> Result<Value, DomainError> {
    record
        .ok_or_else(|| DomainError::Internal("a write that keeps its record returned none".into()))
}

async fn load(
    txn: &DatabaseTransaction,
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    id: i64,
    liveness: Liveness,
) -> Result<StoredRecord, DomainError> {
    db::records::find(txn, descriptor, tenant_id, id, liveness)
        .await?
        .ok_or(DomainError::NotFound)
}

/// Every user or record a write points at must exist, live and active, in the caller's tenant.
async fn check_references(
    txn: &DatabaseTransaction,
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    record: &db::records::FieldMap,
    only: Option<&[&'static str]>,
) -> Result<(), DomainError> {
    let unresolved =
        db::records::unresolved_references(txn, descriptor, tenant_id, record, only).await?;
    if unresolved.is_empty() {
        return Ok(());
    }
    Err(DomainError::validation(
        unresolved
            .into_iter()
            .map(|def| FieldError {
                field: def.name.into(),
                code: "invalid_reference".into(),
                message: format!("{} does not exist", def.label),
            })
            .collect(),
    ))
}

/// A record whose parent (per a cascade) is in the trash comes back with its parent, not alone.
async fn ensure_parents_live(
    txn: &DatabaseTransaction,
    kind: EntityKind,
    tenant_id: i64,
    record: &StoredRecord,
) -> Result<(), DomainError> {
    for (parent, cascade) in kind.cascade_parents() {
        let Some(parent_id) = record.id_field(cascade.via) else {
            continue;
        };
        if !db::records::is_live(txn, parent.plural(), tenant_id, parent_id).await? {
            let parent = parent.descriptor().singular;
            return Err(DomainError::conflict_on(
                cascade.via,
                &format!("{parent}_in_trash"),
                format!(
                    "This {}'s {parent} is in the trash: restore the {parent} first",
                    kind.descriptor().singular
                ),
            ));
        }
    }
    Ok(())
}

/// Moves the record's cascade children with it (the descriptor's `cascades`). Restoring children can break a
/// unique name among them: that is refused on the child's field. Answers the children moved, by table.
async fn cascade(
    txn: &DatabaseTransaction,
    direction: Cascading,
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    id: i64,
) -> Result<Vec<(&'static str, Vec<i64>)>, DomainError> {
    let mut moved = Vec::new();
    for cascade in descriptor.cascades {
        // The registry's tests check that a cascade names a registered table; the refusal's wording is all
        // that depends on finding it.
        let child =
            EntityKind::from_plural(cascade.child).map_or(descriptor, EntityKind::descriptor);
        let ids = db::records::cascade(
            txn,
            direction,
            descriptor.table,
            cascade.child,
            cascade.via,
            tenant_id,
            id,
        )
        .await
        .map_err(|err| refused(child, err))?;
        moved.push((cascade.child, ids));
    }
    Ok(moved)
}

/// Database refusals of a write: a unique name taken → 409 on that field; anything the checks above should
/// have caught → 400. The database's own message never reaches the caller.
fn refused(descriptor: &EntityDescriptor, err: DbError) -> DomainError {
    match err {
        DbError::Unique { constraint } => {
            let field = descriptor
                .writable_fields()
                .filter(|def| def.kind == FieldKind::Text)
                .find(|def| constraint.contains(def.name))
                .map(|def| def.name)
                .unwrap_or("id");
            DomainError::conflict_on(
                field,
                "taken",
                format!(
                    "Another live {} already uses this {}",
                    descriptor.singular,
                    field.replace('_', " ")
                ),
            )
        }
        DbError::Check | DbError::Data => {
            DomainError::bad_request("A value is outside what the database allows")
        }
        // The status was removed by a configuration saved since this request read it.
        DbError::ForeignKey { .. } if descriptor.status.is_some() => {
            let field = descriptor.status.map_or("id", |(field, _)| field);
            DomainError::validation(vec![FieldError {
                field: field.into(),
                code: "invalid_status".into(),
                message: "This status was just removed: reload and choose another".into(),
            }])
        }
        DbError::ForeignKey { .. } => {
            DomainError::bad_request("A referenced record does not exist")
        }
        other => other.into(),
    }
}

fn stale(descriptor: &EntityDescriptor) -> DomainError {
    DomainError::Conflict {
        message: format!(
            "This {} was changed by someone else since you opened it: reload it and apply your change again",
            descriptor.singular
        ),
        details: vec![FieldError {
            field: "version".into(),
            code: "stale".into(),
            message: "The record has a newer version".into(),
        }],
    }
}
