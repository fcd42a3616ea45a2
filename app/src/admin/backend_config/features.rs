//! The backend type (default or custom) and the module switches.

use leptos::prelude::*;
use serde_json::Value;
use shared::{
    backend_config::{statuses_key, switchable_kinds},
    entities::status::STATUS_ENTITIES,
    BackendConfig,
};

use super::{save::refresh_preview, set_at, status_keys, statuses::forget_in_workflow, Editor};

/// Default: the plan's status lists, fixed. Custom: the tenant's own. Switching to custom keeps the current
/// lists; switching to default puts the default lists back (records of removed statuses must move).
#[component]
pub(super) fn BackendTypeCard(editor: Editor) -> impl IntoView {
    let switch = move |_| {
        let to_custom = !editor.custom.get_untracked();
        editor.edit(|doc| {
            if to_custom {
                set_at(doc, &["backend_type"], Some(Value::from("custom")));
                return;
            }
            set_at(doc, &["backend_type"], Some(Value::from("default")));
            let defaults = BackendConfig::defaults(1).to_document();
            for entity in STATUS_ENTITIES {
                let default_keys: Vec<String> = status_keys(&defaults, entity)
                    .into_iter()
                    .map(|(k, _)| k)
                    .collect();
                for (key, _) in status_keys(doc, entity) {
                    if !default_keys.contains(&key) {
                        forget_in_workflow(doc, entity, &key);
                    }
                }
                let key = statuses_key(entity);
                set_at(doc, &[&key], defaults.get(&key).cloned());
            }
        });
        if !to_custom {
            refresh_preview(editor);
        }
    };
    view! {
        <section class="card stack backend-type">
            <h2>"Backend type"</h2>
            <p data-testid="backend-type">
                {move || if editor.custom.get() {
                    "Custom: your organisation's own statuses."
                } else {
                    "Default: Keel's standard statuses, which cannot be changed."
                }}
            </p>
            <div class="button-row">
                <button type="button" class="button" on:click=switch>
                    {move || if editor.custom.get() { "Switch to default" } else { "Switch to custom" }}
                </button>
            </div>
            <div class="field-error" role="alert">
                {move || editor.messages_at("backend_type").into_iter().map(|m| view! { <p>{m}</p> }).collect_view()}
            </div>
        </section>
    }
}

/// One switch per module that can be switched off; its data is kept while it is off.
#[component]
pub(super) fn FeatureToggles(editor: Editor) -> impl IntoView {
    let toggles = switchable_kinds()
        .map(|kind| {
            let name = kind.plural();
            let on = move || {
                editor.draft.with(|doc| {
                    doc.get("features")
                        .and_then(|f| f.get(name))
                        .and_then(Value::as_bool)
                        .unwrap_or(true)
                })
            };
            let id = format!("feature-{name}");
            view! {
                <div class="checkbox-field">
                    <input id=id.clone() type="checkbox" name=name prop:checked=on
                        on:change=move |ev| {
                            let checked = event_target_checked(&ev);
                            editor.edit(|doc| set_at(doc, &["features", name], Some(Value::Bool(checked))));
                        }/>
                    <label for=id>{kind.label()}</label>
                </div>
            }
        })
        .collect_view();
    view! {
        <section class="card stack features">
            <h2>"Modules"</h2>
            <p class="muted">"A module switched off disappears from navigation, reports, search and pickers; its records are kept and return when it is switched on."</p>
            {toggles}
            <div class="field-error" role="alert">
                {move || editor.messages_at("features").into_iter().map(|m| view! { <p>{m}</p> }).collect_view()}
            </div>
        </section>
    }
}
