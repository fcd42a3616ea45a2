//! Form building blocks: a labelled field with its inline message, and helpers that map `FieldError`s (from
//! the shared validation in the browser, or from the server's 400/409 details) onto fields.

use leptos::prelude::*;
use shared::FieldError;

/// The message for one field, if any.
pub fn message_for(errors: &[FieldError], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.clone())
}

/// A labelled input with an inline error message that is announced to screen readers.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] required: bool,
    error: RwSignal<Option<String>>,
    node_ref: NodeRef<leptos::html::Input>,
    /// Called when the field loses focus, to validate it.
    #[prop(optional, into)]
    on_blur: Option<Callback<()>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id.clone()>{label}{required.then_some(view! { <span class="required" aria-hidden="true">" *"</span> })}</label>
            <input
                id=id
                name=name
                type=kind
                value=value
                autocomplete=autocomplete
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                aria-describedby=error_id.clone()
                node_ref=node_ref
                on:blur=move |_| {
                    if let Some(callback) = on_blur {
                        callback.run(());
                    }
                }
            />
            <p class="field-error" id=error_id role="alert">{move || error.get()}</p>
        </div>
    }
}

/// The current text of an input (empty before hydration, where nothing calls this).
pub fn input_value(node: &NodeRef<leptos::html::Input>) -> String {
    node.get_untracked()
        .map(|input| input.value())
        .unwrap_or_default()
}
