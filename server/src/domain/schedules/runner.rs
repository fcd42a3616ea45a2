//! Running scheduled reports. [`run_due`] is what the runner in `keel serve` calls every few seconds (and what
//! tests call with a time of their choosing): it claims each due schedule in a transaction that also moves it
//! on to its next slot, so with several instances on one PostgreSQL each slot runs once; after downtime only
//! the latest missed slot runs and the older ones are recorded as skipped. [`execute`] acts as the schedule's
//! owner: a deactivated owner, a view they can no longer read, or a query the list parser now refuses fails
//! the run with the reason and pauses the schedule.

use std::{
    io::Write,
    path::{Path, PathBuf},
    sync::atomic::Ordering,
};

use chrono::{DateTime, Utc};
use flate2::{write::GzEncoder, Compression};
use futures_util::StreamExt;
use shared::{views::view_entity, Role};

use super::{cadence::due_at, delivery, parsed};
use crate::{
    db::{
        self,
        schedules::{self as stored, NewRun, RunOutcome, ScheduleRow},
        DbError,
    },
    domain::{
        params::Params,
        records::{export, read},
        views, Actor, DomainError, Services,
    },
};

/// What one pass of the runner did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    /// Runs started (and finished: a pass runs them one after another).
    pub ran: u64,
    /// Missed slots recorded as skipped.
    pub skipped: u64,
}

/// Claims and runs every schedule due at `now`, one at a time. Other instances running the same pass take
/// other schedules (PostgreSQL's `SKIP LOCKED`) or find them already moved on.
pub async fn run_due(svc: &Services, now: DateTime<Utc>) -> Result<Pass, DomainError> {
    let mut pass = Pass::default();
    while let Some((row, run_id, skipped)) = claim(svc, now).await? {
        pass.skipped += skipped;
        if let Some(run_id) = run_id {
            execute(svc, row, run_id).await;
            pass.ran += 1;
        }
    }
    Ok(pass)
}

/// One due schedule, moved on to its next slot in the same transaction, with its run recorded as started
/// (`None` when this slot's run was already recorded) and how many older slots it skipped.
async fn claim(
    svc: &Services,
    now: DateTime<Utc>,
) -> Result<Option<(ScheduleRow, Option<i64>, u64)>, DomainError> {
    let txn = db::begin_write(&svc.db).await?;
    let Some(row) = stored::claim_due(&txn, now).await? else {
        txn.commit().await?;
        return Ok(None);
    };
    let schedule = match parsed(&row) {
        Ok(schedule) => schedule,
        Err(_) => {
            stored::pause(
                &txn,
                row.tenant_id,
                row.id,
                "The stored schedule is no longer valid: edit it",
            )
            .await?;
            txn.commit().await?;
            return Ok(Some((row, None, 0)));
        }
    };
    let Some(due) = due_at(&schedule, row.next_run_at, now) else {
        // Not due after all (a clock step between the claim's time and ours): leave it.
        txn.commit().await?;
        return Ok(None);
    };
    for slot in &due.skipped {
        let missed = stored::insert_run(
            &txn,
            row.tenant_id,
            &NewRun {
                schedule_id: row.id,
                trigger: "schedule",
                slot_at: *slot,
                status: "skipped",
                error: Some("Missed while no server was running; only the latest missed slot runs"),
            },
            now,
        )
        .await;
        ignore_recorded(missed)?;
    }
    let run = stored::insert_run(
        &txn,
        row.tenant_id,
        &NewRun {
            schedule_id: row.id,
            trigger: "schedule",
            slot_at: due.run,
            status: "running",
            error: None,
        },
        now,
    )
    .await;
    let run_id = ignore_recorded(run)?;
    stored::set_next_run(&txn, row.tenant_id, row.id, due.next).await?;
    txn.commit().await?;
    Ok(Some((row, run_id, due.skipped_total)))
}

/// A slot already recorded (by another instance, before this one's claim) is not an error: it is not run
/// again.
fn ignore_recorded(result: Result<i64, DbError>) -> Result<Option<i64>, DomainError> {
    match result {
        Ok(id) => Ok(Some(id)),
        Err(DbError::Unique { .. }) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// Why a run did not produce its file, and whether the schedule must pause (it would fail the same way).
struct Failure {
    message: String,
    pause: bool,
}

impl Failure {
    fn pausing(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            pause: true,
        }
    }
}

/// The file a run produced.
pub struct Produced {
    pub rows: u64,
    pub bytes: u64,
    /// Relative to the data directory.
    pub file: String,
}

/// Produces, stores and delivers one run, and records how it ended. Never fails: every problem ends up in
/// the run's history and the log.
pub async fn execute(svc: &Services, row: ScheduleRow, run_id: i64) {
    let outcome = produce(svc, &row, run_id).await;
    let finished_at = Utc::now();
    let result = match outcome {
        Ok(produced) => {
            let deliveries = delivery::deliver(svc, &row, run_id, &produced).await;
            let deliveries = serde_json::to_string(&deliveries).unwrap_or_else(|_| "[]".into());
            let expires_at = finished_at
                + chrono::Duration::from_std(svc.config.reports.retention)
                    .unwrap_or(chrono::Duration::days(30));
            stored::finish_run(
                &svc.db,
                row.tenant_id,
                run_id,
                &RunOutcome {
                    status: "succeeded",
                    row_count: Some(produced.rows as i64),
                    byte_count: Some(produced.bytes as i64),
                    error: None,
                    deliveries: &deliveries,
                    file: Some(&produced.file),
                    expires_at: Some(expires_at),
                    finished_at,
                },
            )
            .await
        }
        Err(failure) => {
            tracing::warn!(schedule = row.id, run = run_id, reason = %failure.message, "scheduled report failed");
            if failure.pause {
                if let Err(err) =
                    stored::pause(&svc.db, row.tenant_id, row.id, &failure.message).await
                {
                    tracing::error!(error = %err, schedule = row.id, "could not pause the schedule");
                }
            }
            stored::finish_run(
                &svc.db,
                row.tenant_id,
                run_id,
                &RunOutcome {
                    status: "failed",
                    row_count: None,
                    byte_count: None,
                    error: Some(&failure.message),
                    deliveries: "[]",
                    file: None,
                    expires_at: None,
                    finished_at,
                },
            )
            .await
        }
    };
    if let Err(err) = result {
        tracing::error!(error = %err, run = run_id, "could not record the end of a scheduled report");
    }
}

/// The view's whole CSV, written compressed to the run's file as the export produces it (constant memory).
async fn produce(svc: &Services, row: &ScheduleRow, run_id: i64) -> Result<Produced, Failure> {
    if !row.owner_active {
        return Err(Failure::pausing(format!(
            "The schedule's owner, {}, is deactivated: the schedule is paused",
            row.owner_name
        )));
    }
    let actor = Actor {
        user_id: row.owner_id,
        tenant_id: row.tenant_id,
        role: Role::parse(&row.owner_role).unwrap_or(Role::Viewer),
        config_version: 0,
        source: shared::history::Source::Job,
    };
    let refused = |err: DomainError| {
        match err {
        DomainError::NotFound => Failure::pausing(
            "The view is gone, no longer shared with the schedule's owner, or its module is switched off",
        ),
        DomainError::Forbidden(reason) => Failure::pausing(format!(
            "The schedule's owner may no longer run it: {reason}"
        )),
        DomainError::Invalid { message, details } => Failure::pausing(format!(
            "The view's query is no longer valid ({message}: {})",
            details
                .iter()
                .map(|d| format!("{} {}", d.field, d.message))
                .collect::<Vec<_>>()
                .join("; ")
        )),
        other => Failure {
            message: other.to_string(),
            pause: false,
        },
    }
    };
    let view = views::get(svc, &actor, row.view_id)
        .await
        .map_err(refused)?;
    let kind = view_entity(&view.entity).ok_or_else(|| Failure::pausing("Unknown entity"))?;
    let query =
        read::parse_list(&actor, kind, &Params::parse(Some(&view.query))).map_err(refused)?;
    let csv = export::export(svc, &actor, kind, &query)
        .await
        .map_err(refused)?;

    let relative = format!("report-runs/{}/{run_id}.csv.gz", row.tenant_id);
    let path = svc.config.data_dir.join(&relative);
    let written = write_compressed(&path, csv.chunks).await;
    match written {
        Ok(bytes) => Ok(Produced {
            rows: csv.rows.load(Ordering::Relaxed),
            bytes,
            file: relative,
        }),
        Err(err) => {
            let _ = std::fs::remove_file(&path);
            Err(Failure {
                message: format!("The report could not be written: {err}"),
                pause: false,
            })
        }
    }
}

async fn write_compressed(
    path: &Path,
    mut chunks: futures_util::stream::BoxStream<'static, Result<Vec<u8>, std::io::Error>>,
) -> std::io::Result<u64> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let file = std::fs::File::create(path)?;
    let mut encoder = GzEncoder::new(std::io::BufWriter::new(file), Compression::default());
    while let Some(chunk) = chunks.next().await {
        encoder.write_all(&chunk?)?;
    }
    let mut writer = encoder.finish()?;
    writer.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

/// The absolute path of a run's file.
pub fn file_path(svc: &Services, relative: &str) -> PathBuf {
    svc.config.data_dir.join(relative)
}

pub fn remove_file(svc: &Services, relative: &str) {
    let path = file_path(svc, relative);
    if let Err(err) = std::fs::remove_file(&path) {
        if err.kind() != std::io::ErrorKind::NotFound {
            tracing::warn!(error = %err, file = %path.display(), "could not remove a report file");
        }
    }
}

/// Removes the files kept past their retention; their runs stay in the history, without a download.
pub async fn remove_expired(svc: &Services, now: DateTime<Utc>) -> Result<u64, DomainError> {
    let mut removed = 0;
    for (tenant_id, run_id, file) in stored::expired_files(&svc.db, now).await? {
        remove_file(svc, &file);
        stored::clear_file(&svc.db, tenant_id, run_id).await?;
        removed += 1;
    }
    Ok(removed)
}

/// Runs still `running` that started before `before` are from a process that stopped: marked failed.
pub async fn fail_interrupted(svc: &Services, before: DateTime<Utc>) -> Result<u64, DomainError> {
    Ok(stored::fail_interrupted(&svc.db, before).await?)
}
