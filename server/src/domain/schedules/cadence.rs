//! When a scheduled report runs: parsing a user's schedule and computing its run instants.
//!
//! A schedule is a cadence (daily, weekly on chosen days, monthly on a day of the month), a local
//! wall-clock time and an IANA time zone. Each date the cadence selects yields exactly one *slot*:
//! that local time on that date, converted to UTC. Two rules keep this well defined across
//! daylight-saving changes:
//!
//! * a local time that does not exist (spring-forward gap) runs at the instant the clocks jump to,
//!   e.g. 02:30 in Europe/Berlin on the last Sunday of March runs at 03:00 CEST;
//! * a local time that happens twice (autumn fall-back) runs once, at the earlier instant.

use std::collections::VecDeque;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Timelike, Utc,
    Weekday,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// How often a report runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cadence {
    Daily,
    /// At least one day, deduplicated, sorted Monday..Sunday (as produced by [`parse`]).
    /// An empty list can only be built by hand; it is treated like `Daily` so that
    /// [`next_run_after`] stays total.
    Weekly {
        days: Vec<Weekday>,
    },
    /// 1..=31; 29, 30 and 31 run on the last day of shorter months. Values outside 1..=31 can only
    /// be built by hand and are clamped into that range.
    Monthly {
        day: u8,
    },
}

impl Cadence {
    /// The name used in the raw input ("daily", "weekly", "monthly").
    pub fn name(&self) -> &'static str {
        match self {
            Cadence::Daily => "daily",
            Cadence::Weekly { .. } => "weekly",
            Cadence::Monthly { .. } => "monthly",
        }
    }

    /// Whether this cadence has a slot on the given local date.
    fn selects(&self, date: NaiveDate) -> bool {
        match self {
            Cadence::Daily => true,
            Cadence::Weekly { days } => days.is_empty() || days.contains(&date.weekday()),
            Cadence::Monthly { day } => {
                let wanted = u32::from((*day).clamp(1, 31));
                date.day() == wanted.min(days_in_month(date))
            }
        }
    }
}

/// A validated schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub cadence: Cadence,
    /// Local wall-clock time, minute precision when produced by [`parse`].
    pub time: NaiveTime,
    pub time_zone: Tz,
}

/// The schedule exactly as it arrives in JSON, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct RawSchedule {
    pub cadence: String,
    pub days: Option<Vec<String>>,
    pub day_of_month: Option<i64>,
    pub time: String,
    pub time_zone: Option<String>,
}

/// One problem with one input field; [`parse`] returns all of them at once so a form can show
/// every mistake in a single round trip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// "cadence", "days", "day_of_month", "time" or "time_zone".
    pub field: &'static str,
    /// "invalid", "required" or "not_allowed".
    pub code: &'static str,
    /// A short sentence the user can act on.
    pub message: String,
}

impl FieldError {
    fn new(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        FieldError {
            field,
            code,
            message: message.into(),
        }
    }
}

/// Validates raw input. `default_zone` (the tenant's zone) is used when no zone is given.
pub fn parse(raw: &RawSchedule, default_zone: Tz) -> Result<Schedule, Vec<FieldError>> {
    let mut errors = Vec::new();

    let cadence_name = raw.cadence.to_ascii_lowercase();
    let known_cadence = matches!(cadence_name.as_str(), "daily" | "weekly" | "monthly");
    if !known_cadence {
        errors.push(FieldError::new(
            "cadence",
            "invalid",
            "Choose a cadence: daily, weekly or monthly.",
        ));
    }

    // An empty list means "no days chosen", both for "required" and for "not_allowed".
    let given_days = raw.days.as_deref().filter(|days| !days.is_empty());
    let weekdays = match given_days {
        Some(_) if known_cadence && cadence_name != "weekly" => {
            errors.push(FieldError::new(
                "days",
                "not_allowed",
                "Days of the week apply only to a weekly cadence.",
            ));
            None
        }
        Some(names) => parse_weekdays(names)
            .map_err(|error| errors.push(error))
            .ok(),
        None if cadence_name == "weekly" => {
            errors.push(FieldError::new(
                "days",
                "required",
                "Choose at least one day of the week.",
            ));
            None
        }
        None => None,
    };

    let day_of_month = match raw.day_of_month {
        Some(_) if known_cadence && cadence_name != "monthly" => {
            errors.push(FieldError::new(
                "day_of_month",
                "not_allowed",
                "A day of the month applies only to a monthly cadence.",
            ));
            None
        }
        Some(day) => match u8::try_from(day) {
            Ok(day @ 1..=31) => Some(day),
            _ => {
                errors.push(FieldError::new(
                    "day_of_month",
                    "invalid",
                    "Choose a day of the month from 1 to 31.",
                ));
                None
            }
        },
        None if cadence_name == "monthly" => {
            errors.push(FieldError::new(
                "day_of_month",
                "required",
                "Choose a day of the month from 1 to 31.",
            ));
            None
        }
        None => None,
    };

    let time = parse_time(&raw.time);
    if time.is_none() {
        errors.push(FieldError::new(
            "time",
            "invalid",
            "Use HH:MM on a 24-hour clock, for example 07:30.",
        ));
    }

    let time_zone = match raw.time_zone.as_deref() {
        None => Some(default_zone),
        Some(name) => {
            let zone = Tz::from_str(name).ok();
            if zone.is_none() {
                errors.push(FieldError::new(
                    "time_zone",
                    "invalid",
                    format!("Unknown time zone {name:?}; use an IANA name such as Europe/Berlin."),
                ));
            }
            zone
        }
    };

    let cadence = match (cadence_name.as_str(), weekdays, day_of_month) {
        ("daily", _, _) => Some(Cadence::Daily),
        ("weekly", Some(days), _) => Some(Cadence::Weekly { days }),
        ("monthly", _, Some(day)) => Some(Cadence::Monthly { day }),
        _ => None,
    };
    match (cadence, time, time_zone) {
        (Some(cadence), Some(time), Some(time_zone)) if errors.is_empty() => Ok(Schedule {
            cadence,
            time,
            time_zone,
        }),
        _ => Err(errors),
    }
}

/// Parses day names into a sorted, deduplicated list, or one error naming every unknown entry.
fn parse_weekdays(names: &[String]) -> Result<Vec<Weekday>, FieldError> {
    let mut days = Vec::with_capacity(names.len());
    let mut unknown = Vec::new();
    for name in names {
        match parse_weekday(name) {
            Some(day) => days.push(day),
            None => unknown.push(format!("{name:?}")),
        }
    }
    if !unknown.is_empty() {
        let noun = if unknown.len() == 1 { "day" } else { "days" };
        return Err(FieldError::new(
            "days",
            "invalid",
            format!(
                "Unknown {noun} {}; use mon, tue, wed, thu, fri, sat or sun.",
                unknown.join(", ")
            ),
        ));
    }
    days.sort_by_key(Weekday::num_days_from_monday);
    days.dedup();
    Ok(days)
}

/// "mon".."sun" or "monday".."sunday", ASCII case-insensitive. Written out rather than using
/// chrono's `Weekday::from_str` so the accepted spellings are exactly the documented ones.
fn parse_weekday(name: &str) -> Option<Weekday> {
    let day = match name.to_ascii_lowercase().as_str() {
        "mon" | "monday" => Weekday::Mon,
        "tue" | "tuesday" => Weekday::Tue,
        "wed" | "wednesday" => Weekday::Wed,
        "thu" | "thursday" => Weekday::Thu,
        "fri" | "friday" => Weekday::Fri,
        "sat" | "saturday" => Weekday::Sat,
        "sun" | "sunday" => Weekday::Sun,
        _ => return None,
    };
    Some(day)
}

/// The key used for a weekday in the raw input and in storage ("mon".."sun").
pub fn weekday_key(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

/// Parses exactly "HH:MM" (two ASCII digits each, 00-23 and 00-59). Anything else, including
/// seconds, surrounding spaces or single-digit hours, is rejected so stored values stay canonical.
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    let &[h1, h2, b':', m1, m2] = text.as_bytes() else {
        return None;
    };
    let digit = |byte: u8| byte.is_ascii_digit().then(|| u32::from(byte - b'0'));
    let hour = digit(h1)? * 10 + digit(h2)?;
    let minute = digit(m1)? * 10 + digit(m2)?;
    // from_hms_opt rejects hour > 23 and minute > 59.
    NaiveTime::from_hms_opt(hour, minute, 0)
}

/// Formats a time as "HH:MM", the inverse of [`parse_time`].
pub fn format_time(time: NaiveTime) -> String {
    format!("{:02}:{:02}", time.hour(), time.minute())
}

/// How many local dates [`next_run_after`] examines. The sparsest cadence (monthly) has a slot
/// at most 31 days after another, and the search starts one day early, so 70 is ample.
const MAX_SEARCH_DAYS: u32 = 70;

/// The first slot strictly after `after`.
///
/// Returns `DateTime::<Utc>::MAX_UTC` only when no slot is representable, i.e. near chrono's
/// upper date limit, so callers never have to handle a missing value for real dates.
pub fn next_run_after(schedule: &Schedule, after: DateTime<Utc>) -> DateTime<Utc> {
    let local_date = after.with_timezone(&schedule.time_zone).date_naive();
    // Start a day early so correctness does not hinge on how a slot near midnight (in a gap or a
    // repeated hour) maps back to a local date; it costs one extra date check.
    let mut date = local_date.pred_opt().unwrap_or(local_date);
    for _ in 0..MAX_SEARCH_DAYS {
        if schedule.cadence.selects(date) {
            if let Some(slot) = slot_on(schedule, date).filter(|slot| *slot > after) {
                return slot;
            }
        }
        match date.succ_opt() {
            Some(next_date) => date = next_date,
            None => break,
        }
    }
    DateTime::<Utc>::MAX_UTC
}

/// The instant at which the schedule's local time occurs on `date` (see the module docs for gaps
/// and repeats). `None` only at the edges of chrono's representable range.
fn slot_on(schedule: &Schedule, date: NaiveDate) -> Option<DateTime<Utc>> {
    let local = date.and_time(schedule.time);
    match schedule.time_zone.from_local_datetime(&local) {
        chrono::LocalResult::Single(instant) => Some(instant.to_utc()),
        chrono::LocalResult::Ambiguous(earlier, _later) => Some(earlier.to_utc()),
        chrono::LocalResult::None => first_instant_after_gap(schedule.time_zone, local),
    }
}

/// The instant the clocks jump to across the gap that swallows `missing`, a local time that
/// does not exist in `zone`.
///
/// Binary search over UTC seconds for the first instant whose local time is later than
/// `missing`. Real offsets lie within ±16 hours, so one day either side brackets it. Any point
/// where "local time > missing" flips from false to true must be a jump over `missing` (the
/// clock cannot pass through a time that does not exist), which is exactly the gap's end. This
/// handles gaps of any length (Pacific/Apia skipped a whole day in 2011) and offsets that are not
/// whole hours.
fn first_instant_after_gap(zone: Tz, missing: NaiveDateTime) -> Option<DateTime<Utc>> {
    let is_later = |seconds: i64| {
        DateTime::from_timestamp(seconds, 0)
            .map(|instant| zone.from_utc_datetime(&instant.naive_utc()).naive_local() > missing)
    };
    let reference = missing.and_utc().timestamp();
    let one_day = TimeDelta::days(1).num_seconds();
    let (mut not_later, mut later) = (
        reference.checked_sub(one_day)?,
        reference.checked_add(one_day)?,
    );
    if is_later(not_later)? || !is_later(later)? {
        return None;
    }
    while later - not_later > 1 {
        let middle = not_later + (later - not_later) / 2;
        if is_later(middle)? {
            later = middle;
        } else {
            not_later = middle;
        }
    }
    DateTime::from_timestamp(later, 0)
}

/// What to do when a schedule's stored next run has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// The latest slot at or before now: the one run to perform.
    pub run: DateTime<Utc>,
    /// Earlier slots that were missed, oldest first; at most [`MAX_SKIPPED_KEPT`], the most
    /// recent ones.
    pub skipped: Vec<DateTime<Utc>>,
    /// How many slots were missed in total, including those not kept in `skipped`.
    pub skipped_total: u64,
    /// The first slot strictly after now, to store as the new next run.
    pub next: DateTime<Utc>,
}

/// How many skipped slots [`Due::skipped`] keeps, bounding memory after a long outage.
pub const MAX_SKIPPED_KEPT: usize = 1000;

/// Decides what to run at `now` given the stored `next_run_at`: `None` if it is not yet time;
/// otherwise run only the latest slot at or before `now` and report the earlier ones as skipped,
/// so an outage does not produce a burst of stale reports.
///
/// `next_run_at` is treated as a pending slot even if it no longer matches the schedule (for
/// example after an edit). Time is linear in the number of missed slots.
pub fn due_at(schedule: &Schedule, next_run_at: DateTime<Utc>, now: DateTime<Utc>) -> Option<Due> {
    if now < next_run_at {
        return None;
    }
    let mut skipped = VecDeque::new();
    let mut skipped_total = 0_u64;
    let mut run = next_run_at;
    loop {
        // The first slot after the latest one at or before `now` is the first slot after `now`.
        let following = next_run_after(schedule, run);
        // `following <= run` only at chrono's date limit; stop rather than loop forever.
        if following > now || following <= run {
            return Some(Due {
                run,
                skipped: skipped.into(),
                skipped_total,
                next: following,
            });
        }
        if skipped.len() == MAX_SKIPPED_KEPT {
            skipped.pop_front();
        }
        skipped.push_back(run);
        skipped_total += 1;
        run = following;
    }
}

/// Number of days in the month containing `date`.
fn days_in_month(date: NaiveDate) -> u32 {
    (28..=31)
        .rev()
        .find(|&day| NaiveDate::from_ymd_opt(date.year(), date.month(), day).is_some())
        .unwrap_or(28)
}

impl From<FieldError> for shared::FieldError {
    fn from(error: FieldError) -> Self {
        shared::FieldError {
            field: error.field.into(),
            code: error.code.into(),
            message: error.message,
        }
    }
}

#[cfg(test)]
#[path = "cadence_tests.rs"]
mod tests;
