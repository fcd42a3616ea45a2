//! The home page, entity lists, the reports and the not-found page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};
use shared::{permissions::Action, EntityKind, ENTITY_KINDS};

use crate::records::{singular_label, Allowed, ReportTable};

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

/// The reports (plan Step 3.4): every entity but tasks.
pub const REPORT_KINDS: [EntityKind; 4] = [
    EntityKind::Lead,
    EntityKind::Client,
    EntityKind::Project,
    EntityKind::Account,
];

/// An entity's list: its report table, with New for those who may create.
#[component]
pub fn EntityListPage(kind: EntityKind) -> impl IntoView {
    view! {
        <Title text=kind.label()/>
        <section class="page-header with-actions">
            <h1>{kind.label()}</h1>
            <Allowed action=Action::CreateRecord>
                <A href=format!("/{}/new", kind.plural()) attr:class="button primary">{format!("New {}", kind.descriptor().singular)}</A>
            </Allowed>
        </section>
        <ReportTable kind base=format!("/{}", kind.plural())/>
    }
}

/// `/reports/:entity`, for the entities in [`REPORT_KINDS`]. Moving between reports keeps this component and
/// changes the parameter, so the page follows it.
#[component]
pub fn ReportPage() -> impl IntoView {
    let params = use_params_map();
    let kind = Memo::new(move |_| {
        params
            .get()
            .get("entity")
            .and_then(|segment| EntityKind::from_plural(&segment))
            .filter(|kind| REPORT_KINDS.contains(kind))
    });
    move || match kind.get() {
        None => view! { <NotFound/> }.into_any(),
        Some(kind) => {
            let title = format!("{} report", singular_label(kind));
            view! {
                <Title text=title.clone()/>
                <section class="page-header">
                    <p class="eyebrow"><A href="/reports">"Reports"</A></p>
                    <h1>{title}</h1>
                    <p class="muted">"Filter, sort and export; the link always shows this exact view."</p>
                </section>
                <ReportTable kind base=format!("/reports/{}", kind.plural())/>
            }
            .into_any()
        }
    }
}

#[component]
pub fn ReportsIndex() -> impl IntoView {
    view! {
        <Title text="Reports"/>
        <section class="page-header">
            <h1>"Reports"</h1>
            <p class="muted">"Filterable, sortable reports over leads, clients, projects and accounts, exportable as CSV."</p>
        </section>
        <div class="card-grid">
            {REPORT_KINDS
                .into_iter()
                .map(|kind| {
                    view! {
                        <A href=format!("/reports/{}", kind.plural()) attr:class="card card-link">
                            <span class=format!("card-accent dot-{}", kind.plural()) aria-hidden="true"></span>
                            <h2>{format!("{} report", singular_label(kind))}</h2>
                        </A>
                    }
                })
                .collect_view()}
        </div>
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
