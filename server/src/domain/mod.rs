//! The use cases: records, users, tenants, sessions and statuses. Each takes the [`Services`] (the database
//! handle and settings), an [`Actor`] and typed input, and returns typed output or a [`DomainError`]. Nothing
//! here knows HTTP: a handler, a CLI command and a scheduled job call the very same functions.

pub mod actor;
pub mod backend_config;
pub mod backup;
pub mod dashboard;
pub mod error;
pub mod history;
pub mod imports;
pub mod limits;
pub mod params;
pub mod passwords;
pub mod records;
pub mod schedules;
pub mod seed;
pub mod sessions;
pub mod statuses;
pub mod tenant_export;
pub mod tenants;
pub mod tokens;
pub mod users;
pub mod views;

use std::sync::Arc;

use sea_orm::DatabaseConnection;

pub use actor::Actor;
pub use error::DomainError;

use crate::config::Config;

/// What every use case may need besides its input.
#[derive(Clone)]
pub struct Services {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub tokens: Arc<tokens::TokenKeys>,
    pub limits: Arc<limits::Limits>,
    /// Each tenant's backend configuration, as last read by this process.
    pub configs: Arc<backend_config::ConfigCache>,
}

impl Services {
    pub fn new(db: DatabaseConnection, config: Config) -> Self {
        Self {
            tokens: Arc::new(tokens::TokenKeys::new(&config.jwt_secret)),
            limits: Arc::new(limits::Limits::new(
                config.rate_policies,
                crate::kv::limit_store(&config),
            )),
            configs: Arc::default(),
            config: Arc::new(config),
            db,
        }
    }
}
