//! `keel verify-backup FILE`: restores the backup into a scratch database, compares every table with the
//! manifest and removes the scratch copy. One line per difference, then a summary; a non-zero exit status
//! when anything differs. Meant to run after every backup.

use std::path::PathBuf;

use clap::Args;

use super::AnyError;
use crate::{
    config::Config,
    domain::backup::{self, grouped},
};

#[derive(Args)]
pub struct VerifyBackup {
    /// The backup file; its manifest (FILE.manifest.json) must be beside it.
    file: PathBuf,
}

pub async fn run(config: Config, args: VerifyBackup) -> Result<(), AnyError> {
    let (manifest, verification) = backup::verify(&config.database_url, &args.file)
        .await
        .map_err(|err| format!("verify-backup failed: {err}"))?;
    for mismatch in &verification.mismatches {
        println!("mismatch: {mismatch}");
    }
    if !verification.mismatches.is_empty() {
        return Err(format!(
            "verify-backup: {} of {} tables of {} differ from the manifest",
            verification.mismatches.len(),
            verification.tables,
            args.file.display()
        )
        .into());
    }
    println!(
        "verified {}: restored into a scratch database, {} tables and {} rows match the manifest (backup of \"{}\" taken {})",
        args.file.display(),
        verification.tables,
        grouped(verification.rows),
        manifest.database.name,
        manifest.created_at.format("%Y-%m-%d %H:%M:%S UTC")
    );
    Ok(())
}
