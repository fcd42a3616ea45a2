//! The report's paging controls, under the table.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::PAGE_SIZES;

use super::Navigator;
use crate::records::{format, query::ReportQuery, ListPage};

/// "Page 2 of 25", Previous / Next links (plain links, so they work before hydration and open in new tabs)
/// and the page size.
#[component]
pub(super) fn Pager(page: ListPage, query: Memo<ReportQuery>, nav: Navigator) -> impl IntoView {
    let view_query = query.get_untracked();
    let current = page.page;
    let pages = page.page_count();
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
