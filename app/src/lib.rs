//! Keel's user interface. Every page is rendered on the server first and then hydrated in the browser.
// Leptos view types nest deeply; the default limit is too low for a page of forms.
#![recursion_limit = "256"]

pub mod api;
mod auth_pages;
mod forms;
mod layout;
mod pages;
mod session;
mod users_page;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{ParentRoute, Route, Router, Routes},
    path, SsrMode,
};

use auth_pages::{LoginPage, SignupPage};
use layout::Shell;
use pages::{Dashboard, EntityPlaceholder, NotFound, ReportsPlaceholder};
use shared::EntityKind;
use users_page::UsersPage;

/// The HTML document around the app, rendered only on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    csp::set_page_policy(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// Every route renders `InOrder`: what a `Suspense` waits for is streamed in place, in document order, so
/// the header, the navigation and the page are complete for a browser without JavaScript (out-of-order
/// streaming would need a script to move each part into place).
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Stylesheet id="leptos" href="/pkg/keel.css"/>
        <Title formatter=|page: String| if page.is_empty() { "Keel CRM".to_string() } else { format!("{page} · Keel CRM") }/>
        <Router>
            <Routes fallback=NotFound>
                <Route ssr=SsrMode::InOrder path=path!("login") view=LoginPage/>
                <Route ssr=SsrMode::InOrder path=path!("signup") view=SignupPage/>
                <ParentRoute ssr=SsrMode::InOrder path=path!("") view=Shell>
                    <Route ssr=SsrMode::InOrder path=path!("") view=Dashboard/>
                    <Route ssr=SsrMode::InOrder path=path!("leads") view=|| view! { <EntityPlaceholder kind=EntityKind::Lead/> }/>
                    <Route ssr=SsrMode::InOrder path=path!("clients") view=|| view! { <EntityPlaceholder kind=EntityKind::Client/> }/>
                    <Route ssr=SsrMode::InOrder path=path!("projects") view=|| view! { <EntityPlaceholder kind=EntityKind::Project/> }/>
                    <Route ssr=SsrMode::InOrder path=path!("accounts") view=|| view! { <EntityPlaceholder kind=EntityKind::Account/> }/>
                    <Route ssr=SsrMode::InOrder path=path!("tasks") view=|| view! { <EntityPlaceholder kind=EntityKind::Task/> }/>
                    <Route ssr=SsrMode::InOrder path=path!("reports") view=ReportsPlaceholder/>
                    <Route ssr=SsrMode::InOrder path=path!("users") view=UsersPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The Content-Security-Policy of rendered pages. Leptos puts a fresh nonce on its inline hydration and
/// streaming scripts; only those, our own files and our WASM (hence 'wasm-unsafe-eval') may run.
#[cfg(feature = "ssr")]
mod csp {
    use leptos::{config::LeptosOptions, nonce::use_nonce, prelude::use_context};

    pub fn set_page_policy(options: &LeptosOptions) {
        let (Some(nonce), Some(response)) =
            (use_nonce(), use_context::<leptos_axum::ResponseOptions>())
        else {
            return;
        };
        // `cargo leptos watch` reloads the page over a websocket on another port.
        let live_reload = if options.env == leptos::config::Env::DEV {
            " ws:"
        } else {
            ""
        };
        let policy = format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
             img-src 'self' data:; font-src 'self'; connect-src 'self'{live_reload}; object-src 'none'; \
             base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        );
        if let Ok(value) = http::HeaderValue::from_str(&policy) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}
