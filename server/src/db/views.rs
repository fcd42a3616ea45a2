//! Saved views and each user's default view per entity (`saved_views`, `user_default_views`). Every
//! statement names the tenant; which views a user may read or change is the domain's rule, expressed here as
//! "own or shared".

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{
        Alias, Expr, ExprTrait, Func, JoinType, OnConflict, Order, Query, SelectStatement,
    },
    ConnectionTrait, QueryResult,
};

use super::{
    execute, fetch_all, fetch_one, insert_returning_id, records::codec::read_timestamp, DbError,
};

/// One stored view, with its owner's name and whether it is the reader's default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewRow {
    pub id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    pub entity: String,
    pub name: String,
    pub query: String,
    /// A JSON array of column keys.
    pub columns: String,
    /// `table` or `board`.
    pub layout: String,
    pub shared: bool,
    pub pinned: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub is_default: bool,
}

/// What a view holds, for an insert or a full rewrite.
pub struct ViewValues<'a> {
    pub entity: &'a str,
    pub name: &'a str,
    pub query: &'a str,
    pub columns: &'a str,
    pub layout: &'a str,
    pub shared: bool,
    pub pinned: bool,
}

fn v(column: &str) -> Expr {
    Expr::col((Alias::new("v"), Alias::new(column)))
}

/// The views `reader` may read — their own and the tenant's shared ones — with the reader's default marked.
fn readable(tenant_id: i64, reader: i64) -> SelectStatement {
    let mut select = Query::select();
    select
        .from_as(Alias::new("saved_views"), Alias::new("v"))
        .join_as(
            JoinType::InnerJoin,
            Alias::new("users"),
            Alias::new("u"),
            Expr::col((Alias::new("u"), Alias::new("tenant_id")))
                .equals((Alias::new("v"), Alias::new("tenant_id")))
                .and(
                    Expr::col((Alias::new("u"), Alias::new("id")))
                        .equals((Alias::new("v"), Alias::new("owner_id"))),
                ),
        )
        .join_as(
            JoinType::LeftJoin,
            Alias::new("user_default_views"),
            Alias::new("d"),
            Expr::col((Alias::new("d"), Alias::new("view_id")))
                .equals((Alias::new("v"), Alias::new("id")))
                .and(Expr::col((Alias::new("d"), Alias::new("user_id"))).eq(reader))
                .and(Expr::col((Alias::new("d"), Alias::new("tenant_id"))).eq(tenant_id)),
        );
    for column in [
        "id",
        "owner_id",
        "entity",
        "name",
        "query",
        "columns",
        "layout",
        "shared",
        "pinned",
        "version",
        "created_at",
        "updated_at",
    ] {
        select.expr_as(v(column), Alias::new(column));
    }
    select
        .expr_as(
            Expr::col((Alias::new("u"), Alias::new("name"))),
            Alias::new("owner_name"),
        )
        .expr_as(
            Expr::col((Alias::new("d"), Alias::new("view_id"))).is_not_null(),
            Alias::new("is_default"),
        )
        .and_where(v("tenant_id").eq(tenant_id))
        .and_where(v("owner_id").eq(reader).or(v("shared").eq(true)));
    select
}

fn to_row(row: &QueryResult) -> Result<ViewRow, DbError> {
    let time = |column: &str| -> Result<DateTime<Utc>, DbError> {
        read_timestamp(row, column)?.ok_or(DbError::Missing("a view without its timestamps"))
    };
    Ok(ViewRow {
        id: row.try_get("", "id")?,
        owner_id: row.try_get("", "owner_id")?,
        owner_name: row.try_get("", "owner_name")?,
        entity: row.try_get("", "entity")?,
        name: row.try_get("", "name")?,
        query: row.try_get("", "query")?,
        columns: row.try_get("", "columns")?,
        layout: row.try_get("", "layout")?,
        shared: row.try_get("", "shared")?,
        pinned: row.try_get("", "pinned")?,
        version: row.try_get("", "version")?,
        created_at: time("created_at")?,
        updated_at: time("updated_at")?,
        is_default: row.try_get("", "is_default")?,
    })
}

/// The views `reader` may read, of the given entities: pinned first, then by name.
pub async fn list_readable(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    reader: i64,
    entities: &[&str],
) -> Result<Vec<ViewRow>, DbError> {
    let mut select = readable(tenant_id, reader);
    select
        .and_where(v("entity").is_in(entities.iter().copied()))
        .order_by_expr(v("entity"), Order::Asc)
        .order_by_expr(v("pinned"), Order::Desc)
        .order_by_expr(Expr::expr(Func::lower(v("name"))), Order::Asc)
        .order_by_expr(v("id"), Order::Asc);
    fetch_all(db, &select).await?.iter().map(to_row).collect()
}

/// One view, if `reader` may read it.
pub async fn find_readable(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    reader: i64,
    id: i64,
) -> Result<Option<ViewRow>, DbError> {
    let mut select = readable(tenant_id, reader);
    select.and_where(v("id").eq(id));
    fetch_one(db, &select)
        .await?
        .as_ref()
        .map(to_row)
        .transpose()
}

/// Stores a new view; answers its id. A name the owner already uses for the entity is `DbError::Unique`.
pub async fn insert(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    owner_id: i64,
    values: &ViewValues<'_>,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let sqlite = super::is_sqlite(db);
    let stamp = super::records::codec::timestamp_param(now, sqlite);
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new("saved_views"))
        .columns(
            [
                "tenant_id",
                "owner_id",
                "entity",
                "name",
                "query",
                "columns",
                "layout",
                "shared",
                "pinned",
                "created_at",
                "updated_at",
            ]
            .map(Alias::new),
        )
        .values_panic([
            tenant_id.into(),
            owner_id.into(),
            values.entity.into(),
            values.name.into(),
            values.query.into(),
            values.columns.into(),
            values.layout.into(),
            values.shared.into(),
            values.pinned.into(),
            Expr::val(stamp.clone()),
            Expr::val(stamp),
        ]);
    insert_returning_id(db, &mut insert).await
}

/// Rewrites a view at `version`; `false` when someone changed it first (nothing written).
pub async fn update(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
    version: i64,
    values: &ViewValues<'_>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let stamp = Expr::val(super::records::codec::timestamp_param(
        now,
        super::is_sqlite(db),
    ));
    let mut update = super::versioned_update("saved_views", tenant_id, id, version, stamp);
    update
        .value(Alias::new("name"), values.name)
        .value(Alias::new("query"), values.query)
        .value(Alias::new("columns"), values.columns)
        .value(Alias::new("layout"), values.layout)
        .value(Alias::new("shared"), values.shared)
        .value(Alias::new("pinned"), values.pinned);
    Ok(execute(db, &update).await? > 0)
}

/// Deletes a view (and, by cascade, every user's choice of it as their default).
pub async fn delete(db: &impl ConnectionTrait, tenant_id: i64, id: i64) -> Result<bool, DbError> {
    let mut delete = Query::delete();
    delete
        .from_table(Alias::new("saved_views"))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("id")).eq(id));
    Ok(execute(db, &delete).await? > 0)
}

/// Makes `view_id` the user's default for its entity, replacing any other.
pub async fn set_default(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    user_id: i64,
    entity: &str,
    view_id: i64,
) -> Result<(), DbError> {
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new("user_default_views"))
        .columns(["tenant_id", "user_id", "entity", "view_id"].map(Alias::new))
        .values_panic([
            tenant_id.into(),
            user_id.into(),
            entity.into(),
            view_id.into(),
        ])
        .on_conflict(
            OnConflict::columns([Alias::new("user_id"), Alias::new("entity")])
                .update_column(Alias::new("view_id"))
                .to_owned(),
        );
    execute(db, &insert).await?;
    Ok(())
}

/// Forgets `view_id` as the user's default; `false` when it was not.
pub async fn clear_default(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    user_id: i64,
    view_id: i64,
) -> Result<bool, DbError> {
    let mut delete = Query::delete();
    delete
        .from_table(Alias::new("user_default_views"))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("user_id")).eq(user_id))
        .and_where(Expr::col(Alias::new("view_id")).eq(view_id));
    Ok(execute(db, &delete).await? > 0)
}

/// Other users' defaults that point at `view_id` (they lose it when the view stops being shared).
pub async fn clear_others_defaults(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    owner_id: i64,
    view_id: i64,
) -> Result<u64, DbError> {
    let mut delete = Query::delete();
    delete
        .from_table(Alias::new("user_default_views"))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("view_id")).eq(view_id))
        .and_where(Expr::col(Alias::new("user_id")).ne(owner_id));
    execute(db, &delete).await
}

/// Every view of the tenant on `entity`, with its id and query (a tenant has few: a status move reads them
/// all and rewrites those that filter on the moved status).
pub async fn queries_of(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    entity: &str,
) -> Result<Vec<(i64, String)>, DbError> {
    let mut select = Query::select();
    select
        .from(Alias::new("saved_views"))
        .columns(["id", "query"].map(Alias::new))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("entity")).eq(entity))
        .order_by(Alias::new("id"), Order::Asc);
    fetch_all(db, &select)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("", "id")?, row.try_get("", "query")?)))
        .collect()
}

/// Replaces a view's query (a status move rewrote it), bumping its version.
pub async fn replace_query(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
    query: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let sqlite = super::is_sqlite(db);
    let mut update = Query::update();
    update
        .table(Alias::new("saved_views"))
        .value(Alias::new("query"), query)
        .value(
            Alias::new("updated_at"),
            Expr::val(super::records::codec::timestamp_param(now, sqlite)),
        )
        .value(
            Alias::new("version"),
            Expr::col(Alias::new("version")).add(1),
        )
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("id")).eq(id));
    execute(db, &update).await?;
    Ok(())
}
