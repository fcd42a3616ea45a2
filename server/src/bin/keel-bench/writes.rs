//! The writes of issue 17: a CSV import of `rows` leads (the dry run, then the import, with the server's
//! peak memory), its undo, and what the history entry adds to an update (the update through HTTP, and the
//! entry's own insert statement on the same pool settings). Written to its own block of docs/BENCHMARKS.md.

use std::{fmt::Write as _, time::Instant};

use chrono::Utc;
use sea_orm::DatabaseConnection;
use serde_json::{json, Value};
use server::db::history::{insert as insert_entries, NewEntry};
use shared::history::{FieldChange, HistoryAction, Source};

use super::{load_average, stats, AnyError, Http, Stats, PASSWORD};

pub struct Writes {
    rows: u64,
    csv_mib: f64,
    dry_run_secs: f64,
    import_secs: f64,
    undo_secs: f64,
    rss_before_mib: f64,
    peak_before_mib: f64,
    peak_after_mib: f64,
    update: Stats,
    history_insert: Stats,
    samples: usize,
    load: String,
}

/// Peak resident memory of a process in KiB (`VmHWM`).
fn peak_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

/// A leads file as a spreadsheet would hold it: labels as headers, statuses by label, a semicolon.
fn leads_csv(rows: u64) -> Vec<u8> {
    let statuses = ["New", "Contacted", "Qualified", "Lost"];
    let mut csv = String::with_capacity(rows as usize * 90);
    csv.push_str("Company name;Contact name;Email;Phone;Status;Source\n");
    for n in 0..rows {
        let _ = writeln!(
            csv,
            "Imported Company {n:07};Contact {n};contact{n}@import.example;+1 555 {:07};{};Trade fair {}",
            n % 10_000_000,
            statuses[(n % 4) as usize],
            n % 17
        );
    }
    csv.into_bytes()
}

async fn timed_import(
    http: &Http,
    token: &str,
    query: &str,
    body: Vec<u8>,
) -> Result<(f64, Value), AnyError> {
    let start = Instant::now();
    let response = http
        .client
        .post(format!("{}/api/leads/import?{query}", http.base))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await?;
    let status = response.status();
    let answer: Value = response.json().await?;
    let secs = start.elapsed().as_secs_f64();
    if !status.is_success() || answer["error_count"] != 0 {
        return Err(format!(
            "import {query}: {status} {}",
            answer.to_string().chars().take(500).collect::<String>()
        )
        .into());
    }
    Ok((secs, answer))
}

pub async fn measure(
    http: &Http,
    db: &DatabaseConnection,
    pid: u32,
    rows: u64,
    samples: usize,
) -> Result<Writes, AnyError> {
    let session = http
        .post(
            "/api/auth/signup",
            None,
            json!({"tenant_name": "Bench Imports", "name": "Importer", "email": "importer@bench.example", "password": PASSWORD}),
        )
        .await?;
    let token = session["token"].as_str().ok_or("no token")?.to_owned();
    let user_id = session["user"]["id"].as_i64().ok_or("no user id")?;
    let tenant_id = session["user"]["tenant"]["id"]
        .as_i64()
        .ok_or("no tenant id")?;
    let load = load_average();
    let csv = leads_csv(rows);
    let csv_mib = csv.len() as f64 / (1024.0 * 1024.0);
    let rss_before_mib = super::rss_kib(pid).unwrap_or(0) as f64 / 1024.0;
    let peak_before = peak_kib(pid);
    eprintln!("keel-bench: importing {rows} leads ({csv_mib:.1} MiB)");
    let (dry_run_secs, _) = timed_import(http, &token, "dry_run=true", csv.clone()).await?;
    let (import_secs, answer) = timed_import(http, &token, "filename=bench.csv", csv).await?;
    let peak_after = peak_kib(pid);
    let import_id = answer["import"]["id"].as_i64().ok_or("no import id")?;
    let start = Instant::now();
    let undone = http
        .client
        .delete(format!("{}/api/imports/{import_id}", http.base))
        .bearer_auth(&token)
        .send()
        .await?;
    if !undone.status().is_success() {
        return Err(format!("undo: {}", undone.status()).into());
    }
    let undo_secs = start.elapsed().as_secs_f64();

    // An update through HTTP, each with its history entry.
    let lead = http
        .post(
            "/api/leads",
            Some(&token),
            json!({"company_name": "Updated often"}),
        )
        .await?;
    let id = lead["id"].as_i64().ok_or("no lead id")?;
    let mut times = Vec::with_capacity(samples);
    for version in 1..=(samples as i64 + 5) {
        let start = Instant::now();
        let response = http
            .client
            .patch(format!("{}/api/leads/{id}", http.base))
            .bearer_auth(&token)
            .json(&json!({"version": version, "source": format!("edit {version}")}))
            .send()
            .await?;
        let elapsed = start.elapsed();
        if !response.status().is_success() {
            return Err(format!("update: {}", response.status()).into());
        }
        if version > 5 {
            times.push(elapsed);
        }
    }
    let update = stats(times);

    // The history entry's insert alone: the statement each write adds to its transaction.
    let mut times = Vec::with_capacity(samples);
    for n in 0..samples {
        let entry = NewEntry {
            tenant_id,
            entity: "leads",
            record_id: id,
            action: HistoryAction::Update,
            user_id: Some(user_id),
            at: Utc::now(),
            request_id: Some(format!("bench-{n}")),
            source: Source::Api,
            import_id: None,
            reverts_id: None,
            changes: vec![FieldChange {
                field: "source".into(),
                old: json!(format!("edit {n}")),
                new: json!(format!("edit {}", n + 1)),
                old_label: None,
                new_label: None,
            }],
        };
        let start = Instant::now();
        insert_entries(db, &[entry]).await?;
        times.push(start.elapsed());
    }
    let history_insert = stats(times);
    Ok(Writes {
        rows,
        csv_mib,
        dry_run_secs,
        import_secs,
        undo_secs,
        rss_before_mib,
        peak_before_mib: peak_before as f64 / 1024.0,
        peak_after_mib: peak_after as f64 / 1024.0,
        update,
        history_insert,
        samples,
        load,
    })
}

pub fn render(w: &Writes) -> String {
    let met = |ok: bool| if ok { "met" } else { "**not met**" };
    let mut out = String::new();
    let _ = writeln!(out, "### Imports and history (issue 17)\n");
    let _ = writeln!(
        out,
        "`keel-bench`, {}, PostgreSQL, the release server as a child process (load average {} when this part began).\n",
        Utc::now().format("%Y-%m-%d"),
        w.load
    );
    let _ = writeln!(out, "| Measure | Result | Target |\n|---|---|---|");
    let _ = writeln!(
        out,
        "| Dry run of {} leads ({:.1} MiB of CSV): every row checked, nothing written | {:.2} s | under 5 s: {} |",
        w.rows,
        w.csv_mib,
        w.dry_run_secs,
        met(w.dry_run_secs < 5.0)
    );
    let _ = writeln!(
        out,
        "| Import of the same file: checked again, then every row and its history entry written in one transaction | {:.2} s | under 15 s: {} |",
        w.import_secs,
        met(w.import_secs < 15.0)
    );
    let _ = writeln!(
        out,
        "| Server memory: resident before, peak before, peak after both | {:.0} / {:.0} / {:.0} MiB | the file is never held in memory |",
        w.rss_before_mib, w.peak_before_mib, w.peak_after_mib
    );
    let _ = writeln!(
        out,
        "| Undo of the import ({} leads to the trash, each with an entry) | {:.2} s | |",
        w.rows, w.undo_secs
    );
    let _ = writeln!(
        out,
        "| An update through HTTP, with its history entry ({} sequential, median / p95) | {:.2} / {:.2} ms | |",
        w.samples, w.update.median, w.update.p95
    );
    let _ = writeln!(
        out,
        "| The history entry's insert alone, the statement an update adds (median / p95) | {:.2} / {:.2} ms | |",
        w.history_insert.median, w.history_insert.p95
    );
    out
}
