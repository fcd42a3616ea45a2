//! Trash: each entity's deleted records, newest first, with Restore. Deleting only ever hides a record, so
//! nothing is lost until an administrator purges it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};
use shared::{permissions::Action, EntityKind, FieldKind, DEFAULT_PAGE_SIZE, ENTITY_KINDS};

use crate::{
    api,
    records::{
        can,
        format::{self, cell_text},
        record_id, record_title, Record,
    },
    session::{module_on, use_current_user},
};

#[component]
pub fn TrashPage() -> impl IntoView {
    let query = use_query_map();
    let kind = Memo::new(move |_| {
        query
            .get()
            .get("entity")
            .and_then(|e| EntityKind::from_plural(&e))
            .unwrap_or(EntityKind::Lead)
    });
    let page = Memo::new(move |_| {
        query
            .get()
            .get("page")
            .and_then(|p| p.parse::<u64>().ok())
            .filter(|p| *p >= 1)
            .unwrap_or(1)
    });
    let reload = RwSignal::new(0u32);
    let rows = Resource::new(
        move || (kind.get(), page.get(), reload.get()),
        // The rows carry the kind they were fetched for: a Restore button must name the entity of its row,
        // not whatever tab is selected by the time the rows arrive.
        |(kind, page, _)| async move {
            (
                kind,
                api::records::trash(kind, page, DEFAULT_PAGE_SIZE).await,
            )
        },
    );
    let notice = RwSignal::new(None::<(bool, String)>);
    let me = use_current_user();
    let restore = move |kind: EntityKind, record: Record| {
        let id = record_id(&record);
        let title = record_title(kind, &record);
        leptos::task::spawn_local(async move {
            match api::records::restore(kind, id).await {
                Ok(_) => notice.set(Some((true, format!("Restored “{title}”.")))),
                Err(failure) => notice.set(Some((false, failure.message().to_owned()))),
            }
            reload.update(|n| *n += 1);
        });
    };

    view! {
        <Title text="Trash"/>
        <section class="page-header">
            <h1>"Trash"</h1>
            <p class="muted">"Deleted records stay here and can be restored."</p>
        </section>
        <nav class="tabs" aria-label="Entity">
            // Switched-off modules have no tab (their trash answers 404 until they are on again).
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let me = me.0.await;
                    ENTITY_KINDS.into_iter().filter(|k| module_on(&me, *k)).map(|k| view! {
                        <A href=format!("/trash?entity={}", k.plural()) attr:class="tab"
                            attr:aria-selected=move || (kind.get() == k).to_string()>{k.label()}</A>
                    }).collect_view()
                })}
            </Suspense>
        </nav>
        <p class="notice" role="status" class:notice-error=move || matches!(notice.get(), Some((false, _)))>
            {move || notice.get().map(|(_, text)| text)}
        </p>
        <div class="card table-card">
            <Transition fallback=|| view! { <p class="table-state muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let restorable = can(&me.0.await, Action::RestoreRecord);
                    let (kind, rows) = rows.await;
                    match rows {
                        Ok(list) if list.data.is_empty() => view! {
                            <div class="table-state empty-state"><h2>{format!("No deleted {}", kind.label().to_lowercase())}</h2></div>
                        }.into_any(),
                        Ok(list) => {
                            let pages = list.page_count();
                            let current = list.page;
                            view! {
                                <table class="data-table trash-table">
                                    <thead><tr>
                                        <th scope="col">"Name"</th>
                                        <th scope="col">"Deleted"</th>
                                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                    </tr></thead>
                                    <tbody>
                                        {list.data.into_iter().map(|record| {
                                            let title = record_title(kind, &record);
                                            let deleted = cell_text(FieldKind::Timestamp, record.get("deleted_at"), &[]);
                                            let id = record_id(&record);
                                            view! {
                                                <tr data-id=id>
                                                    <td>{title.clone()}</td>
                                                    <td>{deleted}</td>
                                                    <td class="actions">
                                                        {restorable.then(|| view! {
                                                            <button type="button" class="button small"
                                                                aria-label=format!("Restore {title}")
                                                                on:click={
                                                                    let record = record.clone();
                                                                    move |_| restore(kind, record.clone())
                                                                }>"Restore"</button>
                                                        })}
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <nav class="pager" aria-label="Pages">
                                    <span class="pager-position">{format!("Page {} of {} · {} deleted", current, pages, format::count(list.total))}</span>
                                    {(current > 1).then(|| view! { <A href=format!("/trash?entity={}&page={}", kind.plural(), current - 1) attr:class="button small">"Previous"</A> })}
                                    {(current < pages).then(|| view! { <A href=format!("/trash?entity={}&page={}", kind.plural(), current + 1) attr:class="button small">"Next"</A> })}
                                </nav>
                            }.into_any()
                        }
                        Err(failure) => view! { <p class="table-state form-error" role="alert">{failure.message().to_owned()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}
