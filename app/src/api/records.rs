//! `/api/{entity}…` and `/api/trash/{entity}…`: the records of every entity, addressed by its plural.

use std::future::Future;

use serde_json::{Map, Value};
use shared::{board::Board, EntityKind};

use super::ApiFailure;
use crate::records::{query::ReportQuery, ListPage, Record};

/// `GET /api/{entity}?…`: one page of the list, filtered, sorted and paged by `query` (the app's own `view`
/// and `columns` parameters left out).
pub fn list(
    kind: EntityKind,
    query: &ReportQuery,
) -> impl Future<Output = Result<ListPage, ApiFailure>> + Send + 'static {
    super::get(&format!(
        "/api/{}{}",
        kind.plural(),
        query.api_query_string()
    ))
}

/// `GET /api/{entity}/board?…`: the board of a status entity with the filters and sort of `query`; with
/// `column`, only that column's cards after the first `offset` ("Show more").
pub fn board(
    kind: EntityKind,
    query: &ReportQuery,
    column: Option<&str>,
    offset: usize,
) -> impl Future<Output = Result<Board<Record>, ApiFailure>> + Send + 'static {
    let mut path = format!(
        "/api/{}/board{}",
        kind.plural(),
        query.export_query_string()
    );
    if let Some(column) = column {
        let joiner = if path.contains('?') { '&' } else { '?' };
        path.push_str(&format!("{joiner}column={column}&offset={offset}"));
    }
    super::get(&path)
}

/// `GET /api/{entity}/export.csv?…`: a plain link (the browser downloads it), with the filters and sort of
/// `query` and no paging — the export has every row.
pub fn export_url(kind: EntityKind, query: &ReportQuery) -> String {
    format!(
        "/api/{}/export.csv{}",
        kind.plural(),
        query.export_query_string()
    )
}

/// `GET /api/{entity}/{id}`.
pub fn get(
    kind: EntityKind,
    id: i64,
) -> impl Future<Output = Result<Record, ApiFailure>> + Send + 'static {
    super::get(&format!("/api/{}/{id}", kind.plural()))
}

/// `POST /api/{entity}`: the new record's fields; answers the record as stored.
pub fn create(
    kind: EntityKind,
    fields: &Map<String, Value>,
) -> impl Future<Output = Result<Record, ApiFailure>> + Send + 'static {
    super::send("POST", &format!("/api/{}", kind.plural()), fields)
}

/// `PATCH /api/{entity}/{id}`: the changed fields and the `version` they were read at.
pub fn update(
    kind: EntityKind,
    id: i64,
    changes: &Map<String, Value>,
) -> impl Future<Output = Result<Record, ApiFailure>> + Send + 'static {
    super::send("PATCH", &format!("/api/{}/{id}", kind.plural()), changes)
}

/// `DELETE /api/{entity}/{id}`: moves the record (and a client's projects) to the trash.
pub fn delete(
    kind: EntityKind,
    id: i64,
) -> impl Future<Output = Result<(), ApiFailure>> + Send + 'static {
    super::delete(&format!("/api/{}/{id}", kind.plural()))
}

/// `GET /api/trash/{entity}?page=…&page_size=…`: deleted records, newest first.
pub fn trash(
    kind: EntityKind,
    page: u64,
    page_size: u64,
) -> impl Future<Output = Result<ListPage, ApiFailure>> + Send + 'static {
    super::get(&format!(
        "/api/trash/{}?page={page}&page_size={page_size}",
        kind.plural()
    ))
}

/// `POST /api/trash/{entity}/{id}/restore`.
pub fn restore(
    kind: EntityKind,
    id: i64,
) -> impl Future<Output = Result<Record, ApiFailure>> + Send + 'static {
    let path = format!("/api/trash/{}/{id}/restore", kind.plural());
    super::send("POST", &path, &serde_json::json!({}))
}
