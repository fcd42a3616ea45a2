//! The report matrix (issue 20): each everyday filter of the leads report, with the default sort and two
//! others, for page 1, a deep cursor page and the CSV export — at 1 connection (median, p95) and at 32
//! (requests a second, p95, errors). A user builds these reports from the report page's controls; each must
//! feel instant, not only the shape the benchmark above was written for.

use std::{
    fmt::Write as _,
    sync::Arc,
    time::{Duration, Instant},
};

use serde_json::Value;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use super::{plan, stats, AnyError, Http, Stats, PAGE_SIZE};

/// The filters of the matrix: (label, query). `{user}` is replaced by one of the tenant's users.
const FILTERS: [(&str, &str); 9] = [
    ("no filter", ""),
    ("one status", "lead_status=qualified"),
    ("several statuses", "lead_status=new,contacted"),
    ("assignee", "assigned_to={user}"),
    (
        "date range (one quarter)",
        "created_after=2023-01-01&created_before=2023-03-31",
    ),
    ("substring matching none", "company_name=zzyzx"),
    ("substring, about 1%", "company_name=robotics"),
    ("substring, about 20%", "company_name=group"),
    ("search `q`", "q=harbor%20analytics"),
];

/// The sorts: the default (newest first), a text column and a scattered timestamp.
const SORTS: [(&str, &str); 3] = [
    ("newest first", ""),
    ("company A–Z", "sort_by=company_name&sort_order=asc"),
    ("updated, newest", "sort_by=updated_at&sort_order=desc"),
];

/// The deep page: page 200 (rows 9,951–10,000), or the last page of a smaller result.
pub const DEEP_PAGE: u64 = 200;

/// How long each measurement may run, and how many requests it sends at most.
#[derive(Clone, Copy)]
pub struct Budget {
    pub samples: usize,
    pub load: Duration,
    pub connections: usize,
}

/// Requests at 32 connections: throughput, latency of the answered ones, and what was not a 200.
#[derive(Clone, Copy, Default)]
pub struct Load {
    pub per_second: f64,
    pub p95: f64,
    pub errors: usize,
}

#[derive(Default)]
pub struct Cell {
    pub matching: Option<u64>,
    pub page1: Option<Stats>,
    pub page1_load: Option<Load>,
    pub deep_page: Option<u64>,
    pub deep: Option<Stats>,
    pub deep_load: Option<Load>,
    pub export: Option<(u64, f64)>,
}

pub struct Row {
    pub filter: &'static str,
    pub sort: &'static str,
    pub cell: Cell,
}

fn join(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("&")
}

/// Sequential requests: a warm-up, then up to `samples`, stopping early (after at least five) when a slow
/// shape has used its time.
async fn sequential(
    http: &Http,
    path: &str,
    token: &str,
    budget: Budget,
) -> Result<Stats, AnyError> {
    http.get(path, token).await?;
    let start = Instant::now();
    let mut times = Vec::with_capacity(budget.samples);
    while times.len() < budget.samples && (times.len() < 5 || start.elapsed() < budget.load * 2) {
        times.push(http.get(path, token).await?.0);
    }
    Ok(stats(times))
}

/// `connections` clients sending `path` back to back for the budget's time; a refusal or a timeout is
/// counted as an error rather than ending the run.
async fn load(http: &Arc<Http>, path: &str, token: &str, budget: Budget) -> Load {
    let start = Instant::now();
    let deadline = start + budget.load;
    let mut tasks = Vec::new();
    for _ in 0..budget.connections {
        let (http, path, token) = (http.clone(), path.to_owned(), token.to_owned());
        tasks.push(tokio::spawn(async move {
            let (mut times, mut errors) = (Vec::new(), 0usize);
            while Instant::now() < deadline {
                match http.get(&path, &token).await {
                    Ok((elapsed, _)) => times.push(elapsed),
                    Err(_) => errors += 1,
                }
            }
            (times, errors)
        }));
    }
    let (mut times, mut errors) = (Vec::new(), 0);
    for task in tasks {
        match task.await {
            Ok((t, e)) => {
                times.extend(t);
                errors += e;
            }
            Err(_) => errors += 1,
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    Load {
        per_second: times.len() as f64 / elapsed,
        p95: if times.is_empty() {
            f64::NAN
        } else {
            stats(times).p95
        },
        errors,
    }
}

async fn json(http: &Http, path: &str, token: &str) -> Result<Value, AnyError> {
    Ok(serde_json::from_slice(&http.get(path, token).await?.1)?)
}

/// Writes `EXPLAIN (ANALYZE, BUFFERS)` of page 1 of every shape — the statements the server sends, with their
/// values, on a connection set up like the server's — of the count alone, which runs when a page is empty, and
/// of a substring list's dense page, which runs when its capped page counts more rows than the cap.
pub async fn explain(
    db: &DatabaseConnection,
    tenant_id: i64,
    user_id: i64,
) -> Result<String, AnyError> {
    let backend = db.get_database_backend();
    let mut out = String::new();
    for (filter, filter_query) in FILTERS {
        let filter_query = filter_query
            .replace("{user}", &user_id.to_string())
            .replace("%20", " ");
        for (sort, sort_query) in SORTS {
            let query = join(&[&filter_query, sort_query, &format!("page_size={PAGE_SIZE}")]);
            let (_, _, statements) = plan(tenant_id, user_id, &query, None)?;
            // A substring list reads its dense page instead of the capped one when its count passes the cap.
            let dense = statements
                .dense_page
                .as_ref()
                .map(|dense| ("dense page", dense));
            let listed = [("page", &statements.page), ("count", &statements.count)];
            for (what, statement) in listed.into_iter().chain(dense) {
                let built = backend.build(statement);
                let rows = db
                    .query_all_raw(Statement::from_sql_and_values(
                        backend,
                        format!("EXPLAIN (ANALYZE, BUFFERS) {}", built.sql),
                        built.values.map(|v| v.0).unwrap_or_default(),
                    ))
                    .await?;
                let _ = writeln!(out, "### {filter} · {sort} · {what} (`{query}`)\n\n```");
                for row in rows {
                    let _ = writeln!(out, "{}", row.try_get::<String>("", "QUERY PLAN")?);
                }
                let _ = writeln!(out, "```\n");
            }
        }
    }
    Ok(out)
}

/// Measures every shape of the matrix for the tenant behind `token`.
pub async fn run(
    http: &Arc<Http>,
    token: &str,
    user_id: i64,
    budget: Budget,
) -> Result<Vec<Row>, AnyError> {
    let mut rows = Vec::new();
    for (filter, filter_query) in FILTERS {
        let filter_query = filter_query.replace("{user}", &user_id.to_string());
        for (sort, sort_query) in SORTS {
            let query = join(&[&filter_query, sort_query]);
            eprintln!("keel-bench: matrix {filter} · {sort}");
            let mut cell = Cell::default();
            let page1_path = format!(
                "/api/leads?{}",
                join(&[&query, &format!("page_size={PAGE_SIZE}")])
            );
            let first = json(http, &page1_path, token).await?;
            let matching = first["total"].as_u64().unwrap_or(0);
            // "More than the limit" (a dense substring) says nothing of the last page: page 200 it is.
            let exact = first["total_exact"].as_bool().unwrap_or(true);
            cell.matching = Some(matching);
            cell.page1 = Some(sequential(http, &page1_path, token, budget).await?);
            cell.page1_load = Some(load(http, &page1_path, token, budget).await);

            let pages = if exact {
                matching.div_ceil(PAGE_SIZE)
            } else {
                DEEP_PAGE
            };
            let deep = pages.min(DEEP_PAGE);
            if deep >= 2 {
                // The page before it, by offset, hands out the cursor of the deep page.
                let before = json(
                    http,
                    &format!(
                        "/api/leads?{}",
                        join(&[&query, &format!("page_size={PAGE_SIZE}&page={}", deep - 1)])
                    ),
                    token,
                )
                .await?;
                let cursor = before["next_cursor"]
                    .as_str()
                    .ok_or("no next_cursor before the deep page")?;
                let deep_path = format!(
                    "/api/leads?{}",
                    join(&[&query, &format!("page_size={PAGE_SIZE}&cursor={cursor}")])
                );
                cell.deep_page = Some(deep);
                cell.deep = Some(sequential(http, &deep_path, token, budget).await?);
                cell.deep_load = Some(load(http, &deep_path, token, budget).await);
            }

            cell.export = Some(http.export(&query, token).await?);
            rows.push(Row { filter, sort, cell });
        }
    }
    Ok(rows)
}

/// The targets of issue 20 for a page shape: ≤ 15 ms median and ≤ 40 ms p95 at one connection; at least 200
/// requests a second and no error at 32.
pub fn meets(single: Option<Stats>, loaded: Option<Load>) -> bool {
    single.is_none_or(|s| s.median <= 15.0 && s.p95 <= 40.0)
        && loaded.is_none_or(|l| l.per_second >= 200.0 && l.errors == 0)
}

fn ms(stats: Option<Stats>) -> String {
    stats.map_or("–".into(), |s| format!("{:.1} / {:.1}", s.median, s.p95))
}

fn loaded(load: Option<Load>) -> String {
    load.map_or("–".into(), |l| {
        let errors = if l.errors > 0 {
            format!(", **{} errors**", l.errors)
        } else {
            String::new()
        };
        format!("{:.0} · {:.0}{errors}", l.per_second, l.p95)
    })
}

/// The matrix as a Markdown table.
pub fn render(rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| Filter | Sort | Matching | Page 1: median / p95 | Page 1 at 32: req/s · p95 | Deep page | Deep: median / p95 | Deep at 32: req/s · p95 | Export rows/s | Targets |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
    for row in rows {
        let c = &row.cell;
        let ok = meets(c.page1, c.page1_load) && meets(c.deep, c.deep_load);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            row.filter,
            row.sort,
            c.matching.map_or("–".into(), |m| m.to_string()),
            ms(c.page1),
            loaded(c.page1_load),
            c.deep_page.map_or("–".into(), |p| p.to_string()),
            ms(c.deep),
            loaded(c.deep_load),
            c.export.map_or("–".into(), |(rows, secs)| if rows == 0 {
                "0 rows".into()
            } else {
                format!("{:.0}", rows as f64 / secs)
            }),
            if ok { "met" } else { "**not met**" },
        );
    }
    out
}
