//! The CRM entities Keel tracks. Each kind knows its URL segment and the label people see.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Lead,
    Client,
    Project,
    Account,
    Task,
}

/// Every entity, in the order the navigation shows them.
pub const ENTITY_KINDS: [EntityKind; 5] = [
    EntityKind::Lead,
    EntityKind::Client,
    EntityKind::Project,
    EntityKind::Account,
    EntityKind::Task,
];

impl EntityKind {
    /// The plural name used in URLs and API paths (`/api/leads`, `/leads`).
    pub const fn plural(self) -> &'static str {
        match self {
            EntityKind::Lead => "leads",
            EntityKind::Client => "clients",
            EntityKind::Project => "projects",
            EntityKind::Account => "accounts",
            EntityKind::Task => "tasks",
        }
    }

    /// The label a person reads in navigation and headings.
    pub const fn label(self) -> &'static str {
        match self {
            EntityKind::Lead => "Leads",
            EntityKind::Client => "Clients",
            EntityKind::Project => "Projects",
            EntityKind::Account => "Accounts",
            EntityKind::Task => "Tasks",
        }
    }

    pub fn from_plural(segment: &str) -> Option<Self> {
        ENTITY_KINDS
            .into_iter()
            .find(|kind| kind.plural() == segment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plural_round_trips_for_every_kind() {
        for kind in ENTITY_KINDS {
            assert_eq!(EntityKind::from_plural(kind.plural()), Some(kind));
        }
        assert_eq!(EntityKind::from_plural("widgets"), None);
    }

    #[test]
    fn navigation_order_matches_the_plan() {
        let labels: Vec<_> = ENTITY_KINDS.iter().map(|k| k.label()).collect();
        assert_eq!(
            labels,
            ["Leads", "Clients", "Projects", "Accounts", "Tasks"]
        );
    }
}
