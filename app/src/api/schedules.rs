//! `/api/report-schedules…` and `/api/report-runs…`: scheduled reports (issue 16) — a saved view delivered on a
//! cadence, its runs, Run now — and `/api/time-zone`, the organisation's default zone for new schedules.

use std::future::Future;

use serde::{Deserialize, Serialize};
use shared::schedules::{Run, RunList, Schedule, ScheduleInput, ScheduleList, SchedulePatch};

use super::ApiFailure;

/// `GET /api/time-zone`'s body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeZone {
    pub time_zone: String,
}

/// `GET /api/report-schedules`: the schedules the user may see.
pub fn list() -> impl Future<Output = Result<ScheduleList, ApiFailure>> + Send + 'static {
    super::get("/api/report-schedules")
}

/// `POST /api/report-schedules`: 400 with details on `cadence`, `days`, `day_of_month`, `time`, `time_zone`,
/// `recipients.<n>`, `webhook_url` and `view_id`.
pub fn create(
    input: &ScheduleInput,
) -> impl Future<Output = Result<Schedule, ApiFailure>> + Send + 'static {
    super::send("POST", "/api/report-schedules", input)
}

/// `PATCH /api/report-schedules/{id}` (`enabled` pauses and resumes).
pub fn update(
    id: i64,
    patch: &SchedulePatch,
) -> impl Future<Output = Result<Schedule, ApiFailure>> + Send + 'static {
    super::send("PATCH", &format!("/api/report-schedules/{id}"), patch)
}

/// `DELETE /api/report-schedules/{id}` (its runs' files go with it).
pub fn delete(id: i64) -> impl Future<Output = Result<(), ApiFailure>> + Send + 'static {
    super::delete(&format!("/api/report-schedules/{id}"))
}

/// `GET /api/report-schedules/{id}/runs`: newest first.
pub fn runs(id: i64) -> impl Future<Output = Result<RunList, ApiFailure>> + Send + 'static {
    super::get(&format!("/api/report-schedules/{id}/runs"))
}

/// `POST /api/report-schedules/{id}/run`: 202 with the run, which goes on in the background.
pub fn run_now(id: i64) -> impl Future<Output = Result<Run, ApiFailure>> + Send + 'static {
    super::call("POST", &format!("/api/report-schedules/{id}/run"), None)
}

/// `GET /api/time-zone`.
pub fn time_zone() -> impl Future<Output = Result<TimeZone, ApiFailure>> + Send + 'static {
    super::get("/api/time-zone")
}
