//! Scheduled reports (issue 16): a saved view delivered on a cadence. The shapes of the API's bodies; the
//! cadence and time-zone rules are the server's (they need the time-zone database, which stays out of the
//! WASM).

use serde::{Deserialize, Serialize};

use crate::Patch;

/// `POST /api/report-schedules`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    pub view_id: i64,
    /// `daily`, `weekly` (with `days`) or `monthly` (with `day_of_month`; 29–31 run on the last day of shorter
    /// months).
    pub cadence: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_of_month: Option<i64>,
    /// Local time, `HH:MM` on a 24-hour clock.
    pub time: String,
    /// An IANA name; absent: the organisation's time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    #[serde(default)]
    pub recipients: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

fn enabled_by_default() -> bool {
    true
}

/// `PATCH /api/report-schedules/{id}`: absent fields stay. `days`, `day_of_month`, `time_zone` and
/// `webhook_url` may be null (cleared); the others may not. The cadence is checked again as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchedulePatch {
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    pub cadence: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    pub days: Patch<Vec<String>>,
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    pub day_of_month: Patch<i64>,
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    pub time: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    pub time_zone: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    pub recipients: Patch<Vec<String>>,
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    pub webhook_url: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    pub enabled: Patch<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

/// A schedule as the API returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub id: i64,
    pub view_id: i64,
    pub view_name: String,
    /// The view's entity (plural).
    pub entity: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub cadence: String,
    pub days: Vec<String>,
    pub day_of_month: Option<i64>,
    pub time: String,
    pub time_zone: String,
    pub recipients: Vec<String>,
    pub webhook_url: Option<String>,
    /// The key of the webhook's `X-Keel-Signature` (HMAC-SHA256 of the body), for those who may edit.
    pub webhook_secret: Option<String>,
    pub enabled: bool,
    /// Why the schedule stopped by itself (its owner was deactivated, its view is gone, …).
    pub paused_reason: Option<String>,
    /// The next slot, UTC (RFC 3339).
    pub next_run_at: String,
    pub last_run: Option<Run>,
    pub can_edit: bool,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// One run, skipped slot or failure of a schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    pub id: i64,
    pub schedule_id: i64,
    /// `schedule` or `manual`.
    pub trigger: String,
    /// The slot a scheduled run is for (when a manual run was asked for).
    pub slot_at: String,
    /// `running`, `succeeded`, `failed` or `skipped`.
    pub status: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub rows: Option<i64>,
    /// The compressed file's size.
    pub bytes: Option<i64>,
    pub error: Option<String>,
    pub deliveries: Vec<Delivery>,
    /// Where to download the CSV while it is kept.
    pub download_url: Option<String>,
}

/// How one recipient or the webhook fared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// `email` or `webhook`.
    pub channel: String,
    /// The address or URL.
    pub target: String,
    /// `sent` or `failed`.
    pub status: String,
    pub attempts: u32,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleList {
    pub data: Vec<Schedule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunList {
    pub data: Vec<Run>,
}
