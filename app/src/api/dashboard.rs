//! `/api/dashboard`: the home page's figures.

use std::future::Future;

use shared::dashboard::Dashboard;

use super::ApiFailure;

/// `GET /api/dashboard`: records per status, the project pipeline, leads per week, the user's open tasks and
/// the latest changes.
pub fn get() -> impl Future<Output = Result<Dashboard, ApiFailure>> + Send + 'static {
    super::get("/api/dashboard")
}
