//! The in-memory store: one process's sliding-window logs behind one lock, so each call is atomic. The
//! single-process default, and what the Redis store falls back on while Redis is unreachable.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

use super::{Key, LimitStore, Mode, Policy, StoreError, StoreFuture, Usage};

/// A subject's recent hits, oldest first, at most the policy's limit of them; a hit may carry the
/// occurrence it counts (a search phrase), which is then counted once.
struct Log {
    hits: VecDeque<(Instant, Option<String>)>,
    window: Duration,
}

impl Log {
    fn forget_before(&mut self, now: Instant) {
        while self
            .hits
            .front()
            .is_some_and(|(at, _)| now.duration_since(*at) >= self.window)
        {
            self.hits.pop_front();
        }
    }

    fn counts(&self, occurrence: Option<&str>) -> bool {
        occurrence.is_some_and(|o| self.hits.iter().any(|(_, seen)| seen.as_deref() == Some(o)))
    }

    /// When at the limit (and the occurrence is not already counted): the wait until the hit that holds
    /// the count at the limit leaves the window.
    fn retry_after(&self, limit: u32, occurrence: Option<&str>, now: Instant) -> Option<Duration> {
        let count = self.hits.len();
        let limit = limit as usize;
        (count >= limit && !self.counts(occurrence)).then(|| {
            let (edge, _) = self.hits[count - limit];
            (edge + self.window).saturating_duration_since(now)
        })
    }

    fn add(&mut self, now: Instant, occurrence: Option<&str>, limit: u32) {
        if let Some(occurrence) = occurrence {
            self.hits
                .retain(|(_, seen)| seen.as_deref() != Some(occurrence));
        }
        self.hits.push_back((now, occurrence.map(str::to_owned)));
        while self.hits.len() > limit as usize {
            self.hits.pop_front();
        }
    }

    fn usage(&self, retry_after: Option<Duration>, now: Instant) -> Usage {
        Usage {
            count: self.hits.len() as u32,
            retry_after,
            reset: self.hits.front().map_or(Duration::ZERO, |(oldest, _)| {
                (*oldest + self.window).saturating_duration_since(now)
            }),
        }
    }
}

#[derive(Default)]
pub struct MemoryStore {
    logs: Mutex<HashMap<(&'static str, String), Log>>,
}

/// Past this many tracked subjects, those with nothing left in their window are dropped (bounds memory
/// under a spray of keys).
const PRUNE_ABOVE: usize = 10_000;

impl MemoryStore {
    pub fn apply_now(&self, mode: Mode, keys: &[Key]) -> Vec<Usage> {
        let now = Instant::now();
        let mut logs = self.logs.lock().unwrap_or_else(|e| e.into_inner());
        if logs.len() > PRUNE_ABOVE {
            logs.retain(|_, log| {
                log.forget_before(now);
                !log.hits.is_empty()
            });
        }
        let mut retries = Vec::with_capacity(keys.len());
        for key in keys {
            let policy = key.policy;
            let log = logs
                .entry((policy.name, key.subject.clone()))
                .or_insert_with(|| Log {
                    hits: VecDeque::new(),
                    window: policy.window,
                });
            log.window = policy.window;
            log.forget_before(now);
            retries.push(log.retry_after(policy.limit, key.occurrence.as_deref(), now));
        }
        let count_it = match mode {
            Mode::Hit => retries.iter().all(Option::is_none),
            Mode::Peek => false,
            Mode::Add => true,
        };
        keys.iter()
            .zip(retries)
            .map(|(key, retry_after)| {
                let log = logs
                    .get_mut(&(key.policy.name, key.subject.clone()))
                    .expect("inserted above, under the same lock");
                if count_it {
                    log.add(now, key.occurrence.as_deref(), key.policy.limit);
                }
                log.usage(retry_after, now)
            })
            .collect()
    }
}

impl LimitStore for MemoryStore {
    fn apply<'a>(
        &'a self,
        mode: Mode,
        keys: &'a [Key],
    ) -> StoreFuture<'a, Result<Vec<Usage>, StoreError>> {
        Box::pin(std::future::ready(Ok(self.apply_now(mode, keys))))
    }

    fn clear<'a>(
        &'a self,
        policy: &'a Policy,
        key: &'a str,
    ) -> StoreFuture<'a, Result<(), StoreError>> {
        let mut logs = self.logs.lock().unwrap_or_else(|e| e.into_inner());
        logs.remove(&(policy.name, key.to_owned()));
        Box::pin(std::future::ready(Ok(())))
    }
}
