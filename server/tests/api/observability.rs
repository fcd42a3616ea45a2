//! Request ids, JSON log lines, slow request and slow statement warnings, `/metrics`, and recovery from a
//! database outage — against the real server (in process, and as the `keel` binary for its log output).

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::Duration,
};

use sea_orm::{ConnectionTrait, Database};
use serde_json::{json, Value};
use shared::Role;

use crate::helpers::{both_backends, pg_admin_url, spawn_app, Backend, TEST_PASSWORD};

async fn every_response_has_a_request_id_and_errors_carry_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.get("/api/auth/me").await;
    assert_eq!(response.status(), 401);
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        id.len(),
        31,
        "generated ids are time-prefixed random hex: {id}"
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["request_id"], id.as_str());

    let kept = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "trace-42.a:b")
        .send()
        .await
        .unwrap();
    assert_eq!(kept.headers()["x-request-id"], "trace-42.a:b");
    let replaced = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "x".repeat(100))
        .send()
        .await
        .unwrap();
    assert_ne!(
        replaced.headers()["x-request-id"].to_str().unwrap(),
        "x".repeat(100)
    );
    let other = app.get("/healthz").await;
    assert_ne!(
        other.headers()["x-request-id"],
        id.as_str(),
        "ids are unique"
    );
}

/// Parses Prometheus text: every sample line is `name{labels} value` with a number for a value.
fn parse_prometheus(text: &str) -> Vec<(String, f64)> {
    text.lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| {
            let (series, value) = line
                .rsplit_once(' ')
                .unwrap_or_else(|| panic!("no value: {line}"));
            let name_end = series.find('{').unwrap_or(series.len());
            let name = &series[..name_end];
            assert!(
                name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !name.is_empty(),
                "bad metric name in {line}"
            );
            if name_end < series.len() {
                assert!(series.ends_with('}'), "unterminated labels in {line}");
            }
            let value: f64 = value
                .parse()
                .unwrap_or_else(|_| panic!("bad value in {line}"));
            (series.to_owned(), value)
        })
        .collect()
}

async fn metrics_count_requests_in_prometheus_text(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    for _ in 0..3 {
        app.get_json("/api/leads", &admin).await;
    }
    app.read("leads", &admin, 12345).await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let samples = parse_prometheus(&response.text().await.unwrap());
    let value = |series: &str| samples.iter().find(|(s, _)| s == series).map(|(_, v)| *v);
    assert_eq!(
        value(r#"keel_http_requests_total{method="GET",route="/api/leads",status="200"}"#),
        Some(3.0)
    );
    assert_eq!(
        value(r#"keel_http_requests_total{method="GET",route="/api/leads/{id}",status="404"}"#),
        Some(1.0)
    );
    assert_eq!(
        value(r#"keel_http_request_duration_seconds_count{method="GET",route="/api/leads"}"#),
        Some(3.0)
    );
    assert_eq!(
        value(
            r#"keel_http_request_duration_seconds_bucket{method="GET",route="/api/leads",le="+Inf"}"#
        ),
        Some(3.0)
    );
    assert!(value("keel_db_statements_total").unwrap() > 0.0);
    assert!(value(r#"keel_db_pool_connections{state="idle"}"#).is_some());
    assert!(samples
        .iter()
        .any(|(s, v)| s.starts_with("keel_build_info{") && *v == 1.0));
}

/// The `keel` binary with JSON logs and every threshold at zero: every request and statement is "slow".
async fn logs_are_json_lines_with_request_fields_and_slow_warnings(backend: Backend) {
    // A database for the binary: the test app's own (its server stays idle meanwhile).
    let app = spawn_app(backend).await;
    let database_url = app.database_url.clone();
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_keel"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("KEEL_ENV", "development")
        .env("KEEL_LOG_FORMAT", "json")
        .env("KEEL_SLOW_REQUEST_MS", "0")
        .env("KEEL_SLOW_STATEMENT_MS", "0")
        .env("KEEL_DATABASE_URL", &database_url)
        .env("KEEL_BIND", format!("127.0.0.1:{port}"))
        .env("KEEL_DATA_DIR", dir.path())
        .env(
            "KEEL_JWT_SECRET",
            "a-log-test-secret-that-is-long-enough-42",
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start keel");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..100 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "keel did not start");
    let signup = client
        .post(format!("{base}/api/auth/signup"))
        .json(&json!({"tenant_name": "Logs", "name": "Lou", "email": "lou@logs.test", "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(signup.status(), 201);
    let token = signup.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let listed = client
        .get(format!("{base}/api/leads"))
        .bearer_auth(&token)
        .header("x-request-id", "log-test-1")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), 200);
    child.kill().ok();
    let output = child.wait_with_output().unwrap();
    let mut lines = Vec::new();
    for stream in [&output.stdout, &output.stderr] {
        for line in BufReader::new(&stream[..]).lines() {
            lines.push(line.unwrap());
        }
    }
    let text = lines.join("\n");
    assert!(!text.contains(TEST_PASSWORD), "a password reached the logs");
    assert!(!text.contains(&token), "a token reached the logs");
    let events: Vec<Value> = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    let request = events
        .iter()
        .find(|e| e["message"] == "request" && e["request_id"] == "log-test-1")
        .unwrap_or_else(|| panic!("no request line for log-test-1 in {text}"));
    assert_eq!(request["method"], "GET");
    assert_eq!(request["route"], "/api/leads");
    assert_eq!(request["status"], 200);
    assert!(request["latency_ms"].is_string() || request["latency_ms"].is_number());
    assert!(request["user_id"].is_number(), "{request}");
    assert!(request["tenant_id"].is_number(), "{request}");
    assert!(events.iter().any(|e| e["message"] == "slow request"
        && e["request_id"] == "log-test-1"
        && e["level"] == "WARN"));
    let slow_statement = events
        .iter()
        .find(|e| e["message"] == "slow statement" && e["request_id"] == "log-test-1")
        .unwrap_or_else(|| panic!("no slow statement for log-test-1 in {text}"));
    let statement = slow_statement["statement"].as_str().unwrap();
    assert!(statement.to_uppercase().contains("SELECT"), "{statement}");
    assert!(
        !statement.contains("lou@logs.test"),
        "statement values must not be logged"
    );
}

/// PostgreSQL refuses connections for a while: readiness and the API answer 503 with the envelope, then
/// recover by themselves when the database accepts connections again.
async fn an_outage_is_503_and_recovery_needs_no_restart() {
    let app = spawn_app(Backend::Postgres).await;
    let admin = app.login_as(Role::Admin).await;
    let name = app.database_url.rsplit('/').next().unwrap().to_owned();
    let pg = Database::connect(pg_admin_url()).await.unwrap();
    pg.execute_unprepared(&format!(
        "ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS false"
    ))
    .await
    .unwrap();
    pg.execute_unprepared(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    ))
    .await
    .unwrap();

    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    let (status, body) = app.get_json("/api/leads", &admin).await;
    assert_eq!(status, 503);
    assert_eq!(body["code"], "service_unavailable");
    assert!(body["request_id"].is_string());

    pg.execute_unprepared(&format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS true"))
        .await
        .unwrap();
    let mut recovered = false;
    for _ in 0..50 {
        if app.get("/readyz").await.status() == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(recovered, "readyz did not recover");
    let (status, _) = app.get_json("/api/leads", &admin).await;
    assert_eq!(status, 200);
}

mod postgres_only {
    #[tokio::test]
    async fn an_outage_is_503_and_recovery_needs_no_restart() {
        super::an_outage_is_503_and_recovery_needs_no_restart().await;
    }
}

both_backends!(
    every_response_has_a_request_id_and_errors_carry_it,
    metrics_count_requests_in_prometheus_text,
    logs_are_json_lines_with_request_fields_and_slow_warnings,
);
