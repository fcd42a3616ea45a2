//! The CRM entities Keel tracks. Each kind knows its URL segment and the label people see.

pub use crate::entities::{EntityKind, ENTITY_KINDS, REPORT_KINDS};

use crate::descriptor::Cascade;

impl EntityKind {
    /// The plural name used in URLs and API paths (`/api/leads`, `/leads`).
    pub const fn plural(self) -> &'static str {
        self.descriptor().table
    }

    /// The label a person reads in navigation and headings.
    pub const fn label(self) -> &'static str {
        self.descriptor().label
    }

    pub fn from_plural(segment: &str) -> Option<Self> {
        ENTITY_KINDS
            .into_iter()
            .find(|kind| kind.plural() == segment)
    }

    /// The cascades that take this kind's rows to the trash with a parent record: (parent, cascade). Such a
    /// row cannot be restored while its parent is in the trash.
    pub fn cascade_parents(self) -> impl Iterator<Item = (EntityKind, &'static Cascade)> {
        ENTITY_KINDS.into_iter().flat_map(move |parent| {
            parent
                .descriptor()
                .cascades
                .iter()
                .filter(move |cascade| cascade.child == self.plural())
                .map(move |cascade| (parent, cascade))
        })
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
    fn projects_follow_their_client_to_the_trash() {
        let parents: Vec<_> = EntityKind::Project
            .cascade_parents()
            .map(|(parent, cascade)| (parent, cascade.via))
            .collect();
        assert_eq!(parents, [(EntityKind::Client, "client_id")]);
        assert_eq!(EntityKind::Client.cascade_parents().count(), 0);
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
