//! The home page's figures (`GET /api/dashboard`): records per status of every status entity whose module is
//! on (projects with their budget per status), leads created per week, the user's open tasks and the latest
//! changes. Each widget costs at most one statement, and the widgets are read side by side.

use chrono::{Days, NaiveDate, NaiveTime, Utc};
use shared::{
    backend_config::StatusDef,
    dashboard::{
        Dashboard, MyTask, MyTasks, RecentChange, StatusCounts, WeekCount, LATEST_CHANGES,
        LEAD_WEEKS, MY_TASKS_SHOWN,
    },
    permissions::{allows, Action},
    BackendConfig, Date, EntityDescriptor, EntityKind, Money, ENTITY_KINDS,
};

use super::{
    backend_config,
    history::AUDIT_ENTITIES,
    params::{Params, Read},
    records::board::in_tenant_order,
    Actor, DomainError, Services,
};
use crate::db::{
    self,
    dashboard::ChangesScope,
    records::board::{status_groups, StatusGroup},
};

/// The dashboard takes no parameter: any is refused (400), as every endpoint refuses what it does not know.
pub fn parse(params: &Params) -> Result<(), DomainError> {
    params.read_each("Invalid dashboard parameters", |_, _, _| Read::Unknown)
}

/// `GET /api/dashboard`, for anyone who may read records: what the tenant's modules that are on hold, as
/// of today (UTC).
pub async fn show(svc: &Services, actor: &Actor) -> Result<Dashboard, DomainError> {
    actor.require(Action::ReadRecords)?;
    let config = backend_config::current(svc, actor).await?;
    let today = Utc::now().date_naive();
    let counted: Vec<EntityKind> = ENTITY_KINDS
        .into_iter()
        .filter(|kind| kind.descriptor().status.is_some() && config.enabled(*kind))
        .collect();
    let counts = futures_util::future::try_join_all(
        counted
            .iter()
            .map(|kind| status_counts(svc, actor.tenant_id, &config, *kind)),
    );
    let (entities, leads_per_week, my_tasks, latest_changes) = tokio::try_join!(
        counts,
        leads_per_week(svc, actor.tenant_id, &config, today),
        my_tasks(svc, actor, &config, today),
        latest_changes(svc, actor, &config),
    )?;
    Ok(Dashboard {
        today: to_date(today)?,
        entities,
        leads_per_week,
        my_tasks,
        latest_changes,
    })
}

/// One entity's records per status (and budget per status for projects): the board's grouped statement
/// without filters.
async fn status_counts(
    svc: &Services,
    tenant_id: i64,
    config: &BackendConfig,
    kind: EntityKind,
) -> Result<StatusCounts, DomainError> {
    let descriptor = kind.descriptor();
    let Some((status_field, status_entity)) = descriptor.status else {
        return Err(DomainError::Internal(
            format!("{} has no status to count by", kind.plural()).into(),
        ));
    };
    let sum = descriptor.board.and_then(|board| board.sum);
    let groups = status_groups(&svc.db, descriptor, tenant_id, status_field, &[], sum).await?;
    Ok(merge_counts(
        descriptor,
        status_field,
        config.statuses_of(status_entity),
        &groups,
        sum.is_some(),
    ))
}

/// The entity's figures: its statuses in the tenant's order (the board's columns without cards) and totals.
fn merge_counts(
    descriptor: &EntityDescriptor,
    status_field: &str,
    statuses: &[StatusDef],
    groups: &[StatusGroup],
    summed: bool,
) -> StatusCounts {
    let counted = in_tenant_order(statuses, groups, summed);
    StatusCounts {
        entity: descriptor.table.to_owned(),
        status_field: status_field.to_owned(),
        total: counted.iter().map(|status| status.count).sum(),
        sum: summed.then(|| Money(counted.iter().filter_map(|s| s.sum).map(|m| m.0).sum())),
        statuses: counted,
    }
}

/// The Monday of the week `day` is in.
fn week_start(day: NaiveDate) -> NaiveDate {
    use chrono::Datelike;
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

fn to_date(day: NaiveDate) -> Result<Date, DomainError> {
    Date::parse(&day.format("%Y-%m-%d").to_string())
        .ok_or_else(|| DomainError::Internal(format!("{day} is out of range").into()))
}

/// The first day of the oldest week shown on `today`.
fn first_week(today: NaiveDate) -> NaiveDate {
    week_start(today) - Days::new(7 * (LEAD_WEEKS as u64 - 1))
}

/// Per-day counts folded into the [`LEAD_WEEKS`] weeks from `first`, oldest first, empty weeks included.
fn weeks(first: NaiveDate, days: &[(NaiveDate, u64)]) -> Result<Vec<WeekCount>, DomainError> {
    let mut weeks = (0..LEAD_WEEKS as u64)
        .map(|index| {
            let start = first + Days::new(7 * index);
            Ok(WeekCount {
                week_start: to_date(start)?,
                week_end: to_date(start + Days::new(6))?,
                count: 0,
            })
        })
        .collect::<Result<Vec<_>, DomainError>>()?;
    for (day, count) in days {
        // Days before `first` are negative (and would round to week 0), never in a week.
        let index = usize::try_from((*day - first).num_days())
            .ok()
            .map(|days| days / 7);
        if let Some(week) = index.and_then(|index| weeks.get_mut(index)) {
            week.count += count;
        }
    }
    Ok(weeks)
}

/// Leads created per week over the last [`LEAD_WEEKS`] weeks (Monday to Sunday, UTC): one grouped statement.
async fn leads_per_week(
    svc: &Services,
    tenant_id: i64,
    config: &BackendConfig,
    today: NaiveDate,
) -> Result<Vec<WeekCount>, DomainError> {
    let kind = EntityKind::Lead;
    if !config.enabled(kind) {
        return Ok(Vec::new());
    }
    let first = first_week(today);
    let days = db::dashboard::created_per_day(
        &svc.db,
        kind.descriptor(),
        tenant_id,
        first.and_time(NaiveTime::MIN).and_utc(),
    )
    .await?;
    weeks(first, &days)
}

/// The user's open tasks (assigned to them, in a status of the open category) by due date: one statement.
async fn my_tasks(
    svc: &Services,
    actor: &Actor,
    config: &BackendConfig,
    today: NaiveDate,
) -> Result<Option<MyTasks>, DomainError> {
    let kind = EntityKind::Task;
    let descriptor = kind.descriptor();
    let Some((status_field, status_entity)) = descriptor.status.filter(|_| config.enabled(kind))
    else {
        return Ok(None);
    };
    let statuses = config.statuses_of(status_entity);
    let open: Vec<String> = statuses
        .iter()
        .filter(|status| !status.category.is_closed())
        .map(|status| status.key.clone())
        .collect();
    let (rows, total) = db::dashboard::open_tasks(
        &svc.db,
        descriptor,
        actor.tenant_id,
        actor.user_id,
        status_field,
        &open,
        MY_TASKS_SHOWN as u64,
    )
    .await?;
    let today = to_date(today)?;
    let tasks = rows
        .into_iter()
        .map(|task| {
            let due_date = task.due_date.as_deref().and_then(Date::parse);
            let status_label = statuses
                .iter()
                .find(|status| status.key == task.status)
                .map_or_else(|| task.status.clone(), |status| status.label.clone());
            MyTask {
                id: task.id,
                title: task.title,
                overdue: due_date.is_some_and(|due| due < today),
                due_date,
                status: task.status,
                status_label,
            }
        })
        .collect();
    Ok(Some(MyTasks { total, tasks }))
}

/// The newest history entries the actor may see, with their records' titles: one statement. Whoever may read
/// the audit log sees every entry (records, users, the configuration); others the entries of records. Entries
/// of modules switched off are left out for everyone.
async fn latest_changes(
    svc: &Services,
    actor: &Actor,
    config: &BackendConfig,
) -> Result<Vec<RecentChange>, DomainError> {
    let on: Vec<&'static EntityDescriptor> = ENTITY_KINDS
        .into_iter()
        .filter(|kind| config.enabled(*kind))
        .map(EntityKind::descriptor)
        .collect();
    let everything = allows(actor.role, Action::ReadAudit);
    let mut entities: Vec<&'static str> = on.iter().map(|descriptor| descriptor.table).collect();
    if everything {
        entities.extend(AUDIT_ENTITIES);
    }
    let scope = ChangesScope {
        entities: (!everything || on.len() < ENTITY_KINDS.len()).then_some(entities.as_slice()),
        titled: &on,
    };
    let changes =
        db::dashboard::latest_changes(&svc.db, actor.tenant_id, &scope, LATEST_CHANGES as u64)
            .await?;
    Ok(changes
        .into_iter()
        .map(|(entry, title)| RecentChange {
            id: entry.id,
            entity: entry.entity,
            record_id: entry.record_id,
            title,
            action: entry.action,
            action_label: entry.action.label().to_owned(),
            user_name: entry.user_name,
            at: entry.at,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use shared::entities::project::PROJECT;

    use super::*;
    use shared::StatusCategory;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn twelve_weeks_from_monday_oldest_first_with_empty_ones() {
        // Wednesday 2 December 2026: this week began on Monday 30 November.
        let today = day("2026-12-02");
        let first = first_week(today);
        assert_eq!(first, day("2026-09-14"));
        let counted = [
            (day("2026-09-14"), 2),
            (day("2026-09-20"), 1),
            (day("2026-11-30"), 4),
            (day("2026-12-02"), 1),
            // Outside the window (the statement never returns these; they are ignored anyway).
            (day("2026-09-13"), 9),
            (day("2026-12-07"), 9),
        ];
        let weeks = weeks(first, &counted).unwrap();
        assert_eq!(weeks.len(), LEAD_WEEKS);
        assert_eq!(weeks[0].week_start.to_string(), "2026-09-14");
        assert_eq!(weeks[0].week_end.to_string(), "2026-09-20");
        assert_eq!(weeks[0].count, 3);
        assert_eq!(weeks[11].week_start.to_string(), "2026-11-30");
        assert_eq!(weeks[11].week_end.to_string(), "2026-12-06");
        assert_eq!(weeks[11].count, 5);
        assert!(weeks[1..11].iter().all(|week| week.count == 0));
        // A Monday and a Sunday are in their own week.
        assert_eq!(first_week(day("2026-11-30")), first);
        assert_eq!(first_week(day("2026-12-06")), first);
        assert_eq!(first_week(day("2026-12-07")), day("2026-09-21"));
    }

    #[test]
    fn statuses_in_the_tenant_order_then_unknown_keys_with_sums() {
        let statuses = [
            StatusDef {
                key: "planning".into(),
                label: "Planning".into(),
                category: StatusCategory::Open,
            },
            StatusDef {
                key: "done".into(),
                label: "Done".into(),
                category: StatusCategory::Won,
            },
        ];
        let group = |key: &str, count, sum_cents| StatusGroup {
            key: key.into(),
            count,
            sum_cents,
        };
        let groups = [
            group("zombie", 1, None),
            group("done", 3, Some(15_000)),
            group("archived", 2, Some(5)),
        ];
        let counts = merge_counts(&PROJECT, "project_status", &statuses, &groups, true);
        let keys: Vec<(&str, u64, Option<Money>, bool)> = counts
            .statuses
            .iter()
            .map(|s| (s.key.as_str(), s.count, s.sum, s.known))
            .collect();
        assert_eq!(
            keys,
            [
                ("planning", 0, Some(Money(0)), true),
                ("done", 3, Some(Money(15_000)), true),
                ("archived", 2, Some(Money(5)), false),
                ("zombie", 1, Some(Money(0)), false),
            ]
        );
        assert_eq!(counts.total, 6);
        assert_eq!(counts.sum, Some(Money(15_005)));
        assert_eq!(counts.entity, "projects");
        let unsummed = merge_counts(&PROJECT, "project_status", &statuses, &groups, false);
        assert!(unsummed.sum.is_none() && unsummed.statuses.iter().all(|s| s.sum.is_none()));
    }
}
