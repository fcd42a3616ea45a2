//! `keel seed-demo`: the demo tenant with one user per role; does nothing if it is there.

use super::{describe, AnyError};
use crate::{config::Config, db, domain::seed};

pub async fn run(config: Config) -> Result<(), AnyError> {
    let db = db::connect(&config.database_url).await?;
    db::migrate_up(&db).await?;
    let outcome = seed::seed_demo(&db).await.map_err(describe)?;
    let (summary, logins) = match outcome {
        seed::SeedOutcome::Created {
            logins,
            record_count,
        } => (
            format!(
                "Created the demo tenant \"{}\" with {record_count} records.",
                seed::DEMO_TENANT
            ),
            logins,
        ),
        seed::SeedOutcome::AlreadyPresent(logins) => (
            format!(
                "The demo tenant \"{}\" is already there.",
                seed::DEMO_TENANT
            ),
            logins,
        ),
    };
    println!(
        "{summary} Sign in with any of these (password: {}):",
        seed::DEMO_PASSWORD
    );
    for login in logins {
        println!("  {:8} {}", login.role.as_str(), login.email);
    }
    Ok(())
}
