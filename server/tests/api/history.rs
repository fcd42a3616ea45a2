//! Record history and the audit log (issue 17): every kind of write adds exactly one entry per record with
//! its diff, a failed write adds none; reverts put values back, conflict, and obey the tenant's rules; a
//! history is one statement and stays in its tenant.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::Role;

use crate::helpers::{both_backends, spawn_app, Backend, TestApp, TestUser};

both_backends!(
    every_write_adds_one_entry_with_its_diff,
    configuration_and_user_administration_are_audited,
    reverts_put_back_conflict_and_obey_the_rules,
    histories_stay_in_their_tenant_and_cost_one_statement,
);

async fn history(app: &TestApp, user: &TestUser, entity: &str, id: &Value) -> Vec<Value> {
    let (status, page) = app
        .get_json(&format!("/api/{entity}/{id}/history"), user)
        .await;
    assert_eq!(status, 200, "{page}");
    page["data"].as_array().unwrap().clone()
}

fn actions(entries: &[Value]) -> Vec<&str> {
    entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect()
}

fn changed(entry: &Value) -> Vec<(String, Value, Value)> {
    entry["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["field"].as_str().unwrap().to_owned(),
                c["old"].clone(),
                c["new"].clone(),
            )
        })
        .collect()
}

async fn revert(
    app: &TestApp,
    user: &TestUser,
    entity: &str,
    id: &Value,
    entry: &Value,
) -> (StatusCode, Value) {
    app.post_json(
        &format!("/api/{entity}/{id}/history/{}/revert", entry["id"]),
        user,
        json!({}),
    )
    .await
}

async fn every_write_adds_one_entry_with_its_diff(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let lead = app
        .create(
            "leads",
            &admin,
            json!({"company_name": "Acme", "email": "a@acme.test", "assigned_to": admin.id}),
        )
        .await;
    let id = lead["id"].clone();
    let entries = history(&app, &admin, "leads", &id).await;
    assert_eq!(actions(&entries), ["create"]);
    let created = &entries[0];
    assert_eq!(created["user_id"], admin.id);
    assert_eq!(created["source"], "api", "a bearer token is the API");
    assert!(created["request_id"]
        .as_str()
        .is_some_and(|r| !r.is_empty()));
    let at = created["at"].as_str().unwrap();
    assert_eq!(
        at.split('.').nth(1).map(|f| f.trim_end_matches('Z').len()),
        Some(6),
        "microseconds: {at}"
    );
    let fields: Vec<String> = changed(created).into_iter().map(|c| c.0).collect();
    assert_eq!(
        fields,
        ["company_name", "email", "lead_status", "assigned_to"]
    );
    let assignee = created["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "assigned_to")
        .unwrap();
    assert!(
        assignee["new_label"].as_str().is_some(),
        "the assignee's name is kept: {assignee}"
    );

    // An update: exactly the fields it changed, untruncated.
    let long_notes = "n".repeat(5000);
    let (status, _) = app
        .patch(
            "leads",
            &admin,
            &id,
            json!({"version": 1, "lead_status": "contacted", "notes": long_notes, "email": "a@acme.test"}),
        )
        .await;
    assert_eq!(status, 200);
    let entries = history(&app, &admin, "leads", &id).await;
    assert_eq!(actions(&entries), ["update", "create"], "newest first");
    assert_eq!(
        changed(&entries[0]),
        [
            ("lead_status".into(), json!("new"), json!("contacted")),
            ("notes".into(), Value::Null, json!(long_notes)),
        ]
    );

    // Failed writes add nothing: invalid, stale, forbidden.
    let (status, _) = app
        .patch("leads", &admin, &id, json!({"version": 2, "email": "nope"}))
        .await;
    assert_eq!(status, 400);
    let (status, _) = app
        .patch("leads", &admin, &id, json!({"version": 1, "source": "x"}))
        .await;
    assert_eq!(status, 409);
    let viewer = app.add_user(&admin, "viewer@acme.test", Role::Viewer).await;
    let (status, _) = app
        .patch("leads", &viewer, &id, json!({"version": 2, "source": "x"}))
        .await;
    assert_eq!(status, 403);
    assert_eq!(history(&app, &viewer, "leads", &id).await.len(), 2);

    // Delete, restore; a client's delete cascades to its project, each child with an entry of its own.
    app.delete("leads", &admin, &id).await;
    app.restore("leads", &admin, &id).await;
    let entries = history(&app, &admin, "leads", &id).await;
    assert_eq!(actions(&entries), ["restore", "delete", "update", "create"]);
    let client = app
        .create("clients", &admin, json!({"company_name": "Globex"}))
        .await;
    let project = app
        .create(
            "projects",
            &admin,
            json!({"project_name": "Rollout", "client_id": client["id"]}),
        )
        .await;
    app.delete("clients", &admin, &client["id"]).await;
    app.restore("clients", &admin, &client["id"]).await;
    let entries = history(&app, &admin, "projects", &project["id"]).await;
    assert_eq!(
        actions(&entries),
        ["cascade_restore", "cascade_delete", "create"]
    );
    let client_name = entries[2]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == "client_id")
        .unwrap()["new_label"]
        .clone();
    assert_eq!(client_name, "Globex", "references keep their name");

    // A configuration that removes a status moves its records, each with an entry of the `config` source.
    app.configure(&admin, |doc| {
        doc["backend_type"] = json!("custom");
        let statuses = doc["lead_statuses"].as_array_mut().unwrap();
        statuses.retain(|s| s["key"] != "contacted");
        doc["status_moves"] = json!({"lead": {"contacted": "qualified"}});
    })
    .await;
    let entries = history(&app, &admin, "leads", &id).await;
    assert_eq!(entries.len(), 5);
    assert_eq!(
        (entries[0]["action"].clone(), entries[0]["source"].clone()),
        (json!("status_move"), json!("config"))
    );
    assert_eq!(
        changed(&entries[0]),
        [("lead_status".into(), json!("contacted"), json!("qualified"))]
    );
}

async fn configuration_and_user_administration_are_audited(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let member = app.add_user(&admin, "member@acme.test", Role::Member).await;
    let (status, _) = app
        .call(
            &admin,
            Method::PATCH,
            &format!("/api/users/{}", member.id),
            Some(json!({"role": "manager"})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .call(
            &admin,
            Method::DELETE,
            &format!("/api/users/{}", member.id),
            None,
        )
        .await;
    assert_eq!(status, 204);
    app.configure(&admin, |doc| {
        doc["validation_rules"] = json!({"lead": {"required": ["email"]}});
    })
    .await;
    let (status, audit) = app.get_json("/api/audit?entity=users", &admin).await;
    assert_eq!(status, 200, "{audit}");
    let entries = audit["data"].as_array().unwrap();
    assert_eq!(
        actions(entries),
        ["user_deactivate", "user_update", "user_create"]
    );
    assert_eq!(
        changed(&entries[1]),
        [("role".into(), json!("member"), json!("manager"))]
    );
    assert!(
        !entries[2]["changes"].to_string().contains("password"),
        "never the password"
    );
    let (_, audit) = app.get_json("/api/audit?action=configure", &admin).await;
    let configure = &audit["data"][0];
    assert_eq!(configure["entity"], "config");
    assert_eq!(
        changed(configure)
            .into_iter()
            .map(|c| c.0)
            .collect::<Vec<_>>(),
        ["validation_rules"]
    );

    // Filters combine; pages go back in time by `before`; the CSV has every entry.
    let lead = app
        .create(
            "leads",
            &admin,
            json!({"company_name": "Acme", "email": "a@acme.test"}),
        )
        .await;
    let (_, mine) = app
        .get_json(
            &format!(
                "/api/audit?user_id={}&entity=leads&from=2020-01-01",
                admin.id
            ),
            &admin,
        )
        .await;
    assert_eq!(mine["data"].as_array().unwrap().len(), 1);
    assert_eq!(mine["data"][0]["record_id"], lead["id"]);
    let (_, first) = app.get_json("/api/audit?page_size=2", &admin).await;
    assert_eq!(first["data"].as_array().unwrap().len(), 2);
    let before = first["next_before"].as_i64().expect("more pages");
    let (_, second) = app
        .get_json(&format!("/api/audit?page_size=2&before={before}"), &admin)
        .await;
    assert!(second["data"][0]["id"].as_i64().unwrap() < before);
    let csv = app
        .export(Some(&admin.token), "/api/audit/export.csv?entity=users")
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.content_type.starts_with("text/csv"));
    let lines: Vec<&str> = csv.body.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 4, "a header and three entries: {}", csv.body);
    assert!(lines[0].contains("Changes"));

    // Only admins; bad filters are 400s that name the parameter.
    let (status, _) = app.get_json("/api/audit", &member).await;
    assert_eq!(status, 401, "a deactivated user's token is gone");
    let manager = app.add_user(&admin, "m2@acme.test", Role::Manager).await;
    let (status, _) = app.get_json("/api/audit", &manager).await;
    assert_eq!(status, 403);
    for (query, field) in [
        ("action=drop", "action"),
        ("entity=widgets", "entity"),
        ("from=yesterday", "from"),
        ("from=2026-02-02&to=2026-02-01", "to"),
        ("page_size=0", "page_size"),
        ("user_id=-1", "user_id"),
        ("colour=red", "colour"),
    ] {
        let (status, body) = app.get_json(&format!("/api/audit?{query}"), &admin).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["details"][0]["field"], field, "{query}");
    }
}

async fn reverts_put_back_conflict_and_obey_the_rules(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let lead = app
        .create("leads", &admin, json!({"company_name": "Acme"}))
        .await;
    let id = lead["id"].clone();
    for (version, patch) in [
        (1, json!({"source": "fair", "phone": "555 010 0100"})),
        (2, json!({"source": "web"})),
    ] {
        let mut patch = patch;
        patch["version"] = json!(version);
        let (status, body) = app.patch("leads", &admin, &id, patch).await;
        assert_eq!(status, 200, "{body}");
    }
    let entries = history(&app, &admin, "leads", &id).await;
    let (first_edit, second_edit) = (entries[1].clone(), entries[0].clone());

    // The first edit's `source` was changed since: 409 naming it and what it holds now; nothing written.
    let (status, body) = revert(&app, &admin, "leads", &id, &first_edit).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["details"][0]["field"], "source");
    assert_eq!(body["details"][0]["code"], "changed_since");
    assert!(body["details"][0]["message"]
        .as_str()
        .unwrap()
        .contains("web"));
    assert_eq!(history(&app, &admin, "leads", &id).await.len(), 3);

    // The second edit reverts: `source` back to "fair", recorded as a revert of it.
    let (status, record) = revert(&app, &admin, "leads", &id, &second_edit).await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(
        (record["source"].clone(), record["phone"].clone()),
        (json!("fair"), json!("555 010 0100"))
    );
    let entries = history(&app, &admin, "leads", &id).await;
    assert_eq!(entries[0]["action"], "revert");
    assert_eq!(entries[0]["reverts"], second_edit["id"]);
    assert_eq!(
        changed(&entries[0]),
        [("source".into(), json!("web"), json!("fair"))]
    );
    // Now the first edit reverts too, and the record is as created.
    let (status, record) = revert(&app, &admin, "leads", &id, &first_edit).await;
    assert_eq!(status, 200, "{record}");
    assert_eq!(
        (record["source"].clone(), record["phone"].clone()),
        (Value::Null, Value::Null)
    );

    // Reverting a delete restores; reverting that revert deletes again.
    app.delete("leads", &admin, &id).await;
    let deleted = history(&app, &admin, "leads", &id).await[0].clone();
    assert_eq!(deleted["action"], "delete");
    let (status, _) = revert(&app, &admin, "leads", &id, &deleted).await;
    assert_eq!(status, 200);
    let restored_by_revert = history(&app, &admin, "leads", &id).await[0].clone();
    let (status, _) = revert(&app, &admin, "leads", &id, &restored_by_revert).await;
    assert_eq!(status, 204, "back to the trash");
    assert_eq!(app.read("leads", &admin, &id).await.0, 404);
    let (status, _) = revert(&app, &admin, "leads", &id, &deleted).await;
    assert_eq!(status, 200);

    // A workflow rule refuses the revert exactly as it refuses the edit.
    let lead = app
        .create("leads", &admin, json!({"company_name": "Initech"}))
        .await;
    let other = lead["id"].clone();
    app.patch(
        "leads",
        &admin,
        &other,
        json!({"version": 1, "lead_status": "contacted"}),
    )
    .await;
    app.configure(&admin, |doc| {
        doc["workflow_rules"] = json!({"lead": {"transitions": {"contacted": ["qualified"]}}});
    })
    .await;
    let moved = history(&app, &admin, "leads", &other).await[0].clone();
    let (status, body) = revert(&app, &admin, "leads", &other, &moved).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["details"][0]["code"], "transition");
    assert_eq!(history(&app, &admin, "leads", &other).await.len(), 2);

    // A member may revert only what they may edit; unknown entries are 404s.
    let member = app.add_user(&admin, "member@acme.test", Role::Member).await;
    let (status, _) = revert(&app, &member, "leads", &other, &moved).await;
    assert_eq!(status, 403);
    let (status, _) = revert(&app, &admin, "leads", &other, &json!({"id": 999_999})).await;
    assert_eq!(status, 404);
    let (status, _) = revert(&app, &admin, "leads", &id, &moved).await;
    assert_eq!(status, 404, "another record's entry");
}

async fn histories_stay_in_their_tenant_and_cost_one_statement(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.login_as(Role::Admin).await;
    let lead = app
        .create("leads", &admin, json!({"company_name": "Acme"}))
        .await;
    for version in 1..=3 {
        app.patch(
            "leads",
            &admin,
            &lead["id"],
            json!({"version": version, "source": format!("v{version}")}),
        )
        .await;
    }
    history(&app, &admin, "leads", &lead["id"]).await;
    let before = app.statements();
    let (status, page) = app
        .get_json(
            &format!("/api/leads/{}/history?page_size=2", lead["id"]),
            &admin,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        app.statements() - before,
        2,
        "the session check and one statement"
    );
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let (_, older) = app
        .get_json(
            &format!(
                "/api/leads/{}/history?page_size=2&before={}",
                lead["id"], page["next_before"]
            ),
            &admin,
        )
        .await;
    assert_eq!(
        actions(older["data"].as_array().unwrap()),
        ["update", "create"]
    );
    assert_eq!(older["next_before"], Value::Null);

    // Another tenant: its admin cannot read the history, revert an entry, or see it in the audit log.
    let stranger = app.signup("Umbrella", "boss@umbrella.test").await;
    let (status, body) = app
        .get_json(&format!("/api/leads/{}/history", lead["id"]), &stranger)
        .await;
    assert_eq!(status, 404, "{body}");
    let entry = &page["data"][0];
    let (status, _) = revert(&app, &stranger, "leads", &lead["id"], entry).await;
    assert_eq!(status, 404);
    let (_, audit) = app.get_json("/api/audit", &stranger).await;
    assert!(
        audit["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["entity"] != "leads"),
        "{audit}"
    );
    // Unknown records and bad parameters.
    let (status, _) = app.get_json("/api/leads/999999/history", &admin).await;
    assert_eq!(status, 404);
    let (status, body) = app
        .get_json(
            &format!("/api/leads/{}/history?before=x", lead["id"]),
            &admin,
        )
        .await;
    assert_eq!(
        (status, body["details"][0]["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("before"))
    );
}

/// `KEEL_HISTORY_RETENTION_DAYS`: the daily cleaning removes entries older than the retention, and only those.
#[tokio::test]
async fn retention_removes_only_entries_past_it() {
    let app = spawn_app(Backend::Sqlite).await;
    let admin = app.login_as(Role::Admin).await;
    let lead = app
        .create("leads", &admin, json!({"company_name": "Acme"}))
        .await;
    let now = chrono::Utc::now();
    let removed = server::domain::history::clean(&app.services, now, 30)
        .await
        .unwrap();
    assert_eq!(removed, 0, "a fresh entry is kept");
    assert_eq!(history(&app, &admin, "leads", &lead["id"]).await.len(), 1);
    let removed =
        server::domain::history::clean(&app.services, now + chrono::Duration::days(31), 30)
            .await
            .unwrap();
    assert_eq!(removed, 1);
    assert!(history(&app, &admin, "leads", &lead["id"]).await.is_empty());
}
