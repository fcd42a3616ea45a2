//! The frame around every page: header, navigation and the main content area.

use leptos::prelude::*;
use leptos_router::{
    components::{Outlet, A},
    hooks::use_query_map,
};
use shared::{views::SavedView, EntityKind, ENTITY_KINDS};

use crate::{
    error_reporting::AppErrorBoundary,
    flash::provide_flash,
    pages::REPORT_KINDS,
    records::{query::ReportQuery, singular_label},
    saved_views::provide_saved_views,
    schedules_page::SCHEDULES_PATH,
    session::{is_admin, module_on, provide_current_user},
};

/// Leaves a `keel:hydrated` mark in the page's performance timeline: when the page became interactive,
/// on the browser's own clock from the navigation's start. The report page's benchmark reads it (a test
/// polling for `data-hydrated` sees the change only at its next poll, up to half a second late).
fn mark_hydrated() {
    #[cfg(feature = "hydrate")]
    let _ = performance_mark("keel:hydrated");
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `performance.mark(name)`, without web-sys' `Performance` feature (it would rebuild the framework).
    #[wasm_bindgen(catch, js_namespace = performance, js_name = mark)]
    fn performance_mark(name: &str) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>;
}

/// Header plus a collapsible side navigation. The collapse toggle only works once the WASM has hydrated
/// the page, and `data-hydrated` on the root says when that has happened (the browser tests rely on both).
#[component]
pub fn Shell() -> impl IntoView {
    let me = provide_current_user();
    let saved_views = provide_saved_views();
    let (flash, flash_message) = provide_flash();
    let nav_open = RwSignal::new(true);
    let hydrated = RwSignal::new(false);
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| {
        hydrated.set(true);
        mark_hydrated();
    });
    // A refusal for going too fast, from any call a page makes, shows here with when to retry.
    let rate_limited = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        crate::api::on_rate_limited(move |message| {
            let _ = rate_limited.try_set(Some(message));
        })
    });

    view! {
        <div
            class="app"
            class:nav-collapsed=move || !nav_open.get()
            data-hydrated=move || if hydrated.get() { "true" } else { "false" }
        >
            <header class="topbar">
                <button
                    type="button"
                    class="icon-button nav-toggle"
                    aria-controls="primary-nav"
                    aria-expanded=move || if nav_open.get() { "true" } else { "false" }
                    aria-label="Toggle navigation"
                    on:click=move |_| nav_open.update(|open| *open = !*open)
                >
                    <span class="hamburger" aria-hidden="true"></span>
                </button>
                <A href="/" attr:class="brand">
                    <span class="brand-mark" aria-hidden="true">"K"</span>
                    <span class="brand-name">"Keel"</span>
                </A>
                <form class="topbar-search" role="search" method="get" action="/search">
                    <input type="search" name="q" placeholder="Search leads, clients, projects…" aria-label="Search everything"/>
                </form>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        me.0.await.map(|me| view! {
                            <div class="user-menu">
                                <span class="user-name" title=me.email.clone()>
                                    {me.name.clone()}
                                    <span class="user-tenant">{me.tenant.name.clone()}</span>
                                </span>
                                // A plain form: signing out works with or without the WASM.
                                <form method="post" action="/logout">
                                    <button type="submit" class="button small">"Log out"</button>
                                </form>
                            </div>
                        })
                    })}
                </Suspense>
            </header>
            <nav id="primary-nav" class="sidenav" aria-label="Primary">
                // Modules the tenant switched off are left out, so the lists wait for the signed-in user; pinned
                // views are listed under their entity. A Transition: reloading the views after a change keeps
                // the navigation in place until they arrive.
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let me = me.0.await;
                        let views = saved_views.list.await;
                        let records = ENTITY_KINDS
                            .into_iter()
                            .filter(|kind| module_on(&me, *kind))
                            .map(|kind| {
                                let href = format!("/{}", kind.plural());
                                let pinned: Vec<SavedView> = views
                                    .iter()
                                    .filter(|view| view.pinned && view.entity == kind.plural())
                                    .cloned()
                                    .collect();
                                let pinned = (!pinned.is_empty()).then(|| view! {
                                    <ul class="nav-views" aria-label=format!("Pinned {} views", kind.descriptor().singular)>
                                        {pinned.into_iter().map(|view| pinned_view_link(kind, view)).collect_view()}
                                    </ul>
                                });
                                view! {
                                    <li>
                                        <A href=href attr:class="nav-link">
                                            <span class=format!("nav-dot dot-{}", kind.plural()) aria-hidden="true"></span>
                                            {kind.label()}
                                        </A>
                                        {pinned}
                                    </li>
                                }
                            })
                            .collect_view();
                        let reports = REPORT_KINDS
                            .into_iter()
                            .filter(|kind| module_on(&me, *kind))
                            .map(|kind| {
                                view! {
                                    <li>
                                        <A href=format!("/reports/{}", kind.plural()) attr:class="nav-link">
                                            <span class="nav-dot dot-reports" aria-hidden="true"></span>
                                            {format!("{} report", singular_label(kind))}
                                        </A>
                                    </li>
                                }
                            })
                            .collect_view();
                        view! {
                            <p class="nav-heading">"Records"</p>
                            <ul>{records}</ul>
                            <p class="nav-heading">"Reports"</p>
                            <ul>
                                {reports}
                                <li>
                                    <A href=SCHEDULES_PATH attr:class="nav-link">
                                        <span class="nav-dot dot-reports" aria-hidden="true"></span>
                                        "Scheduled reports"
                                    </A>
                                </li>
                            </ul>
                        }
                    })}
                </Transition>
                <ul class="nav-footer">
                    <li>
                        <A href="/trash" attr:class="nav-link">
                            <span class="nav-dot dot-trash" aria-hidden="true"></span>
                            "Trash"
                        </A>
                    </li>
                </ul>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        is_admin(&me.0.await).then(|| view! {
                            <p class="nav-heading">"Administration"</p>
                            <ul>
                                <li>
                                    <A href="/users" attr:class="nav-link">
                                        <span class="nav-dot dot-users" aria-hidden="true"></span>
                                        "Users"
                                    </A>
                                </li>
                                <li>
                                    <A href="/admin/backend-config" attr:class="nav-link">
                                        <span class="nav-dot dot-users" aria-hidden="true"></span>
                                        "Backend configuration"
                                    </A>
                                </li>
                                <li>
                                    <A href=crate::audit_page::AUDIT_PATH attr:class="nav-link">
                                        <span class="nav-dot dot-users" aria-hidden="true"></span>
                                        "Audit log"
                                    </A>
                                </li>
                                <li>
                                    <A href="/diagnostics" attr:class="nav-link">
                                        <span class="nav-dot dot-users" aria-hidden="true"></span>
                                        "Diagnostics"
                                    </A>
                                </li>
                            </ul>
                        })
                    })}
                </Suspense>
            </nav>
            <main class="content" id="main">
                {move || rate_limited.get().map(|message| view! {
                    <div class="flash flash-warning" role="alert" data-rate-limited="true">
                        <span>{message}</span>
                        <button type="button" class="icon-button" aria-label="Dismiss" on:click=move |_| rate_limited.set(None)>"×"</button>
                    </div>
                })}
                {move || flash_message.get().map(|message| view! {
                    <div class="flash" role="status">
                        <span>{message}</span>
                        <button type="button" class="icon-button" aria-label="Dismiss" on:click=move |_| flash.clear()>"×"</button>
                    </div>
                })}
                <AppErrorBoundary>
                    <Outlet/>
                </AppErrorBoundary>
            </main>
        </div>
    }
}

/// A pinned view under its entity: the entity's list opened with the view (`view=<id>` in the link, so the
/// report knows which view it shows), marked current while the page shows it. A plain link: the router still
/// handles the click, and `<A>` would compare paths only.
fn pinned_view_link(kind: EntityKind, view: SavedView) -> impl IntoView {
    let query = use_query_map();
    let id = view.id.to_string();
    // A board view opens the board; a table view the entity's list.
    let href = format!(
        "{}{}",
        view.layout.path(kind),
        ReportQuery::of_view(&view, kind).to_query_string()
    );
    let current = move || {
        query
            .read()
            .get_str("view")
            .is_some_and(|shown| shown == id)
            .then_some("page")
    };
    view! {
        <li>
            <a href=href class="nav-link nav-view" aria-current=current data-view-id=view.id>
                {view.name}
            </a>
        </li>
    }
}
