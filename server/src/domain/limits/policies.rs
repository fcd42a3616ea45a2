//! The policies Keel applies and how an operator sets them: `KEEL_RATE_LIMIT_<NAME>=<hits>/<window>`
//! (`5/1m`, `600/60s`, `5/1h`) or `off`.

use std::time::Duration;

/// At most `limit` hits per subject in any `window`. A limit of 0 switches the policy off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Names the policy in store keys and in the `RateLimit` headers (`login-address`, `api-user`, …).
    pub name: &'static str,
    pub limit: u32,
    pub window: Duration,
    /// What is counted, for the refusal's message ("Too many attempts — …").
    pub action: &'static str,
}

impl Policy {
    const fn new(name: &'static str, limit: u32, window_secs: u64, action: &'static str) -> Self {
        Self {
            name,
            limit,
            window: Duration::from_secs(window_secs),
            action,
        }
    }

    pub fn enabled(&self) -> bool {
        self.limit > 0 && !self.window.is_zero()
    }
}

/// Every policy, with the plan's numbers as defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatePolicies {
    /// Sign-in attempts per client address.
    pub login_address: Policy,
    /// Sign-in attempts per email, wherever they come from.
    pub login_email: Policy,
    /// Failed sign-ins per email and address before a lockout.
    pub login_failures: Policy,
    /// New tenants per client address.
    pub signup: Policy,
    /// Lists with a search phrase per user.
    pub search: Policy,
    /// CSV exports per user.
    pub export: Policy,
    /// Every other API request per user …
    pub api_user: Policy,
    /// … and per tenant.
    pub api_tenant: Policy,
    /// Browser error reports per client address.
    pub client_errors: Policy,
}

impl Default for RatePolicies {
    fn default() -> Self {
        Self {
            login_address: Policy::new("login-address", 5, 60, "attempts"),
            login_email: Policy::new("login-email", 5, 60, "attempts"),
            login_failures: Policy::new("login-failures", 10, 15 * 60, "failed attempts"),
            signup: Policy::new("signup", 5, 60 * 60, "attempts"),
            search: Policy::new("search", 30, 60, "searches"),
            export: Policy::new("export", 10, 60, "exports"),
            api_user: Policy::new("api-user", 600, 60, "requests"),
            api_tenant: Policy::new("api-tenant", 3_000, 60, "requests"),
            client_errors: Policy::new("client-errors", 30, 60, "error reports"),
        }
    }
}

/// The environment variable of each policy, in the order of [`RatePolicies::all_mut`].
pub const POLICY_VARIABLES: [&str; 9] = [
    "KEEL_RATE_LIMIT_LOGIN_ADDRESS",
    "KEEL_RATE_LIMIT_LOGIN_EMAIL",
    "KEEL_RATE_LIMIT_LOGIN_FAILURES",
    "KEEL_RATE_LIMIT_SIGNUP",
    "KEEL_RATE_LIMIT_SEARCH",
    "KEEL_RATE_LIMIT_EXPORT",
    "KEEL_RATE_LIMIT_API_USER",
    "KEEL_RATE_LIMIT_API_TENANT",
    "KEEL_RATE_LIMIT_CLIENT_ERRORS",
];

impl RatePolicies {
    fn all_mut(&mut self) -> [&mut Policy; 9] {
        [
            &mut self.login_address,
            &mut self.login_email,
            &mut self.login_failures,
            &mut self.signup,
            &mut self.search,
            &mut self.export,
            &mut self.api_user,
            &mut self.api_tenant,
            &mut self.client_errors,
        ]
    }

    /// The defaults with each variable `lookup` knows applied; an error names the variable and the problem.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, (&'static str, String)> {
        let mut policies = Self::default();
        for (policy, var) in policies.all_mut().into_iter().zip(POLICY_VARIABLES) {
            if let Some(value) = lookup(var).filter(|v| !v.trim().is_empty()) {
                let (limit, window) = parse_rate(&value).map_err(|reason| (var, reason))?;
                policy.limit = limit;
                policy.window = window;
            }
        }
        Ok(policies)
    }
}

/// `<hits>/<window>` where the window is a number followed by `s`, `m` or `h` (`1` may be left out: `5/m`),
/// or `off`.
pub fn parse_rate(value: &str) -> Result<(u32, Duration), String> {
    let value = value.trim();
    if value.eq_ignore_ascii_case("off") {
        return Ok((0, Duration::ZERO));
    }
    let expected =
        || format!("expected `<hits>/<window>` such as `5/1m`, `600/60s` or `off`, got `{value}`");
    let (hits, window) = value.split_once('/').ok_or_else(expected)?;
    let hits: u32 = hits.trim().parse().map_err(|_| expected())?;
    let window = window.trim();
    let unit_at = window.len().checked_sub(1).ok_or_else(expected)?;
    let (amount, unit) = window.split_at(unit_at);
    let amount: u64 = if amount.is_empty() {
        1
    } else {
        amount.parse().map_err(|_| expected())?
    };
    let seconds = match unit {
        "s" => amount,
        "m" => amount.saturating_mul(60),
        "h" => amount.saturating_mul(3_600),
        _ => return Err(expected()),
    };
    if hits == 0 || seconds == 0 || seconds > 7 * 24 * 3_600 {
        return Err(format!(
            "`{value}`: hits and window must be positive and the window at most a week (use `off` to switch the policy off)"
        ));
    }
    Ok((hits, Duration::from_secs(seconds)))
}
