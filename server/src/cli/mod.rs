//! The `keel` subcommands, one module each; `main.rs` parses the command line and calls [`run`].

pub mod backup;
pub mod create_admin;
pub mod export_tenant;
pub mod migrate;
pub mod restore;
pub mod seed_demo;
pub mod serve;
pub mod verify_backup;

use clap::{Parser, Subcommand};

use crate::config::Config;

#[derive(Parser)]
#[command(
    name = "keel",
    version,
    about = "Keel CRM: serve the app and administer its database",
    after_help = "Configuration comes from environment variables (KEEL_DATABASE_URL, KEEL_BIND, KEEL_JWT_SECRET, \
KEEL_LOG_FORMAT, KEEL_SENTRY_DSN, KEEL_ENV, KEEL_DATA_DIR); see the README's Configuration table."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Apply pending migrations and serve the app and the API (the default command).
    Serve,
    /// Apply, revert or report database migrations.
    Migrate {
        #[command(subcommand)]
        action: Option<migrate::MigrateAction>,
    },
    /// Create a demo tenant with one user per role (does nothing if it already exists).
    SeedDemo,
    /// Create a new tenant and its first administrator.
    CreateAdmin(create_admin::CreateAdmin),
    /// Back up the database (with a manifest) and remove old backups.
    Backup(backup::Backup),
    /// Restore a backup into the configured database.
    Restore(restore::Restore),
    /// Restore a backup into a scratch database and compare it with its manifest.
    VerifyBackup(verify_backup::VerifyBackup),
    /// Write one tenant's data as an archive of JSON-lines files.
    ExportTenant(export_tenant::ExportTenant),
}

pub type AnyError = Box<dyn std::error::Error>;

pub async fn run(command: Command, config: Config) -> Result<(), AnyError> {
    match command {
        Command::Serve => serve::run(config).await,
        Command::Migrate { action } => migrate::run(config, action).await,
        Command::SeedDemo => seed_demo::run(config).await,
        Command::CreateAdmin(args) => create_admin::run(config, args).await,
        Command::Backup(args) => backup::run(config, args).await,
        Command::Restore(args) => restore::run(config, args).await,
        Command::VerifyBackup(args) => verify_backup::run(config, args).await,
        Command::ExportTenant(args) => export_tenant::run(config, args).await,
    }
}

/// A domain error as one line for a terminal: its message and every field problem.
fn describe(err: crate::domain::DomainError) -> AnyError {
    let details = crate::domain::tenants::describe(err.details());
    if details.is_empty() {
        err.to_string().into()
    } else {
        format!("{err}: {details}").into()
    }
}
