//! What every request handler and server-side render can reach.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use crate::{
    auth::{throttle::LoginThrottle, token::TokenKeys},
    config::Config,
    observability::Metrics,
    rate_limit::RateLimiter,
};

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    pub tokens: Arc<TokenKeys>,
    pub login_throttle: Arc<LoginThrottle>,
    pub metrics: Arc<Metrics>,
    /// Browser error reports per client address.
    pub client_error_limiter: Arc<RateLimiter>,
    pub leptos_options: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
