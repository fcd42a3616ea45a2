//! The user's saved views (issue 16) — their own and the tenant's shared ones — loaded once per page by the
//! shell with one call of `api::views::list` (during server rendering, then carried to the browser with the
//! HTML) and shared through context: the navigation lists the pinned ones under their entity, each report its
//! own in its views menu. Saving, updating, deleting a view or changing a default calls [`SavedViews::refresh`],
//! which loads them again for both.

use leptos::prelude::*;
use shared::{views::SavedView, EntityKind};

use crate::api;

#[derive(Clone, Copy)]
pub struct SavedViews {
    pub list: Resource<Vec<SavedView>>,
    version: RwSignal<u64>,
}

impl SavedViews {
    /// Loads the views again (after a change), for the navigation and the report alike.
    pub fn refresh(self) {
        self.version.update(|version| *version += 1);
    }
}

pub fn provide_saved_views() -> SavedViews {
    let version = RwSignal::new(0_u64);
    // Views are a convenience: when they cannot be read the reports and the navigation work without them.
    let list = Resource::new(
        move || version.get(),
        |_| async move {
            api::views::list(None)
                .await
                .map(|list| list.data)
                .unwrap_or_default()
        },
    );
    let views = SavedViews { list, version };
    provide_context(views);
    views
}

pub fn use_saved_views() -> SavedViews {
    use_context::<SavedViews>().unwrap_or_else(provide_saved_views)
}

/// The views of `kind`'s report, in the API's order (pinned first, then by name).
pub fn views_of(views: &[SavedView], kind: EntityKind) -> Vec<SavedView> {
    views
        .iter()
        .filter(|view| view.entity == kind.plural())
        .cloned()
        .collect()
}

/// The user's default view of `kind`'s report, if they chose one.
pub fn default_of(views: &[SavedView], kind: EntityKind) -> Option<&SavedView> {
    views
        .iter()
        .find(|view| view.is_default && view.entity == kind.plural())
}
