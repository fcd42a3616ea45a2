//! `/api/{entity}/{id}/history…` and `/api/audit…`: who changed what, reverts, and the audit log.

use std::future::Future;

use shared::{history::HistoryPage, EntityKind};

use super::ApiFailure;
use crate::records::Record;

/// `GET /api/{entity}/{id}/history[?before=…]`: a page of the record's entries, newest first.
pub fn of_record(
    kind: EntityKind,
    id: i64,
    before: Option<i64>,
) -> impl Future<Output = Result<HistoryPage, ApiFailure>> + Send + 'static {
    let older = before.map(|b| format!("?before={b}")).unwrap_or_default();
    super::get(&format!("/api/{}/{id}/history{older}", kind.plural()))
}

/// `POST /api/{entity}/{id}/history/{entry}/revert`: the record after the revert, `None` when the revert
/// moved it to the trash.
pub fn revert(
    kind: EntityKind,
    id: i64,
    entry: i64,
) -> impl Future<Output = Result<Option<Record>, ApiFailure>> + Send + 'static {
    let path = format!("/api/{}/{id}/history/{entry}/revert", kind.plural());
    super::send("POST", &path, &serde_json::json!({}))
}

/// `GET /api/audit?…` (admins): `query` is the page's own filter string, without the `?`.
pub fn audit(
    query: &str,
) -> impl Future<Output = Result<HistoryPage, ApiFailure>> + Send + 'static {
    super::get(&format!("/api/audit?{query}"))
}

/// `GET /api/audit/export.csv?…`: a plain link, the browser downloads it.
pub fn audit_export_url(query: &str) -> String {
    format!("/api/audit/export.csv?{query}")
}
