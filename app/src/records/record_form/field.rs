//! One input of the record form.

use leptos::prelude::*;
use shared::{descriptor::FieldDef, entities::user::UserOption, FieldKind, StatusOption};

use super::{draft::FieldState, reference_select::ReferenceSelect};
use crate::records::format::humanize;

/// The dropdown choices of a field, as (value, label); `None` for free-typed fields.
fn choices(
    def: &FieldDef,
    statuses: &[StatusOption],
    users: &[UserOption],
) -> Option<Vec<(String, String)>> {
    match def.kind {
        FieldKind::Status => Some(
            statuses
                .iter()
                .map(|s| (s.key.clone(), s.label.clone()))
                .collect(),
        ),
        FieldKind::Choice(keys) => {
            Some(keys.iter().map(|k| (k.to_string(), humanize(k))).collect())
        }
        FieldKind::User => Some(
            users
                .iter()
                .map(|u| (u.id.to_string(), u.name.clone()))
                .collect(),
        ),
        _ => None,
    }
}

/// One field: its label, the control its kind calls for (a dropdown for statuses, choices, users and
/// references; a textarea for long text; an input typed for the browser's keyboard otherwise) and its message.
#[component]
pub(crate) fn FormField(
    field: FieldState,
    /// Required by the descriptor or by a tenant rule (`validation_rules.<entity>.required`).
    required: bool,
    statuses: Vec<StatusOption>,
    users: Vec<UserOption>,
    on_input: impl Fn() + Copy + Send + Sync + 'static,
    on_leave: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let def = field.def;
    let id = field.id();
    let error_id = format!("{id}-error");
    let text = field.text;
    let invalid = move || {
        if field.error.get().is_some() {
            "true"
        } else {
            "false"
        }
    };
    let set = move |ev: leptos::ev::Event| {
        text.set(event_target_value(&ev));
        on_input();
    };
    let control = if let FieldKind::Reference(table) = def.kind {
        view! { <ReferenceSelect id=id.clone() table field error_id=error_id.clone() on_leave/> }
            .into_any()
    } else if let Some(options) = choices(def, &statuses, &users) {
        let blank = (!required).then(|| {
            let label = if def.kind == FieldKind::User {
                "Unassigned"
            } else {
                "—"
            };
            view! { <option value="" selected=move || text.get().is_empty()>{label}</option> }
        });
        view! {
            <select id=id.clone() name=def.name aria-invalid=invalid aria-describedby=error_id.clone()
                on:change=move |ev| { set(ev); on_leave() } prop:value=move || text.get()>
                {blank}
                {options.into_iter().map(|(value, label)| {
                    let key = value.clone();
                    view! { <option value=value selected=move || text.get() == key>{label}</option> }
                }).collect_view()}
            </select>
        }
        .into_any()
    } else if def.kind == FieldKind::LongText {
        view! {
            <textarea id=id.clone() name=def.name rows="4" aria-invalid=invalid aria-describedby=error_id.clone()
                prop:value=move || text.get() on:input=set on:blur=move |_| on_leave()>{text.get_untracked()}</textarea>
        }
        .into_any()
    } else {
        let (kind, mode) = match def.kind {
            FieldKind::Email => ("email", None),
            FieldKind::Phone => ("tel", None),
            FieldKind::Url => ("url", None),
            FieldKind::Date => ("date", None),
            FieldKind::Money => ("text", Some("decimal")),
            FieldKind::Integer => ("text", Some("numeric")),
            _ => ("text", None),
        };
        view! {
            <input id=id.clone() name=def.name type=kind inputmode=mode value=text.get_untracked()
                maxlength=def.max_chars.map(|m| m.to_string())
                aria-invalid=invalid aria-describedby=error_id.clone() aria-required=required.to_string()
                prop:value=move || text.get() on:input=set on:blur=move |_| on_leave()/>
        }
        .into_any()
    };
    view! {
        <div class="field" class:has-error=move || field.error.get().is_some() class:wide=def.kind == FieldKind::LongText data-field=def.name>
            <label for=id>{def.label}{required.then_some(view! { <span class="required" aria-hidden="true">" *"</span> })}</label>
            {control}
            <p class="field-error" id=error_id role="alert">{move || field.error.get()}</p>
        </div>
    }
}
