//! The dashboard (issue 18): its counts are the list API's totals for the same filters, the project pipeline
//! sums what was created, this week's leads land in this week, "my open tasks" are mine and open with the
//! overdue ones flagged, another tenant's records never count, switched-off modules are left out, non-admins
//! see only record changes, and a request costs the session check plus at most one statement per widget.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::Role;

use crate::helpers::{both_backends, spawn_app, Backend, TestApp, TestUser};

both_backends!(
    figures_equal_the_lists_and_what_was_created,
    my_open_tasks_are_mine_open_and_by_due_date,
    tenants_and_switched_off_modules_are_left_out,
    latest_changes_follow_the_role,
    a_request_costs_one_statement_per_widget,
    bad_requests_are_enveloped,
);

async fn dashboard(app: &TestApp, user: &TestUser) -> Value {
    let (status, body) = app.get_json("/api/dashboard", user).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn entity<'a>(dashboard: &'a Value, plural: &str) -> Option<&'a Value> {
    dashboard["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entity"] == plural)
}

fn entities(dashboard: &Value) -> Vec<&str> {
    dashboard["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["entity"].as_str().unwrap())
        .collect()
}

/// `(key, count)` of every status an entity's figures list.
fn counts(figures: &Value) -> Vec<(String, u64)> {
    figures["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["key"].as_str().unwrap().to_owned(),
                s["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn this_week(dashboard: &Value) -> &Value {
    let weeks = dashboard["leads_per_week"].as_array().unwrap();
    assert_eq!(weeks.len(), 12);
    weeks.last().unwrap()
}

fn money(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

async fn seed_leads(app: &TestApp, user: &TestUser, statuses: &[&str]) -> Vec<Value> {
    let mut created = Vec::new();
    for (index, status) in statuses.iter().enumerate() {
        created.push(
            app.create(
                "leads",
                user,
                json!({"company_name": format!("Lead {index}"), "lead_status": status}),
            )
            .await,
        );
    }
    created
}

async fn figures_equal_the_lists_and_what_was_created(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let leads = seed_leads(
        &app,
        &admin,
        &[
            "new",
            "new",
            "new",
            "contacted",
            "contacted",
            "won",
            "lost",
            "new",
        ],
    )
    .await;
    // In the trash: counted nowhere.
    let (status, _) = app.delete("leads", &admin, &leads[7]["id"]).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let client = app
        .create(
            "clients",
            &admin,
            json!({"company_name": "Globex", "client_status": "active"}),
        )
        .await;
    app.create("clients", &admin, json!({"company_name": "Initech"}))
        .await;
    let projects: [(&str, Option<i64>); 5] = [
        ("planning", Some(100_050)),
        ("planning", Some(25_000)),
        ("planning", None),
        ("active", Some(9_999)),
        ("completed", Some(500_000)),
    ];
    let mut budgets: BTreeMap<&str, i64> = BTreeMap::new();
    for (index, (status, budget)) in projects.iter().enumerate() {
        let mut body = json!({"project_name": format!("Project {index}"), "client_id": client["id"],
            "project_status": status});
        if let Some(cents) = budget {
            body["budget"] = money(*cents).into();
        }
        app.create("projects", &admin, body).await;
        *budgets.entry(status).or_default() += budget.unwrap_or(0);
    }
    for (title, status) in [("Call", "todo"), ("Write", "done"), ("Ship", "review")] {
        app.create(
            "tasks",
            &admin,
            json!({"title": title, "task_status": status}),
        )
        .await;
    }

    let figures = dashboard(&app, &admin).await;
    assert_eq!(
        entities(&figures),
        ["leads", "clients", "projects", "tasks"],
        "every status entity, in the registry's order"
    );
    // Every count is the list's total for the same filter; the tenant's order, zero statuses included.
    for plural in ["leads", "clients", "projects", "tasks"] {
        let figures = entity(&figures, plural).unwrap();
        let field = figures["status_field"].as_str().unwrap();
        let mut total = 0;
        for (key, count) in counts(figures) {
            let listed = app
                .list(plural, &admin, &format!("{field}={key}&page_size=1"))
                .await;
            assert_eq!(listed["total"], count, "{plural} {field}={key}");
            total += count;
        }
        assert_eq!(figures["total"], total);
        assert_eq!(
            app.list(plural, &admin, "page_size=1").await["total"],
            total,
            "{plural}: every live record is in some status"
        );
    }
    let lead_counts = counts(entity(&figures, "leads").unwrap());
    let expected: Vec<(String, u64)> = [
        ("new", 3),
        ("contacted", 2),
        ("qualified", 0),
        ("proposal", 0),
        ("negotiation", 0),
        ("won", 1),
        ("lost", 1),
    ]
    .into_iter()
    .map(|(key, n)| (key.to_owned(), n))
    .collect();
    assert_eq!(lead_counts, expected);
    let statuses = entity(&figures, "leads").unwrap()["statuses"].clone();
    assert_eq!(
        (
            &statuses[0]["label"],
            &statuses[0]["category"],
            &statuses[0]["known"]
        ),
        (&json!("New"), &json!("open"), &json!(true))
    );
    assert_eq!(statuses[5]["category"], "won");
    assert!(statuses[0].get("sum").is_none(), "only projects sum");

    // The pipeline: each status's budgets, and all of them.
    let pipeline = entity(&figures, "projects").unwrap();
    for status in pipeline["statuses"].as_array().unwrap() {
        let key = status["key"].as_str().unwrap();
        assert_eq!(
            status["sum"],
            money(budgets.get(key).copied().unwrap_or(0)),
            "{key}"
        );
    }
    assert_eq!(pipeline["sum"], money(budgets.values().sum()));
    assert_eq!(
        entity(&figures, "leads").unwrap().get("sum"),
        None,
        "only projects carry a sum"
    );

    // This week's leads are in the last of twelve weeks (the trashed one is not), and the report link's
    // range lists them.
    let week = this_week(&figures);
    let today = figures["today"].as_str().unwrap();
    let (start, end) = (
        week["week_start"].as_str().unwrap(),
        week["week_end"].as_str().unwrap(),
    );
    assert!(start <= today && today <= end, "{start} ≤ {today} ≤ {end}");
    assert_eq!(week["count"], 7);
    let weeks = figures["leads_per_week"].as_array().unwrap();
    assert!(weeks[..11].iter().all(|w| w["count"] == 0));
    assert!(
        weeks
            .windows(2)
            .all(|pair| pair[0]["week_start"].as_str().unwrap()
                < pair[1]["week_start"].as_str().unwrap()),
        "oldest first"
    );
    let listed = app
        .list(
            "leads",
            &admin,
            &format!("created_after={start}&created_before={end}&page_size=1"),
        )
        .await;
    assert_eq!(listed["total"], week["count"]);
}

async fn my_open_tasks_are_mine_open_and_by_due_date(backend: Backend) {
    let app = spawn_app(backend).await;
    let team = app.team("tasks.test").await;
    let (admin, member) = (&team.admin, &team.member);
    let task = |title: &str, status: &str, due: Option<&str>, assignee: i64| {
        let mut body = json!({"title": title, "task_status": status, "assigned_to": assignee});
        if let Some(due) = due {
            body["due_date"] = due.into();
        }
        body
    };
    // Mine and open: one long overdue, one due far ahead, nine without a date (past the ten shown).
    let overdue = app
        .create(
            "tasks",
            admin,
            task("Overdue", "in_progress", Some("2020-01-02"), member.id),
        )
        .await;
    let ahead = app
        .create(
            "tasks",
            admin,
            task("Ahead", "todo", Some("2999-12-31"), member.id),
        )
        .await;
    for index in 0..9 {
        app.create(
            "tasks",
            admin,
            task(&format!("Someday {index}"), "review", None, member.id),
        )
        .await;
    }
    // Not open, or not mine, or in the trash.
    app.create(
        "tasks",
        admin,
        task("Done", "done", Some("2020-01-01"), member.id),
    )
    .await;
    app.create(
        "tasks",
        admin,
        task("Cancelled", "cancelled", None, member.id),
    )
    .await;
    app.create(
        "tasks",
        admin,
        task("Theirs", "todo", Some("2020-01-01"), admin.id),
    )
    .await;
    let trashed = app
        .create(
            "tasks",
            admin,
            task("Trashed", "todo", Some("2020-01-01"), member.id),
        )
        .await;
    app.delete("tasks", admin, &trashed["id"]).await;

    let figures = dashboard(&app, member).await;
    let mine = &figures["my_tasks"];
    assert_eq!(mine["total"], 11);
    let tasks = mine["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 10, "the first ten");
    assert_eq!(
        (&tasks[0]["id"], &tasks[0]["overdue"], &tasks[0]["due_date"]),
        (&overdue["id"], &json!(true), &json!("2020-01-02"))
    );
    assert_eq!(tasks[0]["status"], "in_progress");
    assert_eq!(tasks[0]["status_label"], "In progress");
    assert_eq!(
        (&tasks[1]["id"], &tasks[1]["overdue"]),
        (&ahead["id"], &json!(false))
    );
    assert!(tasks[2..]
        .iter()
        .all(|t| t["due_date"].is_null() && t["overdue"] == false && t["status"] == "review"));
    let ids: Vec<i64> = tasks[2..]
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "then by id");
    // The same set as the task list filtered the way the dashboard links it.
    let listed = app
        .list(
            "tasks",
            member,
            "assigned_to=me&task_status=todo,in_progress,review&page_size=1",
        )
        .await;
    assert_eq!(listed["total"], mine["total"]);

    // The admin's own: one, overdue.
    let theirs = dashboard(&app, admin).await;
    let theirs = theirs["my_tasks"]["tasks"].as_array().unwrap().clone();
    assert_eq!(theirs.len(), 1);
    assert_eq!(
        (&theirs[0]["title"], &theirs[0]["overdue"]),
        (&json!("Theirs"), &json!(true))
    );
    // The viewer has none.
    let viewer = dashboard(&app, &team.viewer).await;
    assert_eq!(viewer["my_tasks"], json!({"total": 0, "tasks": []}));
}

async fn tenants_and_switched_off_modules_are_left_out(backend: Backend) {
    let app = spawn_app(backend).await;
    let ours = app.signup("Ours", "admin@ours.test").await;
    let theirs = app.signup("Theirs", "admin@theirs.test").await;
    seed_leads(&app, &theirs, &["new", "new", "won"]).await;
    let client = app
        .create("clients", &theirs, json!({"company_name": "Theirs Ltd"}))
        .await;
    app.create(
        "projects",
        &theirs,
        json!({"project_name": "Big", "client_id": client["id"], "budget": "1000000.00"}),
    )
    .await;
    app.create(
        "tasks",
        &theirs,
        json!({"title": "Theirs", "assigned_to": theirs.id, "due_date": "2020-01-01"}),
    )
    .await;
    let lead = app
        .create("leads", &ours, json!({"company_name": "Our lead"}))
        .await;

    let figures = dashboard(&app, &ours).await;
    assert_eq!(entity(&figures, "leads").unwrap()["total"], 1);
    for plural in ["clients", "projects", "tasks"] {
        assert_eq!(entity(&figures, plural).unwrap()["total"], 0, "{plural}");
    }
    assert_eq!(entity(&figures, "projects").unwrap()["sum"], "0.00");
    assert_eq!(this_week(&figures)["count"], 1);
    assert_eq!(figures["my_tasks"]["total"], 0);
    let changes = figures["latest_changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "only our own entries: {changes:?}");
    assert_eq!(
        (
            &changes[0]["entity"],
            &changes[0]["record_id"],
            &changes[0]["title"]
        ),
        (&json!("leads"), &lead["id"], &json!("Our lead"))
    );
    assert_eq!(changes[0]["action"], "create");
    assert_eq!(changes[0]["action_label"], "Created");

    // Projects and tasks switched off: no figures, no task list, no entries of theirs.
    app.create(
        "tasks",
        &ours,
        json!({"title": "Hidden", "assigned_to": ours.id}),
    )
    .await;
    app.configure(&ours, |doc| {
        doc["features"]["projects"] = false.into();
        doc["features"]["tasks"] = false.into();
    })
    .await;
    let figures = dashboard(&app, &ours).await;
    assert_eq!(entities(&figures), ["leads", "clients"]);
    assert_eq!(figures["my_tasks"], Value::Null);
    let changes = figures["latest_changes"].as_array().unwrap();
    assert!(
        changes.iter().all(|c| c["entity"] != "tasks"),
        "{changes:?}"
    );
    assert_eq!(
        changes.iter().filter(|c| c["entity"] == "config").count(),
        1,
        "the admin sees the configuration save"
    );
}

async fn latest_changes_follow_the_role(backend: Backend) {
    let app = spawn_app(backend).await;
    let team = app.team("roles.test").await;
    let lead = app
        .create("leads", &team.member, json!({"company_name": "Acme"}))
        .await;
    let gone = app
        .create("leads", &team.member, json!({"company_name": "Gone"}))
        .await;
    app.delete("leads", &team.member, &gone["id"]).await;
    let (status, _) = app
        .patch(
            "leads",
            &team.member,
            &lead["id"],
            json!({"version": 1, "company_name": "Acme Corp"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    app.configure(&team.admin, |doc| {
        doc["features"]["accounts"] = false.into();
    })
    .await;

    let admin = dashboard(&app, &team.admin).await;
    let entries: Vec<(&str, &str)> = admin["latest_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["entity"].as_str().unwrap(), c["action"].as_str().unwrap()))
        .collect();
    assert_eq!(
        entries[..4],
        [
            ("config", "configure"),
            ("leads", "update"),
            ("leads", "delete"),
            ("leads", "create")
        ],
        "newest first"
    );
    assert!(
        entries.contains(&("users", "user_create")),
        "the admin sees user administration: {entries:?}"
    );
    assert!(entries.len() <= 10);

    for user in [&team.manager, &team.member, &team.viewer] {
        let figures = dashboard(&app, user).await;
        let changes = figures["latest_changes"].as_array().unwrap();
        assert_eq!(changes.len(), 4, "{changes:?}");
        assert!(
            changes.iter().all(|c| c["entity"] == "leads"),
            "no configuration or user entries for a non-admin: {changes:?}"
        );
        // The title the record has now; none for a record in the trash.
        assert_eq!(changes[0]["title"], "Acme Corp");
        assert_eq!(changes[0]["action_label"], "Changed");
        assert_eq!(changes[0]["user_name"], "member member@roles.test");
        assert_eq!(changes[1]["record_id"], gone["id"]);
        assert_eq!(changes[1]["title"], Value::Null);
        assert_eq!(changes[3]["title"], "Acme Corp");
    }
}

async fn a_request_costs_one_statement_per_widget(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let mut used = Vec::new();
    for round in 0..2 {
        // More data changes nothing.
        seed_leads(&app, &admin, &["new", "contacted", "won"]).await;
        let client = app
            .create(
                "clients",
                &admin,
                json!({"company_name": format!("Client {round}")}),
            )
            .await;
        app.create(
            "projects",
            &admin,
            json!({"project_name": "P", "client_id": client["id"], "budget": "10.00"}),
        )
        .await;
        app.create(
            "tasks",
            &admin,
            json!({"title": "T", "assigned_to": admin.id}),
        )
        .await;
        // The configuration is read once per version and cached: the first request pays for it.
        dashboard(&app, &admin).await;
        let before = app.statements();
        dashboard(&app, &admin).await;
        used.push(app.statements() - before);
    }
    // The session check, four status entities (the project pipeline is the projects' statement), leads per
    // week, my open tasks, the latest changes.
    assert_eq!(used, [1 + 4 + 3, 1 + 4 + 3]);

    app.configure(&admin, |doc| {
        doc["features"]["projects"] = false.into();
        doc["features"]["tasks"] = false.into();
    })
    .await;
    dashboard(&app, &admin).await;
    let before = app.statements();
    dashboard(&app, &admin).await;
    assert_eq!(
        app.statements() - before,
        1 + 2 + 2,
        "leads and clients, leads per week, the latest changes"
    );
}

async fn bad_requests_are_enveloped(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let (status, body) = app.get_json("/api/dashboard?entity=leads", &admin).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "validation_failed");
    assert_eq!(body["details"][0]["field"], "entity");
    assert_eq!(body["details"][0]["code"], "unknown_parameter");

    let response = app.get("/api/dashboard").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "unauthorized");

    let (status, body) = app
        .call(&admin, Method::POST, "/api/dashboard", Some(json!({})))
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["code"], "method_not_allowed");
}
