//! What saving a configuration would do, compared with the current one: statuses added, relabelled,
//! recategorised, reordered and removed, and the records each removal moves. `preview` answers this; a save
//! refuses to remove a status that records use unless `status_moves` says where they go.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{BackendConfig, ConfigUpdate, StatusDef};
use crate::{
    entity::ENTITY_KINDS,
    error::FieldError,
    validation::{field_error, ValidationErrors},
};

/// How many records of one status entity use one status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusUsage {
    pub live: i64,
    pub trashed: i64,
}

impl StatusUsage {
    pub fn total(self) -> i64 {
        self.live + self.trashed
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusChange {
    pub key: String,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedStatus {
    pub key: String,
    pub label: String,
    pub live: i64,
    pub trashed: i64,
    /// Where its records go (`status_moves`), when they need to.
    pub move_to: Option<String>,
}

/// The status changes of one status entity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityChanges {
    pub added: Vec<String>,
    pub relabelled: Vec<StatusChange>,
    pub recategorised: Vec<StatusChange>,
    /// The kept statuses are in another order.
    pub reordered: bool,
    pub removed: Vec<RemovedStatus>,
}

impl EntityChanges {
    pub fn is_empty(&self) -> bool {
        *self == EntityChanges::default()
    }
}

/// What a save would do. `problems` (moves that name no removed status, statuses in use with nowhere to go)
/// must be empty for the save to go through.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigPlan {
    pub backend_type_changed: bool,
    /// Per status entity (`lead`), only those with changes.
    pub statuses: BTreeMap<String, EntityChanges>,
    pub validation_rules_changed: bool,
    pub workflow_rules_changed: bool,
    /// Modules switched on (`true`) or off (`false`).
    pub features: BTreeMap<String, bool>,
    /// "adds 1 status, moves 37 leads", or "no changes".
    pub summary: String,
    pub problems: ValidationErrors,
}

impl ConfigPlan {
    /// The records the save moves, per status entity.
    pub fn records_moved(&self, entity: &str) -> i64 {
        self.statuses.get(entity).map_or(0, |changes| {
            changes
                .removed
                .iter()
                .filter(|r| r.move_to.is_some())
                .map(|r| r.live + r.trashed)
                .sum()
        })
    }

    /// Statuses in use that the save removes without saying where their records go.
    pub fn in_use(&self) -> Vec<&FieldError> {
        self.problems
            .iter()
            .filter(|p| p.code == "status_in_use")
            .collect()
    }
}

/// `n` of an entity, by its labels: "1 lead", "37 leads".
fn count_of(status_entity: &str, n: i64) -> String {
    let (singular, plural) = ENTITY_KINDS
        .iter()
        .map(|kind| kind.descriptor())
        .find(|d| d.singular == status_entity)
        .map_or(
            (status_entity.to_owned(), format!("{status_entity}s")),
            |d| (d.singular.replace('_', " "), d.label.to_lowercase()),
        );
    format!("{n} {}", if n == 1 { singular } else { plural })
}

fn statuses_word(n: usize) -> String {
    format!("{n} status{}", if n == 1 { "" } else { "es" })
}

/// Compares `update` with `current`. `usage` counts the records per (status entity, status key).
pub fn plan(
    current: &BackendConfig,
    update: &ConfigUpdate,
    usage: &BTreeMap<(String, String), StatusUsage>,
) -> ConfigPlan {
    let mut plan = ConfigPlan {
        backend_type_changed: current.backend_type != update.backend_type,
        validation_rules_changed: current.validation_rules != update.validation_rules,
        workflow_rules_changed: current.workflow_rules != update.workflow_rules,
        features: update
            .features
            .iter()
            .filter(|(name, on)| current.features.get(*name) != Some(*on))
            .map(|(name, on)| (name.clone(), *on))
            .collect(),
        ..ConfigPlan::default()
    };
    let mut summary = Vec::new();
    let (mut added, mut relabelled, mut removed) = (0, 0, 0);
    let mut moved: Vec<String> = Vec::new();
    for (entity, new_list) in &update.statuses {
        let old_list = current.statuses_of(entity);
        let moves = update.status_moves.get(entity);
        let changes = entity_changes(entity, old_list, new_list, moves, usage, &mut plan.problems);
        added += changes.added.len();
        relabelled += changes.relabelled.len() + changes.recategorised.len();
        removed += changes.removed.len();
        if let Some(moves) = moves {
            for from in moves.keys() {
                if !changes.removed.iter().any(|r| &r.key == from) {
                    plan.problems.push(field_error(
                        &format!("status_moves.{entity}.{from}"),
                        "not_removed",
                        format!(
                            "{from} is not a {entity} status this save removes: nothing to move"
                        ),
                    ));
                }
            }
        }
        if !changes.is_empty() {
            plan.statuses.insert((*entity).to_owned(), changes);
        }
        let n = plan.records_moved(entity);
        if n > 0 {
            moved.push(count_of(entity, n));
        }
    }
    if plan.backend_type_changed {
        summary.push(format!(
            "switches to the {} backend",
            update.backend_type.key()
        ));
    }
    if added > 0 {
        summary.push(format!("adds {}", statuses_word(added)));
    }
    if relabelled > 0 {
        summary.push(format!(
            "renames or recategorises {}",
            statuses_word(relabelled)
        ));
    }
    if plan.statuses.values().any(|c| c.reordered) {
        summary.push("reorders statuses".into());
    }
    if removed > 0 {
        summary.push(format!("removes {}", statuses_word(removed)));
    }
    if !moved.is_empty() {
        summary.push(format!("moves {}", moved.join(", ")));
    }
    if plan.validation_rules_changed {
        summary.push("changes validation rules".into());
    }
    if plan.workflow_rules_changed {
        summary.push("changes workflow rules".into());
    }
    for (name, on) in &plan.features {
        summary.push(format!(
            "switches {name} {}",
            if *on { "on" } else { "off" }
        ));
    }
    plan.summary = if summary.is_empty() {
        "no changes".into()
    } else {
        summary.join(", ")
    };
    plan
}

fn entity_changes(
    entity: &str,
    old_list: &[StatusDef],
    new_list: &[StatusDef],
    moves: Option<&BTreeMap<String, String>>,
    usage: &BTreeMap<(String, String), StatusUsage>,
    problems: &mut ValidationErrors,
) -> EntityChanges {
    let mut changes = EntityChanges::default();
    for status in new_list {
        match old_list.iter().find(|old| old.key == status.key) {
            None => changes.added.push(status.key.clone()),
            Some(old) => {
                if old.label != status.label {
                    changes.relabelled.push(StatusChange {
                        key: status.key.clone(),
                        from: old.label.clone(),
                        to: status.label.clone(),
                    });
                }
                if old.category != status.category {
                    changes.recategorised.push(StatusChange {
                        key: status.key.clone(),
                        from: old.category.key().into(),
                        to: status.category.key().into(),
                    });
                }
            }
        }
    }
    let kept_old: Vec<&str> = old_list
        .iter()
        .filter(|old| new_list.iter().any(|s| s.key == old.key))
        .map(|s| s.key.as_str())
        .collect();
    let kept_new: Vec<&str> = new_list
        .iter()
        .filter(|s| old_list.iter().any(|old| old.key == s.key))
        .map(|s| s.key.as_str())
        .collect();
    changes.reordered = kept_old != kept_new;
    for old in old_list
        .iter()
        .filter(|old| !new_list.iter().any(|s| s.key == old.key))
    {
        let used = usage
            .get(&(entity.to_owned(), old.key.clone()))
            .copied()
            .unwrap_or_default();
        let move_to = moves.and_then(|m| m.get(&old.key)).cloned();
        if used.total() > 0 && move_to.is_none() {
            let trashed = if used.trashed > 0 {
                format!(" ({} in the trash)", used.trashed)
            } else {
                String::new()
            };
            problems.push(field_error(
                &format!("status_moves.{entity}.{}", old.key),
                "status_in_use",
                format!(
                    "{}{trashed} {} {}: choose a status to move them to",
                    count_of(entity, used.total()),
                    if used.total() == 1 { "uses" } else { "use" },
                    old.label
                ),
            ));
        }
        changes.removed.push(RemovedStatus {
            key: old.key.clone(),
            label: old.label.clone(),
            live: used.live,
            trashed: used.trashed,
            move_to: move_to.filter(|_| used.total() > 0),
        });
    }
    changes
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::backend_config::parse_update;

    #[test]
    fn a_removal_in_use_needs_a_move_and_the_summary_counts_it() {
        let mut current = BackendConfig::defaults(4);
        current.backend_type = super::super::BackendType::Custom;
        current.statuses[0].1.push(StatusDef {
            key: "under_review".into(),
            label: "Under review".into(),
            category: crate::descriptor::StatusCategory::Open,
        });
        let doc = BackendConfig {
            statuses: super::super::default_statuses(),
            ..current.clone()
        }
        .to_document();
        let usage = BTreeMap::from([(
            ("lead".to_owned(), "under_review".to_owned()),
            StatusUsage {
                live: 35,
                trashed: 2,
            },
        )]);
        let refused = plan(&current, &parse_update(&doc).unwrap(), &usage);
        assert_eq!(refused.in_use().len(), 1);
        assert_eq!(refused.problems[0].field, "status_moves.lead.under_review");
        assert_eq!(
            refused.problems[0].message,
            "37 leads (2 in the trash) use Under review: choose a status to move them to"
        );

        let mut doc = doc;
        doc["status_moves"] = json!({"lead": {"under_review": "qualified"}});
        let planned = plan(&current, &parse_update(&doc).unwrap(), &usage);
        assert!(planned.problems.is_empty());
        assert_eq!(planned.records_moved("lead"), 37);
        assert_eq!(planned.summary, "removes 1 status, moves 37 leads");
    }

    #[test]
    fn added_relabelled_and_reordered() {
        let current = BackendConfig::defaults(1);
        let mut doc = current.to_document();
        doc["backend_type"] = "custom".into();
        let list = doc["task_statuses"].as_array_mut().unwrap();
        list.swap(0, 1);
        list[0]["label"] = "Doing".into();
        list.push("blocked".into());
        let planned = plan(&current, &parse_update(&doc).unwrap(), &BTreeMap::new());
        let tasks = &planned.statuses["task"];
        assert_eq!(tasks.added, ["blocked"]);
        assert_eq!(tasks.relabelled[0].to, "Doing");
        assert!(tasks.reordered);
        assert_eq!(
            planned.summary,
            "switches to the custom backend, adds 1 status, renames or recategorises 1 status, reorders statuses"
        );
    }
}
