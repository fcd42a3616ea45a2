//! Scheduled reports (issue 16) through the API and the runner, which the tests call with times of their
//! choosing (the servers' own runner is off): bad input, a run equal to the view's export, downtime
//! catch-up, two instances on one PostgreSQL, a deactivated owner, and delivery to a local SMTP listener and
//! a local webhook receiver, both started here on loopback.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use server::domain::schedules::{
    delivery::signature,
    runner::{remove_expired, run_due},
};
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

use crate::helpers::{both_backends, spawn_app, spawn_app_with, Backend, TestApp, TestUser};

both_backends!(
    bad_schedules_are_400_with_every_problem,
    a_due_schedule_runs_once_like_the_export_and_catches_up_after_downtime,
    a_deactivated_owner_fails_the_run_and_pauses_the_schedule,
    email_and_signed_webhook_are_delivered,
);

async fn view(app: &TestApp, user: &TestUser, name: &str, query: &str) -> Value {
    let (status, view) = app
        .post_json(
            "/api/views",
            user,
            json!({"entity": "leads", "name": name, "query": query}),
        )
        .await;
    assert_eq!(status, 201, "{view}");
    view
}

async fn schedule(app: &TestApp, user: &TestUser, body: Value) -> Value {
    let (status, schedule) = app
        .post_json("/api/report-schedules", user, body.clone())
        .await;
    assert_eq!(status, 201, "{body}: {schedule}");
    schedule
}

fn instant(value: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value.as_str().expect("a time"))
        .expect("RFC 3339")
        .with_timezone(&Utc)
}

async fn runs(app: &TestApp, user: &TestUser, schedule: &Value) -> Vec<Value> {
    let (status, runs) = app
        .get_json(
            &format!("/api/report-schedules/{}/runs", schedule["id"]),
            user,
        )
        .await;
    assert_eq!(status, 200, "{runs}");
    runs["data"].as_array().unwrap().clone()
}

async fn download(app: &TestApp, user: &TestUser, url: &str) -> (StatusCode, String) {
    let response = app
        .authed(Method::GET, url, &user.token)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

async fn bad_schedules_are_400_with_every_problem(backend: Backend) {
    let app = spawn_app(backend).await;
    let team = app.team("bad-schedules.test").await;
    let other = app.team("other-schedules.test").await;
    let mine = view(&app, &team.member, "Mine", "").await;
    let theirs = view(&app, &other.admin, "Theirs", "").await;
    let base = |patch: Value| {
        let mut body = json!({"view_id": mine["id"], "cadence": "daily", "time": "07:30"});
        for (key, value) in patch.as_object().unwrap() {
            body[key] = value.clone();
        }
        body
    };
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (base(json!({"time": "9:00"})), vec!["time"]),
        (base(json!({"time": "24:00"})), vec!["time"]),
        (
            base(json!({"time_zone": "Mars/Olympus"})),
            vec!["time_zone"],
        ),
        (base(json!({"cadence": "weekly"})), vec!["days"]),
        (base(json!({"cadence": "weekly", "days": []})), vec!["days"]),
        (
            base(json!({"cadence": "weekly", "days": ["mon", "someday"]})),
            vec!["days"],
        ),
        (
            base(json!({"cadence": "monthly", "day_of_month": 32})),
            vec!["day_of_month"],
        ),
        (
            base(json!({"cadence": "monthly", "day_of_month": 0})),
            vec!["day_of_month"],
        ),
        (base(json!({"cadence": "hourly"})), vec!["cadence"]),
        (
            base(json!({"webhook_url": "http://example.com/hook"})),
            vec!["webhook_url"],
        ),
        (
            base(json!({"webhook_url": "ftp://example.com"})),
            vec!["webhook_url"],
        ),
        (
            base(json!({"recipients": ["ok@example.com", "not-an-email", "OK@example.com"]})),
            vec!["recipients.1", "recipients.2"],
        ),
        (base(json!({"view_id": theirs["id"]})), vec!["view_id"]),
        (
            base(json!({"time": "25:61", "time_zone": "Nowhere", "cadence": "monthly"})),
            vec!["day_of_month", "time", "time_zone"],
        ),
        (base(json!({"owner_id": 1})), vec!["owner_id"]),
    ];
    for (body, expected) in cases {
        let (status, answer) = app
            .post_json("/api/report-schedules", &team.member, body.clone())
            .await;
        assert_eq!(status, 400, "{body}: {answer}");
        let mut fields: Vec<&str> = answer["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["field"].as_str().unwrap())
            .collect();
        fields.sort();
        assert_eq!(fields, expected, "{body}: {answer}");
    }
    assert_eq!(
        app.count_rows("report_schedules").await,
        0,
        "nothing was written"
    );

    // A schedule is its owner's (and admins' and managers'); others cannot tell it exists.
    let made = schedule(&app, &team.member, base(json!({}))).await;
    assert_eq!(
        made["time_zone"], "UTC",
        "the organisation's zone by default"
    );
    let path = format!("/api/report-schedules/{}", made["id"]);
    assert_eq!(app.get_json(&path, &team.viewer).await.0, 404);
    assert_eq!(app.get_json(&path, &other.admin).await.0, 404);
    assert_eq!(app.get_json(&path, &team.manager).await.0, 200);
    let (status, answer) = app
        .call(
            &team.member,
            Method::PATCH,
            &path,
            Some(json!({"time": null, "cadence": "weekly"})),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    let (status, _) = app
        .call(
            &team.admin,
            Method::PUT,
            "/api/time-zone",
            Some(json!({"time_zone": "Europe/Berln"})),
        )
        .await;
    assert_eq!(status, 400);
    let (status, _) = app
        .call(
            &team.member,
            Method::PUT,
            "/api/time-zone",
            Some(json!({"time_zone": "Europe/Berlin"})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, zone) = app
        .call(
            &team.admin,
            Method::PUT,
            "/api/time-zone",
            Some(json!({"time_zone": "Europe/Berlin"})),
        )
        .await;
    assert_eq!(
        (status, &zone["time_zone"]),
        (StatusCode::OK, &json!("Europe/Berlin"))
    );
    let later = schedule(&app, &team.member, base(json!({}))).await;
    assert_eq!(later["time_zone"], "Europe/Berlin");
}

async fn a_due_schedule_runs_once_like_the_export_and_catches_up_after_downtime(backend: Backend) {
    let app = spawn_app(backend).await;
    let team = app.team("runs.test").await;
    for (name, status) in [
        ("Acme", "new"),
        ("Bolt", "won"),
        ("Crux", "new"),
        ("Dyad, \"Inc\"", "new"),
    ] {
        app.create(
            "leads",
            &team.member,
            json!({"company_name": name, "lead_status": status}),
        )
        .await;
    }
    let query = "lead_status=new&sort_by=company_name&sort_order=asc";
    let new_leads = view(&app, &team.member, "New leads", query).await;
    let made = schedule(
        &app,
        &team.member,
        json!({"view_id": new_leads["id"], "cadence": "daily", "time": "09:00", "time_zone": "Europe/Berlin"}),
    )
    .await;
    let first = instant(&made["next_run_at"]);
    assert!(first > Utc::now() && first <= Utc::now() + Duration::days(1));

    let early = run_due(&app.services, first - Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(early.ran, 0, "not due yet");
    let pass = run_due(&app.services, first).await.unwrap();
    assert_eq!((pass.ran, pass.skipped), (1, 0));
    let again = run_due(&app.services, first + Duration::seconds(30))
        .await
        .unwrap();
    assert_eq!(again.ran, 0, "a slot runs once");

    let history = runs(&app, &team.member, &made).await;
    assert_eq!(history.len(), 1);
    let run = &history[0];
    assert_eq!(run["status"], "succeeded", "{run}");
    assert_eq!(run["rows"], 3);
    assert_eq!(instant(&run["slot_at"]), first);
    let (status, csv) = download(&app, &team.member, run["download_url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let export = app
        .export(
            Some(&team.member.token),
            &format!("/api/leads/export.csv?{query}"),
        )
        .await;
    assert_eq!(csv, export.body, "the run's file is the view's export");
    // Downloads are as private as the schedule.
    let url = run["download_url"].as_str().unwrap();
    assert_eq!(download(&app, &team.viewer, url).await.0, 404);
    assert_eq!(download(&app, &team.admin, url).await.0, 200);
    let (_, read) = app
        .get_json(
            &format!("/api/report-schedules/{}", made["id"]),
            &team.member,
        )
        .await;
    assert_eq!(instant(&read["next_run_at"]), first + Duration::days(1));
    assert_eq!(read["last_run"]["id"], run["id"]);

    // Down for three days: the latest missed slot runs once, the two before it are recorded as skipped.
    let back = first + Duration::days(3) + Duration::minutes(5);
    let pass = run_due(&app.services, back).await.unwrap();
    assert_eq!((pass.ran, pass.skipped), (1, 2));
    let history = runs(&app, &team.member, &made).await;
    let statuses: Vec<&str> = history
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["succeeded", "skipped", "skipped", "succeeded"]);
    assert_eq!(instant(&history[0]["slot_at"]), first + Duration::days(3));
    let (_, read) = app
        .get_json(
            &format!("/api/report-schedules/{}", made["id"]),
            &team.member,
        )
        .await;
    assert_eq!(instant(&read["next_run_at"]), first + Duration::days(4));

    // Past the retention period the files go; the runs stay in the history, without a download.
    let removed = remove_expired(&app.services, first + Duration::days(31))
        .await
        .unwrap();
    assert_eq!(removed, 2, "the two runs' files");
    assert_eq!(download(&app, &team.member, url).await.0, 404);
    let history = runs(&app, &team.member, &made).await;
    assert_eq!(history.len(), 4);
    assert!(history.iter().all(|run| run["download_url"].is_null()));

    // Run now: a manual run beside the cadence, which stays where it was.
    let (status, manual) = app
        .post_json(
            &format!("/api/report-schedules/{}/run", made["id"]),
            &team.member,
            json!({}),
        )
        .await;
    assert_eq!(status, 202, "{manual}");
    let finished = wait_for_run(&app, &team.member, &made, manual["id"].as_i64().unwrap()).await;
    assert_eq!(
        (finished["trigger"].as_str(), finished["status"].as_str()),
        (Some("manual"), Some("succeeded"))
    );

    // Paused, it does not run; deleted, its files go with it.
    let path = format!("/api/report-schedules/{}", made["id"]);
    let (status, paused) = app
        .call(
            &team.member,
            Method::PATCH,
            &path,
            Some(json!({"enabled": false})),
        )
        .await;
    assert_eq!(
        (status, &paused["enabled"]),
        (StatusCode::OK, &json!(false))
    );
    let pass = run_due(&app.services, back + Duration::days(5))
        .await
        .unwrap();
    assert_eq!(pass.ran, 0);
    assert_eq!(
        app.call(&team.member, Method::DELETE, &path, None).await.0,
        204
    );
    assert_eq!(app.count_rows("report_runs").await, 0);
}

async fn wait_for_run(app: &TestApp, user: &TestUser, schedule: &Value, id: i64) -> Value {
    for _ in 0..100 {
        let history = runs(app, user, schedule).await;
        if let Some(run) = history
            .iter()
            .find(|r| r["id"] == id && r["status"] != "running")
        {
            return run.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("run {id} did not finish");
}

async fn a_deactivated_owner_fails_the_run_and_pauses_the_schedule(backend: Backend) {
    let app = spawn_app(backend).await;
    let team = app.team("paused.test").await;
    let mine = view(&app, &team.member, "Mine", "").await;
    let made = schedule(
        &app,
        &team.member,
        json!({"view_id": mine["id"], "cadence": "weekly", "days": ["mon", "thu"], "time": "06:15", "time_zone": "America/New_York"}),
    )
    .await;
    assert_eq!(made["days"], json!(["mon", "thu"]));
    let (status, _) = app
        .call(
            &team.admin,
            Method::DELETE,
            &format!("/api/users/{}", team.member.id),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let due = instant(&made["next_run_at"]);
    let pass = run_due(&app.services, due).await.unwrap();
    assert_eq!(pass.ran, 1);
    let (_, read) = app
        .get_json(
            &format!("/api/report-schedules/{}", made["id"]),
            &team.admin,
        )
        .await;
    assert_eq!(read["enabled"], false);
    assert!(
        read["paused_reason"]
            .as_str()
            .unwrap()
            .contains("deactivated"),
        "{read}"
    );
    assert_eq!(read["last_run"]["status"], "failed");
    assert!(read["last_run"]["error"]
        .as_str()
        .unwrap()
        .contains("deactivated"));
    let pass = run_due(&app.services, due + Duration::days(7))
        .await
        .unwrap();
    assert_eq!(pass.ran, 0, "a paused schedule waits");
}

/// Two instances on one PostgreSQL, running due schedules at the same moment: each slot runs once.
#[tokio::test]
async fn postgres_two_instances_run_each_slot_once() {
    let app = spawn_app(Backend::Postgres).await;
    let second = app.another_instance().await;
    let team = app.team("instances.test").await;
    let mine = view(&app, &team.member, "Mine", "").await;
    let mut due = Utc::now();
    for hour in 0..6 {
        let made = schedule(
            &app,
            &team.member,
            json!({"view_id": mine["id"], "cadence": "daily", "time": format!("{:02}:00", hour * 3)}),
        )
        .await;
        due = due.max(instant(&made["next_run_at"]));
    }
    let (one, two) = tokio::join!(run_due(&app.services, due), run_due(&second.services, due));
    let (one, two) = (one.unwrap(), two.unwrap());
    assert_eq!(
        one.ran + two.ran,
        6,
        "every schedule ran once: {one:?} {two:?}"
    );
    assert_eq!(app.count_rows("report_runs").await, 6);
}

/// A minimal SMTP server: accepts every message and keeps its raw text.
async fn smtp_listener() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let messages = Arc::new(Mutex::new(Vec::new()));
    let kept = messages.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read);
                write
                    .write_all(b"220 localhost test SMTP\r\n")
                    .await
                    .unwrap();
                let mut line = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let command = line.trim_end().to_ascii_uppercase();
                    let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO")
                    {
                        b"250 localhost\r\n"
                    } else if command == "DATA" {
                        write.write_all(b"354 go ahead\r\n").await.unwrap();
                        let mut message = String::new();
                        loop {
                            line.clear();
                            lines.read_line(&mut line).await.unwrap();
                            if line == ".\r\n" {
                                break;
                            }
                            message.push_str(&line);
                        }
                        kept.lock().unwrap().push(message);
                        b"250 queued\r\n"
                    } else if command.starts_with("RCPT TO:<BOUNCE") {
                        b"550 no such mailbox\r\n"
                    } else if command == "QUIT" {
                        write.write_all(b"221 bye\r\n").await.unwrap();
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, messages)
}

/// A webhook receiver that answers `statuses` in turn (then 200) and keeps each request's headers and body.
async fn webhook_listener(statuses: Vec<u16>) -> (u16, Arc<Mutex<Vec<(String, String)>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let kept = requests.clone();
    let statuses = Arc::new(Mutex::new(statuses));
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let kept = kept.clone();
            let statuses = statuses.clone();
            tokio::spawn(async move {
                let mut received = Vec::new();
                let mut buffer = [0u8; 4096];
                let (head, body) = loop {
                    let read = stream.read(&mut buffer).await.unwrap();
                    if read == 0 {
                        return;
                    }
                    received.extend_from_slice(&buffer[..read]);
                    let text = String::from_utf8_lossy(&received).to_string();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let length = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap())
                            })
                            .unwrap_or(0);
                        if body.len() >= length {
                            break (head.to_owned(), body.to_owned());
                        }
                    }
                };
                kept.lock().unwrap().push((head, body));
                let status = {
                    let mut statuses = statuses.lock().unwrap();
                    if statuses.is_empty() {
                        200
                    } else {
                        statuses.remove(0)
                    }
                };
                let answer = format!(
                    "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
                stream.write_all(answer.as_bytes()).await.unwrap();
            });
        }
    });
    (port, requests)
}

async fn email_and_signed_webhook_are_delivered(backend: Backend) {
    let (smtp_port, messages) = smtp_listener().await;
    let (hook_port, requests) = webhook_listener(vec![503]).await;
    let smtp_url = format!("smtp://127.0.0.1:{smtp_port}");
    let app = spawn_app_with(
        backend,
        &[
            ("KEEL_SMTP_URL", &smtp_url),
            ("KEEL_SMTP_FROM", "Keel Reports <reports@keel.test>"),
        ],
    )
    .await;
    let team = app.team("deliveries.test").await;
    app.create("leads", &team.member, json!({"company_name": "Acme"}))
        .await;
    let all = view(&app, &team.member, "All leads", "").await;
    let made = schedule(
        &app,
        &team.member,
        json!({
            "view_id": all["id"], "cadence": "monthly", "day_of_month": 31, "time": "08:00", "time_zone": "Asia/Kolkata",
            "recipients": ["boss@example.com", "bounce@example.com", "team@example.com"],
            "webhook_url": format!("http://127.0.0.1:{hook_port}/hooks/keel")
        }),
    )
    .await;
    let secret = made["webhook_secret"].as_str().unwrap().to_owned();
    let pass = run_due(&app.services, instant(&made["next_run_at"]))
        .await
        .unwrap();
    assert_eq!(pass.ran, 1);
    let history = runs(&app, &team.member, &made).await;
    let deliveries = &history[0]["deliveries"];
    let outcomes: Vec<(&str, &str)> = deliveries
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["target"].as_str().unwrap(), d["status"].as_str().unwrap()))
        .collect();
    let hook = format!("http://127.0.0.1:{hook_port}/hooks/keel");
    assert_eq!(
        outcomes,
        [
            ("boss@example.com", "sent"),
            ("bounce@example.com", "failed"),
            ("team@example.com", "sent"),
            (hook.as_str(), "sent"),
        ],
        "one refused recipient does not stop the others: {deliveries}"
    );
    assert!(
        deliveries[1]["error"].as_str().unwrap().contains("550"),
        "{deliveries}"
    );
    assert_eq!(
        deliveries[3]["attempts"], 2,
        "the webhook was retried after a 503"
    );

    let messages = messages.lock().unwrap().clone();
    assert_eq!(messages.len(), 2, "one message per accepted recipient");
    let first = &messages[0];
    assert!(first.contains("Subject: All leads: 1 row"), "{first}");
    assert!(
        first.contains("From: \"Keel Reports\" <reports@keel.test>"),
        "{first}"
    );
    assert!(first.contains("To: boss@example.com"), "{first}");
    assert!(
        first.contains(&format!("/api/report-runs/{}/download", history[0]["id"])),
        "{first}"
    );
    assert!(first.contains("Content-Disposition: attachment"), "{first}");
    println!(
        "--- a delivered message's headers ---\n{}",
        first.split("\r\n\r\n").next().unwrap()
    );

    let requests = requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2);
    let (head, body) = &requests[1];
    let sent_signature = head
        .lines()
        .find_map(|line| line.strip_prefix("x-keel-signature: "))
        .expect("a signature header");
    assert_eq!(sent_signature, signature(&secret, body.as_bytes()));
    let payload: Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["rows"], 1);
    assert_eq!(payload["run_id"], history[0]["id"]);
    println!("--- a signed webhook request ---\n{head}\n\n{body}");
}

/// A 100,000-row view (37 MiB of CSV), run by the scheduler of a real `keel serve` process: every row is in
/// the file (no cap), and the server's memory does not grow with the file. A first run of an 11,112-row view
/// warms the process up (pools, allocator arenas, export chunks); the 100,000-row run after it raises the
/// peak by 8 MiB at most in a debug build (the allocator's thresholds settle), where holding the text alone
/// would add over 30.
#[tokio::test]
async fn postgres_a_hundred_thousand_row_report_has_every_row_in_constant_memory() {
    let app = spawn_app(Backend::Postgres).await;
    let team = app.team("large.test").await;
    app.db
        .execute_unprepared(&format!(
            "INSERT INTO leads (tenant_id, company_name, contact_name, lead_status, created_by) \
             SELECT {tenant}, 'Lead ' || n || ' ' || repeat(md5(n::text), 5), \
                    'Contact ' || repeat(md5((n + 1)::text), 5), 'new', {user} \
             FROM generate_series(1, 100000) AS n",
            tenant = team.admin.tenant_id,
            user = team.admin.id
        ))
        .await
        .unwrap();
    let some = view(&app, &team.admin, "Some", "company_name=Lead+1").await;
    let all = view(&app, &team.admin, "Everything", "sort_by=company_name").await;
    let server = app.server_process().await;
    let (rss_before, _) = server.memory_kib();

    let mut peaks = Vec::new();
    let mut finished = Vec::new();
    for view in [&some, &all] {
        let made = schedule(
            &app,
            &team.admin,
            json!({"view_id": view["id"], "cadence": "daily", "time": "05:00"}),
        )
        .await;
        // Due a minute ago: the process's own runner picks it up on its next tick (every 15 s).
        app.db
            .execute_unprepared(&format!(
                "UPDATE report_schedules SET next_run_at = now() - interval '1 minute' WHERE id = {}",
                made["id"]
            ))
            .await
            .unwrap();
        let mut run = Value::Null;
        for _ in 0..600 {
            if let Some(first) = runs(&app, &team.admin, &made).await.first() {
                if first["status"] != "running" {
                    run = first.clone();
                    break;
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        peaks.push(server.memory_kib().1);
        finished.push(run);
    }
    let rows: Vec<_> = finished
        .iter()
        .map(|run| (run["status"].as_str(), run["rows"].as_i64()))
        .collect();
    assert_eq!(
        rows,
        [
            (Some("succeeded"), Some(11_112)),
            (Some("succeeded"), Some(100_000))
        ],
        "{finished:?}"
    );

    let run = &finished[1];
    let response = app
        .client
        .get(server.url(run["download_url"].as_str().unwrap()))
        .bearer_auth(&team.admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let csv = response.text().await.unwrap();
    assert_eq!(
        csv.matches("\r\n").count(),
        100_001,
        "the header and every row"
    );
    assert!(
        run["bytes"].as_i64().unwrap() < csv.len() as i64 / 2,
        "stored compressed: {} bytes for {} of CSV",
        run["bytes"],
        csv.len()
    );
    let mib = |kib: u64| kib as f64 / 1024.0;
    let csv_mib = csv.len() as f64 / 1024.0 / 1024.0;
    let growth_mib = mib(peaks[1].saturating_sub(peaks[0]));
    println!(
        "scheduled report memory: RSS {:.1} MiB before; peak {:.1} MiB after 11,112 rows, {:.1} MiB after \
         100,000 rows ({csv_mib:.1} MiB of CSV, {} bytes stored)",
        mib(rss_before),
        mib(peaks[0]),
        mib(peaks[1]),
        run["bytes"],
    );
    assert!(csv_mib > 30.0, "the file is large enough to show buffering");
    assert!(
        growth_mib < 16.0,
        "nine times the rows raised the peak by {growth_mib:.1} MiB (a {csv_mib:.1} MiB file)"
    );
}
