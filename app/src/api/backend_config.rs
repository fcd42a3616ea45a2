//! `/api/backend-config` and `/api/admin/backend-config…`: the tenant's custom backend.

use std::future::Future;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::{backend_config::ConfigPlan, BackendConfig};

use super::ApiFailure;

/// `GET /api/backend-config` (anyone signed in): statuses, rules and features, what forms validate with.
pub fn for_forms() -> impl Future<Output = Result<BackendConfig, ApiFailure>> + Send + 'static {
    super::get("/api/backend-config")
}

/// `GET /api/admin/backend-config` (administrators): the document to edit, with its `version`.
pub fn get() -> impl Future<Output = Result<BackendConfig, ApiFailure>> + Send + 'static {
    super::get("/api/admin/backend-config")
}

/// `PUT /api/admin/backend-config` (administrators): the whole document (with `status_moves` when statuses in
/// use are removed) → the saved document.
pub fn save(
    body: &Value,
) -> impl Future<Output = Result<BackendConfig, ApiFailure>> + Send + 'static {
    super::send("PUT", "/api/admin/backend-config", body)
}

/// What `POST /api/admin/backend-config/preview` answers: the plan of a save, and whether it would go through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    pub valid: bool,
    #[serde(flatten)]
    pub plan: ConfigPlan,
}

/// `POST /api/admin/backend-config/preview` (administrators): the same body as a save; writes nothing.
pub fn preview(body: &Value) -> impl Future<Output = Result<Preview, ApiFailure>> + Send + 'static {
    super::send("POST", "/api/admin/backend-config/preview", body)
}
