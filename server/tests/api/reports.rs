//! Reports at scale (issue 8) against the real server on SQLite and PostgreSQL: the streamed CSV export,
//! keyset cursors, the count strategy, and — on PostgreSQL — that the report's statements use the indexes.

use reqwest::Method;
use sea_orm::{
    sea_query::{Alias, Expr, Query, SimpleExpr},
    ConnectionTrait, DatabaseConnection, Statement,
};
use serde_json::{json, Value};
use shared::Role;

use crate::helpers::{both_backends, spawn_app, spawn_app_with, Backend, Csv, TestApp, TestUser};

fn ids(page: &Value) -> Vec<i64> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

const WORDS: [&str; 5] = ["Acme", "Zenith", "Globex", "Initech", "Umbrella"];
const STATUSES: [&str; 4] = ["new", "contacted", "qualified", "won"];

/// `n` leads straight into the table, with ties (repeated names and creation times) and NULLs in the
/// nullable sort keys, so that every sort has something to get wrong.
async fn seed_leads(db: &DatabaseConnection, tenant_id: i64, assignee: i64, n: usize, tag: &str) {
    let columns = [
        "tenant_id",
        "company_name",
        "contact_name",
        "email",
        "source",
        "lead_status",
        "assigned_to",
        "created_by",
        "created_at",
    ];
    for batch in (0..n).collect::<Vec<_>>().chunks(100) {
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new("leads"))
            .columns(columns.map(Alias::new));
        for &i in batch {
            let text = |value: Option<String>| -> SimpleExpr { Expr::val(value) };
            insert.values_panic([
                Expr::val(tenant_id),
                text(Some(format!("{} {tag} {}", WORDS[i % 5], i % 13))),
                text((i % 3 != 0).then(|| format!("Contact {}", i % 11))),
                text((i % 4 != 0).then(|| format!("p{i}@{tag}{}.test", i % 5))),
                text((i % 2 == 0).then(|| "web".to_owned())),
                text(Some(STATUSES[i % 4].to_owned())),
                Expr::val((i % 2 == 0).then_some(assignee)),
                Expr::val(assignee),
                // A literal both backends read as a time (SQLite keeps it as CURRENT_TIMESTAMP's text).
                Expr::cust(format!("'2026-01-{:02} 10:00:00'", 1 + i % 9)),
            ]);
        }
        let statement = db.get_database_backend().build(&insert);
        db.execute_raw(statement).await.expect("seed leads");
    }
}

/// An RFC 4180 reader that insists on CRLF record ends: a bare LF outside quotes fails the test.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                other => field.push(other),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            '\n' => panic!("a record ended with a bare LF"),
            other => field.push(other),
        }
    }
    assert!(!quoted, "unterminated quote");
    assert!(
        field.is_empty() && record.is_empty(),
        "the last record has no CRLF"
    );
    records
}

/// The export's records after the header, with the BOM checked and removed.
fn rows_of(csv: &Csv) -> (Vec<String>, Vec<Vec<String>>) {
    assert_eq!(csv.status, 200, "{}", csv.body);
    let text = csv.body.strip_prefix('\u{feff}').expect("a UTF-8 BOM");
    let mut records = parse_csv(text);
    let header = records.remove(0);
    (header, records)
}

/// Every record of a list, walked by offset with the largest page.
async fn walk_by_offset(app: &TestApp, user: &TestUser, entity: &str, query: &str) -> Vec<Value> {
    let mut records = Vec::new();
    for page in 1.. {
        let body = app
            .list(entity, user, &format!("page_size=200&page={page}&{query}"))
            .await;
        let data = body["data"].as_array().unwrap().clone();
        if data.is_empty() {
            break;
        }
        records.extend(data);
    }
    records
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

const LEAD_COLUMNS: [&str; 8] = [
    "id",
    "company_name",
    "contact_name",
    "email",
    "phone",
    "lead_status",
    "assigned_to_name",
    "created_at",
];

async fn export_has_every_row_once_with_the_lists_filters_sort_and_values(backend: Backend) {
    // A chunk far smaller than the row count, so the export runs through many chunk statements.
    let app = spawn_app_with(backend, &[("KEEL_EXPORT_CHUNK_ROWS", "37")]).await;
    let admin = app.login_as(Role::Admin).await;
    let other = app.signup("Other", "admin@other.test").await;
    seed_leads(&app.db, admin.tenant_id, admin.id, 460, "ours").await;
    seed_leads(&app.db, other.tenant_id, other.id, 40, "theirs").await;

    for query in [
        "",
        "sort_by=company_name&sort_order=asc",
        "sort_by=contact_name&sort_order=desc",
        "sort_by=assigned_to&sort_order=asc&lead_status=new,won",
        "sort_by=source&sort_order=asc&q=acme",
        "sort_by=created_at&sort_order=asc&created_after=2026-01-03&contact_name=contact%201",
    ] {
        let csv = app
            .export(
                Some(&admin.token),
                &format!("/api/leads/export.csv?{query}"),
            )
            .await;
        assert_eq!(csv.content_type, "text/csv; charset=utf-8");
        let (header, rows) = rows_of(&csv);
        assert_eq!(
            header,
            [
                "ID",
                "Company name",
                "Contact name",
                "Email",
                "Phone",
                "Status",
                "Assigned to",
                "Created"
            ]
        );
        let listed = walk_by_offset(&app, &admin, "leads", query).await;
        assert!(!listed.is_empty(), "{query} matches something");
        let expected: Vec<Vec<String>> = listed
            .iter()
            .map(|record| LEAD_COLUMNS.iter().map(|c| cell(&record[c])).collect())
            .collect();
        assert_eq!(rows, expected, "export and list differ for `{query}`");
        if query.is_empty() {
            assert_eq!(rows.len(), 460, "every row of the tenant");
            let mut unique: Vec<&String> = rows.iter().map(|r| &r[0]).collect();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), 460, "no row twice");
            assert!(rows.iter().all(|r| !r[1].contains("theirs")));
        }
    }
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let csv = app
        .export(Some(&other.token), "/api/leads/export.csv")
        .await;
    assert_eq!(
        csv.disposition,
        format!("attachment; filename=\"leads-{today}.csv\"")
    );
    let (_, rows) = rows_of(&csv);
    assert_eq!(rows.len(), 40);
    assert!(rows.iter().all(|r| r[1].contains("theirs")));
}

async fn export_quotes_and_neutralises_cells(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let tricky = [
        ("Comma, Inc", "Say \"hi\"", "+1 555 010 9999"),
        (
            "=HYPERLINK(\"http://evil\")",
            "Line one\nLine two",
            "555 010 9999 x1",
        ),
        ("@SUM(A1:A9)", "-minus", "555 010 9999"),
        ("\tTabbed", "Ünïcödé ☃", "555 010 9999"),
    ];
    for (company, contact, phone) in tricky {
        app.create(
            "leads",
            &admin,
            json!({"company_name": company, "contact_name": contact, "phone": phone}),
        )
        .await;
    }
    // Money: numbers are numbers, not text to neutralise (projects carry a budget column).
    let client = app
        .create("clients", &admin, json!({"company_name": "-Dash client"}))
        .await;
    app.create(
        "projects",
        &admin,
        json!({"project_name": "Budgeted", "client_id": client["id"], "budget": "1234.50"}),
    )
    .await;

    let csv = app
        .export(
            Some(&admin.token),
            "/api/leads/export.csv?sort_by=id&sort_order=asc",
        )
        .await;
    let raw = csv.body.clone();
    assert!(
        raw.contains("\"Comma, Inc\",\"Say \"\"hi\"\"\",,'+1 555 010 9999,"),
        "{raw}"
    );
    assert!(raw.contains("\"Line one\nLine two\""), "{raw}");
    let (_, rows) = rows_of(&csv);
    let column = |index: usize| rows.iter().map(|r| r[index].clone()).collect::<Vec<_>>();
    let companies = column(1);
    let contacts = column(2);
    // Strip-trimmed by the API on the way in.
    assert_eq!(
        companies,
        [
            "Comma, Inc",
            "'=HYPERLINK(\"http://evil\")",
            "'@SUM(A1:A9)",
            "Tabbed"
        ]
    );
    assert_eq!(
        contacts,
        ["Say \"hi\"", "Line one\nLine two", "'-minus", "Ünïcödé ☃"]
    );
    assert_eq!(column(3), ["", "", "", ""], "no email: empty cells");
    assert_eq!(column(5), ["new", "new", "new", "new"]);

    let csv = app
        .export(Some(&admin.token), "/api/projects/export.csv")
        .await;
    let (header, rows) = rows_of(&csv);
    assert_eq!(header[4], "Budget");
    assert_eq!(rows[0][1], "Budgeted");
    assert_eq!(rows[0][2], "'-Dash client", "joined names are text");
    assert_eq!(rows[0][4], "1234.50");
    let csv = app
        .export(Some(&admin.token), "/api/clients/export.csv")
        .await;
    let (header, rows) = rows_of(&csv);
    assert_eq!(header[6..8], ["Projects", "Revenue"]);
    assert_eq!(rows[0][6..8], ["1", "1234.50"]);
}

async fn export_is_permission_checked_and_refuses_bad_input(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let viewer = app.add_user(&admin, "viewer@acme.test", Role::Viewer).await;
    seed_leads(&app.db, admin.tenant_id, admin.id, 5, "ours").await;

    let (_, rows) = rows_of(
        &app.export(Some(&viewer.token), "/api/leads/export.csv")
            .await,
    );
    assert_eq!(rows.len(), 5, "viewers read reports, so they export them");

    let envelope = |csv: &Csv, status: u16, code: &str| {
        assert_eq!(csv.status, status, "{}", csv.body);
        assert!(csv.content_type.starts_with("application/json"));
        let body: Value = serde_json::from_str(&csv.body).unwrap();
        assert_eq!(body["code"], code, "{body}");
        body
    };
    envelope(
        &app.export(None, "/api/leads/export.csv").await,
        401,
        "unauthorized",
    );
    envelope(
        &app.export(Some("not-a-token"), "/api/leads/export.csv")
            .await,
        401,
        "unauthorized",
    );
    for query in [
        "lead_status=x;drop",
        "sort_by=password",
        "created_after=yesterday",
        "bogus=1",
        "page=2",
        "page_size=10",
        "cursor=abc",
        "q=a&q=b",
    ] {
        let body = envelope(
            &app.export(
                Some(&admin.token),
                &format!("/api/leads/export.csv?{query}"),
            )
            .await,
            400,
            "validation_failed",
        );
        let field = query.split('=').next().unwrap();
        assert_eq!(body["details"][0]["field"], field, "{query}: {body}");
    }
    envelope(
        &app.export(Some(&admin.token), "/api/widgets/export.csv")
            .await,
        404,
        "not_found",
    );
    let response = app
        .authed(Method::POST, "/api/leads/export.csv", &admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
}

async fn check_cursor_walks(app: &TestApp, user: &TestUser, entity: &str, queries: &[&str]) {
    for query in queries {
        check_cursor_walk(app, user, entity, query).await;
    }
}

/// Walks a list by cursor forwards from page 1 and back again, checking it against the offset walk.
async fn check_cursor_walk(app: &TestApp, user: &TestUser, entity: &str, query: &str) {
    let expected: Vec<i64> = walk_by_offset(app, user, entity, query)
        .await
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert!(expected.len() > 14, "{entity}?{query} has several pages");
    let size = 7;

    let first = app
        .list(entity, user, &format!("page_size={size}&{query}"))
        .await;
    assert_eq!(first["prev_cursor"], Value::Null, "nothing before page 1");
    let mut forward = ids(&first);
    let mut pages = vec![first.clone()];
    let mut next = first["next_cursor"].clone();
    while let Some(cursor) = next.as_str() {
        let before = app.statements();
        let page = app
            .list(
                entity,
                user,
                &format!("page_size={size}&cursor={cursor}&{query}"),
            )
            .await;
        let used = app.statements() - before;
        assert!(
            used <= 3,
            "1 authentication + at most 2 list statements, got {used}"
        );
        assert_eq!(page["page"], 0, "a cursor page has no page number");
        assert_eq!(page["total"], first["total"]);
        assert!(!ids(&page).is_empty(), "next_cursor never leads to nothing");
        forward.extend(ids(&page));
        next = page["next_cursor"].clone();
        pages.push(page);
        assert!(pages.len() < 200, "the walk ends");
    }
    assert_eq!(forward, expected, "forwards by cursor: {entity}?{query}");

    // Back from the last page by prev_cursor.
    let mut backward: Vec<Vec<i64>> = vec![ids(pages.last().unwrap())];
    let mut prev = pages.last().unwrap()["prev_cursor"].clone();
    while let Some(cursor) = prev.as_str() {
        let page = app
            .list(
                entity,
                user,
                &format!("page_size={size}&cursor={cursor}&{query}"),
            )
            .await;
        assert_eq!(ids(&page).len(), size, "pages before the last are full");
        assert!(page["next_cursor"].is_string());
        backward.push(ids(&page));
        prev = page["prev_cursor"].clone();
        assert!(backward.len() < 200, "the walk ends");
    }
    backward.reverse();
    let backward: Vec<i64> = backward.into_iter().flatten().collect();
    assert_eq!(backward, expected, "backwards by cursor: {entity}?{query}");

    // An offset page hands out cursors too: page 2's prev_cursor is page 1.
    let second = app
        .list(entity, user, &format!("page_size={size}&page=2&{query}"))
        .await;
    let back = app
        .list(
            entity,
            user,
            &format!(
                "page_size={size}&cursor={}&{query}",
                second["prev_cursor"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(ids(&back), expected[..size]);
}

async fn cursor_pages_walk_like_offset_pages(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    seed_leads(&app.db, admin.tenant_id, admin.id, 90, "ours").await;
    let leads_sorts = [
        "",
        "sort_by=created_at&sort_order=asc",
        "sort_by=company_name&sort_order=asc",
        "sort_by=company_name&sort_order=desc",
        "sort_by=contact_name&sort_order=asc",
        "sort_by=contact_name&sort_order=desc",
        "sort_by=email&sort_order=desc",
        "sort_by=source&sort_order=asc",
        "sort_by=assigned_to&sort_order=asc",
        "sort_by=assigned_to&sort_order=desc",
        "sort_by=lead_status&sort_order=asc",
        "sort_by=id&sort_order=asc",
        "sort_by=contact_name&sort_order=desc&q=a&lead_status=new,contacted,won",
    ];
    check_cursor_walks(&app, &admin, "leads", &leads_sorts).await;

    // Computed sort keys (a client's project count and revenue) and dates with NULLs.
    for n in 0..16 {
        let client = app
            .create(
                "clients",
                &admin,
                json!({"company_name": format!("Client {n:02}")}),
            )
            .await;
        for p in 0..(n % 3) {
            let mut project = json!({"project_name": format!("P{p}"), "client_id": client["id"], "budget": format!("{}.00", 100 * (n % 4))});
            if p == 0 {
                project["start_date"] = json!(format!("2026-02-{:02}", 1 + n % 5));
            }
            app.create("projects", &admin, project).await;
        }
    }
    check_cursor_walks(
        &app,
        &admin,
        "clients",
        &[
            "sort_by=project_count&sort_order=desc",
            "sort_by=total_revenue&sort_order=asc",
        ],
    )
    .await;
    check_cursor_walks(
        &app,
        &admin,
        "projects",
        &[
            "sort_by=start_date&sort_order=asc",
            "sort_by=start_date&sort_order=desc",
            "sort_by=client_id&sort_order=asc",
        ],
    )
    .await;

    // A cursor stays good when its row is deleted: it names a position, not a row.
    let first = app.list("leads", &admin, "page_size=5").await;
    let last_id = ids(&first)[4];
    let (status, _) = app.delete("leads", &admin, last_id).await;
    assert_eq!(status, 204);
    let expected = ids(&app.list("leads", &admin, "page_size=9").await);
    let next = app
        .list(
            "leads",
            &admin,
            &format!(
                "page_size=5&cursor={}",
                first["next_cursor"].as_str().unwrap()
            ),
        )
        .await;
    assert_eq!(ids(&next), expected[4..9]);
}

async fn bad_cursors_are_400(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let other = app.signup("Other", "admin@other.test").await;
    seed_leads(&app.db, admin.tenant_id, admin.id, 12, "ours").await;
    seed_leads(&app.db, other.tenant_id, other.id, 12, "theirs").await;
    let page = app
        .list(
            "leads",
            &admin,
            "page_size=5&sort_by=company_name&sort_order=asc",
        )
        .await;
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    let mut tampered = cursor.clone().into_bytes();
    tampered[3] = if tampered[3] == b'x' { b'y' } else { b'x' };
    let tampered = String::from_utf8(tampered).unwrap();
    for query in [
        "cursor=garbage".to_owned(),
        format!("cursor={tampered}&sort_by=company_name&sort_order=asc"),
        format!("cursor={cursor}"),
        format!("cursor={cursor}&sort_by=company_name&sort_order=desc"),
        format!("cursor={cursor}&sort_by=contact_name&sort_order=asc"),
        format!("cursor={cursor}&sort_by=company_name&sort_order=asc&page=2"),
        format!("cursor={}", "A".repeat(3000)),
    ] {
        let (status, body) = app.get_json(&format!("/api/leads?{query}"), &admin).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["code"], "validation_failed");
        assert_eq!(body["details"][0]["field"], "cursor", "{query}: {body}");
    }
    // Another tenant can use the token only as a position in its own rows.
    let theirs = app
        .list(
            "leads",
            &other,
            &format!("page_size=50&sort_by=company_name&sort_order=asc&cursor={cursor}"),
        )
        .await;
    assert!(theirs["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["company_name"].as_str().unwrap().contains("theirs")));
}

async fn counts_are_exact_under_the_limit(backend: Backend) {
    let app = spawn_app_with(backend, &[("KEEL_EXACT_COUNT_LIMIT", "50")]).await;
    let admin = app.login_as(Role::Admin).await;
    seed_leads(&app.db, admin.tenant_id, admin.id, 300, "ours").await;
    if matches!(backend, Backend::Postgres) {
        app.db.execute_unprepared("ANALYZE leads").await.unwrap();
    }

    // Under the limit: exact everywhere.
    let few = app
        .list("leads", &admin, "company_name=acme%20ours%203")
        .await;
    let expected = (0..300).filter(|i| i % 5 == 0 && i % 13 == 3).count();
    assert_eq!(few["total"], expected);
    assert_eq!(few["total_exact"], true);
    // A substring matching fewer rows than the limit: its count and page are one statement (after the
    // session check) on PostgreSQL, and a page past its last match still tells the count.
    for (page, rows) in [(1, expected.min(2)), (expected, 0), (expected + 5, 0)] {
        let before = app.statements();
        let sparse = app
            .list(
                "leads",
                &admin,
                &format!(
                    "company_name=acme%20ours%203&page_size=2&page={page}&sort_by=company_name"
                ),
            )
            .await;
        if matches!(backend, Backend::Postgres) {
            assert_eq!(app.statements() - before, 2, "page {page}");
        }
        assert_eq!(sparse["total"], expected, "page {page}");
        assert_eq!(sparse["total_exact"], true);
        assert_eq!(
            sparse["data"].as_array().unwrap().len(),
            rows,
            "page {page}"
        );
    }

    let before = app.statements();
    let all = app.list("leads", &admin, "page_size=10").await;
    assert!(
        app.statements() - before <= 3,
        "the estimate stays within two statements"
    );
    let total = all["total"].as_u64().unwrap();
    match backend {
        // SQLite always counts.
        Backend::Sqlite => {
            assert_eq!(all["total_exact"], true);
            assert_eq!(total, 300);
        }
        // Above the limit PostgreSQL answers the planner's estimate, flagged.
        Backend::Postgres => {
            assert_eq!(all["total_exact"], false);
            assert!(
                (150..=600).contains(&total),
                "a plausible estimate: {total}"
            );
        }
    }
    // A substring matching every row: its count and page come from one scan while the page lies within the
    // first limit + 1 matches, from the usual two beyond; the rows are the same either way.
    for page in [1, 5, 6, 7] {
        let before = app.statements();
        let searched = app
            .list(
                "leads",
                &admin,
                &format!("page_size=10&page={page}&q=ours&sort_by=email&sort_order=desc"),
            )
            .await;
        // The session check, then at most two list statements: the capped count and the page it chose
        // (issue 20), or the page carrying the count.
        assert!(app.statements() - before <= 3, "page {page}");
        let plain = app
            .list(
                "leads",
                &admin,
                &format!("page_size=10&page={page}&sort_by=email&sort_order=desc"),
            )
            .await;
        assert_eq!(ids(&searched), ids(&plain), "page {page}");
        assert_eq!(searched["total_exact"], plain["total_exact"]);
        if matches!(backend, Backend::Postgres) {
            assert_eq!(searched["total_exact"], false);
            assert!(searched["total"].as_u64().unwrap() > 50);
        }
    }

    // A page past the end of the rows still answers.
    let past = app.list("leads", &admin, "page_size=200&page=20").await;
    assert_eq!(past["data"], json!([]));
    assert!(past["total"].as_u64().unwrap() > 50);

    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    seed_leads(&app.db, admin.tenant_id, admin.id, 300, "ours").await;
    let all = app.list("leads", &admin, "page_size=10").await;
    assert_eq!(all["total"], 300, "the default limit is far above 300");
    assert_eq!(all["total_exact"], true);
}

/// Page 1 of a list, then the page its `next_cursor` leads to, with the statements that second request ran
/// (the session check included).
async fn second_page_by_cursor(app: &TestApp, user: &TestUser, query: &str) -> (Value, Value, u64) {
    let first = app.list("leads", user, query).await;
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let before = app.statements();
    let next = app
        .list("leads", user, &format!("{query}&cursor={cursor}"))
        .await;
    let statements = app.statements() - before;
    (first, next, statements)
}

/// Substring lists by cursor, over and under the exact-count limit: the walk matches the offset walk both
/// ways, whatever the sort (nullable keys included), and on PostgreSQL a cursor page of a needle under the
/// limit is one statement (after the session check), its count included; a dense one two.
async fn substring_cursor_pages_walk_over_and_under_the_count_limit(backend: Backend) {
    let app = spawn_app_with(backend, &[("KEEL_EXACT_COUNT_LIMIT", "50")]).await;
    let admin = app.login_as(Role::Admin).await;
    seed_leads(&app.db, admin.tenant_id, admin.id, 120, "ours").await;
    check_cursor_walks(
        &app,
        &admin,
        "leads",
        &[
            // Every row: past the limit.
            "q=ours",
            "q=ours&sort_by=contact_name&sort_order=desc",
            "q=ours&sort_by=email&sort_order=asc",
            // 37 rows (ours 1, 10, 11, 12): under it.
            "company_name=ours%201",
            "company_name=ours%201&sort_by=contact_name&sort_order=asc",
            "company_name=ours%201&sort_by=id&sort_order=desc",
        ],
    )
    .await;

    let (sparse, dense) = (
        (0..120)
            .filter(|i| [1, 10, 11, 12].contains(&(i % 13)))
            .count(),
        120,
    );
    let (first, next, statements) = second_page_by_cursor(
        &app,
        &admin,
        "page_size=3&company_name=ours%201&sort_by=email",
    )
    .await;
    assert_eq!(first["total"], sparse);
    if matches!(backend, Backend::Postgres) {
        assert_eq!(statements, 2, "one list statement");
    }
    assert_eq!(
        (next["total"].clone(), next["total_exact"].clone()),
        (json!(sparse), json!(true))
    );

    let (_, next, statements) = second_page_by_cursor(&app, &admin, "page_size=3&q=ours").await;
    assert!(statements <= 3);
    assert_eq!(next["data"].as_array().unwrap().len(), 3);
    match backend {
        Backend::Sqlite => assert_eq!(next["total"], dense),
        Backend::Postgres => assert_eq!(next["total_exact"], false),
    }
}

both_backends!(
    export_has_every_row_once_with_the_lists_filters_sort_and_values,
    export_quotes_and_neutralises_cells,
    export_is_permission_checked_and_refuses_bad_input,
    cursor_pages_walk_like_offset_pages,
    substring_cursor_pages_walk_over_and_under_the_count_limit,
    bad_cursors_are_400,
    counts_are_exact_under_the_limit,
);

/// `EXPLAIN` of a statement, one plan line per entry.
pub(crate) async fn explain(db: &impl ConnectionTrait, statement: Statement) -> String {
    let explain = Statement::from_sql_and_values(
        statement.db_backend,
        format!("EXPLAIN {}", statement.sql),
        statement.values.map(|v| v.0).unwrap_or_default(),
    );
    db.query_all_raw(explain)
        .await
        .expect("explain")
        .iter()
        .map(|row| row.try_get::<String>("", "QUERY PLAN").unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The plan's checklist (2.6.2): with realistic row counts and fresh statistics — no planner switches — the
/// list (filter and sort), the substring search and the count use indexes.
#[tokio::test]
async fn postgres_report_statements_use_indexes() {
    use server::{
        db::records::list::list_statements,
        domain::{
            params::Params,
            records::query::{Caller, ListQuery},
        },
    };
    let app = spawn_app(Backend::Postgres).await;
    let admin = app.login_as(Role::Admin).await;
    let other = app.signup("Other", "admin@other.test").await;
    for (tenant, user, rows) in [
        (admin.tenant_id, admin.id, 40_000),
        (other.tenant_id, other.id, 10_000),
    ] {
        app.db
            .execute_unprepared(&format!(
                "INSERT INTO leads (tenant_id, company_name, contact_name, email, source, lead_status, assigned_to, created_by, created_at)
                 SELECT {tenant},
                        (ARRAY['Acme','Globex','Initech','Umbrella','Stark','Wayne','Wonka','Tyrell'])[1 + g % 8] || ' ' || substr(md5(g::text), 1, 8) || ' Ltd',
                        CASE WHEN g % 5 = 0 THEN NULL ELSE 'Person ' || (g % 997) END,
                        'p' || g || '@' || substr(md5((g * 7)::text), 1, 6) || '.test',
                        (ARRAY['web','referral','event','ads'])[1 + g % 4],
                        (ARRAY['new','contacted','qualified','proposal','negotiation','won','lost'])[1 + g % 7],
                        CASE WHEN g % 3 = 0 THEN NULL ELSE {user} END,
                        {user},
                        TIMESTAMPTZ '2026-01-01' + g * INTERVAL '3 minutes'
                 FROM generate_series(1, {rows}) AS g"
            ))
            .await
            .expect("seed");
    }
    app.db
        .execute_unprepared("VACUUM ANALYZE leads")
        .await
        .unwrap();
    // The server's pool (the same `db::connect` as this connection) plans every statement for its values: a
    // generic plan of the search walks the tenant in date order instead of using the trigram indexes.
    let mode = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SHOW plan_cache_mode",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<String>("", "plan_cache_mode")
        .unwrap();
    assert_eq!(mode, "force_custom_plan");

    let backend = app.db.get_database_backend();
    let statements = |query: &str| {
        let query = ListQuery::parse(
            &shared::entities::lead::LEAD,
            &Params::parse(Some(query)),
            &Caller { user_id: admin.id },
        )
        .unwrap();
        list_statements(
            &shared::entities::lead::LEAD,
            admin.tenant_id,
            &query.spec(),
            None,
            false,
            Some(10_000),
        )
    };
    let no_seq_scan = |plan: &str, what: &str| {
        assert!(!plan.contains("Seq Scan on leads"), "{what}:\n{plan}");
    };

    // Filter + sort: the (tenant_id, company_name, id) index gives the order, so there is no sort step.
    let list = statements("lead_status=new,won&sort_by=company_name&sort_order=asc");
    let plan = explain(&app.db, backend.build(&list.page)).await;
    no_seq_scan(&plan, "filtered, sorted page");
    assert!(plan.contains("idx_leads_live_company_name"), "{plan}");
    let plan = explain(&app.db, backend.build(&list.count)).await;
    no_seq_scan(&plan, "filtered count");

    // The default sort (newest first) walks its index backwards.
    let list = statements("");
    let plan = explain(&app.db, backend.build(&list.page)).await;
    no_seq_scan(&plan, "default page");
    assert!(plan.contains("idx_leads_live_created_at"), "{plan}");

    // A descending sort on a nullable column has its own DESC NULLS LAST index.
    let list = statements("sort_by=contact_name&sort_order=desc");
    let plan = explain(&app.db, backend.build(&list.page)).await;
    assert!(plan.contains("idx_leads_live_contact_name_desc"), "{plan}");

    // Substring search and filter: trigram indexes on lower(column).
    for query in ["q=3fa9c", "company_name=7e21b", "email=c81e7"] {
        let list = statements(query);
        for (what, statement) in [("page", &list.page), ("count", &list.count)] {
            let plan = explain(&app.db, backend.build(statement)).await;
            no_seq_scan(&plan, &format!("{query} {what}"));
            assert!(plan.contains("idx_leads_trgm_"), "{query} {what}:\n{plan}");
        }
    }
}

/// The indexes the report relies on exist for every entity, derived from the descriptors: a live
/// (tenant_id, key, id) index per plain sort key (plus DESC NULLS LAST for keys that can be NULL), and a
/// trigram index on lower(column) per substring filter and search field.
#[tokio::test]
async fn postgres_every_sort_and_substring_field_has_its_index() {
    let app = spawn_app(Backend::Postgres).await;
    for kind in shared::ENTITY_KINDS {
        let descriptor = kind.descriptor();
        let rows = app
            .db
            .query_all_raw(Statement::from_string(
                app.db.get_database_backend(),
                format!(
                    "SELECT indexdef FROM pg_indexes WHERE tablename = '{}'",
                    descriptor.table
                ),
            ))
            .await
            .unwrap();
        let defs: Vec<String> = rows
            .iter()
            .map(|r| r.try_get::<String>("", "indexdef").unwrap())
            .collect();
        let has = |needle: &str, live: bool| {
            defs.iter()
                .any(|d| d.contains(needle) && (!live || d.ends_with("WHERE (deleted_at IS NULL)")))
        };
        for def in descriptor.fields.iter().filter(|f| f.sortable) {
            if def.display_as.is_some() || def.name == "id" {
                // Joined names sort through the join; id has the (tenant_id, id) unique index.
                continue;
            }
            let name = def.name;
            assert!(
                has(&format!("(tenant_id, {name}, id)"), true),
                "{}.{name}: {defs:#?}",
                descriptor.table
            );
            if !server::db::records::statements::never_null(descriptor, name) {
                assert!(
                    has(
                        &format!("(tenant_id, {name} DESC NULLS LAST, id DESC)"),
                        true
                    ),
                    "{}.{name} DESC NULLS LAST",
                    descriptor.table
                );
            }
        }
        let substring = descriptor
            .fields
            .iter()
            .filter(|f| f.filter == Some(shared::Filter::Contains))
            .map(|f| f.name)
            .chain(descriptor.search_fields.iter().copied());
        for name in substring {
            assert!(
                has(&format!("lower(({name})::text) gin_trgm_ops"), true),
                "{}.{name} trigram: {defs:#?}",
                descriptor.table
            );
        }
    }
}
