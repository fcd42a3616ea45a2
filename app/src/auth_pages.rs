//! Sign-in and sign-up. Both are plain HTML forms that post to the server (so they work before the WASM has
//! loaded); once it has, the shared validation runs as fields are left and on submit, and a form with
//! problems is not sent. Problems found by the server come back in the query and show on the same fields.

use leptos::{ev::SubmitEvent, prelude::*};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use shared::{
    auth::{validate_login, validate_signup, LoginInput, SignupInput},
    FieldError,
};

use crate::forms::{input_value, message_for, Field};

/// One form field: its input and its message, seeded from the query after a failed server round trip.
#[derive(Clone, Copy)]
struct FormField {
    name: &'static str,
    input: NodeRef<leptos::html::Input>,
    error: RwSignal<Option<String>>,
}

impl FormField {
    fn new(name: &'static str, query_value: impl Fn(&str) -> Option<String>) -> Self {
        Self {
            name,
            input: NodeRef::new(),
            error: RwSignal::new(query_value(&format!("{name}_error"))),
        }
    }

    fn value(&self) -> String {
        input_value(&self.input)
    }

    fn show(&self, errors: &[FieldError]) {
        self.error.set(message_for(errors, self.name));
    }
}

fn query_reader() -> impl Fn(&str) -> Option<String> + Copy {
    let query = use_query_map();
    move |key: &str| {
        query
            .with_untracked(|q| q.get(key))
            .filter(|v| !v.is_empty())
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let q = query_reader();
    let email = FormField::new("email", q);
    let password = FormField::new("password", q);
    let form_error = q("error");
    let next = q("next").unwrap_or_else(|| "/".into());

    let errors = move || {
        validate_login(&LoginInput {
            email: email.value(),
            password: password.value(),
        })
        .err()
        .unwrap_or_default()
    };
    let on_submit = move |ev: SubmitEvent| {
        let errors = errors();
        email.show(&errors);
        password.show(&errors);
        if !errors.is_empty() {
            ev.prevent_default();
        }
    };

    view! {
        <Title text="Sign in"/>
        <AuthCard heading="Sign in to Keel">
            {form_error.map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            <form method="post" action="/login" novalidate on:submit=on_submit class="stack">
                <input type="hidden" name="next" value=next/>
                <Field label="Email" name="email" kind="email" value=q("email").unwrap_or_default()
                    autocomplete="username" required=true error=email.error node_ref=email.input
                    on_blur=move |_| email.show(&errors())/>
                <Field label="Password" name="password" kind="password" autocomplete="current-password"
                    required=true error=password.error node_ref=password.input
                    on_blur=move |_| password.show(&errors())/>
                <button type="submit" class="button primary">"Sign in"</button>
            </form>
            <p class="muted">"New to Keel? " <a href="/signup">"Create an organisation"</a></p>
        </AuthCard>
    }
}

#[component]
pub fn SignupPage() -> impl IntoView {
    let q = query_reader();
    let tenant_name = FormField::new("tenant_name", q);
    let name = FormField::new("name", q);
    let email = FormField::new("email", q);
    let password = FormField::new("password", q);
    let fields = [tenant_name, name, email, password];
    let form_error = q("error");

    let errors = move || {
        validate_signup(&SignupInput {
            tenant_name: tenant_name.value(),
            name: name.value(),
            email: email.value(),
            password: password.value(),
        })
        .err()
        .unwrap_or_default()
    };
    let on_submit = move |ev: SubmitEvent| {
        let errors = errors();
        for field in fields {
            field.show(&errors);
        }
        if !errors.is_empty() {
            ev.prevent_default();
        }
    };

    view! {
        <Title text="Create your organisation"/>
        <AuthCard heading="Create your organisation">
            {form_error.map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
            <form method="post" action="/signup" novalidate on:submit=on_submit class="stack">
                <Field label="Organisation name" name="tenant_name" value=q("tenant_name").unwrap_or_default()
                    autocomplete="organization" required=true error=tenant_name.error node_ref=tenant_name.input
                    on_blur=move |_| tenant_name.show(&errors())/>
                <Field label="Your name" name="name" value=q("name").unwrap_or_default()
                    autocomplete="name" required=true error=name.error node_ref=name.input
                    on_blur=move |_| name.show(&errors())/>
                <Field label="Email" name="email" kind="email" value=q("email").unwrap_or_default()
                    autocomplete="username" required=true error=email.error node_ref=email.input
                    on_blur=move |_| email.show(&errors())/>
                <Field label="Password (10 characters or more)" name="password" kind="password"
                    autocomplete="new-password" required=true error=password.error node_ref=password.input
                    on_blur=move |_| password.show(&errors())/>
                <button type="submit" class="button primary">"Create organisation"</button>
            </form>
            <p class="muted">"Already have an account? " <a href="/login">"Sign in"</a></p>
        </AuthCard>
    }
}

#[component]
fn AuthCard(heading: &'static str, children: Children) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    // Effects run only in the browser, after hydration (the browser tests wait for this flag).
    Effect::new(move |_| hydrated.set(true));
    view! {
        <div class="auth-page" data-hydrated=move || if hydrated.get() { "true" } else { "false" }>
            <main class="auth-card card" id="main">
                <div class="brand auth-brand">
                    <span class="brand-mark" aria-hidden="true">"K"</span>
                    <span class="brand-name">"Keel"</span>
                </div>
                <h1>{heading}</h1>
                {children()}
            </main>
        </div>
    }
}
