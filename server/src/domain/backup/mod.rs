//! Backups of the whole database, their manifests, restores and verification (issue 15).
//!
//! - PostgreSQL: `pg_dump --format=custom` of a snapshot this process exported, so that the manifest's row
//!   counts and checksums (read in that same snapshot) describe exactly what the dump holds; restored with
//!   `pg_restore`.
//! - SQLite: `VACUUM INTO` (a consistent copy while the server keeps writing); the manifest is read from
//!   the copy itself; restored by putting a copy of the file in place.
//!
//! `create` makes a backup and applies the retention, `restore` restores into the configured database,
//! `verify` restores into a scratch database and compares; `manifest` holds the manifest and the table
//! checksums, `naming` the file names and retention, `pg_tools` the PostgreSQL client programs.

pub mod create;
pub mod manifest;
pub mod naming;
pub mod pg_tools;
pub mod restore;

use std::{
    io::Read,
    path::{Path, PathBuf},
};

use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::{self, DbError, DbSetupError};

pub use create::{backup, BackupOptions, BackupReport};
pub use manifest::{Manifest, Verification};
pub use restore::{verify, RestorePlan, RestoreReport};

/// Why a backup, restore or verification did not happen or failed. Every message is one line, fit for a
/// terminal and for cron mail.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The input or the situation is not acceptable (not a backup, a corrupt file, a non-empty database, a
    /// directory that cannot be written…): nothing was written or changed.
    #[error("{0}")]
    Refused(String),
    /// A PostgreSQL client program is missing, too old, or failed.
    #[error("{0}")]
    Tool(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Setup(#[from] DbSetupError),
    #[error("{context}: {source}")]
    Database {
        context: &'static str,
        source: DbError,
    },
}

impl BackupError {
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> Self {
        let context = context.into();
        move |source| BackupError::Io { context, source }
    }

    pub(crate) fn db(context: &'static str) -> impl FnOnce(DbError) -> Self {
        move |source| BackupError::Database { context, source }
    }
}

/// The kind of database a backup holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Postgres,
    Sqlite,
}

impl Kind {
    /// The backup file's extension.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Postgres => "dump",
            Kind::Sqlite => "sqlite",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Postgres => "PostgreSQL",
            Kind::Sqlite => "SQLite",
        }
    }
}

/// The configured database, as the backup programs need it.
#[derive(Debug, Clone)]
pub enum Target {
    Postgres { url: url::Url },
    Sqlite { path: PathBuf, url: String },
}

impl Target {
    pub fn parse(database_url: &str) -> Result<Self, BackupError> {
        if database_url.starts_with("sqlite:") {
            return db::sqlite_file_path(database_url)
                .map(|path| Target::Sqlite {
                    path: path.into(),
                    url: database_url.to_owned(),
                })
                .ok_or_else(|| {
                    BackupError::Refused(
                        "KEEL_DATABASE_URL names an in-memory SQLite database, which has nothing to back up"
                            .into(),
                    )
                });
        }
        let url = url::Url::parse(database_url).map_err(|err| {
            BackupError::Refused(format!("KEEL_DATABASE_URL is not a valid URL: {err}"))
        })?;
        Ok(Target::Postgres { url })
    }

    pub fn kind(&self) -> Kind {
        match self {
            Target::Postgres { .. } => Kind::Postgres,
            Target::Sqlite { .. } => Kind::Sqlite,
        }
    }

    /// The database's name: PostgreSQL's database, or the SQLite file's name without its extension.
    pub fn database_name(&self) -> String {
        match self {
            Target::Postgres { url } => url.path().trim_start_matches('/').to_owned(),
            Target::Sqlite { path, .. } => path
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_else(|| "keel".into()),
        }
    }

    /// Connects. A SQLite file must already exist: a backup or an inspection never creates one.
    pub async fn connect(&self) -> Result<DatabaseConnection, BackupError> {
        match self {
            Target::Sqlite { path, .. } if !path.is_file() => Err(BackupError::Refused(format!(
                "there is no SQLite database at {}",
                path.display()
            ))),
            Target::Sqlite { url, .. } => Ok(db::connect(url).await?),
            Target::Postgres { url } => Ok(db::connect(url.as_str()).await?),
        }
    }
}

/// The size and SHA-256 (hex) of a file, read in blocks.
pub(crate) async fn sha256_file(path: &Path) -> Result<(u64, String), BackupError> {
    let owned = path.to_owned();
    tokio::task::spawn_blocking(move || -> std::io::Result<(u64, String)> {
        let mut file = std::fs::File::open(&owned)?;
        let mut hasher = Sha256::new();
        let mut buffer = vec![0u8; 1 << 20];
        let mut size = 0u64;
        loop {
            let n = file.read(&mut buffer)?;
            if n == 0 {
                break;
            }
            size += n as u64;
            hasher.update(&buffer[..n]);
        }
        Ok((size, hex::encode(hasher.finalize())))
    })
    .await
    .map_err(|err| BackupError::Io {
        context: format!("reading {}", path.display()),
        source: std::io::Error::other(err),
    })?
    .map_err(BackupError::io(format!("reading {}", path.display())))
}

/// Flushes a directory's entries (a rename in it) to disk. Best effort: not every platform can open a
/// directory for that.
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

/// A number with thousands separators, for messages people read.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1234567), "1,234,567");
    }

    #[test]
    fn targets_name_their_database() {
        let pg = Target::parse("postgres://u:p@db.example:5432/keel_prod?sslmode=require").unwrap();
        assert_eq!(pg.kind(), Kind::Postgres);
        assert_eq!(pg.database_name(), "keel_prod");
        let sqlite = Target::parse("sqlite://./data/keel.db?mode=rwc").unwrap();
        assert_eq!(sqlite.kind(), Kind::Sqlite);
        assert_eq!(sqlite.database_name(), "keel");
        assert!(Target::parse("sqlite::memory:").is_err());
    }
}
