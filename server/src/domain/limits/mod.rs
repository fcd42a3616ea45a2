//! Rate limits: policies (at most `limit` hits in any `window`, per subject) over one store that checks and
//! counts in a single atomic step — in memory for one process, or Redis shared by every instance
//! (`crate::kv::rate_limits`). A sliding-window log: a hit is refused while `limit` hits of the same subject
//! lie within the last `window`, and the refusal says when the oldest of them leaves it.
//!
//! Every verdict is recorded on the request being served (`observability::record_quota`), so the HTTP layer
//! can answer with `RateLimit-Policy`/`RateLimit` headers whichever use case applied the limit.

mod memory;
mod policies;

use std::{future::Future, net::IpAddr, pin::Pin, sync::Arc, time::Duration};

pub use memory::MemoryStore;
pub use policies::{Policy, RatePolicies};

use super::{Actor, DomainError};

/// What a store does with the hits it is handed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Counts one hit on every key if every key is within its limit, otherwise none.
    Hit,
    /// Only reports.
    Peek,
    /// Counts one hit on every key, whatever the limits (a failure that may lead to a lockout).
    Add,
}

/// One counter a decision applies to: a policy for a subject (an address, an email, a user, a tenant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub policy: Policy,
    pub subject: String,
    /// Hits with the same occurrence count once within the window (a search phrase, whatever modules and
    /// pages it is run on); a hit whose occurrence is already counted is allowed even at the limit.
    pub occurrence: Option<String>,
}

impl Key {
    pub fn new(policy: Policy, subject: impl Into<String>) -> Self {
        Self {
            policy,
            subject: subject.into(),
            occurrence: None,
        }
    }

    pub fn once_per(mut self, occurrence: impl Into<String>) -> Self {
        self.occurrence = Some(occurrence.into());
        self
    }
}

/// One key's state after an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// Hits within the window (after this one, when it was counted).
    pub count: u32,
    /// Set when the key was at its limit: how long until a hit fits again.
    pub retry_after: Option<Duration>,
    /// How long until the oldest hit in the window leaves it (zero when there is none).
    pub reset: Duration,
}

#[derive(Debug, thiserror::Error)]
#[error("rate-limit store unavailable: {0}")]
pub struct StoreError(pub String);

pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where hits are counted. Every call is one atomic step on the store's side (never read-then-write).
pub trait LimitStore: Send + Sync {
    /// Applies `mode` to every `(policy, subject key)` at once; answers one [`Usage`] per key, in order.
    fn apply<'a>(
        &'a self,
        mode: Mode,
        keys: &'a [Key],
    ) -> StoreFuture<'a, Result<Vec<Usage>, StoreError>>;
    /// Forgets a key.
    fn clear<'a>(
        &'a self,
        policy: &'a Policy,
        key: &'a str,
    ) -> StoreFuture<'a, Result<(), StoreError>>;
    /// The shared store's state, for `/readyz` (an in-memory store is [`StoreHealth::NotConfigured`]).
    fn health(&self) -> StoreFuture<'_, StoreHealth> {
        Box::pin(std::future::ready(StoreHealth::NotConfigured))
    }
    /// Decisions a shared store had to take in memory because it could not be reached.
    fn fallbacks(&self) -> u64 {
        0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreHealth {
    NotConfigured,
    Up,
    Down,
}

impl StoreHealth {
    pub fn as_str(self) -> &'static str {
        match self {
            StoreHealth::NotConfigured => "not configured",
            StoreHealth::Up => "up",
            StoreHealth::Down => "down",
        }
    }
}

/// One policy's quota as the caller stands after a decision (the `RateLimit` header's figures).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub policy: Policy,
    pub remaining: u32,
    pub reset: Duration,
    pub retry_after: Option<Duration>,
}

impl Quota {
    fn report(&self) -> crate::observability::QuotaReport {
        crate::observability::QuotaReport {
            policy: self.policy.name,
            limit: self.policy.limit,
            window_secs: self.policy.window.as_secs(),
            remaining: self.remaining,
            reset_secs: self.reset.as_secs_f64().ceil() as u64,
        }
    }
}

/// The outcome of one decision over one or more policies.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Verdict {
    pub quotas: Vec<Quota>,
}

impl Verdict {
    fn from_usages(keys: &[Key], usages: Vec<Usage>) -> Self {
        let quotas = keys
            .iter()
            .zip(usages)
            .map(|(key, usage)| Quota {
                policy: key.policy,
                remaining: key.policy.limit.saturating_sub(usage.count),
                reset: usage.reset,
                retry_after: usage.retry_after,
            })
            .collect();
        Self { quotas }
    }

    /// The longest wait any refusing policy asks for, in whole seconds (at least 1); `None` when allowed.
    pub fn retry_after_secs(&self) -> Option<u64> {
        self.quotas
            .iter()
            .filter_map(|quota| quota.retry_after)
            .max()
            .map(|wait| wait.as_secs_f64().ceil().max(1.0) as u64)
    }

    /// The refusing policy with the longest wait, if any.
    pub fn refused_by(&self) -> Option<&Quota> {
        self.quotas
            .iter()
            .filter(|quota| quota.retry_after.is_some())
            .max_by_key(|quota| quota.retry_after)
    }

    /// `Err(RateLimited)` when refused.
    pub fn into_result(self) -> Result<(), DomainError> {
        match (self.refused_by(), self.retry_after_secs()) {
            (Some(quota), Some(retry_after_secs)) => Err(DomainError::RateLimited {
                action: quota.policy.action,
                retry_after_secs,
            }),
            _ => Ok(()),
        }
    }
}

/// What an API request costs besides the general budget.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RequestKind {
    /// A list with a search phrase (`q`): the phrase.
    pub search: Option<String>,
    /// A CSV export.
    pub export: bool,
}

/// The policies and the store the use cases apply them with.
pub struct Limits {
    policies: RatePolicies,
    store: Arc<dyn LimitStore>,
}

impl Default for Limits {
    fn default() -> Self {
        Self::new(RatePolicies::default(), Arc::new(MemoryStore::default()))
    }
}

fn address_key(client: Option<IpAddr>) -> String {
    client.map_or_else(|| "-".to_owned(), |ip| ip.to_string())
}

fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

fn lockout_key(email: &str, client: Option<IpAddr>) -> String {
    format!("{}|{}", email_key(email), address_key(client))
}

impl Limits {
    pub fn new(policies: RatePolicies, store: Arc<dyn LimitStore>) -> Self {
        Self { policies, store }
    }

    pub fn policies(&self) -> &RatePolicies {
        &self.policies
    }

    pub async fn health(&self) -> StoreHealth {
        self.store.health().await
    }

    pub fn fallbacks(&self) -> u64 {
        self.store.fallbacks()
    }

    /// Applies `mode` to the enabled policies among `keys` and records the verdict on the current request.
    async fn decide(&self, mode: Mode, keys: Vec<Key>) -> Verdict {
        let keys: Vec<_> = keys
            .into_iter()
            .filter(|key| key.policy.enabled())
            .collect();
        if keys.is_empty() {
            return Verdict::default();
        }
        let verdict = match self.store.apply(mode, &keys).await {
            Ok(usages) => Verdict::from_usages(&keys, usages),
            // Stores fall back on their own; one that still fails lets the request through rather than
            // refusing every caller for an outage of the limiter.
            Err(err) => {
                tracing::warn!(error = %err, "rate limit not applied");
                Verdict::default()
            }
        };
        if mode != Mode::Add {
            crate::observability::record_quota(verdict.quotas.iter().map(Quota::report));
        }
        verdict
    }

    /// A sign-in attempt: refused while this email and address are locked out by failures, or when the
    /// address or the email has made too many attempts. Counts the attempt otherwise.
    pub async fn login_attempt(
        &self,
        email: &str,
        client: Option<IpAddr>,
    ) -> Result<(), DomainError> {
        let lockout = vec![Key::new(
            self.policies.login_failures,
            lockout_key(email, client),
        )];
        self.decide(Mode::Peek, lockout).await.into_result()?;
        self.decide(
            Mode::Hit,
            vec![
                Key::new(self.policies.login_address, address_key(client)),
                Key::new(self.policies.login_email, email_key(email)),
            ],
        )
        .await
        .into_result()
    }

    pub async fn login_failed(&self, email: &str, client: Option<IpAddr>) {
        let keys = vec![Key::new(
            self.policies.login_failures,
            lockout_key(email, client),
        )];
        self.decide(Mode::Add, keys).await;
    }

    pub async fn login_succeeded(&self, email: &str, client: Option<IpAddr>) {
        let policy = self.policies.login_failures;
        if let Err(err) = self.store.clear(&policy, &lockout_key(email, client)).await {
            tracing::warn!(error = %err, "could not clear the sign-in failures");
        }
    }

    pub async fn signup(&self, client: Option<IpAddr>) -> Result<(), DomainError> {
        let keys = vec![Key::new(self.policies.signup, address_key(client))];
        self.decide(Mode::Hit, keys).await.into_result()
    }

    /// One request of a signed-in caller: the user's and the tenant's budgets, plus searches and exports.
    pub async fn api_request(&self, actor: &Actor, kind: RequestKind) -> Result<(), DomainError> {
        let user = format!("u{}", actor.user_id);
        let mut keys = vec![
            Key::new(self.policies.api_user, user.clone()),
            Key::new(self.policies.api_tenant, format!("t{}", actor.tenant_id)),
        ];
        if let Some(phrase) = kind.search {
            // The header's search runs one phrase over every module at once: it is one search.
            let phrase = phrase.trim().to_lowercase();
            keys.push(Key::new(self.policies.search, user.clone()).once_per(phrase));
        }
        if kind.export {
            keys.push(Key::new(self.policies.export, user));
        }
        self.decide(Mode::Hit, keys).await.into_result()
    }

    /// One browser error report from this address.
    pub async fn client_error_report(&self, client: Option<IpAddr>) -> Result<(), DomainError> {
        let keys = vec![Key::new(self.policies.client_errors, address_key(client))];
        self.decide(Mode::Hit, keys).await.into_result()
    }
}

#[cfg(test)]
mod tests;
