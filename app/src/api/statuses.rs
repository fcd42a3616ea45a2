//! `/api/statuses`: the tenant's statuses.

use std::future::Future;

use shared::StatusOption;

use super::ApiFailure;

/// `GET /api/statuses?entity=…`: the statuses of one status entity (`lead`, `project`, …), in order.
pub fn list(
    entity: &str,
) -> impl Future<Output = Result<Vec<StatusOption>, ApiFailure>> + Send + 'static {
    super::get(&format!("/api/statuses?entity={entity}"))
}
