//! Rate limits over real HTTP: the sign-in limit with its headers and its end, the budgets of signed-in
//! requests, forwarded headers from untrusted peers, and Redis — two `keel serve` processes sharing one, and
//! a Redis of the test's own stopped and restarted under a running server.

use std::{
    net::TcpListener,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{
    both_backends, spawn_app, spawn_app_with, Backend, TestApp, TEST_PASSWORD, TEST_SECRET,
};

const MACHINE_REDIS: &str = "redis://127.0.0.1:6379";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .unwrap()
        .port()
}

/// A key prefix of this test's own in the machine's Redis, removed when the guard drops.
struct RedisPrefix(String);

impl RedisPrefix {
    fn new() -> Self {
        Self(format!("keel-test-{:016x}:", rand::random::<u64>()))
    }

    async fn keys(&self, url: &str) -> Vec<String> {
        let client = redis::Client::open(url).expect("redis url");
        let mut connection = client
            .get_multiplexed_async_connection()
            .await
            .unwrap_or_else(|err| {
                panic!("Redis is required for these tests and is not reachable at {url}: {err}")
            });
        redis::cmd("KEYS")
            .arg(format!("{}*", self.0))
            .query_async(&mut connection)
            .await
            .expect("KEYS")
    }
}

impl Drop for RedisPrefix {
    fn drop(&mut self) {
        let pattern = format!("{}*", self.0);
        let _ = std::thread::spawn(move || {
            let Ok(client) = redis::Client::open(MACHINE_REDIS) else {
                return;
            };
            let Ok(mut connection) = client.get_connection() else {
                return;
            };
            let keys: Vec<String> = redis::cmd("KEYS")
                .arg(&pattern)
                .query(&mut connection)
                .unwrap_or_default();
            if !keys.is_empty() {
                let _: redis::RedisResult<()> = redis::cmd("DEL").arg(keys).query(&mut connection);
            }
        })
        .join();
    }
}

async fn login(
    app_url: &str,
    client: &reqwest::Client,
    email: &str,
    password: &str,
) -> reqwest::Response {
    client
        .post(format!("{app_url}/api/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login request")
}

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
        .to_owned()
}

/// Five attempts a minute per address (here two seconds, so the test can wait the window out): the sixth
/// is refused with `Retry-After` and the IETF headers, and the address may try again once it has passed.
async fn the_sixth_login_attempt_is_refused_until_retry_after(backend: Backend) {
    let app = spawn_app_with(backend, &[("KEEL_RATE_LIMIT_LOGIN_ADDRESS", "5/2s")]).await;
    app.signup("Acme", "admin@acme.test").await;
    for n in 1..=5u32 {
        let response = login(
            &app.address,
            &app.client,
            &format!("nobody{n}@acme.test"),
            "wrong password!",
        )
        .await;
        assert_eq!(response.status(), 401, "attempt {n}");
        // The failure lockout (per email and address) is reported too; it has not refused anything yet.
        assert_eq!(
            header(&response, "ratelimit-policy"),
            "\"login-failures\";q=10;w=900, \"login-address\";q=5;w=2, \"login-email\";q=10000;w=60"
        );
        assert!(
            header(&response, "ratelimit").contains(&format!("\"login-address\";r={};t=", 5 - n)),
            "{}",
            header(&response, "ratelimit")
        );
    }
    let refused = login(&app.address, &app.client, "admin@acme.test", TEST_PASSWORD).await;
    assert_eq!(refused.status(), 429);
    let retry_after: u64 = header(&refused, "retry-after").parse().unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    assert!(header(&refused, "ratelimit").contains("\"login-address\";r=0;t="));
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");
    assert_eq!(
        body["error"],
        format!("Too many attempts — try again in {retry_after} s")
    );
    assert!(body["request_id"].is_string());

    tokio::time::sleep(Duration::from_secs(retry_after) + Duration::from_millis(100)).await;
    let again = login(&app.address, &app.client, "admin@acme.test", TEST_PASSWORD).await;
    assert_eq!(
        again.status(),
        200,
        "allowed again once Retry-After has passed"
    );
}

/// Sign-ups: five an hour per address; the form post answers with the message on the page.
async fn signups_are_limited_per_address_on_the_api_and_the_form(backend: Backend) {
    let app = spawn_app_with(backend, &[("KEEL_RATE_LIMIT_SIGNUP", "2/1h")]).await;
    app.signup("One", "one@one.test").await;
    app.signup("Two", "two@two.test").await;
    let (status, body) = app
        .post_anonymous(
            "/api/auth/signup",
            json!({"tenant_name": "Three", "name": "T", "email": "three@three.test", "password": TEST_PASSWORD}),
        )
        .await;
    assert_eq!(status, 429, "{body}");
    assert!(body["error"]
        .as_str()
        .unwrap()
        .starts_with("Too many attempts — try again in "));
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = no_redirects
        .post(app.url("/signup"))
        .header("origin", app.address.clone())
        .form(&[
            ("tenant_name", "Four"),
            ("name", "F"),
            ("email", "four@four.test"),
            ("password", TEST_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 303);
    let location = header(&form, "location");
    assert!(
        location.contains("Too%20many%20attempts") || location.contains("Too+many+attempts"),
        "{location}"
    );
    assert_eq!(app.count_rows("tenants").await, 2, "nothing was written");
}

/// Signed-in requests: the user's budget, the tenant's budget shared by its users, and the smaller budgets
/// of searches and exports, each refused with its own message and the headers of every policy applied.
async fn signed_in_budgets_apply_per_user_per_tenant_and_to_searches_and_exports(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &[
            ("KEEL_RATE_LIMIT_API_USER", "8/1m"),
            ("KEEL_RATE_LIMIT_API_TENANT", "12/1m"),
            ("KEEL_RATE_LIMIT_SEARCH", "2/1m"),
            ("KEEL_RATE_LIMIT_EXPORT", "1/1m"),
        ],
    )
    .await;
    let admin = app.signup("Acme", "admin@acme.test").await;
    let member = app
        .add_user(&admin, "member@acme.test", shared::Role::Member)
        .await;
    let other = app.signup("Globex", "admin@globex.test").await;
    // add_user spent one of the admin's requests (creating the user; signing in is not budgeted).
    let spent_before = 1;

    let search = app
        .authed(Method::GET, "/api/leads?q=acme", &admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(search.status(), 200);
    let policies = header(&search, "ratelimit-policy");
    assert_eq!(
        policies,
        "\"api-user\";q=8;w=60, \"api-tenant\";q=12;w=60, \"search\";q=2;w=60"
    );
    assert!(
        header(&search, "ratelimit").contains(&format!("\"api-user\";r={};", 8 - spent_before - 1))
    );
    assert_eq!(app.get_json("/api/leads?q=globex", &admin).await.0, 200);
    let (status, body) = app.get_json("/api/leads?q=third", &admin).await;
    assert_eq!(status, 429, "{body}");
    assert!(body["error"]
        .as_str()
        .unwrap()
        .starts_with("Too many searches — try again in "));
    // A phrase already counted is not a new search: its next page passes.
    assert_eq!(
        app.get_json("/api/leads?q=acme&page=2", &admin).await.0,
        200
    );

    let export = app
        .authed(Method::GET, "/api/leads/export.csv", &admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 200);
    let export = app
        .authed(Method::GET, "/api/leads/export.csv", &admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(export.status(), 429);
    assert!(header(&export, "retry-after").parse::<u64>().is_ok());

    // The admin has spent 1 + 3 searches + 1 export = 5 of 8 (refusals are not counted); three more pass.
    for _ in 0..3 {
        assert_eq!(app.get_json("/api/leads", &admin).await.0, 200);
    }
    let (status, body) = app.get_json("/api/leads", &admin).await;
    assert_eq!(status, 429);
    assert!(body["error"]
        .as_str()
        .unwrap()
        .starts_with("Too many requests — try again in "));
    // The tenant has spent 8 of 12: the member gets four, then the tenant's budget refuses.
    for _ in 0..4 {
        assert_eq!(app.get_json("/api/leads", &member).await.0, 200);
    }
    let refused = app
        .authed(Method::GET, "/api/leads", &member.token)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 429);
    assert!(header(&refused, "ratelimit").contains("\"api-tenant\";r=0;"));
    // Another tenant is untouched.
    assert_eq!(app.get_json("/api/leads", &other).await.0, 200);
}

/// `X-Forwarded-For` and `Forwarded` from a peer that is not a trusted proxy do not change the key; from a
/// trusted proxy, the client they name is the key.
async fn forwarded_headers_count_only_from_trusted_proxies(backend: Backend) {
    let untrusting = spawn_app_with(backend, &[("KEEL_RATE_LIMIT_LOGIN_ADDRESS", "3/1m")]).await;
    let attempt = |app: &TestApp, forwarded_for: String| {
        let request = app
            .client
            .post(app.url("/api/auth/login"))
            .header("x-forwarded-for", forwarded_for.clone())
            .header("forwarded", format!("for={forwarded_for}"))
            .json(&json!({"email": "x@x.test", "password": "wrong password!"}));
        async move { request.send().await.unwrap().status() }
    };
    for n in 0..3 {
        assert_eq!(
            attempt(&untrusting, format!("198.51.100.{n}")).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        attempt(&untrusting, "198.51.100.99".into()).await,
        StatusCode::TOO_MANY_REQUESTS,
        "a spoofed address must not buy more attempts"
    );

    let behind_proxy = spawn_app_with(
        backend,
        &[
            ("KEEL_RATE_LIMIT_LOGIN_ADDRESS", "3/1m"),
            ("KEEL_TRUSTED_PROXIES", "127.0.0.1/32, ::1"),
        ],
    )
    .await;
    for n in 0..5 {
        assert_eq!(
            attempt(&behind_proxy, format!("198.51.100.{n}")).await,
            StatusCode::UNAUTHORIZED
        );
    }
    for _ in 0..3 {
        attempt(&behind_proxy, "203.0.113.5".into()).await;
    }
    assert_eq!(
        attempt(&behind_proxy, "203.0.113.5".into()).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// The same sign-in limit holds when counted in Redis, and Redis holds the keys under the configured prefix.
async fn limits_are_counted_in_redis_when_configured(backend: Backend) {
    let prefix = RedisPrefix::new();
    let app = spawn_app_with(
        backend,
        &[
            ("KEEL_RATE_LIMIT_LOGIN_ADDRESS", "3/1m"),
            ("KEEL_RATE_LIMIT_SEARCH", "2/1m"),
            ("KEEL_REDIS_URL", MACHINE_REDIS),
            ("KEEL_REDIS_PREFIX", &prefix.0),
        ],
    )
    .await;
    for _ in 0..3 {
        assert_eq!(
            login(&app.address, &app.client, "x@x.test", "wrong password!")
                .await
                .status(),
            401
        );
    }
    assert_eq!(
        login(&app.address, &app.client, "x@x.test", "wrong password!")
            .await
            .status(),
        429
    );
    // One phrase over every module is one search, in Redis as in memory.
    let admin = app.signup("Acme", "admin@acme.test").await;
    for module in ["leads", "clients", "projects", "accounts", "tasks"] {
        assert_eq!(
            app.get_json(&format!("/api/{module}?q=acme"), &admin)
                .await
                .0,
            200
        );
    }
    assert_eq!(app.get_json("/api/leads?q=Globex", &admin).await.0, 200);
    assert_eq!(app.get_json("/api/leads?q=initech", &admin).await.0, 429);
    assert_eq!(
        app.get_json("/api/leads?q=globex&page=2", &admin).await.0,
        200
    );
    let keys = prefix.keys(MACHINE_REDIS).await;
    assert!(
        keys.iter()
            .any(|k| k == &format!("{}rl:login-address:127.0.0.1", prefix.0)),
        "{keys:?}"
    );
    let ready: Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(ready["redis"], "up");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("keel_rate_limit_fallbacks_total 0"),
        "{metrics}"
    );
}

both_backends!(
    the_sixth_login_attempt_is_refused_until_retry_after,
    signups_are_limited_per_address_on_the_api_and_the_form,
    signed_in_budgets_apply_per_user_per_tenant_and_to_searches_and_exports,
    forwarded_headers_count_only_from_trusted_proxies,
    limits_are_counted_in_redis_when_configured,
);

/// A `keel serve` process of the built binary, its output kept in a file; killed when dropped.
struct ServeProcess {
    address: String,
    child: Child,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl ServeProcess {
    async fn start(database_url: &str, env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let log = dir.path().join("serve.log");
        let output = std::fs::File::create(&log).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_keel"));
        command
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("KEEL_DATABASE_URL", database_url)
            .env("KEEL_BIND", format!("127.0.0.1:{port}"))
            .env("KEEL_DATA_DIR", dir.path())
            .env("KEEL_JWT_SECRET", TEST_SECRET)
            .env("KEEL_LOG_FORMAT", "json")
            .stdout(Stdio::from(output.try_clone().unwrap()))
            .stderr(Stdio::from(output));
        for (name, value) in env {
            command.env(name, value);
        }
        let child = command.spawn().expect("start keel serve");
        let address = format!("http://127.0.0.1:{port}");
        let process = Self {
            address,
            child,
            log,
            _dir: dir,
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(response) = client
                .get(format!("{}/readyz", process.address))
                .send()
                .await
            {
                if response.status() == 200 {
                    break;
                }
            }
            assert!(
                Instant::now() < deadline,
                "keel serve did not become ready:\n{}",
                process.output()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        process
    }

    fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Two instances behind a load balancer, one Redis: requests alternating between them are limited at the
/// same count as one process (and each alone would have allowed twice as many).
#[tokio::test]
async fn two_serve_processes_on_one_redis_share_each_limit() {
    let app = spawn_app(Backend::Postgres).await;
    let prefix = RedisPrefix::new();
    let env = [
        ("KEEL_RATE_LIMIT_LOGIN_ADDRESS", "6/1m"),
        ("KEEL_RATE_LIMIT_LOGIN_EMAIL", "100/1m"),
        ("KEEL_REDIS_URL", MACHINE_REDIS),
        ("KEEL_REDIS_PREFIX", prefix.0.as_str()),
    ];
    let first = ServeProcess::start(&app.database_url, &env).await;
    let second = ServeProcess::start(&app.database_url, &env).await;
    let client = reqwest::Client::new();
    for n in 0..6 {
        let instance = if n % 2 == 0 { &first } else { &second };
        let status = login(&instance.address, &client, "x@x.test", "wrong password!")
            .await
            .status();
        assert_eq!(status, 401, "attempt {} on instance {}", n + 1, n % 2 + 1);
    }
    for instance in [&first, &second] {
        let refused = login(&instance.address, &client, "x@x.test", "wrong password!").await;
        assert_eq!(
            refused.status(),
            429,
            "the seventh attempt, whichever instance gets it"
        );
        assert!(header(&refused, "retry-after").parse::<u64>().unwrap() <= 60);
    }
}

/// A Redis of the test's own on another port.
struct OwnRedis {
    port: u16,
    child: Option<Child>,
}

impl OwnRedis {
    fn start(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server is required for this test (apt-get install redis-server)");
        let mut redis = Self {
            port,
            child: Some(child),
        };
        redis.wait_until_up();
        redis
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn wait_until_up(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not start on {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn metric(process: &ServeProcess, name: &str) -> u64 {
    let text = reqwest::get(format!("{}/metrics", process.address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .unwrap_or_else(|| panic!("no {name} in /metrics"))
        .trim()
        .parse()
        .unwrap()
}

async fn ready(process: &ServeProcess) -> Value {
    let response = reqwest::get(format!("{}/readyz", process.address))
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "readiness does not depend on Redis");
    response.json().await.unwrap()
}

/// Redis stopped under a running server: requests are still served and limited by the instance alone, one
/// warning is logged, `/metrics` counts the fallbacks and `/readyz` says `redis: down`; restarted, Redis is
/// used again without restarting Keel.
#[tokio::test]
async fn a_redis_outage_falls_back_to_memory_and_recovers_without_a_restart() {
    let app = spawn_app(Backend::Sqlite).await;
    let mut redis = OwnRedis::start(free_port());
    let url = redis.url();
    let process = ServeProcess::start(
        &app.database_url,
        &[
            ("KEEL_RATE_LIMIT_LOGIN_ADDRESS", "3/1m"),
            ("KEEL_REDIS_URL", &url),
        ],
    )
    .await;
    let client = reqwest::Client::new();
    let attempt = |email: &'static str| login(&process.address, &client, email, "wrong password!");
    for _ in 0..3 {
        assert_eq!(attempt("a@x.test").await.status(), 401);
    }
    assert_eq!(attempt("a@x.test").await.status(), 429);
    assert_eq!(ready(&process).await["redis"], "up");
    assert_eq!(metric(&process, "keel_rate_limit_fallbacks_total").await, 0);

    redis.stop();
    // Served, and limited in this instance's memory, which has not seen the earlier attempts.
    for n in 0..3 {
        assert_eq!(
            attempt("b@x.test").await.status(),
            401,
            "attempt {n} during the outage"
        );
    }
    assert_eq!(
        attempt("b@x.test").await.status(),
        429,
        "still limited during the outage"
    );
    assert_eq!(ready(&process).await["redis"], "down");
    let fallbacks = metric(&process, "keel_rate_limit_fallbacks_total").await;
    assert!(fallbacks >= 4, "{fallbacks}");
    let warnings = process.output().matches("Redis unreachable").count();
    assert_eq!(
        warnings,
        1,
        "one warning for the outage, not one per request:\n{}",
        process.output()
    );

    let mut redis = OwnRedis::start(redis.port);
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let before = metric(&process, "keel_rate_limit_fallbacks_total").await;
        let status = attempt("c@x.test").await.status();
        assert!(status == 401 || status == 429, "{status}");
        if metric(&process, "keel_rate_limit_fallbacks_total").await == before {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Redis was not used again after it came back"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(ready(&process).await["redis"], "up");
    assert!(process.output().contains("Redis is reachable again"));
    redis.stop();
}
