//! The regression guard of issue 20: the PostgreSQL plan of every report shape a user can build — each filter
//! of each report entity, with the default sort and two others, page and count — at a small scale. No plan may
//! scan an index of the entity's table that does not start with `tenant_id` (such an index walks every tenant's
//! rows and filters them one by one: the cause of the one-status report taking 20–60 ms at a million leads),
//! except a trigram index for a substring filter or search. At this scale PostgreSQL rightly reads a needle's
//! few candidates through the tenant's rows rather than the trigram index; that substring filters use it at
//! scale is asserted over 50,000 rows by `reports::postgres_report_statements_use_indexes`.
//!
//! Sequential scans are switched off for the `EXPLAIN`s (in one transaction): at this scale a scan of the
//! whole table is often the cheapest plan, and it would hide which index the planner would pick at scale.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};
use server::{
    db::records::list::list_statements,
    domain::{
        params::Params,
        records::query::{Caller, ListQuery},
    },
};
use shared::{
    descriptor::{FieldKind, Filter, FilterBound},
    EntityDescriptor, ENTITY_KINDS,
};

use crate::{
    helpers::{spawn_app, Backend, TestUser},
    reports::explain,
};
use shared::role::Role;

/// Rows per tenant: enough that statistics and index costs are those of a real table.
const ROWS: u64 = 20_000;

/// Loads `ROWS` rows of every report entity into the tenant, with foreign keys to its own rows.
async fn seed(db: &DatabaseConnection, user: &TestUser) {
    let (tenant, id) = (user.tenant_id, user.id);
    let first = |table: &str| format!("(SELECT min(id) FROM {table} WHERE tenant_id = {tenant})");
    let statements = [
        format!(
            "INSERT INTO leads (tenant_id, company_name, contact_name, email, source, lead_status, assigned_to, created_by, created_at)
             SELECT {tenant}, 'Lead ' || md5(g::text), 'Person ' || (g % 997), 'p' || g || '@x' || (g % 31) || '.test',
                    (ARRAY['web','referral','event',NULL])[1 + g % 4],
                    (ARRAY['new','new','new','contacted','contacted','qualified','proposal','negotiation','won','lost'])[1 + g % 10],
                    CASE WHEN g % 3 = 0 THEN NULL ELSE {id} END, {id}, TIMESTAMPTZ '2026-01-01' + g * INTERVAL '3 minutes'
             FROM generate_series(1, {ROWS}) AS g"
        ),
        format!(
            "INSERT INTO clients (tenant_id, company_name, contact_name, email, client_status, assigned_to, created_by, created_at)
             SELECT {tenant}, 'Client ' || md5(g::text), 'Person ' || (g % 997), 'c' || g || '@x' || (g % 31) || '.test',
                    (ARRAY['active','active','active','inactive'])[1 + g % 4],
                    CASE WHEN g % 3 = 0 THEN NULL ELSE {id} END, {id}, TIMESTAMPTZ '2026-01-01' + g * INTERVAL '3 minutes'
             FROM generate_series(1, {ROWS}) AS g"
        ),
        format!(
            "INSERT INTO projects (tenant_id, project_name, client_id, project_status, budget, actual_cost, start_date, end_date, assigned_to, created_by, created_at)
             SELECT {tenant}, 'Project ' || md5(g::text), {clients} + g % 500,
                    (ARRAY['planning','active','active','completed'])[1 + g % 4],
                    g * 1000, CASE WHEN g % 5 = 0 THEN NULL ELSE g * 900 END,
                    DATE '2026-01-01' + (g % 365), DATE '2026-03-01' + (g % 365),
                    CASE WHEN g % 3 = 0 THEN NULL ELSE {id} END, {id}, TIMESTAMPTZ '2026-01-01' + g * INTERVAL '3 minutes'
             FROM generate_series(1, {ROWS}) AS g",
            clients = first("clients")
        ),
        format!(
            "INSERT INTO accounts (tenant_id, account_name, client_id, account_type, industry, annual_revenue, assigned_to, created_by, created_at)
             SELECT {tenant}, 'Account ' || md5(g::text), CASE WHEN g % 4 = 0 THEN NULL ELSE {clients} + g % 500 END,
                    (ARRAY['customer','partner','vendor',NULL])[1 + g % 4], (ARRAY['Retail','Energy','Media',NULL])[1 + g % 4],
                    g * 10000, CASE WHEN g % 3 = 0 THEN NULL ELSE {id} END, {id}, TIMESTAMPTZ '2026-01-01' + g * INTERVAL '3 minutes'
             FROM generate_series(1, {ROWS}) AS g",
            clients = first("clients")
        ),
        format!(
            "INSERT INTO tasks (tenant_id, title, task_status, priority, due_date, project_id, lead_id, client_id, assigned_to, created_by, created_at)
             SELECT {tenant}, 'Task ' || md5(g::text), (ARRAY['todo','todo','in_progress','done'])[1 + g % 4],
                    (ARRAY['low','medium','high','urgent'])[1 + g % 4], CASE WHEN g % 6 = 0 THEN NULL ELSE DATE '2026-01-01' + (g % 365) END,
                    CASE WHEN g % 3 = 0 THEN {projects} + g % 500 END, CASE WHEN g % 3 = 1 THEN {leads} + g % 500 END,
                    CASE WHEN g % 3 = 2 THEN {clients} + g % 500 END,
                    CASE WHEN g % 3 = 0 THEN NULL ELSE {id} END, {id}, TIMESTAMPTZ '2026-01-01' + g * INTERVAL '3 minutes'
             FROM generate_series(1, {ROWS}) AS g",
            projects = first("projects"),
            leads = first("leads"),
            clients = first("clients")
        ),
    ];
    for statement in statements {
        db.execute_unprepared(&statement)
            .await
            .unwrap_or_else(|err| panic!("{err}\n{statement}"));
    }
}

/// A value a user could send for the filter parameter.
fn sample_value(
    param: &shared::descriptor::FilterParam,
    descriptor: &EntityDescriptor,
    user: &TestUser,
) -> String {
    let def = param.field;
    match (def.filter, def.kind) {
        // A needle as rare as a name a user looks for: the trigram index must answer it.
        (Some(Filter::Contains), _) => "7e21b".into(),
        (Some(Filter::AnyOf), FieldKind::Status) => descriptor
            .default_statuses
            .get(2)
            .or(descriptor.default_statuses.first())
            .map(|s| s.0.to_owned())
            .unwrap_or_default(),
        (Some(Filter::AnyOf), FieldKind::Choice(options)) => options[0].to_owned(),
        (Some(Filter::Assignee), _) => user.id.to_string(),
        (Some(Filter::Equals), _) => "1".into(),
        (Some(Filter::DateRange), FieldKind::Timestamp)
        | (Some(Filter::DateRange), FieldKind::Date) => match param.bound {
            FilterBound::From => "2026-02-01".into(),
            _ => "2026-02-14".into(),
        },
        other => panic!("no sample value for {} ({other:?})", param.name),
    }
}

/// The report shapes of an entity: no filter, each filter on its own (both ends of a range together) and the
/// search, each with the default sort and the first two other plain sort keys.
fn shapes(descriptor: &EntityDescriptor, user: &TestUser) -> Vec<(String, bool)> {
    let mut filters: Vec<(String, bool)> = vec![(String::new(), false)];
    let params = descriptor.filter_params();
    for param in &params {
        if param.bound == FilterBound::To {
            continue;
        }
        let mut query = format!("{}={}", param.name, sample_value(param, descriptor, user));
        if param.bound == FilterBound::From {
            if let Some(to) = params
                .iter()
                .find(|p| p.field.name == param.field.name && p.bound == FilterBound::To)
            {
                query.push_str(&format!(
                    "&{}={}",
                    to.name,
                    sample_value(to, descriptor, user)
                ));
            }
        }
        filters.push((query, param.field.filter == Some(Filter::Contains)));
    }
    if !descriptor.search_fields.is_empty() {
        filters.push(("q=7e21b".into(), true));
    }
    let sorts: Vec<String> = std::iter::once(String::new())
        .chain(
            descriptor
                .fields
                .iter()
                .filter(|f| {
                    f.sortable && f.display_as.is_none() && f.name != "id" && f.name != "created_at"
                })
                .take(2)
                .map(|f| format!("sort_by={}&sort_order=asc", f.name)),
        )
        .collect();
    let mut shapes = Vec::new();
    for (filter, substring) in &filters {
        for sort in &sorts {
            let query = [filter.as_str(), sort.as_str()]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("&");
            shapes.push((query, *substring));
        }
    }
    shapes
}

/// Index name → (its table, the definition of its first column, whether it is a trigram index).
async fn indexes(db: &impl ConnectionTrait) -> HashMap<String, (String, String, bool)> {
    db.query_all_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT c.relname AS index, t.relname AS tab, pg_get_indexdef(i.indexrelid, 1, true) AS first,
                pg_get_indexdef(i.indexrelid) LIKE '%gin_trgm_ops%' AS trigram
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = current_schema()",
    ))
    .await
    .expect("indexes")
    .iter()
    .map(|row| {
        (
            row.try_get::<String>("", "index").unwrap(),
            (
                row.try_get::<String>("", "tab").unwrap(),
                row.try_get::<String>("", "first").unwrap(),
                row.try_get::<bool>("", "trigram").unwrap(),
            ),
        )
    })
    .collect()
}

/// The indexes a plan walks: `Index Scan using X on t`, `Index Only Scan using X`, `Bitmap Index Scan on X`
/// — except a lookup of one row by its id (`Index Cond: (id = …)`, the page joining its rows by id).
fn scanned_indexes(plan: &str) -> Vec<String> {
    let lines: Vec<&str> = plan.lines().collect();
    let mut found = Vec::new();
    for (at, line) in lines.iter().enumerate() {
        let point_lookup = lines
            .get(at + 1)
            .is_some_and(|next| next.trim_start().starts_with("Index Cond: (id = "));
        for marker in [" using ", "Bitmap Index Scan on "] {
            if let Some((_, rest)) = line.split_once(marker) {
                if let Some(name) = rest.split_whitespace().next() {
                    if !point_lookup {
                        found.push(name.to_owned());
                    }
                }
            }
        }
    }
    found
}

#[tokio::test]
async fn postgres_no_report_plan_scans_an_index_without_tenant_first() {
    let app = spawn_app(Backend::Postgres).await;
    let admin = app.login_as(Role::Admin).await;
    let other = app.signup("Other", "admin@other.test").await;
    seed(&app.db, &admin).await;
    seed(&app.db, &other).await;
    app.db.execute_unprepared("ANALYZE").await.unwrap();

    let indexes = indexes(&app.db).await;
    let backend = app.db.get_database_backend();
    let txn = app.db.begin().await.unwrap();
    txn.execute_unprepared("SET LOCAL enable_seqscan = off")
        .await
        .unwrap();
    let mut problems = Vec::new();
    let mut checked = 0;
    for kind in ENTITY_KINDS {
        let descriptor = kind.descriptor();
        if !descriptor.in_reports {
            continue;
        }
        for (query, substring) in shapes(descriptor, &admin) {
            let parsed = ListQuery::parse(
                descriptor,
                &Params::parse(Some(&query)),
                &Caller { user_id: admin.id },
            )
            .unwrap_or_else(|err| panic!("{} {query}: {err:?}", descriptor.table));
            let list = list_statements(
                descriptor,
                admin.tenant_id,
                &parsed.spec(),
                None,
                false,
                Some(10_000),
            );
            for (what, statement) in [("page", &list.page), ("count", &list.count)] {
                let plan = explain(&txn, backend.build(statement)).await;
                checked += 1;
                let shape = format!("{} {what} `{query}`", descriptor.table);
                if plan.contains(&format!("Seq Scan on {} ", descriptor.table)) {
                    problems.push(format!("{shape} scans the whole table:\n{plan}"));
                }
                for index in scanned_indexes(&plan) {
                    let Some((table, first, trigram)) = indexes.get(&index) else {
                        continue;
                    };
                    let allowed = first == "tenant_id" || (*trigram && substring);
                    if table == descriptor.table && !allowed {
                        problems.push(format!(
                            "{shape} scans {index} (first column {first}):\n{plan}"
                        ));
                    }
                }
            }
        }
    }
    txn.rollback().await.unwrap();
    assert!(checked > 100, "only {checked} plans were checked");
    assert!(
        problems.is_empty(),
        "{} of {checked} plans:\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}
