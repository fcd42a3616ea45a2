//! Pages most users open rarely — the admin configuration, users, diagnostics, import, the audit log and
//! scheduled reports — and how the router shows them.
//!
//! With the `lazy-routes` feature (the release site `scripts/build-release` makes, split by
//! `keel-wasm-split`) each is a lazy route: its code is in a WASM chunk the browser fetches when such a page
//! is first opened, not in the bundle every page loads. A lazy route's code is an import that only the split
//! provides, so a WASM build with the feature must be split; builds without it (`cargo leptos watch`,
//! `cargo leptos build --release`, the tests) show the same pages as ordinary routes. The server renders
//! them either way, so they work before hydration.
//!
//! Each lazy route only wraps its page component: none loads data in `data()`, because every one of these
//! pages is rendered on the server first, with its data, and hydrates from that.

use leptos::prelude::*;
use leptos_router::ChooseView;
use shared::EntityKind;

use crate::{
    admin::backend_config::BackendConfigPage, audit_page::AuditPage,
    diagnostics_page::DiagnosticsPage, records::import_page::ImportPage,
    schedules_page::SchedulesPage, users_page::UsersPage,
};

/// Declares the view of a rarely used page without props: `rare_page!(view_fn, RouteType, Page)`.
macro_rules! rare_page {
    ($(#[$doc:meta])* $view:ident, $route:ident, $page:ident) => {
        #[cfg(feature = "lazy-routes")]
        pub struct $route;

        #[cfg(feature = "lazy-routes")]
        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }

        $(#[$doc])*
        pub fn $view() -> impl ChooseView {
            #[cfg(feature = "lazy-routes")]
            let view = leptos_router::Lazy::<$route>::new();
            #[cfg(not(feature = "lazy-routes"))]
            let view = $page;
            view
        }
    };
}

rare_page!(
    /// `/admin/backend-config`.
    backend_config,
    BackendConfigRoute,
    BackendConfigPage
);
rare_page!(
    /// `/users`.
    users,
    UsersRoute,
    UsersPage
);
rare_page!(
    /// `/diagnostics`.
    diagnostics,
    DiagnosticsRoute,
    DiagnosticsPage
);
rare_page!(
    /// `/admin/audit`.
    audit,
    AuditRoute,
    AuditPage
);
rare_page!(
    /// `/reports/schedules`.
    schedules,
    SchedulesRoute,
    SchedulesPage
);

/// `/{entity}/import`.
pub fn import(kind: EntityKind) -> impl ChooseView {
    #[cfg(feature = "lazy-routes")]
    let view = {
        let _ = kind;
        leptos_router::Lazy::<ImportRoute>::new()
    };
    #[cfg(not(feature = "lazy-routes"))]
    let view = move || view! { <ImportPage kind/> };
    view
}

/// `/{entity}/import` for every entity: one route type, the entity read from the path it matched (a lazy
/// route's `data()` takes no arguments).
#[cfg(feature = "lazy-routes")]
pub struct ImportRoute {
    kind: Option<EntityKind>,
}

#[cfg(feature = "lazy-routes")]
#[leptos_router::lazy_route]
impl leptos_router::LazyRoute for ImportRoute {
    fn data() -> Self {
        let path = leptos_router::hooks::use_location()
            .pathname
            .get_untracked();
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
            None => view! { <crate::pages::NotFound/> }.into_any(),
        }
    }
}

/// The split's loader, which `keel.js` imports before the WASM can start (`scripts/wasm-split`).
#[cfg(feature = "ssr")]
const SPLIT_LOADER: &str = "__wasm_split.______________________.js";

/// A `modulepreload` of the split's loader, in a split site only: the browser would otherwise find it only
/// once it has parsed `keel.js`, a round trip later (about 70 ms before every page became interactive).
/// Leptos names it only beside a lazy page's own preloads, which our in-order pages do not get.
pub fn split_loader_preload(options: &leptos::config::LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        static SPLIT_SITE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        let split = *SPLIT_SITE.get_or_init(|| {
            std::path::Path::new(&*options.site_root)
                .join(&*options.site_pkg_dir)
                .join(SPLIT_LOADER)
                .is_file()
        });
        let href = format!("/{}/{SPLIT_LOADER}", options.site_pkg_dir);
        split.then(|| view! { <link rel="modulepreload" href=href/> })
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = options;
    }
}
