//! Custom backends (issue 14): the configuration endpoints, and the tenant's rules on every write path — on
//! both databases.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::Role;

use crate::helpers::{both_backends, spawn_app, Backend, TestApp, TestUser};

both_backends!(
    only_admins_read_and_change_the_configuration,
    a_custom_status_end_to_end_and_removal_moves_every_record,
    a_refused_save_writes_nothing,
    validation_rules_hold_at_their_limit_and_refuse_one_past_it,
    old_records_stay_editable_and_rules_bite_on_a_status_change,
    workflow_transitions_initial_and_required_on_enter,
    a_module_switched_off_is_404_and_its_data_returns,
    bad_documents_are_400_with_every_problem_on_its_path,
    tenants_never_affect_each_other,
    rules_add_no_statement_to_lists_and_creates,
    another_instance_sees_a_save_on_its_next_request,
    the_browser_and_the_server_give_the_same_answer,
    random_config_edits_and_writes_never_strand_or_lose_a_record,
);

fn custom(doc: &mut Value) {
    doc["backend_type"] = "custom".into();
}

fn add_status(doc: &mut Value, list: &str, status: Value) {
    doc[list].as_array_mut().unwrap().push(status);
}

fn remove_status(doc: &mut Value, list: &str, key: &str) {
    doc[list]
        .as_array_mut()
        .unwrap()
        .retain(|s| s["key"] != key);
}

fn keys(doc: &Value, list: &str) -> Vec<String> {
    doc[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap().to_owned())
        .collect()
}

fn fields_of(body: &Value) -> Vec<&str> {
    body["details"]
        .as_array()
        .map(|d| d.iter().map(|e| e["field"].as_str().unwrap()).collect())
        .unwrap_or_default()
}

fn codes_of(body: &Value) -> Vec<&str> {
    body["details"]
        .as_array()
        .map(|d| d.iter().map(|e| e["code"].as_str().unwrap()).collect())
        .unwrap_or_default()
}

async fn create_status(
    app: &TestApp,
    user: &TestUser,
    entity: &str,
    body: Value,
) -> (StatusCode, Value) {
    app.post_json(&format!("/api/{entity}"), user, body).await
}

async fn only_admins_read_and_change_the_configuration(backend: Backend) {
    let app = spawn_app(backend).await;
    let team = app.team("roles.test").await;
    let doc = app.backend_config(&team.admin).await;
    assert_eq!(doc["backend_type"], "default");
    assert_eq!(doc["version"], 1);
    assert_eq!(
        keys(&doc, "lead_statuses")[..3],
        ["new", "contacted", "qualified"]
    );
    assert_eq!(doc["lead_statuses"][5]["category"], "won");
    assert_eq!(
        doc["features"],
        json!({"projects": true, "accounts": true, "tasks": true})
    );

    for (role, user) in team.by_role() {
        let (status, body) = app.get_json("/api/backend-config", user).await;
        assert_eq!(status, 200, "{role:?} reads what forms need");
        assert_eq!(body["lead_statuses"], doc["lead_statuses"]);
        if role == Role::Admin {
            continue;
        }
        let (status, body) = app.get_json("/api/admin/backend-config", user).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden")),
            "{role:?}"
        );
        let (status, _) = app.put_backend_config(user, doc.clone()).await;
        assert_eq!(status, 403, "{role:?} PUT");
        let (status, _) = app
            .post_json("/api/admin/backend-config/preview", user, doc.clone())
            .await;
        assert_eq!(status, 403, "{role:?} preview");
    }
    assert_eq!(
        app.backend_config(&team.admin).await["version"],
        1,
        "nothing was written"
    );
}

/// The plan's checklist 4.7 through the API, and a removal in use: refused with counts, then moved.
async fn a_custom_status_end_to_end_and_removal_moves_every_record(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let saved = app
        .configure(&admin, |doc| {
            custom(doc);
            add_status(doc, "lead_statuses", "under_review".into());
        })
        .await;
    assert_eq!(saved["version"], 2);
    assert_eq!(
        saved["lead_statuses"][7],
        json!({"key": "under_review", "label": "Under review", "category": "open"})
    );
    let (_, statuses) = app.get_json("/api/statuses?entity=lead", &admin).await;
    assert_eq!(statuses[7]["key"], "under_review");

    let (status, refused) = create_status(
        &app,
        &admin,
        "leads",
        json!({"company_name": "Nope", "lead_status": "pending"}),
    )
    .await;
    assert_eq!(
        (status, codes_of(&refused)),
        (StatusCode::BAD_REQUEST, vec!["invalid_status"])
    );
    let live = app
        .create(
            "leads",
            &admin,
            json!({"company_name": "Live", "lead_status": "under_review"}),
        )
        .await;
    let trashed = app
        .create(
            "leads",
            &admin,
            json!({"company_name": "Trashed", "lead_status": "under_review"}),
        )
        .await;
    let untouched = app
        .create("leads", &admin, json!({"company_name": "New one"}))
        .await;
    assert_eq!(app.delete("leads", &admin, &trashed["id"]).await.0, 204);
    // Saved views filtering on it follow the move (issue 16); one already naming the target names it once.
    let (_, reviewing) = app
        .post_json(
            "/api/views",
            &admin,
            json!({"entity": "leads", "name": "Reviewing", "query": "lead_status=under_review&sort_by=company_name"}),
        )
        .await;
    let (_, both) = app
        .post_json(
            "/api/views",
            &admin,
            json!({"entity": "leads", "name": "Both", "query": "lead_status=qualified,under_review"}),
        )
        .await;
    let (_, unrelated) = app
        .post_json(
            "/api/views",
            &admin,
            json!({"entity": "leads", "name": "New only", "query": "lead_status=new"}),
        )
        .await;

    // Removing it while records use it: 409 with the counts, nothing written.
    let mut doc = app.backend_config(&admin).await;
    remove_status(&mut doc, "lead_statuses", "under_review");
    let (status, conflict) = app.put_backend_config(&admin, doc.clone()).await;
    assert_eq!(status, 409, "{conflict}");
    assert_eq!(
        conflict["details"][0]["field"],
        "status_moves.lead.under_review"
    );
    assert_eq!(conflict["details"][0]["code"], "status_in_use");
    assert_eq!(
        conflict["details"][0]["message"],
        "2 leads (1 in the trash) use Under review: choose a status to move them to"
    );
    assert_eq!(app.backend_config(&admin).await["version"], 2);

    // The preview says what the same PUT with a move would do.
    doc["status_moves"] = json!({"lead": {"under_review": "qualified"}});
    let (status, preview) = app
        .post_json("/api/admin/backend-config/preview", &admin, doc.clone())
        .await;
    assert_eq!(status, 200);
    assert_eq!(preview["valid"], true, "{preview}");
    assert_eq!(preview["summary"], "removes 1 status, moves 2 leads");
    assert_eq!(preview["statuses"]["lead"]["removed"][0]["live"], 1);
    assert_eq!(preview["statuses"]["lead"]["removed"][0]["trashed"], 1);
    assert_eq!(
        app.backend_config(&admin).await["version"],
        2,
        "a preview writes nothing"
    );

    let (status, saved) = app.put_backend_config(&admin, doc).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["version"], 3);
    assert!(!keys(&saved, "lead_statuses").contains(&"under_review".to_owned()));
    let (_, moved) = app.read("leads", &admin, &live["id"]).await;
    assert_eq!(moved["lead_status"], "qualified");
    assert_eq!(
        moved["version"], 2,
        "a move is a write: the version is bumped"
    );
    let (_, trash) = app.trash("leads", &admin).await;
    assert_eq!(
        trash["data"][0]["lead_status"], "qualified",
        "trashed records move too"
    );
    let (_, same) = app.read("leads", &admin, &untouched["id"]).await;
    assert_eq!(same["version"], 1);
    let view = |view: &Value| format!("/api/views/{}", view["id"]);
    let (_, rewritten) = app.get_json(&view(&reviewing), &admin).await;
    assert_eq!(
        rewritten["query"],
        "lead_status=qualified&sort_by=company_name"
    );
    assert_eq!(rewritten["version"], 2);
    let (_, rewritten) = app.get_json(&view(&both), &admin).await;
    assert_eq!(rewritten["query"], "lead_status=qualified");
    let (_, kept) = app.get_json(&view(&unrelated), &admin).await;
    assert_eq!(
        (&kept["query"], &kept["version"]),
        (&json!("lead_status=new"), &json!(1))
    );
    let (status, refused) = create_status(
        &app,
        &admin,
        "leads",
        json!({"company_name": "Late", "lead_status": "under_review"}),
    )
    .await;
    assert_eq!(
        (status, codes_of(&refused)),
        (StatusCode::BAD_REQUEST, vec!["invalid_status"])
    );
    assert_eq!(
        app.list("leads", &admin, "").await["total"],
        2,
        "no lead lost"
    );
    assert_eq!(app.count_rows("config_changes").await, 2);
}

async fn a_refused_save_writes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    app.configure(&admin, |doc| {
        custom(doc);
        add_status(doc, "lead_statuses", "under_review".into());
    })
    .await;
    let lead = app
        .create(
            "leads",
            &admin,
            json!({"company_name": "Acme", "lead_status": "under_review"}),
        )
        .await;

    // A stale version: 409, nothing written.
    let mut stale = app.backend_config(&admin).await;
    stale["version"] = 1.into();
    add_status(&mut stale, "task_statuses", "blocked".into());
    let (status, body) = app.put_backend_config(&admin, stale).await;
    assert_eq!(
        (status, fields_of(&body)),
        (StatusCode::CONFLICT, vec!["version"])
    );

    // A save that fails half-way (the move is refused by the new rules, after statuses were planned): nothing.
    let mut doc = app.backend_config(&admin).await;
    add_status(&mut doc, "task_statuses", "blocked".into());
    remove_status(&mut doc, "lead_statuses", "under_review");
    doc["status_moves"] = json!({"lead": {"under_review": "qualified"}});
    doc["workflow_rules"] = json!({"lead": {"require_on_enter": {"qualified": ["email"]}}});
    let (status, body) = app.put_backend_config(&admin, doc).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["details"][0]["code"], "move_refused");
    assert_eq!(
        body["details"][0]["message"],
        format!(
            "1 lead cannot move to Qualified: Email is required for a lead in Qualified (ids {})",
            lead["id"]
        )
    );
    let after = app.backend_config(&admin).await;
    assert_eq!(after["version"], 2);
    assert!(keys(&after, "lead_statuses").contains(&"under_review".to_owned()));
    assert!(!keys(&after, "task_statuses").contains(&"blocked".to_owned()));
    assert_eq!(after["workflow_rules"], json!({}));
    assert_eq!(app.read("leads", &admin, &lead["id"]).await.1["version"], 1);
    assert_eq!(app.count_rows("config_changes").await, 1);
}

async fn validation_rules_hold_at_their_limit_and_refuse_one_past_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    app.configure(&admin, |doc| {
        doc["validation_rules"] = json!({
            "lead": {"required": ["phone"], "max_chars": {"notes": 10}, "email_domains": ["acme.test"]},
            "project": {"min": {"budget": "100.00"}, "max": {"budget": 1000, "end_date": "2027-12-31"}},
        });
    })
    .await;
    let lead = |extra: Value| {
        let mut body = json!({"company_name": "Acme", "phone": "555 0100 0000", "notes": "0123456789", "email": "ada@acme.test"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let at_limit = app.create("leads", &admin, lead(json!({}))).await;
    for (extra, field, code) in [
        (json!({"phone": null}), "phone", "required"),
        (json!({"notes": "0123456789X"}), "notes", "max_length"),
        (
            json!({"email": "ada@ACME.test.evil"}),
            "email",
            "email_domain",
        ),
    ] {
        let (status, body) = create_status(&app, &admin, "leads", lead(extra.clone())).await;
        assert_eq!(status, 400, "{extra}");
        assert_eq!(
            (fields_of(&body), codes_of(&body)),
            (vec![field], vec![code]),
            "{extra}"
        );
        // The same on an update touching the field.
        let mut patch = extra.clone();
        patch["version"] = at_limit["version"].clone();
        let (status, body) = app.patch("leads", &admin, &at_limit["id"], patch).await;
        assert_eq!(
            (status, codes_of(&body)),
            (StatusCode::BAD_REQUEST, vec![code]),
            "update {extra}"
        );
    }
    // The domain is matched case-insensitively.
    app.create("leads", &admin, lead(json!({"email": "bob@ACME.TEST"})))
        .await;

    let client = app
        .create("clients", &admin, json!({"company_name": "Client"}))
        .await;
    let project = |budget: &str| json!({"project_name": format!("P {budget}"), "client_id": client["id"], "budget": budget});
    app.create("projects", &admin, project("100.00")).await;
    app.create("projects", &admin, project("1000.00")).await;
    for (budget, code) in [("99.99", "too_small"), ("1000.01", "too_large")] {
        let (status, body) = create_status(&app, &admin, "projects", project(budget)).await;
        assert_eq!(
            (status, codes_of(&body)),
            (StatusCode::BAD_REQUEST, vec![code]),
            "{budget}"
        );
    }
    let (status, body) = create_status(
        &app,
        &admin,
        "projects",
        json!({"project_name": "Late", "client_id": client["id"], "end_date": "2028-01-01"}),
    )
    .await;
    assert_eq!(
        (status, body["details"][0]["message"].as_str()),
        (
            StatusCode::BAD_REQUEST,
            Some("End date must be at most 2027-12-31")
        )
    );
}

async fn old_records_stay_editable_and_rules_bite_on_a_status_change(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let old = app
        .create("leads", &admin, json!({"company_name": "Old"}))
        .await;
    app.configure(&admin, |doc| {
        doc["validation_rules"] = json!({"lead": {"required": ["phone"]}});
    })
    .await;
    // Touching another field: allowed, although the record lacks the phone the new rule requires.
    let (status, edited) = app
        .patch(
            "leads",
            &admin,
            &old["id"],
            json!({"version": 1, "source": "Fair"}),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    // Changing the status checks the whole record.
    let (status, body) = app
        .patch(
            "leads",
            &admin,
            &old["id"],
            json!({"version": 2, "lead_status": "contacted"}),
        )
        .await;
    assert_eq!(
        (status, fields_of(&body)),
        (StatusCode::BAD_REQUEST, vec!["phone"])
    );
    let (status, _) = app
        .patch(
            "leads",
            &admin,
            &old["id"],
            json!({"version": 2, "lead_status": "contacted", "phone": "555 0100 0000"}),
        )
        .await;
    assert_eq!(status, 200);
}

async fn workflow_transitions_initial_and_required_on_enter(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    app.configure(&admin, |doc| {
        doc["workflow_rules"] = json!({"lead": {
            "initial": ["new", "contacted"],
            "transitions": {"new": ["contacted", "lost"], "won": [], "lost": []},
            "require_on_enter": {"won": ["email"]},
        }});
    })
    .await;
    let (status, body) = create_status(
        &app,
        &admin,
        "leads",
        json!({"company_name": "Skip", "lead_status": "qualified"}),
    )
    .await;
    assert_eq!(
        (status, codes_of(&body)),
        (StatusCode::BAD_REQUEST, vec!["initial_status"])
    );
    assert_eq!(
        body["details"][0]["message"],
        "A new lead can start only in: New, Contacted"
    );
    let lead = app
        .create("leads", &admin, json!({"company_name": "Acme"}))
        .await;
    assert_eq!(
        lead["lead_status"], "new",
        "the default first status is an allowed initial one"
    );
    let id = lead["id"].clone();

    let (status, body) = app
        .patch(
            "leads",
            &admin,
            &id,
            json!({"version": 1, "lead_status": "won"}),
        )
        .await;
    assert_eq!(
        (status, codes_of(&body)),
        (StatusCode::BAD_REQUEST, vec!["transition"])
    );
    assert_eq!(
        body["details"][0]["message"],
        "A lead in New can move only to: Contacted, Lost"
    );
    let (status, _) = app
        .patch(
            "leads",
            &admin,
            &id,
            json!({"version": 1, "lead_status": "contacted"}),
        )
        .await;
    assert_eq!(status, 200, "an allowed move");
    // contacted has no transitions listed: any move, but entering won requires an email.
    let (status, body) = app
        .patch(
            "leads",
            &admin,
            &id,
            json!({"version": 2, "lead_status": "won"}),
        )
        .await;
    assert_eq!(
        (status, codes_of(&body)),
        (StatusCode::BAD_REQUEST, vec!["required_on_enter"])
    );
    let (status, _) = app
        .patch(
            "leads",
            &admin,
            &id,
            json!({"version": 2, "lead_status": "won", "email": "ada@acme.test"}),
        )
        .await;
    assert_eq!(status, 200);
    // won is final; staying in it while editing other fields is fine.
    let (status, body) = app
        .patch(
            "leads",
            &admin,
            &id,
            json!({"version": 3, "lead_status": "new"}),
        )
        .await;
    assert_eq!(
        (status, codes_of(&body)),
        (StatusCode::BAD_REQUEST, vec!["transition"])
    );
    assert_eq!(
        body["details"][0]["message"],
        "Won is final: a lead in it cannot move to another status"
    );
    let (status, _) = app
        .patch(
            "leads",
            &admin,
            &id,
            json!({"version": 3, "lead_status": "won", "notes": "Done"}),
        )
        .await;
    assert_eq!(status, 200);
}

async fn a_module_switched_off_is_404_and_its_data_returns(backend: Backend) {
    let app = spawn_app(backend).await;
    let team = app.team("modules.test").await;
    let task = app
        .create("tasks", &team.admin, json!({"title": "Call Ada"}))
        .await;
    app.configure(&team.admin, |doc| doc["features"]["tasks"] = false.into())
        .await;
    for user in [&team.admin, &team.member] {
        for (method, path, body) in [
            (Method::GET, "/api/tasks".to_owned(), None),
            (
                Method::POST,
                "/api/tasks".to_owned(),
                Some(json!({"title": "x"})),
            ),
            (Method::GET, format!("/api/tasks/{}", task["id"]), None),
            (
                Method::PATCH,
                format!("/api/tasks/{}", task["id"]),
                Some(json!({"version": 1, "title": "y"})),
            ),
            (Method::DELETE, format!("/api/tasks/{}", task["id"]), None),
            (Method::GET, "/api/tasks/export.csv".to_owned(), None),
            (Method::GET, "/api/trash/tasks".to_owned(), None),
        ] {
            let (status, body) = app.call(user, method.clone(), &path, body).await;
            assert_eq!(
                (status, body["code"].as_str()),
                (StatusCode::NOT_FOUND, Some("not_found")),
                "{method} {path}"
            );
        }
    }
    let (_, me) = app.get_json("/api/auth/me", &team.member).await;
    assert_eq!(me["modules_off"], json!(["tasks"]));
    assert_eq!(
        app.list("leads", &team.member, "").await["total"],
        0,
        "other modules work"
    );

    app.configure(&team.admin, |doc| doc["features"]["tasks"] = true.into())
        .await;
    let (status, back) = app.read("tasks", &team.member, &task["id"]).await;
    assert_eq!(
        (status, back["title"].as_str()),
        (StatusCode::OK, Some("Call Ada"))
    );
}

async fn bad_documents_are_400_with_every_problem_on_its_path(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let doc = app.backend_config(&admin).await;
    let bad = |edit: &dyn Fn(&mut Value)| {
        let mut doc = doc.clone();
        custom(&mut doc);
        edit(&mut doc);
        doc
    };
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (bad(&|d| d["extra"] = 1.into()), vec!["extra"]),
        (
            bad(&|d| add_status(d, "lead_statuses", "new".into())),
            vec!["lead_statuses[7].key"],
        ),
        (
            bad(&|d| add_status(d, "lead_statuses", "Under Review".into())),
            vec!["lead_statuses[7].key"],
        ),
        (
            bad(&|d| {
                add_status(
                    d,
                    "lead_statuses",
                    json!({"key": "x", "label": "", "category": "maybe"}),
                )
            }),
            vec!["lead_statuses[7].category", "lead_statuses[7].label"],
        ),
        (
            bad(&|d| d["task_statuses"] = json!([])),
            vec!["task_statuses"],
        ),
        (
            bad(&|d| add_status(d, "task_statuses", json!({"key": "x", "label": null}))),
            vec!["task_statuses[5].label"],
        ),
        (
            bad(&|d| d["status_moves"] = json!({"lead": {"won": "gone"}})),
            vec!["status_moves.lead.won"],
        ),
        (
            bad(&|d| {
                d["workflow_rules"] =
                    json!({"lead": {"transitions": {"new": ["nowhere"]}, "initial": ["nope"]}})
            }),
            vec![
                "workflow_rules.lead.initial[0]",
                "workflow_rules.lead.transitions.new[0]",
            ],
        ),
        (
            bad(&|d| d["validation_rules"] = json!({"lead": {"required": ["created_at", "nope"]}})),
            vec![
                "validation_rules.lead.required[0]",
                "validation_rules.lead.required[1]",
            ],
        ),
        (
            bad(&|d| {
                d["validation_rules"] =
                    json!({"lead": {"max_chars": {"notes": 10001, "company_name": 0}}})
            }),
            vec![
                "validation_rules.lead.max_chars.company_name",
                "validation_rules.lead.max_chars.notes",
            ],
        ),
        (
            bad(&|d| {
                d["validation_rules"] =
                    json!({"project": {"min": {"budget": "10"}, "max": {"budget": "5"}}})
            }),
            vec!["validation_rules.project.min.budget"],
        ),
        (
            bad(&|d| d["validation_rules"] = json!({"lead": {"email_domains": ["not a domain"]}})),
            vec!["validation_rules.lead.email_domains[0]"],
        ),
        (
            bad(&|d| d["features"] = json!({"leads": false})),
            vec!["features.leads"],
        ),
        (bad(&|d| d["version"] = "1".into()), vec!["version"]),
        (
            {
                let mut d = doc.clone();
                d["lead_statuses"][0]["label"] = "Fresh".into();
                d
            },
            vec!["backend_type"],
        ),
    ];
    for (body, expected) in cases {
        let (status, answer) = app.put_backend_config(&admin, body.clone()).await;
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["code"], "validation_failed");
        assert_eq!(fields_of(&answer), expected, "{answer}");
        let (status, preview) = app
            .post_json("/api/admin/backend-config/preview", &admin, body)
            .await;
        assert_eq!(status, 400, "the preview refuses it alike: {preview}");
        assert_eq!(fields_of(&preview), expected);
    }
    for raw in ["", "{", "[]", "null", "\"custom\""] {
        let response = app
            .authed(Method::PUT, "/api/admin/backend-config", &admin.token)
            .header("content-type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{raw:?}");
    }
    let huge = json!({"version": 1, "backend_type": "custom", "lead_statuses": vec!["x"; 300_000]});
    let (status, _) = app.put_backend_config(&admin, huge).await;
    assert_eq!(status, 413);
    assert_eq!(
        app.backend_config(&admin).await["version"],
        1,
        "nothing was written"
    );
}

async fn tenants_never_affect_each_other(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.signup("First", "admin@first.test").await;
    let second = app.signup("Second", "admin@second.test").await;
    app.configure(&first, |doc| {
        custom(doc);
        add_status(doc, "lead_statuses", "under_review".into());
        doc["validation_rules"] = json!({"lead": {"required": ["phone"]}});
        doc["features"]["projects"] = false.into();
    })
    .await;
    let other = app.backend_config(&second).await;
    assert_eq!(
        (other["backend_type"].as_str(), other["version"].as_i64()),
        (Some("default"), Some(1))
    );
    let (status, _) =
        create_status(&app, &second, "leads", json!({"company_name": "No phone"})).await;
    assert_eq!(status, 201, "the first tenant's rule does not apply");
    let (status, _) = create_status(
        &app,
        &second,
        "leads",
        json!({"company_name": "X", "lead_status": "under_review"}),
    )
    .await;
    assert_eq!(status, 400, "nor its statuses");
    assert_eq!(
        app.list("projects", &second, "").await["total"],
        0,
        "nor its features"
    );
}

/// Statements per request with rules configured equal those without (the configuration is cached, keyed by
/// the version the session check reads anyway).
async fn rules_add_no_statement_to_lists_and_creates(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let measure = |app: &TestApp| app.statements();
    // Warm: the first request of a tenant reads its configuration once.
    app.create(
        "leads",
        &admin,
        json!({"company_name": "Warm", "phone": "555 0100 0000"}),
    )
    .await;
    let before = measure(&app);
    app.create(
        "leads",
        &admin,
        json!({"company_name": "Plain", "phone": "555 0100 0000"}),
    )
    .await;
    let create_plain = measure(&app) - before;
    let before = measure(&app);
    app.list("leads", &admin, "").await;
    let list_plain = measure(&app) - before;

    app.configure(&admin, |doc| {
        doc["validation_rules"] =
            json!({"lead": {"required": ["phone"], "max_chars": {"notes": 100}}});
        doc["workflow_rules"] =
            json!({"lead": {"initial": ["new"], "require_on_enter": {"won": ["email"]}}});
    })
    .await;
    let before = measure(&app);
    app.create(
        "leads",
        &admin,
        json!({"company_name": "Ruled", "phone": "555 0100 0000"}),
    )
    .await;
    let create_ruled = measure(&app) - before;
    let before = measure(&app);
    app.list("leads", &admin, "").await;
    let list_ruled = measure(&app) - before;
    assert_eq!(create_ruled, create_plain, "create statements with rules");
    assert_eq!(list_ruled, list_plain, "list statements with rules");
    assert!(
        list_ruled <= 3,
        "1 authentication + at most 2 list statements, got {list_ruled}"
    );
}

/// Two instances on one database: a save on one is enforced by the other on its very next request.
async fn another_instance_sees_a_save_on_its_next_request(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let other = app.another_instance().await;
    let (status, _) =
        create_status(&other, &admin, "leads", json!({"company_name": "Before"})).await;
    assert_eq!(status, 201, "the other instance caches the configuration");
    app.configure(&admin, |doc| {
        doc["validation_rules"] = json!({"lead": {"required": ["phone"]}})
    })
    .await;
    let (status, body) =
        create_status(&other, &admin, "leads", json!({"company_name": "After"})).await;
    assert_eq!(
        (status, fields_of(&body)),
        (StatusCode::BAD_REQUEST, vec!["phone"])
    );
    app.configure(&admin, |doc| doc["features"]["tasks"] = false.into())
        .await;
    assert_eq!(other.get_json("/api/tasks", &admin).await.0, 404);
}

type Problems = Vec<(String, String, String)>;

/// What the browser's form shows for `record`: `shared::form::validate_record`, sorted.
fn browser_problems(
    ctx: &shared::RulesContext,
    record: &Value,
    write: shared::backend_config::WriteKind<'_>,
) -> Problems {
    let record = record.as_object().unwrap().clone();
    let mut errors: Problems =
        shared::form::validate_record(shared::EntityKind::Lead, &record, ctx, write)
            .into_iter()
            .map(|e| (e.field, e.code, e.message))
            .collect();
    errors.sort();
    errors
}

/// The same rule cases through the browser's code path (`shared::form::validate_record` with the
/// configuration the browser reads) and through the server: the same problems, with the same messages.
async fn the_browser_and_the_server_give_the_same_answer(backend: Backend) {
    use shared::{backend_config::WriteKind, BackendConfig, EntityKind};
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    app.configure(&admin, |doc| {
        doc["validation_rules"] = json!({
            "lead": {"required": ["phone", "source"], "max_chars": {"notes": 5}, "email_domains": ["acme.test", "acme.example"]},
        });
        doc["workflow_rules"] = json!({"lead": {
            "initial": ["new", "contacted"],
            "transitions": {"new": ["contacted"], "lost": []},
            "require_on_enter": {"contacted": ["email"], "qualified": ["contact_name"]},
        }});
    })
    .await;
    let (_, doc) = app.get_json("/api/backend-config", &admin).await;
    let config: BackendConfig =
        serde_json::from_value(doc).expect("the browser reads the document");
    let ctx = config.rules_for(EntityKind::Lead);
    let server = |body: &Value| {
        let mut errors: Problems = body["details"]
            .as_array()
            .map(|d| {
                d.iter()
                    .map(|e| {
                        (
                            e["field"].as_str().unwrap().into(),
                            e["code"].as_str().unwrap().into(),
                            e["message"].as_str().unwrap().into(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        errors.sort();
        errors
    };
    let base = json!({"company_name": "Acme", "phone": "555 0100 0000", "source": "Fair", "lead_status": "new"});
    let with = |changes: Value| {
        let mut record = base.clone();
        for (k, v) in changes.as_object().unwrap() {
            record[k] = v.clone();
        }
        record
    };
    let creates = [
        with(json!({})),
        with(json!({"phone": null, "source": " "})),
        with(json!({"notes": "123456", "email": "a@elsewhere.test"})),
        with(json!({"notes": "12345", "email": "a@Acme.Example"})),
        with(json!({"lead_status": "qualified"})),
        with(json!({"lead_status": "contacted"})),
        with(json!({"lead_status": "nope", "company_name": ""})),
    ];
    for record in &creates {
        let (status, body) = app.post_json("/api/leads", &admin, record.clone()).await;
        let expected = browser_problems(&ctx, record, WriteKind::Create);
        assert_eq!(server(&body), expected, "create {record}");
        assert_eq!(
            status == 201,
            expected.is_empty(),
            "create {record}: {body}"
        );
    }
    // Updates of a stored lead in `new`.
    let stored = app.create("leads", &admin, base.clone()).await;
    for changes in [
        json!({"notes": "too long"}),
        json!({"phone": null}),
        json!({"contact_name": "Ada"}),
        json!({"lead_status": "qualified"}),
        json!({"lead_status": "contacted"}),
        json!({"lead_status": "contacted", "email": "ada@acme.test"}),
    ] {
        let record = with(changes.clone());
        let touched: Vec<&str> = changes
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let expected = browser_problems(
            &ctx,
            &record,
            WriteKind::Update {
                previous_status: Some("new"),
                touched: &touched,
            },
        );
        let mut patch = changes.clone();
        patch["version"] = app.read("leads", &admin, &stored["id"]).await.1["version"].clone();
        let (status, body) = app.patch("leads", &admin, &stored["id"], patch).await;
        assert_eq!(server(&body), expected, "update {changes}");
        assert_eq!(
            status == 200,
            expected.is_empty(),
            "update {changes}: {body}"
        );
        if status == 200 {
            // Put it back for the next case.
            let (_, now) = app.read("leads", &admin, &stored["id"]).await;
            let mut undo = base.clone();
            undo["version"] = now["version"].clone();
            undo["contact_name"] = Value::Null;
            undo["email"] = Value::Null;
            undo["lead_status"] = now["lead_status"].clone();
            let (status, body) = app.patch("leads", &admin, &stored["id"], undo).await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["lead_status"], now["lead_status"]);
            // The next cases start from `new` again: only possible while `new` is still reachable.
            if now["lead_status"] != "new" {
                return;
            }
        }
    }
}

/// A property: random sequences of configuration edits (statuses added and removed with a move) and record
/// writes (creates, status changes, deletes, restores) never leave a record in a status its tenant lacks, and
/// never lose one.
async fn random_config_edits_and_writes_never_strand_or_lose_a_record(backend: Backend) {
    use rand::{rngs::StdRng, seq::SliceRandom, Rng, SeedableRng};
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    app.configure(&admin, custom).await;
    let seed: u64 = std::env::var("KEEL_PROPERTY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut ids: Vec<i64> = Vec::new();
    let mut next_key = 0;
    for step in 0..60 {
        let doc = app.backend_config(&admin).await;
        let statuses = keys(&doc, "task_statuses");
        match rng.gen_range(0..6) {
            0 => {
                let mut doc = doc.clone();
                next_key += 1;
                add_status(
                    &mut doc,
                    "task_statuses",
                    format!("stage_{next_key}").into(),
                );
                let (status, body) = app.put_backend_config(&admin, doc).await;
                assert_eq!(status, 200, "seed {seed} step {step}: {body}");
            }
            1 if statuses.len() > 1 => {
                let removed = statuses.choose(&mut rng).unwrap().clone();
                let target = statuses.iter().find(|k| **k != removed).unwrap().clone();
                let mut doc = doc.clone();
                remove_status(&mut doc, "task_statuses", &removed);
                if rng.gen_bool(0.7) {
                    doc["status_moves"] = json!({"task": {removed.clone(): target}});
                }
                let (status, body) = app.put_backend_config(&admin, doc).await;
                assert!(
                    status == 200
                        || (status == 409 && body["details"][0]["code"] == "status_in_use"),
                    "seed {seed} step {step}: {status} {body}"
                );
            }
            2 | 3 => {
                let status = statuses.choose(&mut rng).unwrap();
                let created = app
                    .create(
                        "tasks",
                        &admin,
                        json!({"title": format!("Task {step}"), "task_status": status}),
                    )
                    .await;
                ids.push(created["id"].as_i64().unwrap());
            }
            4 if !ids.is_empty() => {
                let id = *ids.choose(&mut rng).unwrap();
                let (status, record) = app.read("tasks", &admin, id).await;
                if status == 200 {
                    let to = statuses.choose(&mut rng).unwrap();
                    let (status, body) = app
                        .patch(
                            "tasks",
                            &admin,
                            id,
                            json!({"version": record["version"], "task_status": to}),
                        )
                        .await;
                    assert_eq!(status, 200, "seed {seed} step {step}: {body}");
                }
            }
            _ if !ids.is_empty() => {
                let id = *ids.choose(&mut rng).unwrap();
                if app.delete("tasks", &admin, id).await.0 != 204 {
                    assert_eq!(
                        app.restore("tasks", &admin, id).await.0,
                        200,
                        "seed {seed} step {step}"
                    );
                }
            }
            _ => {}
        }
        // Invariants: every task is still there (live or trashed), each in a status the tenant has.
        let statuses = keys(&app.backend_config(&admin).await, "task_statuses");
        let live = app.list("tasks", &admin, "page_size=200").await;
        let (_, trashed) = app.get_json("/api/trash/tasks?page_size=200", &admin).await;
        let all: Vec<&Value> = live["data"]
            .as_array()
            .unwrap()
            .iter()
            .chain(trashed["data"].as_array().unwrap())
            .collect();
        assert_eq!(
            all.len(),
            ids.len(),
            "seed {seed} step {step}: a task was lost"
        );
        for task in all {
            let status = task["task_status"].as_str().unwrap();
            assert!(
                statuses.iter().any(|k| k == status),
                "seed {seed} step {step}: task {} is in {status}, which the tenant lacks",
                task["id"]
            );
        }
    }
}
