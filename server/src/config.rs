//! Configuration from environment variables, with defaults that are safe for a laptop.
//!
//! Every variable is read and checked here, once, at start-up; a bad value stops the process with one line
//! that names the variable.

use std::{
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use crate::domain::limits::RatePolicies;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{var}: {reason}")]
    Invalid { var: &'static str, reason: String },
    #[error("{var} is required when KEEL_ENV=production")]
    MissingInProduction { var: &'static str },
    #[error("KEEL_JWT_SECRET: cannot keep the generated development secret in {path}: {source}")]
    SecretFile {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// A secret that never shows itself in `Debug` output or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub environment: Environment,
    pub database_url: String,
    pub bind_addr: SocketAddr,
    pub data_dir: PathBuf,
    pub site_root: PathBuf,
    pub jwt_secret: Secret,
    pub log_format: LogFormat,
    pub sentry_dsn: Option<Secret>,
    pub slow_request: Duration,
    pub slow_statement: Duration,
    /// How long a sign-in lasts before the user must sign in again.
    pub session_ttl: Duration,
    /// Report lists count matching rows exactly up to this many; above it PostgreSQL answers with the
    /// planner's estimate, flagged `total_exact: false` (SQLite always counts exactly).
    pub exact_count_limit: u64,
    /// The same for lists with a substring filter or a search (`KEEL_SUBSTRING_COUNT_LIMIT`, at most the
    /// exact-count limit): counting a frequent word's matches reads each from the table (decision 66).
    pub substring_count_limit: u64,
    /// Rows per statement of a CSV export.
    pub export_chunk_rows: u64,
    /// The rate-limit policies (`KEEL_RATE_LIMIT_*`).
    pub rate_policies: RatePolicies,
    /// Redis shared by every instance for rate limits; in-memory limits per process when absent.
    pub redis_url: Option<Secret>,
    /// Prefix of every key Keel writes in Redis (`KEEL_REDIS_PREFIX`, default `keel:`).
    pub redis_prefix: String,
    /// How long a rate-limit decision may wait for Redis before the instance decides alone
    /// (`KEEL_REDIS_TIMEOUT_MS`, default 100).
    pub redis_timeout: Duration,
    /// Proxies whose `Forwarded`/`X-Forwarded-For` headers are believed (`KEEL_TRUSTED_PROXIES`, CIDRs).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Scheduled reports: the runner, how long files are kept, how they are delivered.
    pub reports: ReportSettings,
    /// How long history entries are kept (`KEEL_HISTORY_RETENTION_DAYS`; unset: forever). Older ones are
    /// removed daily.
    pub history_retention_days: Option<u32>,
    /// The largest CSV file an import takes (`KEEL_IMPORT_MAX_BYTES`, default 50 MiB).
    pub import_max_bytes: u64,
    /// The most data rows an import takes (`KEEL_IMPORT_MAX_ROWS`, default 200,000).
    pub import_max_rows: u64,
}

/// Scheduled reports (issue 16).
#[derive(Debug, Clone)]
pub struct ReportSettings {
    /// Whether `keel serve` runs due schedules (`KEEL_SCHEDULER`, `on` or `off`; default on). Off for an
    /// instance that should only serve requests.
    pub scheduler: bool,
    /// How long a run's file is kept for download (`KEEL_REPORT_RETENTION_DAYS`, default 30).
    pub retention: Duration,
    /// Files up to this size are attached to the email; larger ones are linked (`KEEL_REPORT_ATTACHMENT_MAX_BYTES`,
    /// default 5 MB).
    pub attachment_max_bytes: u64,
    /// `smtp://host:port` or `smtps://user:password@host` (`KEEL_SMTP_URL`); no email is sent without it.
    pub smtp_url: Option<Secret>,
    /// The sender of report emails (`KEEL_SMTP_FROM`, default `Keel <reports@keel.invalid>`).
    pub smtp_from: String,
    /// The address users reach Keel at, for links in emails and webhooks (`KEEL_PUBLIC_URL`; default the
    /// bind address over http).
    pub public_url: String,
    /// Hosts a webhook may reach over plain http (`KEEL_WEBHOOK_HTTP_HOSTS`, comma-separated; default none:
    /// webhooks are https). For a receiver on the same private network, and for tests on loopback.
    pub webhook_http_hosts: Vec<String>,
}

/// The minimum length of a JWT secret supplied by the operator (256 bits of hex or more).
pub const MIN_JWT_SECRET_LEN: usize = 32;

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests can supply variables without touching the process.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());

        let environment = match get("KEEL_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(invalid(
                    "KEEL_ENV",
                    format!("expected `development` or `production`, got `{other}`"),
                ))
            }
        };

        let data_dir = PathBuf::from(get("KEEL_DATA_DIR").unwrap_or_else(|| "./data".into()));

        let database_url = match get("KEEL_DATABASE_URL").or_else(|| get("DATABASE_URL")) {
            Some(url) => {
                check_database_url(&url)?;
                url
            }
            None => format!("sqlite://{}?mode=rwc", data_dir.join("keel.db").display()),
        };

        let bind_addr = match get("KEEL_BIND") {
            Some(value) => value.parse().map_err(|_| {
                invalid(
                    "KEEL_BIND",
                    format!("expected an address such as 127.0.0.1:3000, got `{value}`"),
                )
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
        };

        let log_format = match get("KEEL_LOG_FORMAT").as_deref() {
            Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            None if environment == Environment::Production => LogFormat::Json,
            None => LogFormat::Pretty,
            Some(other) => {
                return Err(invalid(
                    "KEEL_LOG_FORMAT",
                    format!("expected `pretty` or `json`, got `{other}`"),
                ))
            }
        };

        let sentry_dsn = match get("KEEL_SENTRY_DSN") {
            Some(dsn) => {
                let parsed = url::Url::parse(&dsn).map_err(|_| {
                    invalid(
                        "KEEL_SENTRY_DSN",
                        "is not a URL (expected https://key@host/project)".into(),
                    )
                })?;
                if !matches!(parsed.scheme(), "http" | "https") || parsed.username().is_empty() {
                    return Err(invalid(
                        "KEEL_SENTRY_DSN",
                        "expected https://key@host/project".into(),
                    ));
                }
                Some(Secret::new(dsn))
            }
            None => None,
        };

        let jwt_secret = match get("KEEL_JWT_SECRET") {
            Some(secret) if secret.len() < MIN_JWT_SECRET_LEN => {
                return Err(invalid(
                    "KEEL_JWT_SECRET",
                    format!("must be at least {MIN_JWT_SECRET_LEN} characters long"),
                ))
            }
            Some(secret) => Secret::new(secret),
            None if environment == Environment::Production => {
                return Err(ConfigError::MissingInProduction {
                    var: "KEEL_JWT_SECRET",
                })
            }
            // Development: generated lazily by `ensure_dev_jwt_secret` once the data directory is known.
            None => Secret::new(String::new()),
        };

        let site_root = PathBuf::from(
            get("KEEL_SITE_ROOT")
                .or_else(|| get("LEPTOS_SITE_ROOT"))
                .unwrap_or_else(|| "target/site".into()),
        );

        let slow_request = millis("KEEL_SLOW_REQUEST_MS", get("KEEL_SLOW_REQUEST_MS"), 500)?;
        let slow_statement = millis("KEEL_SLOW_STATEMENT_MS", get("KEEL_SLOW_STATEMENT_MS"), 100)?;

        let session_minutes = whole_number(
            "KEEL_SESSION_TTL_MINUTES",
            get("KEEL_SESSION_TTL_MINUTES"),
            12 * 60,
            "minutes",
        )?;
        if !(1..=60 * 24 * 30).contains(&session_minutes) {
            return Err(invalid(
                "KEEL_SESSION_TTL_MINUTES",
                "must be between 1 minute and 30 days".into(),
            ));
        }
        let session_ttl = Duration::from_secs(session_minutes * 60);

        let exact_count_limit = whole_number(
            "KEEL_EXACT_COUNT_LIMIT",
            get("KEEL_EXACT_COUNT_LIMIT"),
            10_000,
            "rows",
        )?;
        if !(1..=100_000_000).contains(&exact_count_limit) {
            return Err(invalid(
                "KEEL_EXACT_COUNT_LIMIT",
                "must be between 1 and 100000000 rows".into(),
            ));
        }
        let substring_count_limit = whole_number(
            "KEEL_SUBSTRING_COUNT_LIMIT",
            get("KEEL_SUBSTRING_COUNT_LIMIT"),
            1_000,
            "rows",
        )?;
        if !(1..=100_000_000).contains(&substring_count_limit) {
            return Err(invalid(
                "KEEL_SUBSTRING_COUNT_LIMIT",
                "must be between 1 and 100000000 rows".into(),
            ));
        }
        let substring_count_limit = substring_count_limit.min(exact_count_limit);
        let export_chunk_rows = whole_number(
            "KEEL_EXPORT_CHUNK_ROWS",
            get("KEEL_EXPORT_CHUNK_ROWS"),
            5_000,
            "rows",
        )?;
        if !(1..=100_000).contains(&export_chunk_rows) {
            return Err(invalid(
                "KEEL_EXPORT_CHUNK_ROWS",
                "must be between 1 and 100000 rows".into(),
            ));
        }

        let rate_policies = RatePolicies::from_lookup(|name| get(name))
            .map_err(|(var, reason)| invalid(var, reason))?;
        let redis_url = match get("KEEL_REDIS_URL") {
            Some(url) => {
                crate::kv::check_url(&url).map_err(|reason| invalid("KEEL_REDIS_URL", reason))?;
                Some(Secret::new(url))
            }
            None => None,
        };
        let redis_prefix = get("KEEL_REDIS_PREFIX").unwrap_or_else(|| "keel:".into());
        let redis_timeout = millis("KEEL_REDIS_TIMEOUT_MS", get("KEEL_REDIS_TIMEOUT_MS"), 100)?;
        if redis_timeout.is_zero() || redis_timeout > Duration::from_secs(5) {
            return Err(invalid(
                "KEEL_REDIS_TIMEOUT_MS",
                "must be between 1 and 5000 milliseconds".into(),
            ));
        }
        let trusted_proxies = match get("KEEL_TRUSTED_PROXIES") {
            Some(list) => {
                parse_networks(&list).map_err(|reason| invalid("KEEL_TRUSTED_PROXIES", reason))?
            }
            None => Vec::new(),
        };

        let scheduler = match get("KEEL_SCHEDULER").as_deref() {
            None | Some("on") => true,
            Some("off") => false,
            Some(other) => {
                return Err(invalid(
                    "KEEL_SCHEDULER",
                    format!("expected `on` or `off`, got `{other}`"),
                ))
            }
        };
        let retention_days = whole_number(
            "KEEL_REPORT_RETENTION_DAYS",
            get("KEEL_REPORT_RETENTION_DAYS"),
            30,
            "days",
        )?;
        if !(1..=3650).contains(&retention_days) {
            return Err(invalid(
                "KEEL_REPORT_RETENTION_DAYS",
                "must be between 1 and 3650 days".into(),
            ));
        }
        let reports = ReportSettings {
            scheduler,
            retention: Duration::from_secs(retention_days * 86_400),
            attachment_max_bytes: whole_number(
                "KEEL_REPORT_ATTACHMENT_MAX_BYTES",
                get("KEEL_REPORT_ATTACHMENT_MAX_BYTES"),
                5 * 1024 * 1024,
                "bytes",
            )?,
            smtp_url: match get("KEEL_SMTP_URL") {
                Some(url) if url.starts_with("smtp://") || url.starts_with("smtps://") => {
                    Some(Secret::new(url))
                }
                Some(_) => {
                    return Err(invalid(
                        "KEEL_SMTP_URL",
                        "expected smtp://host:port or smtps://user:password@host".into(),
                    ))
                }
                None => None,
            },
            smtp_from: get("KEEL_SMTP_FROM")
                .unwrap_or_else(|| "Keel <reports@keel.invalid>".into()),
            public_url: get("KEEL_PUBLIC_URL")
                .map(|url| url.trim_end_matches('/').to_owned())
                .unwrap_or_else(|| format!("http://{bind_addr}")),
            webhook_http_hosts: get("KEEL_WEBHOOK_HTTP_HOSTS")
                .map(|hosts| {
                    hosts
                        .split(',')
                        .map(|host| host.trim().to_ascii_lowercase())
                        .filter(|host| !host.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        };

        let history_retention_days = match get("KEEL_HISTORY_RETENTION_DAYS") {
            None => None,
            Some(raw) => match raw.trim().parse::<u32>() {
                Ok(days) if (1..=36_500).contains(&days) => Some(days),
                _ => {
                    return Err(invalid(
                        "KEEL_HISTORY_RETENTION_DAYS",
                        format!("expected a whole number of days between 1 and 36500, got `{raw}`"),
                    ))
                }
            },
        };
        let import_max_bytes = whole_number(
            "KEEL_IMPORT_MAX_BYTES",
            get("KEEL_IMPORT_MAX_BYTES"),
            50 * 1024 * 1024,
            "bytes",
        )?;
        let import_max_rows = whole_number(
            "KEEL_IMPORT_MAX_ROWS",
            get("KEEL_IMPORT_MAX_ROWS"),
            200_000,
            "rows",
        )?;
        if import_max_bytes == 0 || import_max_rows == 0 {
            return Err(invalid(
                if import_max_bytes == 0 {
                    "KEEL_IMPORT_MAX_BYTES"
                } else {
                    "KEEL_IMPORT_MAX_ROWS"
                },
                "must be at least 1".into(),
            ));
        }

        let mut config = Config {
            environment,
            database_url,
            bind_addr,
            data_dir,
            site_root,
            jwt_secret,
            log_format,
            sentry_dsn,
            slow_request,
            slow_statement,
            session_ttl,
            exact_count_limit,
            substring_count_limit,
            export_chunk_rows,
            rate_policies,
            redis_url,
            redis_prefix,
            redis_timeout,
            trusted_proxies,
            reports,
            history_retention_days,
            import_max_bytes,
            import_max_rows,
        };
        if config.jwt_secret.expose().is_empty() {
            config.jwt_secret = ensure_dev_jwt_secret(&config.data_dir)?;
        }
        Ok(config)
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

fn invalid(var: &'static str, reason: String) -> ConfigError {
    ConfigError::Invalid { var, reason }
}

fn check_database_url(url: &str) -> Result<(), ConfigError> {
    let supported = ["postgres://", "postgresql://", "sqlite:"];
    if supported.iter().any(|prefix| url.starts_with(prefix)) {
        Ok(())
    } else {
        Err(invalid(
            "KEEL_DATABASE_URL",
            "expected a postgres://… or sqlite:… URL".into(),
        ))
    }
}

/// `10.0.0.0/8, 192.168.1.5, 2001:db8::/32`: networks, or single addresses.
fn parse_networks(list: &str) -> Result<Vec<ipnet::IpNet>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<ipnet::IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("`{item}` is not an address or a network such as 10.0.0.0/8"))
        })
        .collect()
}

fn millis(var: &'static str, value: Option<String>, default: u64) -> Result<Duration, ConfigError> {
    whole_number(var, value, default, "milliseconds").map(Duration::from_millis)
}

fn whole_number(
    var: &'static str,
    value: Option<String>,
    default: u64,
    unit: &str,
) -> Result<u64, ConfigError> {
    match value {
        None => Ok(default),
        Some(raw) => raw.trim().parse::<u64>().map_err(|_| {
            invalid(
                var,
                format!("expected a whole number of {unit}, got `{raw}`"),
            )
        }),
    }
}

/// In development the JWT secret is generated once and kept in `<data>/jwt_secret` (mode 0600), so sessions
/// survive restarts without anyone having to configure anything.
pub fn ensure_dev_jwt_secret(data_dir: &Path) -> Result<Secret, ConfigError> {
    let path = data_dir.join("jwt_secret");
    let to_error = |source| ConfigError::SecretFile {
        path: path.clone(),
        source,
    };
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if existing.len() >= MIN_JWT_SECRET_LEN {
            return Ok(Secret::new(existing));
        }
    }
    std::fs::create_dir_all(data_dir).map_err(to_error)?;
    let secret = {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        hex::encode(bytes)
    };
    write_private_file(&path, &secret).map_err(to_error)?;
    Ok(Secret::new(secret))
}

#[cfg(unix)]
fn write_private_file(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    // `mode` applies only on creation; tighten a file that already existed.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private_file(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config_with(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(move |name| map.get(name).cloned())
    }

    #[test]
    fn defaults_are_safe_for_a_laptop() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_str().unwrap();
        let config = config_with(&[("KEEL_DATA_DIR", data)]).unwrap();
        assert_eq!(config.environment, Environment::Development);
        assert_eq!(config.bind_addr.to_string(), "127.0.0.1:3000");
        assert!(config.is_sqlite());
        assert!(config.database_url.contains("keel.db"));
        assert_eq!(config.log_format, LogFormat::Pretty);
        assert!(config.sentry_dsn.is_none());
        assert_eq!(config.slow_request, Duration::from_millis(500));
        assert_eq!(config.slow_statement, Duration::from_millis(100));
        assert_eq!(config.exact_count_limit, 10_000);
        assert_eq!(config.substring_count_limit, 1_000);
        assert_eq!(config.export_chunk_rows, 5_000);
        assert_eq!(
            config.history_retention_days, None,
            "history is kept forever"
        );
        assert_eq!(
            (config.import_max_bytes, config.import_max_rows),
            (50 * 1024 * 1024, 200_000)
        );
    }

    #[test]
    fn development_secret_is_generated_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().to_str().unwrap();
        let first = config_with(&[("KEEL_DATA_DIR", data)]).unwrap();
        let second = config_with(&[("KEEL_DATA_DIR", data)]).unwrap();
        assert_eq!(first.jwt_secret, second.jwt_secret);
        assert_eq!(first.jwt_secret.expose().len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("jwt_secret"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn production_requires_a_jwt_secret_and_defaults_to_json_logs() {
        let err = config_with(&[("KEEL_ENV", "production")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "KEEL_JWT_SECRET is required when KEEL_ENV=production"
        );
        let secret = "x".repeat(40);
        let config =
            config_with(&[("KEEL_ENV", "production"), ("KEEL_JWT_SECRET", &secret)]).unwrap();
        assert_eq!(config.log_format, LogFormat::Json);
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases: &[(&str, &str)] = &[
            ("KEEL_ENV", "staging"),
            ("KEEL_BIND", "localhost"),
            ("KEEL_DATABASE_URL", "mysql://x"),
            ("KEEL_LOG_FORMAT", "xml"),
            ("KEEL_SENTRY_DSN", "not a url"),
            ("KEEL_JWT_SECRET", "short"),
            ("KEEL_SLOW_REQUEST_MS", "fast"),
            ("KEEL_SLOW_STATEMENT_MS", "-1"),
            ("KEEL_EXACT_COUNT_LIMIT", "0"),
            ("KEEL_EXACT_COUNT_LIMIT", "many"),
            ("KEEL_SUBSTRING_COUNT_LIMIT", "0"),
            ("KEEL_EXPORT_CHUNK_ROWS", "1000000"),
            ("KEEL_REDIS_URL", "http://127.0.0.1:6379"),
            ("KEEL_REDIS_URL", "not a url"),
            ("KEEL_REDIS_TIMEOUT_MS", "0"),
            ("KEEL_TRUSTED_PROXIES", "10.0.0.0/33"),
            ("KEEL_TRUSTED_PROXIES", "10.0.0.1, proxy.local"),
            ("KEEL_RATE_LIMIT_LOGIN_ADDRESS", "5 a minute"),
            ("KEEL_RATE_LIMIT_API_TENANT", "0/1m"),
        ];
        for (var, value) in cases {
            let err = config_with(&[(var, value)]).unwrap_err().to_string();
            assert!(err.starts_with(var), "{var}={value} gave `{err}`");
            assert!(!err.contains('\n'), "one line only: {err}");
        }
    }

    #[test]
    fn secrets_do_not_leak_through_debug() {
        let secret = "s".repeat(40);
        let config = config_with(&[("KEEL_JWT_SECRET", &secret)]).unwrap();
        assert!(!format!("{config:?}").contains(&secret));
    }
}
