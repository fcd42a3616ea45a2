//! CSV imports: the `imports` rows, and the lookups an import makes before it writes — references by name,
//! users, and the unique keys already taken — each in a few statements whatever the file's size.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, Func, JoinType, Order, Query, SimpleExpr},
    ConnectionTrait, QueryResult,
};
use serde_json::Value;
use shared::{descriptor::FieldKind, EntityDescriptor};

use super::{
    execute, fetch_all, fetch_one, insert_returning_id,
    records::codec::{read_timestamp, timestamp_param},
    DbError,
};

/// Values per `IN (…)` list.
const LOOKUP_CHUNK: usize = 500;

/// One import as stored.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub id: i64,
    pub entity: String,
    pub user_id: i64,
    pub user_name: String,
    pub filename: String,
    pub row_count: i64,
    pub created_at: DateTime<Utc>,
    pub undone_at: Option<DateTime<Utc>>,
}

pub async fn insert(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    entity: &str,
    user_id: i64,
    filename: &str,
    row_count: i64,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new("imports"))
        .columns(
            [
                "tenant_id",
                "entity",
                "user_id",
                "filename",
                "row_count",
                "created_at",
            ]
            .map(Alias::new),
        )
        .values_panic([
            tenant_id.into(),
            entity.into(),
            user_id.into(),
            filename.into(),
            row_count.into(),
            Expr::val(timestamp_param(now, super::is_sqlite(db))),
        ]);
    insert_returning_id(db, &mut insert).await
}

fn i(column: &str) -> Expr {
    Expr::col((Alias::new("i"), Alias::new(column)))
}

fn to_import(row: &QueryResult) -> Result<ImportRow, DbError> {
    Ok(ImportRow {
        id: row.try_get("", "id")?,
        entity: row.try_get("", "entity")?,
        user_id: row.try_get("", "user_id")?,
        user_name: row.try_get("", "user_name")?,
        filename: row.try_get("", "filename")?,
        row_count: row.try_get("", "row_count")?,
        created_at: read_timestamp(row, "created_at")?
            .ok_or(DbError::Missing("an import without its time"))?,
        undone_at: read_timestamp(row, "undone_at")?,
    })
}

fn select_imports(tenant_id: i64) -> sea_orm::sea_query::SelectStatement {
    let mut select = Query::select();
    select
        .columns(
            [
                "id",
                "entity",
                "user_id",
                "filename",
                "row_count",
                "created_at",
                "undone_at",
            ]
            .map(|c| (Alias::new("i"), Alias::new(c))),
        )
        .expr_as(
            Expr::col((Alias::new("u"), Alias::new("name"))),
            Alias::new("user_name"),
        )
        .from_as(Alias::new("imports"), Alias::new("i"))
        .join_as(
            JoinType::InnerJoin,
            Alias::new("users"),
            Alias::new("u"),
            Expr::col((Alias::new("u"), Alias::new("tenant_id")))
                .equals((Alias::new("i"), Alias::new("tenant_id")))
                .and(
                    Expr::col((Alias::new("u"), Alias::new("id")))
                        .equals((Alias::new("i"), Alias::new("user_id"))),
                ),
        )
        .and_where(i("tenant_id").eq(tenant_id));
    select
}

/// The tenant's imports of the given entities, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    entities: &[&str],
    limit: u64,
) -> Result<Vec<ImportRow>, DbError> {
    let mut select = select_imports(tenant_id);
    select
        .and_where(i("entity").is_in(entities.iter().copied()))
        .order_by((Alias::new("i"), Alias::new("id")), Order::Desc)
        .limit(limit);
    fetch_all(db, &select)
        .await?
        .iter()
        .map(to_import)
        .collect()
}

pub async fn find(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
) -> Result<Option<ImportRow>, DbError> {
    let mut select = select_imports(tenant_id);
    select.and_where(i("id").eq(id));
    fetch_one(db, &select)
        .await?
        .as_ref()
        .map(to_import)
        .transpose()
}

/// Marks an import undone, once: `false` when it already was.
pub async fn mark_undone(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let mut update = Query::update();
    update
        .table(Alias::new("imports"))
        .value(
            Alias::new("undone_at"),
            Expr::val(timestamp_param(now, super::is_sqlite(db))),
        )
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .and_where(Expr::col(Alias::new("undone_at")).is_null());
    Ok(execute(db, &update).await? > 0)
}

/// A record an import created, as it is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedRecord {
    pub id: i64,
    pub version: i64,
    pub live: bool,
}

/// The records `import_id` created (found by their `import` history entries), with their version and
/// whether they are live.
pub async fn records_of(
    db: &impl ConnectionTrait,
    table: &'static str,
    tenant_id: i64,
    import_id: i64,
) -> Result<Vec<ImportedRecord>, DbError> {
    let r = |column: &str| Expr::col((Alias::new("r"), Alias::new(column)));
    let h = |column: &str| Expr::col((Alias::new("h"), Alias::new(column)));
    let mut select = Query::select();
    select
        .expr_as(r("id"), Alias::new("id"))
        .expr_as(r("version"), Alias::new("version"))
        .expr_as(
            Expr::cust("CASE WHEN r.deleted_at IS NULL THEN 1 ELSE 0 END"),
            Alias::new("live"),
        )
        .from_as(Alias::new("history_entries"), Alias::new("h"))
        .join_as(
            JoinType::InnerJoin,
            Alias::new(table),
            Alias::new("r"),
            r("tenant_id")
                .equals((Alias::new("h"), Alias::new("tenant_id")))
                .and(r("id").equals((Alias::new("h"), Alias::new("record_id")))),
        )
        .and_where(h("tenant_id").eq(tenant_id))
        .and_where(h("import_id").eq(import_id))
        .and_where(h("entity").eq(table))
        .and_where(h("action").eq("import"))
        .order_by((Alias::new("r"), Alias::new("id")), Order::Asc);
    fetch_all(db, &select)
        .await?
        .iter()
        .map(|row| {
            let live: i32 = row.try_get("", "live")?;
            Ok(ImportedRecord {
                id: row.try_get("", "id")?,
                version: row.try_get("", "version")?,
                live: live == 1,
            })
        })
        .collect()
}

/// An active user of the tenant, for references by id, name or email.
#[derive(Debug, Clone)]
pub struct UserRef {
    pub id: i64,
    pub name: String,
    pub email: String,
}

/// The tenant's active users (a tenant has tens of them, not millions).
pub async fn active_users(
    db: &impl ConnectionTrait,
    tenant_id: i64,
) -> Result<Vec<UserRef>, DbError> {
    let mut select = Query::select();
    select
        .columns(["id", "name", "email"].map(Alias::new))
        .from(Alias::new("users"))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("is_active")).eq(true));
    fetch_all(db, &select)
        .await?
        .iter()
        .map(|row| {
            Ok(UserRef {
                id: row.try_get("", "id")?,
                name: row.try_get("", "name")?,
                email: row.try_get("", "email")?,
            })
        })
        .collect()
}

fn lower(column: &str) -> SimpleExpr {
    Func::lower(Expr::col(Alias::new(column))).into()
}

/// Live records of `table` in the tenant with their `title`, `(id, title)`, for each chunk of `values`
/// turned into a condition by `matching`.
async fn titled<T>(
    db: &impl ConnectionTrait,
    table: &str,
    title: &str,
    tenant_id: i64,
    values: &[T],
    matching: impl Fn(&[T]) -> SimpleExpr,
) -> Result<Vec<(i64, String)>, DbError> {
    let mut found = Vec::new();
    for chunk in values.chunks(LOOKUP_CHUNK) {
        let mut select = Query::select();
        select
            .column(Alias::new("id"))
            .expr_as(Expr::col(Alias::new(title)), Alias::new("title"))
            .from(Alias::new(table))
            .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
            .and_where(Expr::col(Alias::new("deleted_at")).is_null())
            .and_where(matching(chunk));
        for row in fetch_all(db, &select).await? {
            let title: Option<String> = row.try_get("", "title")?;
            found.push((row.try_get("", "id")?, title.unwrap_or_default()));
        }
    }
    Ok(found)
}

/// The live records of `table` whose `title` column matches one of `names` ignoring case: (lower-cased
/// name, id, name as stored). A name may match several records.
pub async fn ids_by_name(
    db: &impl ConnectionTrait,
    table: &str,
    title: &str,
    tenant_id: i64,
    names: &[String],
) -> Result<Vec<(String, i64, String)>, DbError> {
    let found = titled(db, table, title, tenant_id, names, |chunk| {
        lower(title).is_in(chunk.iter().map(|n| n.to_lowercase()))
    })
    .await?;
    Ok(found
        .into_iter()
        .map(|(id, name)| (name.to_lowercase(), id, name))
        .collect())
}

/// Which of `ids` name live records of `table` in the tenant: (id, title).
pub async fn live_ids(
    db: &impl ConnectionTrait,
    table: &str,
    title: &str,
    tenant_id: i64,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, DbError> {
    titled(db, table, title, tenant_id, ids, |chunk| {
        Expr::col(Alias::new("id")).is_in(chunk.iter().copied())
    })
    .await
}

/// A unique key's values as compared: text lower-cased and trimmed, ids as their digits.
pub type Key = Vec<String>;

/// The key of one record for `fields` (`None` when a field of it has no value: no key to collide).
pub fn key_of(fields: &[&str], record: &serde_json::Map<String, Value>) -> Option<Key> {
    fields
        .iter()
        .map(|field| match record.get(*field) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_lowercase()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        })
        .collect()
}

/// Which of `keys` (over `fields`) live records of the tenant already hold.
pub async fn taken_keys(
    db: &impl ConnectionTrait,
    descriptor: &'static EntityDescriptor,
    fields: &[&'static str],
    tenant_id: i64,
    keys: &[Key],
) -> Result<HashSet<Key>, DbError> {
    let mut taken = HashSet::new();
    for chunk in keys.chunks(LOOKUP_CHUNK) {
        let mut select = Query::select();
        select
            .from(Alias::new(descriptor.table))
            .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
            .and_where(Expr::col(Alias::new("deleted_at")).is_null());
        for (index, field) in fields.iter().enumerate() {
            let values: HashSet<&String> = chunk.iter().map(|key| &key[index]).collect();
            let is_text = descriptor
                .field(field)
                .is_some_and(|def| def.kind.storage() == shared::Storage::Text);
            if is_text {
                select
                    .expr_as(lower(field), Alias::new(*field))
                    .and_where(lower(field).is_in(values.into_iter().cloned()));
            } else {
                select.column(Alias::new(*field)).and_where(
                    Expr::col(Alias::new(*field))
                        .is_in(values.into_iter().filter_map(|v| v.parse::<i64>().ok())),
                );
            }
        }
        let wanted: HashSet<&Key> = chunk.iter().collect();
        for row in fetch_all(db, &select).await? {
            let mut key = Key::with_capacity(fields.len());
            for field in fields {
                let is_reference = matches!(
                    descriptor.field(field).map(|def| def.kind),
                    Some(FieldKind::Reference(_) | FieldKind::User)
                );
                key.push(if is_reference {
                    row.try_get::<i64>("", field)?.to_string()
                } else {
                    row.try_get::<String>("", field)?.trim().to_owned()
                });
            }
            if wanted.contains(&key) {
                taken.insert(key);
            }
        }
    }
    Ok(taken)
}
