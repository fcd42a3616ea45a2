//! Pages most users open rarely — the admin configuration, users, diagnostics, import, the audit log and
//! scheduled reports — as lazy routes: a release build split with `wasm-split` (scripts/build-release,
//! `cargo leptos build --split`) ships their code in WASM chunks the browser fetches when such a page is
//! first opened (or, when the page itself is requested, with it: the server lists its chunks as preloads),
//! not in the bundle every page loads. The server renders them like any other page, so they still work
//! before hydration. Every WASM build must be split (`cargo leptos watch --split` too): on wasm32 a lazy
//! function is an import only the split provides.
//!
//! Each route only wraps its page component: no route here starts loading data in `data()`, because every
//! one of these pages is rendered on the server first, with its data, and hydrates from that.

use leptos::prelude::*;
use leptos_router::{hooks::use_location, lazy_route, LazyRoute};
use shared::EntityKind;

use crate::{
    admin::backend_config::BackendConfigPage, audit_page::AuditPage,
    diagnostics_page::DiagnosticsPage, pages::NotFound, records::import_page::ImportPage,
    schedules_page::SchedulesPage, users_page::UsersPage,
};

/// Declares a lazy route for a page without props: `page_route!(Route, Page)`.
macro_rules! page_route {
    ($(#[$doc:meta])* $name:ident, $page:ident) => {
        $(#[$doc])*
        pub struct $name;

        #[lazy_route]
        impl LazyRoute for $name {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    };
}

page_route!(
    /// `/admin/backend-config`.
    BackendConfigRoute,
    BackendConfigPage
);
page_route!(
    /// `/users`.
    UsersRoute,
    UsersPage
);
page_route!(
    /// `/diagnostics`.
    DiagnosticsRoute,
    DiagnosticsPage
);
page_route!(
    /// `/admin/audit`.
    AuditRoute,
    AuditPage
);
page_route!(
    /// `/reports/schedules`.
    SchedulesRoute,
    SchedulesPage
);

/// `/{entity}/import` for every entity: one route type, the entity read from the path it matched (a lazy
/// route's `data()` takes no arguments).
pub struct ImportRoute {
    kind: Option<EntityKind>,
}

#[lazy_route]
impl LazyRoute for ImportRoute {
    fn data() -> Self {
        let path = use_location().pathname.get_untracked();
        let kind = path
            .trim_start_matches('/')
            .split('/')
            .next()
            .and_then(EntityKind::from_plural);
        Self { kind }
    }

    fn view(this: Self) -> AnyView {
        match this.kind {
            Some(kind) => view! { <ImportPage kind/> }.into_any(),
            None => view! { <NotFound/> }.into_any(),
        }
    }
}
