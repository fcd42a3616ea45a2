//! Validation rules per entity and workflow rules per status entity, their fields picked from the entity's
//! descriptor. Each control writes the document's value as typed; the shared check marks what is wrong.

use leptos::prelude::*;
use serde_json::{json, Value};
use shared::{
    descriptor::{EntityDescriptor, FieldDef},
    entities::status::STATUS_ENTITIES,
    EntityKind, FieldKind, ENTITY_KINDS,
};

use super::{set_at, status_keys, value_at, Editor};
use crate::records::format::humanize;

fn errors_view(editor: Editor, path: String) -> impl IntoView {
    view! {
        <div class="field-error" role="alert">
            {move || editor.messages_at(&path).into_iter().map(|m| view! { <p>{m}</p> }).collect_view()}
        </div>
    }
}

/// The text a rule's value shows as (a number, an amount, a date, or what was typed).
fn text_of(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

/// What typed text becomes in the document: nothing when blank, a number when it is one and the rule wants
/// one, the text otherwise (so the check reports it as the server would).
fn typed_value(text: &str, numeric: bool) -> Option<Value> {
    let text = text.trim();
    if text.is_empty() {
        None
    } else if numeric {
        Some(
            text.parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(text)),
        )
    } else {
        Some(Value::from(text))
    }
}

fn is_free_text(kind: FieldKind) -> bool {
    matches!(
        kind,
        FieldKind::Text
            | FieldKind::LongText
            | FieldKind::Email
            | FieldKind::Phone
            | FieldKind::Url
    )
}

fn is_range(kind: FieldKind) -> bool {
    matches!(
        kind,
        FieldKind::Money | FieldKind::Integer | FieldKind::Date
    )
}

/// A list of strings in the document as a set of checkboxes: checked = listed.
fn toggle_in_list(doc: &mut Value, path: &[&str], item: &str, on: bool) {
    let mut list: Vec<String> = value_at(doc, path)
        .and_then(Value::as_array)
        .map(|l| {
            l.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    list.retain(|x| x != item);
    if on {
        list.push(item.to_owned());
    }
    set_at(doc, path, (!list.is_empty()).then(|| json!(list)));
}

fn listed(editor: Editor, path: Vec<String>, item: &'static str) -> impl Fn() -> bool + Copy {
    let path = StoredValue::new(path);
    move || {
        editor.draft.with(|doc| {
            path.with_value(|path| {
                let path: Vec<&str> = path.iter().map(String::as_str).collect();
                value_at(doc, &path)
                    .and_then(Value::as_array)
                    .is_some_and(|l| l.iter().any(|v| v.as_str() == Some(item)))
            })
        })
    }
}

#[component]
pub(super) fn ValidationRulesCard(editor: Editor) -> impl IntoView {
    let kind = RwSignal::new(EntityKind::Lead);
    view! {
        <section class="card stack validation-rules">
            <h2>"Validation rules"</h2>
            <div class="field">
                <label for="rules-entity">"Entity"</label>
                <select id="rules-entity" on:change=move |ev| {
                    if let Some(k) = EntityKind::from_plural(&event_target_value(&ev)) { kind.set(k) }
                }>
                    {ENTITY_KINDS.map(|k| view! { <option value=k.plural() selected=move || kind.get() == k>{k.label()}</option> }).collect_view()}
                </select>
            </div>
            {move || view! { <EntityValidation editor descriptor=kind.get().descriptor()/> }}
        </section>
    }
}

#[component]
fn EntityValidation(editor: Editor, descriptor: &'static EntityDescriptor) -> impl IntoView {
    let entity = descriptor.singular;
    let base = format!("validation_rules.{entity}");
    let required = descriptor
        .writable_fields()
        .filter(|def| !def.required)
        .map(|def| {
            let checked = listed(
                editor,
                vec![
                    "validation_rules".into(),
                    entity.into(),
                    "required".into(),
                ],
                def.name,
            );
            let id = format!("required-{entity}-{}", def.name);
            view! {
                <div class="checkbox-field">
                    <input id=id.clone() type="checkbox" data-required=def.name prop:checked=checked on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        editor.edit(|doc| toggle_in_list(doc, &["validation_rules", entity, "required"], def.name, on));
                    }/>
                    <label for=id>{def.label}</label>
                </div>
            }
        })
        .collect_view();
    let limits = descriptor
        .writable_fields()
        .filter(|def| is_free_text(def.kind) && def.max_chars.is_some())
        .map(|def| rule_input(editor, entity, "max_chars", def, true))
        .collect_view();
    let ranges = descriptor
        .writable_fields()
        .filter(|def| is_range(def.kind))
        .map(|def| {
            let numeric = def.kind == FieldKind::Integer;
            view! {
                <div class="range-rule">
                    {rule_input(editor, entity, "min", def, numeric)}
                    {rule_input(editor, entity, "max", def, numeric)}
                </div>
            }
        })
        .collect_view();
    let has_email = descriptor
        .writable_fields()
        .any(|def| def.kind == FieldKind::Email);
    let domains = has_email.then(|| {
        let initial = editor.draft.with_untracked(|doc| {
            value_at(doc, &["validation_rules", entity, "email_domains"])
                .and_then(Value::as_array)
                .map(|l| l.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
                .unwrap_or_default()
        });
        let id = format!("email-domains-{entity}");
        view! {
            <div class="field">
                <label for=id.clone()>"Email domains (comma-separated; blank = any)"</label>
                <input id=id type="text" value=initial placeholder="example.com" on:input=move |ev| {
                    let text = event_target_value(&ev);
                    let list: Vec<String> = text.split(',').map(|d| d.trim().to_owned()).filter(|d| !d.is_empty()).collect();
                    editor.edit(|doc| set_at(doc, &["validation_rules", entity, "email_domains"], (!list.is_empty()).then(|| json!(list))));
                }/>
                {errors_view(editor, format!("{base}.email_domains"))}
            </div>
        }
    });
    view! {
        <div class="stack" data-validation=entity>
            <fieldset class="checkbox-group">
                <legend>"Required fields"</legend>
                {required}
                {errors_view(editor, format!("{base}.required"))}
            </fieldset>
            <fieldset class="rule-grid">
                <legend>"Most characters (blank = the built-in limit)"</legend>
                {limits}
            </fieldset>
            <fieldset class="rule-grid">
                <legend>"Lowest and highest values"</legend>
                {ranges}
            </fieldset>
            {domains}
        </div>
    }
}

/// One `rule.field` input (`max_chars.notes`, `min.budget`), written as typed.
fn rule_input(
    editor: Editor,
    entity: &'static str,
    rule: &'static str,
    def: &'static FieldDef,
    numeric: bool,
) -> impl IntoView {
    let initial = editor.draft.with_untracked(|doc| {
        text_of(value_at(doc, &["validation_rules", entity, rule, def.name]))
    });
    let id = format!("{rule}-{entity}-{}", def.name);
    let label = match rule {
        "min" => format!("{} at least", def.label),
        "max" => format!("{} at most", def.label),
        _ => def.label.to_owned(),
    };
    let placeholder = match (rule, def.max_chars) {
        ("max_chars", Some(n)) => n.to_string(),
        _ if def.kind == FieldKind::Date => "YYYY-MM-DD".to_owned(),
        _ => String::new(),
    };
    let input_type = if def.kind == FieldKind::Date {
        "date"
    } else {
        "text"
    };
    view! {
        <div class="field" data-rule=format!("{rule}.{}", def.name)>
            <label for=id.clone()>{label}</label>
            <input id=id type=input_type inputmode=numeric.then_some("numeric") value=initial placeholder=placeholder
                on:input=move |ev| {
                    let value = typed_value(&event_target_value(&ev), numeric);
                    editor.edit(|doc| set_at(doc, &["validation_rules", entity, rule, def.name], value));
                }/>
            {errors_view(editor, format!("validation_rules.{entity}.{rule}.{}", def.name))}
        </div>
    }
}

/// The descriptor of the entity whose statuses are `entity`'s.
fn status_descriptor(entity: &str) -> Option<&'static EntityDescriptor> {
    ENTITY_KINDS
        .iter()
        .map(|k| k.descriptor())
        .find(|d| d.status.is_some_and(|(_, e)| e == entity))
}

#[component]
pub(super) fn WorkflowRulesCard(editor: Editor) -> impl IntoView {
    let entity = RwSignal::new(STATUS_ENTITIES[0]);
    view! {
        <section class="card stack workflow-rules">
            <h2>"Workflow rules"</h2>
            <div class="field">
                <label for="workflow-entity">"Entity"</label>
                <select id="workflow-entity" on:change=move |ev| {
                    let value = event_target_value(&ev);
                    if let Some(e) = STATUS_ENTITIES.iter().find(|e| **e == value) { entity.set(e) }
                }>
                    {STATUS_ENTITIES.iter().map(|e| view! { <option value=*e selected=move || entity.get() == *e>{humanize(e)}</option> }).collect_view()}
                </select>
            </div>
            {move || view! { <EntityWorkflow editor entity=entity.get()/> }}
        </section>
    }
}

#[component]
fn EntityWorkflow(editor: Editor, entity: &'static str) -> impl IntoView {
    let statuses = Memo::new(move |_| editor.draft.with(|doc| status_keys(doc, entity)));
    let base = format!("workflow_rules.{entity}");

    // transitions[from] absent = may move anywhere; a list = only there.
    let allowed = move |from: &str, to: &str| {
        editor.draft.with(|doc| {
            match value_at(doc, &["workflow_rules", entity, "transitions", from]) {
                Some(Value::Array(list)) => list.iter().any(|v| v.as_str() == Some(to)),
                _ => true,
            }
        })
    };
    let set_allowed = move |from: String, to: String, on: bool| {
        let others: Vec<String> = statuses
            .get_untracked()
            .into_iter()
            .map(|(k, _)| k)
            .filter(|k| *k != from)
            .collect();
        editor.edit(|doc| {
            let path = ["workflow_rules", entity, "transitions", from.as_str()];
            let mut list: Vec<String> = match value_at(doc, &path) {
                Some(Value::Array(list)) => list
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                _ => others.clone(),
            };
            list.retain(|k| *k != to);
            if on {
                list.push(to.clone());
            }
            let any = others.iter().all(|k| list.contains(k));
            set_at(doc, &path, (!any).then(|| json!(list)));
        });
    };
    let matrix = move || {
        let list = statuses.get();
        let header = list
            .iter()
            .map(|(_, label)| view! { <th scope="col">{label.clone()}</th> })
            .collect_view();
        let rows = list
            .iter()
            .map(|(from, from_label)| {
                let cells = list
                    .iter()
                    .map(|(to, to_label)| {
                        if from == to {
                            return view! { <td class="muted">"—"</td> }.into_any();
                        }
                        let (from, to) = (from.clone(), to.clone());
                        let (f, t) = (from.clone(), to.clone());
                        view! {
                            <td>
                                <input type="checkbox" data-from=from.clone() data-to=to.clone()
                                    aria-label=format!("{from_label} to {to_label}")
                                    prop:checked=move || allowed(&f, &t)
                                    on:change=move |ev| set_allowed(from.clone(), to.clone(), event_target_checked(&ev))/>
                            </td>
                        }
                        .into_any()
                    })
                    .collect_view();
                view! { <tr><th scope="row">{from_label.clone()}</th>{cells}</tr> }
            })
            .collect_view();
        view! {
            <table class="data-table transition-matrix">
                <thead><tr><th scope="col">"From \\ to"</th>{header}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
    };

    // initial absent = any status; all checked is the same as absent.
    let initial_checked = move |key: &str| {
        editor.draft.with(
            |doc| match value_at(doc, &["workflow_rules", entity, "initial"]) {
                Some(Value::Array(list)) => list.iter().any(|v| v.as_str() == Some(key)),
                _ => true,
            },
        )
    };
    let set_initial = move |key: String, on: bool| {
        let all: Vec<String> = statuses
            .get_untracked()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        editor.edit(|doc| {
            let path = ["workflow_rules", entity, "initial"];
            let mut list: Vec<String> = match value_at(doc, &path) {
                Some(Value::Array(list)) => list
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                _ => all.clone(),
            };
            list.retain(|k| *k != key);
            if on {
                list.push(key);
            }
            let any = all.iter().all(|k| list.contains(k));
            set_at(doc, &path, (!any).then(|| json!(list)));
        });
    };
    let initial = move || {
        statuses
            .get()
            .into_iter()
            .map(|(key, label)| {
                let id = format!("initial-{entity}-{key}");
                let k = key.clone();
                view! {
                    <div class="checkbox-field">
                        <input id=id.clone() type="checkbox" data-initial=key.clone() prop:checked=move || initial_checked(&k)
                            on:change=move |ev| set_initial(key.clone(), event_target_checked(&ev))/>
                        <label for=id>{label}</label>
                    </div>
                }
            })
            .collect_view()
    };

    let fields: Vec<&'static FieldDef> = status_descriptor(entity)
        .map(|d| {
            d.writable_fields()
                .filter(|def| d.status.is_none_or(|(f, _)| f != def.name))
                .collect()
        })
        .unwrap_or_default();
    let require_on_enter = move || {
        statuses
            .get()
            .into_iter()
            .map(|(key, label)| {
                let boxes = fields
                    .iter()
                    .copied()
                    .map(|def| {
                        let checked = listed(
                            editor,
                            vec![
                                "workflow_rules".into(),
                                entity.into(),
                                "require_on_enter".into(),
                                key.clone(),
                            ],
                            def.name,
                        );
                        let id = format!("enter-{entity}-{key}-{}", def.name);
                        let key = key.clone();
                        view! {
                            <div class="checkbox-field">
                                <input id=id.clone() type="checkbox" prop:checked=checked on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    editor.edit(|doc| toggle_in_list(doc, &["workflow_rules", entity, "require_on_enter", &key], def.name, on));
                                }/>
                                <label for=id>{def.label}</label>
                            </div>
                        }
                    })
                    .collect_view();
                view! {
                    <details class="require-on-enter">
                        <summary>{format!("Entering {label}")}</summary>
                        <div class="checkbox-grid">{boxes}</div>
                    </details>
                }
            })
            .collect_view()
    };

    view! {
        <div class="stack" data-workflow=entity>
            <h3>"Allowed moves"</h3>
            <p class="muted">"A row lists where a record in that status may move. Unchecking every box makes a status final."</p>
            <div class="table-scroll">{matrix}</div>
            {errors_view(editor, format!("{base}.transitions"))}
            <h3>"New records may start in"</h3>
            <div class="checkbox-grid">{initial}</div>
            {errors_view(editor, format!("{base}.initial"))}
            <h3>"Fields required on entering a status"</h3>
            {require_on_enter}
            {errors_view(editor, format!("{base}.require_on_enter"))}
        </div>
    }
}
