//! `keel serve`: migrate, then serve the app and the API until stopped.

use super::AnyError;
use crate::{
    config::{Config, Environment},
    http::server::Application,
};

pub async fn run(config: Config) -> Result<(), AnyError> {
    // Kept alive while serving; with no DSN, Sentry is never initialised.
    let _sentry = config.sentry_dsn.as_ref().map(|dsn| {
        crate::observability::sentry_reports::init(
            dsn.expose(),
            match config.environment {
                Environment::Production => "production",
                Environment::Development => "development",
            },
        )
    });
    let app = Application::build(config).await?;
    tracing::info!("Keel is listening on http://{}", app.local_addr());
    app.run_until_stopped().await?;
    Ok(())
}
