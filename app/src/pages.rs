//! Entity lists, the reports and the not-found page (the home page is `dashboard`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};
use shared::{permissions::Action, EntityKind};

use crate::{
    records::{singular_label, Allowed, ReportTable},
    session::{module_on, use_current_user},
};

/// `each` of `kinds` whose module the tenant has on (switched-off modules disappear from the links).
#[component]
fn OnModules<V: IntoView + 'static>(
    kinds: &'static [EntityKind],
    each: fn(EntityKind) -> V,
) -> impl IntoView {
    let me = use_current_user();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let me = me.0.await;
                kinds
                    .iter()
                    .copied()
                    .filter(|kind| module_on(&me, *kind))
                    .map(each)
                    .collect_view()
            })}
        </Suspense>
    }
}

/// The reports (plan Step 3.4): the entities whose descriptor is `in_reports` (every entity but tasks).
pub use shared::REPORT_KINDS;

/// "leads, clients and projects": the entities' labels in lower case, as a sentence lists them.
fn spoken_list(kinds: &[EntityKind]) -> String {
    let names: Vec<String> = kinds.iter().map(|k| k.label().to_lowercase()).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

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

/// `/{entity}/board`: the entity's pipeline board (entities with a status), with the report's filters.
#[component]
pub fn BoardPage(kind: EntityKind) -> impl IntoView {
    if kind.descriptor().board.is_none() {
        return view! { <NotFound/> }.into_any();
    }
    let title = format!("{} board", singular_label(kind));
    view! {
        <Title text=title.clone()/>
        <section class="page-header with-actions">
            <h1>{title}</h1>
            <Allowed action=Action::CreateRecord>
                <A href=format!("/{}/new", kind.plural()) attr:class="button primary">{format!("New {}", kind.descriptor().singular)}</A>
            </Allowed>
        </section>
        <ReportTable kind base=format!("/{}/board", kind.plural()) board=true/>
    }
    .into_any()
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
            <p class="muted">{format!("Filterable, sortable reports over {}, exportable as CSV.", spoken_list(&REPORT_KINDS))}</p>
        </section>
        <div class="card-grid">
            <OnModules kinds=&REPORT_KINDS each=|kind| {
                    view! {
                        <A href=format!("/reports/{}", kind.plural()) attr:class="card card-link">
                            <span class=format!("card-accent dot-{}", kind.plural()) aria-hidden="true"></span>
                            <h2>{format!("{} report", singular_label(kind))}</h2>
                        </A>
                    }
            }/>
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

#[cfg(test)]
mod tests {
    use shared::ENTITY_KINDS;

    use super::*;

    #[test]
    fn the_home_and_reports_pages_name_the_registered_entities() {
        assert_eq!(
            spoken_list(&ENTITY_KINDS),
            "leads, clients, projects, accounts and tasks"
        );
        assert_eq!(
            spoken_list(&REPORT_KINDS),
            "leads, clients, projects and accounts"
        );
        assert_eq!(spoken_list(&[EntityKind::Task]), "tasks");
    }
}
