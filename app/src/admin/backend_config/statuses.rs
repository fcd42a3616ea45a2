//! One status entity's list: labels, categories and order are edited in place; new statuses are checked as
//! their key is typed; a removed status that records use asks where they move.

use leptos::prelude::*;
use serde_json::{json, Value};
use shared::{
    backend_config::{label_from_key, parse::check_status, statuses_key},
    StatusCategory, ENTITY_KINDS,
};

use super::{save::refresh_preview, set_at, status_keys, Editor};
use crate::records::format::humanize;

/// "1 lead", "37 leads" (the entity's singular and plural).
pub(super) fn count_of(entity: &str, n: i64) -> String {
    let descriptor = ENTITY_KINDS
        .iter()
        .map(|kind| kind.descriptor())
        .find(|d| d.singular == entity);
    let word = match descriptor {
        Some(d) if n == 1 => d.singular.replace('_', " "),
        Some(d) => d.label.to_lowercase(),
        None => entity.to_owned(),
    };
    format!("{n} {word}")
}

fn list_mut<'a>(doc: &'a mut Value, entity: &str) -> Option<&'a mut Vec<Value>> {
    doc.get_mut(statuses_key(entity))
        .and_then(Value::as_array_mut)
}

fn index_of(doc: &Value, entity: &str, key: &str) -> Option<usize> {
    status_keys(doc, entity).iter().position(|(k, _)| k == key)
}

/// Takes a removed status out of the entity's workflow rules, so they name only statuses that exist.
pub(super) fn forget_in_workflow(doc: &mut Value, entity: &str, key: &str) {
    let Some(rules) = doc
        .get_mut("workflow_rules")
        .and_then(|w| w.get_mut(entity))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for section in ["transitions", "require_on_enter"] {
        if let Some(map) = rules.get_mut(section).and_then(Value::as_object_mut) {
            map.remove(key);
            for targets in map.values_mut() {
                if let Some(list) = targets.as_array_mut() {
                    list.retain(|t| t.as_str() != Some(key));
                }
            }
        }
    }
    if let Some(initial) = rules.get_mut("initial").and_then(Value::as_array_mut) {
        initial.retain(|t| t.as_str() != Some(key));
        if initial.is_empty() {
            rules.remove("initial");
        }
    }
    let empty: Vec<String> = rules
        .iter()
        .filter(|(_, v)| v.as_object().is_some_and(|m| m.is_empty()))
        .map(|(k, _)| k.clone())
        .collect();
    for section in empty {
        rules.remove(&section);
    }
    if rules.is_empty() {
        set_at(doc, &["workflow_rules", entity], None);
    }
}

#[component]
pub(super) fn StatusListCard(editor: Editor, entity: &'static str) -> impl IntoView {
    let list_path = statuses_key(entity);
    let keys = Memo::new(move |_| {
        editor.draft.with(|doc| {
            status_keys(doc, entity)
                .into_iter()
                .map(|(k, _)| k)
                .collect::<Vec<_>>()
        })
    });
    let list_errors = {
        let list_path = list_path.clone();
        move || {
            editor.errors.with(|errors| {
                errors
                    .iter()
                    .filter(|e| e.field == list_path)
                    .map(|e| view! { <p class="field-error">{e.message.clone()}</p> })
                    .collect_view()
            })
        }
    };
    // The key being dragged, when a row is moved by drag and drop.
    let dragging = RwSignal::new(None::<String>);
    view! {
        <section class="card stack status-card" data-statuses=entity>
            <h2>{format!("{} statuses", humanize(entity))}</h2>
            <div role="alert">{list_errors}</div>
            <ol class="status-list">
                <For each=move || keys.get() key=|key| key.clone() let:key>
                    <StatusRow editor entity key dragging/>
                </For>
            </ol>
            <Show when=move || editor.custom.get()>
                <AddStatus editor entity/>
            </Show>
            <RemovedStatuses editor entity/>
        </section>
    }
}

#[component]
fn StatusRow(
    editor: Editor,
    entity: &'static str,
    key: String,
    dragging: RwSignal<Option<String>>,
) -> impl IntoView {
    let index = {
        let key = key.clone();
        Memo::new(move |_| editor.draft.with(|doc| index_of(doc, entity, &key)))
    };
    let count = Memo::new(move |_| editor.draft.with(|doc| status_keys(doc, entity).len()));
    let field = move |name: &'static str| {
        move || {
            editor.draft.with(|doc| {
                index.get().and_then(|i| {
                    doc.get(statuses_key(entity))?
                        .get(i)?
                        .get(name)?
                        .as_str()
                        .map(str::to_owned)
                })
            })
        }
    };
    let label = field("label");
    let category = field("category");
    let set = move |name: &'static str, value: String| {
        if let Some(i) = index.get_untracked() {
            editor.edit(|doc| {
                if let Some(status) = list_mut(doc, entity).and_then(|l| l.get_mut(i)) {
                    status[name] = Value::String(value);
                }
            });
        }
    };
    let shift = move |up: bool| {
        if let Some(i) = index.get_untracked() {
            editor.edit(|doc| {
                if let Some(list) = list_mut(doc, entity) {
                    let j = if up { i.checked_sub(1) } else { Some(i + 1) };
                    if let Some(j) = j.filter(|j| *j < list.len()) {
                        list.swap(i, j);
                    }
                }
            });
        }
    };
    let remove = {
        let key = key.clone();
        move |_| {
            let Some(i) = index.get_untracked() else {
                return;
            };
            editor.edit(|doc| {
                if let Some(list) = list_mut(doc, entity) {
                    list.remove(i);
                }
                forget_in_workflow(doc, entity, &key);
            });
            refresh_preview(editor);
        }
    };
    let errors = move || {
        index
            .get()
            .map(|i| editor.messages_at(&format!("{}[{i}]", statuses_key(entity))))
            .unwrap_or_default()
            .into_iter()
            .map(|m| view! { <p class="field-error">{m}</p> })
            .collect_view()
    };
    // Drag and drop: a row dropped on this one takes its place.
    let drag_start = {
        let key = key.clone();
        move |_| dragging.set(Some(key.clone()))
    };
    let drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        let (Some(from_key), Some(to)) = (dragging.get_untracked(), index.get_untracked()) else {
            return;
        };
        dragging.set(None);
        editor.edit(|doc| {
            let from = index_of(doc, entity, &from_key);
            if let (Some(from), Some(list)) = (from, list_mut(doc, entity)) {
                if from != to && to < list.len() {
                    let status = list.remove(from);
                    list.insert(to, status);
                }
            }
        });
    };
    let label_id = format!("status-{entity}-{key}-label");
    let row_label = move || label().unwrap_or_default();
    let names = StoredValue::new([
        format!("Label of {key}"),
        format!("Category of {key}"),
        format!("Move {key} up"),
        format!("Move {key} down"),
        format!("Remove {key}"),
    ]);
    let name = move |i: usize| names.with_value(|n| n[i].clone());
    view! {
        <li class="status-row" data-key=key.clone()
            draggable=move || if editor.custom.get() { "true" } else { "false" }
            on:dragstart=drag_start
            on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
            on:drop=drop
            on:dragend=move |_| dragging.set(None)>
            <code class="status-key">{key.clone()}</code>
            <Show
                when=move || editor.custom.get()
                fallback=move || view! {
                    <span class="status-label">{row_label}</span>
                    <span class="muted">{move || category().and_then(|c| StatusCategory::parse(&c)).map(|c| c.label())}</span>
                }
            >
                <label class="visually-hidden" for=label_id.clone()>{name(0)}</label>
                <input id=label_id.clone() class="status-label-input" type="text" name="label"
                    prop:value=move || label().unwrap_or_default()
                    on:input=move |ev| set("label", event_target_value(&ev))/>
                <select class="status-category" name="category" aria-label=name(1)
                    prop:value=move || category().unwrap_or_default()
                    on:change=move |ev| set("category", event_target_value(&ev))>
                    {StatusCategory::ALL.map(|c| view! {
                        <option value=c.key() selected=move || category().as_deref() == Some(c.key())>{c.label()}</option>
                    }).collect_view()}
                </select>
                <button type="button" class="button small subtle" aria-label=name(2)
                    disabled=move || index.get() == Some(0) on:click=move |_| shift(true)>"Move up"</button>
                <button type="button" class="button small subtle" aria-label=name(3)
                    disabled=move || index.get().is_none_or(|i| i + 1 >= count.get()) on:click=move |_| shift(false)>"Move down"</button>
                <button type="button" class="button small danger" aria-label=name(4)
                    on:click=remove.clone()>"Remove"</button>
            </Show>
            <div class="status-errors" role="alert">{errors}</div>
        </li>
    }
}

/// A new status: its key checked as it is typed (the server's check), an optional label (made from the key
/// otherwise) and a category.
#[component]
fn AddStatus(editor: Editor, entity: &'static str) -> impl IntoView {
    let key = RwSignal::new(String::new());
    let label = RwSignal::new(String::new());
    let category = RwSignal::new(StatusCategory::Open.key().to_owned());
    let typed = RwSignal::new(false);
    let problems = move || {
        let key = key.get();
        let label = label.get();
        let label = (!label.trim().is_empty()).then_some(label);
        let mut messages: Vec<String> = check_status(&key, label.as_deref())
            .into_iter()
            .map(|e| e.message)
            .collect();
        if editor
            .draft
            .with(|doc| index_of(doc, entity, &key).is_some())
        {
            messages.push(format!("The key {key} is already listed"));
        }
        messages
    };
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        typed.set(true);
        if !problems().is_empty() {
            return;
        }
        let key_text = key.get_untracked();
        let label_text = label.get_untracked();
        let label_text = if label_text.trim().is_empty() {
            label_from_key(&key_text)
        } else {
            label_text
        };
        let status =
            json!({"key": key_text, "label": label_text, "category": category.get_untracked()});
        editor.edit(|doc| {
            let path = statuses_key(entity);
            match list_mut(doc, entity) {
                Some(list) => list.push(status),
                None => set_at(doc, &[&path], Some(json!([status]))),
            }
        });
        key.set(String::new());
        label.set(String::new());
        typed.set(false);
    };
    let id = |part: &str| format!("add-{entity}-{part}");
    view! {
        <form class="add-status" data-add-status=entity on:submit=add novalidate>
            <div class="field">
                <label for=id("key")>"Key"</label>
                <input id=id("key") name="key" type="text" autocomplete="off" placeholder="under_review"
                    prop:value=move || key.get()
                    on:input=move |ev| { key.set(event_target_value(&ev)); typed.set(true); }/>
            </div>
            <div class="field">
                <label for=id("label")>"Label"</label>
                <input id=id("label") name="label" type="text" autocomplete="off"
                    placeholder=move || { let k = key.get(); if k.is_empty() { "Under review".to_owned() } else { label_from_key(&k) } }
                    prop:value=move || label.get() on:input=move |ev| label.set(event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for=id("category")>"Category"</label>
                <select id=id("category") name="category" prop:value=move || category.get()
                    on:change=move |ev| category.set(event_target_value(&ev))>
                    {StatusCategory::ALL.map(|c| view! { <option value=c.key()>{c.label()}</option> }).collect_view()}
                </select>
            </div>
            <button type="submit" class="button">{format!("Add {} status", entity.replace('_', " "))}</button>
            <div class="field-error add-status-errors" role="alert">
                {move || typed.get().then(|| problems().into_iter().map(|m| view! { <p>{m}</p> }).collect_view())}
            </div>
        </form>
    }
}

/// The statuses this save removes: the records that use each (from the preview) and where they move.
#[component]
fn RemovedStatuses(editor: Editor, entity: &'static str) -> impl IntoView {
    let removed = Memo::new(move |_| {
        let kept = editor.draft.with(|doc| status_keys(doc, entity));
        editor.loaded.with(|doc| {
            status_keys(doc, entity)
                .into_iter()
                .filter(|(k, _)| !kept.iter().any(|(kept, _)| kept == k))
                .collect::<Vec<_>>()
        })
    });
    let targets = Memo::new(move |_| editor.draft.with(|doc| status_keys(doc, entity)));
    move || {
        removed
            .get()
            .into_iter()
            .map(|(key, label)| view! { <RemovedRow editor entity key label targets/> })
            .collect_view()
    }
}

#[component]
fn RemovedRow(
    editor: Editor,
    entity: &'static str,
    key: String,
    label: String,
    targets: Memo<Vec<(String, String)>>,
) -> impl IntoView {
    // Records using the status, live and trashed, once the preview has counted them.
    let usage = {
        let key = key.clone();
        Memo::new(move |_| {
            editor.preview.with(|preview| {
                let changes = preview.as_ref()?.plan.statuses.get(entity)?;
                let removed = changes.removed.iter().find(|r| r.key == key)?;
                Some((removed.live, removed.trashed))
            })
        })
    };
    let chosen = {
        let key = key.clone();
        move || {
            editor.moves.with(|moves| {
                moves
                    .get(entity)
                    .and_then(|m| m.get(&key))
                    .cloned()
                    .unwrap_or_default()
            })
        }
    };
    let choose = {
        let key = key.clone();
        move |ev: leptos::ev::Event| {
            let to = event_target_value(&ev);
            editor.moves.update(|moves| {
                moves
                    .entry(entity.to_owned())
                    .or_default()
                    .insert(key.clone(), to);
            });
            editor.server_errors.set(Vec::new());
        }
    };
    let path = format!("status_moves.{entity}.{key}");
    let select_id = format!("move-{entity}-{key}");
    let label_text = label.clone();
    let key_attr = key.clone();
    view! {
        <div class="removed-status" data-removed=key_attr>
            {move || match usage.get() {
                None => view! { <p class="muted">{format!("Removing {label_text}: checking whether records use it…")}</p> }.into_any(),
                Some((0, 0)) => view! { <p class="muted">{format!("Removing {label_text}: no records use it.")}</p> }.into_any(),
                Some((live, trashed)) => {
                    let trash = if trashed > 0 { format!(" ({trashed} in the trash)") } else { String::new() };
                    let chosen = chosen.clone();
                    view! {
                        <label for=select_id.clone()>
                            {format!(
                                "{}{trash} {} {label_text} — move them to:",
                                count_of(entity, live + trashed),
                                if live + trashed == 1 { "uses" } else { "use" },
                            )}
                        </label>
                        <select id=select_id.clone() class="move-target" prop:value=chosen.clone() on:change=choose.clone()>
                            <option value="">"Choose a status"</option>
                            {targets.get().into_iter().map(|(k, l)| {
                                let chosen = chosen.clone();
                                let value = k.clone();
                                let selected = move || chosen() == k;
                                view! { <option value=value selected=selected>{l}</option> }
                            }).collect_view()}
                        </select>
                    }.into_any()
                }
            }}
            <div class="field-error" role="alert">
                {move || editor.messages_at(&path).into_iter().map(|m| view! { <p>{m}</p> }).collect_view()}
            </div>
        </div>
    }
}
