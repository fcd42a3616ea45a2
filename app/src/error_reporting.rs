//! The browser half of error monitoring (plan Step 1.5.7): an error boundary around every page that shows a
//! friendly message with a Reload button, and reports — from the boundary and from the panic hook — posted
//! to the server (`api::client_errors`), which forwards them to Sentry tagged as coming from the browser.

use leptos::prelude::*;

/// Reports one browser error. Fire-and-forget, straight through `fetch` (no async runtime),
/// so it works from a panic hook, when the app itself can no longer run (see [`crate::api::client_errors`]).
pub fn report(kind: &'static str, message: &str, component: Option<&str>) {
    #[cfg(feature = "hydrate")]
    browser::send(kind, message, component);
    #[cfg(not(feature = "hydrate"))]
    let _ = (kind, message, component);
}

/// For the hydrate entry point's panic hook: report the panic, then replace the dead page with a message.
pub fn on_panic(message: &str) {
    report("panic", message, None);
    #[cfg(feature = "hydrate")]
    browser::show_crash_notice();
}

/// What every page is wrapped in: errors rendered anywhere below become a message, not a blank screen.
#[component]
pub fn AppErrorBoundary(children: Children) -> impl IntoView {
    view! {
        <ErrorBoundary fallback=|errors| {
            // Effects run only in the browser: each error is reported once, where it happened.
            Effect::new(move |_| {
                for (_, error) in errors.get().iter() {
                    report("error", &error.to_string(), Some("ErrorBoundary"));
                }
            });
            view! { <ErrorNotice/> }
        }>
            {children()}
        </ErrorBoundary>
    }
}

#[component]
fn ErrorNotice() -> impl IntoView {
    view! {
        <section class="card error-fallback" role="alert">
            <h1>"Something went wrong"</h1>
            <p class="muted">"This part of the page could not be shown. The error was reported to us; reloading usually helps."</p>
            <button type="button" class="button primary" on:click=|_| reload()>"Reload page"</button>
        </section>
    }
}

fn reload() {
    #[cfg(feature = "hydrate")]
    let _ = window().location().reload();
}

#[cfg(feature = "hydrate")]
mod browser {
    use wasm_bindgen::JsValue;

    use crate::api::{self, client_errors::ClientError};

    pub fn send(kind: &str, message: &str, component: Option<&str>) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let clip = |text: &str, max: usize| text.chars().take(max).collect::<String>();
        let url = window.location().href().ok().map(|u| clip(&u, 2_000));
        let user_agent = window.navigator().user_agent().ok().map(|u| clip(&u, 500));
        let stack = js_sys_stack().map(|s| clip(&s, 10_000));
        let message = clip(message, 2_000);
        api::client_errors::report(&ClientError {
            kind,
            message: &message,
            stack: stack.as_deref(),
            url: url.as_deref(),
            component,
            user_agent: user_agent.as_deref(),
        });
    }

    /// The JavaScript stack at this point (it includes the WASM frames).
    fn js_sys_stack() -> Option<String> {
        let error = web_sys::js_sys::Error::new("");
        web_sys::js_sys::Reflect::get(&error, &JsValue::from_str("stack"))
            .ok()
            .and_then(|stack| stack.as_string())
    }

    /// After a panic the app cannot render any more, so the notice is built with plain DOM calls; Reload is a
    /// link to this page (the page's policy allows no inline script).
    pub fn show_crash_notice() {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let Ok(notice) = document.create_element("div") else {
            return;
        };
        notice.set_class_name("crash-notice");
        let _ = notice.set_attribute("role", "alert");
        let href = document
            .location()
            .and_then(|l| l.href().ok())
            .unwrap_or_else(|| "/".to_owned());
        let href = href
            .replace('&', "&amp;")
            .replace('"', "&quot;")
            .replace('<', "&lt;");
        notice.set_inner_html(&format!(
            "<div class=\"card error-fallback\"><h1>Something went wrong</h1>\
             <p class=\"muted\">The page stopped working. The error was reported to us; reloading usually helps.</p>\
             <a class=\"button primary\" href=\"{href}\">Reload page</a></div>"
        ));
        if let Some(body) = document.body() {
            let _ = body.append_child(&notice);
        }
    }
}
