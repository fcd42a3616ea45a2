//! Keel's user interface. Every page is rendered on the server first and then hydrated in the browser.

mod layout;
mod pages;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

use layout::Shell;
use pages::{Dashboard, EntityPlaceholder, NotFound, ReportsPlaceholder};
use shared::EntityKind;

/// The HTML document around the app, rendered only on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
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

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Stylesheet id="leptos" href="/pkg/keel.css"/>
        <Title formatter=|page: String| if page.is_empty() { "Keel CRM".to_string() } else { format!("{page} · Keel CRM") }/>
        <Router>
            <Shell>
                <Routes fallback=NotFound>
                    <Route path=path!("") view=Dashboard/>
                    <Route path=path!("leads") view=|| view! { <EntityPlaceholder kind=EntityKind::Lead/> }/>
                    <Route path=path!("clients") view=|| view! { <EntityPlaceholder kind=EntityKind::Client/> }/>
                    <Route path=path!("projects") view=|| view! { <EntityPlaceholder kind=EntityKind::Project/> }/>
                    <Route path=path!("accounts") view=|| view! { <EntityPlaceholder kind=EntityKind::Account/> }/>
                    <Route path=path!("tasks") view=|| view! { <EntityPlaceholder kind=EntityKind::Task/> }/>
                    <Route path=path!("reports") view=ReportsPlaceholder/>
                </Routes>
            </Shell>
        </Router>
    }
}
