//! Reads a backend configuration as a client sends it (`PUT` and `preview` bodies). Every problem is reported
//! at once, each on the path of the value it concerns, with the same messages in the browser and the server.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{
    default_statuses, label_from_key, statuses_key, switchable_kinds, BackendConfig, BackendType,
    Bound, StatusDef, ValidationRules, WorkflowRules,
};
use crate::{
    descriptor::{EntityDescriptor, FieldDef, FieldKind, StatusCategory},
    entities::status::STATUS_ENTITIES,
    entity::ENTITY_KINDS,
    error::FieldError,
    rules::is_status_key,
    validation::{field_error, ValidationErrors},
    value::{Date, Money},
};

/// The most characters of a status label.
pub const STATUS_LABEL_MAX_CHARS: usize = 100;

/// A configuration as a save asks for it: the new document, the version it was read at, and where the
/// records of removed statuses go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigUpdate {
    pub version: i64,
    pub backend_type: BackendType,
    pub statuses: Vec<(&'static str, Vec<StatusDef>)>,
    pub validation_rules: BTreeMap<String, ValidationRules>,
    pub workflow_rules: BTreeMap<String, WorkflowRules>,
    pub features: BTreeMap<String, bool>,
    /// Per status entity: removed status key → the status its records move to.
    pub status_moves: BTreeMap<&'static str, BTreeMap<String, String>>,
}

impl ConfigUpdate {
    /// The configuration this update describes, at the version it was read at.
    pub fn into_config(self) -> BackendConfig {
        BackendConfig {
            backend_type: self.backend_type,
            version: self.version,
            statuses: self.statuses,
            validation_rules: self.validation_rules,
            workflow_rules: self.workflow_rules,
            features: self.features,
        }
    }

    pub fn statuses_of(&self, status_entity: &str) -> &[StatusDef] {
        self.statuses
            .iter()
            .find(|(entity, _)| *entity == status_entity)
            .map_or(&[], |(_, list)| list.as_slice())
    }
}

struct Problems(ValidationErrors);

impl Problems {
    fn add(&mut self, path: impl Into<String>, code: &str, message: impl Into<String>) {
        self.0.push(field_error(&path.into(), code, message));
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn object<'a>(
    value: &'a Value,
    path: &str,
    problems: &mut Problems,
) -> Option<&'a Map<String, Value>> {
    match value {
        Value::Object(map) => Some(map),
        other => {
            problems.add(
                path,
                "invalid_type",
                format!("{path} must be an object, not {}", kind_of(other)),
            );
            None
        }
    }
}

fn array<'a>(value: &'a Value, path: &str, problems: &mut Problems) -> Option<&'a Vec<Value>> {
    match value {
        Value::Array(list) => Some(list),
        other => {
            problems.add(
                path,
                "invalid_type",
                format!("{path} must be a list, not {}", kind_of(other)),
            );
            None
        }
    }
}

fn strings(value: &Value, path: &str, problems: &mut Problems) -> Vec<String> {
    let Some(list) = array(value, path, problems) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in list.iter().enumerate() {
        match item {
            Value::String(s) => out.push(s.clone()),
            other => problems.add(
                format!("{path}[{i}]"),
                "invalid_type",
                format!("{path}[{i}] must be a string, not {}", kind_of(other)),
            ),
        }
    }
    out
}

/// Reads a `PUT` / `preview` body: the whole document with the `version` it was read at, and optionally
/// `status_moves`.
pub fn parse_update(body: &Value) -> Result<ConfigUpdate, ValidationErrors> {
    let mut problems = Problems(Vec::new());
    let Some(doc) = object(body, "document", &mut problems) else {
        return Err(problems.0);
    };
    let known = |key: &str| {
        matches!(
            key,
            "backend_type"
                | "version"
                | "validation_rules"
                | "workflow_rules"
                | "features"
                | "status_moves"
        ) || STATUS_ENTITIES.iter().any(|e| statuses_key(e) == key)
    };
    for key in doc.keys().filter(|k| !known(k)) {
        problems.add(
            key.as_str(),
            "unknown_field",
            format!("{key} is not part of the configuration"),
        );
    }

    let version = match doc.get("version") {
        Some(Value::Number(n)) if n.as_i64().is_some_and(|v| v >= 1) => n.as_i64().unwrap_or(1),
        None => {
            problems.add(
                "version",
                "required",
                "version is required: send the version you read",
            );
            0
        }
        Some(_) => {
            problems.add(
                "version",
                "invalid",
                "version must be a whole number of at least 1",
            );
            0
        }
    };
    let backend_type = match doc.get("backend_type") {
        Some(Value::String(s)) => BackendType::parse(s).unwrap_or_else(|| {
            problems.add(
                "backend_type",
                "invalid_choice",
                "backend_type must be one of: default, custom",
            );
            BackendType::Custom
        }),
        None => {
            problems.add("backend_type", "required", "backend_type is required");
            BackendType::Custom
        }
        Some(other) => {
            problems.add(
                "backend_type",
                "invalid_type",
                format!("backend_type must be a string, not {}", kind_of(other)),
            );
            BackendType::Custom
        }
    };

    let statuses: Vec<(&'static str, Vec<StatusDef>)> = STATUS_ENTITIES
        .iter()
        .map(|entity| {
            let key = statuses_key(entity);
            let list = match doc.get(&key) {
                Some(value) => status_list(value, &key, &mut problems),
                None => {
                    problems.add(key.as_str(), "required", format!("{key} is required"));
                    Vec::new()
                }
            };
            (*entity, list)
        })
        .collect();
    if backend_type == BackendType::Default
        && statuses != default_statuses()
        && problems.0.is_empty()
    {
        problems.add(
            "backend_type",
            "default_not_editable",
            "The default backend's statuses cannot be changed: switch to custom first",
        );
    }

    let validation_rules = match doc.get("validation_rules") {
        Some(value) => validation_rules(value, &mut problems),
        None => BTreeMap::new(),
    };
    let workflow_rules = match doc.get("workflow_rules") {
        Some(value) => workflow_rules(value, &statuses, &mut problems),
        None => BTreeMap::new(),
    };
    let features = features(doc.get("features"), &mut problems);
    let status_moves = match doc.get("status_moves") {
        Some(value) => status_moves(value, &statuses, &mut problems),
        None => BTreeMap::new(),
    };

    if problems.0.is_empty() {
        Ok(ConfigUpdate {
            version,
            backend_type,
            statuses,
            validation_rules,
            workflow_rules,
            features,
            status_moves,
        })
    } else {
        Err(problems.0)
    }
}

fn status_list(value: &Value, path: &str, problems: &mut Problems) -> Vec<StatusDef> {
    let Some(items) = array(value, path, problems) else {
        return Vec::new();
    };
    if items.is_empty() {
        problems.add(path, "empty", format!("{path} needs at least one status"));
    }
    let mut list: Vec<StatusDef> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let (key, label, category) = match item {
            Value::String(key) => (key.clone(), None, StatusCategory::Open),
            Value::Object(map) => {
                for unknown in map
                    .keys()
                    .filter(|k| !matches!(k.as_str(), "key" | "label" | "category"))
                {
                    problems.add(
                        format!("{at}.{unknown}"),
                        "unknown_field",
                        format!("{unknown} is not part of a status"),
                    );
                }
                let key = match map.get("key") {
                    Some(Value::String(key)) => key.clone(),
                    _ => {
                        problems.add(format!("{at}.key"), "required", "Key is required");
                        continue;
                    }
                };
                let label = match map.get("label") {
                    None => None,
                    Some(Value::String(label)) => Some(label.clone()),
                    Some(other) => {
                        problems.add(
                            format!("{at}.label"),
                            "invalid_type",
                            format!("Label must be a string, not {}", kind_of(other)),
                        );
                        None
                    }
                };
                let category = match map.get("category") {
                    None => StatusCategory::Open,
                    Some(Value::String(c)) => StatusCategory::parse(c).unwrap_or_else(|| {
                        problems.add(
                            format!("{at}.category"),
                            "invalid_choice",
                            "Category must be one of: open, won, lost, closed",
                        );
                        StatusCategory::Open
                    }),
                    Some(other) => {
                        problems.add(
                            format!("{at}.category"),
                            "invalid_type",
                            format!("Category must be a string, not {}", kind_of(other)),
                        );
                        StatusCategory::Open
                    }
                };
                (key, label, category)
            }
            other => {
                problems.add(
                    at,
                    "invalid_type",
                    format!("A status is a key or an object, not {}", kind_of(other)),
                );
                continue;
            }
        };
        for error in check_status(&key, label.as_deref()) {
            problems.add(format!("{at}.{}", error.field), &error.code, error.message);
        }
        if list.iter().any(|s| s.key == key) {
            problems.add(
                format!("{at}.key"),
                "duplicate",
                format!("The key {key} is listed twice"),
            );
        }
        let label = label.unwrap_or_else(|| label_from_key(&key));
        list.push(StatusDef {
            key,
            label,
            category,
        });
    }
    list
}

/// One status's key and label (`None`: made from the key), as the admin page checks them while people type.
pub fn check_status(key: &str, label: Option<&str>) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if key.is_empty() {
        errors.push(field_error("key", "required", "Key is required"));
    } else if !is_status_key(key) {
        errors.push(field_error(
            "key",
            "key_format",
            "Key must be 1–50 characters of lowercase letters, digits and underscores",
        ));
    }
    if let Some(label) = label {
        if label.trim().is_empty() {
            errors.push(field_error("label", "required", "Label is required"));
        } else if label.chars().count() > STATUS_LABEL_MAX_CHARS {
            errors.push(field_error(
                "label",
                "max_length",
                format!("Label must be at most {STATUS_LABEL_MAX_CHARS} characters"),
            ));
        } else if label.chars().any(char::is_control) {
            errors.push(field_error(
                "label",
                "invalid_characters",
                "Label cannot contain control characters",
            ));
        }
    }
    errors
}

/// The descriptor of the entity whose singular is `name`.
fn entity_named(name: &str) -> Option<&'static EntityDescriptor> {
    ENTITY_KINDS
        .iter()
        .map(|kind| kind.descriptor())
        .find(|d| d.singular == name)
}

/// A writable field of `descriptor` named at `path`, or the problem with it.
fn writable_field(
    descriptor: &'static EntityDescriptor,
    name: &str,
    path: &str,
    problems: &mut Problems,
) -> Option<&'static FieldDef> {
    match descriptor.field(name) {
        Some(def) if def.writable => Some(def),
        Some(_) => {
            problems.add(
                path,
                "read_only",
                format!("{name} is set by the server: no rule can apply to it"),
            );
            None
        }
        None => {
            problems.add(
                path,
                "unknown_field",
                format!("A {} has no field {name}", descriptor.singular),
            );
            None
        }
    }
}

fn bound(def: &FieldDef, value: &Value, path: &str, problems: &mut Problems) -> Option<Bound> {
    let parsed = match (def.kind, value) {
        (FieldKind::Money, Value::String(s)) => Money::parse(s).map(Bound::Money),
        (FieldKind::Money, Value::Number(n)) => Money::parse(&n.to_string()).map(Bound::Money),
        (FieldKind::Integer, Value::Number(n)) => n.as_i64().map(Bound::Integer),
        (FieldKind::Date, Value::String(s)) => Date::parse(s).map(Bound::Date),
        (FieldKind::Money | FieldKind::Integer | FieldKind::Date, _) => None,
        _ => {
            problems.add(
                path,
                "not_a_range",
                format!("{} is not a number, an amount or a date", def.label),
            );
            return None;
        }
    };
    if parsed.is_none() {
        let expected = match def.kind {
            FieldKind::Money => "an amount such as 1250.00",
            FieldKind::Date => "a date (YYYY-MM-DD)",
            _ => "a whole number",
        };
        problems.add(path, "invalid", format!("{path} must be {expected}"));
    }
    if let Some(Bound::Money(m)) = parsed {
        if m.cents() < 0 {
            problems.add(path, "negative", format!("{path} cannot be negative"));
        }
    }
    parsed
}

/// An email domain: dot-separated labels of letters, digits and hyphens, not starting or ending with one.
pub fn is_email_domain(domain: &str) -> bool {
    domain.len() <= 253
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

fn validation_rules(value: &Value, problems: &mut Problems) -> BTreeMap<String, ValidationRules> {
    let mut out = BTreeMap::new();
    let Some(map) = object(value, "validation_rules", problems) else {
        return out;
    };
    for (entity, rules) in map {
        let path = format!("validation_rules.{entity}");
        let Some(descriptor) = entity_named(entity) else {
            problems.add(path, "unknown_entity", format!("{entity} is not an entity"));
            continue;
        };
        let Some(rules) = object(rules, &path, problems) else {
            continue;
        };
        let mut parsed = ValidationRules::default();
        for (rule, value) in rules {
            let at = format!("{path}.{rule}");
            match rule.as_str() {
                "required" => {
                    for (i, name) in strings(value, &at, problems).into_iter().enumerate() {
                        if writable_field(descriptor, &name, &format!("{at}[{i}]"), problems).is_some()
                            && !parsed.required.contains(&name)
                        {
                            parsed.required.push(name);
                        }
                    }
                }
                "max_chars" => {
                    let Some(limits) = object(value, &at, problems) else { continue };
                    for (name, limit) in limits {
                        let at = format!("{at}.{name}");
                        let Some(def) = writable_field(descriptor, name, &at, problems) else { continue };
                        let Some(builtin) = def.max_chars.filter(|_| is_free_text(def.kind)) else {
                            problems.add(at, "not_text", format!("{} is not a text field", def.label));
                            continue;
                        };
                        match limit.as_u64() {
                            Some(n) if (1..=builtin as u64).contains(&n) => {
                                parsed.max_chars.insert(name.clone(), n as usize);
                            }
                            _ => problems.add(
                                at,
                                "out_of_range",
                                format!("The limit for {} must be a whole number from 1 to {builtin}", def.label),
                            ),
                        }
                    }
                }
                "min" | "max" => {
                    let Some(bounds) = object(value, &at, problems) else { continue };
                    for (name, value) in bounds {
                        let at = format!("{at}.{name}");
                        let Some(def) = writable_field(descriptor, name, &at, problems) else { continue };
                        if let Some(b) = bound(def, value, &at, problems) {
                            if rule == "min" {
                                parsed.min.insert(name.clone(), b);
                            } else {
                                parsed.max.insert(name.clone(), b);
                            }
                        }
                    }
                }
                "email_domains" => {
                    if !descriptor.writable_fields().any(|d| d.kind == FieldKind::Email) {
                        problems.add(at, "no_email_field", format!("A {} has no email field", descriptor.singular));
                        continue;
                    }
                    for (i, domain) in strings(value, &at, problems).into_iter().enumerate() {
                        let domain = domain.trim().trim_start_matches('@').to_lowercase();
                        if !is_email_domain(&domain) {
                            problems.add(format!("{at}[{i}]"), "invalid_domain", "A domain looks like example.com");
                        } else if !parsed.email_domains.contains(&domain) {
                            parsed.email_domains.push(domain);
                        }
                    }
                }
                _ => problems.add(
                    at,
                    "unknown_rule",
                    format!("{rule} is not a validation rule (required, max_chars, min, max, email_domains)"),
                ),
            }
        }
        for (name, min) in &parsed.min {
            if parsed.max.get(name).is_some_and(|max| min > max) {
                problems.add(
                    format!("{path}.min.{name}"),
                    "min_above_max",
                    format!("The minimum of {name} is above its maximum"),
                );
            }
        }
        if !parsed.is_empty() {
            out.insert(entity.clone(), parsed);
        }
    }
    out
}

/// Kinds whose `max_chars` a tenant may tighten: free text (a status or a choice is a key, not text).
fn is_free_text(kind: FieldKind) -> bool {
    matches!(
        kind,
        FieldKind::Text
            | FieldKind::LongText
            | FieldKind::Email
            | FieldKind::Phone
            | FieldKind::Url
    )
}

fn workflow_rules(
    value: &Value,
    statuses: &[(&'static str, Vec<StatusDef>)],
    problems: &mut Problems,
) -> BTreeMap<String, WorkflowRules> {
    let mut out = BTreeMap::new();
    let Some(map) = object(value, "workflow_rules", problems) else {
        return out;
    };
    for (entity, rules) in map {
        let path = format!("workflow_rules.{entity}");
        let Some((_, list)) = statuses.iter().find(|(e, _)| e == entity) else {
            problems.add(
                path,
                "unknown_entity",
                format!("{entity} is not an entity with statuses"),
            );
            continue;
        };
        let descriptor = entity_named(entity);
        let Some(rules) = object(rules, &path, problems) else {
            continue;
        };
        let known = |key: &str, at: &str, problems: &mut Problems| {
            let found = list.iter().any(|s| s.key == key);
            if !found {
                problems.add(
                    at,
                    "unknown_status",
                    format!("{key} is not one of the {entity} statuses"),
                );
            }
            found
        };
        let mut parsed = WorkflowRules::default();
        for (rule, value) in rules {
            let at = format!("{path}.{rule}");
            match rule.as_str() {
                "transitions" => {
                    let Some(from_map) = object(value, &at, problems) else {
                        continue;
                    };
                    for (from, targets) in from_map {
                        let at = format!("{at}.{from}");
                        let from_ok = known(from, &at, problems);
                        let mut list = Vec::new();
                        for (i, to) in strings(targets, &at, problems).into_iter().enumerate() {
                            if known(&to, &format!("{at}[{i}]"), problems) && !list.contains(&to) {
                                list.push(to);
                            }
                        }
                        if from_ok {
                            parsed.transitions.insert(from.clone(), list);
                        }
                    }
                }
                "initial" => {
                    let mut initial = Vec::new();
                    for (i, key) in strings(value, &at, problems).into_iter().enumerate() {
                        if known(&key, &format!("{at}[{i}]"), problems) && !initial.contains(&key) {
                            initial.push(key);
                        }
                    }
                    if value.as_array().is_some_and(Vec::is_empty) {
                        problems.add(
                            at,
                            "empty",
                            "initial needs at least one status (leave it out to allow any)",
                        );
                    }
                    parsed.initial = Some(initial);
                }
                "require_on_enter" => {
                    let Some(by_status) = object(value, &at, problems) else {
                        continue;
                    };
                    for (status, fields) in by_status {
                        let at = format!("{at}.{status}");
                        let status_ok = known(status, &at, problems);
                        let mut names = Vec::new();
                        for (i, name) in strings(fields, &at, problems).into_iter().enumerate() {
                            let ok = descriptor.is_some_and(|d| {
                                writable_field(d, &name, &format!("{at}[{i}]"), problems).is_some()
                            });
                            if ok && !names.contains(&name) {
                                names.push(name);
                            }
                        }
                        if status_ok && !names.is_empty() {
                            parsed.require_on_enter.insert(status.clone(), names);
                        }
                    }
                }
                _ => problems.add(
                    at,
                    "unknown_rule",
                    format!(
                        "{rule} is not a workflow rule (transitions, initial, require_on_enter)"
                    ),
                ),
            }
        }
        if !parsed.is_empty() {
            out.insert(entity.clone(), parsed);
        }
    }
    out
}

fn features(value: Option<&Value>, problems: &mut Problems) -> BTreeMap<String, bool> {
    let mut out: BTreeMap<String, bool> = switchable_kinds()
        .map(|kind| (kind.plural().to_owned(), true))
        .collect();
    let Some(value) = value else {
        return out;
    };
    let Some(map) = object(value, "features", problems) else {
        return out;
    };
    for (name, on) in map {
        let at = format!("features.{name}");
        match (out.get_mut(name), on) {
            (Some(slot), Value::Bool(on)) => *slot = *on,
            (Some(_), other) => problems.add(
                &at,
                "invalid_type",
                format!("{at} must be true or false, not {}", kind_of(other)),
            ),
            (None, _) => problems.add(
                at,
                "unknown_feature",
                format!(
                    "{name} cannot be switched off (modules: {})",
                    switchable_kinds()
                        .map(|k| k.plural())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        }
    }
    out
}

fn status_moves(
    value: &Value,
    statuses: &[(&'static str, Vec<StatusDef>)],
    problems: &mut Problems,
) -> BTreeMap<&'static str, BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let Some(map) = object(value, "status_moves", problems) else {
        return out;
    };
    for (entity, moves) in map {
        let path = format!("status_moves.{entity}");
        let Some((entity, list)) = statuses.iter().find(|(e, _)| e == entity) else {
            problems.add(
                path,
                "unknown_entity",
                format!("{entity} is not an entity with statuses"),
            );
            continue;
        };
        let Some(moves) = object(moves, &path, problems) else {
            continue;
        };
        let mut parsed = BTreeMap::new();
        for (from, to) in moves {
            let at = format!("{path}.{from}");
            match to {
                Value::String(to) if list.iter().any(|s| &s.key == to) => {
                    parsed.insert(from.clone(), to.clone());
                }
                Value::String(to) => problems.add(
                    at,
                    "unknown_status",
                    format!("{to} is not one of the {entity} statuses this configuration keeps"),
                ),
                other => problems.add(
                    at,
                    "invalid_type",
                    format!("A move target is a status key, not {}", kind_of(other)),
                ),
            }
        }
        out.insert(*entity, parsed);
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn document() -> Value {
        let mut doc = BackendConfig::defaults(4).to_document();
        doc["backend_type"] = "custom".into();
        doc
    }

    fn paths(body: &Value) -> Vec<String> {
        parse_update(body)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn bare_status_strings_become_open_statuses_labelled_from_their_key() {
        let mut doc = document();
        doc["lead_statuses"]
            .as_array_mut()
            .unwrap()
            .push("under_review".into());
        let update = parse_update(&doc).unwrap();
        let added = update.statuses_of("lead").last().unwrap();
        assert_eq!(added.label, "Under review");
        assert_eq!(added.category, StatusCategory::Open);
    }

    #[test]
    fn every_problem_is_reported_on_its_path() {
        let mut doc = document();
        doc["surprise"] = 1.into();
        doc["lead_statuses"][3]["key"] = "Bad Key".into();
        doc["lead_statuses"][4]["key"] = "new".into();
        doc["client_statuses"] = json!([]);
        doc["validation_rules"] = json!({"lead": {
            "max_chars": {"notes": 20000, "company_name": 0, "lead_status": 5},
            "required": ["id", "nope"],
            "email_domains": ["not a domain"],
        }, "project": {"min": {"budget": "100"}, "max": {"budget": "10"}}});
        doc["workflow_rules"] =
            json!({"lead": {"transitions": {"new": ["gone"]}, "initial": ["nowhere"]}});
        assert_eq!(
            paths(&doc),
            [
                "surprise",
                "lead_statuses[3].key",
                "lead_statuses[4].key",
                "client_statuses",
                "validation_rules.lead.email_domains[0]",
                "validation_rules.lead.max_chars.company_name",
                "validation_rules.lead.max_chars.lead_status",
                "validation_rules.lead.max_chars.notes",
                "validation_rules.lead.required[0]",
                "validation_rules.lead.required[1]",
                "validation_rules.project.min.budget",
                "workflow_rules.lead.initial[0]",
                "workflow_rules.lead.transitions.new[0]",
            ]
        );
    }

    #[test]
    fn the_default_backend_keeps_the_default_lists() {
        let mut doc = document();
        doc["backend_type"] = "default".into();
        assert!(parse_update(&doc).is_ok());
        doc["lead_statuses"][0]["label"] = "Fresh".into();
        assert_eq!(paths(&doc), ["backend_type"]);
    }

    #[test]
    fn moves_must_target_a_kept_status() {
        let mut doc = document();
        doc["status_moves"] =
            json!({"lead": {"under_review": "qualified", "x": "gone"}, "nope": {}});
        assert_eq!(paths(&doc), ["status_moves.lead.x", "status_moves.nope"]);
        doc["status_moves"] = json!({"lead": {"under_review": "qualified"}});
        let update = parse_update(&doc).unwrap();
        assert_eq!(update.status_moves["lead"]["under_review"], "qualified");
    }

    #[test]
    fn limits_at_the_edge() {
        let mut doc = document();
        doc["validation_rules"] =
            json!({"lead": {"max_chars": {"notes": 10000, "company_name": 1}}});
        assert!(parse_update(&doc).is_ok());
        doc["validation_rules"] = json!({"lead": {"max_chars": {"notes": 10001}}});
        assert_eq!(paths(&doc), ["validation_rules.lead.max_chars.notes"]);
        doc["validation_rules"] = json!({"lead": {"email_domains": ["@Example.COM"]}});
        let update = parse_update(&doc).unwrap();
        assert_eq!(
            update.validation_rules["lead"].email_domains,
            ["example.com"]
        );
    }
}
