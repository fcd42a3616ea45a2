//! `backup`: one backup file and its manifest in a directory, then the retention.
//!
//! The file is written under a hidden temporary name (`.keel-….partial`, which no retention or restore
//! mistakes for a backup) and renamed once complete; the manifest is written last. A backup without a
//! manifest is therefore never a finished one.

use std::path::{Path, PathBuf};

use chrono::{DateTime, SubsecRound, Utc};

use super::{
    manifest::{self, DatabaseInfo, FileInfo, Manifest},
    naming, pg_tools, sha256_file, sync_dir, BackupError, Kind, Target,
};
use crate::db::backup as stored;

pub struct BackupOptions {
    pub dir: PathBuf,
    /// Backups (of the same database) taken more than this many days ago are removed, except the newest.
    pub keep_days: u32,
}

#[derive(Debug)]
pub struct BackupReport {
    pub path: PathBuf,
    pub manifest: Manifest,
    /// The old backups the retention removed (file names).
    pub removed: Vec<String>,
}

/// Removes the temporary file unless the backup completed.
struct Partial(Option<PathBuf>);

impl Partial {
    /// The file was renamed into place: nothing to remove.
    fn disarm(mut self) {
        self.0 = None;
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The directory must exist (it is created) and take a new file, before any work is done.
fn check_directory(dir: &Path) -> Result<(), BackupError> {
    let refuse = |err: std::io::Error| {
        BackupError::Refused(format!(
            "the backup directory {} is not writable: {err}",
            dir.display()
        ))
    };
    std::fs::create_dir_all(dir).map_err(refuse)?;
    tempfile::Builder::new()
        .prefix(".keel-write-check")
        .tempfile_in(dir)
        .map(drop)
        .map_err(refuse)
}

pub async fn backup(
    database_url: &str,
    options: &BackupOptions,
    now: DateTime<Utc>,
) -> Result<BackupReport, BackupError> {
    let now = now.trunc_subsecs(0);
    let target = Target::parse(database_url)?;
    check_directory(&options.dir)?;
    let tool = match target.kind() {
        Kind::Postgres => Some(pg_tools::find("pg_dump").await?),
        Kind::Sqlite => None,
    };
    let db = target.connect().await?;
    let (server_version, server_major) = stored::server_version(&db)
        .await
        .map_err(BackupError::db("reading the server version"))?;
    if let Some(tool) = &tool {
        tool.require_at_least(server_major, "the PostgreSQL server")?;
    }
    let database = match target.kind() {
        Kind::Postgres => stored::current_database(&db)
            .await
            .map_err(BackupError::db("reading the database name"))?,
        Kind::Sqlite => target.database_name(),
    };

    let name = naming::backup_file_name(&database, now, target.kind());
    let path = options.dir.join(&name);
    if path.exists() {
        return Err(BackupError::Refused(format!(
            "{} already exists (one backup per second at most)",
            path.display()
        )));
    }
    let partial_path = options.dir.join(format!(".{name}.partial"));
    let partial = Partial(Some(partial_path.clone()));

    let (migrations, tables) = match (&target, &tool) {
        (Target::Postgres { url }, Some(tool)) => {
            let txn = stored::read_snapshot(&db)
                .await
                .map_err(BackupError::db("starting the snapshot"))?;
            let snapshot = stored::export_snapshot(&txn)
                .await
                .map_err(BackupError::db("exporting the snapshot"))?;
            // pg_dump reads the snapshot while this transaction checksums it; both see the same rows.
            let (dumped, tables) = tokio::join!(
                pg_tools::dump(tool, url, &snapshot, &partial_path),
                manifest::digest_all(&txn)
            );
            dumped?;
            let tables = tables?;
            let migrations = stored::applied_migrations(&txn)
                .await
                .map_err(BackupError::db("reading the applied migrations"))?;
            let _ = txn.rollback().await;
            (migrations, tables)
        }
        _ => {
            stored::vacuum_into(&db, &partial_path)
                .await
                .map_err(BackupError::db("VACUUM INTO"))?;
            // Read from the copy itself: it is exactly what the manifest describes.
            let copy = stored::open_sqlite_read_only(&partial_path)
                .await
                .map_err(BackupError::db("opening the copy"))?;
            let txn = stored::read_snapshot(&copy)
                .await
                .map_err(BackupError::db("reading the copy"))?;
            let tables = manifest::digest_all(&txn).await?;
            let migrations = stored::applied_migrations(&txn)
                .await
                .map_err(BackupError::db("reading the applied migrations"))?;
            let _ = txn.rollback().await;
            let _ = copy.close().await;
            (migrations, tables)
        }
    };
    let _ = db.close().await;

    let (size_bytes, sha256) = sha256_file(&partial_path).await?;
    std::fs::File::open(&partial_path)
        .and_then(|file| {
            // A backup holds every password hash: readable by its owner only.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
            }
            file.sync_all()
        })
        .map_err(BackupError::io(format!(
            "syncing {}",
            partial_path.display()
        )))?;
    std::fs::rename(&partial_path, &path)
        .map_err(BackupError::io(format!("renaming to {}", path.display())))?;
    partial.disarm();
    let manifest = Manifest {
        format: manifest::FORMAT,
        keel_version: env!("CARGO_PKG_VERSION").to_owned(),
        created_at: now,
        database: DatabaseInfo {
            kind: target.kind(),
            name: database.clone(),
            server_version,
            dump_tool: tool.map(|t| t.version),
        },
        migrations,
        file: FileInfo {
            name,
            size_bytes,
            sha256,
        },
        checksum_scheme: manifest::CHECKSUM_SCHEME.to_owned(),
        tables,
    };
    if let Err(err) = manifest.write_beside(&path) {
        let _ = std::fs::remove_file(&path);
        return Err(err);
    }
    sync_dir(&options.dir);

    let removed = naming::apply_retention(
        &options.dir,
        &database,
        target.kind(),
        now,
        options.keep_days,
    )?;
    Ok(BackupReport {
        path,
        manifest,
        removed,
    })
}
