//! CSV imports as the API answers them: the check of a whole file (every error, by row and column) and the
//! imports made, for the browser's Import dialog and the imports list.

use serde::{Deserialize, Serialize};

/// One problem of one row (or of the header, row 1). `row` is the row as a spreadsheet numbers it: the
/// header is row 1, the first record row 2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportError {
    pub row: u64,
    /// The file's column header, when the problem is one cell's.
    pub column: Option<String>,
    /// The field that column fills.
    pub field: Option<String>,
    pub code: String,
    pub message: String,
}

/// The check of a file: how many rows, how many would import as they are, and every error (at most
/// [`MAX_REPORTED_ERRORS`]; `error_count` counts them all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub rows: u64,
    pub valid: u64,
    pub error_count: u64,
    pub errors: Vec<ImportError>,
    /// How the file's columns were read: (header, field or `None` when ignored).
    pub columns: Vec<ColumnMapping>,
    /// The import made, when the file was imported.
    pub import: Option<ImportSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMapping {
    pub header: String,
    pub field: Option<String>,
}

/// The most errors one report lists.
pub const MAX_REPORTED_ERRORS: usize = 100_000;

/// One import that wrote records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub id: i64,
    pub entity: String,
    pub user_id: i64,
    pub user_name: String,
    pub filename: String,
    pub rows: i64,
    pub created_at: String,
    pub undone_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportList {
    pub data: Vec<ImportSummary>,
}

/// What an undo did: the records moved to the trash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UndoneImport {
    pub import: ImportSummary,
    pub trashed: u64,
}
