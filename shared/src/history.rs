//! Record history and the audit log: what one entry says, and how two versions of a record differ. The
//! server writes entries from [`diff`]; the browser reads them back as [`HistoryEntry`] to show who changed
//! what.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::EntityDescriptor;

/// What happened in one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryAction {
    Create,
    Update,
    Delete,
    Restore,
    /// Trashed together with its parent.
    CascadeDelete,
    /// Restored together with its parent.
    CascadeRestore,
    /// Moved to another status by a configuration that removed its status.
    StatusMove,
    /// Created by an import.
    Import,
    /// A revert of an earlier entry.
    Revert,
    /// The tenant's backend configuration was saved.
    Configure,
    UserCreate,
    UserUpdate,
    UserDeactivate,
}

pub const HISTORY_ACTIONS: [HistoryAction; 13] = [
    HistoryAction::Create,
    HistoryAction::Update,
    HistoryAction::Delete,
    HistoryAction::Restore,
    HistoryAction::CascadeDelete,
    HistoryAction::CascadeRestore,
    HistoryAction::StatusMove,
    HistoryAction::Import,
    HistoryAction::Revert,
    HistoryAction::Configure,
    HistoryAction::UserCreate,
    HistoryAction::UserUpdate,
    HistoryAction::UserDeactivate,
];

impl HistoryAction {
    pub fn key(self) -> &'static str {
        match self {
            HistoryAction::Create => "create",
            HistoryAction::Update => "update",
            HistoryAction::Delete => "delete",
            HistoryAction::Restore => "restore",
            HistoryAction::CascadeDelete => "cascade_delete",
            HistoryAction::CascadeRestore => "cascade_restore",
            HistoryAction::StatusMove => "status_move",
            HistoryAction::Import => "import",
            HistoryAction::Revert => "revert",
            HistoryAction::Configure => "configure",
            HistoryAction::UserCreate => "user_create",
            HistoryAction::UserUpdate => "user_update",
            HistoryAction::UserDeactivate => "user_deactivate",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        HISTORY_ACTIONS.into_iter().find(|a| a.key() == key)
    }

    /// How the history tab says it.
    pub fn label(self) -> &'static str {
        match self {
            HistoryAction::Create => "Created",
            HistoryAction::Update => "Changed",
            HistoryAction::Delete => "Moved to the trash",
            HistoryAction::Restore => "Restored",
            HistoryAction::CascadeDelete => "Moved to the trash with its parent",
            HistoryAction::CascadeRestore => "Restored with its parent",
            HistoryAction::StatusMove => "Status moved by a configuration change",
            HistoryAction::Import => "Imported",
            HistoryAction::Revert => "Reverted",
            HistoryAction::Configure => "Configuration saved",
            HistoryAction::UserCreate => "User added",
            HistoryAction::UserUpdate => "User changed",
            HistoryAction::UserDeactivate => "User deactivated",
        }
    }
}

/// Where a write came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The app, signed in with the session cookie.
    Ui,
    /// The API, with a bearer token.
    Api,
    Import,
    /// A configuration change (records moved off a removed status).
    Config,
    /// A scheduled job or a command-line task.
    Job,
}

pub const SOURCES: [Source; 5] = [
    Source::Ui,
    Source::Api,
    Source::Import,
    Source::Config,
    Source::Job,
];

impl Source {
    pub fn key(self) -> &'static str {
        match self {
            Source::Ui => "ui",
            Source::Api => "api",
            Source::Import => "import",
            Source::Config => "config",
            Source::Job => "job",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        SOURCES.into_iter().find(|s| s.key() == key)
    }
}

/// One field's change. `old_label`/`new_label` carry the names a reference or user pointed at when the
/// entry was written (the record's `display_as` values), so that a diff stays readable after a rename.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub old: Value,
    pub new: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub old_label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_label: Option<String>,
}

/// One entry as the API answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub entity: String,
    pub record_id: i64,
    pub action: HistoryAction,
    pub user_id: Option<i64>,
    /// The user's name now; `None` for a write without a user.
    pub user_name: Option<String>,
    /// RFC 3339 with microseconds.
    pub at: String,
    pub request_id: Option<String>,
    pub source: Source,
    pub import_id: Option<i64>,
    /// The entry this one reverted.
    pub reverts: Option<i64>,
    pub changes: Vec<FieldChange>,
}

/// A page of entries, newest first. `next_before` is the id to ask for the next (older) page with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryPage {
    pub data: Vec<HistoryEntry>,
    pub next_before: Option<i64>,
}

/// The changed fields of a record between two of its versions (the API's JSON), in the descriptor's order:
/// every writable field whose value differs. `None` on one side means the record did not exist (a create)
/// — then every field with a value is listed.
pub fn diff(
    descriptor: &EntityDescriptor,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Vec<FieldChange> {
    let empty = Value::Object(Map::new());
    let (before, after) = (before.unwrap_or(&empty), after.unwrap_or(&empty));
    descriptor
        .writable_fields()
        .filter_map(|def| {
            let old = normalized(before.get(def.name));
            let new = normalized(after.get(def.name));
            if old == new {
                return None;
            }
            let label = |record: &Value| {
                def.display_as
                    .and_then(|display| record.get(display))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            Some(FieldChange {
                field: def.name.to_owned(),
                old_label: label(before).filter(|_| !old.is_null()),
                new_label: label(after).filter(|_| !new.is_null()),
                old,
                new,
            })
        })
        .collect()
}

/// Absent, null and blank text all mean "no value".
fn normalized(value: Option<&Value>) -> Value {
    match value {
        None | Some(Value::Null) => Value::Null,
        Some(Value::String(s)) if s.is_empty() => Value::Null,
        Some(other) => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::EntityKind;

    #[test]
    fn keys_read_back() {
        for action in HISTORY_ACTIONS {
            assert_eq!(HistoryAction::parse(action.key()), Some(action));
            assert_eq!(
                serde_json::to_value(action).unwrap(),
                json!(action.key()),
                "serde and key agree"
            );
        }
        for source in SOURCES {
            assert_eq!(Source::parse(source.key()), Some(source));
            assert_eq!(serde_json::to_value(source).unwrap(), json!(source.key()));
        }
        assert_eq!(HistoryAction::parse("drop"), None);
    }

    #[test]
    fn a_diff_lists_changed_writable_fields_with_their_names() {
        let leads = EntityKind::Lead.descriptor();
        let before = json!({"id": 1, "version": 1, "company_name": "Ann", "email": "",
            "lead_status": "new", "assigned_to": 3, "assigned_to_name": "Bob", "notes": null});
        let after = json!({"id": 1, "version": 2, "company_name": "Ann", "email": "ann@x.io",
            "lead_status": "contacted", "assigned_to": 4, "assigned_to_name": "Cy", "notes": ""});
        let changes = diff(leads, Some(&before), Some(&after));
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert!(fields == ["email", "lead_status", "assigned_to"]);
        let assignee = changes.iter().find(|c| c.field == "assigned_to").unwrap();
        assert_eq!(
            (assignee.old_label.as_deref(), assignee.new_label.as_deref()),
            (Some("Bob"), Some("Cy"))
        );
        let email = changes.iter().find(|c| c.field == "email").unwrap();
        assert_eq!(
            (email.old.clone(), email.new.clone()),
            (Value::Null, json!("ann@x.io"))
        );
    }

    #[test]
    fn a_create_lists_every_field_it_set() {
        let leads = EntityKind::Lead.descriptor();
        let after = json!({"company_name": "Ann", "lead_status": "new", "email": ""});
        let changes = diff(leads, None, Some(&after));
        let fields: Vec<&str> = changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["company_name", "lead_status"]);
        assert!(changes.iter().all(|c| c.old.is_null()));
    }
}
