//! Pages of the walking skeleton. Entity pages become real report tables as the API lands.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use shared::{EntityKind, ENTITY_KINDS};

#[component]
pub fn Dashboard() -> impl IntoView {
    view! {
        <Title text="Home"/>
        <section class="page-header">
            <h1>"Welcome to Keel"</h1>
            <p class="muted">"Track leads, clients, projects, accounts and tasks in one place."</p>
        </section>
        <div class="card-grid">
            {ENTITY_KINDS
                .into_iter()
                .map(|kind| {
                    view! {
                        <A href=format!("/{}", kind.plural()) attr:class="card card-link">
                            <span class=format!("card-accent dot-{}", kind.plural()) aria-hidden="true"></span>
                            <h2>{kind.label()}</h2>
                            <p class="muted">{format!("Open the {} list", kind.label().to_lowercase())}</p>
                        </A>
                    }
                })
                .collect_view()}
        </div>
    }
}

#[component]
pub fn EntityPlaceholder(kind: EntityKind) -> impl IntoView {
    view! {
        <Title text=kind.label()/>
        <section class="page-header">
            <h1>{kind.label()}</h1>
        </section>
        <div class="card empty-state">
            <h2>{format!("No {} yet", kind.label().to_lowercase())}</h2>
            <p class="muted">"This list fills in as records are added."</p>
        </div>
    }
}

#[component]
pub fn ReportsPlaceholder() -> impl IntoView {
    view! {
        <Title text="Reports"/>
        <section class="page-header">
            <h1>"Reports"</h1>
            <p class="muted">"Filterable, sortable reports over leads, clients, projects and accounts."</p>
        </section>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <Title text="Not found"/>
        <section class="page-header">
            <h1>"Page not found"</h1>
            <p class="muted">"The page you asked for does not exist."</p>
            <A href="/" attr:class="button">"Back to home"</A>
        </section>
    }
}
