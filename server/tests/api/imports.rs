//! CSV imports (issue 17): a whole file checked by the shared rules and the tenant's before anything is
//! written, all or nothing, history entries that name the import, undo; and every bad input a clear 4xx.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::Role;

use crate::helpers::{both_backends, spawn_app, spawn_app_with, Backend, TestApp, TestUser};

both_backends!(
    an_export_imports_into_an_empty_tenant_as_the_same_rows,
    a_dry_run_reports_every_error_of_a_large_file,
    a_file_failing_on_its_last_row_writes_nothing,
    imports_are_recorded_and_undone,
    bad_files_are_refused_with_clear_errors,
);

async fn import(
    app: &TestApp,
    user: &TestUser,
    entity: &str,
    query: &str,
    body: impl Into<Vec<u8>>,
) -> (StatusCode, Value) {
    let response = app
        .authed(
            Method::POST,
            &format!("/api/{entity}/import?{query}"),
            &user.token,
        )
        .header("content-type", "text/csv")
        .body(body.into())
        .send()
        .await
        .expect("import request");
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The writable view of a list's rows, without ids and times, sorted by `key`.
fn comparable(list: &Value, fields: &[&str]) -> Vec<Vec<Value>> {
    let mut rows: Vec<Vec<Value>> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| fields.iter().map(|f| row[*f].clone()).collect())
        .collect();
    rows.sort_by_key(|row| row[0].to_string());
    rows
}

async fn an_export_imports_into_an_empty_tenant_as_the_same_rows(backend: Backend) {
    let app = spawn_app(backend).await;
    let acme = app.login_as(Role::Admin).await;
    let statuses = ["new", "contacted", "won"];
    for (index, name) in ["Globex", "Initech", "Umbrella, Inc.", "=cmd|' /C calc'!A0"]
        .iter()
        .enumerate()
    {
        app.create(
            "clients",
            &acme,
            json!({"company_name": name, "email": format!("c{index}@example.test"), "phone": "+1 555 010 0100",
                   "notes": "line one\nline \"two\"", "assigned_to": acme.id}),
        )
        .await;
        app.create(
            "leads",
            &acme,
            json!({"company_name": format!("Lead {index}"), "lead_status": statuses[index % 3],
                   "email": format!("l{index}@example.test"), "phone": "-555 0100 999", "assigned_to": acme.id}),
        )
        .await;
    }
    let globex = app.list("clients", &acme, "q=Globex").await["data"][0]["id"].clone();
    app.create(
        "projects",
        &acme,
        json!({"project_name": "Rollout", "client_id": globex, "budget": "12500.50", "start_date": "2026-01-05"}),
    )
    .await;

    // A second tenant with a user of the same name as Acme's admin, who the rows are assigned to.
    let beta = app.signup("Beta", "admin@beta.test").await;
    let (status, _) = app
        .post_json(
            "/api/users",
            &beta,
            json!({"name": "Admin of Acme", "email": "twin@beta.test", "role": "member", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(status, 201);

    for (entity, fields) in [
        (
            "clients",
            &[
                "company_name",
                "email",
                "phone",
                "client_status",
                "assigned_to_name",
            ][..],
        ),
        (
            "leads",
            &[
                "company_name",
                "email",
                "phone",
                "lead_status",
                "assigned_to_name",
            ][..],
        ),
        (
            "projects",
            &["project_name", "client_name", "budget", "project_status"][..],
        ),
    ] {
        let csv = app
            .export(Some(&acme.token), &format!("/api/{entity}/export.csv"))
            .await;
        assert_eq!(csv.status, 200);
        let (status, report) = import(&app, &beta, entity, "dry_run=true", csv.body.clone()).await;
        assert_eq!(status, 200, "{entity}: {report}");
        assert_eq!(report["error_count"], 0, "{entity}: {report}");
        assert_eq!(report["import"], Value::Null, "a dry run writes nothing");
        let (status, report) = import(
            &app,
            &beta,
            entity,
            &format!("filename={entity}.csv"),
            csv.body,
        )
        .await;
        assert_eq!(status, 201, "{entity}: {report}");
        assert_eq!(report["import"]["filename"], format!("{entity}.csv"));
        let original = app.list(entity, &acme, "page_size=100").await;
        let imported = app.list(entity, &beta, "page_size=100").await;
        assert_eq!(
            comparable(&imported, fields),
            comparable(&original, fields),
            "{entity}"
        );
    }
    // Formula-looking text is kept as text, exactly.
    let formula = app.list("clients", &beta, "q=calc").await;
    assert_eq!(formula["data"][0]["company_name"], "=cmd|' /C calc'!A0");
}

async fn a_dry_run_reports_every_error_of_a_large_file(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let mut csv = String::from("Company name;Email;Status\n");
    for row in 0..10_000 {
        if row % 10 == 3 {
            csv.push_str(&format!("Lead {row};not-an-email;New\n"));
        } else {
            csv.push_str(&format!("Lead {row};lead{row}@example.test;Contacted\n"));
        }
    }
    let (status, report) = import(&app, &admin, "leads", "dry_run=true", csv).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (
            report["rows"].clone(),
            report["valid"].clone(),
            report["error_count"].clone()
        ),
        (json!(10_000), json!(9_000), json!(1_000))
    );
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1_000);
    assert_eq!(
        errors[0],
        json!({"row": 5, "column": "Email", "field": "email", "code": "email",
               "message": errors[0]["message"]})
    );
    assert_eq!(errors[999]["row"], 9_995);
    assert_eq!(app.count_rows("leads").await, 0);
    assert_eq!(app.count_rows("history_entries").await, 0);
}

async fn a_file_failing_on_its_last_row_writes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    app.create("clients", &admin, json!({"company_name": "Taken Ltd"}))
        .await;
    let mut csv = String::from("\u{feff}company_name,email\r\n");
    for row in 0..500 {
        csv.push_str(&format!("Client {row},c{row}@example.test\r\n"));
    }
    csv.push_str("Client 7,dup@example.test\r\n");
    csv.push_str("taken ltd,last@example.test\r\n");
    let (status, report) = import(&app, &admin, "clients", "", csv).await;
    assert_eq!(status, 400, "{report}");
    assert_eq!(report["code"], "validation_failed");
    assert!(report["request_id"].is_string());
    let problems: Vec<(i64, String)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        [
            (502, "duplicate_in_file".to_owned()),
            (503, "taken".to_owned())
        ]
    );
    assert!(report["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("Row 9"));
    assert_eq!(app.count_rows("clients").await, 1, "nothing written");
    assert_eq!(app.count_rows("imports").await, 0);
}

async fn imports_are_recorded_and_undone(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let member = app.add_user(&admin, "member@acme.test", Role::Member).await;
    app.create("clients", &admin, json!({"company_name": "Globex"}))
        .await;
    let csv = "Project name,Client,Budget,Status\nAlpha,globex,100,Planning\nBeta,Globex,200.5,\n";
    let (status, report) = import(&app, &member, "projects", "filename=p.csv", csv).await;
    assert_eq!(status, 201, "{report}");
    let import_id = report["import"]["id"].as_i64().unwrap();
    assert_eq!(report["import"]["rows"], 2);
    let projects = app
        .list("projects", &member, "sort_by=project_name&sort_order=asc")
        .await;
    assert_eq!(projects["data"][0]["client_name"], "Globex");
    assert_eq!(projects["data"][1]["budget"], "200.50");
    let alpha = projects["data"][0].clone();
    let (_, history) = app
        .get_json(&format!("/api/projects/{}/history", alpha["id"]), &member)
        .await;
    let entry = &history["data"][0];
    assert_eq!(
        (
            entry["action"].clone(),
            entry["source"].clone(),
            entry["import_id"].clone()
        ),
        (json!("import"), json!("import"), json!(import_id))
    );
    let client = entry["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "client_id")
        .unwrap();
    assert_eq!(client["new_label"], "Globex");
    let (_, list) = app.get_json("/api/imports", &admin).await;
    assert_eq!(list["data"][0]["id"], import_id);
    assert_eq!(list["data"][0]["user_name"], "member member@acme.test");

    // Edited since: the undo lists it and needs force.
    app.patch(
        "projects",
        &admin,
        &alpha["id"],
        json!({"version": 1, "budget": "150"}),
    )
    .await;
    let (status, body) = app
        .call(
            &member,
            Method::DELETE,
            &format!("/api/imports/{import_id}"),
            None,
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["details"][0]["code"], "edited_since");
    assert!(body["details"][0]["message"]
        .as_str()
        .unwrap()
        .contains(&alpha["id"].to_string()));
    let viewer = app.add_user(&admin, "viewer@acme.test", Role::Viewer).await;
    let (status, _) = app
        .call(
            &viewer,
            Method::DELETE,
            &format!("/api/imports/{import_id}?force=true"),
            None,
        )
        .await;
    assert_eq!(status, 403);
    let (status, undone) = app
        .call(
            &member,
            Method::DELETE,
            &format!("/api/imports/{import_id}?force=true"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{undone}");
    assert_eq!(undone["trashed"], 2);
    assert!(undone["import"]["undone_at"].is_string());
    assert_eq!(app.list("projects", &admin, "").await["total"], 0);
    let (_, history) = app
        .get_json(&format!("/api/projects/{}/history", alpha["id"]), &admin)
        .await;
    assert_eq!(history["data"][0]["action"], "delete");
    assert_eq!(history["data"][0]["import_id"], import_id);
    let (status, _) = app
        .call(
            &member,
            Method::DELETE,
            &format!("/api/imports/{import_id}"),
            None,
        )
        .await;
    assert_eq!(status, 409, "twice");

    // An undo without edits needs no force.
    let (status, report) = import(&app, &admin, "leads", "", "Company name\nSolo\n").await;
    assert_eq!(status, 201);
    let id = report["import"]["id"].as_i64().unwrap();
    let (status, undone) = app
        .call(&admin, Method::DELETE, &format!("/api/imports/{id}"), None)
        .await;
    assert_eq!(
        (status, undone["trashed"].clone()),
        (StatusCode::OK, json!(1))
    );
    let stranger = app.signup("Umbrella", "boss@umbrella.test").await;
    let (status, _) = app
        .call(
            &stranger,
            Method::DELETE,
            &format!("/api/imports/{id}"),
            None,
        )
        .await;
    assert_eq!(status, 404, "another tenant's import");
}

async fn bad_files_are_refused_with_clear_errors(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &[
            ("KEEL_IMPORT_MAX_BYTES", "4000"),
            ("KEEL_IMPORT_MAX_ROWS", "50"),
        ],
    )
    .await;
    let admin = app.login_as(Role::Admin).await;
    let code_of = |body: &Value| body["details"][0]["code"].as_str().unwrap_or("").to_owned();
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("binary", b"PK\x03\x04\x00\x00\x00".to_vec(), 400, "not_csv"),
        (
            "latin-1",
            b"Company name\nM\xfcller\n".to_vec(),
            400,
            "not_utf8",
        ),
        ("empty", b"".to_vec(), 400, "empty"),
        (
            "unknown column",
            b"Company name,Colour\nA,red\n".to_vec(),
            400,
            "unknown_column",
        ),
        (
            "duplicate column",
            b"Company name,company_name\nA,B\n".to_vec(),
            400,
            "duplicate_column",
        ),
        (
            "missing column",
            b"Email\na@b.test\n".to_vec(),
            400,
            "missing_column",
        ),
        ("over the size", vec![b'a'; 5000], 413, ""),
        (
            "over the rows",
            format!("Company name\n{}", "x\n".repeat(51)).into_bytes(),
            413,
            "",
        ),
    ];
    for (name, body, status, code) in cases {
        let (got, answer) = import(&app, &admin, "leads", "", body).await;
        assert_eq!(got.as_u16(), status, "{name}: {answer}");
        if !code.is_empty() {
            assert_eq!(code_of(&answer), code, "{name}: {answer}");
        }
        assert!(answer["request_id"].is_string(), "{name}: the envelope");
    }
    // Row problems: cell counts, statuses by key or label, users by name, another tenant's references.
    let other = app.signup("Umbrella", "boss@umbrella.test").await;
    let foreign = app
        .create("clients", &other, json!({"company_name": "Umbrella"}))
        .await;
    let csv = format!(
        "Project name,Client,Status,Project manager\nA,{},Planning,Admin of Acme\nB,Nobody Ltd,planning,\nC\nD,,Unknown,ghost\n",
        foreign["id"]
    );
    let (status, report) = import(&app, &admin, "projects", "dry_run=true", csv).await;
    assert_eq!(status, 200, "{report}");
    let found: Vec<(i64, String, String)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["field"].as_str().unwrap_or("").to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (2, "client_id".into(), "invalid_reference".into()),
            (3, "client_id".into(), "invalid_reference".into()),
            (4, String::new(), "cell_count".into()),
            (5, "project_status".into(), "invalid_status".into()),
            (5, "assigned_to".into(), "invalid_reference".into()),
        ],
        "{report}"
    );
    assert_eq!(app.count_rows("projects").await, 0);
    // Bad parameters and media types.
    let (status, body) = import(&app, &admin, "leads", "dry_run=maybe", "Company name\nA\n").await;
    assert_eq!(
        (status.as_u16(), body["details"][0]["field"].clone()),
        (400, json!("dry_run"))
    );
    let (status, body) = import(
        &app,
        &admin,
        "leads",
        "mapping=%7Bnope",
        "Company name\nA\n",
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["details"][0]["field"].clone()),
        (400, json!("mapping"))
    );
    let response = app
        .authed(Method::POST, "/api/leads/import", &admin.token)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let viewer = app.add_user(&admin, "viewer@acme.test", Role::Viewer).await;
    let (status, _) = import(&app, &viewer, "leads", "", "Company name\nA\n").await;
    assert_eq!(status, 403);
    let (status, _) = import(&app, &admin, "widgets", "", "Company name\nA\n").await;
    assert_eq!(status, 404);
}
