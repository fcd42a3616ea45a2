//! The dashboard's statements, one per widget: leads created per day over the weeks shown, a user's open tasks
//! with how many there are, and the latest history entries with their records' titles. (The per-status
//! counts and sums are the board's grouped statement, `records::board::status_groups`.)

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, Func, JoinType, NullOrdering, Order, Query},
    ConnectionTrait,
};
use serde_json::Value;
use shared::{descriptor::FieldKind, history::HistoryEntry, list::title_field, EntityDescriptor};

use super::{
    fetch_all, history,
    records::{
        codec,
        model::Condition,
        statements::{self, Liveness},
    },
    DbError,
};

/// The tenant's live records of `descriptor` created from `from` on, counted per day (UTC): `(day, count)`
/// for the days with any, in no particular order. One grouped statement over the `created_at` index.
pub async fn created_per_day(
    db: &impl ConnectionTrait,
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    from: DateTime<Utc>,
) -> Result<Vec<(NaiveDate, u64)>, DbError> {
    let sqlite = super::is_sqlite(db);
    // The UTC day as `YYYY-MM-DD` text on both backends (SQLite keeps the UTC text `CURRENT_TIMESTAMP`
    // writes). Literal SQL, not bound parameters: PostgreSQL must see the grouped and the selected expression
    // as the same one.
    let day = || {
        Expr::cust(if sqlite {
            r#"date("t"."created_at")"#
        } else {
            r#"to_char("t"."created_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD')"#
        })
    };
    let mut select = Query::select();
    select
        .from_as(Alias::new(descriptor.table), Alias::new("t"))
        .expr_as(day(), Alias::new("day"))
        .expr_as(Func::count(Expr::val(1)), Alias::new("records"))
        .cond_where(statements::scope(tenant_id, Liveness::Live))
        .cond_where(statements::filter_conditions(
            &[Condition::TimeFrom {
                column: "created_at",
                from,
            }],
            sqlite,
        ))
        .add_group_by([day()]);
    let mut days = Vec::new();
    for row in fetch_all(db, &select).await? {
        let day: Option<String> = row.try_get("", "day")?;
        let count: i64 = row.try_get("", "records")?;
        let day = day
            .as_deref()
            .and_then(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
            .ok_or(DbError::Missing(
                "a record whose creation day does not read",
            ))?;
        days.push((day, u64::try_from(count).unwrap_or_default()));
    }
    Ok(days)
}

/// One of a user's open tasks as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTask {
    pub id: i64,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub due_date: Option<String>,
    pub status: String,
}

/// The tenant's live records of `descriptor` assigned to `user_id` whose status is one of `statuses`: the
/// first `limit` by due date (none last, then by id) and how many there are in all, in one statement (the
/// count is a window over the same rows). No statement when `statuses` is empty.
pub async fn open_tasks(
    db: &impl ConnectionTrait,
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    user_id: i64,
    status_column: &'static str,
    statuses: &[String],
    limit: u64,
) -> Result<(Vec<OpenTask>, u64), DbError> {
    if statuses.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let sqlite = super::is_sqlite(db);
    let title = title_field(descriptor);
    let mut select = Query::select();
    select
        .from_as(Alias::new(descriptor.table), Alias::new("t"))
        .expr_as(statements::column("id"), Alias::new("id"))
        .expr_as(statements::column(title), Alias::new("title"))
        .expr_as(statements::column("due_date"), Alias::new("due_date"))
        .expr_as(statements::column(status_column), Alias::new("status"))
        .expr_as(Expr::cust("COUNT(*) OVER ()"), Alias::new("total"))
        .cond_where(statements::scope(tenant_id, Liveness::Live))
        .cond_where(statements::filter_conditions(
            &[
                Condition::Equals {
                    column: "assigned_to",
                    value: user_id,
                },
                Condition::AnyOf {
                    column: status_column,
                    values: statuses.to_vec(),
                },
            ],
            sqlite,
        ))
        .order_by_expr_with_nulls(
            statements::column("due_date"),
            Order::Asc,
            NullOrdering::Last,
        )
        .order_by_expr(statements::column("id"), Order::Asc)
        .limit(limit);
    let rows = fetch_all(db, &select).await?;
    let mut total = 0;
    let mut tasks = Vec::with_capacity(rows.len());
    for row in &rows {
        total = u64::try_from(row.try_get::<i64>("", "total")?).unwrap_or_default();
        let due_date = match codec::read(row, "due_date", FieldKind::Date)? {
            Value::String(day) => Some(day),
            _ => None,
        };
        tasks.push(OpenTask {
            id: row.try_get("", "id")?,
            title: row
                .try_get::<Option<String>>("", "title")?
                .unwrap_or_default(),
            due_date,
            status: row
                .try_get::<Option<String>>("", "status")?
                .unwrap_or_default(),
        });
    }
    Ok((tasks, total))
}

/// Which history entries a reader may see.
pub struct ChangesScope<'a> {
    /// Only entries of these entities (`leads`, `users`, `config`); `None`: every entry of the tenant.
    pub entities: Option<&'a [&'static str]>,
    /// The record entities whose title is read (their tables' live rows); users are named through `users`.
    pub titled: &'a [&'static EntityDescriptor],
}

/// The tenant's newest `limit` history entries within `scope`, newest first, each with the title its record
/// has now (`None` when the record is in the trash or gone, and for configuration entries): one statement,
/// left-joining each titled table on the entry's entity and record.
pub async fn latest_changes(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    scope: &ChangesScope<'_>,
    limit: u64,
) -> Result<Vec<(HistoryEntry, Option<String>)>, DbError> {
    let h = |column: &str| Expr::col((Alias::new("h"), Alias::new(column)));
    let mut select = history::select_entries();
    select.from_as(Alias::new("history_entries"), Alias::new("h"));
    history::join_users(&mut select);
    let mut titles = Vec::new();
    for (index, descriptor) in scope.titled.iter().enumerate() {
        let alias = format!("r{index}");
        let r = |column: &str| Expr::col((Alias::new(alias.as_str()), Alias::new(column)));
        select.join_as(
            JoinType::LeftJoin,
            Alias::new(descriptor.table),
            Alias::new(alias.as_str()),
            h("entity")
                .eq(descriptor.table)
                .and(r("tenant_id").equals((Alias::new("h"), Alias::new("tenant_id"))))
                .and(r("id").equals((Alias::new("h"), Alias::new("record_id"))))
                .and(r("deleted_at").is_null()),
        );
        titles.push(r(title_field(descriptor)));
    }
    select.join_as(
        JoinType::LeftJoin,
        Alias::new("users"),
        Alias::new("named"),
        h("entity")
            .eq("users")
            .and(
                Expr::col((Alias::new("named"), Alias::new("tenant_id")))
                    .equals((Alias::new("h"), Alias::new("tenant_id"))),
            )
            .and(
                Expr::col((Alias::new("named"), Alias::new("id")))
                    .equals((Alias::new("h"), Alias::new("record_id"))),
            ),
    );
    titles.push(Expr::col((Alias::new("named"), Alias::new("name"))));
    select
        .expr_as(Func::coalesce(titles), Alias::new("record_title"))
        .and_where(h("tenant_id").eq(tenant_id));
    if let Some(entities) = scope.entities {
        select.and_where(h("entity").is_in(entities.iter().copied()));
    }
    select.limit(limit);
    fetch_all(db, &select)
        .await?
        .iter()
        .map(|row| {
            Ok((
                history::to_entry(row)?,
                row.try_get::<Option<String>>("", "record_title")?,
            ))
        })
        .collect()
}
