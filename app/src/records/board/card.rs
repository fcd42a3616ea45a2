//! One card of the board: the record's title (a link to it), its assignee and the entity's card field, and —
//! for those who may edit — a "Move to…" menu, the way to move by keyboard or touch. Dragging starts here.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::{EntityKind, FieldKind, RulesContext};

use super::moves::may_enter;
use crate::records::{format::cell_text, record_id, record_title, Record};

/// What a card tells the board: it is being dragged (`Some(id, status)`), or it asks to move.
#[derive(Clone, Copy)]
pub(super) struct CardEvents {
    pub dragging: RwSignal<Option<(i64, String)>>,
    pub move_to: Callback<(i64, String)>,
}

/// The kind a card field reads as: its field's, or text for a joined name (`client_name`).
fn card_field_kind(kind: EntityKind, name: &str) -> FieldKind {
    kind.descriptor()
        .field(name)
        .map_or(FieldKind::Text, |def| def.kind)
}

#[component]
pub(super) fn Card(
    kind: EntityKind,
    card: Record,
    /// The status the card is in.
    status: String,
    ctx: StoredValue<RulesContext>,
    editable: bool,
    events: CardEvents,
) -> impl IntoView {
    let id = record_id(&card);
    let title = record_title(kind, &card);
    let descriptor = kind.descriptor();
    let detail = descriptor.board.map(|board| {
        let kind = card_field_kind(kind, board.card_field);
        let label = descriptor
            .field(board.card_field)
            .map_or("", |def| def.label);
        (label, cell_text(kind, card.get(board.card_field), &[]))
    });
    let assignee = card
        .get("assigned_to_name")
        .and_then(|v| v.as_str())
        .filter(|name| !name.is_empty())
        .map_or_else(|| "Unassigned".to_owned(), str::to_owned);
    let dragging = events.dragging;
    let from = status.clone();
    let start_drag = move |ev: leptos::ev::DragEvent| {
        #[cfg(feature = "hydrate")]
        if let Some(transfer) = ev.data_transfer() {
            transfer.set_effect_allowed("move");
            let _ = transfer.set_data("text/plain", &id.to_string());
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
        dragging.set(Some((id, from.clone())));
    };
    let targets = ctx.with_value(|ctx| {
        ctx.statuses
            .iter()
            .filter(|s| s.key != status)
            .map(|s| {
                (
                    s.key.clone(),
                    s.label.clone(),
                    may_enter(ctx, &status, &s.key),
                )
            })
            .collect::<Vec<_>>()
    });
    let move_menu = editable.then(|| {
        let on_change = move |ev: leptos::ev::Event| {
            let to = event_target_value(&ev);
            if !to.is_empty() {
                events.move_to.run((id, to));
            }
        };
        view! {
            <select class="move-to" aria-label=format!("Move {title} to") data-testid="move-to" on:change=on_change>
                <option value="" selected>"Move to…"</option>
                {targets.into_iter().map(|(key, label, allowed)| {
                    let label = if allowed { label } else { format!("{label} (not allowed)") };
                    view! { <option value=key disabled=!allowed>{label}</option> }
                }).collect_view()}
            </select>
        }
    });
    view! {
        <article class="board-card" data-id=id data-testid=format!("card-{id}") draggable=editable.then_some("true")
            class:is-dragged=move || dragging.with(|d| d.as_ref().is_some_and(|(dragged, _)| *dragged == id))
            on:dragstart=start_drag on:dragend=move |_| dragging.set(None)>
            <A href=format!("/{}/{id}", kind.plural()) attr:class="board-card-title">{record_title(kind, &card)}</A>
            <p class="board-card-meta">
                <span class="board-card-assignee">{assignee}</span>
                {detail.map(|(label, text)| view! { <span class="board-card-field" title=label>{text}</span> })}
            </p>
            {move_menu}
        </article>
    }
}
