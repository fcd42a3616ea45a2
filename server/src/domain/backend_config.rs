//! Custom backends: a tenant's statuses, validation and workflow rules and features, read by every write
//! and saved whole by administrators. The configuration is cached per tenant in the process and keyed by the
//! tenant's `config_version`, which the session check reads on every request anyway: an instance notices
//! another instance's save on its next request, at no extra statement.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex},
};

use sea_orm::{ConnectionTrait, DatabaseTransaction};
use serde::Serialize;
use serde_json::{json, Value};
use shared::{
    backend_config::{
        parse_update, plan, BackendConfig, ConfigPlan, ConfigUpdate, StatusUsage, WriteKind,
    },
    entities::status::STATUS_ENTITIES,
    form::validate_record,
    history::{FieldChange, HistoryAction},
    permissions::Action,
    EntityKind, FieldError, ENTITY_KINDS,
};

use super::{Actor, DomainError, Services};
use crate::db::{
    self,
    backend_config::{self as stored, ConfigChange},
    records::Liveness,
    DbError,
};

/// The configurations this process has read, by tenant, each at the version it was read at.
#[derive(Default)]
pub struct ConfigCache {
    by_tenant: Mutex<HashMap<i64, Arc<BackendConfig>>>,
}

impl ConfigCache {
    fn get(&self, tenant_id: i64, version: i64) -> Option<Arc<BackendConfig>> {
        let cache = self.by_tenant.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .get(&tenant_id)
            .filter(|config| config.version == version)
            .cloned()
    }

    fn put(&self, tenant_id: i64, config: Arc<BackendConfig>) {
        let mut cache = self.by_tenant.lock().unwrap_or_else(|e| e.into_inner());
        let newer = cache
            .get(&tenant_id)
            .is_none_or(|cached| cached.version <= config.version);
        if newer {
            cache.insert(tenant_id, config);
        }
    }
}

/// The actor's tenant's configuration: from the cache when the session check saw the same version, else
/// read (two statements) and cached. An actor from outside a request (`config_version` 0) always reads.
pub async fn current(svc: &Services, actor: &Actor) -> Result<Arc<BackendConfig>, DomainError> {
    if let Some(config) = svc.configs.get(actor.tenant_id, actor.config_version) {
        return Ok(config);
    }
    let config = Arc::new(load(&svc.db, actor.tenant_id).await?);
    svc.configs.put(actor.tenant_id, config.clone());
    Ok(config)
}

/// The configuration, or 404 when `kind`'s module is switched off: its API answers as if it did not exist.
pub async fn enabled(
    svc: &Services,
    actor: &Actor,
    kind: EntityKind,
) -> Result<Arc<BackendConfig>, DomainError> {
    let config = current(svc, actor).await?;
    if config.enabled(kind) {
        Ok(config)
    } else {
        Err(DomainError::NotFound)
    }
}

/// Reads a tenant's configuration as stored.
async fn load(db: &impl ConnectionTrait, tenant_id: i64) -> Result<BackendConfig, DomainError> {
    let stored = stored::find(db, tenant_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let mut doc: serde_json::Map<String, Value> = serde_json::from_str(&stored.rules)
        .map_err(|err| DomainError::Internal(format!("stored backend rules: {err}").into()))?;
    doc.insert("backend_type".into(), stored.backend_type.into());
    doc.insert("version".into(), stored.version.into());
    let statuses = stored::statuses(db, tenant_id).await?;
    for entity in STATUS_ENTITIES {
        let list: Vec<Value> = statuses
            .iter()
            .filter(|(e, _)| e == entity)
            .map(|(_, s)| json!({"key": s.key, "label": s.label, "category": s.category.key()}))
            .collect();
        doc.insert(
            shared::backend_config::statuses_key(entity),
            Value::Array(list),
        );
    }
    BackendConfig::from_document(&Value::Object(doc)).map_err(|problems| {
        DomainError::Internal(
            format!(
                "tenant {tenant_id}'s stored configuration does not read back: {}",
                super::tenants::describe(&problems)
            )
            .into(),
        )
    })
}

/// `GET /api/admin/backend-config`: the whole document, for administrators.
pub async fn get(svc: &Services, actor: &Actor) -> Result<Arc<BackendConfig>, DomainError> {
    actor.require(Action::ManageConfiguration)?;
    current(svc, actor).await
}

/// `GET /api/backend-config`: what forms and reports need, for anyone who may read records.
pub async fn for_forms(svc: &Services, actor: &Actor) -> Result<Arc<BackendConfig>, DomainError> {
    actor.require(Action::ReadRecords)?;
    current(svc, actor).await
}

/// What a save would do; writes nothing.
#[derive(Debug, Clone, Serialize)]
pub struct Preview {
    /// Whether the save would go through as sent.
    pub valid: bool,
    #[serde(flatten)]
    pub plan: ConfigPlan,
}

fn parse_body(body: &[u8]) -> Result<ConfigUpdate, DomainError> {
    let value: Value = serde_json::from_slice(body).map_err(|err| DomainError::json(&err))?;
    parse_update(&value).map_err(DomainError::validation)
}

/// `POST /api/admin/backend-config/preview`: the plan of a save, with every problem it would meet that
/// depends on the data (statuses in use, moves the rules refuse, a stale version). A malformed document is a
/// 400, exactly as the save would answer it.
pub async fn preview(svc: &Services, actor: &Actor, body: &[u8]) -> Result<Preview, DomainError> {
    actor.require(Action::ManageConfiguration)?;
    let update = parse_body(body)?;
    let current = load(&svc.db, actor.tenant_id).await?;
    let mut planned = plan(
        &current,
        &update,
        &usage(&svc.db, actor.tenant_id, &current, &update).await?,
    );
    if update.version != current.version {
        planned.problems.push(stale_detail());
    }
    if planned.problems.is_empty() {
        let new_config = update.clone().into_config();
        planned
            .problems
            .extend(refused_moves(&svc.db, actor.tenant_id, &update, &new_config).await?);
    }
    Ok(Preview {
        valid: planned.problems.is_empty(),
        plan: planned,
    })
}

/// `PUT /api/admin/backend-config`: validates the document, then applies it in one transaction — statuses
/// added and changed, records of removed statuses moved, removed statuses deleted, the change logged.
pub async fn save(
    svc: &Services,
    actor: &Actor,
    body: &[u8],
) -> Result<Arc<BackendConfig>, DomainError> {
    actor.require(Action::ManageConfiguration)?;
    let update = parse_body(body)?;
    let tenant_id = actor.tenant_id;
    let txn = db::begin_write(&svc.db).await?;
    let current = load(&txn, tenant_id).await?;
    if update.version != current.version {
        return Err(stale());
    }
    let planned = plan(
        &current,
        &update,
        &usage(&txn, tenant_id, &current, &update).await?,
    );
    let in_use: Vec<FieldError> = planned.in_use().into_iter().cloned().collect();
    if !in_use.is_empty() {
        return Err(DomainError::Conflict {
            message: "Records use statuses this configuration removes: say where they move (status_moves)"
                .into(),
            details: in_use,
        });
    }
    if !planned.problems.is_empty() {
        return Err(DomainError::validation(planned.problems));
    }
    let mut new_config = update.clone().into_config();
    let refused = refused_moves(&txn, tenant_id, &update, &new_config).await?;
    if !refused.is_empty() {
        return Err(DomainError::validation(refused));
    }

    let rules = rules_json(&new_config);
    if !stored::save(
        &txn,
        tenant_id,
        current.version,
        update.backend_type.key(),
        &rules,
    )
    .await?
    {
        return Err(stale());
    }
    new_config.version = current.version + 1;
    for (entity, list) in &new_config.statuses {
        stored::put_statuses(&txn, tenant_id, entity, list).await?;
        let kind = status_kind(entity)?;
        if let Some(changes) = planned.statuses.get(*entity) {
            for removed in &changes.removed {
                if let Some(to) = &removed.move_to {
                    move_records(&txn, actor, kind, &removed.key, to).await?;
                }
            }
            let keys: Vec<&str> = changes.removed.iter().map(|r| r.key.as_str()).collect();
            stored::delete_statuses(&txn, tenant_id, entity, &keys)
                .await
                .map_err(|err| match err {
                    // A record written with a removed status after the plan was made.
                    DbError::ForeignKey { .. } => DomainError::conflict_on(
                        &shared::backend_config::statuses_key(entity),
                        "status_in_use",
                        "Records were just given a status this configuration removes: preview again",
                    ),
                    other => other.into(),
                })?;
        }
    }
    let before = current.to_document().to_string();
    let after = new_config.to_document().to_string();
    stored::insert_change(
        &txn,
        &ConfigChange {
            tenant_id,
            user_id: Some(actor.user_id),
            version: new_config.version,
            before: &before,
            after: &after,
            summary: &planned.summary,
        },
    )
    .await?;
    let entry = super::history::entry(
        actor,
        "config",
        new_config.version,
        HistoryAction::Configure,
        document_changes(&current.to_document(), &new_config.to_document()),
    );
    db::history::insert(&txn, &[entry]).await?;
    txn.commit().await?;
    let new_config = Arc::new(new_config);
    svc.configs.put(tenant_id, new_config.clone());
    Ok(new_config)
}

/// Moves every record of `kind` in status `from` to `to`, live and trashed, each as a write (version
/// bumped, updated now), and rewrites the saved views that filter on `from`. The rules were checked by
/// [`refused_moves`] before anything was written. Each move is a history entry of the `config` source.
pub async fn move_records(
    txn: &DatabaseTransaction,
    actor: &Actor,
    kind: EntityKind,
    from: &str,
    to: &str,
) -> Result<usize, DomainError> {
    let tenant_id = actor.tenant_id;
    let moved = db::records::move_status(txn, kind.descriptor(), tenant_id, from, to).await?;
    super::history::record_status_moves(txn, actor, kind, &moved, from, to).await?;
    super::views::rewrite_moved_status(txn, kind, tenant_id, from, to).await?;
    Ok(moved.len())
}

/// Moves the new configuration's rules refuse: each live record of a moved status is checked as an update
/// that changes its status (the whole record against the new rules, and the target's required fields).
async fn refused_moves(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    update: &ConfigUpdate,
    new_config: &BackendConfig,
) -> Result<Vec<FieldError>, DomainError> {
    let mut problems = Vec::new();
    for (entity, moves) in &update.status_moves {
        let kind = status_kind(entity)?;
        let descriptor = kind.descriptor();
        let Some((status_field, _)) = descriptor.status else {
            continue;
        };
        let ctx = new_config.rules_for(kind);
        for (from, to) in moves {
            let mut refused_ids = Vec::new();
            let mut reasons: Vec<String> = Vec::new();
            for record in
                db::records::in_status(db, descriptor, tenant_id, from, Liveness::Live).await?
            {
                let mut fields = record.writable();
                fields.insert(status_field.into(), Value::String(to.clone()));
                let touched = [status_field];
                let write = WriteKind::Update {
                    previous_status: Some(from),
                    touched: &touched,
                };
                let errors = validate_record(kind, &fields, &ctx, write);
                if !errors.is_empty() {
                    refused_ids.push(record.id_field("id").unwrap_or_default());
                    for error in errors {
                        if !reasons.contains(&error.message) {
                            reasons.push(error.message);
                        }
                    }
                }
            }
            if !refused_ids.is_empty() {
                let shown: Vec<String> = refused_ids.iter().take(10).map(i64::to_string).collect();
                let more = if refused_ids.len() > 10 { ", …" } else { "" };
                problems.push(FieldError {
                    field: format!("status_moves.{entity}.{from}"),
                    code: "move_refused".into(),
                    message: format!(
                        "{} cannot move to {}: {} (ids {}{more})",
                        count_of(descriptor, refused_ids.len()),
                        ctx.status_label(to),
                        reasons.join("; "),
                        shown.join(", ")
                    ),
                });
            }
        }
    }
    Ok(problems)
}

fn count_of(descriptor: &shared::EntityDescriptor, n: usize) -> String {
    if n == 1 {
        format!("1 {}", descriptor.singular)
    } else {
        format!("{n} {}", descriptor.label.to_lowercase())
    }
}

/// Record counts per status for the statuses `update` removes (one grouped statement per entity that loses
/// a status, none otherwise).
async fn usage(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    current: &BackendConfig,
    update: &ConfigUpdate,
) -> Result<BTreeMap<(String, String), StatusUsage>, DomainError> {
    let mut usage = BTreeMap::new();
    for (entity, old_list) in &current.statuses {
        let new_list = update.statuses_of(entity);
        if old_list
            .iter()
            .all(|s| new_list.iter().any(|n| n.key == s.key))
        {
            continue;
        }
        let kind = status_kind(entity)?;
        for (status, live, n) in db::records::status_usage(db, kind.descriptor(), tenant_id).await?
        {
            let slot: &mut StatusUsage = usage.entry(((*entity).to_owned(), status)).or_default();
            if live {
                slot.live += n;
            } else {
                slot.trashed += n;
            }
        }
    }
    Ok(usage)
}

fn status_kind(entity: &str) -> Result<EntityKind, DomainError> {
    ENTITY_KINDS
        .into_iter()
        .find(|kind| kind.descriptor().status.is_some_and(|(_, e)| e == entity))
        .ok_or_else(|| {
            DomainError::Internal(format!("no entity has the statuses of {entity}").into())
        })
}

/// The parts of the configuration document a save changed, each whole (a status list, the rules, …).
fn document_changes(before: &Value, after: &Value) -> Vec<FieldChange> {
    let Some(after) = after.as_object() else {
        return Vec::new();
    };
    after
        .iter()
        .filter(|(key, _)| key.as_str() != "version")
        .filter_map(|(key, new)| {
            let old = before.get(key).cloned().unwrap_or(Value::Null);
            (old != *new).then(|| FieldChange {
                field: key.clone(),
                old,
                new: new.clone(),
                old_label: None,
                new_label: None,
            })
        })
        .collect()
}

/// What `tenants.backend_rules` holds: the document without its type, version and statuses.
fn rules_json(config: &BackendConfig) -> String {
    let doc = config.to_document();
    json!({
        "validation_rules": doc["validation_rules"],
        "workflow_rules": doc["workflow_rules"],
        "features": doc["features"],
    })
    .to_string()
}

fn stale_detail() -> FieldError {
    FieldError {
        field: "version".into(),
        code: "stale".into(),
        message: "The configuration was saved by someone else since you read it".into(),
    }
}

fn stale() -> DomainError {
    DomainError::Conflict {
        message: "Someone else saved the configuration since you opened it: reload it and apply your changes again"
            .into(),
        details: vec![stale_detail()],
    }
}
