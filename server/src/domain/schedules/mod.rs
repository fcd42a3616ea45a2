//! Scheduled reports (issue 16): a saved view delivered on a cadence, at a local time in an IANA time zone.
//! The owner is whoever made the schedule; a run acts as them, with their role as it is at run time
//! ([`runner`]). Owners change their own schedules; admins and managers every schedule of the tenant (and
//! see them all). `cadence` computes the slots, across daylight-saving changes.

pub mod cadence;
pub mod delivery;
pub mod runner;

use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rand::RngCore;
use sea_orm::ConnectionTrait;
use shared::{
    permissions::{allows, Action},
    rules::{is_email_shape, is_http_url},
    schedules::{Delivery, Run, RunList, Schedule, ScheduleInput, ScheduleList, SchedulePatch},
    FieldError, Patch,
};

use self::cadence::{next_run_after, parse, weekday_key, Cadence, RawSchedule};
use super::{params::problem, views, Actor, DomainError, Services};
use crate::db::schedules::{self as stored, RunRow, ScheduleRow, ScheduleValues};

/// The most recipients one schedule mails.
pub const MAX_RECIPIENTS: usize = 50;
/// Runs listed per schedule.
const RUN_HISTORY: u64 = 100;

/// `GET /api/report-schedules`: the actor's schedules; every schedule of the tenant for admins and managers.
pub async fn list(svc: &Services, actor: &Actor) -> Result<ScheduleList, DomainError> {
    actor.require(Action::ReadRecords)?;
    let owner = (!manages_all(actor)).then_some(actor.user_id);
    let rows = stored::list(&svc.db, actor.tenant_id, owner).await?;
    let latest = stored::latest_runs(&svc.db, actor.tenant_id).await?;
    let data = rows
        .into_iter()
        .map(|row| {
            let last = latest.iter().find(|run| run.schedule_id == row.id).cloned();
            to_dto(actor, row, last)
        })
        .collect();
    Ok(ScheduleList { data })
}

pub async fn get(svc: &Services, actor: &Actor, id: i64) -> Result<Schedule, DomainError> {
    actor.require(Action::ReadRecords)?;
    let row = find_visible(&svc.db, actor, id).await?;
    let last = stored::runs_of(&svc.db, actor.tenant_id, id, 1)
        .await?
        .into_iter()
        .next();
    Ok(to_dto(actor, row, last))
}

/// `POST /api/report-schedules`: the view must be one the actor may read.
pub async fn create(
    svc: &Services,
    actor: &Actor,
    input: ScheduleInput,
) -> Result<Schedule, DomainError> {
    actor.require(Action::ReadRecords)?;
    let default_zone = tenant_zone(svc, actor).await?;
    let wanted = Merged {
        raw: RawSchedule {
            cadence: input.cadence,
            days: input.days,
            day_of_month: input.day_of_month,
            time: input.time,
            time_zone: input.time_zone,
        },
        recipients: input.recipients,
        webhook_url: input.webhook_url,
        enabled: input.enabled,
    };
    let mut errors = Vec::new();
    let schedule = parse(&wanted.raw, default_zone)
        .map_err(|problems| errors.extend(problems.into_iter().map(FieldError::from)))
        .ok();
    check_delivery(
        svc,
        &wanted.recipients,
        wanted.webhook_url.as_deref(),
        &mut errors,
    );
    let view = match views::get(svc, actor, input.view_id).await {
        Ok(view) => Some(view),
        Err(DomainError::NotFound) => {
            errors.push(problem(
                "view_id",
                "not_found",
                "No such saved view that you may read",
            ));
            None
        }
        Err(other) => return Err(other),
    };
    let (Some(schedule), Some(view), true) = (schedule, view, errors.is_empty()) else {
        return Err(DomainError::validation(errors));
    };
    let now = Utc::now();
    let stored_form = StoredCadence::of(&schedule);
    let recipients = recipients_json(&wanted.recipients)?;
    let values = row_values(view.id, &schedule, &stored_form, &wanted, &recipients, now);
    let id = stored::insert(
        &svc.db,
        actor.tenant_id,
        actor.user_id,
        &values,
        &new_secret(),
        now,
    )
    .await?;
    get(svc, actor, id).await
}

/// `PATCH /api/report-schedules/{id}`: the fields sent, the cadence checked again as a whole; the next run
/// is computed afresh from now. Re-enabling clears the reason it paused.
pub async fn update(
    svc: &Services,
    actor: &Actor,
    id: i64,
    patch: SchedulePatch,
) -> Result<Schedule, DomainError> {
    actor.require(Action::ReadRecords)?;
    let current = find_visible(&svc.db, actor, id).await?;
    if patch
        .version
        .is_some_and(|version| version != current.version)
    {
        return Err(stale());
    }
    let mut errors = Vec::new();
    for (field, is_null) in [
        ("cadence", patch.cadence == Patch::Null),
        ("time", patch.time == Patch::Null),
        ("recipients", patch.recipients == Patch::Null),
        ("enabled", patch.enabled == Patch::Null),
    ] {
        if is_null {
            errors.push(problem(
                field,
                "required",
                format!("{field} cannot be null"),
            ));
        }
    }
    let merged = merge(&current, &patch);
    let default_zone = tenant_zone(svc, actor).await?;
    let schedule = parse(&merged.raw, default_zone)
        .map_err(|problems| errors.extend(problems.into_iter().map(FieldError::from)))
        .ok();
    check_delivery(
        svc,
        &merged.recipients,
        merged.webhook_url.as_deref(),
        &mut errors,
    );
    let (Some(schedule), true) = (schedule, errors.is_empty()) else {
        return Err(DomainError::validation(errors));
    };
    let now = Utc::now();
    let stored_form = StoredCadence::of(&schedule);
    let recipients = recipients_json(&merged.recipients)?;
    let values = row_values(
        current.view_id,
        &schedule,
        &stored_form,
        &merged,
        &recipients,
        now,
    );
    if !stored::update(&svc.db, actor.tenant_id, id, current.version, &values, now).await? {
        return Err(stale());
    }
    get(svc, actor, id).await
}

pub async fn delete(svc: &Services, actor: &Actor, id: i64) -> Result<(), DomainError> {
    actor.require(Action::ReadRecords)?;
    let current = find_visible(&svc.db, actor, id).await?;
    for file in stored::files_of_schedule(&svc.db, actor.tenant_id, id).await? {
        runner::remove_file(svc, &file);
    }
    stored::delete(&svc.db, actor.tenant_id, current.id).await?;
    Ok(())
}

/// `GET /api/report-schedules/{id}/runs`: newest first.
pub async fn runs(svc: &Services, actor: &Actor, id: i64) -> Result<RunList, DomainError> {
    actor.require(Action::ReadRecords)?;
    find_visible(&svc.db, actor, id).await?;
    let data = stored::runs_of(&svc.db, actor.tenant_id, id, RUN_HISTORY)
        .await?
        .into_iter()
        .map(run_dto)
        .collect();
    Ok(RunList { data })
}

/// `POST /api/report-schedules/{id}/run`: a run now, outside the cadence; it proceeds in the background and
/// shows in the history.
pub async fn run_now(svc: &Services, actor: &Actor, id: i64) -> Result<Run, DomainError> {
    actor.require(Action::ReadRecords)?;
    let schedule = find_visible(&svc.db, actor, id).await?;
    let now = Utc::now();
    let run_id = stored::insert_run(
        &svc.db,
        actor.tenant_id,
        &stored::NewRun {
            schedule_id: schedule.id,
            trigger: "manual",
            slot_at: now,
            status: "running",
            error: None,
        },
        now,
    )
    .await?;
    let run = stored::find_run(&svc.db, actor.tenant_id, run_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let background = svc.clone();
    tokio::spawn(async move {
        runner::execute(&background, schedule, run_id).await;
    });
    Ok(run_dto(run))
}

/// The file of a run, for whoever may see its schedule, while it is kept.
pub async fn run_file(
    svc: &Services,
    actor: &Actor,
    run_id: i64,
) -> Result<(RunRow, ScheduleRow), DomainError> {
    actor.require(Action::ReadRecords)?;
    let run = stored::find_run(&svc.db, actor.tenant_id, run_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let schedule = find_visible(&svc.db, actor, run.schedule_id).await?;
    if run.file.is_none() {
        return Err(DomainError::NotFound);
    }
    Ok((run, schedule))
}

/// The organisation's time zone (`GET /api/admin/time-zone`), and changing it (admins).
pub async fn time_zone(svc: &Services, actor: &Actor) -> Result<String, DomainError> {
    actor.require(Action::ReadRecords)?;
    Ok(stored::tenant_time_zone(&svc.db, actor.tenant_id).await?)
}

pub async fn set_time_zone(
    svc: &Services,
    actor: &Actor,
    name: &str,
) -> Result<String, DomainError> {
    actor.require(Action::ManageConfiguration)?;
    let zone = Tz::from_str(name).map_err(|_| {
        DomainError::validation(vec![problem(
            "time_zone",
            "invalid",
            format!("Unknown time zone {name:?}; use an IANA name such as Europe/Berlin."),
        )])
    })?;
    stored::set_tenant_time_zone(&svc.db, actor.tenant_id, zone.name()).await?;
    Ok(zone.name().to_owned())
}

async fn tenant_zone(svc: &Services, actor: &Actor) -> Result<Tz, DomainError> {
    let name = stored::tenant_time_zone(&svc.db, actor.tenant_id).await?;
    Ok(Tz::from_str(&name).unwrap_or(Tz::UTC))
}

fn manages_all(actor: &Actor) -> bool {
    allows(actor.role, Action::ManageSharedViews)
}

fn may_edit(actor: &Actor, row: &ScheduleRow) -> bool {
    row.owner_id == actor.user_id || manages_all(actor)
}

/// The schedule if the actor sees it (their own, or any for admins and managers); 404 otherwise. Whoever
/// sees a schedule may also change it.
async fn find_visible(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<ScheduleRow, DomainError> {
    stored::find(db, actor.tenant_id, id)
        .await?
        .filter(|row| may_edit(actor, row))
        .ok_or(DomainError::NotFound)
}

/// Recipients: each an email address, at most [`MAX_RECIPIENTS`], none twice; the webhook an https URL (or
/// http to a host the operator allowed).
fn check_delivery(
    svc: &Services,
    recipients: &[String],
    webhook: Option<&str>,
    errors: &mut Vec<FieldError>,
) {
    if recipients.len() > MAX_RECIPIENTS {
        errors.push(problem(
            "recipients",
            "too_many",
            format!("At most {MAX_RECIPIENTS} recipients"),
        ));
    }
    for (index, address) in recipients.iter().enumerate() {
        let address = address.trim();
        if address.len() > 254 || !is_email_shape(address) {
            errors.push(problem(
                &format!("recipients.{index}"),
                "invalid",
                format!("{address:?} is not an email address"),
            ));
        } else if recipients[..index]
            .iter()
            .any(|other| other.trim().eq_ignore_ascii_case(address))
        {
            errors.push(problem(
                &format!("recipients.{index}"),
                "duplicate",
                format!("{address} is listed twice"),
            ));
        }
    }
    if let Some(url) = webhook {
        let url = url.trim();
        let plain_allowed = url::Url::parse(url).is_ok_and(|parsed| {
            parsed.scheme() == "http"
                && parsed.host_str().is_some_and(|host| {
                    svc.config
                        .reports
                        .webhook_http_hosts
                        .iter()
                        .any(|allowed| allowed == &host.to_ascii_lowercase())
                })
        });
        let secure = url.starts_with("https://") && url::Url::parse(url).is_ok();
        if url.len() > 2000 || !is_http_url(url) || !(secure || plain_allowed) {
            errors.push(problem(
                "webhook_url",
                "invalid",
                "The webhook must be an https:// URL",
            ));
        }
    }
}

fn recipients_json(recipients: &[String]) -> Result<String, DomainError> {
    let trimmed: Vec<&str> = recipients.iter().map(|r| r.trim()).collect();
    serde_json::to_string(&trimmed).map_err(DomainError::internal)
}

/// A stored schedule with a patch applied, before validation.
/// A schedule as asked for: a new one's input, or a row with a patch applied.
struct Merged {
    raw: RawSchedule,
    recipients: Vec<String>,
    webhook_url: Option<String>,
    enabled: bool,
}

fn merge(current: &ScheduleRow, patch: &SchedulePatch) -> Merged {
    let text = |patch: &Patch<String>, current: Option<String>| match patch {
        Patch::Absent => current,
        Patch::Null => None,
        Patch::Set(value) => Some(value.clone()),
    };
    let cadence = text(&patch.cadence, Some(current.cadence.clone())).unwrap_or_default();
    let changes_cadence = matches!(patch.cadence, Patch::Set(_));
    // A new cadence drops what only the old one used, unless the patch sends it again.
    let days = match &patch.days {
        Patch::Absent if changes_cadence => None,
        Patch::Absent => current.days.as_ref().map(|days| {
            days.split(',')
                .filter(|d| !d.is_empty())
                .map(str::to_owned)
                .collect()
        }),
        Patch::Null => None,
        Patch::Set(days) => Some(days.clone()),
    };
    let day_of_month = match &patch.day_of_month {
        Patch::Absent if changes_cadence => None,
        Patch::Absent => current.day_of_month,
        Patch::Null => None,
        Patch::Set(day) => Some(*day),
    };
    Merged {
        raw: RawSchedule {
            cadence,
            days,
            day_of_month,
            time: text(&patch.time, Some(current.time_of_day.clone())).unwrap_or_default(),
            time_zone: text(&patch.time_zone, Some(current.time_zone.clone())),
        },
        recipients: match &patch.recipients {
            Patch::Set(recipients) => recipients.clone(),
            _ => serde_json::from_str(&current.recipients).unwrap_or_default(),
        },
        webhook_url: text(&patch.webhook_url, current.webhook_url.clone()),
        enabled: match patch.enabled {
            Patch::Set(enabled) => enabled,
            _ => current.enabled,
        },
    }
}

/// The row's values for a checked schedule (what create and update write).
fn row_values<'a>(
    view_id: i64,
    schedule: &'a cadence::Schedule,
    stored_form: &'a StoredCadence,
    wanted: &'a Merged,
    recipients: &'a str,
    now: DateTime<Utc>,
) -> ScheduleValues<'a> {
    ScheduleValues {
        view_id,
        cadence: schedule.cadence.name(),
        days: stored_form.days.as_deref(),
        day_of_month: stored_form.day_of_month,
        time_of_day: &stored_form.time,
        time_zone: schedule.time_zone.name(),
        recipients,
        webhook_url: wanted.webhook_url.as_deref().map(str::trim),
        enabled: wanted.enabled,
        next_run_at: next_run_after(schedule, now),
    }
}

/// A parsed schedule in the columns' form.
struct StoredCadence {
    days: Option<String>,
    day_of_month: Option<i64>,
    time: String,
}

impl StoredCadence {
    fn of(schedule: &cadence::Schedule) -> Self {
        let (days, day_of_month) = match &schedule.cadence {
            Cadence::Daily => (None, None),
            Cadence::Weekly { days } => (
                Some(
                    days.iter()
                        .map(|day| weekday_key(*day))
                        .collect::<Vec<_>>()
                        .join(","),
                ),
                None,
            ),
            Cadence::Monthly { day } => (None, Some(i64::from(*day))),
        };
        StoredCadence {
            days,
            day_of_month,
            time: cadence::format_time(schedule.time),
        }
    }
}

/// The schedule as the runner reads it back from its row.
pub fn parsed(row: &ScheduleRow) -> Result<cadence::Schedule, Vec<cadence::FieldError>> {
    let zone = Tz::from_str(&row.time_zone).unwrap_or(Tz::UTC);
    parse(
        &RawSchedule {
            cadence: row.cadence.clone(),
            days: row
                .days
                .as_ref()
                .map(|days| days.split(',').map(str::to_owned).collect()),
            day_of_month: row.day_of_month,
            time: row.time_of_day.clone(),
            time_zone: Some(row.time_zone.clone()),
        },
        zone,
    )
}

fn stale() -> DomainError {
    DomainError::conflict_on(
        "version",
        "stale_version",
        "Someone changed this schedule since you read it: reload it and apply your change again",
    )
}

/// 32 random bytes as hex: the key of a schedule's webhook signatures.
fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn to_dto(actor: &Actor, row: ScheduleRow, last: Option<RunRow>) -> Schedule {
    let can_edit = may_edit(actor, &row);
    Schedule {
        id: row.id,
        view_id: row.view_id,
        view_name: row.view_name,
        entity: row.entity,
        owner_id: row.owner_id,
        owner_name: row.owner_name,
        cadence: row.cadence,
        days: row
            .days
            .map(|days| days.split(',').map(str::to_owned).collect())
            .unwrap_or_default(),
        day_of_month: row.day_of_month,
        time: row.time_of_day,
        time_zone: row.time_zone,
        recipients: serde_json::from_str(&row.recipients).unwrap_or_default(),
        webhook_url: row.webhook_url,
        webhook_secret: can_edit.then_some(row.webhook_secret),
        enabled: row.enabled,
        paused_reason: row.paused_reason,
        next_run_at: rfc3339(row.next_run_at),
        last_run: last.map(run_dto),
        can_edit,
        version: row.version,
        created_at: rfc3339(row.created_at),
        updated_at: rfc3339(row.updated_at),
    }
}

pub fn run_dto(run: RunRow) -> Run {
    Run {
        download_url: run
            .file
            .as_ref()
            .map(|_| format!("/api/report-runs/{}/download", run.id)),
        id: run.id,
        schedule_id: run.schedule_id,
        trigger: run.trigger,
        slot_at: rfc3339(run.slot_at),
        status: run.status,
        started_at: rfc3339(run.started_at),
        finished_at: run.finished_at.map(rfc3339),
        rows: run.row_count,
        bytes: run.byte_count,
        error: run.error,
        deliveries: serde_json::from_str::<Vec<Delivery>>(&run.deliveries).unwrap_or_default(),
    }
}

/// A run's CSV being read back: its name and its bytes, decompressed chunk by chunk.
pub struct RunFile {
    pub filename: String,
    pub chunks: futures_util::stream::BoxStream<'static, Result<Vec<u8>, std::io::Error>>,
}

/// `GET /api/report-runs/{id}/download`: for whoever may see the run's schedule, while the file is kept.
pub async fn download(svc: &Services, actor: &Actor, run_id: i64) -> Result<RunFile, DomainError> {
    let (run, schedule) = run_file(svc, actor, run_id).await?;
    let relative = run.file.ok_or(DomainError::NotFound)?;
    let file = std::fs::File::open(runner::file_path(svc, &relative)).map_err(|err| {
        if err.kind() == std::io::ErrorKind::NotFound {
            DomainError::NotFound
        } else {
            DomainError::internal(err)
        }
    })?;
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(2);
    tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut decoder = flate2::read::GzDecoder::new(std::io::BufReader::new(file));
        loop {
            let mut chunk = vec![0u8; 64 * 1024];
            match decoder.read(&mut chunk) {
                Ok(0) => return,
                Ok(read) => {
                    chunk.truncate(read);
                    if sender.blocking_send(Ok(chunk)).is_err() {
                        return;
                    }
                }
                Err(err) => {
                    let _ = sender.blocking_send(Err(err));
                    return;
                }
            }
        }
    });
    let slug: String = schedule
        .view_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    Ok(RunFile {
        filename: format!(
            "{}-{}.csv",
            slug.trim_matches('-'),
            run.slot_at.format("%Y-%m-%d-%H%M")
        ),
        chunks: Box::pin(futures_util::stream::poll_fn(move |cx| {
            receiver.poll_recv(cx)
        })),
    })
}
