//! The signed-in user, loaded once per page from `GET /api/auth/me` (during server rendering, then carried to
//! the browser with the HTML) and shared through context.

use leptos::prelude::*;
use shared::{auth::Me, Role};

use crate::api;

#[derive(Clone, Copy)]
pub struct CurrentUser(pub Resource<Option<Me>>);

pub fn provide_current_user() -> CurrentUser {
    let resource = Resource::new_blocking(
        || (),
        |_| async move { api::get::<Me>("/api/auth/me").await.ok() },
    );
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
