//! Keel's user interface. Every page is rendered on the server first and then hydrated in the browser.
// Leptos view types nest deeply; the default limit is too low for a page of forms.
#![recursion_limit = "256"]

mod admin;
pub mod api;
mod audit_page;
mod auth_pages;
mod dashboard;
mod diagnostics_page;
pub mod error_reporting;
mod flash;
mod forms;
mod layout;
mod lazy_pages;
mod pages;
pub mod records;
mod saved_views;
mod schedule_form;
mod schedules_page;
mod search_page;
mod session;
mod trash_page;
mod users_page;

use leptos::{prelude::*, tachys::view::iterators::StaticVec};
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Outlet, ParentRoute, Route, Router, Routes},
    path, SsrMode, StaticSegment,
};

use auth_pages::LoginPage;
use layout::Shell;
use lazy_pages::{RarePages, RecordPages};
use pages::{BoardPage, EntityListPage, NotFound, ReportPage, ReportsIndex};
use shared::{EntityKind, ENTITY_KINDS};

/// The list, new, import, board, detail and edit pages of one entity: `/leads`, `/leads/new`,
/// `/leads/import`, `/leads/board`, `/leads/:id`, `/leads/:id/edit`.
#[component(transparent)]
fn EntityRoutes(kind: EntityKind) -> impl leptos_router::MatchNestedRoutes + Clone {
    view! {
        <ParentRoute ssr=SsrMode::InOrder path=StaticSegment(kind.plural()) view=Outlet>
            <Route ssr=SsrMode::InOrder path=path!("") view=move || view! { <EntityListPage kind/> }/>
            <Route ssr=SsrMode::InOrder path=path!("new") view=lazy_pages::record_pages(RecordPages::Create(kind))/>
            <Route ssr=SsrMode::InOrder path=path!("import") view=lazy_pages::rare(RarePages::Import(kind))/>
            <Route ssr=SsrMode::InOrder path=path!("board") view=move || view! { <BoardPage kind/> }/>
            // A record that is not there answers 404 (`MissingRecord`), which is known only once the record
            // is read: in-order streaming may already have sent a 200 with the page's head, so these pages
            // are rendered whole before anything is sent.
            <Route ssr=SsrMode::Async path=path!(":id") view=lazy_pages::record_pages(RecordPages::Detail(kind))/>
            <Route ssr=SsrMode::Async path=path!(":id/edit") view=lazy_pages::record_pages(RecordPages::Edit(kind))/>
        </ParentRoute>
    }
    .into_inner()
}

/// [`EntityRoutes`] for every entity of the registry.
#[component(transparent)]
fn EveryEntityRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    let routes = StaticVec::from(
        ENTITY_KINDS
            .map(|kind| view! { <EntityRoutes kind/> }.into_inner())
            .to_vec(),
    );
    // With `--cfg erase_components` (release builds and `cargo leptos watch`) the component macro declares
    // the return type as `AnyNestedRoute`.
    #[cfg(erase_components)]
    let routes = leptos_router::any_nested_route::IntoAnyNestedRoute::into_any_nested_route(routes);
    routes
}

/// Hydrates the server-rendered page: the browser's entry point (the `frontend` crate). A lazy route's page
/// can only hydrate once its chunk has loaded, so with the lazy routes the hydration is asynchronous.
#[cfg(feature = "hydrate")]
pub fn hydrate() {
    #[cfg(feature = "lazy-routes")]
    leptos::mount::hydrate_lazy(App);
    #[cfg(not(feature = "lazy-routes"))]
    leptos::mount::hydrate_body(App);
}

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
                {lazy_pages::split_loader_preload(&options)}
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
    // Set while a link's page is on its way (a lazy page's code, the data it waits for): the old page stays
    // until the new one is ready, so a bar along the top says the click was taken.
    let (routing, set_routing) = signal(false);

    view! {
        <Stylesheet id="leptos" href="/pkg/keel.css"/>
        <Title formatter=|page: String| if page.is_empty() { "Keel CRM".to_string() } else { format!("{page} · Keel CRM") }/>
        <Router set_is_routing=set_routing>
            <div class="route-progress" class:routing=routing aria-hidden="true"></div>
            <Routes fallback=NotFound>
                <Route ssr=SsrMode::InOrder path=path!("login") view=LoginPage/>
                <Route ssr=SsrMode::InOrder path=path!("signup") view=lazy_pages::rare(RarePages::Signup)/>
                <ParentRoute ssr=SsrMode::InOrder path=path!("") view=Shell>
                    <Route ssr=SsrMode::InOrder path=path!("") view=lazy_pages::dashboard()/>
                    <EveryEntityRoutes/>
                    <ParentRoute ssr=SsrMode::InOrder path=path!("reports") view=Outlet>
                        <Route ssr=SsrMode::InOrder path=path!("") view=ReportsIndex/>
                        <Route ssr=SsrMode::InOrder path=path!("schedules") view=lazy_pages::rare(RarePages::Schedules)/>
                        <Route ssr=SsrMode::InOrder path=path!(":entity") view=ReportPage/>
                    </ParentRoute>
                    <Route ssr=SsrMode::InOrder path=path!("search") view=lazy_pages::rare(RarePages::Search)/>
                    <Route ssr=SsrMode::InOrder path=path!("trash") view=lazy_pages::rare(RarePages::Trash)/>
                    <Route ssr=SsrMode::InOrder path=path!("diagnostics") view=lazy_pages::rare(RarePages::Diagnostics)/>
                    <Route ssr=SsrMode::InOrder path=path!("users") view=lazy_pages::rare(RarePages::Users)/>
                    <Route ssr=SsrMode::InOrder path=path!("admin/backend-config") view=lazy_pages::rare(RarePages::BackendConfig)/>
                    <Route ssr=SsrMode::InOrder path=path!("admin/audit") view=lazy_pages::rare(RarePages::Audit)/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The Content-Security-Policy of rendered pages. Leptos puts a fresh nonce on its inline hydration and
/// streaming scripts; only those, our own files and our WASM (hence 'wasm-unsafe-eval') may run.
///
/// The policy reaches the response two ways: through Leptos' `ResponseOptions`, and through the
/// [`PagePolicy`] slot the server's page middleware puts in the request and writes as the header itself. In
/// the browser tests about one page in a few hundred arrived without the first (the API's `default-src
/// 'none'` instead, so it never hydrated) although the shell had set it; the second does not go through
/// Leptos' response at all.
#[cfg(feature = "ssr")]
pub mod csp {
    use std::sync::{Arc, Mutex};

    use leptos::{config::LeptosOptions, nonce::use_nonce, prelude::use_context};

    /// Where the shell leaves the page's policy for the server to send (a request extension, shared with
    /// the request parts Leptos renders with).
    #[derive(Clone, Default)]
    pub struct PagePolicy(Arc<Mutex<Option<String>>>);

    impl PagePolicy {
        pub fn take(&self) -> Option<String> {
            self.0.lock().ok().and_then(|mut policy| policy.take())
        }

        fn set(&self, policy: String) {
            if let Ok(mut slot) = self.0.lock() {
                *slot = Some(policy);
            }
        }
    }

    pub fn set_page_policy(options: &LeptosOptions) {
        let Some(nonce) = use_nonce() else {
            leptos::logging::warn!("page CSP not set: no nonce");
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
        if let Some(slot) = use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<PagePolicy>().cloned())
        {
            slot.set(policy.clone());
        }
        if let (Some(response), Ok(value)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            http::HeaderValue::from_str(&policy),
        ) {
            response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
}
