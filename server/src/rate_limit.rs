//! A fixed-window rate limiter keyed by client address, in memory (per process; see docs/OPERATIONS.md).

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

pub struct RateLimiter {
    limit: u32,
    window: Duration,
    hits: Mutex<HashMap<Option<IpAddr>, (u32, Instant)>>,
}

impl RateLimiter {
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            limit,
            window,
            hits: Mutex::default(),
        }
    }

    /// Counts one hit; `Err(retry_after)` once the address has used up its window.
    pub fn hit(&self, client: Option<IpAddr>) -> Result<(), Duration> {
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        if hits.len() > 10_000 {
            let window = self.window;
            hits.retain(|_, (_, since)| since.elapsed() < window);
        }
        let entry = hits.entry(client).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= self.window {
            *entry = (0, Instant::now());
        }
        if entry.0 >= self.limit {
            return Err(self.window.saturating_sub(entry.1.elapsed()));
        }
        entry.0 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_each_address_separately() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let a = Some("10.0.0.1".parse().unwrap());
        let b = Some("10.0.0.2".parse().unwrap());
        assert!(limiter.hit(a).is_ok());
        assert!(limiter.hit(a).is_ok());
        assert!(limiter.hit(a).is_err());
        assert!(limiter.hit(b).is_ok());
    }
}
