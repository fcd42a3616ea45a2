//! Backups, restores and tenant exports (issue 15), on both databases: with the real `pg_dump` and
//! `pg_restore` (a missing one fails these tests, never skips them), through the library functions the
//! commands call and, for exit codes and messages, through the `keel` binary itself.

use std::{collections::BTreeMap, io::Read, path::Path};

use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};
use server::domain::{
    backup::{
        self, manifest::digest_database, naming, BackupError, BackupOptions, BackupReport,
        RestorePlan,
    },
    tenant_export, DomainError,
};
use shared::Role;

use crate::helpers::{
    both_backends, spawn_app, spawn_app_on, Backend, EmptyDatabase, TestApp, TestUser,
    TEST_PASSWORD,
};

both_backends!(
    backup_and_restore_into_a_fresh_database_give_the_same_data_and_the_app_serves_it,
    a_flipped_byte_or_a_truncated_file_is_refused_and_the_target_untouched,
    restore_into_a_database_with_data_needs_confirmation,
    verify_backup_passes_and_a_tampered_manifest_fails_it,
    a_tenant_export_holds_all_of_its_rows_and_none_of_another_tenants,
    the_export_download_is_for_administrators_only,
    an_older_backup_is_compared_then_migrated_forward,
);

/// Two tenants with a bit of everything: every record type, a trashed record, a saved configuration,
/// text that needs escaping. Answers the first tenant's admin.
async fn populate(app: &TestApp) -> (TestUser, TestUser) {
    let acme = app.team("acme.test").await;
    let admin = acme.admin.clone();
    app.configure(&admin, |doc| {
        doc["backend_type"] = "custom".into();
        doc["lead_statuses"]
            .as_array_mut()
            .unwrap()
            .push("under_review".into());
    })
    .await;
    for (i, name) in [
        "Zoë & Co",
        "\"Quoted\" Ltd",
        "Line\nBreak AG",
        "Ünïcødé 株式会社",
    ]
    .iter()
    .enumerate()
    {
        app.create(
            "leads",
            &acme.member,
            json!({"company_name": name, "email": format!("lead{i}@acme.test"), "notes": "multi\nline, with \\ and \t"}),
        )
        .await;
    }
    let trashed = app
        .create(
            "leads",
            &admin,
            json!({"company_name": "Gone GmbH", "lead_status": "under_review"}),
        )
        .await;
    let (status, _) = app.delete("leads", &admin, &trashed["id"]).await;
    assert_eq!(status, 204);
    let client = app
        .create("clients", &admin, json!({"company_name": "Globex"}))
        .await;
    let project = app
        .create(
            "projects",
            &admin,
            json!({"project_name": "Launch", "client_id": client["id"], "budget": "12500.00", "start_date": "2026-01-01", "end_date": "2026-03-31"}),
        )
        .await;
    app.create(
        "accounts",
        &admin,
        json!({"account_name": "Globex EU", "client_id": client["id"], "account_type": "customer"}),
    )
    .await;
    app.create(
        "tasks",
        &admin,
        json!({"title": "Call Bill", "priority": "high", "due_date": "2026-02-01", "project_id": project["id"]}),
    )
    .await;

    // A shared view that is someone's default, delivered on a schedule that has run (issue 16).
    let (status, view) = app
        .post_json(
            "/api/views",
            &acme.member,
            json!({"entity": "leads", "name": "Zoë's new leads", "query": "lead_status=new", "shared": true, "pinned": true}),
        )
        .await;
    assert_eq!(status, 201, "{view}");
    let (status, _) = app
        .call(
            &acme.member,
            reqwest::Method::PUT,
            &format!("/api/views/{}/default", view["id"]),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, schedule) = app
        .post_json(
            "/api/report-schedules",
            &acme.member,
            json!({"view_id": view["id"], "cadence": "weekly", "days": ["mon"], "time": "07:00", "time_zone": "Europe/Berlin"}),
        )
        .await;
    assert_eq!(status, 201, "{schedule}");
    let due = chrono::DateTime::parse_from_rfc3339(schedule["next_run_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc);
    server::domain::schedules::runner::run_due(&app.services, due)
        .await
        .unwrap();

    let other = app.signup("Other Corp", "admin@other.test").await;
    app.create(
        "leads",
        &other,
        json!({"company_name": "Other's lead", "email": "secret@other.test"}),
    )
    .await;
    (admin, other)
}

fn options(dir: &Path) -> BackupOptions {
    BackupOptions {
        dir: dir.to_owned(),
        keep_days: 30,
    }
}

async fn make_backup(app: &TestApp, dir: &Path) -> BackupReport {
    backup::backup(&app.database_url, &options(dir), Utc::now())
        .await
        .unwrap_or_else(|err| panic!("backup failed: {err}"))
}

/// Row counts and checksums of every table, as a new manifest would record them.
async fn digests(app: &TestApp) -> BTreeMap<String, (u64, String)> {
    digest_database(&app.db)
        .await
        .expect("checksums")
        .into_iter()
        .map(|(table, info)| (table, (info.rows, info.checksum)))
        .collect()
}

/// Runs the `keel` binary with `database_url`, standard input closed (no terminal).
async fn keel(database_url: &str, args: &[&str]) -> (i32, String, String) {
    let data_dir = tempfile::tempdir().unwrap();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_keel"))
        .args(args)
        .env("KEEL_DATABASE_URL", database_url)
        .env("KEEL_DATA_DIR", data_dir.path())
        .env("RUST_LOG", "error")
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .expect("run keel");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A failure as the commands report it: a non-zero status and exactly one line, containing `needle`.
fn assert_one_line_failure((code, stdout, stderr): &(i32, String, String), needle: &str) {
    assert_ne!(*code, 0, "should fail: {stdout}{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains(needle), "`{needle}` in: {stderr}");
}

fn copy_with_manifest(backup: &Path, to: &Path) {
    std::fs::copy(backup, to).unwrap();
    std::fs::copy(naming::manifest_path(backup), naming::manifest_path(to)).unwrap();
}

async fn backup_and_restore_into_a_fresh_database_give_the_same_data_and_the_app_serves_it(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let (admin, _) = populate(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let report = make_backup(&app, dir.path()).await;

    // The manifest describes the database as it is.
    let manifest = &report.manifest;
    assert_eq!(manifest.keel_version, env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest.migrations, backup_migrations());
    let original = digests(&app).await;
    assert_eq!(manifest.tables.len(), 17, "{:?}", manifest.tables.keys());
    for (table, info) in &manifest.tables {
        assert_eq!(info.rows as i64, app.count_rows(table).await, "{table}");
        assert_eq!(
            (info.rows, info.checksum.clone()),
            original[table],
            "{table}"
        );
    }
    assert!(manifest.tables["leads"].rows >= 6);
    let name = report.path.file_name().unwrap().to_str().unwrap();
    let parsed = naming::parse(name).expect("the backup's own naming");
    assert_eq!(parsed.database, manifest.database.name);
    assert_eq!(manifest.file.name, name);

    // Restore into a database that exists and is empty.
    let fresh = EmptyDatabase::new(backend).await;
    let plan = RestorePlan::prepare(&fresh.url, &report.path)
        .await
        .unwrap_or_else(|err| panic!("prepare: {err}"));
    assert!(plan.existing_rows().is_empty());
    let restored = plan
        .execute()
        .await
        .unwrap_or_else(|err| panic!("restore: {err}"));
    assert_eq!(restored.verification.mismatches, Vec::<String>::new());
    assert_eq!(restored.verification.tables, 17);
    assert_eq!(restored.verification.rows, manifest.total_rows());
    assert!(restored.migrated.is_empty(), "{:?}", restored.migrated);

    // The restored copy, checksummed afresh, is the original; and the app serves it.
    let restored_app = spawn_app_on(fresh).await;
    assert_eq!(digests(&restored_app).await, original);
    let token = restored_app.login("admin@acme.test", TEST_PASSWORD).await;
    let user = TestUser {
        token,
        ..admin.clone()
    };
    let before = app.list("leads", &admin, "sort_by=company_name").await;
    let after = restored_app
        .list("leads", &user, "sort_by=company_name")
        .await;
    assert_eq!(after["total"], before["total"]);
    assert_eq!(after["data"], before["data"]);
    let (status, trash) = restored_app.trash("leads", &user).await;
    assert_eq!((status, trash["total"].clone()), (StatusCode::OK, json!(1)));
    assert_eq!(
        restored_app.backend_config(&user).await["lead_statuses"],
        app.backend_config(&admin).await["lead_statuses"]
    );
}

fn backup_migrations() -> Vec<String> {
    use migration::MigratorTrait;
    migration::Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect()
}

async fn a_flipped_byte_or_a_truncated_file_is_refused_and_the_target_untouched(backend: Backend) {
    let source = spawn_app(backend).await;
    populate(&source).await;
    let dir = tempfile::tempdir().unwrap();
    let report = make_backup(&source, dir.path()).await;

    let target = spawn_app(backend).await;
    let only = target.signup("Target Ltd", "admin@target.test").await;
    target
        .create("leads", &only, json!({"company_name": "Keep me"}))
        .await;
    let untouched = digests(&target).await;

    let bytes = std::fs::read(&report.path).unwrap();
    let flipped = dir
        .path()
        .join("flipped")
        .join(report.path.file_name().unwrap());
    std::fs::create_dir_all(flipped.parent().unwrap()).unwrap();
    copy_with_manifest(&report.path, &flipped);
    let mut changed = bytes.clone();
    let middle = changed.len() / 2;
    changed[middle] ^= 0x01;
    std::fs::write(&flipped, &changed).unwrap();
    let truncated = dir.path().join("truncated.dump");
    copy_with_manifest(&report.path, &truncated);
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();

    for (file, expected) in [
        (&flipped, "its SHA-256 differs"),
        (&truncated, "truncated or corrupt"),
    ] {
        let err = RestorePlan::prepare(&target.database_url, file)
            .await
            .err()
            .expect("refused");
        assert!(matches!(err, BackupError::Refused(_)), "{err}");
        assert!(err.to_string().contains(expected), "{err}");
        // Even when told not to ask: refused, one line, nothing touched.
        let outcome = keel(
            &target.database_url,
            &["restore", file.to_str().unwrap(), "--yes"],
        )
        .await;
        assert_one_line_failure(&outcome, "does not match its manifest");
    }
    assert_eq!(digests(&target).await, untouched);

    // Files that are not backups at all.
    let stray = dir.path().join("notes.dump");
    std::fs::write(&stray, b"not a backup").unwrap();
    let outcome = keel(&target.database_url, &["restore", stray.to_str().unwrap()]).await;
    assert_one_line_failure(&outcome, "is not a Keel backup: there is no manifest");
    std::fs::write(naming::manifest_path(&stray), b"{\"format\": ").unwrap();
    let outcome = keel(&target.database_url, &["restore", stray.to_str().unwrap()]).await;
    assert_one_line_failure(&outcome, "its manifest");
    let outcome = keel(
        &target.database_url,
        &["verify-backup", stray.to_str().unwrap()],
    )
    .await;
    assert_one_line_failure(&outcome, "is not valid");
    assert_eq!(digests(&target).await, untouched);
}

async fn restore_into_a_database_with_data_needs_confirmation(backend: Backend) {
    let source = spawn_app(backend).await;
    populate(&source).await;
    let dir = tempfile::tempdir().unwrap();
    let report = make_backup(&source, dir.path()).await;
    let file = report.path.to_str().unwrap();

    let target = spawn_app(backend).await;
    let only = target.signup("Target Ltd", "admin@target.test").await;
    target
        .create("leads", &only, json!({"company_name": "Keep me"}))
        .await;
    let untouched = digests(&target).await;

    // No terminal to ask at and no --yes: refused, naming the database.
    let plan = RestorePlan::prepare(&target.database_url, &report.path)
        .await
        .unwrap();
    assert!(plan
        .existing_rows()
        .iter()
        .any(|(t, n)| t == "tenants" && *n == 1));
    let outcome = keel(&target.database_url, &["restore", file]).await;
    assert_one_line_failure(&outcome, "is not empty");
    assert!(
        outcome.2.contains(&format!("\"{}\"", plan.database())),
        "{}",
        outcome.2
    );
    assert!(outcome.2.contains("--yes"), "{}", outcome.2);
    assert_eq!(digests(&target).await, untouched);

    // With --yes the data is replaced by the backup's.
    let (code, stdout, stderr) = keel(&target.database_url, &["restore", file, "--yes"]).await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("row counts and checksums match the manifest"),
        "{stdout}"
    );
    let check = server::db::connect(&target.database_url).await.unwrap();
    let after: BTreeMap<String, (u64, String)> = digest_database(&check)
        .await
        .unwrap()
        .into_iter()
        .map(|(table, info)| (table, (info.rows, info.checksum)))
        .collect();
    let expected: BTreeMap<String, (u64, String)> = report
        .manifest
        .tables
        .iter()
        .map(|(table, info)| (table.clone(), (info.rows, info.checksum.clone())))
        .collect();
    assert_eq!(after, expected);
    check.close().await.ok();
}

async fn verify_backup_passes_and_a_tampered_manifest_fails_it(backend: Backend) {
    let app = spawn_app(backend).await;
    populate(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let report = make_backup(&app, dir.path()).await;
    let file = report.path.to_str().unwrap();

    let (manifest, verification) = backup::verify(&app.database_url, &report.path)
        .await
        .unwrap_or_else(|err| panic!("verify: {err}"));
    assert_eq!(verification.mismatches, Vec::<String>::new());
    assert_eq!(verification.rows, manifest.total_rows());
    let (code, stdout, stderr) = keel(&app.database_url, &["verify-backup", file]).await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.starts_with("verified "), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");

    // The file still matches the manifest, but the manifest's checksum of one table and the row count of
    // another no longer match the data.
    let manifest_path = naming::manifest_path(&report.path);
    let mut tampered: Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    tampered["tables"]["leads"]["checksum"] = json!("0".repeat(64));
    let rows = tampered["tables"]["clients"]["rows"].as_u64().unwrap();
    tampered["tables"]["clients"]["rows"] = json!(rows + 1);
    std::fs::write(&manifest_path, tampered.to_string()).unwrap();

    let (_, verification) = backup::verify(&app.database_url, &report.path)
        .await
        .unwrap();
    assert_eq!(
        verification.mismatches,
        [
            format!("table clients: {rows} rows, the manifest says {}", rows + 1),
            format!(
                "table leads: the checksum of its {} rows differs from the manifest",
                report.manifest.tables["leads"].rows
            ),
        ]
    );
    let (code, stdout, stderr) = keel(&app.database_url, &["verify-backup", file]).await;
    assert_ne!(code, 0);
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        verification
            .mismatches
            .iter()
            .map(|m| format!("mismatch: {m}"))
            .collect::<Vec<_>>()
    );
    assert_one_line_failure(&(code, stdout, stderr), "2 of 17 tables");
}

/// The archive's files by name.
fn unpack(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let mut files = BTreeMap::new();
    for entry in archive.entries().expect("a tar.gz") {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().display().to_string();
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        files.insert(name, text);
    }
    files
}

async fn tenant_rows(app: &TestApp, table: &str, column: &str, tenant_id: i64) -> u64 {
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table} WHERE {column} = {tenant_id}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap() as u64
}

async fn a_tenant_export_holds_all_of_its_rows_and_none_of_another_tenants(backend: Backend) {
    let app = spawn_app(backend).await;
    let (admin, other) = populate(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("acme.tar.gz");
    let archive = tenant_export::prepare(&app.db, admin.tenant_id)
        .await
        .unwrap();
    archive.write_file(&out).unwrap();
    let files = unpack(&std::fs::read(&out).unwrap());

    let manifest: Value = serde_json::from_str(&files["manifest.json"]).unwrap();
    assert_eq!(manifest["tenant"]["id"], admin.tenant_id);
    // Every table with a tenant column is exported, or left out on purpose.
    let tables = server::db::backup::tables(&app.db).await.unwrap();
    for table in tables.iter().filter(|t| t.has_column("tenant_id")) {
        assert!(
            tenant_export::TABLES.iter().any(|(t, _)| *t == table.name)
                || tenant_export::LEFT_OUT_TABLES.contains(&table.name.as_str()),
            "{} holds tenant data and is not in the export",
            table.name
        );
    }
    for (table, column) in tenant_export::TABLES {
        let expected = tenant_rows(&app, table, column, admin.tenant_id).await;
        let lines: Vec<Value> = files[&format!("{table}.jsonl")]
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(lines.len() as u64, expected, "{table}");
        assert_eq!(manifest["tables"][table]["rows"], expected, "{table}");
        for line in &lines {
            assert_eq!(line[column], admin.tenant_id, "{table}: {line}");
            assert!(line.get("password_hash").is_none(), "{table}: {line}");
        }
    }
    // The trash is in the archive, and so is the configuration.
    assert!(files["leads.jsonl"].contains("Gone GmbH"));
    assert!(files["leads.jsonl"]
        .lines()
        .any(|l| !l.contains("\"deleted_at\":null")));
    assert!(files["statuses.jsonl"].contains("under_review"));
    assert_eq!(files["config_changes.jsonl"].lines().count(), 1);
    assert!(files["users.jsonl"].contains("\"is_active\":true"));
    // Nothing of the other tenant.
    let everything: String = files.values().cloned().collect();
    assert!(
        !everything.contains("other.test"),
        "another tenant's data leaked"
    );
    assert!(!everything.contains(&format!("\"tenant_id\":{}", other.tenant_id)));

    // Unknown tenant: refused, nothing written.
    assert!(matches!(
        tenant_export::prepare(&app.db, 987_654).await.err(),
        Some(DomainError::NotFound)
    ));
    let missing = dir.path().join("nobody.tar.gz");
    let outcome = keel(
        &app.database_url,
        &[
            "export-tenant",
            "--tenant",
            "987654",
            "--out",
            missing.to_str().unwrap(),
        ],
    )
    .await;
    assert_one_line_failure(&outcome, "there is no tenant with id 987654");
    assert!(!missing.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "only acme.tar.gz"
    );

    // The command writes the same archive.
    let by_command = dir.path().join("by-command.tar.gz");
    let (code, stdout, stderr) = keel(
        &app.database_url,
        &[
            "export-tenant",
            "--tenant",
            &admin.tenant_id.to_string(),
            "--out",
            by_command.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    let again = unpack(&std::fs::read(&by_command).unwrap());
    for (name, text) in &files {
        if name != "manifest.json" {
            assert_eq!(&again[name], text, "{name}");
        }
    }
}

async fn the_export_download_is_for_administrators_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let (admin, _) = populate(&app).await;
    let team_member = app
        .add_user(&admin, "second-member@acme.test", Role::Member)
        .await;
    let manager = app
        .add_user(&admin, "second-manager@acme.test", Role::Manager)
        .await;
    for user in [&team_member, &manager] {
        let (status, body) = app.get_json("/api/admin/export", user).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "forbidden");
        assert!(body["request_id"].is_string());
    }
    assert_eq!(app.get("/api/admin/export").await.status(), 401);

    let response = app
        .authed(reqwest::Method::GET, "/api/admin/export", &admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(header("content-type"), "application/gzip");
    let disposition = header("content-disposition");
    assert!(
        disposition.starts_with("attachment; filename=\"keel-export-acme-test-")
            && disposition.ends_with(".tar.gz\""),
        "{disposition}"
    );
    let files = unpack(&response.bytes().await.unwrap());
    let manifest: Value = serde_json::from_str(&files["manifest.json"]).unwrap();
    assert_eq!(manifest["tenant"]["id"], admin.tenant_id);
    assert_eq!(
        files["leads.jsonl"].lines().count() as u64,
        tenant_rows(&app, "leads", "tenant_id", admin.tenant_id).await
    );
    assert!(!files.values().any(|text| text.contains("other.test")));
}

/// A backup taken before the last migration: the restore compares the data as it was backed up, then
/// applies the missing migration and says so.
async fn an_older_backup_is_compared_then_migrated_forward(backend: Backend) {
    use migration::MigratorTrait;
    let old = EmptyDatabase::new(backend).await;
    let conn = server::db::connect(&old.url).await.unwrap();
    let all = backup_migrations();
    migration::Migrator::up(&conn, Some(all.len() as u32 - 1))
        .await
        .unwrap();
    conn.execute_unprepared("INSERT INTO tenants (name, slug) VALUES ('Old Co', 'old-co')")
        .await
        .unwrap();
    conn.close().await.ok();
    let dir = tempfile::tempdir().unwrap();
    let report = backup::backup(&old.url, &options(dir.path()), Utc::now())
        .await
        .unwrap_or_else(|err| panic!("backup: {err}"));
    assert_eq!(report.manifest.migrations, all[..all.len() - 1]);

    let fresh = EmptyDatabase::new(backend).await;
    let (code, stdout, stderr) =
        keel(&fresh.url, &["restore", report.path.to_str().unwrap()]).await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!("applied 1 migration(s) ({})", all[all.len() - 1])),
        "{stdout}"
    );
    let restored = spawn_app_on(fresh).await;
    let row = restored
        .db
        .query_one_raw(Statement::from_string(
            restored.db.get_database_backend(),
            "SELECT backend_type FROM tenants WHERE slug = 'old-co'",
        ))
        .await
        .unwrap()
        .expect("the tenant was restored");
    assert_eq!(
        row.try_get::<String>("", "backend_type").unwrap(),
        "default"
    );
}

/// Retention is the same on both databases; SQLite keeps it quick.
#[tokio::test]
async fn retention_removes_only_old_backups_of_its_own_naming() {
    let app = spawn_app(Backend::Sqlite).await;
    app.signup("Acme", "admin@acme.test").await;
    let dir = tempfile::tempdir().unwrap();
    let first = make_backup(&app, dir.path()).await;
    let database = first.manifest.database.name.clone();
    let put = |name: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, b"x").unwrap();
        path
    };
    let old = put(&format!("keel-{database}-20200101T000000Z.sqlite"));
    let old_manifest = put(&format!(
        "keel-{database}-20200101T000000Z.sqlite.manifest.json"
    ));
    let older = put(&format!("keel-{database}-20191231T235959Z.sqlite"));
    let recent_name = naming::backup_file_name(
        &database,
        Utc::now() - chrono::TimeDelta::days(29),
        backup::Kind::Sqlite,
    );
    let recent = put(&recent_name);
    let foreign = [
        put("notes.txt"),
        put(&format!("keel-{database}-20200101T000000Z.sqlite.bak")),
        put(&format!("keel-{database}-20200101T000000Z.dump")),
        put("keel-another_db-20200101T000000Z.sqlite"),
        put(&format!("my-keel-{database}-20200101T000000Z.sqlite")),
    ];
    let lookalike_dir = dir
        .path()
        .join(format!("keel-{database}-20190101T000000Z.sqlite"));
    std::fs::create_dir(&lookalike_dir).unwrap();

    // Backups a second apart get their own names.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let second = make_backup(&app, dir.path()).await;
    let mut removed = second.removed.clone();
    removed.sort();
    assert_eq!(
        removed,
        [
            older.file_name().unwrap().to_str().unwrap(),
            old.file_name().unwrap().to_str().unwrap()
        ]
    );
    for gone in [&old, &old_manifest, &older] {
        assert!(!gone.exists(), "{}", gone.display());
    }
    for kept in foreign.iter().chain([&recent, &first.path, &second.path]) {
        assert!(kept.exists(), "{}", kept.display());
    }
    assert!(lookalike_dir.is_dir());

    // Never the newest, even when every backup is old.
    let lonely = tempfile::tempdir().unwrap();
    for name in [
        "keel-keel-20200101T000000Z.sqlite",
        "keel-keel-20200102T000000Z.sqlite",
    ] {
        std::fs::write(lonely.path().join(name), b"x").unwrap();
    }
    let now = Utc.with_ymd_and_hms(2026, 12, 3, 7, 15, 0).unwrap();
    let removed =
        naming::apply_retention(lonely.path(), "keel", backup::Kind::Sqlite, now, 1).unwrap();
    assert_eq!(removed, ["keel-keel-20200101T000000Z.sqlite"]);
    assert!(lonely
        .path()
        .join("keel-keel-20200102T000000Z.sqlite")
        .exists());
}

/// Bad input to the commands: one line, a non-zero status, nothing written.
#[tokio::test]
async fn bad_input_is_one_line_and_writes_nothing() {
    let app = spawn_app(Backend::Sqlite).await;
    app.signup("Acme", "admin@acme.test").await;
    let dir = tempfile::tempdir().unwrap();
    // A directory that cannot be created: its parent is a file.
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, b"x").unwrap();
    let unwritable = blocker.join("backups");
    let outcome = keel(
        &app.database_url,
        &["backup", "--dir", unwritable.to_str().unwrap()],
    )
    .await;
    assert_one_line_failure(&outcome, "is not writable");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);

    let outcome = keel(
        &app.database_url,
        &[
            "restore",
            dir.path().join("nothing.sqlite").to_str().unwrap(),
        ],
    )
    .await;
    assert_one_line_failure(&outcome, "no such backup file");

    // A backup of the other kind of database.
    let good = make_backup(&app, &dir.path().join("good")).await;
    let pg_url = "postgres://postgres@127.0.0.1:1/none";
    let outcome = keel(pg_url, &["restore", good.path.to_str().unwrap()]).await;
    assert_one_line_failure(
        &outcome,
        "is a SQLite backup and KEEL_DATABASE_URL names a PostgreSQL database",
    );

    // A manifest from a newer Keel.
    let manifest_path = naming::manifest_path(&good.path);
    let mut newer: Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
    newer["migrations"]
        .as_array_mut()
        .unwrap()
        .push("m20991231_000001_from_the_future".into());
    std::fs::write(&manifest_path, newer.to_string()).unwrap();
    let outcome = keel(
        &app.database_url,
        &["restore", good.path.to_str().unwrap(), "--yes"],
    )
    .await;
    assert_one_line_failure(&outcome, "was made by a newer Keel");
}

/// Without pg_dump the backup stops with one clear line (and these tests, which need it, fail loudly).
#[tokio::test]
async fn a_missing_pg_dump_is_one_clear_line() {
    let app = spawn_app(Backend::Postgres).await;
    let dir = tempfile::tempdir().unwrap();
    let empty_path = tempfile::tempdir().unwrap();
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_keel"))
        .args(["backup", "--dir", dir.path().join("b").to_str().unwrap()])
        .env("KEEL_DATABASE_URL", &app.database_url)
        .env("KEEL_DATA_DIR", dir.path())
        .env("PATH", empty_path.path())
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .unwrap();
    let outcome = (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    );
    assert_one_line_failure(&outcome, "pg_dump not found on PATH");
    assert!(!dir.path().join("b").read_dir().unwrap().any(|e| {
        let name = e.unwrap().file_name();
        name.to_string_lossy().starts_with("keel-")
    }));
    // And on this machine it is there.
    let version = std::process::Command::new("pg_dump")
        .arg("--version")
        .output()
        .expect("pg_dump must be installed for these tests (scripts/bootstrap installs postgresql-client)");
    assert!(version.status.success());
}
