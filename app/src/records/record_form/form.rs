//! The record form: its fields, client-side validation as people type, leave and submit, the save itself, and
//! the server's answers placed on the fields they concern.

use leptos::{ev::SubmitEvent, prelude::*};
use leptos_router::{components::A, hooks::use_navigate};
use serde_json::{Map, Value};
use shared::{
    descriptor::FieldDef, entities::user::UserOption, form::field_text, EntityKind, FieldKind,
    RulesContext, StatusOption,
};

use super::{
    conflict::ConflictChoices,
    draft::{changes, check, FieldState},
    field::FormField,
};
use crate::{
    api::{self, ApiFailure},
    flash::use_flash,
    forms::message_for,
    records::{record_id, record_title, record_version, Record},
};

/// What a submit sends: a new record's fields, or an existing record's changes with the version they were
/// read at.
enum Save {
    Create(Map<String, Value>),
    Update(i64, Map<String, Value>),
}

/// The form of a new record (`original` is `None`, `prefill` may choose some fields) or of an existing one.
#[component]
pub(super) fn RecordForm(
    kind: EntityKind,
    original: Option<Record>,
    prefill: Record,
    /// The tenant's statuses and rules for `kind` (`BackendConfig::rules_for`).
    ctx: RulesContext,
    users: Vec<UserOption>,
    /// Fields left out (references to a module the tenant switched off).
    hidden: Vec<&'static str>,
) -> impl IntoView {
    let descriptor = kind.descriptor();
    let statuses = status_choices(&ctx, original.as_ref().map(|record| (kind, record)));
    let ctx = StoredValue::new(ctx);
    let original = RwSignal::new(original);
    let editing = original.get_untracked().is_some();
    let initial_text = |def: &FieldDef| -> String {
        if let Some(record) = original.get_untracked() {
            return field_text(record.get(def.name));
        }
        if let Some(value) = prefill.get(def.name) {
            return field_text(Some(value));
        }
        match def.kind {
            FieldKind::Status => statuses.first().map(|s| s.key.clone()).unwrap_or_default(),
            _ => def.default.unwrap_or_default().to_owned(),
        }
    };
    let fields: Vec<FieldState> = descriptor
        .writable_fields()
        .filter(|def| !hidden.contains(&def.name))
        .map(|def| FieldState {
            def,
            text: RwSignal::new(initial_text(def)),
            error: RwSignal::new(None),
            touched: RwSignal::new(false),
        })
        .collect();
    let fields = StoredValue::new(fields);
    let form_error = RwSignal::new(None::<String>);
    let conflict = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let flash = use_flash();
    let navigate = use_navigate();

    // Shows the messages of touched fields; untouched ones stay quiet until they are left or submitted.
    let refresh_messages = move || {
        let (_, errors) = original.with_untracked(|original| {
            fields.with_value(|f| check(kind, f, &ctx.get_value(), original.as_ref()))
        });
        fields.with_value(|all| {
            for field in all {
                let message = field
                    .touched
                    .get_untracked()
                    .then(|| message_for(&errors, field.def.name))
                    .flatten();
                field.error.set(message);
            }
        });
        let general: Vec<_> = errors
            .iter()
            .filter(|e| fields.with_value(|all| !all.iter().any(|f| f.def.name == e.field)))
            .map(|e| e.message.clone())
            .collect();
        form_error.set((!general.is_empty()).then(|| general.join(" ")));
        errors
    };
    let show_server_errors = move |failure: &ApiFailure| {
        let mut unplaced = Vec::new();
        fields.with_value(|all| {
            for detail in failure.details() {
                match all.iter().find(|f| f.def.name == detail.field) {
                    Some(field) => {
                        field.touched.set(true);
                        field.error.set(Some(detail.message.clone()));
                    }
                    None if detail.field == "version" => {}
                    None => unplaced.push(detail.message.clone()),
                }
            }
        });
        let placed_on_fields =
            failure.details().iter().any(|d| d.field != "version") && unplaced.is_empty();
        form_error.set(Some(if placed_on_fields {
            "Please correct the highlighted fields.".to_owned()
        } else if unplaced.is_empty() {
            failure.message().to_owned()
        } else {
            unplaced.join(" ")
        }));
    };

    let submit = move |overwrite_version: Option<i64>| {
        fields.with_value(|all| all.iter().for_each(|f| f.touched.set(true)));
        let errors = refresh_messages();
        if !errors.is_empty() {
            form_error.set(Some(format!(
                "Please correct {} before saving.",
                if errors.len() == 1 {
                    "the highlighted field".to_owned()
                } else {
                    format!("the {} highlighted fields", errors.len())
                }
            )));
            let first = fields.with_value(|all| {
                all.iter()
                    .find(|f| errors.iter().any(|e| e.field == f.def.name))
                    .map(|f| f.id())
            });
            focus(first);
            return;
        }
        if busy.get_untracked() {
            return;
        }
        let (record, _) = fields.with_value(|f| check(kind, f, &ctx.get_value(), None));
        let base = original.get_untracked();
        let save = match &base {
            None => Save::Create(record.into_iter().filter(|(_, v)| !v.is_null()).collect()),
            Some(base) => {
                let mut body = changes(&record, base);
                if body.is_empty() {
                    navigate(
                        &format!("/{}/{}", kind.plural(), record_id(base)),
                        Default::default(),
                    );
                    return;
                }
                body.insert(
                    "version".into(),
                    overwrite_version
                        .unwrap_or_else(|| record_version(base))
                        .into(),
                );
                Save::Update(record_id(base), body)
            }
        };
        busy.set(true);
        form_error.set(None);
        conflict.set(false);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let (verb, result) = match save {
                Save::Create(fields) => ("Created", api::records::create(kind, &fields).await),
                Save::Update(id, changes) => {
                    ("Saved", api::records::update(kind, id, &changes).await)
                }
            };
            match result {
                Ok(saved) => {
                    let page = format!("/{}/{}", kind.plural(), record_id(&saved));
                    flash.show_on(&page, format!("{verb} “{}”.", record_title(kind, &saved)));
                    navigate(&page, Default::default());
                }
                Err(failure)
                    if failure.status == 409
                        && failure.details().iter().any(|d| d.field == "version") =>
                {
                    conflict.set(true);
                    form_error.set(Some(failure.message().to_owned()));
                }
                Err(failure) => show_server_errors(&failure),
            }
            busy.set(false);
        });
    };
    let submit = Callback::new(submit);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.run(None);
    };
    let users = StoredValue::new(users);
    let statuses = StoredValue::new(statuses);
    let inputs = fields
        .get_value()
        .into_iter()
        .map(|field| {
            let on_input = move || {
                // Once a message is showing, it follows every keystroke, so it disappears as soon as it is fixed.
                if field.touched.get_untracked() {
                    refresh_messages();
                }
            };
            let on_leave = move || {
                field.touched.set(true);
                refresh_messages();
            };
            let required = field.def.required
                || ctx.with_value(|ctx| ctx.validation.required.iter().any(|r| r == field.def.name));
            view! { <FormField field required statuses=statuses.get_value() users=users.get_value() on_input on_leave/> }
        })
        .collect_view();
    let cancel_href = match original.get_untracked() {
        Some(record) => format!("/{}/{}", kind.plural(), record_id(&record)),
        None => format!("/{}", kind.plural()),
    };
    let noun = descriptor.singular;
    view! {
        <form class="card stack record-form" novalidate on:submit=on_submit data-entity=kind.plural()>
            <div class="form-grid">{inputs}</div>
            <div class="form-error" role="alert" class:conflict=move || conflict.get()>
                {move || form_error.get().map(|message| view! { <p>{message}</p> })}
                <ConflictChoices kind original fields ctx submit conflict form_error/>
            </div>
            <div class="button-row">
                <button type="submit" class="button primary" disabled=move || busy.get()>
                    {if editing { "Save changes".to_owned() } else { format!("Create {noun}") }}
                </button>
                <A href=cancel_href attr:class="button subtle">"Cancel"</A>
            </div>
        </form>
    }
}

/// The statuses a status dropdown offers, in the tenant's order: for a new record those it may start in (the
/// workflow's `initial`), for an existing one its current status and those the workflow allows from it.
pub(super) fn status_choices(
    ctx: &RulesContext,
    original: Option<(EntityKind, &Record)>,
) -> Vec<StatusOption> {
    let workflow = &ctx.workflow;
    match original {
        None => ctx
            .statuses
            .iter()
            .filter(|s| {
                workflow
                    .initial
                    .as_ref()
                    .is_none_or(|initial| initial.contains(&s.key))
            })
            .cloned()
            .collect(),
        Some((kind, record)) => {
            let current = kind
                .descriptor()
                .status
                .and_then(|(field, _)| record.get(field)?.as_str());
            ctx.statuses
                .iter()
                .filter(|s| current.is_none_or(|from| workflow.allows(from, &s.key)))
                .cloned()
                .collect()
        }
    }
}

fn focus(id: Option<String>) {
    #[cfg(feature = "hydrate")]
    if let Some(element) = id.and_then(|id| document().get_element_by_id(&id)) {
        use wasm_bindgen::JsCast;
        if let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() {
            let _ = element.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}
