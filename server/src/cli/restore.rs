//! `keel restore FILE [--yes]`: restores a backup into the configured database. A database that holds data
//! is replaced only after the operator types its name at the prompt, or with `--yes`; without a terminal and
//! without `--yes` the restore is refused.

use std::{
    io::{BufRead, IsTerminal, Write},
    path::PathBuf,
};

use clap::Args;

use super::AnyError;
use crate::{
    config::Config,
    domain::backup::{grouped, RestorePlan},
};

#[derive(Args)]
pub struct Restore {
    /// The backup file; its manifest (FILE.manifest.json) must be beside it.
    file: PathBuf,
    /// Replace the data of a database that is not empty without asking.
    #[arg(long)]
    yes: bool,
}

pub async fn run(config: Config, args: Restore) -> Result<(), AnyError> {
    let plan = RestorePlan::prepare(&config.database_url, &args.file)
        .await
        .map_err(|err| format!("restore refused: {err}"))?;
    if !plan.existing_rows().is_empty() && !args.yes {
        confirm(plan.database(), &summary(plan.existing_rows()))?;
    }
    let report = plan
        .execute()
        .await
        .map_err(|err| format!("restore failed: {err}"))?;
    let verification = &report.verification;
    for mismatch in &verification.mismatches {
        println!("mismatch: {mismatch}");
    }
    if !verification.mismatches.is_empty() {
        return Err(format!(
            "restore: {} of {} tables differ from the manifest; the database was not migrated",
            verification.mismatches.len(),
            verification.tables
        )
        .into());
    }
    let migrated = match report.migrated.len() {
        0 => String::new(),
        n => format!(
            "; the backup was older than this Keel: applied {n} migration(s) ({})",
            report.migrated.join(", ")
        ),
    };
    println!(
        "restored {} into \"{}\": {} tables, {} rows, row counts and checksums match the manifest{migrated}",
        args.file.display(),
        report.database,
        verification.tables,
        grouped(verification.rows)
    );
    Ok(())
}

fn summary(existing: &[(String, u64)]) -> String {
    let rows: u64 = existing.iter().map(|(_, rows)| rows).sum();
    let tenants = existing
        .iter()
        .find(|(table, _)| table == "tenants")
        .map_or(0, |(_, rows)| *rows);
    format!(
        "{} tenant(s), {} rows in {} tables",
        grouped(tenants),
        grouped(rows),
        existing.len()
    )
}

/// Asks the operator to type the database's name; refuses when there is no one to ask.
fn confirm(database: &str, summary: &str) -> Result<(), AnyError> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(format!(
            "restore refused: database \"{database}\" is not empty ({summary}); run again with --yes to replace its data"
        )
        .into());
    }
    eprint!(
        "Database \"{database}\" is not empty ({summary}). Restoring replaces all of its data.\n\
         Type the database name to continue: "
    );
    std::io::stderr().flush()?;
    let mut answer = String::new();
    stdin.lock().read_line(&mut answer)?;
    if answer.trim() == database {
        Ok(())
    } else {
        Err("restore cancelled: nothing was changed".into())
    }
}
