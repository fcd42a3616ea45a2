use serde::{Deserialize, Serialize};

use crate::descriptor::{EntityDescriptor, FieldDef, FieldKind, StatusCategory, CREATED_AT};
use crate::ENTITY_KINDS;

/// The entities that have a status, as stored in `statuses.entity`: those whose descriptor has one.
pub const STATUS_ENTITIES: &[&str] = &STATUS_ENTITY_KEYS;

const fn status_entity_count() -> usize {
    let mut count = 0;
    let mut k = 0;
    while k < ENTITY_KINDS.len() {
        if ENTITY_KINDS[k].descriptor().status.is_some() {
            count += 1;
        }
        k += 1;
    }
    count
}

const STATUS_ENTITY_KEYS: [&str; status_entity_count()] = {
    let mut keys = [""; status_entity_count()];
    let (mut k, mut n) = (0, 0);
    while k < ENTITY_KINDS.len() {
        if let Some((_, entity)) = ENTITY_KINDS[k].descriptor().status {
            keys[n] = entity;
            n += 1;
        }
        k += 1;
    }
    keys
};

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
        FieldDef::choice("category", "Category", &["open", "won", "lost", "closed"]).required(),
        CREATED_AT,
    ],
    computed: &[],
    search_fields: &[],
    columns: &["position", "key", "label", "is_closed"],
    default_statuses: &[],
    unique: &[],
    cascades: &[],
    board: None,
    in_reports: false,
    switchable: false,
};

/// The defaults every new tenant starts with (the plan's Phase 4 lists, in order): (entity, key, label, closed),
/// gathered from each entity's descriptor.
pub const DEFAULT_STATUSES: &[(&str, &str, &str, StatusCategory)] = &DEFAULT_STATUS_ROWS;

const fn default_status_count() -> usize {
    let mut count = 0;
    let mut k = 0;
    while k < ENTITY_KINDS.len() {
        count += ENTITY_KINDS[k].descriptor().default_statuses.len();
        k += 1;
    }
    count
}

const DEFAULT_STATUS_ROWS: [(&str, &str, &str, StatusCategory); default_status_count()] = {
    let mut rows = [("", "", "", StatusCategory::Open); default_status_count()];
    let (mut k, mut n) = (0, 0);
    while k < ENTITY_KINDS.len() {
        let descriptor = ENTITY_KINDS[k].descriptor();
        if let Some((_, entity)) = descriptor.status {
            let mut i = 0;
            while i < descriptor.default_statuses.len() {
                let (key, label, category) = descriptor.default_statuses[i];
                rows[n] = (entity, key, label, category);
                n += 1;
                i += 1;
            }
        }
        k += 1;
    }
    rows
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub id: i64,
    pub entity: String,
    pub key: String,
    pub label: String,
    pub position: i32,
    pub is_closed: bool,
}
