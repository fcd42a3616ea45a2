//! The report's column headings. A heading whose column sorts is a link to the same view sorted by it —
//! ascending first, then each click flips — with `aria-sort` and an arrow on the active one.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::{descriptor::ColumnDef, SortOrder};

use super::Navigator;
use crate::records::query::ReportQuery;

/// One `<th>` per column, for the current view's sort.
pub(super) fn header_cells(
    columns: &[ColumnDef],
    query: Memo<ReportQuery>,
    nav: &Navigator,
) -> impl IntoView {
    let (sort_key, sort_order) = {
        let view = query.get_untracked();
        let (key, order) = view.sort();
        (key.to_owned(), order)
    };
    columns
        .iter()
        .copied()
        .map(|column| {
            let Some(key) = column.sort_key else {
                return view! { <th scope="col" data-column=column.name>{column.label}</th> }
                    .into_any();
            };
            let active = key == sort_key;
            let (aria, arrow) = match (active, sort_order) {
                (true, SortOrder::Asc) => ("ascending", "↑"),
                (true, SortOrder::Desc) => ("descending", "↓"),
                _ => ("none", ""),
            };
            let href = nav.href(&query.get_untracked().toggled_sort(key));
            view! {
                <th scope="col" aria-sort=aria data-sort-key=key data-column=column.name>
                    <A href=href scroll=false attr:class="sort-link">
                        {column.label}
                        <span class="sort-arrow" aria-hidden="true">{arrow}</span>
                    </A>
                </th>
            }
            .into_any()
        })
        .collect_view()
}
