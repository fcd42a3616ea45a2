//! Reading an uploaded CSV file: what it is (UTF-8 text, with or without a byte order mark, comma or
//! semicolon), its header, and its rows one at a time — each pass reads the file from disk again, so a file
//! is never held in memory, once or twice.

use std::{
    fs::File,
    io::{BufReader, Read},
    path::{Path, PathBuf},
};

use shared::FieldError;

use crate::domain::DomainError;

/// How much of the file is looked at to tell text from binary data and to find the delimiter.
const SNIFF_BYTES: usize = 64 * 1024;

/// An uploaded CSV file on disk, sniffed.
#[derive(Debug, Clone)]
pub struct CsvFile {
    path: PathBuf,
    delimiter: u8,
}

fn refused(code: &str, message: impl Into<String>) -> DomainError {
    DomainError::validation(vec![FieldError {
        field: "file".into(),
        code: code.into(),
        message: message.into(),
    }])
}

/// The delimiter of the header line: a semicolon when it has more semicolons than commas outside quotes.
fn delimiter_of(head: &[u8]) -> u8 {
    let (mut commas, mut semicolons, mut quoted) = (0, 0, false);
    for &byte in head {
        match byte {
            b'"' => quoted = !quoted,
            b',' if !quoted => commas += 1,
            b';' if !quoted => semicolons += 1,
            b'\n' if !quoted => break,
            _ => {}
        }
    }
    if semicolons > commas {
        b';'
    } else {
        b','
    }
}

impl CsvFile {
    /// Checks that the file is text a CSV reader can take, and finds its delimiter.
    pub fn open(path: &Path) -> Result<Self, DomainError> {
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        File::open(path)
            .and_then(|file| file.take(SNIFF_BYTES as u64).read_to_end(&mut head))
            .map_err(DomainError::internal)?;
        let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
        if text.iter().all(u8::is_ascii_whitespace) {
            return Err(refused("empty", "The file is empty"));
        }
        if text.contains(&0) {
            return Err(refused(
                "not_csv",
                "This is not a CSV file (it holds binary data)",
            ));
        }
        // The sniffed part may end inside a character; anything before that must be UTF-8.
        if let Err(err) = std::str::from_utf8(text) {
            if err.error_len().is_some() {
                return Err(not_utf8(None));
            }
        }
        Ok(Self {
            path: path.to_owned(),
            delimiter: delimiter_of(text),
        })
    }

    /// A fresh pass over the file: the header first, then each row.
    pub fn rows(&self) -> Result<Rows, DomainError> {
        let file = File::open(&self.path).map_err(DomainError::internal)?;
        let reader = csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(BufReader::with_capacity(256 * 1024, file));
        Ok(Rows {
            reader,
            record: csv::ByteRecord::new(),
            row: 0,
        })
    }
}

pub fn not_utf8(row: Option<u64>) -> DomainError {
    let at = row.map(|r| format!(" (row {r})")).unwrap_or_default();
    refused(
        "not_utf8",
        format!("The file is not UTF-8 text{at}: save it as “CSV UTF-8” and try again"),
    )
}

/// One pass over the rows of a file.
pub struct Rows {
    reader: csv::Reader<BufReader<File>>,
    record: csv::ByteRecord,
    row: u64,
}

/// One row: its number as a spreadsheet shows it (the header is 1) and its cells.
pub struct Row<'a> {
    pub number: u64,
    pub cells: Vec<&'a str>,
}

impl Rows {
    /// The next row, `None` at the end. A row that is not UTF-8 refuses the whole file; a line with nothing
    /// on it is skipped (the CSV reader does that).
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, DomainError> {
        let more = self
            .reader
            .read_byte_record(&mut self.record)
            .map_err(|err| {
                refused(
                    "not_csv",
                    format!("The file could not be read as CSV: {err}"),
                )
            })?;
        if !more {
            return Ok(None);
        }
        self.row += 1;
        let mut cells = Vec::with_capacity(self.record.len());
        for (index, cell) in self.record.iter().enumerate() {
            // The reader strips a byte order mark only at the very start; be sure of it.
            let cell = if self.row == 1 && index == 0 {
                cell.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(cell)
            } else {
                cell
            };
            let text = std::str::from_utf8(cell).map_err(|_| not_utf8(Some(self.row)))?;
            // No database stores a NUL in text; a file holding one is binary data, wherever it is.
            if text.contains('\0') {
                return Err(refused(
                    "not_csv",
                    format!(
                        "This is not a CSV file (row {} holds binary data)",
                        self.row
                    ),
                ));
            }
            cells.push(text);
        }
        Ok(Some(Row {
            number: self.row,
            cells,
        }))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn file(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(bytes).unwrap();
        file
    }

    fn read_all(bytes: &[u8]) -> Result<Vec<Vec<String>>, DomainError> {
        let f = file(bytes);
        let csv = CsvFile::open(f.path())?;
        let mut rows = csv.rows()?;
        let mut out = Vec::new();
        while let Some(row) = rows.next_row()? {
            out.push(row.cells.iter().map(|c| (*c).to_owned()).collect());
        }
        Ok(out)
    }

    fn code(err: DomainError) -> String {
        err.details()[0].code.clone()
    }

    #[test]
    fn commas_semicolons_quotes_and_the_byte_order_mark() {
        assert_eq!(
            read_all(b"\xEF\xBB\xBFName,Notes\r\nAcme,\"a, \"\"b\"\"\r\nc\"\r\n").unwrap(),
            [vec!["Name", "Notes"], vec!["Acme", "a, \"b\"\r\nc"]]
        );
        assert_eq!(
            read_all("Name;Town\nMüller;Köln, Nord\n".as_bytes()).unwrap(),
            [vec!["Name", "Town"], vec!["Müller", "Köln, Nord"]]
        );
        assert_eq!(
            read_all(b"a,b\n1\n1,2,3\n").unwrap(),
            [vec!["a", "b"], vec!["1"], vec!["1", "2", "3"]],
            "ragged rows are read as they are; the import reports them"
        );
    }

    #[test]
    fn binary_empty_and_latin1_files_are_refused() {
        assert_eq!(
            code(read_all(b"PK\x03\x04\x00\x00").unwrap_err()),
            "not_csv"
        );
        assert_eq!(code(read_all(b"  \r\n").unwrap_err()), "empty");
        assert_eq!(
            code(read_all(b"Name\nM\xfcller\n").unwrap_err()),
            "not_utf8"
        );
    }
}
