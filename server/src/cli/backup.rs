//! `keel backup [--dir DIR] [--keep-days 30]`: one backup and its manifest, then the retention. Made for cron:
//! one line on success, one line and a non-zero exit status on failure.

use std::path::PathBuf;

use clap::Args;

use super::AnyError;
use crate::{
    config::Config,
    domain::backup::{self, grouped, BackupOptions},
};

#[derive(Args)]
pub struct Backup {
    /// The directory for backups [default: $KEEL_DATA_DIR/backups].
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Remove this command's backups of the same database taken more than this many days ago (never the
    /// newest one, never any other file).
    #[arg(long, default_value_t = 30)]
    keep_days: u32,
}

pub async fn run(config: Config, args: Backup) -> Result<(), AnyError> {
    let options = BackupOptions {
        dir: args.dir.unwrap_or_else(|| config.data_dir.join("backups")),
        keep_days: args.keep_days,
    };
    let report = backup::backup(&config.database_url, &options, chrono::Utc::now())
        .await
        .map_err(|err| format!("backup failed: {err}"))?;
    let manifest = &report.manifest;
    let removed = match report.removed.len() {
        0 => String::new(),
        n => format!("; removed {n} backup(s) older than {} days", args.keep_days),
    };
    println!(
        "backup written: {} ({} bytes, {} tables, {} rows, sha256 {}){removed}",
        report.path.display(),
        grouped(manifest.file.size_bytes),
        manifest.tables.len(),
        grouped(manifest.total_rows()),
        manifest.file.sha256
    );
    Ok(())
}
