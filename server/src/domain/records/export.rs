//! The CSV export: every row the report list would show for the same filters and sort, as RFC 4180 CSV with
//! the report's columns, produced as a stream of byte chunks (the HTTP layer sends them as they come; a
//! scheduled job can store them). Memory stays at a couple of chunks whatever the row count.

use futures_util::stream::BoxStream;
use sea_orm::DatabaseConnection;
use serde_json::Value;
use shared::{permissions::Action, EntityKind, FieldError, Storage};

use super::query::ListQuery;
use crate::{
    db::{
        self,
        records::export::{Chunker, Position},
    },
    domain::{params::Params, Actor, DomainError, Services},
};

/// Excel reads a CSV without a byte order mark in the machine's legacy code page, which garbles every
/// non-ASCII name; with it, Excel, LibreOffice, Numbers, Google Sheets and most CSV libraries read UTF-8.
const BOM: &str = "\u{feff}";

/// The parameters of the list that an export does not take: it always returns every matching row.
const PAGING: [&str; 3] = ["page", "page_size", "cursor"];

/// One column of the report: its header, where its value is and what kind it is (`shared`'s definition, the
/// one the report table in the browser uses too).
type Column = shared::descriptor::ColumnDef;

fn report_columns(descriptor: &shared::EntityDescriptor) -> Vec<Column> {
    descriptor.report_columns().collect()
}

/// Whether a column holds free text people typed. Only those can start a formula; numbers, money, dates
/// and times are written by the server and are left as they are (a negative amount stays a number).
fn is_text(column: &Column) -> bool {
    column.kind.storage() == Storage::Text
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

fn render(columns: &[Column], rows: &[Vec<Value>]) -> String {
    let mut out = String::with_capacity(rows.len() * 160);
    for row in rows {
        for (index, (column, cell)) in columns.iter().zip(row).enumerate() {
            if index > 0 {
                out.push(',');
            }
            match cell {
                Value::Null => {}
                Value::String(text) => push_cell(&mut out, text, is_text(column)),
                other => push_cell(&mut out, &other.to_string(), false),
            }
        }
        out.push_str("\r\n");
    }
    out
}

/// A CSV file being produced: its name and its bytes, chunk by chunk. A failure part-way ends the stream
/// with an error, so that whoever carries the bytes can abort rather than deliver a file that looks complete.
pub struct CsvExport {
    pub filename: String,
    pub chunks: BoxStream<'static, Result<Vec<u8>, std::io::Error>>,
    /// Data rows produced so far (the header not counted); final once `chunks` has ended.
    pub rows: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// Refuses the paging parameters (an export always has every matching row), then parses the rest as a list.
pub fn parse_export(
    actor: &Actor,
    kind: EntityKind,
    params: &Params,
) -> Result<ListQuery, DomainError> {
    let paging: Vec<FieldError> = params
        .pairs()
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
        return Err(DomainError::Invalid {
            message: "Invalid export parameters".into(),
            details: paging,
        });
    }
    super::read::parse_list(actor, kind, params)
}

/// The report as CSV: a header row of the report's column labels, then every matching row. The first chunk
/// is read before this returns, so a failure there is still an error the caller can answer with.
pub async fn export(
    svc: &Services,
    actor: &Actor,
    kind: EntityKind,
    query: &ListQuery,
) -> Result<CsvExport, DomainError> {
    actor.require(Action::ReadRecords)?;
    crate::domain::backend_config::enabled(svc, actor, kind).await?;
    let descriptor = kind.descriptor();
    let db: DatabaseConnection = svc.db.clone();
    let columns = report_columns(descriptor);
    let chunker = Chunker::new(
        descriptor,
        actor.tenant_id,
        &query.conditions,
        query.sort_by,
        query.sort_order,
        columns.clone(),
        svc.config.export_chunk_rows,
        db::is_sqlite(&db),
    );

    let first = chunker.next(&db, None).await?;
    let mut body = header_line(&columns);
    body.push_str(&render(&columns, &first.rows));
    let mut done = (first.rows.len() as u64) < chunker.chunk_rows;
    let mut last: Option<Position> = first.last;
    let rows = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(first.rows.len() as u64));
    let counted = rows.clone();

    // Two chunks in flight at most: the next is read while the consumer takes the previous one.
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(2);
    tokio::spawn(async move {
        if sender.send(Ok(body.into_bytes())).await.is_err() {
            return;
        }
        while !done {
            let sent = match chunker.next(&db, last.as_ref()).await {
                // A chunk that does not move past the last one would repeat forever; it cannot happen with
                // ties broken by id, and if it ever did the download fails instead of growing without end.
                Ok(chunk) if chunk.last == last => {
                    tracing::error!("CSV export made no progress");
                    let _ = sender
                        .send(Err(std::io::Error::other("export failed")))
                        .await;
                    return;
                }
                Ok(chunk) => {
                    done = (chunk.rows.len() as u64) < chunker.chunk_rows;
                    if chunk.rows.is_empty() {
                        break;
                    }
                    last = chunk.last;
                    counted.fetch_add(
                        chunk.rows.len() as u64,
                        std::sync::atomic::Ordering::Relaxed,
                    );
                    sender
                        .send(Ok(render(&columns, &chunk.rows).into_bytes()))
                        .await
                }
                Err(err) => {
                    tracing::error!(error = %err, "CSV export failed part-way");
                    let _ = sender
                        .send(Err(std::io::Error::other("export failed")))
                        .await;
                    return;
                }
            };
            if sent.is_err() {
                // The consumer went away.
                return;
            }
        }
    });
    Ok(CsvExport {
        filename: format!(
            "{}-{}.csv",
            descriptor.table,
            chrono::Utc::now().format("%Y-%m-%d")
        ),
        chunks: Box::pin(futures_util::stream::poll_fn(move |cx| {
            receiver.poll_recv(cx)
        })),
        rows,
    })
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
