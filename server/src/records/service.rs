//! The generic record service: create, read, update, soft delete, list, trash and restore for every entity,
//! driven by its descriptor. Every statement is scoped by the caller's tenant; every write is one
//! transaction; permissions come from `shared::permissions` through the `AuthContext`.

use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement, UpdateStatement},
    ConnectionTrait, DatabaseTransaction, DbErr, QueryResult, SqlErr,
};
use serde::Serialize;
use serde_json::{Map, Value};
use shared::{
    descriptor::FieldKind, permissions::Action, EntityDescriptor, EntityKind, FieldError,
    RulesContext, StatusOption,
};

use super::{
    columns,
    contract::{prepare_create, prepare_update, FieldMap},
    cursor::{self, Cursor, Side},
    list_query::{parse_paging, Caller, Condition, ListQuery},
    sql::{self, Liveness},
};
use crate::{auth::AuthContext, error::ApiError, state::AppState};

/// `{"data": [...], "total", "page", "page_size", "total_exact", "next_cursor", "prev_cursor"}`.
#[derive(Debug, Serialize)]
pub struct Page {
    pub data: Vec<Value>,
    pub total: u64,
    /// The page number asked for; 0 on a page reached by cursor (its position is not counted).
    pub page: u64,
    pub page_size: u64,
    /// False when `total` is an estimate (PostgreSQL, more matching rows than `KEEL_EXACT_COUNT_LIMIT`).
    pub total_exact: bool,
    /// The page after this one, when there is one.
    pub next_cursor: Option<String>,
    /// The page before this one, when there is one.
    pub prev_cursor: Option<String>,
}

pub(crate) fn is_sqlite(db: &impl ConnectionTrait) -> bool {
    db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite
}

pub(crate) async fn fetch_all(
    db: &impl ConnectionTrait,
    select: &SelectStatement,
) -> Result<Vec<QueryResult>, ApiError> {
    let statement = db.get_database_backend().build(select);
    Ok(db.query_all_raw(statement).await?)
}

async fn fetch_one(
    db: &impl ConnectionTrait,
    select: &SelectStatement,
) -> Result<Option<QueryResult>, ApiError> {
    let statement = db.get_database_backend().build(select);
    Ok(db.query_one_raw(statement).await?)
}

/// The `total` of a [`sql::count`] statement.
async fn count_rows(db: &impl ConnectionTrait, count: &SelectStatement) -> Result<u64, ApiError> {
    let total = fetch_one(db, count)
        .await?
        .map(|row| row.try_get::<i64>("", "total"))
        .transpose()?
        .unwrap_or(0);
    Ok(total as u64)
}

/// The rows of a [`sql::select_records`] statement as API records.
async fn fetch_records(
    db: &impl ConnectionTrait,
    descriptor: &EntityDescriptor,
    select: &SelectStatement,
    liveness: Liveness,
) -> Result<Vec<Value>, ApiError> {
    fetch_all(db, select)
        .await?
        .iter()
        .map(|row| to_json(descriptor, row, liveness))
        .collect()
}

async fn execute(db: &impl ConnectionTrait, update: &UpdateStatement) -> Result<u64, DbErr> {
    let statement = db.get_database_backend().build(update);
    Ok(db.execute_raw(statement).await?.rows_affected())
}

/// A row of `select_records` as the API's JSON record.
pub(crate) fn to_json(
    descriptor: &EntityDescriptor,
    row: &QueryResult,
    liveness: Liveness,
) -> Result<Value, ApiError> {
    let mut record = Map::new();
    for def in descriptor.fields {
        record.insert(def.name.into(), columns::read(row, def.name, def.kind)?);
        if let Some(display) = def.display_as {
            record.insert(
                display.into(),
                columns::read(row, display, FieldKind::Text)?,
            );
        }
    }
    for computed in descriptor.computed {
        record.insert(
            computed.name.into(),
            columns::read(row, computed.name, computed.kind)?,
        );
    }
    record.insert(
        "created_by".into(),
        columns::read(row, "created_by", FieldKind::User)?,
    );
    record.insert(
        "version".into(),
        columns::read(row, "version", FieldKind::Integer)?,
    );
    if liveness == Liveness::Trashed {
        record.insert(
            "deleted_at".into(),
            columns::read(row, "deleted_at", FieldKind::Timestamp)?,
        );
    }
    Ok(Value::Object(record))
}

/// The writable fields of a stored row, in the shape the entity's input type reads.
fn writable_fields(descriptor: &EntityDescriptor, row: &QueryResult) -> Result<FieldMap, ApiError> {
    let mut map = Map::new();
    for def in descriptor.writable_fields() {
        let value = columns::read(row, def.name, def.kind)?;
        if !Value::is_null(&value) {
            map.insert(def.name.into(), value);
        }
    }
    Ok(map)
}

struct Stored {
    row: QueryResult,
    created_by: Option<i64>,
    assigned_to: Option<i64>,
}

async fn load(
    db: &impl ConnectionTrait,
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    id: i64,
    liveness: Liveness,
) -> Result<Stored, ApiError> {
    let mut select = sql::select_records(descriptor, tenant_id);
    select
        .cond_where(sql::scope(tenant_id, liveness))
        .and_where(sql::column("id").eq(id));
    let row = fetch_one(db, &select).await?.ok_or(ApiError::NotFound)?;
    Ok(Stored {
        created_by: row.try_get::<Option<i64>>("", "created_by")?,
        assigned_to: row.try_get::<Option<i64>>("", "assigned_to")?,
        row,
    })
}

/// The tenant's statuses for the entity, in order (what validation accepts).
pub async fn statuses(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    entity: &str,
) -> Result<Vec<StatusOption>, ApiError> {
    let mut select = Query::select();
    select
        .from(Alias::new("statuses"))
        .columns(["key", "label", "is_closed"].map(Alias::new))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("entity")).eq(entity))
        .order_by(Alias::new("position"), sea_orm::sea_query::Order::Asc)
        .order_by(Alias::new("id"), sea_orm::sea_query::Order::Asc);
    fetch_all(db, &select)
        .await?
        .iter()
        .map(|row| {
            Ok(StatusOption {
                key: row.try_get("", "key")?,
                label: row.try_get("", "label")?,
                is_closed: row.try_get("", "is_closed")?,
            })
        })
        .collect()
}

async fn rules_for(
    db: &impl ConnectionTrait,
    descriptor: &EntityDescriptor,
    tenant_id: i64,
) -> Result<RulesContext, ApiError> {
    Ok(match descriptor.status {
        Some((_, entity)) => RulesContext::with_statuses(statuses(db, tenant_id, entity).await?),
        None => RulesContext::default(),
    })
}

/// Every user or record a write points at must exist, live and active, in the caller's tenant. Another
/// tenant's id is reported exactly like a missing one.
async fn check_references(
    db: &impl ConnectionTrait,
    descriptor: &EntityDescriptor,
    tenant_id: i64,
    record: &FieldMap,
    only: Option<&[&'static str]>,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for def in descriptor.writable_fields() {
        if only.is_some_and(|names| !names.contains(&def.name)) {
            continue;
        }
        let Some(id) = record.get(def.name).and_then(Value::as_i64) else {
            continue;
        };
        let (table, live) = match def.kind {
            FieldKind::User => ("users", Expr::col(Alias::new("is_active")).eq(true)),
            FieldKind::Reference(table) => (table, Expr::col(Alias::new("deleted_at")).is_null()),
            _ => continue,
        };
        let mut select = Query::select();
        select
            .from(Alias::new(table))
            .column(Alias::new("id"))
            .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
            .and_where(Expr::col(Alias::new("id")).eq(id))
            .and_where(live);
        if fetch_one(db, &select).await?.is_none() {
            errors.push(FieldError {
                field: def.name.into(),
                code: "invalid_reference".into(),
                message: format!("{} does not exist", def.label),
            });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

/// Database refusals of a write, in the envelope: a unique name taken → 409 on that field; anything the
/// checks above should have caught → 400. The database's own message never reaches the client.
fn write_error(descriptor: &EntityDescriptor, err: DbErr) -> ApiError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(message)) => {
            let field = descriptor
                .writable_fields()
                .filter(|def| def.kind == FieldKind::Text)
                .find(|def| message.contains(def.name))
                .map(|def| def.name)
                .unwrap_or("id");
            ApiError::conflict_on(
                field,
                "taken",
                format!(
                    "Another live {} already uses this {}",
                    descriptor.singular,
                    field.replace('_', " ")
                ),
            )
        }
        // A CHECK constraint (the database's copy of a shared limit) refused a value validation let through.
        _ if is_check_violation(&err) => {
            ApiError::bad_request("A value is outside what the database allows")
        }
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => {
            ApiError::bad_request("A referenced record does not exist")
        }
        _ => err.into(),
    }
}

fn is_check_violation(err: &DbErr) -> bool {
    let text = err.to_string();
    text.contains("violates check constraint") || text.contains("CHECK constraint failed")
}

fn assignments(
    descriptor: &EntityDescriptor,
    record: &FieldMap,
) -> Result<Vec<(Alias, sea_orm::sea_query::Value)>, ApiError> {
    descriptor
        .writable_fields()
        .map(|def| {
            Ok((
                Alias::new(def.name),
                columns::to_sql(def, record.get(def.name))?,
            ))
        })
        .collect()
}

/// The statements of one report list request.
pub struct ListStatements {
    /// The page (one row more than asked, to tell whether another follows), each row carrying the count.
    pub page: SelectStatement,
    /// The count alone, for a page with no rows to carry it.
    pub count: SelectStatement,
    /// The matching rows, whose `EXPLAIN` estimates their number when the count hits its cap.
    pub matching: SelectStatement,
}

/// Builds the list's statements (public so the tests can `EXPLAIN` exactly what the server runs).
pub fn list_statements(
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    query: &ListQuery,
    cursor: Option<&Cursor>,
    sqlite: bool,
    cap: Option<u64>,
) -> ListStatements {
    let filters = sql::filter_conditions(&query.conditions, sqlite);
    let scope = sql::scope(tenant_id, Liveness::Live);
    let count = sql::count(descriptor, scope.clone(), filters.clone(), cap);
    let matching = sql::matching_rows(descriptor, scope.clone(), filters.clone());

    // A substring query scans its trigram indexes once for the count and the page together, when the page
    // lies within the first `cap + 1` matches (ordered by an own column, which that scan can sort by).
    let substring = query.conditions.iter().any(|condition| {
        matches!(
            condition,
            Condition::Contains { .. } | Condition::Search { .. }
        )
    });
    let own_column = descriptor
        .field(query.sort_by)
        .is_some_and(|def| def.display_as.is_none());
    if let (Some(cap), None, true, true) = (cap, cursor, substring, own_column) {
        if query.offset() + query.page_size <= cap {
            let ids = sql::capped_page_ids(
                descriptor,
                scope.clone(),
                filters,
                query.sort_by,
                query.sort_order,
                cap,
                query.offset(),
                query.page_size + 1,
            );
            let mut page = sql::select_records(descriptor, tenant_id);
            page.join_subquery(
                sea_orm::sea_query::JoinType::InnerJoin,
                ids,
                Alias::new("m"),
                Expr::col((Alias::new("m"), Alias::new("id"))).equals(sql::qualified("id")),
            )
            .expr_as(
                Expr::col((Alias::new("m"), Alias::new(TOTAL_COLUMN))),
                Alias::new(TOTAL_COLUMN),
            )
            .cond_where(scope);
            sql::order_capped(&mut page, descriptor, query.sort_by, query.sort_order, "m");
            page.limit(query.page_size + 1);
            return ListStatements {
                page,
                count,
                matching,
            };
        }
    }

    let mut page = sql::select_records(descriptor, tenant_id);
    page.cond_where(scope.clone())
        .cond_where(filters.clone())
        .expr_as(
            sea_orm::sea_query::SimpleExpr::SubQuery(None, Box::new(count.clone().into())),
            Alias::new(TOTAL_COLUMN),
        );
    if let Some(cursor) = cursor {
        page.cond_where(sql::keyset(
            descriptor,
            query.sort_by,
            query.sort_order,
            cursor.side,
            cursor.value.to_sql(),
            cursor.id,
        ));
    }
    sql::order(
        &mut page,
        descriptor,
        query.sort_by,
        query.sort_order,
        cursor.is_some_and(|c| c.side == Side::Before),
    );
    page.limit(query.page_size + 1);
    if cursor.is_none() {
        page.offset(query.offset());
    }
    ListStatements {
        page,
        count,
        matching,
    }
}

/// The column of the list statement that carries the (capped) count, so that a page costs one statement.
const TOTAL_COLUMN: &str = "keel_total";

pub async fn list(
    state: &AppState,
    ctx: &AuthContext,
    kind: EntityKind,
    pairs: &[(String, String)],
) -> Result<Page, ApiError> {
    ctx.require(Action::ReadRecords)?;
    let descriptor = kind.descriptor();
    let query = ListQuery::parse(
        descriptor,
        pairs,
        &Caller {
            user_id: ctx.user_id,
        },
    )?;
    let db = &state.db;
    let sqlite = is_sqlite(db);
    let secret = state.config.jwt_secret.expose();
    let cursor = query
        .cursor
        .as_deref()
        .map(|token| {
            Cursor::decode(
                token,
                secret,
                descriptor,
                query.sort_by,
                query.sort_order,
                sqlite,
            )
        })
        .transpose()?;
    // SQLite has no cheap estimate to fall back on, and holds what one machine serves: it always counts.
    let cap = (!sqlite).then_some(state.config.exact_count_limit);
    let statements = list_statements(
        descriptor,
        ctx.tenant_id,
        &query,
        cursor.as_ref(),
        sqlite,
        cap,
    );
    let before = cursor.as_ref().is_some_and(|c| c.side == Side::Before);
    let mut rows = fetch_all(db, &statements.page).await?;
    let more = rows.len() as u64 > query.page_size;
    rows.truncate(query.page_size as usize);
    if before {
        rows.reverse();
    }

    let counted = match rows.first() {
        Some(row) => row.try_get::<i64>("", TOTAL_COLUMN)? as u64,
        None => count_rows(db, &statements.count).await?,
    };
    let offset = if cursor.is_some() { 0 } else { query.offset() };
    let seen = offset + rows.len() as u64 + u64::from(more);
    let (total, total_exact) = match cap {
        Some(cap) if counted > cap => {
            // Only a page with rows reaches here in the common case; a page past the end of a huge result
            // keeps "more than the limit" rather than spend a third statement.
            let estimate = if rows.is_empty() {
                0
            } else {
                estimate_rows(db, &statements.matching).await?
            };
            (Ord::max(Ord::max(estimate, cap + 1), seen), false)
        }
        _ => (counted, true),
    };

    let (key_kind, key_column) = cursor::key_of(descriptor, query.sort_by);
    let boundary = |row: &QueryResult, side: Side| -> Result<String, ApiError> {
        Ok(Cursor {
            sort_by: query.sort_by.to_owned(),
            sort_order: query.sort_order,
            side,
            value: cursor::read_key(row, key_kind, key_column, sqlite)?,
            id: row.try_get::<i64>("", "id")?,
        }
        .encode(secret))
    };
    let (has_next, has_prev) = match cursor.as_ref().map(|c| c.side) {
        None => (more, offset > 0),
        Some(Side::After) => (more, true),
        Some(Side::Before) => (true, more),
    };
    let next_cursor = match rows.last() {
        Some(row) if has_next => Some(boundary(row, Side::After)?),
        _ => None,
    };
    let prev_cursor = match rows.first() {
        Some(row) if has_prev => Some(boundary(row, Side::Before)?),
        _ => None,
    };
    let data = rows
        .iter()
        .map(|row| to_json(descriptor, row, Liveness::Live))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page {
        data,
        total,
        page: if cursor.is_some() { 0 } else { query.page },
        page_size: query.page_size,
        total_exact,
        next_cursor,
        prev_cursor,
    })
}

/// The planner's estimate of the rows a statement returns (PostgreSQL's `EXPLAIN`, which plans without
/// running it: well under a millisecond whatever the table's size).
async fn estimate_rows(
    db: &impl ConnectionTrait,
    select: &SelectStatement,
) -> Result<u64, ApiError> {
    let mut explain = db.get_database_backend().build(select);
    explain.sql = format!("EXPLAIN (FORMAT JSON) {}", explain.sql);
    let plan: Value = db
        .query_one_raw(explain)
        .await?
        .ok_or_else(|| ApiError::Internal("EXPLAIN returned no plan".into()))?
        .try_get("", "QUERY PLAN")?;
    let rows = plan[0]["Plan"]["Plan Rows"]
        .as_f64()
        .ok_or_else(|| ApiError::Internal("EXPLAIN gave no row estimate".into()))?;
    Ok(rows.max(0.0).round() as u64)
}

pub async fn get(
    state: &AppState,
    ctx: &AuthContext,
    kind: EntityKind,
    id: i64,
) -> Result<Value, ApiError> {
    ctx.require(Action::ReadRecords)?;
    let descriptor = kind.descriptor();
    let stored = load(&state.db, descriptor, ctx.tenant_id, id, Liveness::Live).await?;
    to_json(descriptor, &stored.row, Liveness::Live)
}

pub async fn create(
    state: &AppState,
    ctx: &AuthContext,
    kind: EntityKind,
    body: &[u8],
) -> Result<Value, ApiError> {
    ctx.require(Action::CreateRecord)?;
    let descriptor = kind.descriptor();
    let txn = crate::db::begin_write(&state.db).await?;
    let rules = rules_for(&txn, descriptor, ctx.tenant_id).await?;
    let record = prepare_create(kind, body, &rules)?;
    check_references(&txn, descriptor, ctx.tenant_id, &record, None).await?;

    let values = assignments(descriptor, &record)?;
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new(descriptor.table))
        .columns(
            ["tenant_id", "created_by", "version"]
                .map(Alias::new)
                .into_iter()
                .chain(values.iter().map(|(name, _)| name.clone())),
        )
        .values_panic(
            [ctx.tenant_id.into(), ctx.user_id.into(), 1i64.into()]
                .into_iter()
                .chain(values.into_iter().map(|(_, value)| Expr::val(value))),
        )
        .returning_col(Alias::new("id"));
    let statement = txn.get_database_backend().build(&insert);
    let row = txn
        .query_one_raw(statement)
        .await
        .map_err(|err| write_error(descriptor, err))?
        .ok_or_else(|| ApiError::Internal("the insert returned no id".into()))?;
    let id: i64 = row.try_get("", "id")?;
    let stored = load(&txn, descriptor, ctx.tenant_id, id, Liveness::Live).await?;
    let created = to_json(descriptor, &stored.row, Liveness::Live)?;
    txn.commit().await?;
    Ok(created)
}

pub async fn update(
    state: &AppState,
    ctx: &AuthContext,
    kind: EntityKind,
    id: i64,
    body: &[u8],
) -> Result<Value, ApiError> {
    ctx.require(Action::UpdateRecord)?;
    let descriptor = kind.descriptor();
    let txn = crate::db::begin_write(&state.db).await?;
    let stored = load(&txn, descriptor, ctx.tenant_id, id, Liveness::Live).await?;
    ctx.require_on(Action::UpdateRecord, stored.created_by, stored.assigned_to)?;
    let rules = rules_for(&txn, descriptor, ctx.tenant_id).await?;
    let current = writable_fields(descriptor, &stored.row)?;
    let prepared = prepare_update(kind, body, &current, &rules)?;
    let current_version: i64 = stored.row.try_get("", "version")?;
    if prepared.version != current_version {
        return Err(stale(descriptor));
    }
    check_references(
        &txn,
        descriptor,
        ctx.tenant_id,
        &prepared.record,
        Some(&prepared.touched),
    )
    .await?;

    let mut update = Query::update();
    update.table(Alias::new(descriptor.table));
    for (name, value) in assignments(descriptor, &prepared.record)? {
        update.value(name, value);
    }
    update
        .value(Alias::new("updated_at"), Expr::current_timestamp())
        .value(
            Alias::new("version"),
            Expr::col(Alias::new("version")).add(1),
        )
        .and_where(Expr::col(Alias::new("tenant_id")).eq(ctx.tenant_id))
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .and_where(Expr::col(Alias::new("version")).eq(current_version))
        .and_where(Expr::col(Alias::new("deleted_at")).is_null());
    let changed = execute(&txn, &update)
        .await
        .map_err(|err| write_error(descriptor, err))?;
    if changed == 0 {
        return Err(stale(descriptor));
    }
    let stored = load(&txn, descriptor, ctx.tenant_id, id, Liveness::Live).await?;
    let updated = to_json(descriptor, &stored.row, Liveness::Live)?;
    txn.commit().await?;
    Ok(updated)
}

fn stale(descriptor: &EntityDescriptor) -> ApiError {
    ApiError::Conflict {
        message: format!(
            "This {} was changed by someone else since you opened it: reload it and apply your change again",
            descriptor.singular
        ),
        details: vec![FieldError {
            field: "version".into(),
            code: "stale".into(),
            message: "The record has a newer version".into(),
        }],
    }
}

fn set_deleted(table: &str, tenant_id: i64) -> UpdateStatement {
    let mut update = Query::update();
    update
        .table(Alias::new(table))
        .value(
            Alias::new("version"),
            Expr::col(Alias::new("version")).add(1),
        )
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id));
    update
}

/// Soft delete. Deleting a client moves its live projects to the trash with it, stamped with the same time
/// so that restoring the client brings back exactly those.
pub async fn delete(
    state: &AppState,
    ctx: &AuthContext,
    kind: EntityKind,
    id: i64,
) -> Result<(), ApiError> {
    ctx.require(Action::DeleteRecord)?;
    let descriptor = kind.descriptor();
    let txn = crate::db::begin_write(&state.db).await?;
    let stored = load(&txn, descriptor, ctx.tenant_id, id, Liveness::Live).await?;
    ctx.require_on(Action::DeleteRecord, stored.created_by, stored.assigned_to)?;
    let mut update = set_deleted(descriptor.table, ctx.tenant_id);
    update
        .value(Alias::new("deleted_at"), Expr::current_timestamp())
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .and_where(Expr::col(Alias::new("deleted_at")).is_null());
    execute(&txn, &update).await?;
    if kind == EntityKind::Client {
        let mut projects = set_deleted("projects", ctx.tenant_id);
        projects
            .value(
                Alias::new("deleted_at"),
                client_deleted_at(ctx.tenant_id, id),
            )
            .and_where(Expr::col(Alias::new("client_id")).eq(id))
            .and_where(Expr::col(Alias::new("deleted_at")).is_null());
        execute(&txn, &projects).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// `(SELECT deleted_at FROM clients WHERE tenant_id = ? AND id = ?)`.
fn client_deleted_at(tenant_id: i64, client_id: i64) -> Expr {
    let mut select = Query::select();
    select
        .from(Alias::new("clients"))
        .column(Alias::new("deleted_at"))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("id")).eq(client_id));
    Expr::SubQuery(None, Box::new(select.into()))
}

pub async fn trash(
    state: &AppState,
    ctx: &AuthContext,
    kind: EntityKind,
    pairs: &[(String, String)],
) -> Result<Page, ApiError> {
    ctx.require(Action::ReadRecords)?;
    let descriptor = kind.descriptor();
    let (page, page_size) = parse_paging(pairs)?;
    let db = &state.db;
    let total = count_rows(
        db,
        &sql::count(
            descriptor,
            sql::scope(ctx.tenant_id, Liveness::Trashed),
            sea_orm::sea_query::Condition::all(),
            None,
        ),
    )
    .await?;
    let mut select = sql::select_records(descriptor, ctx.tenant_id);
    select
        .cond_where(sql::scope(ctx.tenant_id, Liveness::Trashed))
        .order_by_expr(sql::column("deleted_at"), sea_orm::sea_query::Order::Desc)
        .order_by_expr(sql::column("id"), sea_orm::sea_query::Order::Desc)
        .limit(page_size)
        .offset((page - 1) * page_size);
    let data = fetch_records(db, descriptor, &select, Liveness::Trashed).await?;
    Ok(Page {
        data,
        total,
        page,
        page_size,
        total_exact: true,
        next_cursor: None,
        prev_cursor: None,
    })
}

/// Restores a record from the trash (a client with the projects that were trashed with it). A restore that
/// would break a unique name answers 409 and changes nothing.
pub async fn restore(
    state: &AppState,
    ctx: &AuthContext,
    kind: EntityKind,
    id: i64,
) -> Result<Value, ApiError> {
    ctx.require(Action::RestoreRecord)?;
    let descriptor = kind.descriptor();
    let txn: DatabaseTransaction = crate::db::begin_write(&state.db).await?;
    let stored = load(&txn, descriptor, ctx.tenant_id, id, Liveness::Trashed).await?;
    ctx.require_on(Action::RestoreRecord, stored.created_by, stored.assigned_to)?;
    if kind == EntityKind::Project {
        let client_id: Option<i64> = stored.row.try_get("", "client_id")?;
        if let Some(client_id) = client_id {
            let mut client = Query::select();
            client
                .from(Alias::new("clients"))
                .column(Alias::new("id"))
                .and_where(Expr::col(Alias::new("tenant_id")).eq(ctx.tenant_id))
                .and_where(Expr::col(Alias::new("id")).eq(client_id))
                .and_where(Expr::col(Alias::new("deleted_at")).is_null());
            if fetch_one(&txn, &client).await?.is_none() {
                return Err(ApiError::conflict_on(
                    "client_id",
                    "client_in_trash",
                    "This project's client is in the trash: restore the client first",
                ));
            }
        }
    }
    if kind == EntityKind::Client {
        let mut projects = set_deleted("projects", ctx.tenant_id);
        projects
            .value(Alias::new("deleted_at"), Expr::cust("NULL"))
            .and_where(Expr::col(Alias::new("client_id")).eq(id))
            .and_where(
                Expr::col(Alias::new("deleted_at")).eq(client_deleted_at(ctx.tenant_id, id)),
            );
        execute(&txn, &projects)
            .await
            .map_err(|err| write_error(&shared::entities::project::PROJECT, err))?;
    }
    let mut update = set_deleted(descriptor.table, ctx.tenant_id);
    update
        .value(Alias::new("deleted_at"), Expr::cust("NULL"))
        .value(Alias::new("updated_at"), Expr::current_timestamp())
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .and_where(Expr::col(Alias::new("deleted_at")).is_not_null());
    execute(&txn, &update)
        .await
        .map_err(|err| write_error(descriptor, err))?;
    let restored = load(&txn, descriptor, ctx.tenant_id, id, Liveness::Live).await?;
    let restored = to_json(descriptor, &restored.row, Liveness::Live)?;
    txn.commit().await?;
    Ok(restored)
}
