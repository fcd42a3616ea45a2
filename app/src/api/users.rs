//! `/api/users…`: the tenant's users.

use std::future::Future;

use shared::entities::user::{User, UserInput, UserList, UserOption, UserPatch};

use super::ApiFailure;

/// `GET /api/admin/export` (admins): the whole organisation as a `.tar.gz`, downloaded by the browser itself.
pub const ORGANISATION_EXPORT_URL: &str = "/api/admin/export";

/// `GET /api/users/options`: the active users, as assignee choices.
pub fn options() -> impl Future<Output = Result<Vec<UserOption>, ApiFailure>> + Send + 'static {
    super::get("/api/users/options")
}

/// `GET /api/users` (admins).
pub fn list() -> impl Future<Output = Result<UserList, ApiFailure>> + Send + 'static {
    super::get("/api/users")
}

/// `POST /api/users` (admins).
pub fn create(
    input: &UserInput,
) -> impl Future<Output = Result<User, ApiFailure>> + Send + 'static {
    super::send("POST", "/api/users", input)
}

/// `PATCH /api/users/{id}` (admins): a new role, or reactivation.
pub fn update(
    id: i64,
    patch: &UserPatch,
) -> impl Future<Output = Result<User, ApiFailure>> + Send + 'static {
    super::send("PATCH", &format!("/api/users/{id}"), patch)
}

/// `DELETE /api/users/{id}` (admins): deactivates the user — users are never deleted, their records keep
/// pointing at them.
pub fn deactivate(id: i64) -> impl Future<Output = Result<(), ApiFailure>> + Send + 'static {
    super::delete(&format!("/api/users/{id}"))
}
