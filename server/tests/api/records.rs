//! The generic record API for all five entities: create/read/update/delete with validation and optimistic
//! concurrency, report lists (filters, sorts, pages, statement counts), trash and restore, permissions and
//! tenant isolation — against the real server on SQLite and PostgreSQL.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::Role;

use crate::helpers::{both_backends, spawn_app, Backend};

fn fields(body: &Value) -> Vec<String> {
    body["details"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn every_entity_round_trips_with_validation_and_versions(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let client = app.create("clients", &admin, json!({"company_name": "Globex", "email": "hi@globex.test", "website": "https://globex.test"})).await;
    let client_id = client["id"].as_i64().unwrap();
    assert_eq!(
        client["client_status"], "new",
        "the tenant's first status is the default"
    );
    assert_eq!(client["project_count"], 0);
    assert_eq!(client["total_revenue"], "0.00");
    assert_eq!(client["created_by"], admin.id);
    assert_eq!(client["version"], 1);

    let cases: Vec<(&str, Value, Value, &str)> = vec![
        (
            "leads",
            json!({"company_name": "Initech", "email": "bill@initech.test", "phone": "+1 555 010 9999"}),
            json!({"lead_status": "contacted"}),
            "lead_status",
        ),
        (
            "projects",
            json!({"project_name": "Launch", "client_id": client_id, "budget": "12500.00", "start_date": "2026-01-01", "end_date": "2026-03-31"}),
            json!({"actual_cost": "99.95"}),
            "actual_cost",
        ),
        (
            "accounts",
            json!({"account_name": "Globex EU", "client_id": client_id, "account_type": "customer", "annual_revenue": "1000000.00"}),
            json!({"industry": "Energy"}),
            "industry",
        ),
        (
            "tasks",
            json!({"title": "Call Bill", "priority": "high", "due_date": "2026-02-01"}),
            json!({"task_status": "done"}),
            "task_status",
        ),
    ];
    for (entity, body, patch, changed) in cases {
        let created = app.create(entity, &admin, body).await;
        let id = created["id"].as_i64().unwrap();
        let (status, read) = app.read(entity, &admin, id).await;
        assert_eq!(status, 200);
        assert_eq!(read, created);

        let mut good = patch.clone();
        good["version"] = json!(1);
        let (status, updated) = app.patch(entity, &admin, id, good.clone()).await;
        assert_eq!(status, 200, "{entity}: {updated}");
        assert_eq!(updated[changed], patch[changed]);
        assert_eq!(updated["version"], 2);
        // The same change again, from the stale version: 409 and nothing written.
        let (status, conflict) = app.patch(entity, &admin, id, good).await;
        assert_eq!(status, 409, "{entity}");
        assert_eq!(conflict["details"][0]["field"], "version");
        let (_, after) = app.read(entity, &admin, id).await;
        assert_eq!(after["version"], 2);
        // A patch without its version is refused.
        let (status, _) = app.patch(entity, &admin, id, patch.clone()).await;
        assert_eq!(status, 400);

        let (status, _) = app.delete(entity, &admin, id).await;
        assert_eq!(status, 204);
        let (status, _) = app.read(entity, &admin, id).await;
        assert_eq!(status, 404);
        let (status, trash) = app.trash(entity, &admin).await;
        assert_eq!(status, 200);
        assert_eq!(trash["data"][0]["id"], id);
        assert!(trash["data"][0]["deleted_at"].is_string());
        let (status, restored) = app.restore(entity, &admin, id).await;
        assert_eq!(status, 200, "{entity}: {restored}");
        assert_eq!(restored["version"], 4);
        let (status, _) = app.restore(entity, &admin, id).await;
        assert_eq!(status, 404, "a live record is not in the trash");
    }
    // The client now counts its live project and sums its budget.
    let (_, client) = app.read("clients", &admin, client_id).await;
    assert_eq!(client["project_count"], 1);
    assert_eq!(client["total_revenue"], "12500.00");
}

async fn invalid_records_are_refused_with_every_problem(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let other = app.signup("Globex", "admin@globex.test").await;
    let foreign_client = app
        .create("clients", &other, json!({"company_name": "Theirs"}))
        .await["id"]
        .as_i64()
        .unwrap();
    let cases: Vec<(&str, Value, Vec<&str>)> = vec![
        (
            "leads",
            json!({"company_name": "", "email": "not-an-email", "phone": "123", "lead_status": "bogus"}),
            vec!["company_name", "email", "phone", "lead_status"],
        ),
        (
            "clients",
            json!({"company_name": "x".repeat(201), "website": "ftp://x.test"}),
            vec!["company_name", "website"],
        ),
        (
            "projects",
            json!({"project_name": "P", "client_id": foreign_client, "start_date": "2026-03-01", "end_date": "2026-01-01", "budget": "-5.00"}),
            vec!["budget", "end_date"],
        ),
        (
            "projects",
            json!({"project_name": "P", "client_id": foreign_client}),
            vec!["client_id"],
        ),
        (
            "accounts",
            json!({"account_name": "A", "account_type": "friend", "billing_email": "nope"}),
            vec!["account_type", "billing_email"],
        ),
        (
            "tasks",
            json!({"title": "T", "priority": "whenever", "assigned_to": other.id}),
            vec!["priority"],
        ),
        (
            "tasks",
            json!({"title": "T", "assigned_to": other.id}),
            vec!["assigned_to"],
        ),
        (
            "leads",
            json!({"company_name": "A", "tenant_id": other.tenant_id}),
            vec!["tenant_id"],
        ),
        (
            "leads",
            json!({"company_name": "A", "created_by": 1}),
            vec!["created_by"],
        ),
        ("leads", json!({"company_name": "A", "id": 1}), vec!["id"]),
    ];
    for (entity, body, expected) in cases {
        let (status, error) = app
            .post_json(&format!("/api/{entity}"), &admin, body.clone())
            .await;
        assert_eq!(status, 400, "{entity} {body}");
        assert_eq!(error["code"], "validation_failed");
        assert_eq!(fields(&error), expected, "{entity} {body}");
    }
    for entity in ["leads", "clients", "projects", "accounts", "tasks"] {
        let (_, list) = app.get_json(&format!("/api/{entity}"), &admin).await;
        assert_eq!(list["total"], 0, "nothing was written to {entity}");
    }
    // A duplicate live client name is a conflict on that field; a trashed one frees the name.
    let first = app
        .create("clients", &admin, json!({"company_name": "Umbrella"}))
        .await;
    let (status, error) = app
        .post_json("/api/clients", &admin, json!({"company_name": "UMBRELLA"}))
        .await;
    assert_eq!(status, 409);
    assert_eq!(fields(&error), ["company_name"]);
    let (status, _) = app.delete("clients", &admin, &first["id"]).await;
    assert_eq!(status, 204);
    app.create("clients", &admin, json!({"company_name": "Umbrella"}))
        .await;
    // ...and then restoring the first would break the rule: 409, nothing changes.
    let (status, _) = app.restore("clients", &admin, &first["id"]).await;
    assert_eq!(status, 409);
    let (_, trash) = app.trash("clients", &admin).await;
    assert_eq!(trash["total"], 1);
}

async fn deleting_a_client_trashes_its_projects_and_restoring_brings_them_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let client = app
        .create("clients", &admin, json!({"company_name": "Globex"}))
        .await;
    let client_id = client["id"].as_i64().unwrap();
    let kept = app
        .create(
            "projects",
            &admin,
            json!({"project_name": "One", "client_id": client_id}),
        )
        .await;
    app.create(
        "projects",
        &admin,
        json!({"project_name": "Two", "client_id": client_id}),
    )
    .await;
    // A project trashed earlier on its own stays in the trash when the client comes back.
    let earlier = app
        .create(
            "projects",
            &admin,
            json!({"project_name": "Old", "client_id": client_id}),
        )
        .await;
    app.delete("projects", &admin, &earlier["id"]).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    let (status, _) = app.delete("clients", &admin, client_id).await;
    assert_eq!(status, 204);
    let (_, projects) = app.get_json("/api/projects", &admin).await;
    assert_eq!(projects["total"], 0);
    let (_, trash) = app.trash("projects", &admin).await;
    assert_eq!(trash["total"], 3);
    let (status, error) = app.restore("projects", &admin, &kept["id"]).await;
    assert_eq!(status, 409, "a project cannot come back without its client");
    assert_eq!(fields(&error), ["client_id"]);

    let (status, _) = app.restore("clients", &admin, client_id).await;
    assert_eq!(status, 200);
    let (_, projects) = app
        .get_json("/api/projects?sort_by=project_name&sort_order=asc", &admin)
        .await;
    let names: Vec<&str> = projects["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["project_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["One", "Two"]);
    let (_, trash) = app.trash("projects", &admin).await;
    assert_eq!(trash["total"], 1);
}

async fn roles_decide_who_changes_which_record(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let manager = app
        .add_user(&admin, "manager@acme.test", Role::Manager)
        .await;
    let member = app.add_user(&admin, "member@acme.test", Role::Member).await;
    let other_member = app
        .add_user(&admin, "member2@acme.test", Role::Member)
        .await;
    let viewer = app.add_user(&admin, "viewer@acme.test", Role::Viewer).await;

    let mine = app
        .create("leads", &member, json!({"company_name": "Mine"}))
        .await;
    let theirs = app
        .create("leads", &other_member, json!({"company_name": "Theirs"}))
        .await;
    let assigned = app
        .create(
            "leads",
            &admin,
            json!({"company_name": "Assigned", "assigned_to": member.id}),
        )
        .await;
    let patch = |v: &Value| json!({"version": v["version"], "notes": "changed"});

    for (record, expected) in [
        (&mine, StatusCode::OK),
        (&assigned, StatusCode::OK),
        (&theirs, StatusCode::FORBIDDEN),
    ] {
        let (status, _) = app
            .patch("leads", &member, &record["id"], patch(record))
            .await;
        assert_eq!(
            status, expected,
            "member editing {}",
            record["company_name"]
        );
    }
    let (status, _) = app.delete("leads", &member, &theirs["id"]).await;
    assert_eq!(status, 403);
    let (status, _) = app
        .patch("leads", &manager, &theirs["id"], patch(&theirs))
        .await;
    assert_eq!(status, 200, "managers change every record");

    // Viewers read everything and write nothing.
    let (status, list) = app.get_json("/api/leads", &viewer).await;
    assert_eq!(status, 200);
    assert_eq!(list["total"], 3);
    for (method, path, body) in [
        (
            Method::POST,
            "/api/leads".to_owned(),
            Some(json!({"company_name": "V"})),
        ),
        (
            Method::PATCH,
            format!("/api/leads/{}", mine["id"]),
            Some(json!({"version": 2, "notes": "v"})),
        ),
        (Method::DELETE, format!("/api/leads/{}", mine["id"]), None),
    ] {
        let (status, _) = app.call(&viewer, method.clone(), &path, body).await;
        assert_eq!(status, 403, "viewer {method} {path}");
    }
    // Members restore only their own records.
    app.delete("leads", &admin, &theirs["id"]).await;
    let (status, _) = app.restore("leads", &member, &theirs["id"]).await;
    assert_eq!(status, 403);
    let (status, _) = app.restore("leads", &other_member, &theirs["id"]).await;
    assert_eq!(status, 200);
}

async fn tenants_never_see_each_others_records(backend: Backend) {
    let app = spawn_app(backend).await;
    let acme = app.signup("Acme", "admin@acme.test").await;
    let globex = app.signup("Globex", "admin@globex.test").await;
    for user in [&acme, &globex] {
        for n in 0..3 {
            app.create(
                "leads",
                user,
                json!({"company_name": format!("Shared name {n}")}),
            )
            .await;
        }
    }
    let theirs = app
        .create("leads", &globex, json!({"company_name": "Secret"}))
        .await;
    let theirs_id = theirs["id"].as_i64().unwrap();
    app.delete("leads", &globex, theirs_id - 1).await;

    let (_, list) = app.get_json("/api/leads?page_size=200", &acme).await;
    assert_eq!(list["total"], 3);
    assert!(list["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l["created_by"] == acme.id));
    let (_, search) = app.get_json("/api/leads?q=secret", &acme).await;
    assert_eq!(search["total"], 0);
    let (_, trash) = app.trash("leads", &acme).await;
    assert_eq!(trash["total"], 0);

    for (method, path, body) in [
        (Method::GET, format!("/api/leads/{theirs_id}"), None),
        (
            Method::PATCH,
            format!("/api/leads/{theirs_id}"),
            Some(json!({"version": 1, "notes": "mine now"})),
        ),
        (Method::DELETE, format!("/api/leads/{theirs_id}"), None),
        (
            Method::POST,
            format!("/api/trash/leads/{}/restore", theirs_id - 1),
            None,
        ),
    ] {
        let (status, body) = app.call(&acme, method.clone(), &path, body).await;
        assert_eq!(status, 404, "{method} {path}");
        assert_eq!(body["code"], "not_found");
    }
    let (_, still) = app.read("leads", &globex, theirs_id).await;
    assert_eq!(still["version"], 1);
    assert!(still["notes"].is_null());
}

async fn report_lists_filter_sort_and_page_in_two_statements(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let member = app.add_user(&admin, "member@acme.test", Role::Member).await;
    let statuses = ["new", "contacted", "qualified", "won"];
    let mut expected: Vec<(String, String, Option<i64>)> = Vec::new();
    for n in 0..23 {
        let name = format!("{} Corp {n:02}", if n % 3 == 0 { "Acme" } else { "Zenith" });
        let status = statuses[n % 4];
        let assignee = (n % 2 == 0).then_some(member.id);
        app.create(
            "leads",
            &admin,
            json!({"company_name": name, "lead_status": status, "assigned_to": assignee}),
        )
        .await;
        expected.push((name, status.to_owned(), assignee));
    }

    // Filters match an independent computation over what was created.
    let (status, page) = app
        .get_json(
            "/api/leads?company_name=ACME&lead_status=new,won&page_size=200",
            &admin,
        )
        .await;
    assert_eq!(status, 200);
    let want = expected
        .iter()
        .filter(|(name, s, _)| name.contains("Acme") && (s == "new" || s == "won"))
        .count();
    assert_eq!(page["total"], want as u64);
    assert_eq!(page["data"].as_array().unwrap().len(), want);
    let (_, mine) = app.get_json("/api/leads?assigned_to=me", &member).await;
    assert_eq!(
        mine["total"],
        expected
            .iter()
            .filter(|(_, _, a)| *a == Some(member.id))
            .count() as u64
    );
    assert!(mine["data"][0]["assigned_to_name"]
        .as_str()
        .unwrap()
        .contains("member"));
    let (_, nobody) = app.get_json("/api/leads?assigned_to=none", &admin).await;
    assert_eq!(
        nobody["total"],
        expected.iter().filter(|(_, _, a)| a.is_none()).count() as u64
    );
    let today = chrono::Utc::now().date_naive();
    let (_, dated) = app
        .get_json(
            &format!("/api/leads?created_after={today}&created_before={today}"),
            &admin,
        )
        .await;
    assert_eq!(dated["total"], 23);
    let (_, none) = app
        .get_json("/api/leads?created_before=2001-01-01", &admin)
        .await;
    assert_eq!(none["total"], 0);
    let (_, wildcard) = app.get_json("/api/leads?company_name=%25", &admin).await;
    assert_eq!(
        wildcard["total"], 0,
        "LIKE wildcards in a filter are literal"
    );

    // Sorting by name, both ways; pages of 5 cover everything exactly once.
    let mut names: Vec<String> = expected.iter().map(|(n, _, _)| n.clone()).collect();
    names.sort();
    for (order, list) in [
        ("asc", names.clone()),
        ("desc", names.iter().rev().cloned().collect()),
    ] {
        let mut seen = Vec::new();
        for page in 1..=5 {
            let (_, body) = app
                .get_json(
                    &format!(
                    "/api/leads?sort_by=company_name&sort_order={order}&page={page}&page_size=5"
                ),
                    &admin,
                )
                .await;
            assert_eq!(body["page"], page);
            seen.extend(
                body["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l["company_name"].as_str().unwrap().to_owned()),
            );
        }
        assert_eq!(seen, list, "{order}");
    }
    // Sorting by a column full of ties (all created in the same second or two) still never repeats a row.
    let mut ids = Vec::new();
    for page in 1..=3 {
        let (_, body) = app
            .get_json(
                &format!("/api/leads?sort_by=lead_status&page={page}&page_size=10"),
                &admin,
            )
            .await;
        ids.extend(
            body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["id"].as_i64().unwrap()),
        );
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 23);

    // Statements per list request: the session check, then the page carrying its count (plus a count of its
    // own only when the page is empty) — whatever the page size.
    for size in [1, 200] {
        let before = app.statements();
        let (status, _) = app
            .get_json(
                &format!("/api/leads?page_size={size}&sort_by=assigned_to"),
                &admin,
            )
            .await;
        assert_eq!(status, 200);
        let used = app.statements() - before;
        assert!(
            used <= 3,
            "page_size={size}: 1 authentication + at most 2 list statements, got {used}"
        );
    }
    for entity in ["clients", "projects", "accounts", "tasks"] {
        let before = app.statements();
        let (status, _) = app
            .get_json(&format!("/api/{entity}?page_size=200"), &admin)
            .await;
        assert_eq!(status, 200);
        let used = app.statements() - before;
        assert!(used <= 3, "{entity}: {used} statements");
    }
}

async fn bad_list_parameters_are_400_never_500(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    app.create("leads", &admin, json!({"company_name": "Acme"}))
        .await;
    let injection = "1'; DROP TABLE leads; --";
    let encoded: String = url::form_urlencoded::byte_serialize(injection.as_bytes()).collect();
    for query in [
        "bogus=1".to_owned(),
        "page=0".into(),
        "page_size=0".into(),
        "page_size=201".into(),
        "page=abc".into(),
        "sort_by=password_hash".into(),
        "sort_order=sideways".into(),
        "created_after=2026-13-45".into(),
        "created_before=yesterday".into(),
        "assigned_to=someone".into(),
        format!("sort_by={encoded}"),
        format!("lead_status={encoded}"),
        format!("assigned_to={encoded}"),
        format!("page={encoded}"),
        format!("created_after={encoded}"),
        "page=99999999999999999999".into(),
    ] {
        let (status, body) = app.get_json(&format!("/api/leads?{query}"), &admin).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert!(!body["details"].as_array().unwrap().is_empty(), "{query}");
    }
    // Text filters take anything, literally.
    let (status, body) = app
        .get_json(
            &format!("/api/leads?company_name={encoded}&q={encoded}"),
            &admin,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["total"], 0);
    let (_, still) = app.get_json("/api/leads", &admin).await;
    assert_eq!(still["total"], 1);
    // Unknown entities and ids are 404; bodies are checked like everywhere else.
    let (status, _) = app.get_json("/api/widgets", &admin).await;
    assert_eq!(status, 404);
    // (case, content type, body, status)
    let bodies = [
        ("not declared as JSON", "text/plain", "{}".to_owned(), 415),
        (
            "malformed JSON",
            "application/json",
            "{\"company_name\": ".to_owned(),
            400,
        ),
        (
            "over the size limit",
            "application/json",
            format!("{{\"notes\": \"{}\"}}", "x".repeat(1_100_000)),
            413,
        ),
    ];
    for (case, content_type, body, status) in bodies {
        let response = app
            .authed(Method::POST, "/api/leads", &admin.token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), status, "{case}");
    }
}

async fn statuses_are_listed_per_entity_in_order(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let (status, body) = app.get_json("/api/statuses?entity=lead", &admin).await;
    assert_eq!(status, 200);
    let keys: Vec<&str> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "new",
            "contacted",
            "qualified",
            "proposal",
            "negotiation",
            "won",
            "lost"
        ]
    );
    for query in [
        "",
        "entity=account",
        "entity=lead&entity=task",
        "entity=lead&x=1",
    ] {
        let (status, _) = app
            .get_json(&format!("/api/statuses?{query}"), &admin)
            .await;
        assert_eq!(status, 400, "{query}");
    }
}

both_backends!(
    every_entity_round_trips_with_validation_and_versions,
    invalid_records_are_refused_with_every_problem,
    deleting_a_client_trashes_its_projects_and_restoring_brings_them_back,
    roles_decide_who_changes_which_record,
    tenants_never_see_each_others_records,
    report_lists_filter_sort_and_page_in_two_statements,
    bad_list_parameters_are_400_never_500,
    statuses_are_listed_per_entity_in_order,
);
