//! The one report table every entity uses (plan Step 3.1): filters from the descriptor's filterable fields,
//! sortable headers from its sort keys, the columns it lists, paging, and an export of exactly this view.
//! Its whole state is the URL query (see [`ReportQuery`]); the rows are fetched on the server for the first
//! render and by the browser afterwards.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_query_map},
    NavigateOptions,
};
use shared::{
    descriptor::{ColumnDef, FilterBound, FilterParam},
    entities::user::UserOption,
    permissions::Action,
    EntityKind, FieldKind, Filter, StatusOption,
};

use super::{
    can,
    format::{self, cell_text},
    query::{ReportQuery, SortOrder, PAGE_SIZES},
    record_id, statuses_resource, title_field, user_options_resource, ListPage,
};
use crate::{
    api::{self, ApiFailure},
    session::use_current_user,
};

/// How long typing must pause before a text filter applies.
const TYPING_PAUSE: Duration = Duration::from_millis(300);

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

    fn href(&self, query: &ReportQuery) -> String {
        format!("{}{}", self.base, query.to_query_string())
    }
}

/// The report of `kind` at `base` (the page's own path, e.g. `/leads` or `/reports/leads`).
#[component]
pub fn ReportTable(kind: EntityKind, #[prop(into)] base: String) -> impl IntoView {
    let query = use_report_query();
    let navigate = use_navigate();
    let nav = Navigator {
        base,
        navigate: std::sync::Arc::new(move |href: &str, options| navigate(href, options)),
    };
    let rows = Resource::new(
        move || query.get(),
        move |view| {
            api::get::<ListPage>(&format!("/api/{}{}", kind.plural(), view.to_query_string()))
        },
    );
    let statuses = statuses_resource(kind);
    let users = user_options_resource();
    let me = use_current_user();
    let loading = RwSignal::new(false);
    let export_href = move || {
        format!(
            "/api/{}/export.csv{}",
            kind.plural(),
            query.get().export_query_string()
        )
    };

    let filter_nav = nav.clone();
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
            <div class="report-toolbar">
                <p class="report-summary" aria-live="polite">
                    <Transition fallback=|| "Loading…">
                        {move || Suspend::new(async move {
                            rows.await.ok().map(|page| showing(&page))
                        })}
                    </Transition>
                </p>
                <a class="button" href=export_href download="" data-testid="export-csv">"Export CSV"</a>
            </div>
            <div class="card table-card" class:is-loading=move || loading.get() aria-busy=move || loading.get().to_string()>
                <div class="loading-bar" aria-hidden="true"></div>
                <Transition
                    fallback=move || view! { <p class="table-state muted">"Loading…"</p> }
                    set_pending=loading.write_only()
                >
                    {
                        move || {
                            let nav = nav.clone();
                            Suspend::new(async move {
                                let statuses = statuses.await;
                                let editable = can(&me.0.await, Action::UpdateRecord);
                                match rows.await {
                                    Ok(page) => view! {
                                        <Rows kind page=page.clone() query nav=nav.clone() statuses editable/>
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
        </div>
    }
}

/// "Showing 51–100 of 1,234".
fn showing(page: &ListPage) -> String {
    if page.total == 0 || page.data.is_empty() {
        return "No matching records".to_owned();
    }
    let first = (page.page - 1) * page.page_size + 1;
    let last = first + page.data.len() as u64 - 1;
    let about = if page.total_exact { "" } else { "about " };
    format!(
        "Showing {}–{} of {about}{}",
        format::count(first),
        format::count(last),
        format::count(page.total)
    )
}

#[component]
fn FilterBar(
    kind: EntityKind,
    query: Memo<ReportQuery>,
    nav: Navigator,
    statuses: Vec<StatusOption>,
    users: Vec<UserOption>,
) -> impl IntoView {
    let descriptor = kind.descriptor();
    let params = descriptor.filter_params();
    let search = (!descriptor.search_fields.is_empty()).then(|| {
        view! { <TextFilter name="q".to_owned() label="Search".to_owned() query nav=nav.clone() kind="search"/> }
    });
    let filters = params
        .iter()
        .filter(|param| param.bound != FilterBound::To)
        .map(|param| filter_control(param, &params, query, nav.clone(), &statuses, &users))
        .collect_view();
    let clear = {
        let nav = nav.clone();
        move || {
            query.get().is_filtered().then(|| {
                view! { <A href=nav.href(&query.get().without_filters()) scroll=false attr:class="button small subtle">"Clear filters"</A> }
            })
        }
    };
    view! {
        <form class="filter-bar card" role="search" aria-label=format!("Filter {}", kind.label().to_lowercase())
            on:submit=|ev| ev.prevent_default()>
            {search}
            {filters}
            <div class="filter-actions">{clear}</div>
        </form>
    }
}

fn filter_control(
    param: &FilterParam,
    all: &[FilterParam],
    query: Memo<ReportQuery>,
    nav: Navigator,
    statuses: &[StatusOption],
    users: &[UserOption],
) -> AnyView {
    let field = param.field;
    match field.filter {
        Some(Filter::Contains) => view! {
            <TextFilter name=param.name.clone() label=field.label.to_owned() query nav kind="text"/>
        }
        .into_any(),
        Some(Filter::AnyOf) => {
            let options: Vec<(String, String)> = match field.kind {
                FieldKind::Choice(keys) => keys
                    .iter()
                    .map(|k| (k.to_string(), format::humanize(k)))
                    .collect(),
                _ => statuses
                    .iter()
                    .map(|s| (s.key.clone(), s.label.clone()))
                    .collect(),
            };
            view! { <MultiSelectFilter name=param.name.clone() label=field.label options query nav/> }.into_any()
        }
        Some(Filter::DateRange) => {
            let to = all
                .iter()
                .find(|p| p.field.name == field.name && p.bound == FilterBound::To)
                .map(|p| p.name.clone())
                .unwrap_or_default();
            view! { <DateRangeFilter from=param.name.clone() to label=field.label query nav/> }
                .into_any()
        }
        Some(Filter::Assignee) => {
            let users = users.to_vec();
            view! { <AssigneeFilter name=param.name.clone() label=field.label query nav users/> }
                .into_any()
        }
        // Exact references (a client's projects) are set by links from the record pages, and shown as a chip.
        Some(Filter::Equals) => {
            let name = param.name.clone();
            let label = field.label;
            (move || {
                let name = name.clone();
                query.get().get(&name).map(|value| {
                    let cleared = nav.href(&query.get().with(&name, None));
                    view! {
                        <span class="filter-chip" data-filter=name.clone()>
                            {format!("{label} #{value}")}
                            <A href=cleared scroll=false attr:class="chip-clear" attr:aria-label=format!("Remove the {} filter", label.to_lowercase())>"×"</A>
                        </span>
                    }
                })
            })
            .into_any()
        }
        None => ().into_any(),
    }
}

/// A text filter that applies once typing pauses.
#[component]
fn TextFilter(
    name: String,
    label: String,
    query: Memo<ReportQuery>,
    nav: Navigator,
    kind: &'static str,
) -> impl IntoView {
    let id = format!("filter-{name}");
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let value = {
        let name = name.clone();
        move || query.get().get(&name).unwrap_or_default().to_owned()
    };
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        if let Some(handle) = timer.get_value() {
            handle.clear();
        }
        let nav = nav.clone();
        let name = name.clone();
        let handle = set_timeout_with_handle(
            move || nav.go(&query.get_untracked().with(&name, Some(text)), true),
            TYPING_PAUSE,
        )
        .ok();
        timer.set_value(handle);
    };
    view! {
        <div class="filter">
            <label for=id.clone()>{label}</label>
            <input id=id type=kind prop:value=value on:input=on_input autocomplete="off"/>
        </div>
    }
}

/// Several keys of one field (statuses, account types), sent as a comma-separated list.
#[component]
fn MultiSelectFilter(
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

#[component]
fn DateRangeFilter(
    from: String,
    to: String,
    label: &'static str,
    query: Memo<ReportQuery>,
    nav: Navigator,
) -> impl IntoView {
    let input = move |param: String, text: &'static str| {
        let id = format!("filter-{param}");
        let nav = nav.clone();
        let value = {
            let param = param.clone();
            move || query.get().get(&param).unwrap_or_default().to_owned()
        };
        let on_change = move |ev: leptos::ev::Event| {
            nav.go(
                &query
                    .get_untracked()
                    .with(&param, Some(event_target_value(&ev))),
                false,
            )
        };
        view! {
            <div class="filter">
                <label for=id.clone()>{format!("{label} {text}")}</label>
                <input id=id type="date" prop:value=value on:change=on_change/>
            </div>
        }
    };
    view! {
        {input(from, "from")}
        {input(to, "to")}
    }
}

#[component]
fn AssigneeFilter(
    name: String,
    label: &'static str,
    query: Memo<ReportQuery>,
    nav: Navigator,
    users: Vec<UserOption>,
) -> impl IntoView {
    let id = format!("filter-{name}");
    let current = {
        let name = name.clone();
        move || query.get().get(&name).unwrap_or_default().to_owned()
    };
    let initial = current();
    let on_change = move |ev: leptos::ev::Event| {
        nav.go(
            &query
                .get_untracked()
                .with(&name, Some(event_target_value(&ev))),
            false,
        )
    };
    let option = move |value: String, text: String| {
        let selected = value == initial;
        view! { <option value=value selected=selected>{text}</option> }
    };
    view! {
        <div class="filter">
            <label for=id.clone()>{label}</label>
            <select id=id prop:value=current on:change=on_change>
                {option(String::new(), "Anyone".into())}
                {option("me".into(), "Me".into())}
                {option("none".into(), "Unassigned".into())}
                {users.into_iter().map(|user| option(user.id.to_string(), user.name)).collect_view()}
            </select>
        </div>
    }
}

#[component]
fn Rows(
    kind: EntityKind,
    page: ListPage,
    query: Memo<ReportQuery>,
    nav: Navigator,
    statuses: Vec<StatusOption>,
    /// Whether the user's role may edit records (the server still decides per record).
    editable: bool,
) -> impl IntoView {
    let descriptor = kind.descriptor();
    let columns: Vec<ColumnDef> = descriptor.report_columns().collect();
    let title = title_field(descriptor);
    if page.data.is_empty() {
        let filtered = query.get_untracked().is_filtered();
        let noun = kind.label().to_lowercase();
        return if filtered {
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
        };
    }
    let (sort_key, sort_order) = {
        let view = query.get_untracked();
        let (key, order) = view.sort();
        (key.to_owned(), order)
    };
    let header = columns
        .clone()
        .into_iter()
        .map(|column| {
            let Some(key) = column.sort_key else {
                return view! { <th scope="col">{column.label}</th> }.into_any();
            };
            let active = key == sort_key;
            let (aria, arrow) = match (active, sort_order) {
                (true, SortOrder::Asc) => ("ascending", "↑"),
                (true, SortOrder::Desc) => ("descending", "↓"),
                _ => ("none", ""),
            };
            let href = nav.href(&query.get_untracked().toggled_sort(key));
            view! {
                <th scope="col" aria-sort=aria data-sort-key=key>
                    <A href=href scroll=false attr:class="sort-link">
                        {column.label}
                        <span class="sort-arrow" aria-hidden="true">{arrow}</span>
                    </A>
                </th>
            }
            .into_any()
        })
        .collect_view();
    let body = page
        .data
        .into_iter()
        .map(|record| {
            let id = record_id(&record);
            let href = format!("/{}/{id}", kind.plural());
            let cells = columns
                .clone()
                .into_iter()
                .map(|column| {
                    let text = cell_text(column.kind, record.get(column.name), &statuses);
                    if column.name == title {
                        view! { <td data-column=column.name><A href=href.clone() attr:class="row-title">{text}</A></td> }.into_any()
                    } else {
                        view! { <td data-column=column.name class:numeric=matches!(column.kind, FieldKind::Money | FieldKind::Integer | FieldKind::Id)>{text}</td> }.into_any()
                    }
                })
                .collect_view();
            let edit = format!("{href}/edit");
            view! {
                <tr data-id=id>
                    {cells}
                    <td class="actions">
                        <A href=href.clone() attr:class="button small subtle">"View"</A>
                        {editable.then(|| view! { <A href=edit attr:class="button small subtle">"Edit"</A> })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="data-table report-table">
                <thead><tr>{header}<th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn Pager(page: ListPage, query: Memo<ReportQuery>, nav: Navigator) -> impl IntoView {
    let view_query = query.get_untracked();
    let current = page.page;
    let pages = page.total.div_ceil(page.page_size.max(1)).max(1);
    let previous = (current > 1).then(|| nav.href(&view_query.with_page(current - 1)));
    let next = (current < pages).then(|| nav.href(&view_query.with_page(current + 1)));
    let link = |href: Option<String>, text: &'static str, rel: &'static str| match href {
        Some(href) => {
            view! { <A href=href scroll=false attr:class="button small" attr:rel=rel>{text}</A> }
                .into_any()
        }
        None => view! { <span class="button small" aria-disabled="true">{text}</span> }.into_any(),
    };
    let size_nav = nav.clone();
    let on_size = move |ev: leptos::ev::Event| {
        size_nav.go(
            &query
                .get_untracked()
                .with("page_size", Some(event_target_value(&ev))),
            false,
        )
    };
    let page_size = page.page_size;
    view! {
        <nav class="pager" aria-label="Pages">
            <span class="pager-position">{format!("Page {} of {}", format::count(current), format::count(pages))}</span>
            {link(previous, "Previous", "prev")}
            {link(next, "Next", "next")}
            <label class="pager-size">
                "Rows per page "
                <select on:change=on_size>
                    {PAGE_SIZES.into_iter().map(|size| view! {
                        <option value=size.to_string() selected=size == page_size>{size}</option>
                    }).collect_view()}
                </select>
            </label>
        </nav>
    }
}

#[component]
fn LoadError(
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
