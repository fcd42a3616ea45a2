//! The database enforces what `shared` enforces. For every length-limited field of every table, on SQLite and
//! PostgreSQL: the value at the limit passes both `shared` and a direct SQL insert, one past it fails both.
//! And the plan's checklist 1.3: an invalid status inserted directly via SQL is rejected.

use std::sync::atomic::{AtomicUsize, Ordering};

use sea_orm::sea_query::{Alias, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Statement};
use server::domain::tenants::{self as accounts, NewUser};
use shared::entities::ALL_DESCRIPTORS;
use shared::validation::{check_field, FieldValue};
use shared::{FieldKind, Role, RulesContext};

use crate::helpers::{both_backends, spawn_app, Backend};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique(prefix: &str) -> String {
    format!("{prefix} {}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

struct Fixture {
    tenant_id: i64,
    other_tenant_id: i64,
    client_id: i64,
    other_tenant_client_id: i64,
}

async fn new_tenant(db: &DatabaseConnection, name: &str) -> i64 {
    let email = format!("{}@parity.test", unique("admin").replace(' ', ""));
    let (tenant, _) = accounts::create_tenant_with_admin(
        db,
        name,
        NewUser {
            email,
            name: "Admin".into(),
            role: Role::Admin,
            password: "correct horse battery".into(),
        },
    )
    .await
    .expect("create tenant");
    tenant.id
}

async fn insert(
    db: &DatabaseConnection,
    table: &str,
    row: Vec<(&str, SimpleExpr)>,
) -> Result<i64, DbErr> {
    let (columns, values): (Vec<_>, Vec<_>) = row.into_iter().unzip();
    let mut statement = Query::insert();
    statement
        .into_table(Alias::new(table))
        .columns(columns.into_iter().map(Alias::new))
        .values_panic(values);
    db.execute(&statement).await?;
    let last = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT max(id) FROM {table}"),
        ))
        .await?
        .expect("a row");
    last.try_get_by_index::<i64>(0)
}

/// The smallest valid row of each table; `overrides` replace or add columns.
fn base_row(table: &str, fx: &Fixture) -> Vec<(&'static str, SimpleExpr)> {
    let t = fx.tenant_id.into();
    match table {
        "tenants" => vec![
            ("name", unique("Tenant").into()),
            ("slug", unique("slug").replace(' ', "-").into()),
        ],
        "users" => vec![
            ("tenant_id", t),
            (
                "email",
                format!("{}@parity.test", unique("u").replace(' ', "")).into(),
            ),
            ("name", "Parity User".into()),
            ("role", "member".into()),
            ("password_hash", "x".into()),
        ],
        "statuses" => vec![
            ("tenant_id", t),
            ("entity", "lead".into()),
            ("key", unique("k").replace(' ', "_").into()),
            ("label", "Label".into()),
        ],
        "leads" => vec![
            ("tenant_id", t),
            ("company_name", unique("Lead").into()),
            ("lead_status", "new".into()),
        ],
        "clients" => vec![
            ("tenant_id", t),
            ("company_name", unique("Client").into()),
            ("client_status", "new".into()),
        ],
        "projects" => vec![
            ("tenant_id", t),
            ("project_name", unique("Project").into()),
            ("client_id", fx.client_id.into()),
            ("project_status", "planning".into()),
        ],
        "accounts" => vec![("tenant_id", t), ("account_name", unique("Account").into())],
        "tasks" => vec![
            ("tenant_id", t),
            ("title", unique("Task").into()),
            ("task_status", "todo".into()),
        ],
        other => panic!("no base row for {other}"),
    }
}

fn with(
    mut row: Vec<(&'static str, SimpleExpr)>,
    column: &'static str,
    value: SimpleExpr,
) -> Vec<(&'static str, SimpleExpr)> {
    row.retain(|(name, _)| *name != column);
    row.push((column, value));
    row
}

async fn fixture(db: &DatabaseConnection) -> Fixture {
    let tenant_id = new_tenant(db, "Parity Co").await;
    let other_tenant_id = new_tenant(db, "Other Co").await;
    let mut fx = Fixture {
        tenant_id,
        other_tenant_id,
        client_id: 0,
        other_tenant_client_id: 0,
    };
    fx.client_id = insert(db, "clients", base_row("clients", &fx))
        .await
        .expect("client");
    let other = with(
        base_row("clients", &fx),
        "tenant_id",
        other_tenant_id.into(),
    );
    fx.other_tenant_client_id = insert(db, "clients", other)
        .await
        .expect("other tenant's client");
    fx
}

async fn length_limits_agree_with_shared(backend: Backend) {
    let app = spawn_app(backend).await;
    let fx = fixture(&app.db).await;
    let ctx = RulesContext::default();
    let mut checked = 0;
    for descriptor in ALL_DESCRIPTORS {
        for def in descriptor.fields {
            let (Some(max), FieldKind::Text | FieldKind::LongText) = (def.max_chars, def.kind)
            else {
                continue;
            };
            // Status keys allow only [a-z0-9_]; every other text takes any letter, so use a multi-byte one.
            let letter = if def.name == "key" || def.name == "slug" {
                "a"
            } else {
                "é"
            };
            let at_limit = letter.repeat(max);
            let over = letter.repeat(max + 1);
            let place = format!("{}.{} on {backend:?}", descriptor.table, def.name);

            assert_eq!(
                check_field(def, FieldValue::Text(&at_limit), &ctx),
                None,
                "shared rejects {place} at the limit"
            );
            assert!(
                check_field(def, FieldValue::Text(&over), &ctx).is_some(),
                "shared accepts {place} over the limit"
            );

            let row = with(base_row(descriptor.table, &fx), def.name, at_limit.into());
            insert(&app.db, descriptor.table, row)
                .await
                .unwrap_or_else(|err| panic!("the database rejects {place} at the limit: {err}"));
            let row = with(base_row(descriptor.table, &fx), def.name, over.into());
            assert!(
                insert(&app.db, descriptor.table, row).await.is_err(),
                "the database accepts {place} over the limit"
            );

            if def.required {
                let row = with(base_row(descriptor.table, &fx), def.name, "   ".into());
                assert!(
                    insert(&app.db, descriptor.table, row).await.is_err(),
                    "the database accepts blank {place}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 18, "only {checked} limited fields were checked");
}

async fn an_unknown_status_inserted_directly_is_rejected(backend: Backend) {
    let app = spawn_app(backend).await;
    let fx = fixture(&app.db).await;
    for (table, column, bad) in [
        ("leads", "lead_status", "bogus"),
        ("leads", "lead_status", "planning"), // a project status is not a lead status
        ("clients", "client_status", "won"),
        ("projects", "project_status", "new"),
        ("tasks", "task_status", "open"),
    ] {
        let row = with(base_row(table, &fx), column, bad.into());
        assert!(
            insert(&app.db, table, row).await.is_err(),
            "{table}.{column} = {bad} was accepted on {backend:?}"
        );
    }
    let row = with(base_row("leads", &fx), "lead_status", "won".into());
    insert(&app.db, "leads", row)
        .await
        .expect("a tenant's own status is accepted");
}

async fn a_status_in_use_cannot_be_deleted(backend: Backend) {
    let app = spawn_app(backend).await;
    let fx = fixture(&app.db).await;
    let row = with(base_row("leads", &fx), "lead_status", "qualified".into());
    insert(&app.db, "leads", row).await.unwrap();
    let delete = |key: &str| {
        format!(
            "DELETE FROM statuses WHERE tenant_id = {} AND entity = 'lead' AND key = '{key}'",
            fx.tenant_id
        )
    };
    assert!(
        app.db
            .execute_unprepared(&delete("qualified"))
            .await
            .is_err(),
        "deleted a status in use on {backend:?}"
    );
    app.db
        .execute_unprepared(&delete("negotiation"))
        .await
        .expect("an unused status can be deleted");
}

async fn every_tenant_starts_with_the_default_statuses(backend: Backend) {
    let app = spawn_app(backend).await;
    let fx = fixture(&app.db).await;
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            format!(
                "SELECT entity, key FROM statuses WHERE tenant_id = {} ORDER BY entity, position",
                fx.tenant_id
            ),
        ))
        .await
        .unwrap();
    let keys: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{}:{}",
                r.try_get_by_index::<String>(0).unwrap(),
                r.try_get_by_index::<String>(1).unwrap()
            )
        })
        .collect();
    assert_eq!(
        keys.join(" "),
        "client:new client:active client:inactive client:churned \
         lead:new lead:contacted lead:qualified lead:proposal lead:negotiation lead:won lead:lost \
         project:planning project:active project:on_hold project:completed project:cancelled \
         task:todo task:in_progress task:review task:done task:cancelled"
    );
}

async fn references_stay_inside_the_tenant(backend: Backend) {
    let app = spawn_app(backend).await;
    let fx = fixture(&app.db).await;
    let row = with(
        base_row("projects", &fx),
        "client_id",
        fx.other_tenant_client_id.into(),
    );
    assert!(
        insert(&app.db, "projects", row).await.is_err(),
        "a project pointed at another tenant's client on {backend:?}"
    );
    let row = with(
        base_row("tasks", &fx),
        "client_id",
        fx.other_tenant_client_id.into(),
    );
    assert!(
        insert(&app.db, "tasks", row).await.is_err(),
        "a task pointed at another tenant's client"
    );
    let _ = fx.other_tenant_id;
}

async fn money_and_dates_are_checked(backend: Backend) {
    let app = spawn_app(backend).await;
    let fx = fixture(&app.db).await;
    for (column, value) in [("budget", -1i64), ("actual_cost", -100)] {
        let row = with(base_row("projects", &fx), column, value.into());
        assert!(
            insert(&app.db, "projects", row).await.is_err(),
            "negative {column} accepted on {backend:?}"
        );
    }
    let row = with(base_row("projects", &fx), "budget", 0i64.into());
    insert(&app.db, "projects", row)
        .await
        .expect("zero budget is fine");
    let mut row = with(base_row("projects", &fx), "start_date", "2026-03-01".into());
    row = with(row, "end_date", "2026-02-28".into());
    assert!(
        insert(&app.db, "projects", row).await.is_err(),
        "end before start accepted"
    );
    let row = with(base_row("tasks", &fx), "priority", "critical".into());
    assert!(
        insert(&app.db, "tasks", row).await.is_err(),
        "unknown priority accepted"
    );
}

async fn soft_deleted_rows_do_not_block_unique_names(backend: Backend) {
    let app = spawn_app(backend).await;
    let fx = fixture(&app.db).await;
    let row = with(base_row("clients", &fx), "company_name", "Globex".into());
    let id = insert(&app.db, "clients", row).await.unwrap();
    let again = with(base_row("clients", &fx), "company_name", "GLOBEX".into());
    assert!(
        insert(&app.db, "clients", again.clone()).await.is_err(),
        "duplicate live client name accepted"
    );
    app.db
        .execute_unprepared(&format!(
            "UPDATE clients SET deleted_at = CURRENT_TIMESTAMP WHERE id = {id}"
        ))
        .await
        .unwrap();
    insert(&app.db, "clients", again)
        .await
        .expect("a trashed client's name is free again");
}

both_backends!(
    length_limits_agree_with_shared,
    an_unknown_status_inserted_directly_is_rejected,
    a_status_in_use_cannot_be_deleted,
    every_tenant_starts_with_the_default_statuses,
    references_stay_inside_the_tenant,
    money_and_dates_are_checked,
    soft_deleted_rows_do_not_block_unique_names,
);
