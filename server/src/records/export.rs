//! `GET /api/{entity}/export.csv`: every row the report list would show for the same filters and sort, as
//! RFC 4180 CSV with the report's columns. Rows are read in keyset chunks, each its own statement, and
//! written to the response as they come: memory stays at a couple of chunks whatever the row count, and no
//! connection or snapshot is held while a slow client reads.

use axum::{
    body::{Body, Bytes},
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
};
use sea_orm::{sea_query::SelectStatement, DatabaseConnection, QueryResult};
use serde_json::Value;
use shared::{
    descriptor::FieldKind, permissions::Action, EntityDescriptor, EntityKind, FieldError,
};

use super::{
    columns,
    cursor::{self, Side},
    list_query::{Caller, ListQuery, SortOrder},
    service::{fetch_all, is_sqlite},
    sql::{self, Liveness},
};
use crate::{auth::AuthContext, error::ApiError, state::AppState};

/// Excel reads a CSV without a byte order mark in the machine's legacy code page, which garbles every
/// non-ASCII name; with it, Excel, LibreOffice, Numbers, Google Sheets and most CSV libraries read UTF-8.
const BOM: &str = "\u{feff}";

/// The parameters of the list that an export does not take: it always returns every matching row.
const PAGING: [&str; 3] = ["page", "page_size", "cursor"];

/// One column of the report: its header, where its value is and what kind it is (`shared`'s definition, the
/// one the report table in the browser uses too).
type Column = shared::descriptor::ColumnDef;

fn report_columns(descriptor: &EntityDescriptor) -> Vec<Column> {
    descriptor.report_columns().collect()
}

/// Whether a column holds free text people typed. Only those can start a formula; numbers, money, dates
/// and times are written by the server and are left as they are (a negative amount stays a number).
fn is_text(kind: FieldKind) -> bool {
    matches!(
        kind,
        FieldKind::Text
            | FieldKind::LongText
            | FieldKind::Email
            | FieldKind::Phone
            | FieldKind::Url
            | FieldKind::Status
            | FieldKind::Choice(_)
    )
}

/// Appends one RFC 4180 field. Text that a spreadsheet would run as a formula (leading `=`, `+`, `-`, `@`,
/// tab or carriage return) gets a leading `'`, which spreadsheets show as text and do not evaluate.
pub fn push_cell(out: &mut String, value: &str, text: bool) {
    let neutralise = text
        && value
            .chars()
            .next()
            .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    let quote = value.contains([',', '"', '\r', '\n']);
    if quote {
        out.push('"');
    }
    if neutralise {
        out.push('\'');
    }
    if quote {
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

fn header_line(columns: &[Column]) -> String {
    let mut out = String::from(BOM);
    for (index, column) in columns.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        push_cell(&mut out, column.label, true);
    }
    out.push_str("\r\n");
    out
}

fn push_row(out: &mut String, columns: &[Column], row: &QueryResult) -> Result<(), ApiError> {
    for (index, column) in columns.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        match columns::read(row, column.name, column.kind)? {
            Value::Null => {}
            Value::String(text) => push_cell(out, &text, is_text(column.kind)),
            other => push_cell(out, &other.to_string(), false),
        }
    }
    out.push_str("\r\n");
    Ok(())
}

/// Everything a chunk statement needs, owned so the streaming task can keep it.
struct Export {
    descriptor: &'static EntityDescriptor,
    base: SelectStatement,
    sort_by: &'static str,
    sort_order: SortOrder,
    chunk: u64,
    columns: Vec<Column>,
    sqlite: bool,
}

impl Export {
    /// The next chunk: the rows after `after` (the last row sent) in the list's order.
    async fn chunk(
        &self,
        db: &DatabaseConnection,
        after: Option<&(cursor::KeyValue, i64)>,
    ) -> Result<Vec<QueryResult>, ApiError> {
        let mut select = self.base.clone();
        if let Some((value, id)) = after {
            select.cond_where(sql::keyset(
                self.descriptor,
                self.sort_by,
                self.sort_order,
                Side::After,
                value.to_sql(),
                *id,
            ));
        }
        sql::order(
            &mut select,
            self.descriptor,
            self.sort_by,
            self.sort_order,
            false,
        );
        select.limit(self.chunk);
        fetch_all(db, &select).await
    }

    /// The CSV of a chunk, and the position after its last row.
    fn render(
        &self,
        rows: &[QueryResult],
    ) -> Result<(String, Option<(cursor::KeyValue, i64)>), ApiError> {
        let mut out = String::with_capacity(rows.len() * 160);
        for row in rows {
            push_row(&mut out, &self.columns, row)?;
        }
        let last = match rows.last() {
            Some(row) => {
                let (kind, column) = cursor::key_of(self.descriptor, self.sort_by);
                Some((
                    cursor::read_key(row, kind, column, self.sqlite)?,
                    row.try_get::<i64>("", "id")?,
                ))
            }
            None => None,
        };
        Ok((out, last))
    }
}

pub async fn export(
    state: &AppState,
    ctx: &AuthContext,
    kind: EntityKind,
    pairs: &[(String, String)],
) -> Result<Response, ApiError> {
    ctx.require(Action::ReadRecords)?;
    let descriptor = kind.descriptor();
    let paging: Vec<FieldError> = pairs
        .iter()
        .filter(|(name, _)| PAGING.contains(&name.as_str()))
        .map(|(name, _)| FieldError {
            field: name.clone(),
            code: "unknown_parameter".into(),
            message: format!(
                "`{name}` does not apply to an export: it always has every matching row"
            ),
        })
        .collect();
    if !paging.is_empty() {
        return Err(ApiError::BadRequest {
            message: "Invalid export parameters".into(),
            details: paging,
        });
    }
    let query = ListQuery::parse(
        descriptor,
        pairs,
        &Caller {
            user_id: ctx.user_id,
        },
    )?;
    let db = state.db.clone();
    let mut base = sql::select_records(descriptor, ctx.tenant_id);
    base.cond_where(sql::scope(ctx.tenant_id, Liveness::Live))
        .cond_where(sql::filter_conditions(&query.conditions, is_sqlite(&db)));
    let export = Export {
        descriptor,
        base,
        sort_by: query.sort_by,
        sort_order: query.sort_order,
        chunk: state.config.export_chunk_rows,
        columns: report_columns(descriptor),
        sqlite: is_sqlite(&db),
    };

    // The first chunk is read before the response starts, so a failure there is still an error envelope.
    let first = export.chunk(&db, None).await?;
    let (mut body, mut last) = export.render(&first)?;
    body.insert_str(0, &header_line(&export.columns));
    let mut done = (first.len() as u64) < export.chunk;
    drop(first);

    // Two chunks in flight at most: the next is read while the client takes the previous one.
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(2);
    tokio::spawn(async move {
        if sender.send(Ok(Bytes::from(body))).await.is_err() {
            return;
        }
        while !done {
            let rendered = match export.chunk(&db, last.as_ref()).await {
                Ok(rows) => {
                    done = (rows.len() as u64) < export.chunk;
                    export.render(&rows)
                }
                Err(err) => Err(err),
            };
            let sent = match rendered {
                // A chunk that does not move past the last one would repeat forever; it cannot happen with
                // ties broken by id, and if it ever did the download fails instead of growing without end.
                Ok((_, position)) if !done && position == last => {
                    tracing::error!("CSV export made no progress");
                    let _ = sender
                        .send(Err(std::io::Error::other("export failed")))
                        .await;
                    return;
                }
                Ok((csv, position)) => {
                    last = position;
                    sender.send(Ok(Bytes::from(csv))).await
                }
                Err(err) => {
                    // The status line has gone: ending the body with an error aborts the transfer, so the
                    // client sees a failed download rather than a file that looks complete.
                    tracing::error!(error = %err, "CSV export failed part-way");
                    let _ = sender
                        .send(Err(std::io::Error::other("export failed")))
                        .await;
                    return;
                }
            };
            if sent.is_err() {
                // The client went away.
                return;
            }
        }
    });
    let stream = futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx));

    let filename = format!(
        "{}-{}.csv",
        descriptor.table,
        chrono::Utc::now().format("%Y-%m-%d")
    );
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
            .map_err(ApiError::internal)?,
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(value: &str, text: bool) -> String {
        let mut out = String::new();
        push_cell(&mut out, value, text);
        out
    }

    #[test]
    fn quotes_and_neutralises_like_rfc_4180_and_owasp() {
        assert_eq!(cell("plain", true), "plain");
        assert_eq!(cell("a,b", true), "\"a,b\"");
        assert_eq!(cell("say \"hi\"", true), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\r\nlines", true), "\"two\r\nlines\"");
        assert_eq!(cell("=1+2", true), "'=1+2");
        assert_eq!(cell("+1 555 0100", true), "'+1 555 0100");
        assert_eq!(cell("-x", true), "'-x");
        assert_eq!(cell("@SUM(A1)", true), "'@SUM(A1)");
        assert_eq!(cell("\tx", true), "'\tx");
        assert_eq!(cell("=a,b", true), "\"'=a,b\"");
        assert_eq!(cell("\rx", true), "\"'\rx\"");
        // Numbers the server writes are numbers.
        assert_eq!(cell("-12.00", false), "-12.00");
        assert_eq!(cell("", true), "");
    }

    #[test]
    fn every_report_column_has_a_header() {
        for kind in shared::ENTITY_KINDS {
            let descriptor = kind.descriptor();
            let columns = report_columns(descriptor);
            assert_eq!(
                columns.len(),
                descriptor.columns.len(),
                "{}",
                descriptor.table
            );
        }
        let lead = report_columns(&shared::entities::lead::LEAD);
        let labels: Vec<&str> = lead.iter().map(|c| c.label).collect();
        assert_eq!(
            labels,
            [
                "ID",
                "Company name",
                "Contact name",
                "Email",
                "Phone",
                "Status",
                "Assigned to",
                "Created"
            ]
        );
    }
}
