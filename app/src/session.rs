//! The signed-in user, loaded once per page from `api::auth::me` (during server rendering, then carried to
//! the browser with the HTML) and shared through context.

use leptos::prelude::*;
use shared::{auth::Me, EntityKind, Role};

use crate::api;

#[derive(Clone, Copy)]
pub struct CurrentUser(pub Resource<Option<Me>>);

pub fn provide_current_user() -> CurrentUser {
    let resource = Resource::new_blocking(|| (), |_| async move { api::auth::me().await.ok() });
    let current = CurrentUser(resource);
    provide_context(current);
    current
}

pub fn use_current_user() -> CurrentUser {
    use_context::<CurrentUser>().unwrap_or_else(provide_current_user)
}

pub fn is_admin(me: &Option<Me>) -> bool {
    matches!(me, Some(me) if me.role == Role::Admin)
}

/// Whether the tenant has `kind`'s module on (`Me.modules_off` lists those switched off). Switched-off modules
/// disappear from navigation, reports, search and reference pickers; their API answers 404.
pub fn module_on(me: &Option<Me>, kind: EntityKind) -> bool {
    me.as_ref()
        .is_none_or(|me| !me.modules_off.iter().any(|off| off == kind.plural()))
}
