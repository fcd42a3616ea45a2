//! `keel migrate [up|down [--steps N]|status]`.

use clap::Subcommand;
use migration::{Migrator, MigratorTrait};

use super::AnyError;
use crate::{config::Config, db};

#[derive(Subcommand, Clone, Copy)]
pub enum MigrateAction {
    /// Apply every pending migration (the default).
    Up,
    /// Revert the most recent migration (or N of them).
    Down {
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List migrations and whether each is applied.
    Status,
}

pub async fn run(config: Config, action: Option<MigrateAction>) -> Result<(), AnyError> {
    let db = db::connect(&config.database_url).await?;
    match action.unwrap_or(MigrateAction::Up) {
        MigrateAction::Up => {
            Migrator::up(&db, None).await?;
            println!("migrations applied");
        }
        MigrateAction::Down { steps } => {
            Migrator::down(&db, Some(steps)).await?;
            println!("reverted {steps} migration(s)");
        }
        MigrateAction::Status => {
            let applied: Vec<String> = Migrator::get_applied_migrations(&db)
                .await?
                .iter()
                .map(|m| m.name().to_owned())
                .collect();
            for migration in Migrator::migrations() {
                let name = migration.name();
                let state = if applied.iter().any(|a| a == name) {
                    "applied"
                } else {
                    "pending"
                };
                println!("{state:8} {name}");
            }
        }
    }
    Ok(())
}
