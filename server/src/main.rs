//! `keel`: the one binary that serves Keel and administers its database.
// Leptos view types nest deeply; the default limit is too low for a page of forms.
#![recursion_limit = "256"]

use std::{io::BufRead, process::ExitCode};

use clap::{Parser, Subcommand};
use migration::{Migrator, MigratorTrait};
use server::{
    accounts::{self, NewUser},
    config::Config,
    db, seed,
    startup::Application,
    telemetry,
};
use shared::Role;

#[derive(Parser)]
#[command(
    name = "keel",
    version,
    about = "Keel CRM: serve the app and administer its database",
    after_help = "Configuration comes from environment variables (KEEL_DATABASE_URL, KEEL_BIND, KEEL_JWT_SECRET, \
KEEL_LOG_FORMAT, KEEL_SENTRY_DSN, KEEL_ENV, KEEL_DATA_DIR); see the README's Configuration table."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending migrations and serve the app and the API (the default command).
    Serve,
    /// Apply, revert or report database migrations.
    Migrate {
        #[command(subcommand)]
        action: Option<MigrateAction>,
    },
    /// Create a demo tenant with one user per role (does nothing if it already exists).
    SeedDemo,
    /// Create a new tenant and its first administrator.
    CreateAdmin {
        /// The organisation's name, e.g. "Acme Corp".
        #[arg(long)]
        tenant: String,
        /// The administrator's email address (used to sign in).
        #[arg(long)]
        email: String,
        /// The administrator's full name.
        #[arg(long)]
        name: String,
        /// Read the password from the first line of standard input instead of KEEL_ADMIN_PASSWORD.
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand, Clone, Copy)]
enum MigrateAction {
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

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(err) => {
            eprintln!("keel: configuration error: {err}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);
    match run(cli.command.unwrap_or(Command::Serve), config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("keel: {err}");
            ExitCode::FAILURE
        }
    }
}

type AnyError = Box<dyn std::error::Error>;

async fn run(command: Command, config: Config) -> Result<(), AnyError> {
    match command {
        Command::Serve => {
            // Kept alive while serving; with no DSN, Sentry is never initialised.
            let _sentry = config.sentry_dsn.as_ref().map(|dsn| {
                server::observability::sentry_reports::init(
                    dsn.expose(),
                    match config.environment {
                        server::config::Environment::Production => "production",
                        server::config::Environment::Development => "development",
                    },
                )
            });
            let app = Application::build(config).await?;
            tracing::info!("Keel is listening on http://{}", app.local_addr());
            app.run_until_stopped().await?;
        }
        Command::Migrate { action } => {
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
        }
        Command::SeedDemo => {
            let db = db::connect(&config.database_url).await?;
            db::migrate_up(&db).await?;
            let (summary, logins) = match seed::seed_demo(&db).await? {
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
        }
        Command::CreateAdmin {
            tenant,
            email,
            name,
            password_stdin,
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line)?;
                line.trim_end_matches(['\r', '\n']).to_owned()
            } else {
                std::env::var("KEEL_ADMIN_PASSWORD").map_err(|_| {
                    "create-admin: give the password in KEEL_ADMIN_PASSWORD or with --password-stdin"
                })?
            };
            let db = db::connect(&config.database_url).await?;
            db::migrate_up(&db).await?;
            let (tenant, user) = accounts::create_tenant_with_admin(
                &db,
                &tenant,
                NewUser {
                    email,
                    name,
                    role: Role::Admin,
                    password,
                },
            )
            .await?;
            println!(
                "Created tenant \"{}\" ({}) with administrator {}",
                tenant.name, tenant.slug, user.email
            );
        }
    }
    Ok(())
}
