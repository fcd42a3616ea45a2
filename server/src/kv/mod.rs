//! Redis, the only code that talks to it: the rate-limit store shared by every instance.

pub mod rate_limits;

use std::sync::Arc;

use crate::{
    config::Config,
    domain::limits::{LimitStore, MemoryStore},
};

/// Whether the Redis client accepts `url` (checked at start-up, before anything connects).
pub fn check_url(url: &str) -> Result<(), String> {
    redis::Client::open(url).map(drop).map_err(|err| {
        format!("expected redis://[:password@]host[:port][/db] or rediss://…: {err}")
    })
}

/// Redis when `KEEL_REDIS_URL` is set, otherwise this process's memory.
pub fn limit_store(config: &Config) -> Arc<dyn LimitStore> {
    let Some(url) = &config.redis_url else {
        return Arc::new(MemoryStore::default());
    };
    match rate_limits::RedisLimitStore::new(
        url.expose(),
        &config.redis_prefix,
        config.redis_timeout,
    ) {
        Ok(store) => Arc::new(store),
        // The URL was checked at start-up; should the client still refuse it, limits stay per process.
        Err(err) => {
            tracing::error!(error = %err, "KEEL_REDIS_URL refused by the Redis client: rate limits stay in memory");
            Arc::new(MemoryStore::default())
        }
    }
}
