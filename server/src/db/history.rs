//! History entries: written in the transaction of the write they describe, read by record (one statement,
//! which also says whether the record exists) and by tenant for the audit log.

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, JoinType, Order, Query, SelectStatement, SimpleExpr},
    ConnectionTrait, QueryResult,
};
use shared::history::{FieldChange, HistoryAction, HistoryEntry, Source};

use super::{
    execute, fetch_all, fetch_one,
    records::codec::{read_timestamp, timestamp_param},
    DbError,
};

const TABLE: &str = "history_entries";

/// Rows per multi-row insert: 11 parameters each stays far below SQLite's 32,766.
const INSERT_CHUNK: usize = 1000;

/// The columns an entry is written with, in order (its `id` is the database's).
const WRITTEN: [&str; 11] = [
    "tenant_id",
    "entity",
    "record_id",
    "action",
    "user_id",
    "at",
    "request_id",
    "source",
    "import_id",
    "reverts_id",
    "changes",
];

/// One entry to write.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub tenant_id: i64,
    pub entity: &'static str,
    pub record_id: i64,
    pub action: HistoryAction,
    pub user_id: Option<i64>,
    pub at: DateTime<Utc>,
    pub request_id: Option<String>,
    pub source: Source,
    pub import_id: Option<i64>,
    pub reverts_id: Option<i64>,
    pub changes: Vec<FieldChange>,
}

/// The stored time of an entry: native on PostgreSQL; on SQLite the text shape of `CURRENT_TIMESTAMP` with
/// microseconds, which still compares as text with the second-precision bounds of [`timestamp_param`].
fn entry_time(at: DateTime<Utc>, sqlite: bool) -> sea_orm::sea_query::Value {
    if sqlite {
        sea_orm::sea_query::Value::String(Some(at.format("%Y-%m-%d %H:%M:%S%.6f").to_string()))
    } else {
        sea_orm::sea_query::Value::ChronoDateTimeUtc(Some(at))
    }
}

/// Writes entries, in as few statements as the backend's parameter limit allows.
pub async fn insert(db: &impl ConnectionTrait, entries: &[NewEntry]) -> Result<(), DbError> {
    let sqlite = super::is_sqlite(db);
    for chunk in entries.chunks(INSERT_CHUNK) {
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new(TABLE))
            .columns(WRITTEN.map(Alias::new));
        for entry in chunk {
            let changes = serde_json::to_string(&entry.changes)
                .map_err(|_| DbError::Missing("history changes that do not serialise"))?;
            insert.values_panic([
                entry.tenant_id.into(),
                entry.entity.into(),
                entry.record_id.into(),
                entry.action.key().into(),
                entry.user_id.into(),
                Expr::val(entry_time(entry.at, sqlite)),
                entry.request_id.clone().into(),
                entry.source.key().into(),
                entry.import_id.into(),
                entry.reverts_id.into(),
                changes.into(),
            ]);
        }
        execute(db, &insert).await?;
    }
    Ok(())
}

fn h(column: &str) -> Expr {
    Expr::col((Alias::new("h"), Alias::new(column)))
}

/// Entries with their user's name, newest first.
pub(super) fn select_entries() -> SelectStatement {
    let mut select = Query::select();
    select
        .columns(
            std::iter::once("id")
                .chain(WRITTEN.into_iter().filter(|c| *c != "tenant_id"))
                .map(|c| (Alias::new("h"), Alias::new(c))),
        )
        .expr_as(
            Expr::col((Alias::new("u"), Alias::new("name"))),
            Alias::new("user_name"),
        )
        .order_by((Alias::new("h"), Alias::new("id")), Order::Desc);
    select
}

pub(super) fn join_users(select: &mut SelectStatement) {
    select.join_as(
        JoinType::LeftJoin,
        Alias::new("users"),
        Alias::new("u"),
        Expr::col((Alias::new("u"), Alias::new("tenant_id")))
            .equals((Alias::new("h"), Alias::new("tenant_id")))
            .and(
                Expr::col((Alias::new("u"), Alias::new("id")))
                    .equals((Alias::new("h"), Alias::new("user_id"))),
            ),
    );
}

pub(super) fn to_entry(row: &QueryResult) -> Result<HistoryEntry, DbError> {
    let action: String = row.try_get("", "action")?;
    let source: String = row.try_get("", "source")?;
    let changes: String = row.try_get("", "changes")?;
    let at =
        read_timestamp(row, "at")?.ok_or(DbError::Missing("a history entry without its time"))?;
    Ok(HistoryEntry {
        id: row.try_get("", "id")?,
        entity: row.try_get("", "entity")?,
        record_id: row.try_get("", "record_id")?,
        action: HistoryAction::parse(&action)
            .ok_or(DbError::Missing("a history entry of an unknown action"))?,
        user_id: row.try_get("", "user_id")?,
        user_name: row.try_get("", "user_name")?,
        at: at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        request_id: row.try_get("", "request_id")?,
        source: Source::parse(&source)
            .ok_or(DbError::Missing("a history entry of an unknown source"))?,
        import_id: row.try_get("", "import_id")?,
        reverts: row.try_get("", "reverts_id")?,
        changes: serde_json::from_str(&changes)
            .map_err(|_| DbError::Missing("a history entry whose changes do not read back"))?,
    })
}

/// A record's entries older than `before`, newest first, at most `limit`, in one statement that starts from
/// the record (live or trashed): `None` when the tenant has no such record.
pub async fn of_record(
    db: &impl ConnectionTrait,
    table: &'static str,
    tenant_id: i64,
    record_id: i64,
    before: Option<i64>,
    limit: u64,
) -> Result<Option<Vec<HistoryEntry>>, DbError> {
    let r = |column: &str| Expr::col((Alias::new("r"), Alias::new(column)));
    let mut on = h("tenant_id")
        .equals((Alias::new("r"), Alias::new("tenant_id")))
        .and(h("entity").eq(table))
        .and(h("record_id").equals((Alias::new("r"), Alias::new("id"))));
    if let Some(before) = before {
        on = on.and(h("id").lt(before));
    }
    let mut select = select_entries();
    select
        .expr_as(r("id"), Alias::new("found"))
        .from_as(Alias::new(table), Alias::new("r"))
        .join_as(JoinType::LeftJoin, Alias::new(TABLE), Alias::new("h"), on);
    join_users(&mut select);
    select
        .and_where(r("tenant_id").eq(tenant_id))
        .and_where(r("id").eq(record_id))
        .limit(limit);
    let rows = fetch_all(db, &select).await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut entries = Vec::with_capacity(rows.len());
    for row in &rows {
        if row.try_get::<Option<i64>>("", "id")?.is_some() {
            entries.push(to_entry(row)?);
        }
    }
    Ok(Some(entries))
}

/// One entry of a record, for a revert.
pub async fn find(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    entity: &str,
    record_id: i64,
    entry_id: i64,
) -> Result<Option<HistoryEntry>, DbError> {
    let mut select = select_entries();
    select.from_as(Alias::new(TABLE), Alias::new("h"));
    join_users(&mut select);
    select
        .and_where(h("tenant_id").eq(tenant_id))
        .and_where(h("entity").eq(entity))
        .and_where(h("record_id").eq(record_id))
        .and_where(h("id").eq(entry_id));
    fetch_one(db, &select)
        .await?
        .as_ref()
        .map(to_entry)
        .transpose()
}

/// The audit log's filters.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub user_id: Option<i64>,
    pub entity: Option<String>,
    pub action: Option<HistoryAction>,
    pub from: Option<DateTime<Utc>>,
    /// Exclusive.
    pub to: Option<DateTime<Utc>>,
    pub import_id: Option<i64>,
}

/// The tenant's entries matching `filter` older than `before`, newest first, at most `limit`.
pub async fn audit_page(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    filter: &AuditFilter,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<HistoryEntry>, DbError> {
    let sqlite = super::is_sqlite(db);
    let mut select = select_entries();
    select.from_as(Alias::new(TABLE), Alias::new("h"));
    join_users(&mut select);
    select.and_where(h("tenant_id").eq(tenant_id));
    let conditions: [Option<SimpleExpr>; 7] = [
        filter.user_id.map(|id| h("user_id").eq(id)),
        filter
            .entity
            .as_deref()
            .map(|entity| h("entity").eq(entity)),
        filter.action.map(|action| h("action").eq(action.key())),
        filter
            .from
            .map(|from| h("at").gte(Expr::val(timestamp_param(from, sqlite)))),
        filter
            .to
            .map(|to| h("at").lt(Expr::val(timestamp_param(to, sqlite)))),
        filter.import_id.map(|id| h("import_id").eq(id)),
        before.map(|id| h("id").lt(id)),
    ];
    for condition in conditions.into_iter().flatten() {
        select.and_where(condition);
    }
    select.limit(limit);
    fetch_all(db, &select).await?.iter().map(to_entry).collect()
}

/// Deletes entries written before `cutoff`, at most `batch` of them (oldest first); answers how many.
pub async fn delete_older_than(
    db: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
    batch: u64,
) -> Result<u64, DbError> {
    let mut oldest = Query::select();
    oldest
        .from(Alias::new(TABLE))
        .column(Alias::new("id"))
        .and_where(
            Expr::col(Alias::new("at")).lt(Expr::val(entry_time(cutoff, super::is_sqlite(db)))),
        )
        .order_by(Alias::new("at"), Order::Asc)
        .limit(batch);
    let mut delete = Query::delete();
    delete
        .from_table(Alias::new(TABLE))
        .and_where(Expr::col(Alias::new("id")).in_subquery(oldest));
    execute(db, &delete).await
}
