//! The one report table every entity uses (plan Step 3.1): filters from the descriptor's filterable fields,
//! sortable headers from its sort keys, the columns it lists, paging, and an export of exactly this view.
//! Its whole state is the URL query (see [`ReportQuery`]); the rows are fetched on the server for the first
//! render and by the browser afterwards.
//!
//! This module lays the report out and owns its state; the parts are components of their own:
//! [`filters`] (the filter bar, with [`multi_select`] for lists of keys), [`views`] (saved views: the views
//! menu, Save / Update / Delete view, the default view, with [`columns`] for the column chooser), [`rows`]
//! (the table, with [`header`] for its sortable headings), [`pager`] and [`states`] (empty and error states).

mod columns;
mod filters;
mod header;
mod multi_select;
mod pager;
mod rows;
mod states;
mod views;

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};
use shared::{permissions::Action, views::ViewLayout, EntityKind};

use self::{filters::FilterBar, pager::Pager, rows::Rows, states::LoadError, views::ViewsBar};
use super::board::BoardView;
use super::{
    can, format, query::ReportQuery, statuses_resource, user_options_resource, Allowed, ListPage,
};
use crate::{
    api,
    saved_views::{default_of, use_saved_views},
    session::use_current_user,
};

/// The report's view, read from the URL.
fn use_report_query() -> Memo<ReportQuery> {
    let map = use_query_map();
    Memo::new(move |_| {
        map.with(|map| {
            ReportQuery::from_pairs(
                map.latest_values()
                    .map(|(key, value)| (key.to_string(), value.to_owned())),
            )
        })
    })
}

/// The router's `navigate`, shareable between the report's controls.
type NavigateFn = std::sync::Arc<dyn Fn(&str, NavigateOptions) + Send + Sync>;

/// Navigates to another view of the same report. Typing replaces the history entry instead of adding one
/// per pause, so Back leaves the report rather than undoing keystrokes.
#[derive(Clone)]
struct Navigator {
    base: String,
    navigate: NavigateFn,
}

impl Navigator {
    fn go(&self, query: &ReportQuery, replace: bool) {
        (self.navigate)(
            &self.href(query),
            NavigateOptions {
                replace,
                scroll: false,
                ..Default::default()
            },
        );
    }

    /// Navigates to `query` at another page of the same entity (its board or its list).
    fn go_to(&self, path: &str, query: &ReportQuery) {
        (self.navigate)(
            &format!("{path}{}", query.to_query_string()),
            NavigateOptions::default(),
        );
    }

    fn href(&self, query: &ReportQuery) -> String {
        format!("{}{}", self.base, query.to_query_string())
    }
}

/// The report of `kind` at `base` (the page's own path, e.g. `/leads` or `/reports/leads`). With `board`, the
/// same view — filters, search, sort, saved views — as the pipeline board instead of the table.
#[component]
pub fn ReportTable(
    kind: EntityKind,
    #[prop(into)] base: String,
    #[prop(optional)] board: bool,
) -> impl IntoView {
    let query = use_report_query();
    let navigate = use_navigate();
    let nav = Navigator {
        base,
        navigate: std::sync::Arc::new(move |href: &str, options| navigate(href, options)),
    };
    let saved_views = use_saved_views();
    // The default view (issue 16). The server cannot redirect a plain `/leads` to the user's default view (the
    // views are loaded by the page itself, not before it), so the browser does, replacing the history entry
    // once the views are known (the effect below). Meanwhile there is no flash of the wrong rows: for a plain
    // URL the rows resource waits for the views and fetches the default view's rows, so the server's HTML
    // already shows them, and the table shows the view's columns; after the redirect the same rows load again
    // under the view's own URL. `view=none` opens the plain report on purpose ("All leads").
    let rows = Resource::new(
        move || query.with(|view| (view.api(), view.is_empty())),
        move |(view, plain)| async move {
            // The board reads its own columns of cards.
            if board {
                return Ok(ListPage {
                    data: Vec::new(),
                    total: 0,
                    page: 1,
                    page_size: 0,
                    total_exact: true,
                    next_cursor: None,
                    prev_cursor: None,
                });
            }
            let view = match plain {
                true => default_of(&saved_views.list.await, kind)
                    .map(|default| ReportQuery::of_view(default, kind))
                    .unwrap_or(view),
                false => view,
            };
            api::records::list(kind, &view).await
        },
    );
    {
        let nav = nav.clone();
        Effect::new(move |_| {
            if !query.with(ReportQuery::is_empty) {
                return;
            }
            if let Some(default) = saved_views.list.with(|views| {
                views
                    .as_ref()
                    .and_then(|views| default_of(views, kind).cloned())
            }) {
                nav.go(&ReportQuery::of_view(&default, kind), true);
            }
        });
    }
    // The visible columns: the URL's, or the default view's while a plain URL waits for the redirect.
    let shown_columns =
        Memo::new(move |_| query.with(|view| (view.is_empty(), view.columns(kind))));
    let statuses = statuses_resource(kind);
    let users = user_options_resource();
    let me = use_current_user();
    let loading = RwSignal::new(false);
    let export_href = move || api::records::export_url(kind, &query.get());

    let filter_nav = nav.clone();
    let table_nav = nav.clone();
    view! {
        <div class="report" data-entity=kind.plural()>
            // The filter choices (statuses, users) are awaited, so the server's HTML and the hydrated page agree.
            <Transition fallback=|| view! { <div class="filter-bar card" aria-hidden="true"></div> }>
                {
                    move || {
                        let nav = filter_nav.clone();
                        Suspend::new(async move {
                            let statuses = statuses.await;
                            let users = users.await;
                            view! { <FilterBar kind query nav statuses users/> }
                        })
                    }
                }
            </Transition>
            <ViewsBar kind query nav=nav.clone() layout=if board { ViewLayout::Board } else { ViewLayout::Table }/>
            <div class="report-toolbar">
                <p class="report-summary" aria-live="polite">
                    {(!board).then(|| view! {
                        <Transition fallback=|| "Loading…">
                            {move || Suspend::new(async move {
                                rows.await.ok().map(|page| showing(&page))
                            })}
                        </Transition>
                    })}
                </p>
                <LayoutSwitch kind query board/>
                <Allowed action=Action::CreateRecord>
                    <A href=format!("/{}/import", kind.plural()) attr:class="button" attr:data-testid="import-csv">"Import"</A>
                </Allowed>
                <a class="button" href=export_href download="" data-testid="export-csv">"Export CSV"</a>
            </div>
            {board.then(|| view! { <BoardView kind query/> })}
            {(!board).then(|| view! {
            <div class="card table-card" class:is-loading=move || loading.get() aria-busy=move || loading.get().to_string()>
                <div class="loading-bar" aria-hidden="true"></div>
                <Transition
                    fallback=move || view! { <p class="table-state muted">"Loading…"</p> }
                    set_pending=loading.write_only()
                >
                    {
                        move || {
                            let nav = table_nav.clone();
                            let (plain, columns) = shown_columns.get();
                            Suspend::new(async move {
                                let statuses = statuses.await;
                                let editable = can(&me.0.await, Action::UpdateRecord);
                                let columns = match plain {
                                    true => default_of(&saved_views.list.await, kind)
                                        .map(|default| ReportQuery::of_view(default, kind).columns(kind))
                                        .unwrap_or(columns),
                                    false => columns,
                                };
                                match rows.await {
                                    Ok(page) => view! {
                                        <Rows kind page=page.clone() columns query nav=nav.clone() statuses editable/>
                                        <Pager page query nav/>
                                    }
                                    .into_any(),
                                    Err(failure) => view! {
                                        <LoadError failure query nav retry=Callback::new(move |_| rows.refetch())/>
                                    }
                                    .into_any(),
                                }
                            })
                        }
                    }
                </Transition>
            </div>
            })}
        </div>
    }
}

/// Table / Board: the same view of the report in either layout (entities with a status only). The board of
/// an entity is `/{entity}/board`; its table is the entity's list.
#[component]
fn LayoutSwitch(kind: EntityKind, query: Memo<ReportQuery>, board: bool) -> impl IntoView {
    kind.descriptor().board.map(|_| {
        let table_href = move || format!("/{}{}", kind.plural(), query.with(ReportQuery::to_query_string));
        let board_href = move || {
            format!(
                "/{}/board{}",
                kind.plural(),
                query.with(|q| q.with("page", None).with("page_size", None).to_query_string())
            )
        };
        view! {
            <nav class="layout-switch" aria-label="Layout">
                <a href=table_href aria-current=(!board).then_some("page") data-testid="layout-table">"Table"</a>
                <a href=board_href aria-current=board.then_some("page") data-testid="layout-board">"Board"</a>
            </nav>
        }
    })
}

/// "Showing 51–100 of 1,234".
fn showing(page: &ListPage) -> String {
    if page.total == 0 || page.data.is_empty() {
        return "No matching records".to_owned();
    }
    let about = if page.total_exact { "" } else { "about " };
    // A page reached by cursor (`page: 0`) does not know its position, only its rows.
    if page.page == 0 {
        return format!(
            "Showing {} of {about}{}",
            format::count(page.data.len() as u64),
            format::count(page.total)
        );
    }
    let first = (page.page - 1) * page.page_size + 1;
    let last = first + page.data.len() as u64 - 1;
    format!(
        "Showing {}–{} of {about}{}",
        format::count(first),
        format::count(last),
        format::count(page.total)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Record;

    fn page(page: u64, rows: usize, total: u64, total_exact: bool) -> ListPage {
        ListPage {
            data: vec![Record::new(); rows],
            total,
            page,
            page_size: 50,
            total_exact,
            next_cursor: None,
            prev_cursor: None,
        }
    }

    #[test]
    fn the_summary_counts_rows_by_page_or_by_cursor() {
        assert_eq!(showing(&page(2, 50, 1234, true)), "Showing 51–100 of 1,234");
        assert_eq!(
            showing(&page(0, 50, 20_000, false)),
            "Showing 50 of about 20,000"
        );
        assert_eq!(showing(&page(1, 0, 0, true)), "No matching records");
    }
}
