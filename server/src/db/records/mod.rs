//! Record data access for every entity, driven by its descriptor: the statements (`statements`), list
//! planning (`list`), the row ↔ JSON codec (`codec`) and the writes below. Every statement is scoped by the
//! tenant it is given; the caller (the domain's write path) holds the transaction.

pub mod board;
pub mod codec;
pub mod export;
pub mod list;
pub mod model;
pub mod statements;

use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, Query, UpdateStatement},
    ConnectionTrait,
};
use serde_json::Value;
use shared::{descriptor::FieldKind, EntityDescriptor, FieldDef};

pub use codec::FieldMap;
pub use statements::Liveness;

use super::{execute, fetch_all, fetch_one, insert_returning_id, DbError};

/// A stored record as the API shows it. What permissions and writes look at is read from that JSON, so the
/// row is decoded once.
#[derive(Debug, Clone)]
pub struct StoredRecord {
    pub json: Value,
    descriptor: &'static EntityDescriptor,
}

impl StoredRecord {
    /// A field's integer value (an id of a reference, say).
    pub fn id_field(&self, name: &str) -> Option<i64> {
        self.json.get(name).and_then(Value::as_i64)
    }

    pub fn created_by(&self) -> Option<i64> {
        self.id_field("created_by")
    }

    pub fn assigned_to(&self) -> Option<i64> {
        self.id_field("assigned_to")
    }

    /// The version it was read at (a stored version is never NULL).
    pub fn version(&self) -> i64 {
        self.id_field("version").unwrap_or_default()
    }

    /// The writable fields that hold a value, in the shape the entity's input type reads.
    pub fn writable(&self) -> FieldMap {
        self.descriptor
            .writable_fields()
            .filter_map(|def| {
                let value = self.json.get(def.name)?;
                (!value.is_null()).then(|| (def.name.to_owned(), value.clone()))
            })
            .collect()
    }
}

pub async fn find(
    db: &impl ConnectionTrait,
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    id: i64,
    liveness: Liveness,
) -> Result<Option<StoredRecord>, DbError> {
    let mut select = statements::select_records(descriptor, tenant_id);
    select
        .cond_where(statements::scope(tenant_id, liveness))
        .and_where(statements::column("id").eq(id));
    let Some(row) = fetch_one(db, &select).await? else {
        return Ok(None);
    };
    Ok(Some(StoredRecord {
        json: codec::to_json(descriptor, &row, liveness)?,
        descriptor,
    }))
}

/// The records in one status (live or trashed), for a status move to check each against the tenant's rules.
pub async fn in_status(
    db: &impl ConnectionTrait,
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    status: &str,
    liveness: Liveness,
) -> Result<Vec<StoredRecord>, DbError> {
    let Some((status_field, _)) = descriptor.status else {
        return Ok(Vec::new());
    };
    let mut select = statements::select_records(descriptor, tenant_id);
    select
        .cond_where(statements::scope(tenant_id, liveness))
        .and_where(statements::column(status_field).eq(status))
        .order_by(statements::qualified("id"), sea_orm::sea_query::Order::Asc);
    fetch_all(db, &select)
        .await?
        .iter()
        .map(|row| {
            Ok(StoredRecord {
                json: codec::to_json(descriptor, row, liveness)?,
                descriptor,
            })
        })
        .collect()
}

/// How many records use each status of a status entity: (status, live, count), one grouped statement.
pub async fn status_usage(
    db: &impl ConnectionTrait,
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
) -> Result<Vec<(String, bool, i64)>, DbError> {
    let Some((status_field, _)) = descriptor.status else {
        return Ok(Vec::new());
    };
    // Literal SQL, not a bound parameter: PostgreSQL must see the grouped expression and the selected one
    // as the same expression.
    let live = || Expr::cust("CASE WHEN deleted_at IS NULL THEN 1 ELSE 0 END");
    let mut select = Query::select();
    select
        .from(Alias::new(descriptor.table))
        .expr_as(Expr::col(Alias::new(status_field)), Alias::new("status"))
        .expr_as(live(), Alias::new("live"))
        .expr_as(Expr::col(Alias::new("id")).count(), Alias::new("n"))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .add_group_by([Expr::col(Alias::new(status_field)), live()]);
    fetch_all(db, &select)
        .await?
        .iter()
        .map(|row| {
            let live: i32 = row.try_get("", "live")?;
            Ok((row.try_get("", "status")?, live == 1, row.try_get("", "n")?))
        })
        .collect()
}

/// Moves every record (live and trashed) of a status to another, each as a write: version bumped, updated
/// now. Answers the ids of the records moved.
pub async fn move_status(
    db: &impl ConnectionTrait,
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    from: &str,
    to: &str,
) -> Result<Vec<i64>, DbError> {
    let Some((status_field, _)) = descriptor.status else {
        return Ok(Vec::new());
    };
    let mut update = bump_version(descriptor.table, tenant_id);
    update
        .value(Alias::new(status_field), to)
        .value(Alias::new("updated_at"), Expr::current_timestamp())
        .and_where(Expr::col(Alias::new(status_field)).eq(from));
    updated_ids(db, &mut update).await
}

/// Runs an update and answers the ids of the rows it changed.
async fn updated_ids(
    db: &impl ConnectionTrait,
    update: &mut UpdateStatement,
) -> Result<Vec<i64>, DbError> {
    update.returning_col(Alias::new("id"));
    let statement = db.get_database_backend().build(&*update);
    db.query_all_raw(statement)
        .await?
        .iter()
        .map(|row| Ok(row.try_get("", "id")?))
        .collect()
}

/// The user and record fields of `record` (those in `only`, when given) that name nothing live and active in
/// the tenant. Another tenant's id is reported exactly like a missing one.
pub async fn unresolved_references(
    db: &impl ConnectionTrait,
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    record: &FieldMap,
    only: Option<&[&'static str]>,
) -> Result<Vec<&'static FieldDef>, DbError> {
    let mut unresolved = Vec::new();
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
        if !exists(db, table, tenant_id, id, live).await? {
            unresolved.push(def);
        }
    }
    Ok(unresolved)
}

/// Whether the live record `id` of `table` exists in the tenant.
pub async fn is_live(
    db: &impl ConnectionTrait,
    table: &str,
    tenant_id: i64,
    id: i64,
) -> Result<bool, DbError> {
    exists(
        db,
        table,
        tenant_id,
        id,
        Expr::col(Alias::new("deleted_at")).is_null(),
    )
    .await
}

async fn exists(
    db: &impl ConnectionTrait,
    table: &str,
    tenant_id: i64,
    id: i64,
    condition: sea_orm::sea_query::SimpleExpr,
) -> Result<bool, DbError> {
    let mut select = Query::select();
    select
        .from(Alias::new(table))
        .column(Alias::new("id"))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .and_where(condition);
    Ok(fetch_one(db, &select).await?.is_some())
}

fn assignments(
    descriptor: &EntityDescriptor,
    record: &FieldMap,
) -> Result<Vec<(Alias, sea_orm::sea_query::Value)>, DbError> {
    descriptor
        .writable_fields()
        .map(|def| {
            Ok((
                Alias::new(def.name),
                codec::to_sql(def, record.get(def.name))?,
            ))
        })
        .collect()
}

/// Inserts a validated record; answers its id.
pub async fn insert(
    db: &impl ConnectionTrait,
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    created_by: i64,
    record: &FieldMap,
) -> Result<i64, DbError> {
    let mut insert = insert_statement(
        descriptor,
        tenant_id,
        created_by,
        std::slice::from_ref(record),
    )?;
    insert_returning_id(db, &mut insert).await
}

fn insert_statement(
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    created_by: i64,
    records: &[FieldMap],
) -> Result<sea_orm::sea_query::InsertStatement, DbError> {
    let mut insert = Query::insert();
    insert.into_table(Alias::new(descriptor.table)).columns(
        ["tenant_id", "created_by", "version"]
            .map(Alias::new)
            .into_iter()
            .chain(descriptor.writable_fields().map(|def| Alias::new(def.name))),
    );
    for record in records {
        let values = assignments(descriptor, record)?;
        insert.values_panic(
            [tenant_id.into(), created_by.into(), 1i64.into()]
                .into_iter()
                .chain(values.into_iter().map(|(_, value)| Expr::val(value))),
        );
    }
    Ok(insert)
}

/// Inserts validated records, as many per statement as the backends' parameter limits allow; answers their
/// ids in the order of `records`.
pub async fn insert_many(
    db: &impl ConnectionTrait,
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    created_by: i64,
    records: &[FieldMap],
) -> Result<Vec<i64>, DbError> {
    // SQLite takes at most 32,766 parameters per statement.
    let per_statement = (30_000 / (descriptor.writable_fields().count() + 3)).max(1);
    let mut ids = Vec::with_capacity(records.len());
    for chunk in records.chunks(per_statement) {
        let mut insert = insert_statement(descriptor, tenant_id, created_by, chunk)?;
        insert.returning_col(Alias::new("id"));
        let statement = db.get_database_backend().build(&insert);
        let mut chunk_ids = db
            .query_all_raw(statement)
            .await?
            .iter()
            .map(|row| row.try_get::<i64>("", "id"))
            .collect::<Result<Vec<_>, _>>()?;
        // The rows of one insert take their ids from the sequence in the order of its VALUES; RETURNING does
        // not promise that order, so the ids are put back into it.
        chunk_ids.sort_unstable();
        ids.extend(chunk_ids);
    }
    Ok(ids)
}

/// Writes a validated record over the live row at `version`; `false` when someone else changed it first.
pub async fn update(
    db: &impl ConnectionTrait,
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    id: i64,
    version: i64,
    record: &FieldMap,
) -> Result<bool, DbError> {
    let mut update = super::versioned_update(
        descriptor.table,
        tenant_id,
        id,
        version,
        Expr::current_timestamp(),
    );
    for (name, value) in assignments(descriptor, record)? {
        update.value(name, value);
    }
    update.and_where(Expr::col(Alias::new("deleted_at")).is_null());
    Ok(execute(db, &update).await? > 0)
}

fn bump_version(table: &str, tenant_id: i64) -> UpdateStatement {
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

/// Moves a live record to the trash.
pub async fn trash(
    db: &impl ConnectionTrait,
    table: &str,
    tenant_id: i64,
    id: i64,
) -> Result<u64, DbError> {
    let mut update = bump_version(table, tenant_id);
    update
        .value(Alias::new("deleted_at"), Expr::current_timestamp())
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .and_where(Expr::col(Alias::new("deleted_at")).is_null());
    execute(db, &update).await
}

/// Brings a trashed record back.
pub async fn untrash(
    db: &impl ConnectionTrait,
    table: &str,
    tenant_id: i64,
    id: i64,
) -> Result<u64, DbError> {
    let mut update = bump_version(table, tenant_id);
    update
        .value(Alias::new("deleted_at"), Expr::cust("NULL"))
        .value(Alias::new("updated_at"), Expr::current_timestamp())
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .and_where(Expr::col(Alias::new("deleted_at")).is_not_null());
    execute(db, &update).await
}

/// `(SELECT deleted_at FROM parent WHERE tenant_id = ? AND id = ?)`.
fn parent_deleted_at(parent_table: &str, tenant_id: i64, parent_id: i64) -> Expr {
    let mut select = Query::select();
    select
        .from(Alias::new(parent_table))
        .column(Alias::new("deleted_at"))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("id")).eq(parent_id));
    Expr::SubQuery(None, Box::new(select.into()))
}

/// Which way a cascade moves a parent's children.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cascading {
    /// The live children of a just-trashed parent go to the trash, stamped with the parent's `deleted_at`,
    /// so that restoring the parent can bring back exactly these.
    ToTrash,
    /// The children trashed together with the (still trashed) parent come back.
    FromTrash,
}

/// Moves the children of `parent_id` (rows of `child_table` whose `via` holds it) with their parent; answers
/// the ids of the children moved.
pub async fn cascade(
    db: &impl ConnectionTrait,
    direction: Cascading,
    parent_table: &str,
    child_table: &str,
    via: &str,
    tenant_id: i64,
    parent_id: i64,
) -> Result<Vec<i64>, DbError> {
    let parent_deleted_at = parent_deleted_at(parent_table, tenant_id, parent_id);
    let deleted_at = Expr::col(Alias::new("deleted_at"));
    let mut update = bump_version(child_table, tenant_id);
    update.and_where(Expr::col(Alias::new(via)).eq(parent_id));
    match direction {
        Cascading::ToTrash => update
            .value(Alias::new("deleted_at"), parent_deleted_at)
            .and_where(deleted_at.is_null()),
        Cascading::FromTrash => update
            .value(Alias::new("deleted_at"), Expr::cust("NULL"))
            .and_where(deleted_at.eq(parent_deleted_at)),
    };
    updated_ids(db, &mut update).await
}

/// A page of the trash, most recently deleted first, with the exact count.
pub async fn trashed_page(
    db: &impl ConnectionTrait,
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    page: u64,
    page_size: u64,
) -> Result<(Vec<Value>, u64), DbError> {
    let total = list::count_rows(
        db,
        &statements::count(
            descriptor,
            statements::scope(tenant_id, Liveness::Trashed),
            sea_orm::sea_query::Condition::all(),
            None,
        ),
    )
    .await?;
    let mut select = statements::select_records(descriptor, tenant_id);
    select
        .cond_where(statements::scope(tenant_id, Liveness::Trashed))
        .order_by_expr(
            statements::column("deleted_at"),
            sea_orm::sea_query::Order::Desc,
        )
        .order_by_expr(statements::column("id"), sea_orm::sea_query::Order::Desc)
        .limit(page_size)
        .offset((page - 1) * page_size);
    let data = fetch_all(db, &select)
        .await?
        .iter()
        .map(|row| codec::to_json(descriptor, row, Liveness::Trashed))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((data, total))
}

/// Ids per `IN (…)` list of the bulk writes.
const BULK_CHUNK: usize = 500;

/// Moves live records to the trash, all stamped with `at`; answers the ids moved.
pub async fn trash_many(
    db: &impl ConnectionTrait,
    table: &str,
    tenant_id: i64,
    ids: &[i64],
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<i64>, DbError> {
    let stamp = codec::timestamp_param(at, super::is_sqlite(db));
    let mut moved = Vec::new();
    for chunk in ids.chunks(BULK_CHUNK) {
        let mut update = bump_version(table, tenant_id);
        update
            .value(Alias::new("deleted_at"), Expr::val(stamp.clone()))
            .and_where(Expr::col(Alias::new("id")).is_in(chunk.iter().copied()))
            .and_where(Expr::col(Alias::new("deleted_at")).is_null());
        moved.extend(updated_ids(db, &mut update).await?);
    }
    Ok(moved)
}

/// The live children (rows of `child_table` whose `via` holds one of `parent_ids`) of parents just trashed
/// at `at` follow them, stamped the same, so that restoring a parent brings them back; answers their ids.
pub async fn cascade_many(
    db: &impl ConnectionTrait,
    child_table: &str,
    via: &str,
    tenant_id: i64,
    parent_ids: &[i64],
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<i64>, DbError> {
    let stamp = codec::timestamp_param(at, super::is_sqlite(db));
    let mut moved = Vec::new();
    for chunk in parent_ids.chunks(BULK_CHUNK) {
        let mut update = bump_version(child_table, tenant_id);
        update
            .value(Alias::new("deleted_at"), Expr::val(stamp.clone()))
            .and_where(Expr::col(Alias::new(via)).is_in(chunk.iter().copied()))
            .and_where(Expr::col(Alias::new("deleted_at")).is_null());
        moved.extend(updated_ids(db, &mut update).await?);
    }
    Ok(moved)
}
