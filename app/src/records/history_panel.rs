//! A record's History tab: who changed what and when, newest first, each change readable (field labels,
//! status labels, names instead of ids, amounts and dates as the report shows them), with Revert.

use leptos::prelude::*;
use shared::{
    history::{FieldChange, HistoryAction, HistoryEntry, Source},
    permissions::Action,
    EntityKind, StatusOption,
};

use super::{
    format::{cell_text, EMPTY},
    Allowed,
};
use crate::api;

/// Bumped after a revert, so the record page reads the record (and its history) again.
#[derive(Clone, Copy)]
pub struct RecordRefresh(pub RwSignal<u32>);

/// When an entry was written, as `3 Dec 2026, 19:55 UTC`.
pub fn entry_time(at: &str) -> String {
    let day = cell_text(
        shared::FieldKind::Date,
        Some(&serde_json::Value::String(
            at.get(..10).unwrap_or(at).to_owned(),
        )),
        &[],
    );
    format!("{day}, {} UTC", at.get(11..16).unwrap_or(""))
}

/// One side of a change as a reader sees it.
fn value_text(
    kind: EntityKind,
    change: &FieldChange,
    new: bool,
    statuses: &[StatusOption],
) -> String {
    let (value, label) = if new {
        (&change.new, &change.new_label)
    } else {
        (&change.old, &change.old_label)
    };
    if let Some(label) = label {
        return label.clone();
    }
    match kind.descriptor().field(&change.field) {
        Some(def) => cell_text(def.kind, Some(value), statuses),
        None if value.is_null() => EMPTY.to_owned(),
        None => value.to_string(),
    }
}

fn field_label(kind: EntityKind, field: &str) -> String {
    kind.descriptor()
        .field(field)
        .map_or_else(|| field.replace('_', " "), |def| def.label.to_owned())
}

/// Where an entry came from, when it was not someone using the app.
fn source_note(source: Source) -> Option<&'static str> {
    match source {
        Source::Ui => None,
        Source::Api => Some("through the API"),
        Source::Import => Some("by an import"),
        Source::Config => Some("by a configuration change"),
        Source::Job => Some("by a scheduled job"),
    }
}

/// Whether an entry can be undone from the record's page.
fn revertible(action: HistoryAction) -> bool {
    matches!(
        action,
        HistoryAction::Update
            | HistoryAction::StatusMove
            | HistoryAction::Revert
            | HistoryAction::Create
            | HistoryAction::Import
            | HistoryAction::Restore
    )
}

#[component]
pub fn HistoryPanel(kind: EntityKind, id: i64, statuses: Vec<StatusOption>) -> impl IntoView {
    let before = RwSignal::new(None::<i64>);
    let entries = RwSignal::new(Vec::<HistoryEntry>::new());
    let next = RwSignal::new(None::<i64>);
    let error = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    Effect::new(move |_| {
        let older = before.get();
        loading.set(true);
        leptos::task::spawn_local(async move {
            match api::history::of_record(kind, id, older).await {
                Ok(page) => {
                    entries.update(|list| list.extend(page.data));
                    next.set(page.next_before);
                }
                Err(failure) => error.set(Some(failure.message().to_owned())),
            }
            loading.set(false);
        });
    });
    let statuses = StoredValue::new(statuses);
    view! {
        <section class="card history" aria-label="History">
            <p class="form-error" role="alert">{move || error.get()}</p>
            <Show when=move || !loading.get() && entries.with(Vec::is_empty) && error.get().is_none()>
                <p class="muted">"No changes recorded yet."</p>
            </Show>
            <ol class="history-list">
                <For
                    each=move || entries.get()
                    key=|entry| entry.id
                    children=move |entry| view! { <EntryView kind id entry statuses=statuses.get_value()/> }
                />
            </ol>
            <Show when=move || next.get().is_some()>
                <button type="button" class="button small subtle" disabled=move || loading.get()
                    on:click=move |_| before.set(next.get())>"Older changes"</button>
            </Show>
        </section>
    }
}

#[component]
fn EntryView(
    kind: EntityKind,
    id: i64,
    entry: HistoryEntry,
    statuses: Vec<StatusOption>,
) -> impl IntoView {
    let who = entry.user_name.clone().unwrap_or_else(|| "Keel".to_owned());
    let note = source_note(entry.source);
    let changes = entry
        .changes
        .iter()
        .map(|change| {
            view! {
                <tr data-field=change.field.clone()>
                    <th scope="row">{field_label(kind, &change.field)}</th>
                    <td class="old-value">{value_text(kind, change, false, &statuses)}</td>
                    <td class="new-value">{value_text(kind, change, true, &statuses)}</td>
                </tr>
            }
        })
        .collect_view();
    let has_changes = !entry.changes.is_empty();
    let entry_id = entry.id;
    let show_revert = revertible(entry.action);
    view! {
        <li class="history-entry" data-entry=entry.id data-action=entry.action.key()>
            <p class="history-meta">
                <strong>{entry.action.label()}</strong>
                " · " {who}
                {note.map(|n| format!(" {n}"))}
                " · " <time datetime=entry.at.clone()>{entry_time(&entry.at)}</time>
            </p>
            {has_changes.then(|| view! {
                <table class="history-changes">
                    <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                    <tbody>{changes}</tbody>
                </table>
            })}
            {show_revert.then(|| view! {
                <Allowed action=Action::UpdateRecord><RevertButton kind id entry_id/></Allowed>
            })}
        </li>
    }
}

/// Revert asks first; a refusal (a field changed since, a rule) is shown under the entry.
#[component]
fn RevertButton(kind: EntityKind, id: i64, entry_id: i64) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let refresh = use_context::<RecordRefresh>();
    let navigate = leptos_router::hooks::use_navigate();
    let flash = crate::flash::use_flash();
    let confirm = move |_| {
        busy.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match api::history::revert(kind, id, entry_id).await {
                Ok(Some(_)) => {
                    if let Some(RecordRefresh(signal)) = refresh {
                        signal.update(|n| *n += 1);
                    }
                }
                Ok(None) => {
                    let list = format!("/{}", kind.plural());
                    flash.show_on(&list, "Reverted: the record moved to Trash.".to_owned());
                    navigate(&list, Default::default());
                }
                Err(failure) => {
                    let details: Vec<String> = failure
                        .details()
                        .iter()
                        .map(|d| format!("{}: {}", field_label(kind, &d.field), d.message))
                        .collect();
                    let mut message = failure.message().to_owned();
                    if !details.is_empty() {
                        message = format!("{message} — {}", details.join("; "));
                    }
                    error.set(Some(message));
                    busy.set(false);
                    confirming.set(false);
                }
            }
        });
    };
    view! {
        <div class="history-actions">
            <Show when=move || !confirming.get()>
                <button type="button" class="button small subtle" on:click=move |_| confirming.set(true)>"Revert"</button>
            </Show>
            <Show when=move || confirming.get()>
                <div class="confirm-inline" role="group" aria-label="Confirm the revert">
                    <span>"Put back the values before this change?"</span>
                    <button type="button" class="button small danger" disabled=move || busy.get() on:click=confirm.clone()>"Revert change"</button>
                    <button type="button" class="button small subtle" on:click=move |_| confirming.set(false)>"Cancel"</button>
                </div>
            </Show>
            <p class="form-error" role="alert">{move || error.get()}</p>
        </div>
    }
}
