//! Create and edit forms for every entity, generated from the descriptor's writable fields. They validate
//! with the entity's `shared` validation as people type, leave a field and submit; the server's 400 details
//! land on the same fields, and a 409 is explained without losing what was typed.

use leptos::{ev::SubmitEvent, prelude::*};
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_query_map},
};
use serde_json::{Map, Value};
use shared::{
    descriptor::FieldDef,
    entities::user::UserOption,
    form::{field_text, field_value, validate_record},
    EntityKind, FieldError, FieldKind, RulesContext, StatusOption,
};

use super::{
    format::humanize,
    record_id,
    record_page::{record_resource, use_record_id, MissingRecord},
    record_title, record_version, statuses_resource, title_field, user_options_resource, ListPage,
    Record,
};
use crate::{
    api::{self, ApiFailure},
    flash::use_flash,
    forms::message_for,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormMode {
    Create,
    Edit,
}

#[component]
pub fn RecordFormPage(kind: EntityKind, mode: FormMode) -> impl IntoView {
    let statuses = statuses_resource(kind);
    let users = user_options_resource();
    match mode {
        FormMode::Create => {
            // `/projects/new?client_id=5` (from a client's page) starts with that client chosen.
            let query = use_query_map().get_untracked();
            let prefill: Record = kind
                .descriptor()
                .writable_fields()
                .filter_map(|def| {
                    query
                        .get(def.name)
                        .map(|v| (def.name.to_owned(), Value::String(v)))
                })
                .collect();
            view! {
                <Title text=format!("New {}", kind.descriptor().singular)/>
                <section class="page-header">
                    <p class="eyebrow"><A href=format!("/{}", kind.plural())>{kind.label()}</A></p>
                    <h1>{format!("New {}", kind.descriptor().singular)}</h1>
                </section>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || {
                        let prefill = prefill.clone();
                        Suspend::new(async move {
                            let statuses = statuses.await;
                            let users = users.await;
                            view! { <RecordForm kind original=None prefill statuses users/> }
                        })
                    }}
                </Transition>
            }
            .into_any()
        }
        FormMode::Edit => {
            let id = use_record_id();
            let record = record_resource(kind, id);
            view! {
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        let statuses = statuses.await;
                        let users = users.await;
                        match record.await {
                            Some(Ok(record)) => {
                                let title = record_title(kind, &record);
                                view! {
                                    <Title text=format!("Edit {title}")/>
                                    <section class="page-header">
                                        <p class="eyebrow"><A href=format!("/{}/{}", kind.plural(), record_id(&record))>{title.clone()}</A></p>
                                        <h1>{format!("Edit {}", kind.descriptor().singular)}</h1>
                                    </section>
                                    <RecordForm kind original=Some(record) prefill=Record::new() statuses users/>
                                }.into_any()
                            }
                            Some(Err(failure)) if failure.status != 404 => view! { <MissingRecord kind message=failure.message().to_owned()/> }.into_any(),
                            _ => view! { <MissingRecord kind message=format!("This {} does not exist, or it was deleted.", kind.descriptor().singular)/> }.into_any(),
                        }
                    })}
                </Transition>
            }
            .into_any()
        }
    }
}

/// One input of the form.
#[derive(Clone, Copy)]
struct FieldState {
    def: &'static FieldDef,
    text: RwSignal<String>,
    error: RwSignal<Option<String>>,
    /// Left at least once (or the form was submitted): only then are its messages shown.
    touched: RwSignal<bool>,
}

impl FieldState {
    fn id(&self) -> String {
        format!("field-{}", self.def.name)
    }
}

/// The record the fields describe, and every problem with it, exactly as the server would see them.
fn check(kind: EntityKind, fields: &[FieldState], ctx: &RulesContext) -> (Record, Vec<FieldError>) {
    let mut record = Map::new();
    let mut errors = Vec::new();
    for field in fields {
        match field_value(field.def, &field.text.get_untracked()) {
            Ok(value) => {
                record.insert(field.def.name.to_owned(), value);
            }
            Err(error) => {
                record.insert(field.def.name.to_owned(), Value::Null);
                errors.push(error);
            }
        }
    }
    for error in validate_record(kind, &record, ctx) {
        if !errors.iter().any(|e| e.field == error.field) {
            errors.push(error);
        }
    }
    (record, errors)
}

/// What an edit sends: the version it was read at and only the fields that changed (`null` clears one).
fn changes(record: &Record, original: &Record) -> Map<String, Value> {
    record
        .iter()
        .filter(|(name, value)| {
            let before = original.get(*name).unwrap_or(&Value::Null);
            field_text(Some(before)) != field_text(Some(value))
        })
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect()
}

#[component]
fn RecordForm(
    kind: EntityKind,
    original: Option<Record>,
    prefill: Record,
    statuses: Vec<StatusOption>,
    users: Vec<UserOption>,
) -> impl IntoView {
    let descriptor = kind.descriptor();
    let ctx = StoredValue::new(RulesContext::with_statuses(statuses.clone()));
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
        let (_, errors) = fields.with_value(|f| check(kind, f, &ctx.get_value()));
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
        let (record, _) = fields.with_value(|f| check(kind, f, &ctx.get_value()));
        let base = original.get_untracked();
        let request = match &base {
            None => {
                let body: Map<String, Value> =
                    record.into_iter().filter(|(_, v)| !v.is_null()).collect();
                Some(("POST", format!("/api/{}", kind.plural()), body))
            }
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
                Some((
                    "PATCH",
                    format!("/api/{}/{}", kind.plural(), record_id(base)),
                    body,
                ))
            }
        };
        let Some((method, path, body)) = request else {
            return;
        };
        busy.set(true);
        form_error.set(None);
        conflict.set(false);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match api::send::<_, Record>(method, &path, &body).await {
                Ok(saved) => {
                    let verb = if method == "POST" { "Created" } else { "Saved" };
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
    // After a 409: save what was typed over the newer version, or drop it and load that version.
    // The record as it is now on the server, with the one the form was read from.
    let latest = move || {
        let base = original.get_untracked()?;
        let path = format!("/api/{}/{}", kind.plural(), record_id(&base));
        Some((base, api::get::<Record>(&path)))
    };
    let overwrite = move |_| {
        let Some((base, latest)) = latest() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match latest.await {
                Ok(latest) => {
                    let version = record_version(&latest);
                    // Diff against the latest, so fields someone else changed and we did not stay theirs.
                    let ours = fields.with_value(|f| check(kind, f, &ctx.get_value()).0);
                    fields.with_value(|all| {
                        for field in all {
                            let typed = ours.get(field.def.name);
                            let was = base.get(field.def.name);
                            if field_text(typed) == field_text(was) {
                                field.text.set(field_text(latest.get(field.def.name)));
                            }
                        }
                    });
                    original.set(Some(latest));
                    submit.run(Some(version));
                }
                Err(failure) => form_error.set(Some(failure.message().to_owned())),
            }
        });
    };
    let discard = move |_| {
        let Some((_, latest)) = latest() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match latest.await {
                Ok(latest) => {
                    fields.with_value(|all| {
                        for field in all {
                            field.text.set(field_text(latest.get(field.def.name)));
                            field.error.set(None);
                            field.touched.set(false);
                        }
                    });
                    original.set(Some(latest));
                    conflict.set(false);
                    form_error.set(None);
                }
                Err(failure) => form_error.set(Some(failure.message().to_owned())),
            }
        });
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
            view! { <FormField field statuses=statuses.get_value() users=users.get_value() on_input on_leave/> }
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
                <Show when=move || conflict.get()>
                    <p class="muted">"What you typed is still in the form."</p>
                    <div class="button-row">
                        <button type="button" class="button" on:click=overwrite>"Save my version over theirs"</button>
                        <button type="button" class="button subtle" on:click=discard>"Discard mine and load theirs"</button>
                    </div>
                </Show>
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

#[component]
fn FormField(
    field: FieldState,
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
        let blank = (!def.required).then(|| {
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
                aria-invalid=invalid aria-describedby=error_id.clone() aria-required=def.required.to_string()
                prop:value=move || text.get() on:input=set on:blur=move |_| on_leave()/>
        }
        .into_any()
    };
    view! {
        <div class="field" class:has-error=move || field.error.get().is_some() class:wide=def.kind == FieldKind::LongText data-field=def.name>
            <label for=id>{def.label}{def.required.then_some(view! { <span class="required" aria-hidden="true">" *"</span> })}</label>
            {control}
            <p class="field-error" id=error_id role="alert">{move || field.error.get()}</p>
        </div>
    }
}

/// A record of another entity, chosen by name (the first 200 by name, plus the current one).
#[component]
fn ReferenceSelect(
    id: String,
    table: &'static str,
    field: FieldState,
    error_id: String,
    on_leave: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let target = EntityKind::from_plural(table);
    let title = target.map(|k| title_field(k.descriptor())).unwrap_or("id");
    let options = Resource::new(
        move || (),
        move |_| async move {
            api::get::<ListPage>(&format!(
                "/api/{table}?page_size=200&sort_by={title}&sort_order=asc"
            ))
            .await
            .map(|page| page.data)
            .unwrap_or_default()
        },
    );
    let text = field.text;
    let def = field.def;
    let invalid = move || {
        if field.error.get().is_some() {
            "true"
        } else {
            "false"
        }
    };
    let placeholder = if def.required {
        format!(
            "Choose a {}",
            target.map(|k| k.descriptor().singular).unwrap_or("record")
        )
    } else {
        "—".to_owned()
    };
    view! {
        <select id=id name=def.name aria-invalid=invalid aria-describedby=error_id prop:value=move || text.get()
            on:change=move |ev| { text.set(event_target_value(&ev)); on_leave() }>
            <option value="" selected=move || text.get().is_empty()>{placeholder}</option>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let records = options.await;
                    let current = text.get_untracked();
                    let listed = records.iter().any(|r| record_id(r).to_string() == current);
                    let extra = (!current.is_empty() && !listed).then(|| {
                        let key = current.clone();
                        view! { <option value=current.clone() selected=move || text.get() == key>{format!("#{current}")}</option> }
                    });
                    view! {
                        {extra}
                        {records.into_iter().map(|record| {
                            let value = record_id(&record).to_string();
                            let key = value.clone();
                            let label = target.map(|k| record_title(k, &record)).unwrap_or_else(|| value.clone());
                            view! { <option value=value selected=move || text.get() == key>{label}</option> }
                        }).collect_view()}
                    }
                })}
            </Transition>
        </select>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_sends_only_what_changed() {
        let original: Record = serde_json::from_str(
            r#"{"company_name": "Acme", "email": null, "phone": "555 0100 000", "budget": "10.00"}"#,
        )
        .unwrap();
        let typed: Record = serde_json::from_str(
            r#"{"company_name": "Acme", "email": "a@b.co", "phone": null, "budget": "10.00"}"#,
        )
        .unwrap();
        let sent = changes(&typed, &original);
        assert_eq!(
            Value::Object(sent),
            serde_json::json!({"email": "a@b.co", "phone": null})
        );
    }
}
