//! `/api/views…`: saved views of the reports (issue 16), and each user's default view per entity.

use std::future::Future;

use shared::{
    views::{SavedView, SavedViewInput, SavedViewList, SavedViewPatch},
    EntityKind,
};

use super::ApiFailure;

/// `GET /api/views[?entity=…]`: the user's own views and the tenant's shared ones, pinned first then by name
/// (views of modules switched off are left out).
pub fn list(
    entity: Option<EntityKind>,
) -> impl Future<Output = Result<SavedViewList, ApiFailure>> + Send + 'static {
    match entity {
        Some(kind) => super::get(&format!("/api/views?entity={}", kind.plural())),
        None => super::get("/api/views"),
    }
}

/// `GET /api/views/{id}`.
pub fn get(id: i64) -> impl Future<Output = Result<SavedView, ApiFailure>> + Send + 'static {
    super::get(&format!("/api/views/{id}"))
}

/// `POST /api/views`: 400 with details on `name` and `query.<param>`, 409 on `name` when it is taken.
pub fn create(
    input: &SavedViewInput,
) -> impl Future<Output = Result<SavedView, ApiFailure>> + Send + 'static {
    super::send("POST", "/api/views", input)
}

/// `PATCH /api/views/{id}`: the fields sent, with the `version` read (409 when someone changed it since).
pub fn update(
    id: i64,
    patch: &SavedViewPatch,
) -> impl Future<Output = Result<SavedView, ApiFailure>> + Send + 'static {
    super::send("PATCH", &format!("/api/views/{id}"), patch)
}

/// `DELETE /api/views/{id}` (and every user's choice of it as their default).
pub fn delete(id: i64) -> impl Future<Output = Result<(), ApiFailure>> + Send + 'static {
    super::delete(&format!("/api/views/{id}"))
}

/// `PUT /api/views/{id}/default`: the user opens the view's report with it.
pub fn set_default(
    id: i64,
) -> impl Future<Output = Result<SavedView, ApiFailure>> + Send + 'static {
    super::call("PUT", &format!("/api/views/{id}/default"), None)
}

/// `DELETE /api/views/{id}/default`: back to the plain report.
pub fn clear_default(id: i64) -> impl Future<Output = Result<(), ApiFailure>> + Send + 'static {
    super::delete(&format!("/api/views/{id}/default"))
}
