//! `/api/{entity}/import` and `/api/imports…`: CSV imports, their list and their undo.

use std::future::Future;

use shared::{
    imports::{ImportList, ImportReport, UndoneImport},
    EntityKind,
};

use super::ApiFailure;

/// What an import answered: the report (a dry run's, or an import's), or a refusal — with the report when
/// rows failed, without one when the file itself could not be used.
#[derive(Debug, Clone)]
pub enum ImportAnswer {
    Report(ImportReport),
    RowsFailed {
        message: String,
        report: ImportReport,
    },
    Refused(ApiFailure),
}

/// `POST /api/{entity}/import?dry_run=…&mapping=…&filename=…` with the chosen file as the body (browser only).
#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
pub async fn upload(
    kind: EntityKind,
    file: web_sys::File,
    dry_run: bool,
    mapping: &std::collections::BTreeMap<String, Option<String>>,
) -> ImportAnswer {
    let mapping = serde_json::to_string(mapping).unwrap_or_else(|_| "{}".into());
    let path = format!(
        "/api/{}/import?dry_run={dry_run}&mapping={}&filename={}",
        kind.plural(),
        crate::records::query::percent_encode(&mapping),
        crate::records::query::percent_encode(&file.name()),
    );
    let (status, text) = match super::transport::upload(&path, &file, "text/csv").await {
        Ok(answer) => answer,
        Err(failure) => return ImportAnswer::Refused(failure),
    };
    if status == 400 {
        if let Ok(report) = serde_json::from_str::<ImportReport>(&text) {
            let message = serde_json::from_str::<shared::ErrorBody>(&text)
                .map(|body| body.error)
                .unwrap_or_default();
            return ImportAnswer::RowsFailed { message, report };
        }
    }
    match super::decode::<ImportReport>(status, &text) {
        Ok(report) => ImportAnswer::Report(report),
        Err(failure) => ImportAnswer::Refused(failure),
    }
}

#[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
pub async fn upload(
    _kind: EntityKind,
    _file: (),
    _dry_run: bool,
    _mapping: &std::collections::BTreeMap<String, Option<String>>,
) -> ImportAnswer {
    ImportAnswer::Refused(ApiFailure::local(
        0,
        shared::ErrorCode::ServiceUnavailable,
        "Files are uploaded from the browser",
    ))
}

/// `GET /api/imports`.
pub fn list() -> impl Future<Output = Result<ImportList, ApiFailure>> + Send + 'static {
    super::get("/api/imports")
}

/// `DELETE /api/imports/{id}[?force=true]`: the undo.
pub fn undo(
    id: i64,
    force: bool,
) -> impl Future<Output = Result<UndoneImport, ApiFailure>> + Send + 'static {
    super::call("DELETE", &format!("/api/imports/{id}?force={force}"), None)
}
