//! Saved views (issue 16): `/api/views` and the default view per user and entity — who reads and changes
//! what, every bad input a 400 with details, and views hidden with their module. The rewrite by a status move
//! is tested with the move, in `backend_config`.

use reqwest::{Method, StatusCode};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use shared::{views::default_columns, EntityKind};

use crate::helpers::{both_backends, spawn_app, Backend, TestApp, TestUser};

both_backends!(
    owners_keep_views_and_the_tenant_reads_shared_ones,
    bad_views_are_400_with_every_problem,
    each_user_opens_a_report_with_their_default_view,
    views_of_a_module_switched_off_are_hidden,
    a_view_keeps_its_layout_and_only_status_entities_have_boards,
);

async fn save(app: &TestApp, user: &TestUser, body: Value) -> Value {
    let (status, view) = app.post_json("/api/views", user, body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "saving {body}: {view}");
    view
}

async fn listed(app: &TestApp, user: &TestUser, query: &str) -> Vec<String> {
    let (status, list) = app.get_json(&format!("/api/views{query}"), user).await;
    assert_eq!(status, 200, "{list}");
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|view| view["name"].as_str().unwrap().to_owned())
        .collect()
}

fn path(view: &Value) -> String {
    format!("/api/views/{}", view["id"])
}

fn fields(body: &Value) -> Vec<(String, String)> {
    body["details"]
        .as_array()
        .map(|details| {
            details
                .iter()
                .map(|d| {
                    (
                        d["field"].as_str().unwrap().to_owned(),
                        d["code"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn owners_keep_views_and_the_tenant_reads_shared_ones(backend: Backend) {
    let app = spawn_app(backend).await;
    let team = app.team("views.test").await;
    let other = app.team("elsewhere.test").await;

    let mine = save(
        &app,
        &team.member,
        json!({"entity": "leads", "name": "  My hot leads ", "query": "lead_status=new,contacted&sort_by=company_name&sort_order=asc&page_size=100&assigned_to=me"}),
    )
    .await;
    assert_eq!(mine["name"], "My hot leads", "the name is trimmed");
    assert_eq!(
        mine["query"],
        "lead_status=new,contacted&sort_by=company_name&sort_order=asc&page_size=100&assigned_to=me"
    );
    assert_eq!(
        (&mine["shared"], &mine["pinned"], &mine["is_default"]),
        (&json!(false), &json!(false), &json!(false))
    );
    assert_eq!(mine["owner_id"], team.member.id);
    assert_eq!(mine["can_edit"], true);
    assert_eq!(mine["version"], 1);
    assert_eq!(
        mine["columns"],
        json!(default_columns(EntityKind::Lead)),
        "no columns named: the report's own, in order"
    );
    // A query spelt another way is stored as the app writes it; empty values mean no filter.
    let spelt = save(
        &app,
        &team.member,
        json!({"entity": "leads", "name": "Spelt", "query": "company_name=acme+corp&email=&lead_status=new%2Cwon"}),
    )
    .await;
    assert_eq!(
        spelt["query"],
        "company_name=acme%20corp&lead_status=new,won"
    );

    let shared = save(
        &app,
        &team.member,
        json!({"entity": "leads", "name": "Team pipeline", "shared": true, "pinned": true, "columns": ["lead_status", "company_name"]}),
    )
    .await;
    assert_eq!(shared["columns"], json!(["lead_status", "company_name"]));

    // Everyone in the tenant reads the shared view; only its owner reads the private ones.
    assert_eq!(
        listed(&app, &team.member, "").await,
        ["Team pipeline", "My hot leads", "Spelt"],
        "pinned first, then by name"
    );
    for user in [&team.admin, &team.manager, &team.viewer] {
        assert_eq!(listed(&app, user, "").await, ["Team pipeline"]);
        assert_eq!(app.get_json(&path(&mine), user).await.0, 404);
        let (status, read) = app.get_json(&path(&shared), user).await;
        assert_eq!(status, 200);
        assert_eq!(read["owner_name"], mine["owner_name"]);
    }
    assert!(listed(&app, &other.admin, "").await.is_empty());
    assert!(listed(&app, &team.member, "?entity=clients")
        .await
        .is_empty());

    // Shared views: admins and managers change them too, members and viewers only read them.
    let (_, as_admin) = app.get_json(&path(&shared), &team.admin).await;
    assert_eq!(as_admin["can_edit"], true);
    let (_, as_viewer) = app.get_json(&path(&shared), &team.viewer).await;
    assert_eq!(as_viewer["can_edit"], false);
    let renamed = |name: &str| json!({ "name": name });
    let (status, body) = app
        .call(
            &team.manager,
            Method::PATCH,
            &path(&shared),
            Some(renamed("Pipeline")),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (&body["name"], &body["version"]),
        (&json!("Pipeline"), &json!(2))
    );
    let admins = save(
        &app,
        &team.admin,
        json!({"entity": "leads", "name": "Admin's", "shared": true}),
    )
    .await;
    for user in [&team.member, &team.viewer] {
        let (status, body) = app
            .call(
                user,
                Method::PATCH,
                &path(&admins),
                Some(renamed("Mine now")),
            )
            .await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(
            app.call(user, Method::DELETE, &path(&admins), None).await.0,
            403
        );
    }
    // Another tenant cannot tell the views exist.
    for (method, body) in [
        (Method::GET, None),
        (Method::PATCH, Some(renamed("Theirs"))),
        (Method::DELETE, None),
        (Method::PUT, None),
    ] {
        let target = if method == Method::PUT {
            format!("{}/default", path(&shared))
        } else {
            path(&shared)
        };
        let (status, body) = app.call(&other.admin, method.clone(), &target, body).await;
        assert_eq!(status, 404, "{method} {target}: {body}");
        assert_eq!(body["code"], "not_found");
    }

    // Names are unique per owner and entity, ignoring case; another entity or owner may reuse one.
    let (status, body) = app
        .post_json(
            "/api/views",
            &team.member,
            json!({"entity": "leads", "name": "my HOT leads"}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(fields(&body), [("name".into(), "taken".into())]);
    save(
        &app,
        &team.member,
        json!({"entity": "clients", "name": "My hot leads"}),
    )
    .await;
    save(
        &app,
        &team.manager,
        json!({"entity": "leads", "name": "My hot leads"}),
    )
    .await;

    // A stale version is refused and changes nothing.
    let (status, body) = app
        .call(
            &team.member,
            Method::PATCH,
            &path(&mine),
            Some(json!({"name": "Late", "version": 7})),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        app.get_json(&path(&mine), &team.member).await.1["name"],
        "My hot leads"
    );
    let (status, body) = app
        .call(
            &team.member,
            Method::PATCH,
            &path(&mine),
            Some(json!({"query": "lead_status=won", "columns": ["email"], "pinned": true, "version": 1})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (
            &body["query"],
            &body["columns"],
            &body["pinned"],
            &body["name"]
        ),
        (
            &json!("lead_status=won"),
            &json!(["email"]),
            &json!(true),
            &json!("My hot leads")
        )
    );

    assert_eq!(
        app.call(&team.member, Method::DELETE, &path(&mine), None)
            .await
            .0,
        204
    );
    assert_eq!(app.get_json(&path(&mine), &team.member).await.0, 404);
    assert_eq!(
        app.call(&team.member, Method::DELETE, &path(&mine), None)
            .await
            .0,
        404
    );
}

async fn bad_views_are_400_with_every_problem(backend: Backend) {
    let app = spawn_app(backend).await;
    let team = app.team("bad-views.test").await;
    let user = &team.member;
    let cases: Vec<(Value, Vec<(&str, &str)>)> = vec![
        (
            json!({"entity": "contacts", "name": ""}),
            vec![("entity", "unknown_entity"), ("name", "required")],
        ),
        (
            json!({"entity": "leads", "name": "x", "query": "nonsense=1&sort_by=shoe_size&page_size=0"}),
            vec![
                ("query.nonsense", "unknown_parameter"),
                ("query.sort_by", "unknown_sort"),
                ("query.page_size", "out_of_range"),
            ],
        ),
        (
            json!({"entity": "leads", "name": "x", "query": "page=2&cursor=abc"}),
            vec![
                ("query.page", "not_allowed"),
                ("query.cursor", "not_allowed"),
            ],
        ),
        (
            json!({"entity": "leads", "name": "x", "query": "lead_status=new&lead_status=won"}),
            vec![("query.lead_status", "duplicate")],
        ),
        (
            json!({"entity": "leads", "name": "x", "query": "created_after=yesterday"}),
            vec![("query.created_after", "invalid_date")],
        ),
        (
            json!({"entity": "leads", "name": "x", "columns": ["company_name", "budget", "company_name"]}),
            vec![("columns", "unknown_column"), ("columns", "duplicate")],
        ),
        (
            json!({"entity": "leads", "name": "x", "columns": []}),
            vec![("columns", "required")],
        ),
        (
            json!({"entity": "leads", "name": "n".repeat(101)}),
            vec![("name", "too_long")],
        ),
        (
            json!({"entity": "leads", "name": "x", "owner_id": 1}),
            vec![("owner_id", "unknown_field")],
        ),
    ];
    for (body, expected) in cases {
        let (status, answer) = app.post_json("/api/views", user, body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        let expected: Vec<(String, String)> = expected
            .into_iter()
            .map(|(f, c)| (f.to_owned(), c.to_owned()))
            .collect();
        let mut got = fields(&answer);
        got.sort();
        let mut want = expected.clone();
        want.sort();
        assert_eq!(got, want, "{body}: {answer}");
    }
    assert!(
        listed(&app, user, "").await.is_empty(),
        "nothing was written"
    );

    let view = save(&app, user, json!({"entity": "leads", "name": "Fine"})).await;
    for (patch, expected) in [
        (
            json!({"name": null, "shared": null}),
            vec!["name", "shared"],
        ),
        (json!({"query": "page=3"}), vec!["query.page"]),
        (json!({"columns": ["nope"]}), vec!["columns"]),
        (json!({"entity": "clients"}), vec!["entity"]),
    ] {
        let (status, answer) = app
            .call(user, Method::PATCH, &path(&view), Some(patch.clone()))
            .await;
        assert_eq!(status, 400, "{patch}: {answer}");
        let got: Vec<String> = fields(&answer).into_iter().map(|(f, _)| f).collect();
        assert_eq!(got, expected, "{patch}");
    }
    let (_, unchanged) = app.get_json(&path(&view), user).await;
    assert_eq!(unchanged["version"], 1);

    let (status, answer) = app.get_json("/api/views?entity=contacts", user).await;
    assert_eq!(
        (status, fields(&answer)[0].0.as_str()),
        (StatusCode::BAD_REQUEST, "entity")
    );
    let (status, _) = app.get_json("/api/views?colour=red", user).await;
    assert_eq!(status, 400);
    let malformed = app
        .authed(Method::POST, "/api/views", &user.token)
        .header("content-type", "application/json")
        .body("{\"entity\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    let (status, _) = app.get_json("/api/views/abc", user).await;
    assert_eq!(status, 404);
    let anonymous = app.get("/api/views").await;
    assert_eq!(anonymous.status(), 401);
}

async fn each_user_opens_a_report_with_their_default_view(backend: Backend) {
    let app = spawn_app(backend).await;
    let team = app.team("defaults.test").await;
    let shared = save(
        &app,
        &team.manager,
        json!({"entity": "leads", "name": "Open", "query": "lead_status=new", "shared": true}),
    )
    .await;
    let own = save(
        &app,
        &team.member,
        json!({"entity": "leads", "name": "Mine"}),
    )
    .await;
    let default_of = |view: &Value| format!("{}/default", path(view));

    let (status, body) = app
        .call(&team.member, Method::PUT, &default_of(&shared), None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["is_default"], true);
    assert_eq!(
        app.get_json(&path(&shared), &team.manager).await.1["is_default"],
        false,
        "a default is the user's own choice"
    );
    // One default per user and entity: choosing another replaces it.
    app.call(&team.member, Method::PUT, &default_of(&own), None)
        .await;
    let (_, list) = app.get_json("/api/views?entity=leads", &team.member).await;
    let defaults: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["is_default"] == true)
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(defaults, ["Mine"]);
    assert_eq!(
        app.call(&team.member, Method::DELETE, &default_of(&shared), None)
            .await
            .0,
        404,
        "not the default any more"
    );
    assert_eq!(
        app.call(&team.member, Method::DELETE, &default_of(&own), None)
            .await
            .0,
        204
    );
    assert_eq!(
        app.get_json(&path(&own), &team.member).await.1["is_default"],
        false
    );

    // A view that stops being shared stops being anyone else's default.
    app.call(&team.viewer, Method::PUT, &default_of(&shared), None)
        .await;
    let (status, _) = app
        .call(
            &team.manager,
            Method::PATCH,
            &path(&shared),
            Some(json!({"shared": false})),
        )
        .await;
    assert_eq!(status, 200);
    app.call(
        &team.manager,
        Method::PATCH,
        &path(&shared),
        Some(json!({"shared": true})),
    )
    .await;
    assert_eq!(
        app.get_json(&path(&shared), &team.viewer).await.1["is_default"],
        false
    );
    assert_eq!(app.count_rows("user_default_views").await, 0);
}

async fn views_of_a_module_switched_off_are_hidden(backend: Backend) {
    let app = spawn_app(backend).await;
    let team = app.team("modules-views.test").await;
    let tasks = save(
        &app,
        &team.admin,
        json!({"entity": "tasks", "name": "Due", "shared": true}),
    )
    .await;
    save(
        &app,
        &team.admin,
        json!({"entity": "leads", "name": "Leads"}),
    )
    .await;
    app.configure(&team.admin, |doc| doc["features"]["tasks"] = false.into())
        .await;
    assert_eq!(listed(&app, &team.admin, "").await, ["Leads"]);
    assert_eq!(app.get_json(&path(&tasks), &team.member).await.0, 404);
    let (status, body) = app
        .post_json(
            "/api/views",
            &team.admin,
            json!({"entity": "tasks", "name": "Again"}),
        )
        .await;
    assert_eq!(
        (status, fields(&body)),
        (
            StatusCode::BAD_REQUEST,
            vec![("entity".into(), "module_off".into())]
        )
    );
    app.configure(&team.admin, |doc| doc["features"]["tasks"] = true.into())
        .await;
    assert_eq!(
        listed(&app, &team.member, "").await,
        ["Due"],
        "back with its module"
    );
}

async fn a_view_keeps_its_layout_and_only_status_entities_have_boards(backend: Backend) {
    let app = spawn_app(backend).await;
    let team = app.team("layouts.test").await;

    let table = save(
        &app,
        &team.member,
        json!({"entity": "leads", "name": "Table"}),
    )
    .await;
    assert_eq!(
        table["layout"], "table",
        "a view is a table unless it says otherwise"
    );
    let board = save(
        &app,
        &team.member,
        json!({"entity": "projects", "name": "Pipeline", "layout": "board", "query": "project_status=planning,active"}),
    )
    .await;
    assert_eq!(board["layout"], "board");
    let (_, read) = app.get_json(&path(&board), &team.member).await;
    assert_eq!(read["layout"], "board");

    // Opened on the other layout and saved there: Update view sends the page's layout.
    let (status, body) = app
        .call(
            &team.member,
            Method::PATCH,
            &path(&table),
            Some(json!({"layout": "board", "version": 1})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (&body["layout"], &body["version"]),
        (&json!("board"), &json!(2))
    );
    let (status, body) = app
        .call(
            &team.member,
            Method::PATCH,
            &path(&table),
            Some(json!({"name": "Renamed"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["layout"], "board", "a patch without a layout keeps it");

    // Accounts have no status, so no board; a layout is one of two words and never null.
    let (status, body) = app
        .post_json(
            "/api/views",
            &team.member,
            json!({"entity": "accounts", "name": "Accounts board", "layout": "board"}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        fields(&body),
        [("layout".to_owned(), "no_board".to_owned())]
    );
    let accounts = save(
        &app,
        &team.member,
        json!({"entity": "accounts", "name": "Accounts"}),
    )
    .await;
    for bad in [
        json!({"layout": "board"}),
        json!({"layout": null}),
        json!({"layout": "grid"}),
    ] {
        let (status, body) = app
            .call(
                &team.member,
                Method::PATCH,
                &path(&accounts),
                Some(bad.clone()),
            )
            .await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(
            body["code"].is_string() && body["error"].is_string(),
            "{body}"
        );
    }
    let (_, unchanged) = app.get_json(&path(&accounts), &team.member).await;
    assert_eq!(
        (&unchanged["layout"], &unchanged["version"]),
        (&json!("table"), &json!(1))
    );

    // The database holds the same rule for a write that skips the API.
    let refused = app
        .db
        .execute_unprepared(&format!(
            "UPDATE saved_views SET layout = 'board' WHERE id = {}",
            accounts["id"]
        ))
        .await;
    assert!(refused.is_err(), "a board view of accounts was stored");
    let refused = app
        .db
        .execute_unprepared(&format!(
            "UPDATE saved_views SET layout = 'kanban' WHERE id = {}",
            board["id"]
        ))
        .await;
    assert!(refused.is_err(), "an unknown layout was stored");
}
