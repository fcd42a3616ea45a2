//! Scheduled reports (`report_schedules`), their runs (`report_runs`) and the organisation's time zone. Every
//! statement names the tenant, except the runner's claim of due schedules, which looks across tenants and
//! locks the row it takes (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so instances never take the same one).

use chrono::{DateTime, Utc};
use sea_orm::{
    sea_query::{
        Alias, Expr, ExprTrait, JoinType, LockBehavior, LockType, Order, Query, SelectStatement,
        SimpleExpr,
    },
    ConnectionTrait, QueryResult,
};

use super::{
    execute, fetch_all, fetch_one, insert_returning_id,
    records::codec::{read_timestamp, timestamp_param},
    DbError,
};

/// A schedule with what deciding about it needs: its view and its owner as they are now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleRow {
    pub id: i64,
    pub tenant_id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    pub owner_active: bool,
    pub owner_role: String,
    pub view_id: i64,
    pub view_name: String,
    pub entity: String,
    pub cadence: String,
    /// "mon,thu" for weekly schedules.
    pub days: Option<String>,
    pub day_of_month: Option<i64>,
    pub time_of_day: String,
    pub time_zone: String,
    /// A JSON array of addresses.
    pub recipients: String,
    pub webhook_url: Option<String>,
    pub webhook_secret: String,
    pub enabled: bool,
    pub paused_reason: Option<String>,
    pub next_run_at: DateTime<Utc>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a schedule holds, for an insert or a rewrite.
pub struct ScheduleValues<'a> {
    pub view_id: i64,
    pub cadence: &'a str,
    pub days: Option<&'a str>,
    pub day_of_month: Option<i64>,
    pub time_of_day: &'a str,
    pub time_zone: &'a str,
    pub recipients: &'a str,
    pub webhook_url: Option<&'a str>,
    pub enabled: bool,
    pub next_run_at: DateTime<Utc>,
}

/// A run as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    pub id: i64,
    pub tenant_id: i64,
    pub schedule_id: i64,
    pub trigger: String,
    pub slot_at: DateTime<Utc>,
    pub status: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub row_count: Option<i64>,
    pub byte_count: Option<i64>,
    pub error: Option<String>,
    pub deliveries: String,
    pub file: Option<String>,
}

/// How a run ended.
pub struct RunOutcome<'a> {
    pub status: &'a str,
    pub row_count: Option<i64>,
    pub byte_count: Option<i64>,
    pub error: Option<&'a str>,
    pub deliveries: &'a str,
    pub file: Option<&'a str>,
    pub expires_at: Option<DateTime<Utc>>,
    pub finished_at: DateTime<Utc>,
}

fn col(table: &str, column: &str) -> Expr {
    Expr::col((Alias::new(table), Alias::new(column)))
}

fn stamp(db: &impl ConnectionTrait, time: DateTime<Utc>) -> SimpleExpr {
    Expr::val(timestamp_param(time, super::is_sqlite(db)))
}

fn time(row: &QueryResult, column: &str) -> Result<DateTime<Utc>, DbError> {
    read_timestamp(row, column)?.ok_or(DbError::Missing("a schedule or run without its time"))
}

const SCHEDULE_COLUMNS: [&str; 17] = [
    "id",
    "tenant_id",
    "owner_id",
    "view_id",
    "cadence",
    "days",
    "day_of_month",
    "time_of_day",
    "time_zone",
    "recipients",
    "webhook_url",
    "webhook_secret",
    "enabled",
    "paused_reason",
    "next_run_at",
    "version",
    "created_at",
];

/// Schedules joined with their view and owner.
fn schedules() -> SelectStatement {
    let mut select = Query::select();
    select
        .from_as(Alias::new("report_schedules"), Alias::new("s"))
        .join_as(
            JoinType::InnerJoin,
            Alias::new("saved_views"),
            Alias::new("v"),
            col("v", "tenant_id")
                .equals((Alias::new("s"), Alias::new("tenant_id")))
                .and(col("v", "id").equals((Alias::new("s"), Alias::new("view_id")))),
        )
        .join_as(
            JoinType::InnerJoin,
            Alias::new("users"),
            Alias::new("u"),
            col("u", "tenant_id")
                .equals((Alias::new("s"), Alias::new("tenant_id")))
                .and(col("u", "id").equals((Alias::new("s"), Alias::new("owner_id")))),
        );
    for column in SCHEDULE_COLUMNS {
        select.expr_as(col("s", column), Alias::new(column));
    }
    select
        .expr_as(col("s", "updated_at"), Alias::new("updated_at"))
        .expr_as(col("u", "name"), Alias::new("owner_name"))
        .expr_as(col("u", "is_active"), Alias::new("owner_active"))
        .expr_as(col("u", "role"), Alias::new("owner_role"))
        .expr_as(col("v", "name"), Alias::new("view_name"))
        .expr_as(col("v", "entity"), Alias::new("entity"));
    select
}

fn to_schedule(row: &QueryResult) -> Result<ScheduleRow, DbError> {
    Ok(ScheduleRow {
        id: row.try_get("", "id")?,
        tenant_id: row.try_get("", "tenant_id")?,
        owner_id: row.try_get("", "owner_id")?,
        owner_name: row.try_get("", "owner_name")?,
        owner_active: row.try_get("", "owner_active")?,
        owner_role: row.try_get("", "owner_role")?,
        view_id: row.try_get("", "view_id")?,
        view_name: row.try_get("", "view_name")?,
        entity: row.try_get("", "entity")?,
        cadence: row.try_get("", "cadence")?,
        days: row.try_get("", "days")?,
        day_of_month: row
            .try_get::<Option<i16>>("", "day_of_month")
            .map(|day| day.map(i64::from))
            .or_else(|_| row.try_get::<Option<i64>>("", "day_of_month"))?,
        time_of_day: row.try_get("", "time_of_day")?,
        time_zone: row.try_get("", "time_zone")?,
        recipients: row.try_get("", "recipients")?,
        webhook_url: row.try_get("", "webhook_url")?,
        webhook_secret: row.try_get("", "webhook_secret")?,
        enabled: row.try_get("", "enabled")?,
        paused_reason: row.try_get("", "paused_reason")?,
        next_run_at: time(row, "next_run_at")?,
        version: row.try_get("", "version")?,
        created_at: time(row, "created_at")?,
        updated_at: time(row, "updated_at")?,
    })
}

/// The tenant's schedules (only `owner`'s when given), by view name.
pub async fn list(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    owner: Option<i64>,
) -> Result<Vec<ScheduleRow>, DbError> {
    let mut select = schedules();
    select
        .and_where(col("s", "tenant_id").eq(tenant_id))
        .order_by_expr(col("v", "name"), Order::Asc)
        .order_by_expr(col("s", "id"), Order::Asc);
    if let Some(owner) = owner {
        select.and_where(col("s", "owner_id").eq(owner));
    }
    fetch_all(db, &select)
        .await?
        .iter()
        .map(to_schedule)
        .collect()
}

pub async fn find(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
) -> Result<Option<ScheduleRow>, DbError> {
    let mut select = schedules();
    select
        .and_where(col("s", "tenant_id").eq(tenant_id))
        .and_where(col("s", "id").eq(id));
    fetch_one(db, &select)
        .await?
        .as_ref()
        .map(to_schedule)
        .transpose()
}

/// The enabled schedule whose slot came first among those due at `now`, locked until the transaction ends
/// (other instances skip it). SQLite is one process whose write transaction is exclusive.
pub async fn claim_due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Option<ScheduleRow>, DbError> {
    let mut due = Query::select();
    due.from(Alias::new("report_schedules"))
        .column(Alias::new("id"))
        .and_where(Expr::col(Alias::new("enabled")).eq(true))
        .and_where(Expr::col(Alias::new("next_run_at")).lte(stamp(db, now)))
        .order_by(Alias::new("next_run_at"), Order::Asc)
        .limit(1);
    if !super::is_sqlite(db) {
        due.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let Some(row) = fetch_one(db, &due).await? else {
        return Ok(None);
    };
    let id: i64 = row.try_get("", "id")?;
    let mut select = schedules();
    select.and_where(col("s", "id").eq(id));
    fetch_one(db, &select)
        .await?
        .as_ref()
        .map(to_schedule)
        .transpose()
}

pub async fn insert(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    owner_id: i64,
    values: &ScheduleValues<'_>,
    secret: &str,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new("report_schedules"))
        .columns(
            [
                "tenant_id",
                "owner_id",
                "view_id",
                "cadence",
                "days",
                "day_of_month",
                "time_of_day",
                "time_zone",
                "recipients",
                "webhook_url",
                "webhook_secret",
                "enabled",
                "next_run_at",
                "created_at",
                "updated_at",
            ]
            .map(Alias::new),
        )
        .values_panic([
            tenant_id.into(),
            owner_id.into(),
            values.view_id.into(),
            values.cadence.into(),
            values.days.into(),
            values.day_of_month.into(),
            values.time_of_day.into(),
            values.time_zone.into(),
            values.recipients.into(),
            values.webhook_url.into(),
            secret.into(),
            values.enabled.into(),
            stamp(db, values.next_run_at),
            stamp(db, now),
            stamp(db, now),
        ]);
    insert_returning_id(db, &mut insert).await
}

/// Rewrites a schedule at `version` (and clears its pause reason); `false` when someone changed it first.
pub async fn update(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
    version: i64,
    values: &ScheduleValues<'_>,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let mut update =
        super::versioned_update("report_schedules", tenant_id, id, version, stamp(db, now));
    update
        .value(Alias::new("cadence"), values.cadence)
        .value(Alias::new("days"), values.days)
        .value(Alias::new("day_of_month"), values.day_of_month)
        .value(Alias::new("time_of_day"), values.time_of_day)
        .value(Alias::new("time_zone"), values.time_zone)
        .value(Alias::new("recipients"), values.recipients)
        .value(Alias::new("webhook_url"), values.webhook_url)
        .value(Alias::new("enabled"), values.enabled)
        .value(Alias::new("paused_reason"), Expr::val(None::<String>))
        .value(Alias::new("next_run_at"), stamp(db, values.next_run_at));
    Ok(execute(db, &update).await? > 0)
}

pub async fn delete(db: &impl ConnectionTrait, tenant_id: i64, id: i64) -> Result<bool, DbError> {
    let mut delete = Query::delete();
    delete
        .from_table(Alias::new("report_schedules"))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("id")).eq(id));
    Ok(execute(db, &delete).await? > 0)
}

/// Moves a claimed schedule on to its next slot.
pub async fn set_next_run(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
    next_run_at: DateTime<Utc>,
) -> Result<(), DbError> {
    let mut update = Query::update();
    update
        .table(Alias::new("report_schedules"))
        .value(Alias::new("next_run_at"), stamp(db, next_run_at))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("id")).eq(id));
    execute(db, &update).await?;
    Ok(())
}

/// Stops a schedule that cannot run, saying why.
pub async fn pause(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
    reason: &str,
) -> Result<(), DbError> {
    let mut update = Query::update();
    update
        .table(Alias::new("report_schedules"))
        .value(Alias::new("enabled"), false)
        .value(Alias::new("paused_reason"), reason)
        .value(
            Alias::new("version"),
            Expr::col(Alias::new("version")).add(1),
        )
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("id")).eq(id));
    execute(db, &update).await?;
    Ok(())
}

/// A run (or a skipped slot) as it starts.
pub struct NewRun<'a> {
    pub schedule_id: i64,
    /// `schedule` or `manual`.
    pub trigger: &'a str,
    pub slot_at: DateTime<Utc>,
    /// `running`, or `skipped` (then finished at once).
    pub status: &'a str,
    pub error: Option<&'a str>,
}

/// Records a run as it starts. A scheduled slot recorded twice is `DbError::Unique`.
pub async fn insert_run(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    run: &NewRun<'_>,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let NewRun {
        schedule_id,
        trigger,
        slot_at,
        status,
        error,
    } = *run;
    let finished = (status == "skipped").then(|| stamp(db, now));
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new("report_runs"))
        .columns(
            [
                "tenant_id",
                "schedule_id",
                "trigger",
                "slot_at",
                "status",
                "started_at",
                "finished_at",
                "error",
            ]
            .map(Alias::new),
        )
        .values_panic([
            tenant_id.into(),
            schedule_id.into(),
            trigger.into(),
            stamp(db, slot_at),
            status.into(),
            stamp(db, now),
            finished.unwrap_or_else(|| Expr::val(None::<DateTime<Utc>>)),
            error.into(),
        ]);
    insert_returning_id(db, &mut insert).await
}

pub async fn finish_run(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
    outcome: &RunOutcome<'_>,
) -> Result<(), DbError> {
    let mut update = Query::update();
    update
        .table(Alias::new("report_runs"))
        .value(Alias::new("status"), outcome.status)
        .value(Alias::new("row_count"), outcome.row_count)
        .value(Alias::new("byte_count"), outcome.byte_count)
        .value(Alias::new("error"), outcome.error)
        .value(Alias::new("deliveries"), outcome.deliveries)
        .value(Alias::new("file"), outcome.file)
        .value(
            Alias::new("expires_at"),
            match outcome.expires_at {
                Some(at) => stamp(db, at),
                None => Expr::val(None::<DateTime<Utc>>),
            },
        )
        .value(Alias::new("finished_at"), stamp(db, outcome.finished_at))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("id")).eq(id));
    execute(db, &update).await?;
    Ok(())
}

const RUN_COLUMNS: [&str; 13] = [
    "id",
    "tenant_id",
    "schedule_id",
    "trigger",
    "slot_at",
    "status",
    "started_at",
    "finished_at",
    "row_count",
    "byte_count",
    "error",
    "deliveries",
    "file",
];

fn runs() -> SelectStatement {
    let mut select = Query::select();
    select
        .from(Alias::new("report_runs"))
        .columns(RUN_COLUMNS.map(Alias::new));
    select
}

fn to_run(row: &QueryResult) -> Result<RunRow, DbError> {
    Ok(RunRow {
        id: row.try_get("", "id")?,
        tenant_id: row.try_get("", "tenant_id")?,
        schedule_id: row.try_get("", "schedule_id")?,
        trigger: row.try_get("", "trigger")?,
        slot_at: time(row, "slot_at")?,
        status: row.try_get("", "status")?,
        started_at: time(row, "started_at")?,
        finished_at: read_timestamp(row, "finished_at")?,
        row_count: row.try_get("", "row_count")?,
        byte_count: row.try_get("", "byte_count")?,
        error: row.try_get("", "error")?,
        deliveries: row.try_get("", "deliveries")?,
        file: row.try_get("", "file")?,
    })
}

/// A schedule's runs, newest first.
pub async fn runs_of(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    schedule_id: i64,
    limit: u64,
) -> Result<Vec<RunRow>, DbError> {
    let mut select = runs();
    select
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("schedule_id")).eq(schedule_id))
        .order_by(Alias::new("started_at"), Order::Desc)
        .order_by(Alias::new("id"), Order::Desc)
        .limit(limit);
    fetch_all(db, &select).await?.iter().map(to_run).collect()
}

/// The latest run of each of the tenant's schedules, in one statement.
pub async fn latest_runs(
    db: &impl ConnectionTrait,
    tenant_id: i64,
) -> Result<Vec<RunRow>, DbError> {
    let mut latest = Query::select();
    latest
        .from(Alias::new("report_runs"))
        .expr(Expr::col(Alias::new("id")).max())
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .group_by_col(Alias::new("schedule_id"));
    let mut select = runs();
    select
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("id")).in_subquery(latest));
    fetch_all(db, &select).await?.iter().map(to_run).collect()
}

pub async fn find_run(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
) -> Result<Option<RunRow>, DbError> {
    let mut select = runs();
    select
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("id")).eq(id));
    fetch_one(db, &select)
        .await?
        .as_ref()
        .map(to_run)
        .transpose()
}

/// Runs whose file expired by `now` (any tenant): `(tenant, run, file)`.
pub async fn expired_files(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Vec<(i64, i64, String)>, DbError> {
    let mut select = Query::select();
    select
        .from(Alias::new("report_runs"))
        .columns(["tenant_id", "id", "file"].map(Alias::new))
        .and_where(Expr::col(Alias::new("file")).is_not_null())
        .and_where(Expr::col(Alias::new("expires_at")).lte(stamp(db, now)))
        .limit(1000);
    fetch_all(db, &select)
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.try_get("", "tenant_id")?,
                row.try_get("", "id")?,
                row.try_get("", "file")?,
            ))
        })
        .collect()
}

/// Forgets a run's file (it expired and was removed).
pub async fn clear_file(db: &impl ConnectionTrait, tenant_id: i64, id: i64) -> Result<(), DbError> {
    let mut update = Query::update();
    update
        .table(Alias::new("report_runs"))
        .value(Alias::new("file"), Expr::val(None::<String>))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("id")).eq(id));
    execute(db, &update).await?;
    Ok(())
}

/// Runs left `running` by a process that stopped before `before` (any tenant): they are marked failed.
pub async fn fail_interrupted(
    db: &impl ConnectionTrait,
    before: DateTime<Utc>,
) -> Result<u64, DbError> {
    let mut update = Query::update();
    update
        .table(Alias::new("report_runs"))
        .value(Alias::new("status"), "failed")
        .value(
            Alias::new("error"),
            "Interrupted: the server stopped during the run",
        )
        .value(Alias::new("finished_at"), stamp(db, before))
        .and_where(Expr::col(Alias::new("status")).eq("running"))
        .and_where(Expr::col(Alias::new("started_at")).lt(stamp(db, before)));
    execute(db, &update).await
}

/// The organisation's time zone.
pub async fn tenant_time_zone(
    db: &impl ConnectionTrait,
    tenant_id: i64,
) -> Result<String, DbError> {
    let mut select = Query::select();
    select
        .from(Alias::new("tenants"))
        .column(Alias::new("time_zone"))
        .and_where(Expr::col(Alias::new("id")).eq(tenant_id));
    let row = fetch_one(db, &select)
        .await?
        .ok_or(DbError::Missing("no such tenant"))?;
    Ok(row.try_get("", "time_zone")?)
}

pub async fn set_tenant_time_zone(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    time_zone: &str,
) -> Result<(), DbError> {
    let mut update = Query::update();
    update
        .table(Alias::new("tenants"))
        .value(Alias::new("time_zone"), time_zone)
        .and_where(Expr::col(Alias::new("id")).eq(tenant_id));
    execute(db, &update).await?;
    Ok(())
}

/// The files of every run of the schedules of a view (removed with the view, whose deletion cascades).
pub async fn files_of_view(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    view_id: i64,
) -> Result<Vec<String>, DbError> {
    let mut schedules = Query::select();
    schedules
        .from(Alias::new("report_schedules"))
        .column(Alias::new("id"))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("view_id")).eq(view_id));
    run_files(
        db,
        tenant_id,
        Expr::col(Alias::new("schedule_id")).in_subquery(schedules),
    )
    .await
}

/// The files of every run of a schedule (removed with it).
pub async fn files_of_schedule(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    schedule_id: i64,
) -> Result<Vec<String>, DbError> {
    run_files(
        db,
        tenant_id,
        Expr::col(Alias::new("schedule_id")).eq(schedule_id),
    )
    .await
}

async fn run_files(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    runs: SimpleExpr,
) -> Result<Vec<String>, DbError> {
    let mut select = Query::select();
    select
        .from(Alias::new("report_runs"))
        .column(Alias::new("file"))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("file")).is_not_null())
        .and_where(runs);
    fetch_all(db, &select)
        .await?
        .iter()
        .map(|row| Ok(row.try_get("", "file")?))
        .collect()
}
