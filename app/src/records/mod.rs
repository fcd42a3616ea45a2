//! The record screens of every entity — report tables, detail pages, create/edit forms — built once and
//! driven by the entity descriptors in `shared`, like the API they call.

pub mod board;
pub mod format;
pub mod history_panel;
pub mod import_page;
pub mod query;
pub mod record_form;
mod record_page;
mod report_table;

pub use record_form::RecordFormPage;
pub use record_page::RecordPage;
pub use report_table::ReportTable;

use leptos::prelude::*;
use serde_json::{Map, Value};
use shared::{
    auth::Me, descriptor::FieldKind, entities::user::UserOption, permissions, BackendConfig,
    EntityKind, Page, StatusOption,
};

use crate::{api, session::use_current_user};

/// A record as the API returns it: stored fields plus joined display values.
pub type Record = Map<String, Value>;

/// One page of records, as the list, search and trash endpoints send it.
pub type ListPage = Page<Record>;

pub fn record_id(record: &Record) -> i64 {
    record.get("id").and_then(Value::as_i64).unwrap_or_default()
}

pub fn record_version(record: &Record) -> i64 {
    record
        .get("version")
        .and_then(Value::as_i64)
        .unwrap_or_default()
}

/// The record's name for people: [`shared::record_title`], the rule the server's joined names follow too.
pub fn record_title(kind: EntityKind, record: &Record) -> String {
    shared::record_title(kind.descriptor(), record)
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
                Some((_, entity)) => api::statuses::list(entity).await.unwrap_or_default(),
                None => Vec::new(),
            }
        },
    )
}

/// The tenant's configuration as forms need it (`api::backend_config::for_forms`): statuses in order, validation and
/// workflow rules, features. Read afresh by each form, so an administrator's save applies to the next form.
/// When it cannot be read, the default configuration (the server still decides).
pub fn tenant_config_resource() -> Resource<BackendConfig> {
    Resource::new(
        || (),
        |_| async move {
            api::backend_config::for_forms()
                .await
                .unwrap_or_else(|_| BackendConfig::defaults(1))
        },
    )
}

/// The tenant's active users, for assignee dropdowns and filters.
pub fn user_options_resource() -> Resource<Vec<UserOption>> {
    Resource::new(
        || (),
        |_| async move { api::users::options().await.unwrap_or_default() },
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
