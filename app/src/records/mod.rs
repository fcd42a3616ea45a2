//! The record screens of every entity — report tables, detail pages, create/edit forms — built once and
//! driven by the entity descriptors in `shared`, like the API they call.

pub mod format;
pub mod query;
pub mod record_form;
mod record_page;
mod report_table;

pub use record_form::RecordFormPage;
pub use record_page::RecordPage;
pub use report_table::ReportTable;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use shared::{
    auth::Me, descriptor::FieldKind, entities::user::UserOption, permissions, EntityDescriptor,
    EntityKind, StatusOption,
};

use crate::{api, session::use_current_user};

/// A record as the API returns it: stored fields plus joined display values.
pub type Record = Map<String, Value>;

/// One page of a list: `{"data", "total", "page", "page_size"}` (and, where the server has them, whether the
/// total is exact and the keyset cursor of the next page).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListPage {
    pub data: Vec<Record>,
    pub total: u64,
    pub page: u64,
    pub page_size: u64,
    #[serde(default = "exact")]
    pub total_exact: bool,
}

fn exact() -> bool {
    true
}

pub fn record_id(record: &Record) -> i64 {
    record.get("id").and_then(Value::as_i64).unwrap_or_default()
}

pub fn record_version(record: &Record) -> i64 {
    record
        .get("version")
        .and_then(Value::as_i64)
        .unwrap_or_default()
}

/// The field that names a record (company, project or account name, task title): the first required text.
pub fn title_field(descriptor: &EntityDescriptor) -> &'static str {
    descriptor
        .fields
        .iter()
        .find(|f| f.required && f.kind == FieldKind::Text)
        .map(|f| f.name)
        .unwrap_or("id")
}

pub fn record_title(kind: EntityKind, record: &Record) -> String {
    record
        .get(title_field(kind.descriptor()))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("#{}", record_id(record)))
}

/// "lead" → "Lead": the singular as a heading word.
pub fn singular_label(kind: EntityKind) -> String {
    format::humanize(kind.descriptor().singular)
}

/// The tenant's statuses for `kind` (empty for entities without a status).
pub fn statuses_resource(kind: EntityKind) -> Resource<Vec<StatusOption>> {
    Resource::new(
        move || kind,
        |kind| async move {
            match kind.descriptor().status {
                Some((_, entity)) => {
                    api::get::<Vec<StatusOption>>(&format!("/api/statuses?entity={entity}"))
                        .await
                        .unwrap_or_default()
                }
                None => Vec::new(),
            }
        },
    )
}

/// The tenant's active users, for assignee dropdowns and filters.
pub fn user_options_resource() -> Resource<Vec<UserOption>> {
    Resource::new(
        || (),
        |_| async move {
            api::get::<Vec<UserOption>>("/api/users/options")
                .await
                .unwrap_or_default()
        },
    )
}

/// Whether the signed-in user's role may do `action` to at least some records; used only to hide controls
/// the server would refuse anyway.
pub fn can(me: &Option<Me>, action: permissions::Action) -> bool {
    me.as_ref()
        .is_some_and(|me| permissions::allows(me.role, action))
}

/// Shows its children only to users whose role may do `action`. The user is awaited inside a `Suspense`, so
/// the server's HTML and the hydrated page agree.
#[component]
pub fn Allowed(action: permissions::Action, children: ChildrenFn) -> impl IntoView {
    let me = use_current_user();
    view! {
        <Suspense fallback=|| ()>
            {
                let children = children.clone();
                move || {
                    let children = children.clone();
                    Suspend::new(async move { can(&me.0.await, action).then(|| children()) })
                }
            }
        </Suspense>
    }
}

/// Lists that point at a record of `kind`: every entity with a filterable reference to it (a client's
/// projects, accounts and tasks; a project's tasks; a lead's tasks), as (entity, filter parameter).
pub fn related_lists(kind: EntityKind) -> Vec<(EntityKind, &'static str)> {
    let table = kind.descriptor().table;
    shared::ENTITY_KINDS
        .into_iter()
        .flat_map(|other| {
            other
                .descriptor()
                .fields
                .iter()
                .filter(move |f| {
                    f.kind == FieldKind::Reference(table)
                        && f.filter == Some(shared::Filter::Equals)
                })
                .map(move |f| (other, f.name))
        })
        .collect()
}

/// The entity a reference field points at.
pub fn referenced_kind(kind: FieldKind) -> Option<EntityKind> {
    match kind {
        FieldKind::Reference(table) => EntityKind::from_plural(table),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn related_lists_follow_the_references() {
        assert_eq!(
            related_lists(EntityKind::Client),
            [
                (EntityKind::Project, "client_id"),
                (EntityKind::Account, "client_id"),
                (EntityKind::Task, "client_id")
            ]
        );
        assert_eq!(
            related_lists(EntityKind::Project),
            [(EntityKind::Task, "project_id")]
        );
        assert_eq!(related_lists(EntityKind::Task), []);
    }

    #[test]
    fn every_entity_has_a_heading_word() {
        let words: Vec<String> = shared::ENTITY_KINDS
            .into_iter()
            .map(singular_label)
            .collect();
        assert_eq!(words, ["Lead", "Client", "Project", "Account", "Task"]);
    }

    #[test]
    fn records_are_named_by_their_title_field() {
        let record: Record =
            serde_json::from_str(r#"{"id": 7, "title": "Call back", "version": 3}"#).unwrap();
        assert_eq!(record_title(EntityKind::Task, &record), "Call back");
        assert_eq!(record_title(EntityKind::Lead, &record), "#7");
        assert_eq!(record_version(&record), 3);
    }
}
