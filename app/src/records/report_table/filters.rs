//! The filter bar: one control per filter parameter of the descriptor (`filter_params()`), plus the search
//! box. Every control reads and writes the URL query (through the `Navigator`), the report's only state, so
//! Back, reload and shared links restore the filters exactly.

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::A;
use shared::{
    descriptor::{FilterBound, FilterParam},
    entities::user::UserOption,
    EntityKind, FieldKind, Filter, StatusOption,
};

use super::{multi_select::MultiSelectFilter, Navigator};
use crate::records::{format, query::ReportQuery};

/// How long typing must pause before a text filter applies.
const TYPING_PAUSE: Duration = Duration::from_millis(300);

#[component]
pub(super) fn FilterBar(
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
