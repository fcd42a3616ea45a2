//! Prometheus metrics, kept in memory and rendered as text at `/metrics`: request counts and latency
//! histograms by route, database statements and pool usage, build information.

use std::{
    collections::BTreeMap,
    fmt::Write,
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex,
    },
    time::{Duration, Instant},
};

use sea_orm::{DatabaseBackend, DatabaseConnection};

/// Latency histogram buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Requests {
    /// (method, route, status) → count
    totals: BTreeMap<(String, String, u16), u64>,
    /// (method, route) → latency
    latency: BTreeMap<(String, String), Histogram>,
}

pub struct Metrics {
    requests: Mutex<Requests>,
    statements: AtomicU64,
    slow_statements: AtomicU64,
    started: Instant,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            requests: Mutex::default(),
            statements: AtomicU64::new(0),
            slow_statements: AtomicU64::new(0),
            started: Instant::now(),
        }
    }
}

/// Label values are quoted strings: backslash, quote and newline are escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    pub fn observe_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let mut requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        *requests
            .totals
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        let histogram = requests
            .latency
            .entry((method.to_owned(), route.to_owned()))
            .or_default();
        histogram.count += 1;
        histogram.sum += seconds;
        for (bucket, le) in histogram.counts.iter_mut().zip(BUCKETS) {
            if seconds <= le {
                *bucket += 1;
            }
        }
    }

    pub fn observe_statement(&self, slow: bool) {
        self.statements.fetch_add(1, Ordering::Relaxed);
        if slow {
            self.slow_statements.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// SQL statements executed so far (the tests count them per request).
    pub fn statement_count(&self) -> u64 {
        self.statements.load(Ordering::SeqCst)
    }

    /// `rate_limit_fallbacks`: decisions taken in memory because Redis could not be reached.
    pub fn render(&self, db: &DatabaseConnection, rate_limit_fallbacks: u64) -> String {
        let mut out = String::new();
        let requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        out.push_str(
            "# HELP keel_http_requests_total HTTP requests served, by method, route and status.\n",
        );
        out.push_str("# TYPE keel_http_requests_total counter\n");
        for ((method, route, status), count) in &requests.totals {
            let _ = writeln!(
                out,
                "keel_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {count}",
                escape(method),
                escape(route)
            );
        }
        out.push_str("# HELP keel_http_request_duration_seconds Time to answer HTTP requests, by method and route.\n");
        out.push_str("# TYPE keel_http_request_duration_seconds histogram\n");
        for ((method, route), histogram) in &requests.latency {
            let labels = format!("method=\"{}\",route=\"{}\"", escape(method), escape(route));
            for (le, count) in BUCKETS.iter().zip(histogram.counts) {
                let _ = writeln!(
                    out,
                    "keel_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "keel_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                histogram.count
            );
            let _ = writeln!(
                out,
                "keel_http_request_duration_seconds_sum{{{labels}}} {}",
                histogram.sum
            );
            let _ = writeln!(
                out,
                "keel_http_request_duration_seconds_count{{{labels}}} {}",
                histogram.count
            );
        }
        drop(requests);

        out.push_str("# HELP keel_db_statements_total SQL statements executed.\n# TYPE keel_db_statements_total counter\n");
        let _ = writeln!(
            out,
            "keel_db_statements_total {}",
            self.statements.load(Ordering::Relaxed)
        );
        out.push_str("# HELP keel_rate_limit_fallbacks_total Rate-limit decisions taken in this instance's memory because Redis was unreachable or slow.\n# TYPE keel_rate_limit_fallbacks_total counter\n");
        let _ = writeln!(
            out,
            "keel_rate_limit_fallbacks_total {rate_limit_fallbacks}"
        );
        out.push_str("# HELP keel_db_slow_statements_total SQL statements slower than KEEL_SLOW_STATEMENT_MS.\n# TYPE keel_db_slow_statements_total counter\n");
        let _ = writeln!(
            out,
            "keel_db_slow_statements_total {}",
            self.slow_statements.load(Ordering::Relaxed)
        );

        let (size, idle, max) = pool_usage(db);
        out.push_str("# HELP keel_db_pool_connections Database pool connections, by state.\n# TYPE keel_db_pool_connections gauge\n");
        let _ = writeln!(out, "keel_db_pool_connections{{state=\"idle\"}} {idle}");
        let _ = writeln!(
            out,
            "keel_db_pool_connections{{state=\"in_use\"}} {}",
            size.saturating_sub(idle)
        );
        out.push_str("# HELP keel_db_pool_max_connections The pool's size limit.\n# TYPE keel_db_pool_max_connections gauge\n");
        let _ = writeln!(out, "keel_db_pool_max_connections {max}");

        let backend = match db.get_database_backend() {
            DatabaseBackend::Postgres => "postgres",
            DatabaseBackend::Sqlite => "sqlite",
            _ => "other",
        };
        out.push_str("# HELP keel_build_info The running build.\n# TYPE keel_build_info gauge\n");
        let _ = writeln!(
            out,
            "keel_build_info{{version=\"{}\",database=\"{backend}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        out.push_str("# HELP keel_uptime_seconds Seconds since the server started.\n# TYPE keel_uptime_seconds gauge\n");
        let _ = writeln!(
            out,
            "keel_uptime_seconds {:.0}",
            self.started.elapsed().as_secs_f64()
        );
        out
    }
}

/// (open connections, idle connections, limit) of the pool.
fn pool_usage(db: &DatabaseConnection) -> (usize, usize, u32) {
    match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (
                pool.size() as usize,
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        DatabaseBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (
                pool.size() as usize,
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        _ => (0, 0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative() {
        let metrics = Metrics::default();
        metrics.observe_request("GET", "/api/leads", 200, Duration::from_millis(3));
        metrics.observe_request("GET", "/api/leads", 200, Duration::from_millis(300));
        let requests = metrics.requests.lock().unwrap();
        let histogram = &requests.latency[&("GET".to_owned(), "/api/leads".to_owned())];
        assert_eq!(histogram.counts[0], 1, "≤ 5 ms");
        assert_eq!(histogram.counts[6], 2, "≤ 500 ms");
        assert_eq!(histogram.count, 2);
        assert_eq!(
            requests.totals[&("GET".into(), "/api/leads".into(), 200)],
            2
        );
    }

    #[test]
    fn labels_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
