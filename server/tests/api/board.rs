//! The pipeline board (issue 18): one column per status of the tenant, in its order, counts and sums equal to
//! the report's, the report's filters and sort, "Show more" by column — in two statements whatever the number
//! of columns, inside the tenant.

use reqwest::StatusCode;
use serde_json::{json, Value};
use shared::Role;

use crate::helpers::{both_backends, spawn_app, Backend, TestApp, TestUser};

both_backends!(
    the_board_groups_the_report_by_status_in_two_statements,
    show_more_pages_one_column,
    boards_refuse_bad_parameters_and_stay_in_their_tenant,
    a_board_follows_the_tenants_statuses,
);

async fn board(app: &TestApp, user: &TestUser, entity: &str, query: &str) -> Value {
    let (status, body) = app
        .get_json(&format!("/api/{entity}/board?{query}"), user)
        .await;
    assert_eq!(status, 200, "{entity} board ?{query}: {body}");
    body
}

fn column<'a>(board: &'a Value, key: &str) -> &'a Value {
    board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == key)
        .unwrap_or_else(|| panic!("no column {key} in {board}"))
}

fn keys(board: &Value) -> Vec<&str> {
    board["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect()
}

fn card_names(column: &Value, field: &str) -> Vec<String> {
    column["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|card| card[field].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn the_board_groups_the_report_by_status_in_two_statements(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let statuses = [
        ("new", 3),
        ("contacted", 2),
        ("qualified", 0),
        ("won", 1),
        ("lost", 1),
    ];
    for (status, how_many) in statuses {
        for n in 0..how_many {
            app.create(
                "leads",
                &admin,
                json!({"company_name": format!("{status} {n}"), "lead_status": status, "contact_name": format!("Contact {n}")}),
            )
            .await;
        }
    }

    let before = app.statements();
    let leads = board(&app, &admin, "leads", "").await;
    assert_eq!(
        app.statements() - before,
        3,
        "1 authentication + the grouped counts + every column's cards"
    );
    assert_eq!(
        keys(&leads),
        [
            "new",
            "contacted",
            "qualified",
            "proposal",
            "negotiation",
            "won",
            "lost"
        ],
        "every status of the tenant, in order, empty ones too"
    );
    assert_eq!(leads["status_field"], "lead_status");
    assert_eq!(leads["total"], 7);
    for (status, how_many) in statuses {
        let column = column(&leads, status);
        let report = app
            .list("leads", &admin, &format!("lead_status={status}"))
            .await;
        assert_eq!(column["count"], report["total"], "{status}");
        assert_eq!(column["count"], how_many, "{status}");
        assert_eq!(column["cards"].as_array().unwrap().len(), how_many);
        assert_eq!(column["more"], false);
        assert_eq!(column["known"], true);
        assert!(column.get("sum").is_none(), "leads have no sum");
    }
    assert_eq!(column(&leads, "won")["category"], "won");
    // The report's default order (newest first), then its filters and sort.
    assert_eq!(
        card_names(column(&leads, "new"), "company_name"),
        ["new 2", "new 1", "new 0"]
    );
    let sorted = board(&app, &admin, "leads", "sort_by=company_name&sort_order=asc").await;
    assert_eq!(
        card_names(column(&sorted, "new"), "company_name"),
        ["new 0", "new 1", "new 2"]
    );
    let before = app.statements();
    let filtered = board(&app, &admin, "leads", "q=new%201").await;
    assert!(app.statements() - before <= 3);
    assert_eq!(filtered["total"], 1);
    assert_eq!(column(&filtered, "new")["count"], 1);
    assert_eq!(column(&filtered, "contacted")["count"], 0);
    let narrowed = board(&app, &admin, "leads", "lead_status=won,lost").await;
    assert_eq!(
        narrowed["total"], 2,
        "a status filter empties the other columns"
    );
    assert_eq!(column(&narrowed, "new")["cards"], json!([]));

    // Projects: the budget sum beside each count.
    let client = app
        .create("clients", &admin, json!({"company_name": "Globex"}))
        .await;
    for (name, status, budget) in [
        ("Alpha", "active", Some("1000.50")),
        ("Beta", "active", Some("250.25")),
        ("Gamma", "planning", None),
    ] {
        app.create(
            "projects",
            &admin,
            json!({"project_name": name, "client_id": client["id"], "project_status": status, "budget": budget}),
        )
        .await;
    }
    let projects = board(&app, &admin, "projects", "").await;
    assert_eq!(column(&projects, "active")["sum"], "1250.75");
    assert_eq!(column(&projects, "active")["count"], 2);
    assert_eq!(column(&projects, "planning")["sum"], "0.00");
    assert_eq!(column(&projects, "completed")["sum"], "0.00");
    assert_eq!(
        card_names(column(&projects, "active"), "client_name"),
        ["Globex", "Globex"],
        "cards carry the joined names a card shows"
    );
    // A viewer reads the board like the report.
    let viewer = app.add_user(&admin, "viewer@acme.test", Role::Viewer).await;
    assert_eq!(board(&app, &viewer, "leads", "").await["total"], 7);
}

async fn show_more_pages_one_column(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    for n in 0..5 {
        app.create(
            "tasks",
            &admin,
            json!({"title": format!("Task {n}"), "due_date": format!("2027-01-0{}", n + 1)}),
        )
        .await;
    }
    app.create(
        "tasks",
        &admin,
        json!({"title": "Done", "task_status": "done"}),
    )
    .await;
    let order = "sort_by=due_date&sort_order=asc";
    let first = board(&app, &admin, "tasks", &format!("per_column=2&{order}")).await;
    let todo = column(&first, "todo");
    assert_eq!(todo["count"], 5);
    assert_eq!(card_names(todo, "title"), ["Task 0", "Task 1"]);
    assert_eq!(todo["more"], true);
    assert_eq!(column(&first, "done")["more"], false);

    let more = board(
        &app,
        &admin,
        "tasks",
        &format!("per_column=2&column=todo&offset=2&{order}"),
    )
    .await;
    assert_eq!(
        card_names(column(&more, "todo"), "title"),
        ["Task 2", "Task 3"]
    );
    assert_eq!(column(&more, "todo")["more"], true);
    assert_eq!(
        column(&more, "todo")["count"],
        5,
        "counts stay every column's"
    );
    assert_eq!(column(&more, "done")["count"], 1);
    assert_eq!(
        column(&more, "done")["cards"],
        json!([]),
        "only the asked column's cards"
    );
    let last = board(
        &app,
        &admin,
        "tasks",
        &format!("per_column=2&column=todo&offset=4&{order}"),
    )
    .await;
    assert_eq!(card_names(column(&last, "todo"), "title"), ["Task 4"]);
    assert_eq!(column(&last, "todo")["more"], false);
    let past = board(&app, &admin, "tasks", "column=todo&offset=40").await;
    assert_eq!(column(&past, "todo")["cards"], json!([]));
}

async fn boards_refuse_bad_parameters_and_stay_in_their_tenant(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    app.create("leads", &admin, json!({"company_name": "Ours"}))
        .await;
    for query in [
        "page=2",
        "page_size=10",
        "cursor=abc",
        "per_column=0",
        "per_column=201",
        "offset=-1",
        "offset=10001",
        "column=Not%20a%20key",
        "color=red",
        "sort_by=nope",
        "per_column=2&per_column=3",
    ] {
        let (status, body) = app
            .get_json(&format!("/api/leads/board?{query}"), &admin)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert!(
            body["error"].is_string() && body["details"].is_array(),
            "{body}"
        );
    }
    let (status, body) = app.get_json("/api/accounts/board", &admin).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "accounts have no status: {body}"
    );
    let (status, _) = app.get_json("/api/nothing/board", &admin).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let other = app.signup("Other", "admin@other.test").await;
    app.create("leads", &other, json!({"company_name": "Theirs"}))
        .await;
    let theirs = board(&app, &other, "leads", "").await;
    assert_eq!(theirs["total"], 1);
    assert_eq!(
        card_names(column(&theirs, "new"), "company_name"),
        ["Theirs"]
    );
    assert_eq!(board(&app, &admin, "leads", "").await["total"], 1);

    app.configure(&admin, |doc| doc["features"]["projects"] = false.into())
        .await;
    let (status, body) = app.get_json("/api/projects/board", &admin).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a module switched off: {body}"
    );
}

async fn a_board_follows_the_tenants_statuses(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let lead = app
        .create(
            "leads",
            &admin,
            json!({"company_name": "Moved", "lead_status": "proposal"}),
        )
        .await;
    // The administrator renames one status, adds one and removes "proposal", moving its records.
    app.configure(&admin, |doc| {
        doc["backend_type"] = "custom".into();
        let statuses = doc["lead_statuses"].as_array_mut().unwrap();
        statuses.retain(|s| s["key"] != "proposal");
        statuses[0]["label"] = "Fresh".into();
        statuses.insert(
            1,
            json!({"key": "meeting", "label": "Meeting", "category": "open"}),
        );
        doc["status_moves"] = json!({"lead": {"proposal": "meeting"}});
    })
    .await;
    let leads = board(&app, &admin, "leads", "").await;
    assert_eq!(
        keys(&leads),
        [
            "new",
            "meeting",
            "contacted",
            "qualified",
            "negotiation",
            "won",
            "lost"
        ]
    );
    assert_eq!(column(&leads, "new")["label"], "Fresh");
    let meeting = column(&leads, "meeting");
    assert_eq!(meeting["count"], 1, "the moved record is in its new column");
    assert_eq!(meeting["cards"][0]["id"], lead["id"]);
}
