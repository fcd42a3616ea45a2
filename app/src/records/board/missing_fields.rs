//! The small form a move opens when the status it enters needs fields the record lacks (the tenant's
//! required-on-enter rules): those fields alone, checked by the same `shared` rules before the move is sent.

use leptos::{ev::SubmitEvent, prelude::*};
use serde_json::{Map, Value};
use shared::{
    entities::user::UserOption,
    form::{field_text, field_value},
    EntityKind, FieldError, RulesContext,
};

use super::moves::{verdict, Verdict};
use crate::records::{
    record_form::{FieldState, FormField},
    record_title, Record,
};

/// A move waiting for fields.
#[derive(Clone)]
pub(super) struct PendingMove {
    pub card: Record,
    pub to: String,
    pub missing: Vec<FieldError>,
}

#[component]
pub(super) fn MissingFields(
    kind: EntityKind,
    pending: PendingMove,
    ctx: StoredValue<RulesContext>,
    users: Vec<UserOption>,
    /// The filled-in fields: the move goes ahead with them.
    on_done: Callback<Map<String, Value>>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let descriptor = kind.descriptor();
    let fields: Vec<FieldState> = descriptor
        .writable_fields()
        .filter(|def| pending.missing.iter().any(|e| e.field == def.name))
        .map(|def| FieldState {
            def,
            text: RwSignal::new(field_text(pending.card.get(def.name))),
            error: RwSignal::new(None),
            touched: RwSignal::new(false),
        })
        .collect();
    let general = RwSignal::new(
        pending
            .missing
            .iter()
            .filter(|e| descriptor.writable_fields().all(|def| def.name != e.field))
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join(" "),
    );
    let to_label = ctx.with_value(|ctx| ctx.status_label(&pending.to).to_owned());
    let heading = format!(
        "Moving {} to {to_label} needs a little more",
        record_title(kind, &pending.card)
    );
    let stored = StoredValue::new(fields.clone());
    let card = StoredValue::new(pending.card.clone());
    let to = pending.to.clone();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let mut extra = Map::new();
        let mut unreadable = false;
        stored.with_value(|fields| {
            for field in fields {
                field.touched.set(true);
                match field_value(field.def, &field.text.get_untracked()) {
                    Ok(value) => {
                        field.error.set(None);
                        extra.insert(field.def.name.to_owned(), value);
                    }
                    Err(error) => {
                        field.error.set(Some(error.message));
                        unreadable = true;
                    }
                }
            }
        });
        if unreadable {
            return;
        }
        match card.with_value(|card| ctx.with_value(|ctx| verdict(kind, card, &to, &extra, ctx))) {
            Verdict::Allowed => on_done.run(extra),
            Verdict::Refused(message) => general.set(message),
            Verdict::NeedsFields(errors) => stored.with_value(|fields| {
                for field in fields {
                    field.error.set(
                        errors
                            .iter()
                            .find(|e| e.field == field.def.name)
                            .map(|e| e.message.clone()),
                    );
                }
            }),
        }
    };
    let statuses = ctx.with_value(|ctx| ctx.statuses.clone());
    view! {
        <div class="board-dialog-backdrop">
            <form class="card board-dialog" role="dialog" aria-modal="true" aria-labelledby="missing-fields-heading"
                data-testid="missing-fields" on:submit=submit novalidate>
                <h2 id="missing-fields-heading">{heading}</h2>
                <p class="form-error" role="alert">{move || general.get()}</p>
                {fields.into_iter().map(|field| {
                    let first_message = pending.missing.iter().find(|e| e.field == field.def.name).map(|e| e.message.clone());
                    field.error.set(first_message);
                    view! {
                        <FormField field required=true statuses=statuses.clone() users=users.clone()
                            on_input=move || {} on_leave=move || {}/>
                    }
                }).collect_view()}
                <div class="form-actions">
                    <button type="submit" class="button primary">{format!("Move to {to_label}")}</button>
                    <button type="button" class="button subtle" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                </div>
            </form>
        </div>
    }
}
