//! A record's page: every field, the records that point at it, and Edit / Delete; its History tab.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_params_map},
};
use shared::{descriptor::FieldDef, permissions::Action, EntityKind, FieldKind, SortOrder};

use super::{
    format::{cell_text, EMPTY},
    history_panel::{HistoryPanel, RecordRefresh},
    query::ReportQuery,
    record_id, record_title, referenced_kind, related_lists, singular_label, statuses_resource,
    Allowed, Record,
};
use crate::{
    api,
    flash::use_flash,
    session::{module_on, use_current_user},
};

/// The `:id` of the current route, if it is a positive number.
pub fn use_record_id() -> Memo<Option<i64>> {
    let params = use_params_map();
    Memo::new(move |_| {
        params
            .get()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .filter(|id| *id > 0)
    })
}

/// The record of the route; read again whenever a [`RecordRefresh`] in context is bumped (after a revert).
pub fn record_resource(
    kind: EntityKind,
    id: Memo<Option<i64>>,
) -> Resource<Option<Result<Record, api::ApiFailure>>> {
    let refresh = use_context::<RecordRefresh>();
    Resource::new(
        move || (id.get(), refresh.map(|RecordRefresh(n)| n.get())),
        move |(id, _)| async move {
            match id {
                Some(id) => Some(api::records::get(kind, id).await),
                None => None,
            }
        },
    )
}

#[component]
pub fn RecordPage(kind: EntityKind) -> impl IntoView {
    provide_context(RecordRefresh(RwSignal::new(0)));
    provide_context(HistoryShown(RwSignal::new(false)));
    let id = use_record_id();
    let record = record_resource(kind, id);
    let statuses = statuses_resource(kind);
    let me = use_current_user();
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let statuses = statuses.await;
                let me = me.0.await;
                match record.await {
                    Some(Ok(record)) => view! { <RecordDetail kind record statuses me/> }.into_any(),
                    Some(Err(failure)) if failure.status != 404 => view! {
                        <MissingRecord kind message=failure.message().to_owned()/>
                    }.into_any(),
                    _ => view! {
                        <MissingRecord kind message=format!("This {} does not exist, or it was deleted.", kind.descriptor().singular)/>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn MissingRecord(kind: EntityKind, message: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found"/>
        <section class="page-header">
            <h1>{format!("{} not found", singular_label(kind))}</h1>
            <p class="muted">{message}</p>
            <div class="button-row">
                <A href=format!("/{}", kind.plural()) attr:class="button">{format!("All {}", kind.label().to_lowercase())}</A>
                <A href="/trash" attr:class="button subtle">"Trash"</A>
            </div>
        </section>
    }
}

/// Whether the record page shows its History tab (kept across a re-read of the record).
#[derive(Clone, Copy)]
struct HistoryShown(RwSignal<bool>);

/// The value of a field as a reader sees it: joined names instead of ids, references as links.
fn field_view(
    def: &'static FieldDef,
    record: &Record,
    statuses: &[shared::StatusOption],
) -> AnyView {
    if let Some(joined) = def.display_as {
        let name = record
            .get(joined)
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        let id = record.get(def.name).and_then(|v| v.as_i64());
        return match (referenced_kind(def.kind), name, id) {
            (Some(target), Some(name), Some(id)) => {
                view! { <A href=format!("/{}/{id}", target.plural())>{name}</A> }.into_any()
            }
            (_, Some(name), _) => name.into_any(),
            _ => EMPTY.into_any(),
        };
    }
    if let (Some(target), Some(id)) = (
        referenced_kind(def.kind),
        record.get(def.name).and_then(|v| v.as_i64()),
    ) {
        return view! { <A href=format!("/{}/{id}", target.plural())>{format!("{} #{id}", singular_label(target))}</A> }.into_any();
    }
    let text = cell_text(def.kind, record.get(def.name), statuses);
    match def.kind {
        FieldKind::Email if text != EMPTY => {
            let href = format!("mailto:{text}");
            view! { <a href=href>{text}</a> }.into_any()
        }
        FieldKind::Url if text != EMPTY => {
            let href = text.clone();
            view! { <a href=href rel="noopener noreferrer" target="_blank">{text}</a> }.into_any()
        }
        FieldKind::LongText => view! { <span class="long-text">{text}</span> }.into_any(),
        _ => text.into_any(),
    }
}

#[component]
fn RecordDetail(
    kind: EntityKind,
    record: Record,
    statuses: Vec<shared::StatusOption>,
    me: Option<shared::auth::Me>,
) -> impl IntoView {
    let descriptor = kind.descriptor();
    let id = record_id(&record);
    let title = record_title(kind, &record);
    let heading_field = shared::title_field(descriptor);
    let fields = descriptor
        .fields
        .iter()
        .filter(|def| def.name != heading_field)
        .map(|def| {
            view! {
                <div class="detail-field" data-field=def.name>
                    <dt>{def.label}</dt>
                    <dd>{field_view(def, &record, &statuses)}</dd>
                </div>
            }
        })
        .collect_view();
    let computed = descriptor
        .computed
        .iter()
        .map(|c| {
            view! {
                <div class="detail-field" data-field=c.name>
                    <dt>{c.label}</dt>
                    <dd>{cell_text(c.kind, record.get(c.name), &statuses)}</dd>
                </div>
            }
        })
        .collect_view();
    // Lists of modules the tenant switched off are left out.
    let related = related_lists(kind)
        .into_iter()
        .filter(|(other, _)| module_on(&me, *other))
        .map(|(other, param)| view! { <RelatedList kind=other param id/> })
        .collect_view();
    let delete_title = title.clone();
    let history = use_context::<HistoryShown>()
        .map_or_else(|| RwSignal::new(false), |HistoryShown(shown)| shown);
    let history_statuses = statuses.clone();
    view! {
        <Title text=title.clone()/>
        <section class="page-header with-actions">
            <div>
                <p class="eyebrow"><A href=format!("/{}", kind.plural())>{kind.label()}</A></p>
                <h1>{title.clone()}</h1>
            </div>
            <div class="button-row">
                <Allowed action=Action::UpdateRecord>
                    <A href=format!("/{}/{id}/edit", kind.plural()) attr:class="button primary">"Edit"</A>
                </Allowed>
                <Allowed action=Action::DeleteRecord>
                    <DeleteButton kind id title=delete_title.clone()/>
                </Allowed>
            </div>
        </section>
        <div class="tabs record-tabs" role="tablist" aria-label="Record">
            <button type="button" role="tab" class="tab" id="tab-details"
                aria-selected=move || (!history.get()).to_string() on:click=move |_| history.set(false)>"Details"</button>
            <button type="button" role="tab" class="tab" id="tab-history"
                aria-selected=move || history.get().to_string() on:click=move |_| history.set(true)>"History"</button>
        </div>
        <div role="tabpanel" aria-labelledby="tab-details" hidden=move || history.get()>
            <div class="card">
                <dl class="detail-grid">{fields}{computed}</dl>
            </div>
            {related}
        </div>
        <Show when=move || history.get()>
            <div role="tabpanel" aria-labelledby="tab-history">
                <HistoryPanel kind id statuses=history_statuses.clone()/>
            </div>
        </Show>
    }
}

/// Delete asks first, and says where the record goes.
#[component]
fn DeleteButton(kind: EntityKind, id: i64, title: String) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let flash = use_flash();
    let navigate = use_navigate();
    let noun = kind.descriptor().singular;
    // What the descriptor's cascades take to the trash along with this record.
    let cascade: String = kind
        .descriptor()
        .cascades
        .iter()
        .filter_map(|cascade| EntityKind::from_plural(cascade.child))
        .map(|child| {
            format!(
                " Its {} move to Trash with it.",
                child.label().to_lowercase()
            )
        })
        .collect();
    let confirm = {
        let title = title.clone();
        move |_| {
            busy.set(true);
            let navigate = navigate.clone();
            let title = title.clone();
            leptos::task::spawn_local(async move {
                match api::records::delete(kind, id).await {
                    Ok(()) => {
                        let list = format!("/{}", kind.plural());
                        flash.show_on(
                            &list,
                            format!("Deleted “{title}”. You can restore it from Trash."),
                        );
                        navigate(&list, Default::default());
                    }
                    Err(failure) => {
                        error.set(Some(failure.message().to_owned()));
                        busy.set(false);
                    }
                }
            });
        }
    };
    view! {
        <button type="button" class="button danger" on:click=move |_| confirming.set(true)
            aria-haspopup="dialog">"Delete"</button>
        <Show when=move || confirming.get()>
            <div class="confirm-panel card" role="alertdialog" aria-labelledby="confirm-delete-title" aria-describedby="confirm-delete-text">
                <h2 id="confirm-delete-title">{format!("Delete this {noun}?")}</h2>
                <p id="confirm-delete-text">
                    {format!("“{title}” moves to Trash, where it can be restored.{cascade}")}
                </p>
                <p class="form-error" role="alert">{move || error.get()}</p>
                <div class="button-row">
                    <button type="button" class="button danger" on:click=confirm.clone() disabled=move || busy.get()>
                        {format!("Delete {noun}")}
                    </button>
                    <button type="button" class="button subtle" on:click=move |_| confirming.set(false)>"Cancel"</button>
                </div>
            </div>
        </Show>
    }
}

/// Records shown in a related list; "View all" leads to the rest.
const RELATED_ROWS: u64 = 20;

/// Up to [`RELATED_ROWS`] records of `kind` whose `param` points at `id`, and a link to all of them.
#[component]
fn RelatedList(kind: EntityKind, param: &'static str, id: i64) -> impl IntoView {
    let latest = ReportQuery::from_pairs([
        (param.to_owned(), id.to_string()),
        ("page_size".to_owned(), RELATED_ROWS.to_string()),
        ("sort_by".to_owned(), "updated_at".to_owned()),
        ("sort_order".to_owned(), SortOrder::Desc.as_str().to_owned()),
    ]);
    let rows = Resource::new(
        move || latest.clone(),
        move |query| api::records::list(kind, &query),
    );
    let statuses = statuses_resource(kind);
    let descriptor = kind.descriptor();
    let status_field = descriptor.status.map(|(field, _)| field);
    let all = format!("/{}?{param}={id}", kind.plural());
    // The new record's form starts with this one chosen.
    let add = format!("/{}/new?{param}={id}", kind.plural());
    view! {
        <section class="card related" data-related=kind.plural()>
            <div class="related-header">
                <h2>{kind.label()}</h2>
                <div class="button-row">
                    <Allowed action=Action::CreateRecord>
                        <A href=add.clone() attr:class="button small subtle">"Add"</A>
                    </Allowed>
                    <A href=all attr:class="button small subtle">"View all"</A>
                </div>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let statuses = statuses.await;
                    match rows.await {
                        Ok(page) if page.data.is_empty() => view! { <p class="muted">{format!("No {} yet.", kind.label().to_lowercase())}</p> }.into_any(),
                        Ok(page) => {
                            let more = page.total.saturating_sub(page.data.len() as u64);
                            view! {
                            <ul class="related-list">
                                {page.data.into_iter().map(|record| {
                                    let name = record_title(kind, &record);
                                    let status = status_field.map(|f| cell_text(FieldKind::Status, record.get(f), &statuses));
                                    view! {
                                        <li>
                                            <A href=format!("/{}/{}", kind.plural(), record_id(&record))>{name}</A>
                                            {status.map(|s| view! { <span class="badge">{s}</span> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            {(more > 0).then(|| view! {
                                <p class="muted">{format!("and {more} more")}</p>
                            })}
                        }.into_any()
                        }
                        Err(failure) => view! { <p class="form-error">{failure.message().to_owned()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
