//! Every page but the lists, reports and boards, and how the router shows them: the dashboard, a record's
//! page and its forms, import, search, trash, sign-up, and the pages most users open rarely — the admin
//! configuration, users, diagnostics, the audit log and scheduled reports.
//!
//! With the `lazy-routes` feature (the release site `scripts/build-release` makes, split by
//! `keel-wasm-split`) each is a lazy route: its code is in a WASM chunk the browser fetches when such a page
//! is first opened, not in the bundle every page loads (decisions 75 and 77). The lists, reports and boards
//! stay in that bundle: they are one component, the report table, which most pages lead to. A lazy route's
//! code is an import that only the split provides, so a WASM build with the feature must be split; builds
//! without it (`cargo leptos watch`, `cargo leptos build --release`, the tests) show the same pages as
//! ordinary routes. The server renders them either way, so they work before hydration.
//!
//! Each lazy route only wraps its page component: none loads data in `data()`, because every one of these
//! pages is rendered on the server first, with its data, and hydrates from that.

use leptos::prelude::*;
use leptos_router::ChooseView;
use shared::EntityKind;

use crate::{
    admin::backend_config::BackendConfigPage,
    audit_page::AuditPage,
    auth_pages::SignupPage,
    dashboard::Dashboard,
    diagnostics_page::DiagnosticsPage,
    records::{import_page::ImportPage, record_form::FormMode, RecordFormPage, RecordPage},
    schedules_page::SchedulesPage,
    search_page::SearchPage,
    trash_page::TrashPage,
    users_page::UsersPage,
};

#[cfg(feature = "lazy-routes")]
use crate::pages::NotFound;

/// A lazy route for a group of pages: `lazy_group!(RouteType, Page, view_fn)`. Its `data()` reads which
/// page of the group from the location: a lazy route's `data()` takes no arguments, and the router has moved
/// the location to the new path by the time it chooses the route's view. `Page::from_path` must choose the
/// page the router matched, or the browser would hydrate another page than the server rendered.
macro_rules! lazy_group {
    ($route:ident, $page:ty, $view:expr) => {
        #[cfg(feature = "lazy-routes")]
        pub struct $route(Option<$page>);

        #[cfg(feature = "lazy-routes")]
        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                let path = leptos_router::hooks::use_location()
                    .pathname
                    .get_untracked();
                Self(<$page>::from_path(&path))
            }

            fn view(this: Self) -> AnyView {
                match this.0 {
                    Some(page) => $view(page),
                    None => view! { <NotFound/> }.into_any(),
                }
            }
        }
    };
}

/// The route's view: with the lazy routes the group's lazy route, which finds its page from the path;
/// without them the page itself.
macro_rules! choose {
    ($route:ident, $page:expr, $view:expr) => {{
        #[cfg(feature = "lazy-routes")]
        let view = {
            let _ = $page;
            leptos_router::Lazy::<$route>::new()
        };
        #[cfg(not(feature = "lazy-routes"))]
        let view = move || $view($page);
        view
    }};
}

/// The dashboard, everyone's first page: a chunk of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Home;

impl Home {
    #[cfg(any(test, feature = "lazy-routes"))]
    fn from_path(path: &str) -> Option<Self> {
        path.trim_matches('/').is_empty().then_some(Self)
    }
}

fn home_view(_: Home) -> AnyView {
    view! { <Dashboard/> }.into_any()
}

lazy_group!(HomeRoute, Home, home_view);

/// `/`.
pub fn dashboard() -> impl ChooseView {
    choose!(HomeRoute, Home, home_view)
}

/// A record's page and its two forms, opened one after another (a list, a record, its Edit, back): one
/// chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordPages {
    Detail(EntityKind),
    Create(EntityKind),
    Edit(EntityKind),
}

impl RecordPages {
    #[cfg(any(test, feature = "lazy-routes"))]
    fn from_path(path: &str) -> Option<Self> {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let kind = EntityKind::from_plural(segments.first()?)?;
        // As the router matches `new`, `:id` and `:id/edit`: whatever the id, its page says whether the
        // record exists (the server renders "Lead not found" for `/leads/abc`).
        Some(match segments[1..] {
            ["new"] => Self::Create(kind),
            [_] => Self::Detail(kind),
            [_, "edit"] => Self::Edit(kind),
            _ => return None,
        })
    }
}

fn record_view(page: RecordPages) -> AnyView {
    match page {
        RecordPages::Detail(kind) => view! { <RecordPage kind/> }.into_any(),
        RecordPages::Create(kind) => {
            view! { <RecordFormPage kind mode=FormMode::Create/> }.into_any()
        }
        RecordPages::Edit(kind) => view! { <RecordFormPage kind mode=FormMode::Edit/> }.into_any(),
    }
}

lazy_group!(RecordPagesRoute, RecordPages, record_view);

/// `/{entity}/:id`, `/{entity}/new` and `/{entity}/:id/edit`.
pub fn record_pages(page: RecordPages) -> impl ChooseView {
    choose!(RecordPagesRoute, page, record_view)
}

/// The pages most users open rarely: one chunk, fetched the first time any of them is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RarePages {
    BackendConfig,
    Users,
    Diagnostics,
    Audit,
    Schedules,
    Trash,
    Search,
    Signup,
    Import(EntityKind),
}

impl RarePages {
    #[cfg(any(test, feature = "lazy-routes"))]
    fn from_path(path: &str) -> Option<Self> {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        Some(match segments.as_slice() {
            ["admin", "backend-config"] => Self::BackendConfig,
            ["users"] => Self::Users,
            ["diagnostics"] => Self::Diagnostics,
            ["admin", "audit"] => Self::Audit,
            ["reports", "schedules"] => Self::Schedules,
            ["trash"] => Self::Trash,
            ["search"] => Self::Search,
            ["signup"] => Self::Signup,
            [entity, "import"] => Self::Import(EntityKind::from_plural(entity)?),
            _ => return None,
        })
    }
}

fn rare_view(page: RarePages) -> AnyView {
    match page {
        RarePages::BackendConfig => view! { <BackendConfigPage/> }.into_any(),
        RarePages::Users => view! { <UsersPage/> }.into_any(),
        RarePages::Diagnostics => view! { <DiagnosticsPage/> }.into_any(),
        RarePages::Audit => view! { <AuditPage/> }.into_any(),
        RarePages::Schedules => view! { <SchedulesPage/> }.into_any(),
        RarePages::Trash => view! { <TrashPage/> }.into_any(),
        RarePages::Search => view! { <SearchPage/> }.into_any(),
        RarePages::Signup => view! { <SignupPage/> }.into_any(),
        RarePages::Import(kind) => view! { <ImportPage kind/> }.into_any(),
    }
}

lazy_group!(RarePagesRoute, RarePages, rare_view);

/// A rarely used page's route view.
pub fn rare(page: RarePages) -> impl ChooseView {
    choose!(RarePagesRoute, page, rare_view)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Each group's lazy route finds its page from the paths lib.rs gives its routes.
    #[test]
    fn every_lazy_page_is_found_from_its_path() {
        assert_eq!(Home::from_path("/"), Some(Home));
        assert_eq!(Home::from_path("/leads"), None);
        for kind in shared::ENTITY_KINDS {
            let plural = kind.plural();
            assert_eq!(
                RecordPages::from_path(&format!("/{plural}/7")),
                Some(RecordPages::Detail(kind))
            );
            assert_eq!(
                RecordPages::from_path(&format!("/{plural}/new")),
                Some(RecordPages::Create(kind))
            );
            assert_eq!(
                RecordPages::from_path(&format!("/{plural}/7/edit")),
                Some(RecordPages::Edit(kind))
            );
            assert_eq!(
                RarePages::from_path(&format!("/{plural}/import")),
                Some(RarePages::Import(kind))
            );
            // Any id, as the router's `:id`: the record page itself says when it does not exist.
            assert_eq!(
                RecordPages::from_path(&format!("/{plural}/abc")),
                Some(RecordPages::Detail(kind))
            );
            assert_eq!(
                RecordPages::from_path(&format!("/{plural}/abc/edit")),
                Some(RecordPages::Edit(kind))
            );
        }
        for (path, page) in [
            ("/admin/backend-config", RarePages::BackendConfig),
            ("/users", RarePages::Users),
            ("/diagnostics", RarePages::Diagnostics),
            ("/admin/audit", RarePages::Audit),
            ("/reports/schedules", RarePages::Schedules),
            ("/trash", RarePages::Trash),
            ("/search", RarePages::Search),
            ("/signup", RarePages::Signup),
        ] {
            assert_eq!(RarePages::from_path(path), Some(page), "{path}");
        }
        assert_eq!(RarePages::from_path("/nowhere/import"), None);
        assert_eq!(RecordPages::from_path("/nowhere/7"), None);
    }
}
