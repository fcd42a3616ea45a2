//! The column chooser: which report columns the table shows, and in which order. Its state is the URL's
//! `columns` parameter (absent: the report's own columns), changed in place (the history entry is replaced),
//! so a saved view keeps it and a link shows it.

use leptos::prelude::*;
use shared::EntityKind;

use super::Navigator;
use crate::records::query::ReportQuery;

/// A checkbox per report column (the last one shown cannot be hidden) and Move up / Move down for the ones
/// shown. The shown columns come first in their order, then the hidden ones in the report's order.
#[component]
pub(super) fn ColumnChooser(
    kind: EntityKind,
    query: Memo<ReportQuery>,
    nav: Navigator,
    open: RwSignal<bool>,
) -> impl IntoView {
    let shown = Memo::new(move |_| query.with(|view| view.column_keys(kind)));
    let order = Memo::new(move |_| {
        let shown = shown.get();
        let hidden = kind
            .descriptor()
            .report_columns()
            .map(|column| column.name.to_owned())
            .filter(|name| !shown.contains(name));
        shown.iter().cloned().chain(hidden).collect::<Vec<_>>()
    });
    let apply = move |columns: Vec<String>| {
        nav.go(&query.get_untracked().with_columns(kind, &columns), true)
    };
    let row = move |key: String| {
        let label = kind
            .descriptor()
            .report_columns()
            .find(|column| column.name == key)
            .map(|column| column.label)
            .unwrap_or_default();
        let position = {
            let key = key.clone();
            move || shown.with(|shown| shown.iter().position(|k| *k == key))
        };
        let toggle = {
            let key = key.clone();
            let apply = apply.clone();
            move |ev: leptos::ev::Event| {
                let mut columns = shown.get_untracked();
                columns.retain(|k| *k != key);
                if event_target_checked(&ev) {
                    columns.push(key.clone());
                }
                if !columns.is_empty() {
                    apply(columns);
                }
            }
        };
        let step = {
            let position = position.clone();
            let apply = apply.clone();
            move |down: bool| {
                let mut columns = shown.get_untracked();
                if let Some(at) = position() {
                    let other = if down { at + 1 } else { at.wrapping_sub(1) };
                    if other < columns.len() {
                        columns.swap(at, other);
                        apply(columns);
                    }
                }
            }
        };
        let (up, down) = (step.clone(), step);
        let first = {
            let position = position.clone();
            move || position() == Some(0)
        };
        let last = {
            let position = position.clone();
            move || position().is_none_or(|at| at + 1 == shown.with(Vec::len))
        };
        let checked = {
            let position = position.clone();
            move || position().is_some()
        };
        // The only column shown stays: unchecking it would leave an empty table.
        let only = move || position().is_some() && shown.with(Vec::len) == 1;
        let hidden = {
            let checked = checked.clone();
            move || !checked()
        };
        view! {
            <li data-column=key.clone()>
                <label class="check">
                    <input type="checkbox" prop:checked=checked.clone() disabled=only on:change=toggle/>
                    {label}
                </label>
                <span class="column-moves">
                    <button type="button" class="button small subtle" aria-label=format!("Move {label} up")
                        disabled=move || first() || hidden() on:click=move |_| up(false)>"↑"</button>
                    <button type="button" class="button small subtle" aria-label=format!("Move {label} down")
                        disabled=last on:click=move |_| down(true)>"↓"</button>
                </span>
            </li>
        }
    };
    view! {
        <fieldset class="column-chooser card" id="column-chooser"
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    open.set(false);
                }
            }>
            <legend>"Columns"</legend>
            <ol class="column-list">
                <For each=move || order.get() key=|key| key.clone() children=row/>
            </ol>
            <button type="button" class="button small" on:click=move |_| open.set(false)>"Done"</button>
        </fieldset>
    }
}
