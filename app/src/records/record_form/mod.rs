//! Create and edit forms for every entity, generated from the descriptor's writable fields. They validate
//! with the entity's `shared` validation as people type, leave a field and submit; the server's 400 details
//! land on the same fields, and a 409 is explained without losing what was typed.
//!
//! This module holds the two pages (new and edit); `form` is the form itself, `draft` what was typed and
//! what it would send, `field` one input (with `reference_select` for references to other records) and
//! `conflict` the choices after someone else saved first.

mod conflict;
mod draft;
mod field;
mod form;
mod reference_select;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};
use serde_json::Value;
use shared::{auth::Me, EntityKind};

use self::form::RecordForm;
pub(crate) use self::{draft::FieldState, field::FormField};
use super::{
    record_id,
    record_page::{record_resource, use_record_id, MissingRecord},
    record_title, referenced_kind, tenant_config_resource, user_options_resource, Record,
};
use crate::session::{module_on, use_current_user};

/// Reference fields whose target module the tenant switched off: the form leaves them out.
fn hidden_fields(kind: EntityKind, me: &Option<Me>) -> Vec<&'static str> {
    kind.descriptor()
        .writable_fields()
        .filter(|def| referenced_kind(def.kind).is_some_and(|target| !module_on(me, target)))
        .map(|def| def.name)
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormMode {
    Create,
    Edit,
}

#[component]
pub fn RecordFormPage(kind: EntityKind, mode: FormMode) -> impl IntoView {
    let config = tenant_config_resource();
    let users = user_options_resource();
    let me = use_current_user();
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
                            let ctx = config.await.rules_for(kind);
                            let users = users.await;
                            let hidden = hidden_fields(kind, &me.0.await);
                            view! { <RecordForm kind original=None prefill ctx users hidden/> }
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
                        let ctx = config.await.rules_for(kind);
                        let users = users.await;
                        let hidden = hidden_fields(kind, &me.0.await);
                        match record.await {
                            Some(Ok(record)) => {
                                let title = record_title(kind, &record);
                                view! {
                                    <Title text=format!("Edit {title}")/>
                                    <section class="page-header">
                                        <p class="eyebrow"><A href=format!("/{}/{}", kind.plural(), record_id(&record))>{title.clone()}</A></p>
                                        <h1>{format!("Edit {}", kind.descriptor().singular)}</h1>
                                    </section>
                                    <RecordForm kind original=Some(record) prefill=Record::new() ctx users hidden/>
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
