//! `/api/auth/…`. Signing in and out are plain HTML form posts (they work before hydration), so only the
//! current user is fetched.

use std::future::Future;

use shared::auth::Me;

use super::ApiFailure;

/// `GET /api/auth/me`: the signed-in user.
pub fn me() -> impl Future<Output = Result<Me, ApiFailure>> + Send + 'static {
    super::get("/api/auth/me")
}
