//! The manifest written beside every backup, and the per-table checksums it records.
//!
//! A table's checksum (scheme `rows-json-sha256-v1`) is the SHA-256 of its rows, each rendered by the database
//! as one JSON object of the table's columns in name order and followed by a newline, in primary-key order
//! (`db::backup` says how a row is rendered). It depends only on the data: the original and a restored copy
//! give the same checksum, on PostgreSQL as on SQLite, whatever the physical layout of the file or the server's
//! time zone and locale.

use std::{
    collections::BTreeMap,
    io::Write,
    path::{Path, PathBuf},
};

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use sea_orm::{ConnectionTrait, StreamTrait};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{grouped, naming, sha256_file, BackupError, Kind};
use crate::db::backup::{self as stored, RowFilter, TableShape};

pub const FORMAT: u32 = 1;
pub const CHECKSUM_SCHEME: &str = "rows-json-sha256-v1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub keel_version: String,
    pub created_at: DateTime<Utc>,
    pub database: DatabaseInfo,
    /// Migrations applied in the backed-up database, in the order they were applied.
    pub migrations: Vec<String>,
    pub file: FileInfo,
    pub checksum_scheme: String,
    pub tables: BTreeMap<String, TableInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatabaseInfo {
    pub kind: Kind,
    pub name: String,
    pub server_version: String,
    /// PostgreSQL: the `pg_dump --version` that wrote the file (`pg_restore` must be at least as new).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dump_tool: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileInfo {
    pub name: String,
    pub size_bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableInfo {
    pub rows: u64,
    pub checksum: String,
    /// The columns the checksum covers, in name order.
    pub columns: Vec<String>,
}

impl Manifest {
    pub fn total_rows(&self) -> u64 {
        self.tables.values().map(|t| t.rows).sum()
    }

    /// Writes the manifest beside `backup`: to a temporary name, then renamed, so that a manifest is there
    /// whole or not at all.
    pub fn write_beside(&self, backup: &Path) -> Result<PathBuf, BackupError> {
        let path = naming::manifest_path(backup);
        let dir = path.parent().unwrap_or(Path::new("."));
        let context = format!("writing {}", path.display());
        let mut file =
            tempfile::NamedTempFile::new_in(dir).map_err(BackupError::io(context.clone()))?;
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|err| BackupError::io(context.clone())(std::io::Error::other(err)))?;
        text.push('\n');
        file.write_all(text.as_bytes())
            .and_then(|()| file.as_file().sync_all())
            .map_err(BackupError::io(context.clone()))?;
        file.persist(&path)
            .map_err(|err| BackupError::io(context)(err.error))?;
        Ok(path)
    }

    /// Reads the manifest beside `backup`, then checks the file's size and SHA-256 against it. Anything
    /// missing, unreadable or different is refused, before anything is touched.
    pub async fn load_checked(backup: &Path) -> Result<Manifest, BackupError> {
        let shown = backup.display();
        if !backup.is_file() {
            return Err(BackupError::Refused(format!(
                "{shown}: no such backup file"
            )));
        }
        let path = naming::manifest_path(backup);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(BackupError::Refused(format!(
                    "{shown} is not a Keel backup: there is no manifest {} beside it",
                    path.display()
                )))
            }
            Err(err) => {
                return Err(BackupError::Refused(format!(
                    "cannot read the manifest {}: {err}",
                    path.display()
                )))
            }
        };
        let manifest: Manifest = serde_json::from_str(&text).map_err(|err| {
            BackupError::Refused(format!(
                "{shown} is not a Keel backup: its manifest {} is not valid ({err})",
                path.display()
            ))
        })?;
        if manifest.format != FORMAT || manifest.checksum_scheme != CHECKSUM_SCHEME {
            return Err(BackupError::Refused(format!(
                "the manifest {} is of format {} / {}, which this Keel does not read (it reads {FORMAT} / {CHECKSUM_SCHEME})",
                path.display(),
                manifest.format,
                manifest.checksum_scheme
            )));
        }
        let (size, sha256) = sha256_file(backup).await?;
        if size != manifest.file.size_bytes {
            return Err(BackupError::Refused(format!(
                "{shown} does not match its manifest: {} bytes, the manifest says {} (truncated or corrupt); nothing was changed",
                grouped(size),
                grouped(manifest.file.size_bytes)
            )));
        }
        if sha256 != manifest.file.sha256 {
            return Err(BackupError::Refused(format!(
                "{shown} does not match its manifest: its SHA-256 differs (corrupt); nothing was changed"
            )));
        }
        Ok(manifest)
    }
}

/// A table's row count and checksum as read from a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDigest {
    pub rows: u64,
    pub checksum: String,
}

/// Counts and checksums `columns` of every row of `table`.
pub async fn digest_table<C>(
    db: &C,
    table: &TableShape,
    columns: &[String],
) -> Result<TableDigest, BackupError>
where
    C: ConnectionTrait + StreamTrait,
{
    let context = "reading a table for its checksum";
    let mut rows = stored::rows(db, table, columns, RowFilter::All, false)
        .await
        .map_err(BackupError::db(context))?;
    let mut hasher = Sha256::new();
    let mut count = 0u64;
    while let Some(line) = rows.next().await {
        let line = line.map_err(BackupError::db(context))?;
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
        count += 1;
    }
    Ok(TableDigest {
        rows: count,
        checksum: hex::encode(hasher.finalize()),
    })
}

/// Every table of the database with all its columns: what a new manifest records.
pub async fn digest_all<C>(db: &C) -> Result<BTreeMap<String, TableInfo>, BackupError>
where
    C: ConnectionTrait + StreamTrait,
{
    let shapes = stored::tables(db)
        .await
        .map_err(BackupError::db("listing the tables"))?;
    let mut tables = BTreeMap::new();
    for shape in &shapes {
        let columns = shape.column_names();
        let digest = digest_table(db, shape, &columns).await?;
        tables.insert(
            shape.name.clone(),
            TableInfo {
                rows: digest.rows,
                checksum: digest.checksum,
                columns,
            },
        );
    }
    Ok(tables)
}

/// [`digest_all`] in a read snapshot of its own (with the rendering settings every checksum needs).
pub async fn digest_database(
    db: &sea_orm::DatabaseConnection,
) -> Result<BTreeMap<String, TableInfo>, BackupError> {
    let txn = stored::read_snapshot(db)
        .await
        .map_err(BackupError::db("starting a read"))?;
    let tables = digest_all(&txn).await;
    let _ = txn.rollback().await;
    tables
}

/// The result of comparing a restored database with its manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    pub tables: usize,
    pub rows: u64,
    /// One line per difference; empty when everything matches.
    pub mismatches: Vec<String>,
}

/// Reads every table the manifest lists (over the manifest's columns) and compares.
pub async fn compare<C>(db: &C, manifest: &Manifest) -> Result<Verification, BackupError>
where
    C: ConnectionTrait + StreamTrait,
{
    let shapes = stored::tables(db)
        .await
        .map_err(BackupError::db("listing the tables"))?;
    let mut verification = Verification {
        tables: manifest.tables.len(),
        ..Verification::default()
    };
    for (name, expected) in &manifest.tables {
        let Some(shape) = shapes.iter().find(|s| &s.name == name) else {
            verification
                .mismatches
                .push(format!("table {name}: missing"));
            continue;
        };
        let missing: Vec<&str> = expected
            .columns
            .iter()
            .filter(|c| !shape.has_column(c))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            verification.mismatches.push(format!(
                "table {name}: column(s) missing: {}",
                missing.join(", ")
            ));
            continue;
        }
        let actual = digest_table(db, shape, &expected.columns).await?;
        verification.rows += actual.rows;
        if actual.rows != expected.rows {
            verification.mismatches.push(format!(
                "table {name}: {} rows, the manifest says {}",
                grouped(actual.rows),
                grouped(expected.rows)
            ));
        } else if actual.checksum != expected.checksum {
            verification.mismatches.push(format!(
                "table {name}: the checksum of its {} rows differs from the manifest",
                grouped(actual.rows)
            ));
        }
    }
    Ok(verification)
}
