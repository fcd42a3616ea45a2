//! What the table shows instead of rows: nothing matches, nothing exists yet, or the list failed to load.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::EntityKind;

use super::Navigator;
use crate::{api::ApiFailure, records::query::ReportQuery};

/// An empty page: with filters, a way to clear them; without, a hint that records will appear here.
pub(super) fn empty_state(kind: EntityKind, query: Memo<ReportQuery>, nav: &Navigator) -> AnyView {
    let filtered = query.get_untracked().is_filtered();
    let noun = kind.label().to_lowercase();
    if filtered {
        view! {
            <div class="table-state empty-state">
                <h2>{format!("No {noun} match these filters")}</h2>
                <A href=nav.href(&query.get_untracked().without_filters()) scroll=false attr:class="button">"Clear filters"</A>
            </div>
        }
        .into_any()
    } else {
        view! {
            <div class="table-state empty-state">
                <h2>{format!("No {noun} yet")}</h2>
                <p class="muted">"Records you add appear here."</p>
            </div>
        }
        .into_any()
    }
}

/// The list request failed (a filter the server refused, the server unreachable): its message and
/// details, Try again, and — when filters may be the cause — a way out of them.
#[component]
pub(super) fn LoadError(
    failure: ApiFailure,
    query: Memo<ReportQuery>,
    nav: Navigator,
    retry: Callback<()>,
) -> impl IntoView {
    let filtered = query.get_untracked().is_filtered();
    let reset = nav.href(&query.get_untracked().without_filters());
    view! {
        <div class="table-state error-state" role="alert">
            <h2>"The report could not be loaded"</h2>
            <p>{failure.message().to_owned()}</p>
            <ul class="field-errors">
                {failure.details().iter().map(|d| view! { <li>{d.message.clone()}</li> }).collect_view()}
            </ul>
            <div class="button-row">
                <button type="button" class="button" on:click=move |_| retry.run(())>"Try again"</button>
                {filtered.then(|| view! { <A href=reset scroll=false attr:class="button subtle">"Clear filters"</A> })}
            </div>
        </div>
    }
}
