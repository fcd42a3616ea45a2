//! `/admin/backend-config` (plan Step 4.5): an administrator edits the tenant's custom backend — its backend
//! type, statuses, validation and workflow rules, and features — and saves it after seeing what the save
//! would do.
//!
//! The page edits the JSON document itself (what `api::backend_config::get` answered, as a `Value`), so
//! every control writes the value the server will read and `shared::backend_config::parse_update` — the
//! server's own check — reports each problem on the path of the control that caused it. `features` holds the
//! backend type and module switches, `statuses` one status list, `rules` the validation and workflow rules,
//! `save` the preview, the confirmation and the save.

mod features;
mod rules;
mod save;
mod statuses;

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_meta::Title;
use serde_json::{Map, Value};
use shared::{
    backend_config::{parse_update, statuses_key},
    entities::status::STATUS_ENTITIES,
    FieldError,
};

use self::{
    features::{BackendTypeCard, FeatureToggles},
    rules::{ValidationRulesCard, WorkflowRulesCard},
    save::SaveBar,
    statuses::StatusListCard,
};
use crate::{
    api::{self, backend_config::Preview},
    session::{is_admin, use_current_user},
};

/// Per status entity: removed status key → the status its records move to.
pub(super) type Moves = BTreeMap<String, BTreeMap<String, String>>;

/// Everything the page's parts share.
#[derive(Clone, Copy)]
pub(super) struct Editor {
    /// The document being edited, with the `version` it was read at.
    pub draft: RwSignal<Value>,
    /// The document as last read or saved.
    pub loaded: RwSignal<Value>,
    /// Where the records of removed statuses go.
    pub moves: RwSignal<Moves>,
    /// The last preview: records per removed status, the summary.
    pub preview: RwSignal<Option<Preview>>,
    /// Problems the server reported on the last save, until the next edit.
    pub server_errors: RwSignal<Vec<FieldError>>,
    /// Every problem of the document being edited, as the server would report it.
    pub errors: Memo<Vec<FieldError>>,
    /// The backend type is `custom`: the statuses are editable.
    pub custom: Memo<bool>,
}

impl Editor {
    fn new(document: Value) -> Self {
        let draft = RwSignal::new(document.clone());
        let loaded = RwSignal::new(document);
        let moves = RwSignal::new(Moves::new());
        let server_errors = RwSignal::new(Vec::<FieldError>::new());
        let errors = Memo::new(move |_| {
            let body = request_body(&draft.get(), &loaded.get(), &moves.get());
            let mut errors = parse_update(&body).err().unwrap_or_default();
            for error in server_errors.get() {
                if !errors.iter().any(|e| e.field == error.field) {
                    errors.push(error);
                }
            }
            errors
        });
        let custom = Memo::new(move |_| {
            draft.with(|doc| doc.get("backend_type").and_then(Value::as_str) == Some("custom"))
        });
        Editor {
            custom,
            draft,
            loaded,
            moves,
            preview: RwSignal::new(None),
            server_errors,
            errors,
        }
    }

    /// Changes the document; the server's last answer no longer applies.
    pub fn edit(&self, change: impl FnOnce(&mut Value)) {
        self.draft.update(change);
        self.server_errors.set(Vec::new());
    }

    /// The messages of the problems at `path` or below it (`lead_statuses[2]` covers `lead_statuses[2].key`).
    pub fn messages_at(&self, path: &str) -> Vec<String> {
        self.errors.with(|errors| messages_at(errors, path))
    }

    /// What a save or a preview sends: the draft plus the moves of statuses it removes.
    pub fn body(&self) -> Value {
        request_body(
            &self.draft.get_untracked(),
            &self.loaded.get_untracked(),
            &self.moves.get_untracked(),
        )
    }

    /// Starts again from `document` (after a save, or a reload).
    pub fn reset(&self, document: Value) {
        self.draft.set(document.clone());
        self.loaded.set(document);
        self.moves.set(Moves::new());
        self.preview.set(None);
        self.server_errors.set(Vec::new());
    }
}

pub(super) fn messages_at(errors: &[FieldError], path: &str) -> Vec<String> {
    errors
        .iter()
        .filter(|e| {
            e.field == path
                || e.field
                    .strip_prefix(path)
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        })
        .map(|e| e.message.clone())
        .collect()
}

/// The statuses of `entity` in a document, as (key, label).
pub(super) fn status_keys(doc: &Value, entity: &str) -> Vec<(String, String)> {
    doc.get(statuses_key(entity))
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|s| {
                    let key = s.get("key")?.as_str()?.to_owned();
                    let label = s
                        .get("label")
                        .and_then(Value::as_str)
                        .unwrap_or(&key)
                        .to_owned();
                    Some((key, label))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The draft with `status_moves` for the statuses it removes from the loaded document (moves of statuses put
/// back, or not chosen, are left out).
fn request_body(draft: &Value, loaded: &Value, moves: &Moves) -> Value {
    let mut body = draft.clone();
    let mut status_moves = Map::new();
    for entity in STATUS_ENTITIES {
        let kept: Vec<String> = status_keys(draft, entity)
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        let removed: Vec<String> = status_keys(loaded, entity)
            .into_iter()
            .map(|(k, _)| k)
            .filter(|k| !kept.contains(k))
            .collect();
        let chosen: Map<String, Value> = moves
            .get(*entity)
            .into_iter()
            .flatten()
            .filter(|(from, to)| removed.contains(from) && !to.is_empty())
            .map(|(from, to)| (from.clone(), Value::String(to.clone())))
            .collect();
        if !chosen.is_empty() {
            status_moves.insert((*entity).to_owned(), Value::Object(chosen));
        }
    }
    if !status_moves.is_empty() {
        if let Value::Object(map) = &mut body {
            map.insert("status_moves".into(), Value::Object(status_moves));
        }
    }
    body
}

/// The value at `path` (object keys) in `doc`.
pub(super) fn value_at<'a>(doc: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(doc, |value, key| value.get(*key))
}

/// Sets (or with `None` removes) the value at `path`, making the objects on the way and dropping those left
/// empty, so the document holds only the rules that are set.
pub(super) fn set_at(doc: &mut Value, path: &[&str], value: Option<Value>) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let Value::Object(map) = doc else {
        return;
    };
    if parents.is_empty() {
        match value {
            Some(value) => {
                map.insert((*last).to_owned(), value);
            }
            None => {
                map.remove(*last);
            }
        }
        return;
    }
    let (first, rest) = (parents[0], &path[1..]);
    let child = map
        .entry(first.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if !child.is_object() {
        *child = Value::Object(Map::new());
    }
    set_at(child, rest, value);
    // Top-level sections stay; empty rule objects below them go.
    let top_level = matches!(first, "validation_rules" | "workflow_rules" | "features");
    if !top_level && child.as_object().is_some_and(Map::is_empty) {
        map.remove(first);
    }
}

#[component]
pub fn BackendConfigPage() -> impl IntoView {
    let me = use_current_user();
    view! {
        <Title text="Backend configuration"/>
        <section class="page-header">
            <h1>"Backend configuration"</h1>
            <p class="muted">"Your organisation's statuses, rules and modules. Records never lose their status: removing one in use moves its records to the status you choose."</p>
        </section>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                if is_admin(&me.0.await) {
                    view! { <ConfigLoader/> }.into_any()
                } else {
                    view! { <p class="muted" data-testid="admins-only">"Only administrators can change the backend configuration."</p> }.into_any()
                }
            })}
        </Suspense>
    }
}

#[component]
fn ConfigLoader() -> impl IntoView {
    let config = Resource::new(|| (), |_| api::backend_config::get());
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match config.await {
                    Ok(config) => view! { <ConfigEditor document=config.to_document()/> }.into_any(),
                    Err(failure) => view! { <p class="form-error" role="alert">{failure.message().to_owned()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ConfigEditor(document: Value) -> impl IntoView {
    let editor = Editor::new(document);
    // Text inputs start from the document; after a save or a reload they start again from the new one.
    let parts = move || {
        editor.loaded.track();
        view! {
            <BackendTypeCard editor/>
            {STATUS_ENTITIES.iter().map(|entity| view! { <StatusListCard editor entity/> }).collect_view()}
            <ValidationRulesCard editor/>
            <WorkflowRulesCard editor/>
            <FeatureToggles editor/>
        }
    };
    view! {
        <div class="stack backend-config" data-testid="backend-config">
            {parts}
            <SaveBar editor/>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rules_are_set_and_removed_by_path() {
        let mut doc = json!({"validation_rules": {}});
        set_at(
            &mut doc,
            &["validation_rules", "lead", "max_chars", "notes"],
            Some(json!(20)),
        );
        assert_eq!(
            doc,
            json!({"validation_rules": {"lead": {"max_chars": {"notes": 20}}}})
        );
        set_at(
            &mut doc,
            &["validation_rules", "lead", "max_chars", "notes"],
            None,
        );
        assert_eq!(doc, json!({"validation_rules": {}}));
    }

    #[test]
    fn moves_are_sent_only_for_removed_statuses() {
        let loaded = json!({"lead_statuses": [{"key": "new"}, {"key": "old"}]});
        let draft = json!({"lead_statuses": [{"key": "new"}]});
        let mut moves = Moves::new();
        moves.insert(
            "lead".into(),
            BTreeMap::from([("old".into(), "new".into()), ("new".into(), "x".into())]),
        );
        let body = request_body(&draft, &loaded, &moves);
        assert_eq!(body["status_moves"], json!({"lead": {"old": "new"}}));
    }

    #[test]
    fn messages_are_found_below_their_path() {
        let errors = vec![
            FieldError {
                field: "lead_statuses[2].key".into(),
                code: "x".into(),
                message: "bad key".into(),
            },
            FieldError {
                field: "lead_statuses[20]".into(),
                code: "x".into(),
                message: "other".into(),
            },
        ];
        assert_eq!(messages_at(&errors, "lead_statuses[2]"), ["bad key"]);
    }
}
