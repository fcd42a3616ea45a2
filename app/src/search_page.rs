//! `/search?q=…`: the header's search across every entity at once — the first matches of each, with a link
//! to the entity's full list filtered the same way. A plain GET form, so it works before hydration too.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};
use shared::{EntityKind, SortOrder, ENTITY_KINDS};

use crate::{
    api,
    records::{
        format,
        query::{percent_encode, ReportQuery},
        record_id, record_title,
    },
    session::{module_on, use_current_user},
};

/// Matches shown per entity; the rest are one click away.
const PER_ENTITY: u64 = 5;

#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let me = use_current_user();
    let term = Memo::new(move |_| {
        query
            .get()
            .get("q")
            .map(|q| q.trim().to_owned())
            .unwrap_or_default()
    });
    view! {
        <Title text="Search"/>
        <section class="page-header">
            <h1>"Search"</h1>
            <p class="muted">{move || {
                let term = term.get();
                if term.is_empty() { "Type in the search box above.".to_owned() } else { format!("Results for “{term}”") }
            }}</p>
        </section>
        // Modules the tenant switched off are not searched.
        <Suspense fallback=|| ()>
            {move || {
                let term = term.get();
                Suspend::new(async move {
                    let me = me.0.await;
                    (!term.is_empty()).then(|| {
                        ENTITY_KINDS
                            .into_iter()
                            .filter(|kind| module_on(&me, *kind))
                            .map(|kind| view! { <SearchResults kind term=term.clone()/> })
                            .collect_view()
                    })
                })
            }}
        </Suspense>
    }
}

#[component]
fn SearchResults(kind: EntityKind, term: String) -> impl IntoView {
    let all = format!("/{}?q={}", kind.plural(), percent_encode(&term));
    let latest = ReportQuery::from_pairs([
        ("q", term),
        ("page_size", PER_ENTITY.to_string()),
        ("sort_by", "updated_at".to_owned()),
        ("sort_order", SortOrder::Desc.as_str().to_owned()),
    ]);
    let rows = Resource::new(
        move || latest.clone(),
        move |query| api::records::list(kind, &query),
    );
    view! {
        <section class="card related search-results" data-results=kind.plural()>
            <Transition fallback=|| view! { <p class="muted">"Searching…"</p> }>
                {move || {
                    let all = all.clone();
                    Suspend::new(async move {
                        match rows.await {
                            Ok(page) => {
                                let total = page.total;
                                view! {
                                    <div class="related-header">
                                        <h2>{format!("{} ({})", kind.label(), format::count(total))}</h2>
                                        {(total > 0).then(|| view! { <A href=all attr:class="button small subtle">"See all"</A> })}
                                    </div>
                                    <ul class="related-list">
                                        {page.data.into_iter().map(|record| view! {
                                            <li><A href=format!("/{}/{}", kind.plural(), record_id(&record))>{record_title(kind, &record)}</A></li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }
                            Err(failure) => view! { <p class="form-error">{failure.message().to_owned()}</p> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
}
