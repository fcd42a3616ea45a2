//! A tenant's custom backend (the plan's Phase 4): its statuses per status entity, its validation and workflow
//! rules, and which modules are switched on. One document, read and written whole with a `version`.
//!
//! - [`parse`] reads a document as a client sends it and reports every problem at once, each addressed by
//!   its path (`lead_statuses[3].key`, `validation_rules.lead.max_chars.notes`);
//! - [`plan`] compares it with the current configuration: what a save would add, relabel, reorder, remove and
//!   move;
//! - [`evaluate`] applies the rules to a record write — the one function the browser runs as people type and
//!   the server runs on every write.

pub mod evaluate;
pub mod parse;
pub mod plan;

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::{
    descriptor::StatusCategory,
    entities::status::STATUS_ENTITIES,
    entity::{EntityKind, ENTITY_KINDS},
    validation::{RulesContext, StatusOption},
    value::{Date, Money},
};

pub use evaluate::{check_tenant_rules, validate_write, WriteKind};
pub use parse::{parse_update, ConfigUpdate};
pub use plan::{plan, ConfigPlan, EntityChanges, RemovedStatus, StatusUsage};

/// `default`: the plan's status lists, fixed. `custom`: the tenant's own, editable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BackendType {
    #[default]
    Default,
    Custom,
}

impl BackendType {
    pub const fn key(self) -> &'static str {
        match self {
            BackendType::Default => "default",
            BackendType::Custom => "custom",
        }
    }
    pub fn parse(key: &str) -> Option<Self> {
        match key {
            "default" => Some(BackendType::Default),
            "custom" => Some(BackendType::Custom),
            _ => None,
        }
    }
}

/// One status of a tenant: the key records store (never changes), what people see, and what it means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusDef {
    pub key: String,
    pub label: String,
    pub category: StatusCategory,
}

impl StatusDef {
    pub fn option(&self) -> StatusOption {
        StatusOption::new(&self.key, &self.label, self.category)
    }
}

/// The label a bare status key gets: `under_review` → `Under review`.
pub fn label_from_key(key: &str) -> String {
    let spaced = key.replace('_', " ");
    let mut chars = spaced.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A bound of a `min` / `max` rule, of the field's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bound {
    Money(Money),
    Integer(i64),
    Date(Date),
}

impl Bound {
    fn to_json(self) -> Value {
        match self {
            Bound::Money(m) => Value::String(m.to_string()),
            Bound::Integer(i) => Value::from(i),
            Bound::Date(d) => Value::String(d.to_string()),
        }
    }
}

impl std::fmt::Display for Bound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Bound::Money(m) => write!(f, "{m}"),
            Bound::Integer(i) => write!(f, "{i}"),
            Bound::Date(d) => write!(f, "{d}"),
        }
    }
}

/// `validation_rules.<entity>`: rules tighter than the built-in ones, field by field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationRules {
    /// Optional writable fields made required.
    pub required: Vec<String>,
    /// Tighter than the built-in limit, never looser.
    pub max_chars: BTreeMap<String, usize>,
    pub min: BTreeMap<String, Bound>,
    pub max: BTreeMap<String, Bound>,
    /// Email fields must be at one of these domains (lowercase).
    pub email_domains: Vec<String>,
}

impl ValidationRules {
    pub fn is_empty(&self) -> bool {
        *self == ValidationRules::default()
    }

    fn to_json(&self) -> Value {
        let mut map = Map::new();
        if !self.required.is_empty() {
            map.insert("required".into(), json!(self.required));
        }
        if !self.max_chars.is_empty() {
            map.insert("max_chars".into(), json!(self.max_chars));
        }
        for (name, bounds) in [("min", &self.min), ("max", &self.max)] {
            if !bounds.is_empty() {
                let bounds: Map<_, _> = bounds
                    .iter()
                    .map(|(field, bound)| (field.clone(), bound.to_json()))
                    .collect();
                map.insert(name.into(), Value::Object(bounds));
            }
        }
        if !self.email_domains.is_empty() {
            map.insert("email_domains".into(), json!(self.email_domains));
        }
        Value::Object(map)
    }
}

/// `workflow_rules.<entity>`: how records move through the statuses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkflowRules {
    /// For a status, the statuses a record in it may move to. A status not listed may move anywhere; an
    /// empty list makes it final.
    pub transitions: BTreeMap<String, Vec<String>>,
    /// The statuses a record may be created in; `None` = any.
    pub initial: Option<Vec<String>>,
    /// Fields that must hold a value when a record enters a status.
    pub require_on_enter: BTreeMap<String, Vec<String>>,
}

impl WorkflowRules {
    pub fn is_empty(&self) -> bool {
        *self == WorkflowRules::default()
    }

    /// May a record move from `from` to `to`? Staying in the same status is not a move.
    pub fn allows(&self, from: &str, to: &str) -> bool {
        from == to
            || self
                .transitions
                .get(from)
                .is_none_or(|targets| targets.iter().any(|t| t == to))
    }

    fn to_json(&self) -> Value {
        let mut map = Map::new();
        if !self.transitions.is_empty() {
            map.insert("transitions".into(), json!(self.transitions));
        }
        if let Some(initial) = &self.initial {
            map.insert("initial".into(), json!(initial));
        }
        if !self.require_on_enter.is_empty() {
            map.insert("require_on_enter".into(), json!(self.require_on_enter));
        }
        Value::Object(map)
    }
}

/// The modules a tenant may switch off, by their URL segment (`projects`, `accounts`, `tasks`).
pub fn switchable_kinds() -> impl Iterator<Item = EntityKind> {
    ENTITY_KINDS
        .into_iter()
        .filter(|kind| kind.descriptor().switchable)
}

/// The key of an entity's status list in the document: `lead` → `lead_statuses`.
pub fn statuses_key(status_entity: &str) -> String {
    format!("{status_entity}_statuses")
}

/// A tenant's whole configuration, as `GET /api/admin/backend-config` answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendConfig {
    pub backend_type: BackendType,
    /// Bumped by every save; a save must name the version it was read at.
    pub version: i64,
    /// Per status entity (`statuses.entity`), in [`STATUS_ENTITIES`] order: its statuses in display order.
    pub statuses: Vec<(&'static str, Vec<StatusDef>)>,
    /// Keyed by the entity's singular (`lead`); entities without rules are absent.
    pub validation_rules: BTreeMap<String, ValidationRules>,
    /// Keyed by the status entity (`lead`).
    pub workflow_rules: BTreeMap<String, WorkflowRules>,
    /// Every switchable module by plural, on or off.
    pub features: BTreeMap<String, bool>,
}

impl BackendConfig {
    /// A new tenant's configuration: the default statuses, no rules, every module on.
    pub fn defaults(version: i64) -> Self {
        BackendConfig {
            backend_type: BackendType::Default,
            version,
            statuses: default_statuses(),
            validation_rules: BTreeMap::new(),
            workflow_rules: BTreeMap::new(),
            features: switchable_kinds()
                .map(|kind| (kind.plural().to_owned(), true))
                .collect(),
        }
    }

    pub fn statuses_of(&self, status_entity: &str) -> &[StatusDef] {
        self.statuses
            .iter()
            .find(|(entity, _)| *entity == status_entity)
            .map_or(&[], |(_, list)| list.as_slice())
    }

    /// Whether the entity's module is on (entities that cannot be switched off always are).
    pub fn enabled(&self, kind: EntityKind) -> bool {
        !kind.descriptor().switchable || self.features.get(kind.plural()).copied().unwrap_or(true)
    }

    /// What validation of a record of `kind` needs: the entity's statuses and rules.
    pub fn rules_for(&self, kind: EntityKind) -> RulesContext {
        let descriptor = kind.descriptor();
        let status_entity = descriptor.status.map(|(_, entity)| entity);
        RulesContext {
            statuses: status_entity
                .map(|entity| {
                    self.statuses_of(entity)
                        .iter()
                        .map(StatusDef::option)
                        .collect()
                })
                .unwrap_or_default(),
            validation: self
                .validation_rules
                .get(descriptor.singular)
                .cloned()
                .unwrap_or_default(),
            workflow: status_entity
                .and_then(|entity| self.workflow_rules.get(entity))
                .cloned()
                .unwrap_or_default(),
        }
    }

    /// The JSON document (the plan's Step 4.6 names).
    pub fn to_document(&self) -> Value {
        let mut doc = Map::new();
        doc.insert("backend_type".into(), self.backend_type.key().into());
        doc.insert("version".into(), self.version.into());
        for (entity, list) in &self.statuses {
            let list: Vec<Value> = list
                .iter()
                .map(|s| json!({"key": s.key, "label": s.label, "category": s.category.key()}))
                .collect();
            doc.insert(statuses_key(entity), Value::Array(list));
        }
        let rules = |map: Map<String, Value>| Value::Object(map);
        doc.insert(
            "validation_rules".into(),
            rules(
                self.validation_rules
                    .iter()
                    .filter(|(_, r)| !r.is_empty())
                    .map(|(k, r)| (k.clone(), r.to_json()))
                    .collect(),
            ),
        );
        doc.insert(
            "workflow_rules".into(),
            rules(
                self.workflow_rules
                    .iter()
                    .filter(|(_, r)| !r.is_empty())
                    .map(|(k, r)| (k.clone(), r.to_json()))
                    .collect(),
            ),
        );
        doc.insert("features".into(), json!(self.features));
        Value::Object(doc)
    }

    /// Reads a document this server wrote (`GET` answers): the same checks as a save.
    pub fn from_document(doc: &Value) -> Result<Self, crate::ValidationErrors> {
        let update = parse_update(doc)?;
        Ok(update.into_config())
    }
}

impl serde::Serialize for BackendConfig {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_document().serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for BackendConfig {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let doc = Value::deserialize(deserializer)?;
        BackendConfig::from_document(&doc).map_err(|errors| {
            serde::de::Error::custom(
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })
    }
}

/// The plan's default lists, per status entity.
pub fn default_statuses() -> Vec<(&'static str, Vec<StatusDef>)> {
    STATUS_ENTITIES
        .iter()
        .map(|entity| {
            let list = crate::entities::status::DEFAULT_STATUSES
                .iter()
                .filter(|(e, ..)| e == entity)
                .map(|(_, key, label, category)| StatusDef {
                    key: (*key).to_owned(),
                    label: (*label).to_owned(),
                    category: *category,
                })
                .collect();
            (*entity, list)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_document_reads_back() {
        let config = BackendConfig::defaults(4);
        let doc = config.to_document();
        assert_eq!(doc["backend_type"], "default");
        assert_eq!(doc["version"], 4);
        assert_eq!(
            doc["lead_statuses"][0],
            json!({"key": "new", "label": "New", "category": "open"})
        );
        assert_eq!(doc["lead_statuses"][5]["category"], "won");
        assert_eq!(
            doc["features"],
            json!({"projects": true, "accounts": true, "tasks": true})
        );
        assert_eq!(BackendConfig::from_document(&doc).unwrap(), config);
    }

    #[test]
    fn labels_from_keys() {
        assert_eq!(label_from_key("under_review"), "Under review");
        assert_eq!(label_from_key("x"), "X");
    }

    #[test]
    fn transitions_absent_means_any_and_empty_means_final() {
        let mut rules = WorkflowRules::default();
        assert!(rules.allows("new", "won"));
        rules.transitions.insert("won".into(), vec![]);
        rules
            .transitions
            .insert("new".into(), vec!["contacted".into()]);
        assert!(!rules.allows("won", "new"));
        assert!(rules.allows("won", "won"));
        assert!(rules.allows("new", "contacted"));
        assert!(!rules.allows("new", "lost"));
        assert!(rules.allows("contacted", "lost"));
    }
}
