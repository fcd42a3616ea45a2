//! A filter on several keys of one field (statuses, account types): a dropdown of checkboxes, sent as a
//! comma-separated list.

use leptos::prelude::*;

use super::Navigator;
use crate::records::query::ReportQuery;

/// Several keys of one field (statuses, account types), sent as a comma-separated list.
#[component]
pub(super) fn MultiSelectFilter(
    name: String,
    label: &'static str,
    options: Vec<(String, String)>,
    query: Memo<ReportQuery>,
    nav: Navigator,
) -> impl IntoView {
    let selected = {
        let name = name.clone();
        Memo::new(move |_| {
            query
                .get()
                .get(&name)
                .map(|v| v.split(',').map(str::to_owned).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    let summary_options = options.clone();
    let summary = move || {
        let chosen = selected.get();
        if chosen.is_empty() {
            return format!("{label}: any");
        }
        let labels: Vec<&str> = summary_options
            .iter()
            .filter(|(key, _)| chosen.contains(key))
            .map(|(_, text)| text.as_str())
            .collect();
        format!("{label}: {}", labels.join(", "))
    };
    let checkboxes = options
        .into_iter()
        .map(|(key, text)| {
            let nav = nav.clone();
            let name = name.clone();
            let checked_key = key.clone();
            let toggle = move |ev: leptos::ev::Event| {
                let on = event_target_checked(&ev);
                let mut chosen = selected.get_untracked();
                chosen.retain(|k| k != &key);
                if on {
                    chosen.push(key.clone());
                }
                let value = (!chosen.is_empty()).then(|| chosen.join(","));
                nav.go(&query.get_untracked().with(&name, value), false);
            };
            view! {
                <label class="check">
                    <input type="checkbox" value=checked_key.clone()
                        prop:checked=move || selected.get().contains(&checked_key)
                        on:change=toggle/>
                    {text}
                </label>
            }
        })
        .collect_view();
    let details = NodeRef::<leptos::html::Details>::new();
    close_when_left(details);
    view! {
        <details class="filter multi-select" data-filter=name node_ref=details
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    if let Some(details) = details.get_untracked() {
                        details.set_open(false);
                    }
                }
            }>
            <summary>{summary}</summary>
            <fieldset>
                <legend class="visually-hidden">{label}</legend>
                {checkboxes}
            </fieldset>
        </details>
    }
}

/// A dropdown closes when the reader clicks anywhere else, as menus do.
fn close_when_left(details: NodeRef<leptos::html::Details>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let listener = window_event_listener(leptos::ev::click, move |ev| {
            let Some(element) = details.get_untracked() else {
                return;
            };
            let inside = ev
                .target()
                .and_then(|target| target.dyn_into::<web_sys::Node>().ok())
                .is_some_and(|node| element.contains(Some(&node)));
            if !inside {
                element.set_open(false);
            }
        });
        on_cleanup(move || listener.remove());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = details;
}
