//! `restore` a backup into the configured database, and `verify` one by restoring it into a scratch
//! database. Both check the file against its manifest before anything else, and compare every table with
//! the manifest afterwards.
//!
//! A restore is prepared (every check, and a look at what the target holds) before it is executed, so that
//! the caller can ask for confirmation in between. The comparison runs before any migration: a migration may
//! rightly rewrite rows, and the manifest describes the data as it was backed up.

use std::{
    io::{Read, Write},
    path::{Path, PathBuf},
};

use sea_orm::DatabaseConnection;
use sha2::{Digest, Sha256};

use super::{
    manifest::{self, Manifest, Verification},
    pg_tools::{self, PgTool},
    sync_dir, BackupError, Kind, Target,
};
use crate::db::{self, backup as stored};

pub struct RestorePlan {
    target: Target,
    file: PathBuf,
    manifest: Manifest,
    tool: Option<PgTool>,
    database: String,
    existing: Vec<(String, u64)>,
}

#[derive(Debug)]
pub struct RestoreReport {
    pub database: String,
    pub manifest: Manifest,
    pub verification: Verification,
    /// Migrations applied after the restore, because the backup was older than this binary.
    pub migrated: Vec<String>,
}

/// `pg_restore`, at least as new as the `pg_dump` that wrote the backup.
async fn restore_tool(manifest: &Manifest) -> Result<PgTool, BackupError> {
    let tool = pg_tools::find("pg_restore").await?;
    if let Some(major) = manifest
        .database
        .dump_tool
        .as_deref()
        .and_then(pg_tools::major_version)
    {
        tool.require_at_least(major, "the pg_dump that wrote the backup")?;
    }
    Ok(tool)
}

impl RestorePlan {
    /// Every check that needs no change: the file against its manifest, the kind of database, the
    /// migrations, the client programs; then what the target holds now.
    pub async fn prepare(database_url: &str, file: &Path) -> Result<Self, BackupError> {
        let manifest = Manifest::load_checked(file).await?;
        let target = Target::parse(database_url)?;
        if manifest.database.kind != target.kind() {
            return Err(BackupError::Refused(format!(
                "{} is a {} backup and KEEL_DATABASE_URL names a {} database",
                file.display(),
                manifest.database.kind.label(),
                target.kind().label()
            )));
        }
        let known = stored::known_migrations();
        if let Some(unknown) = manifest.migrations.iter().find(|m| !known.contains(m)) {
            return Err(BackupError::Refused(format!(
                "{} was made by a newer Keel (its migration {unknown} is unknown to Keel {}); nothing was changed",
                file.display(),
                env!("CARGO_PKG_VERSION")
            )));
        }
        let tool = match target.kind() {
            Kind::Postgres => Some(restore_tool(&manifest).await?),
            Kind::Sqlite => None,
        };
        let (database, existing) = match &target {
            Target::Sqlite { path, .. } if !path.exists() => (target.database_name(), Vec::new()),
            _ => {
                let db = target.connect().await?;
                let existing = stored::tables_with_rows(&db)
                    .await
                    .map_err(BackupError::db("inspecting the target database"))?;
                let database = match target.kind() {
                    Kind::Postgres => stored::current_database(&db)
                        .await
                        .map_err(BackupError::db("reading the database name"))?,
                    Kind::Sqlite => target.database_name(),
                };
                let _ = db.close().await;
                (database, existing)
            }
        };
        Ok(RestorePlan {
            target,
            file: file.to_owned(),
            manifest,
            tool,
            database,
            existing,
        })
    }

    /// The target database's name (what a confirmation asks for).
    pub fn database(&self) -> &str {
        &self.database
    }

    /// The target's tables that hold rows now (the migrations' bookkeeping left out): empty for an empty
    /// database.
    pub fn existing_rows(&self) -> &[(String, u64)] {
        &self.existing
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Replaces the target's data with the backup's, compares, and migrates forward when everything matched.
    pub async fn execute(self) -> Result<RestoreReport, BackupError> {
        match (&self.target, &self.tool) {
            (Target::Postgres { url }, Some(tool)) => {
                let db = self.target.connect().await?;
                // Tables a newer schema added are not in the backup, so its DROPs would leave them behind.
                let extra: Vec<String> = stored::tables(&db)
                    .await
                    .map_err(BackupError::db("listing the tables"))?
                    .into_iter()
                    .map(|t| t.name)
                    .filter(|name| !self.manifest.tables.contains_key(name))
                    .collect();
                stored::drop_tables(&db, &extra)
                    .await
                    .map_err(BackupError::db("dropping tables the backup does not have"))?;
                let _ = db.close().await;
                pg_tools::restore(tool, url, &self.file, true).await?;
            }
            (Target::Sqlite { path, .. }, _) => {
                place_sqlite(&self.file, path, &self.manifest.file.sha256).await?;
            }
            (Target::Postgres { .. }, None) => {
                return Err(BackupError::Tool("pg_restore was not located".into()))
            }
        }
        let db = self.target.connect().await?;
        let verification = compare(&db, &self.manifest).await;
        let mut migrated = Vec::new();
        if let Ok(verification) = &verification {
            if verification.mismatches.is_empty() {
                migrated = stored::pending_migrations(&db)
                    .await
                    .map_err(BackupError::db("reading the pending migrations"))?;
                if !migrated.is_empty() {
                    db::migrate_up(&db).await?;
                }
            }
        }
        let _ = db.close().await;
        Ok(RestoreReport {
            database: self.database,
            manifest: self.manifest,
            verification: verification?,
            migrated,
        })
    }
}

/// Compares in one read snapshot.
async fn compare(
    db: &DatabaseConnection,
    manifest: &Manifest,
) -> Result<Verification, BackupError> {
    let txn = stored::read_snapshot(db)
        .await
        .map_err(BackupError::db("starting a read"))?;
    let verification = manifest::compare(&txn, manifest).await;
    let _ = txn.rollback().await;
    verification
}

/// Copies `from` into `to`, answering the SHA-256 of what was copied.
fn copy_hashed(from: &Path, to: &mut std::fs::File) -> std::io::Result<String> {
    let mut source = std::fs::File::open(from)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = source.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        to.write_all(&buffer[..n])?;
    }
    to.sync_all()?;
    Ok(hex::encode(hasher.finalize()))
}

/// Copies the backup next to the target under a temporary name, checks what was copied, and renames it over
/// the target: at every moment the target is the old database or the whole new one.
async fn place_sqlite(backup: &Path, target: &Path, sha256: &str) -> Result<(), BackupError> {
    let backup = backup.to_owned();
    let target = target.to_owned();
    let sha256 = sha256.to_owned();
    tokio::task::spawn_blocking(move || {
        let dir = match target.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
            _ => PathBuf::from("."),
        };
        let context = format!("restoring into {}", target.display());
        std::fs::create_dir_all(&dir).map_err(BackupError::io(context.clone()))?;
        let mut temp =
            tempfile::NamedTempFile::new_in(&dir).map_err(BackupError::io(context.clone()))?;
        let copied =
            copy_hashed(&backup, temp.as_file_mut()).map_err(BackupError::io(context.clone()))?;
        if copied != sha256 {
            return Err(BackupError::Refused(format!(
                "{} changed while it was being restored; nothing was changed",
                backup.display()
            )));
        }
        // The old database's write-ahead log must not be applied to the new file.
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut side = target.as_os_str().to_owned();
            side.push(suffix);
            match std::fs::remove_file(PathBuf::from(side)) {
                Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                    return Err(BackupError::io(context.clone())(err))
                }
                _ => {}
            }
        }
        temp.persist(&target)
            .map_err(|err| BackupError::io(context.clone())(err.error))?;
        sync_dir(&dir);
        Ok(())
    })
    .await
    .map_err(|err| BackupError::Io {
        context: "restoring".into(),
        source: std::io::Error::other(err),
    })?
}

/// Restores the backup into a scratch database — a new PostgreSQL database on the configured server, or a
/// temporary SQLite file — compares it with the manifest, and removes the scratch copy, also on failure.
pub async fn verify(
    database_url: &str,
    file: &Path,
) -> Result<(Manifest, Verification), BackupError> {
    let manifest = Manifest::load_checked(file).await?;
    let verification = match manifest.database.kind {
        Kind::Sqlite => {
            let dir =
                tempfile::tempdir().map_err(BackupError::io("creating a scratch directory"))?;
            let copy = dir.path().join("verify.sqlite");
            let mut handle =
                std::fs::File::create(&copy).map_err(BackupError::io("creating a scratch copy"))?;
            let copied = copy_hashed(file, &mut handle).map_err(BackupError::io("copying"))?;
            drop(handle);
            if copied != manifest.file.sha256 {
                return Err(BackupError::Refused(format!(
                    "{} changed while it was being verified",
                    file.display()
                )));
            }
            let db = stored::open_sqlite_read_only(&copy)
                .await
                .map_err(BackupError::db("opening the scratch copy"))?;
            let verification = compare(&db, &manifest).await;
            let _ = db.close().await;
            verification?
        }
        Kind::Postgres => {
            let Target::Postgres { url } = Target::parse(database_url)? else {
                return Err(BackupError::Refused(
                    "verifying a PostgreSQL backup needs a PostgreSQL server, and KEEL_DATABASE_URL names a SQLite database"
                        .into(),
                ));
            };
            let tool = restore_tool(&manifest).await?;
            verify_postgres(&url, &tool, file, &manifest).await?
        }
    };
    Ok((manifest, verification))
}

async fn verify_postgres(
    url: &url::Url,
    tool: &PgTool,
    file: &Path,
    manifest: &Manifest,
) -> Result<Verification, BackupError> {
    let admin = db::connect(url.as_str()).await?;
    let scratch = format!("keel_verify_{:016x}", rand::random::<u64>());
    stored::create_database(&admin, &scratch)
        .await
        .map_err(BackupError::db(
            "creating a scratch database (the role needs CREATEDB)",
        ))?;
    let mut scratch_url = url.clone();
    scratch_url.set_path(&format!("/{scratch}"));
    let result = async {
        pg_tools::restore(tool, &scratch_url, file, false).await?;
        let db = db::connect(scratch_url.as_str()).await?;
        let verification = compare(&db, manifest).await;
        let _ = db.close().await;
        verification
    }
    .await;
    let dropped = stored::drop_database(&admin, &scratch).await;
    let _ = admin.close().await;
    let verification = result?;
    dropped.map_err(BackupError::db("dropping the scratch database"))?;
    Ok(verification)
}
