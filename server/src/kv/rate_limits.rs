//! The rate-limit store on Redis, shared by every instance: one Lua script per decision (the check and the
//! count in one atomic step, on Redis's clock so that instances with different clocks agree), sliding-window
//! logs in sorted sets that expire with their window.
//!
//! Redis unreachable or slower than `KEEL_REDIS_TIMEOUT_MS`: the decision is taken by this instance's
//! in-memory store instead, the fallback is counted for `/metrics`, and a warning is logged when Redis goes
//! away (and when it comes back) — not once per request. For a second after a failure Redis is not asked
//! at all, so an outage costs at most one timeout per second per instance; then it is tried again, and used
//! again as soon as it answers.

use std::{
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Mutex,
    },
    time::{Duration, Instant},
};

use redis::{aio::ConnectionManager, Client, Script};

use crate::domain::limits::{
    Key, LimitStore, MemoryStore, Mode, Policy, StoreError, StoreFuture, StoreHealth, Usage,
};

/// KEYS: one sorted set per policy and subject. ARGV[1]: `hit`, `peek` or `add`; ARGV[2]: a member unique to
/// this call; then per key its limit, its window in milliseconds and its occurrence (empty for none: a hit
/// whose occurrence is already in the set only refreshes it, and is allowed even at the limit). Returns per key: the count, the wait in ms
/// until a hit fits (-1 when within the limit) and the ms until the oldest hit leaves the window.
const SCRIPT: &str = r#"
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local mode, member = ARGV[1], ARGV[2]
local counts, waits, members, over = {}, {}, {}, false
for i, key in ipairs(KEYS) do
  local limit, window = tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1])
  local occurrence = ARGV[3 * i + 2]
  members[i] = member
  if occurrence ~= '' then members[i] = 'o:' .. occurrence end
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local count = redis.call('ZCARD', key)
  counts[i], waits[i] = count, -1
  local counted = occurrence ~= '' and redis.call('ZSCORE', key, members[i])
  if count >= limit and not counted then
    local edge = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
    waits[i] = math.max(0, tonumber(edge[2]) + window - now)
    over = true
  end
end
local count_it = mode == 'add' or (mode == 'hit' and not over)
local out = {}
for i, key in ipairs(KEYS) do
  local limit, window = tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1])
  if count_it then
    redis.call('ZADD', key, now, members[i])
    redis.call('ZREMRANGEBYRANK', key, 0, -(limit + 1))
    redis.call('PEXPIRE', key, window)
    counts[i] = redis.call('ZCARD', key)
  end
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  local reset = 0
  if oldest[2] then reset = math.max(0, tonumber(oldest[2]) + window - now) end
  out[#out + 1] = counts[i]
  out[#out + 1] = waits[i]
  out[#out + 1] = reset
end
return out
"#;

/// After a failure, Redis is left alone this long before it is tried again.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(1);

pub struct RedisLimitStore {
    client: Client,
    /// Opened on first use; dropped after a failure and opened anew on the next attempt.
    connection: Mutex<Option<ConnectionManager>>,
    script: Script,
    prefix: String,
    timeout: Duration,
    fallback: MemoryStore,
    /// Whether the last attempt reached Redis (for the warning on each change, not on each request).
    up: AtomicBool,
    resting_until: Mutex<Option<Instant>>,
    fallbacks: AtomicU64,
}

impl RedisLimitStore {
    /// `url` has been checked at start-up; nothing connects until the first decision.
    pub fn new(url: &str, prefix: &str, timeout: Duration) -> Result<Self, redis::RedisError> {
        Ok(Self {
            client: Client::open(url)?,
            connection: Mutex::new(None),
            script: Script::new(SCRIPT),
            prefix: format!("{prefix}rl:"),
            timeout,
            fallback: MemoryStore::default(),
            up: AtomicBool::new(true),
            resting_until: Mutex::new(None),
            fallbacks: AtomicU64::new(0),
        })
    }

    /// Decisions taken in memory because Redis could not be reached in time.
    pub fn fallbacks(&self) -> u64 {
        self.fallbacks.load(Ordering::Relaxed)
    }

    fn key(&self, policy: &Policy, subject: &str) -> String {
        format!("{}{}:{}", self.prefix, policy.name, subject)
    }

    fn resting(&self) -> bool {
        let resting = self.resting_until.lock().unwrap_or_else(|e| e.into_inner());
        resting.is_some_and(|until| Instant::now() < until)
    }

    fn connection_slot(&self) -> std::sync::MutexGuard<'_, Option<ConnectionManager>> {
        self.connection.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn connection(&self) -> Result<ConnectionManager, redis::RedisError> {
        if let Some(connection) = self.connection_slot().clone() {
            return Ok(connection);
        }
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let connection = self
            .client
            .get_connection_manager_with_config(config)
            .await?;
        *self.connection_slot() = Some(connection.clone());
        Ok(connection)
    }

    async fn eval(&self, mode: Mode, keys: &[Key]) -> Result<Vec<Usage>, String> {
        let mut connection = self.connection().await.map_err(|e| e.to_string())?;
        let mut invocation = self.script.prepare_invoke();
        invocation
            .arg(match mode {
                Mode::Hit => "hit",
                Mode::Peek => "peek",
                Mode::Add => "add",
            })
            .arg(format!("{:032x}", rand::random::<u128>()));
        for key in keys {
            invocation
                .key(self.key(&key.policy, &key.subject))
                .arg(key.policy.limit)
                .arg(key.policy.window.as_millis() as u64)
                .arg(key.occurrence.as_deref().unwrap_or(""));
        }
        let raw: Vec<i64> = invocation
            .invoke_async(&mut connection)
            .await
            .map_err(|e| e.to_string())?;
        if raw.len() != keys.len() * 3 {
            return Err(format!("unexpected answer of {} numbers", raw.len()));
        }
        Ok(raw
            .chunks(3)
            .map(|figures| Usage {
                count: figures[0].max(0) as u32,
                retry_after: (figures[1] >= 0).then(|| Duration::from_millis(figures[1] as u64)),
                reset: Duration::from_millis(figures[2].max(0) as u64),
            })
            .collect())
    }

    fn succeeded(&self) {
        if !self.up.swap(true, Ordering::Relaxed) {
            tracing::info!(target: "keel::rate_limit", "Redis is reachable again: rate limits are shared again");
        }
    }

    fn failed(&self, error: &str) {
        *self.connection_slot() = None;
        *self.resting_until.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(Instant::now() + RETRY_AFTER_FAILURE);
        if self.up.swap(false, Ordering::Relaxed) {
            tracing::warn!(
                target: "keel::rate_limit",
                error,
                "Redis unreachable: rate limits are counted by each instance in memory until it returns"
            );
        }
    }

    async fn decide(&self, mode: Mode, keys: &[Key]) -> Vec<Usage> {
        if !self.resting() {
            match tokio::time::timeout(self.timeout, self.eval(mode, keys)).await {
                Ok(Ok(usages)) => {
                    self.succeeded();
                    return usages;
                }
                Ok(Err(error)) => self.failed(&error),
                Err(_) => self.failed(&format!("no answer within {} ms", self.timeout.as_millis())),
            }
        }
        self.fallbacks.fetch_add(1, Ordering::Relaxed);
        self.fallback.apply_now(mode, keys)
    }
}

impl LimitStore for RedisLimitStore {
    fn apply<'a>(
        &'a self,
        mode: Mode,
        keys: &'a [Key],
    ) -> StoreFuture<'a, Result<Vec<Usage>, StoreError>> {
        Box::pin(async move { Ok(self.decide(mode, keys).await) })
    }

    fn clear<'a>(
        &'a self,
        policy: &'a Policy,
        key: &'a str,
    ) -> StoreFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            // Both: the key may have been counted in memory during an outage.
            self.fallback.clear(policy, key).await?;
            if self.resting() {
                return Ok(());
            }
            let delete = async {
                let mut connection = self.connection().await?;
                redis::cmd("DEL")
                    .arg(self.key(policy, key))
                    .query_async::<()>(&mut connection)
                    .await
            };
            match tokio::time::timeout(self.timeout, delete).await {
                Ok(Ok(())) => Ok(()),
                Ok(Err(error)) => {
                    self.failed(&error.to_string());
                    Ok(())
                }
                Err(_) => {
                    self.failed("no answer in time");
                    Ok(())
                }
            }
        })
    }

    fn health(&self) -> StoreFuture<'_, StoreHealth> {
        Box::pin(async move {
            let ping = async {
                let mut connection = self.connection().await?;
                redis::cmd("PING")
                    .query_async::<String>(&mut connection)
                    .await
            };
            match tokio::time::timeout(self.timeout.max(Duration::from_millis(500)), ping).await {
                Ok(Ok(_)) => StoreHealth::Up,
                _ => StoreHealth::Down,
            }
        })
    }

    fn fallbacks(&self) -> u64 {
        self.fallbacks()
    }
}
