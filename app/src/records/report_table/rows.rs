//! The report's table body: a row per record of the page.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::{descriptor::ColumnDef, EntityKind, FieldKind, StatusOption};

use super::{header::header_cells, states::empty_state, Navigator};
use crate::records::{format::cell_text, query::ReportQuery, record_id, ListPage};

/// The page's records, one row each: the visible report columns in their order (`ReportQuery::columns`; the
/// title column links to the record), then View and, for roles that may edit, Edit. An empty page shows an
/// empty state instead.
#[component]
pub(super) fn Rows(
    kind: EntityKind,
    page: ListPage,
    columns: Vec<ColumnDef>,
    query: Memo<ReportQuery>,
    nav: Navigator,
    statuses: Vec<StatusOption>,
    /// Whether the user's role may edit records (the server still decides per record).
    editable: bool,
) -> impl IntoView {
    let title = shared::title_field(kind.descriptor());
    if page.data.is_empty() {
        return empty_state(kind, query, &nav);
    }
    let header = header_cells(&columns, query, &nav);
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
