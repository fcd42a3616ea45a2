//! Sentry reports, end to end: the real SDK and its HTTP transport send to a local capture endpoint (never
//! the internet). A server error produces an event with the request id and no secrets; 4xx produce none;
//! a browser error posted to `/api/client-errors` produces an event tagged as coming from the browser.
//!
//! The Sentry client is process-global by default (`sentry::init` binds it to the hub of the thread that
//! first touched Sentry, the "process hub", from which every other thread's hub is copied), and this test
//! shares its process with every other integration test. So it never binds the process hub: it makes a hub
//! of its own, installs it on its own thread and on every thread of its own runtime (the server under test
//! answers there), and has `sentry_reports::init` bind the client to that hub. The other tests' servers
//! run on other threads, whose hubs have no client: their 5xx reach no capture endpoint, and this test's
//! endpoint sees only its own server's events. (The panic hook the SDK installs is global too, but it
//! reports to the panicking thread's hub, so it is a no-op on every other thread.)

use std::{
    cell::RefCell,
    sync::{Arc, Mutex},
    time::Duration,
};

use ::sentry::{Hub, HubSwitchGuard};
use axum::{body::Bytes, routing::post, Router};
use reqwest::Method;
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use shared::Role;

use crate::helpers::{spawn_app, Backend, TEST_PASSWORD};

/// Starts a stand-in for Sentry's ingestion endpoint and returns its DSN and the envelopes it receives.
async fn capture_endpoint() -> (String, Arc<Mutex<Vec<String>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let sink = received.clone();
    let any_sink = received.clone();
    let app = Router::new()
        .fallback(move |uri: axum::http::Uri, body: Bytes| {
            let sink = any_sink.clone();
            async move {
                sink.lock().unwrap().push(format!(
                    "UNEXPECTED {uri} {}",
                    String::from_utf8_lossy(&body)
                ));
                "{}"
            }
        })
        .route(
            "/api/{project}/envelope/",
            post(move |body: Bytes| {
                let sink = sink.clone();
                async move {
                    sink.lock()
                        .unwrap()
                        .push(String::from_utf8_lossy(&body).into_owned());
                    "{}"
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://public@{address}/1"), received)
}

/// The event items of all envelopes received so far (an envelope is newline-separated JSON).
fn events(received: &Arc<Mutex<Vec<String>>>) -> Vec<Value> {
    received
        .lock()
        .unwrap()
        .iter()
        .flat_map(|envelope| envelope.lines().map(str::to_owned).collect::<Vec<_>>())
        .filter_map(|line| serde_json::from_str::<Value>(&line).ok())
        // An envelope's header line has only the id; the event item itself names its platform.
        .filter(|item| item.get("event_id").is_some() && item.get("platform").is_some())
        .collect()
}

fn flush() {
    if let Some(client) = Hub::current().client() {
        client.flush(Some(Duration::from_secs(5)));
    }
}

thread_local! {
    /// This test's hub, while it is installed on a thread of its runtime.
    static INSTALLED: RefCell<Option<HubSwitchGuard>> = const { RefCell::new(None) };
}

#[test]
fn server_and_browser_errors_reach_sentry_with_the_request_id_and_no_secrets() {
    let hub = Arc::new(Hub::new(None, Default::default()));
    let _on_this_thread = HubSwitchGuard::new(hub.clone());
    assert!(
        !Arc::ptr_eq(&Hub::current(), &Hub::main()),
        "the test's hub is not the process hub"
    );
    // Several worker threads: `flush` blocks one while the capture endpoint answers on another. Every thread
    // of the runtime (workers and blocking threads) reports to this test's hub.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(3)
        .enable_all()
        .on_thread_start(move || {
            let guard = HubSwitchGuard::new(hub.clone());
            INSTALLED.with(|installed| *installed.borrow_mut() = Some(guard));
        })
        .on_thread_stop(|| INSTALLED.with(|installed| drop(installed.borrow_mut().take())))
        .build()
        .expect("runtime");
    runtime.block_on(errors_reach_sentry());
}

async fn errors_reach_sentry() {
    let (dsn, received) = capture_endpoint().await;
    // Binds the client to the current hub: this test's.
    let _guard = server::observability::sentry_reports::init(&dsn, "test");
    let app = spawn_app(Backend::Sqlite).await;
    let admin = app.login_as(Role::Admin).await;

    // 4xx are the client's business, not errors to report.
    app.authed(Method::GET, "/api/leads/999", &admin.token)
        .send()
        .await
        .unwrap();
    app.get("/api/auth/me").await;
    flush();
    assert!(
        events(&received).is_empty(),
        "4xx were reported: {:?}",
        events(&received)
    );

    // A server error: the leads table vanished under the server.
    app.db.execute_unprepared("DROP TABLE leads").await.unwrap();
    let response = app
        .authed(Method::GET, "/api/leads", &admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({"error": "Internal server error", "code": "internal", "request_id": request_id}),
        "no details leak"
    );
    flush();
    let server_events = events(&received);
    let event = server_events
        .iter()
        .find(|e| e["tags"]["request_id"] == request_id.as_str())
        .unwrap_or_else(|| {
            panic!(
                "no event for {request_id}: {server_events:?} raw {:?}",
                received.lock().unwrap()
            )
        });
    assert_eq!(event["tags"]["route"], "/api/leads");
    assert_eq!(event["tags"]["source"], "server");
    assert_eq!(event["tags"]["tenant_id"], admin.tenant_id.to_string());
    assert_eq!(event["user"]["id"], admin.id.to_string());
    // "error" is Sentry's default level and is left out of the payload.
    assert!(
        event.get("level").is_none_or(|level| level == "error"),
        "{event}"
    );
    let everything = received.lock().unwrap().join("\n");
    assert!(
        !everything.contains(&admin.token),
        "the token reached Sentry"
    );
    assert!(
        !everything.contains(TEST_PASSWORD),
        "a password reached Sentry"
    );
    assert!(
        !everything.to_lowercase().contains("bearer "),
        "an authorization header reached Sentry"
    );

    // A browser error, forwarded and tagged as such.
    let reported = app
        .authed(Method::POST, "/api/client-errors", &admin.token)
        .json(&json!({"kind": "panic", "message": "boom in ReportTable", "component": "ReportTable", "url": "/reports/leads", "stack": "at report_table (keel.wasm)"}))
        .send()
        .await
        .unwrap();
    assert_eq!(reported.status(), 202);
    let browser_request = reported.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    flush();
    let browser = events(&received)
        .into_iter()
        .find(|e| e["tags"]["source"] == "browser")
        .expect("the browser error was not forwarded");
    assert_eq!(
        browser["message"]["formatted"]
            .as_str()
            .or(browser["message"].as_str()),
        Some("[browser] boom in ReportTable")
    );
    assert_eq!(browser["tags"]["kind"], "panic");
    assert_eq!(browser["tags"]["component"], "ReportTable");
    assert_eq!(browser["tags"]["request_id"], browser_request.as_str());
    assert_eq!(browser["extra"]["url"], "/reports/leads");

    // Reports are validated, size-capped and rate-limited.
    let invalid = app
        .client
        .post(app.url("/api/client-errors"))
        .json(&json!({"kind": "meltdown", "message": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(invalid.status(), 400);
    let huge = app
        .client
        .post(app.url("/api/client-errors"))
        .json(&json!({"kind": "error", "message": "x".repeat(20_000)}))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413);
    let mut limited = false;
    for _ in 0..40 {
        let response = app
            .client
            .post(app.url("/api/client-errors"))
            .json(&json!({"kind": "error", "message": "again"}))
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            assert!(response.headers().contains_key("retry-after"));
            limited = true;
            break;
        }
        assert_eq!(response.status(), 202);
    }
    assert!(limited, "client error reports are not rate-limited");
    let unexpected: Vec<String> = received
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.starts_with("UNEXPECTED"))
        .cloned()
        .collect();
    assert!(
        unexpected.is_empty(),
        "requests to unexpected paths: {unexpected:?}"
    );
    // Close the client while the capture endpoint can still answer its last requests.
    flush();
    drop(_guard);
}
