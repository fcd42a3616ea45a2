//! The pipeline board at scale (issue 18): `GET /api/leads/board` over the large tenant — every status's
//! count in one grouped statement and the first 50 cards of each column in one more.

use std::{fmt::Write as _, sync::Arc};

use serde_json::Value;

use super::{concurrent, sequential, AnyError, Http, Stats};

pub struct Measured {
    rows: u64,
    columns: usize,
    cards: usize,
    plain: Stats,
    sorted: Stats,
    filtered: Stats,
    search: Stats,
    show_more: Stats,
    plain_32: (Stats, f64),
}

/// The shapes a board is opened with: plain (newest first), sorted by name, filtered by assignee, searched,
/// and "Show more" deep in one column.
pub async fn measure(
    http: &Arc<Http>,
    token: &str,
    assignee: i64,
    rows: u64,
    samples: usize,
) -> Result<Measured, AnyError> {
    eprintln!("keel-bench: board");
    let (_, body) = http.get("/api/leads/board", token).await?;
    let board: Value = serde_json::from_slice(&body)?;
    if board["total"].as_u64() != Some(rows) {
        return Err(format!(
            "the board counted {} leads, expected {rows}",
            board["total"]
        )
        .into());
    }
    let columns = board["columns"].as_array().ok_or("no columns")?;
    let cards = columns
        .iter()
        .map(|c| c["cards"].as_array().map_or(0, Vec::len))
        .sum();
    let samples = samples.min(100);
    Ok(Measured {
        rows,
        columns: columns.len(),
        cards,
        plain: sequential(http, "/api/leads/board", token, samples).await?,
        sorted: sequential(
            http,
            "/api/leads/board?sort_by=company_name&sort_order=asc",
            token,
            samples,
        )
        .await?,
        filtered: sequential(
            http,
            &format!("/api/leads/board?assigned_to={assignee}"),
            token,
            samples,
        )
        .await?,
        search: sequential(
            http,
            "/api/leads/board?q=harbor%20analytics",
            token,
            samples,
        )
        .await?,
        show_more: sequential(
            http,
            "/api/leads/board?column=new&offset=5000",
            token,
            samples,
        )
        .await?,
        plain_32: concurrent(http, "/api/leads/board", token, 32, (samples / 10).max(5)).await?,
    })
}

pub fn render(m: &Measured) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## The pipeline board (issue 18)\n");
    let _ = writeln!(
        out,
        "`keel-bench --board-only`, {}: `GET /api/leads/board` over the large tenant's {} leads ({} columns, {} cards a \
         page of the board), milliseconds at the HTTP client, one connection unless said.\n",
        chrono::Utc::now().format("%Y-%m-%d"),
        m.rows,
        m.columns,
        m.cards
    );
    let _ = writeln!(out, "| Board | Median | p95 |");
    let _ = writeln!(out, "|---|---:|---:|");
    for (label, stats) in [
        ("Plain (newest first)", &m.plain),
        ("Sorted by company name", &m.sorted),
        ("Filtered by assignee", &m.filtered),
        ("Search `q=harbor analytics`", &m.search),
        ("Show more: column `new` from card 5,000", &m.show_more),
    ] {
        let _ = writeln!(out, "| {label} | {:.1} | {:.1} |", stats.median, stats.p95);
    }
    let _ = writeln!(
        out,
        "| Plain, 32 connections ({:.0} req/s) | {:.1} | {:.1} |",
        m.plain_32.1, m.plain_32.0.median, m.plain_32.0.p95
    );
    out
}
