//! Brute-force protection for login: after too many failed attempts for one email from one address, further
//! attempts are refused (429 with `Retry-After`) until the window has passed. Keyed on email *and* client
//! address, so an attacker elsewhere cannot lock a user out. In memory, per process: with several instances
//! each counts on its own (Redis-backed counting is the scale path in ARCHITECTURE.md).

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

pub const MAX_FAILURES: u32 = 10;
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Past this many tracked keys, expired ones are dropped (bounds memory under a spray of emails).
const PRUNE_ABOVE: usize = 10_000;

type Key = (String, Option<IpAddr>);

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<Key, (u32, Instant)>>,
}

impl LoginThrottle {
    fn key(email: &str, client: Option<IpAddr>) -> Key {
        (email.trim().to_lowercase(), client)
    }

    /// `Err(retry_after)` while this email and address are locked out.
    pub fn check(&self, email: &str, client: Option<IpAddr>) -> Result<(), Duration> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        match failures.get(&Self::key(email, client)) {
            Some((count, since)) if *count >= MAX_FAILURES && since.elapsed() < WINDOW => {
                Err(WINDOW - since.elapsed())
            }
            _ => Ok(()),
        }
    }

    pub fn record_failure(&self, email: &str, client: Option<IpAddr>) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() > PRUNE_ABOVE {
            failures.retain(|_, (_, since)| since.elapsed() < WINDOW);
        }
        let entry = failures
            .entry(Self::key(email, client))
            .or_insert((0, Instant::now()));
        if entry.1.elapsed() >= WINDOW {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }

    pub fn reset(&self, email: &str, client: Option<IpAddr>) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&Self::key(email, client));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_the_limit_per_email_and_address() {
        let throttle = LoginThrottle::default();
        let here: Option<IpAddr> = Some("10.0.0.1".parse().unwrap());
        let there: Option<IpAddr> = Some("10.0.0.2".parse().unwrap());
        for _ in 0..MAX_FAILURES {
            assert!(throttle.check("a@b.co", here).is_ok());
            throttle.record_failure("A@b.co", here);
        }
        let retry = throttle.check("a@b.co", here).unwrap_err();
        assert!(retry <= WINDOW && retry > WINDOW - Duration::from_secs(5));
        assert!(
            throttle.check("a@b.co", there).is_ok(),
            "other addresses are unaffected"
        );
        assert!(
            throttle.check("c@b.co", here).is_ok(),
            "other emails are unaffected"
        );
        throttle.reset("a@b.co", here);
        assert!(throttle.check("a@b.co", here).is_ok());
    }
}
