//! The pipeline board (`/{entity}/board`): the report's filters and sort shown as one column per status of
//! the tenant. Cards move by dragging or by their "Move to…" menu: the move shows at once and is sent as an
//! update carrying the card's version; the same `shared` rules the server applies say beforehand whether the
//! workflow allows it (`moves`), a status that needs fields opens a small form for them (`missing_fields`),
//! and whatever the server refuses moves back with its reason.

mod card;
mod missing_fields;
pub mod moves;

use leptos::{prelude::*, task::spawn_local};
use serde_json::{Map, Value};
use shared::{
    board::Board, entities::user::UserOption, permissions::Action, EntityKind, RulesContext,
    StatusCategory,
};

use self::{
    card::{Card, CardEvents},
    missing_fields::{MissingFields, PendingMove},
    moves::{may_enter, put, replace, take, verdict, Verdict},
};
use super::{
    can, format, query::ReportQuery, record_id, record_title, record_version,
    tenant_config_resource, user_options_resource, Record,
};
use crate::{api, session::use_current_user};

/// The board of `kind` for the report's view in `query`.
#[component]
pub fn BoardView(kind: EntityKind, query: Memo<ReportQuery>) -> impl IntoView {
    let config = tenant_config_resource();
    let users = user_options_resource();
    let me = use_current_user();
    let loaded = Resource::new(
        move || query.with(ReportQuery::export_query_string),
        move |_| {
            let query = query.get_untracked();
            async move { api::records::board(kind, &query, None, 0).await }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="table-state muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let ctx = config.await.rules_for(kind);
                let users = users.await;
                let editable = can(&me.0.await, Action::UpdateRecord);
                match loaded.await {
                    Ok(board) => view! { <Columns kind board ctx users editable query/> }.into_any(),
                    Err(failure) => view! {
                        <div class="card table-state error" role="alert">
                            <p>{failure.message().to_owned()}</p>
                            <button type="button" class="button" on:click=move |_| loaded.refetch()>"Try again"</button>
                        </div>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
}

/// What the board last said: a move done, or why one was not.
#[derive(Clone, PartialEq)]
struct Notice {
    refused: bool,
    text: String,
}

#[component]
fn Columns(
    kind: EntityKind,
    board: Board<Record>,
    ctx: RulesContext,
    users: Vec<UserOption>,
    editable: bool,
    query: Memo<ReportQuery>,
) -> impl IntoView {
    let descriptor = kind.descriptor();
    let status_field = descriptor.status.map_or("", |(field, _)| field);
    let sum_field = descriptor.board.and_then(|board| board.sum);
    let state = RwSignal::new(board);
    let ctx = StoredValue::new(ctx);
    let dragging = RwSignal::new(None::<(i64, String)>);
    let over = RwSignal::new(None::<String>);
    let notice = RwSignal::new(None::<Notice>);
    let pending = RwSignal::new(None::<PendingMove>);
    let collapsed = RwSignal::new(Vec::<String>::new());
    let say = move |refused: bool, text: String| notice.set(Some(Notice { refused, text }));

    // Moves the card at once, then sends the update; puts it back (as stored) if the server refuses.
    let send = move |id: i64, to: String, extra: Map<String, Value>| {
        let Some((from, original)) = state.try_update(|b| take(b, id, sum_field)).flatten() else {
            return;
        };
        let title = record_title(kind, &original);
        let to_label = ctx.with_value(|ctx| ctx.status_label(&to).to_owned());
        let mut moved = original.clone();
        for (name, value) in &extra {
            moved.insert(name.clone(), value.clone());
        }
        moved.insert(status_field.to_owned(), Value::from(to.clone()));
        state.update(|b| put(b, &to, moved, sum_field));
        let mut changes = extra;
        changes.insert(status_field.to_owned(), Value::from(to));
        changes.insert("version".to_owned(), Value::from(record_version(&original)));
        spawn_local(async move {
            match api::records::update(kind, id, &changes).await {
                Ok(stored) => {
                    state.update(|b| replace(b, id, stored, status_field, sum_field));
                    say(false, format!("Moved {title} to {to_label}."));
                }
                Err(failure) if failure.status == 409 => {
                    match api::records::get(kind, id).await {
                        Ok(fresh) => {
                            state.update(|b| replace(b, id, fresh, status_field, sum_field))
                        }
                        Err(_) => state.update(|b| {
                            take(b, id, sum_field);
                        }),
                    }
                    say(
                        true,
                        format!("{title} was changed by someone else since the board loaded, so it was not moved. It now shows what they saved; move it again if you still want to."),
                    );
                }
                Err(failure) if failure.status == 404 => {
                    state.update(|b| {
                        take(b, id, sum_field);
                    });
                    say(true, format!("{title} no longer exists."));
                }
                Err(failure) => {
                    state.update(|b| {
                        take(b, id, sum_field);
                        put(b, &from, original, sum_field);
                    });
                    let reasons: Vec<String> = failure
                        .details()
                        .iter()
                        .map(|d| d.message.clone())
                        .collect();
                    let reason = if reasons.is_empty() {
                        failure.message().to_owned()
                    } else {
                        reasons.join(" ")
                    };
                    say(true, format!("{title} was not moved: {reason}"));
                }
            }
        });
    };
    // Asks the tenant's rules first: a refused move is explained, missing fields are asked for.
    let attempt = move |id: i64, to: String| {
        let Some(card) = state.with_untracked(|b| {
            b.columns
                .iter()
                .flat_map(|column| column.cards.iter())
                .find(|card| record_id(card) == id)
                .cloned()
        }) else {
            return;
        };
        match ctx.with_value(|ctx| verdict(kind, &card, &to, &Map::new(), ctx)) {
            Verdict::Allowed => send(id, to, Map::new()),
            Verdict::Refused(reason) => say(true, format!("Not moved: {reason}")),
            Verdict::NeedsFields(missing) => pending.set(Some(PendingMove { card, to, missing })),
        }
    };
    let events = CardEvents {
        dragging,
        move_to: Callback::new(move |(id, to): (i64, String)| attempt(id, to)),
    };
    let show_more = move |key: String| {
        let offset = state.with_untracked(|b| b.column(&key).map_or(0, |c| c.cards.len()));
        let query = query.get_untracked();
        spawn_local(async move {
            match api::records::board(kind, &query, Some(&key), offset).await {
                Ok(more) => state.update(|b| {
                    let (Some(column), Some(fetched)) = (
                        b.columns.iter_mut().find(|c| c.status.key == key),
                        more.columns.into_iter().find(|c| c.status.key == key),
                    ) else {
                        return;
                    };
                    for card in fetched.cards {
                        if !column
                            .cards
                            .iter()
                            .any(|c| record_id(c) == record_id(&card))
                        {
                            column.cards.push(card);
                        }
                    }
                    column.more = fetched.more;
                }),
                Err(failure) => say(true, failure.message().to_owned()),
            }
        });
    };

    let plural = kind.plural();
    let column_views = move || {
        state.with(|b| {
            b.columns
                .iter()
                .map(|column| {
                    let key = column.status.key.clone();
                    let closed = column.status.category != StatusCategory::Open;
                    let (k1, k2, k3, k4, k5, k6, k7) = (
                        key.clone(),
                        key.clone(),
                        key.clone(),
                        key.clone(),
                        key.clone(),
                        key.clone(),
                        key.clone(),
                    );
                    let is_collapsed = move || collapsed.with(|c| c.contains(&k1));
                    let allowed_here = move || {
                        dragging.with(|d| {
                            d.as_ref().is_some_and(|(_, from)| ctx.with_value(|ctx| may_enter(ctx, from, &k2)))
                        })
                    };
                    let refused_here = move || {
                        dragging.with(|d| {
                            d.as_ref().is_some_and(|(_, from)| {
                                *from != k3 && !ctx.with_value(|ctx| may_enter(ctx, from, &k3))
                            })
                        })
                    };
                    let cards = column
                        .cards
                        .iter()
                        .map(|card| {
                            view! { <Card kind card=card.clone() status=key.clone() ctx editable events/> }
                        })
                        .collect_view();
                    let empty = column.cards.is_empty().then(|| {
                        view! { <p class="board-empty muted">{format!("No {plural}")}</p> }
                    });
                    let more = column.more.then(|| {
                        let key = k4.clone();
                        view! {
                            <button type="button" class="button small subtle board-more" data-testid="show-more"
                                on:click=move |_| show_more(key.clone())>"Show more"</button>
                        }
                    });
                    let collapse = closed.then(|| {
                        let key = k5.clone();
                        let is_collapsed = is_collapsed.clone();
                        view! {
                            <button type="button" class="button small subtle" aria-expanded=move || (!is_collapsed()).to_string()
                                on:click=move |_| collapsed.update(|c| match c.iter().position(|k| *k == key) {
                                    Some(index) => { c.remove(index); }
                                    None => c.push(key.clone()),
                                })>
                                {let is_collapsed = is_collapsed.clone(); move || if is_collapsed() { "Expand" } else { "Collapse" }}
                            </button>
                        }
                    });
                    let sum = column
                        .status
                        .sum
                        .map(|sum| view! { <span class="board-sum" data-testid="sum">{format::money(&sum.to_string())}</span> });
                    view! {
                        <section class="board-column" data-status=key.clone() data-testid=format!("column-{key}")
                            aria-label=column.status.label.clone()
                            class:is-closed=closed class:is-unknown=!column.status.known
                            class:is-collapsed=is_collapsed
                            class:drop-allowed=allowed_here class:drop-refused=refused_here
                            class:drop-over=move || over.with(|o| o.as_deref() == Some(k6.as_str()))
                            on:dragover=move |ev: leptos::ev::DragEvent| {
                                if dragging.with_untracked(Option::is_some) {
                                    ev.prevent_default();
                                    if over.with_untracked(|o| o.as_deref() != Some(k7.as_str())) {
                                        over.set(Some(k7.clone()));
                                    }
                                }
                            }
                            on:drop=move |ev: leptos::ev::DragEvent| {
                                ev.prevent_default();
                                over.set(None);
                                if let Some((id, from)) = dragging.get_untracked() {
                                    dragging.set(None);
                                    if from != key {
                                        attempt(id, key.clone());
                                    }
                                }
                            }>
                            <header class="board-column-header">
                                <h2>{column.status.label.clone()}</h2>
                                <span class="board-count" data-testid="count">{format::count(column.status.count)}</span>
                                {sum}
                                {collapse}
                            </header>
                            <p class="drop-note" aria-hidden="true">"Not allowed"</p>
                            <div class="board-cards">{cards}{empty}</div>
                            {more}
                        </section>
                    }
                })
                .collect_view()
        })
    };
    let summary = move || {
        state.with(|b| {
            let noun = match b.total {
                1 => kind.descriptor().singular.to_owned(),
                _ => kind.label().to_lowercase(),
            };
            format!("{} {noun}", format::count(b.total))
        })
    };
    let users = StoredValue::new(users);
    view! {
        <p class="board-summary muted" data-testid="board-total">{summary}</p>
        {move || notice.get().map(|notice| view! {
            <p class="board-notice" class:is-refused=notice.refused role=if notice.refused { "alert" } else { "status" }
                data-testid="board-notice">{notice.text}</p>
        })}
        <div class="board" data-testid="board" on:dragend=move |_| { over.set(None); dragging.set(None); }>
            {column_views}
        </div>
        {move || pending.get().map(|waiting| {
            let id = record_id(&waiting.card);
            let to = waiting.to.clone();
            view! {
                <MissingFields kind pending=waiting ctx users=users.get_value()
                    on_done=Callback::new(move |extra: Map<String, Value>| {
                        pending.set(None);
                        send(id, to.clone(), extra);
                    })
                    on_cancel=Callback::new(move |()| pending.set(None))/>
            }
        })}
    }
}
