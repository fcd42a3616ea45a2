use super::*;
use chrono::Weekday::{Fri, Mon, Sat, Sun, Thu, Tue, Wed};
use chrono_tz::Tz;

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("test timestamp is RFC 3339")
        .to_utc()
}

fn zone(name: &str) -> Tz {
    name.parse().expect("test zone exists")
}

fn schedule(cadence: Cadence, time: &str, zone_name: &str) -> Schedule {
    Schedule {
        cadence,
        time: parse_time(time).expect("test time is HH:MM"),
        time_zone: zone(zone_name),
    }
}

fn raw(cadence: &str, time: &str) -> RawSchedule {
    RawSchedule {
        cadence: cadence.into(),
        time: time.into(),
        ..RawSchedule::default()
    }
}

fn strings(items: &[&str]) -> Option<Vec<String>> {
    Some(items.iter().map(|item| item.to_string()).collect())
}

/// Calls `next_run_after` repeatedly and returns the slots in order.
fn slots_after(schedule: &Schedule, start: &str, count: usize) -> Vec<DateTime<Utc>> {
    let mut after = utc(start);
    (0..count)
        .map(|_| {
            after = next_run_after(schedule, after);
            after
        })
        .collect()
}

fn assert_slots(schedule: &Schedule, start: &str, expected: &[&str]) {
    let expected: Vec<_> = expected.iter().map(|text| utc(text)).collect();
    assert_eq!(
        slots_after(schedule, start, expected.len()),
        expected,
        "slots after {start} for {schedule:?}"
    );
}

fn codes(errors: &[FieldError]) -> Vec<(&'static str, &'static str)> {
    let mut codes: Vec<_> = errors
        .iter()
        .map(|error| (error.field, error.code))
        .collect();
    codes.sort_unstable();
    codes
}

// ---------------------------------------------------------------- parsing

#[test]
fn parse_time_accepts_only_two_digit_24_hour_times() {
    for (text, expected) in [
        ("00:00", Some((0, 0))),
        ("07:05", Some((7, 5))),
        ("23:59", Some((23, 59))),
    ] {
        let expected =
            expected.map(|(hour, minute)| NaiveTime::from_hms_opt(hour, minute, 0).expect("valid"));
        assert_eq!(parse_time(text), expected, "{text:?}");
    }
    for text in [
        "9:00",
        "24:00",
        "12:60",
        "12:00:00",
        " 12:00",
        "12:00 ",
        "",
        "ab:cd",
        "12-00",
        "1200",
        "+1:00",
        "12:0",
        "１２:００",
        "-1:00",
        "09:5a",
    ] {
        assert_eq!(parse_time(text), None, "{text:?} should be rejected");
    }
}

#[test]
fn format_time_round_trips() {
    for text in ["00:00", "07:05", "12:30", "23:59"] {
        let time = parse_time(text).expect("valid time");
        assert_eq!(format_time(time), text);
    }
}

#[test]
fn weekday_keys_and_cadence_names() {
    let keys: Vec<_> = [Mon, Tue, Wed, Thu, Fri, Sat, Sun]
        .into_iter()
        .map(weekday_key)
        .collect();
    assert_eq!(keys, ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]);
    assert_eq!(Cadence::Daily.name(), "daily");
    assert_eq!(Cadence::Weekly { days: vec![Mon] }.name(), "weekly");
    assert_eq!(Cadence::Monthly { day: 1 }.name(), "monthly");
}

#[test]
fn parses_good_inputs() {
    let berlin = zone("Europe/Berlin");
    let daily = parse(&raw("daily", "07:30"), berlin).expect("valid daily");
    assert_eq!(
        daily,
        schedule(Cadence::Daily, "07:30", "Europe/Berlin"),
        "default zone is used"
    );

    let weekly = RawSchedule {
        days: strings(&["Thursday", "MON", "thu", "sun", "monday"]),
        time_zone: Some("Asia/Kolkata".into()),
        ..raw("Weekly", "23:59")
    };
    let weekly = parse(&weekly, berlin).expect("valid weekly");
    assert_eq!(
        weekly,
        schedule(
            Cadence::Weekly {
                days: vec![Mon, Thu, Sun]
            },
            "23:59",
            "Asia/Kolkata"
        )
    );

    for day in [1, 29, 31] {
        let monthly = RawSchedule {
            day_of_month: Some(day),
            ..raw("monthly", "00:00")
        };
        let parsed = parse(&monthly, chrono_tz::UTC).expect("valid monthly");
        assert_eq!(parsed.cadence, Cadence::Monthly { day: day as u8 });
    }

    // An empty list is the same as no list for a cadence that does not use days.
    let empty_days = RawSchedule {
        days: Some(vec![]),
        ..raw("daily", "07:30")
    };
    assert!(parse(&empty_days, berlin).is_ok());
}

#[test]
fn each_bad_input_reports_its_field_and_code() {
    let cases: Vec<(&str, RawSchedule, &str, &str)> = vec![
        (
            "unknown cadence",
            raw("yearly", "07:30"),
            "cadence",
            "invalid",
        ),
        ("empty cadence", raw("", "07:30"), "cadence", "invalid"),
        (
            "weekly without days",
            raw("weekly", "07:30"),
            "days",
            "required",
        ),
        (
            "weekly with empty days",
            RawSchedule {
                days: Some(vec![]),
                ..raw("weekly", "07:30")
            },
            "days",
            "required",
        ),
        (
            "unknown day",
            RawSchedule {
                days: strings(&["mon", "funday"]),
                ..raw("weekly", "07:30")
            },
            "days",
            "invalid",
        ),
        (
            "abbreviation typo",
            RawSchedule {
                days: strings(&["tues"]),
                ..raw("weekly", "07:30")
            },
            "days",
            "invalid",
        ),
        (
            "monthly without day",
            raw("monthly", "07:30"),
            "day_of_month",
            "required",
        ),
        (
            "day 0",
            RawSchedule {
                day_of_month: Some(0),
                ..raw("monthly", "07:30")
            },
            "day_of_month",
            "invalid",
        ),
        (
            "day 32",
            RawSchedule {
                day_of_month: Some(32),
                ..raw("monthly", "07:30")
            },
            "day_of_month",
            "invalid",
        ),
        (
            "day -1",
            RawSchedule {
                day_of_month: Some(-1),
                ..raw("monthly", "07:30")
            },
            "day_of_month",
            "invalid",
        ),
        (
            "huge day",
            RawSchedule {
                day_of_month: Some(i64::MAX),
                ..raw("monthly", "07:30")
            },
            "day_of_month",
            "invalid",
        ),
        (
            "daily with days",
            RawSchedule {
                days: strings(&["mon"]),
                ..raw("daily", "07:30")
            },
            "days",
            "not_allowed",
        ),
        (
            "monthly with days",
            RawSchedule {
                days: strings(&["mon"]),
                day_of_month: Some(1),
                ..raw("monthly", "07:30")
            },
            "days",
            "not_allowed",
        ),
        (
            "daily with day",
            RawSchedule {
                day_of_month: Some(1),
                ..raw("daily", "07:30")
            },
            "day_of_month",
            "not_allowed",
        ),
        (
            "weekly with day",
            RawSchedule {
                days: strings(&["mon"]),
                day_of_month: Some(1),
                ..raw("weekly", "07:30")
            },
            "day_of_month",
            "not_allowed",
        ),
        ("short hour", raw("daily", "9:00"), "time", "invalid"),
        ("hour 24", raw("daily", "24:00"), "time", "invalid"),
        ("minute 60", raw("daily", "12:60"), "time", "invalid"),
        ("seconds", raw("daily", "12:00:00"), "time", "invalid"),
        ("leading space", raw("daily", " 12:00"), "time", "invalid"),
        (
            "unknown zone",
            RawSchedule {
                time_zone: Some("Europe/Berln".into()),
                ..raw("daily", "07:30")
            },
            "time_zone",
            "invalid",
        ),
        (
            "empty zone",
            RawSchedule {
                time_zone: Some(String::new()),
                ..raw("daily", "07:30")
            },
            "time_zone",
            "invalid",
        ),
        (
            "lowercase zone",
            RawSchedule {
                time_zone: Some("europe/berlin".into()),
                ..raw("daily", "07:30")
            },
            "time_zone",
            "invalid",
        ),
    ];
    for (name, input, field, code) in cases {
        let errors = parse(&input, chrono_tz::UTC).expect_err(name);
        assert_eq!(codes(&errors), [(field, code)], "{name}: {errors:?}");
        assert!(
            errors[0].message.ends_with('.'),
            "{name}: message is a sentence"
        );
    }
}

#[test]
fn reports_every_problem_at_once() {
    let input = RawSchedule {
        time_zone: Some("Mars/Olympus".into()),
        ..raw("weekly", "25:00")
    };
    let errors = parse(&input, chrono_tz::UTC).expect_err("three problems");
    assert_eq!(
        codes(&errors),
        [
            ("days", "required"),
            ("time", "invalid"),
            ("time_zone", "invalid")
        ]
    );

    // With an unknown cadence, fields are still checked for shape but not for whether they apply.
    let input = RawSchedule {
        days: strings(&["someday"]),
        day_of_month: Some(40),
        time_zone: Some("Nowhere".into()),
        ..raw("hourly", "7:30")
    };
    let errors = parse(&input, chrono_tz::UTC).expect_err("five problems");
    assert_eq!(
        codes(&errors),
        [
            ("cadence", "invalid"),
            ("day_of_month", "invalid"),
            ("days", "invalid"),
            ("time", "invalid"),
            ("time_zone", "invalid")
        ]
    );

    let input = RawSchedule {
        days: strings(&["mon"]),
        day_of_month: Some(3),
        ..raw("daily", "07:30")
    };
    let errors = parse(&input, chrono_tz::UTC).expect_err("two problems");
    assert_eq!(
        codes(&errors),
        [("day_of_month", "not_allowed"), ("days", "not_allowed")]
    );
}

#[test]
fn error_messages_are_actionable() {
    let input = RawSchedule {
        days: strings(&["funday", "Mon", "xyz"]),
        time_zone: Some("Europe/Berln".into()),
        ..raw("weekly", "9:00")
    };
    let messages: Vec<_> = parse(&input, chrono_tz::UTC)
        .expect_err("invalid")
        .into_iter()
        .map(|e| e.message)
        .collect();
    assert_eq!(
        messages,
        [
            "Unknown days \"funday\", \"xyz\"; use mon, tue, wed, thu, fri, sat or sun.",
            "Use HH:MM on a 24-hour clock, for example 07:30.",
            "Unknown time zone \"Europe/Berln\"; use an IANA name such as Europe/Berlin.",
        ]
    );
    let input = RawSchedule {
        day_of_month: Some(0),
        ..raw("monthly", "07:30")
    };
    let error = &parse(&input, chrono_tz::UTC).expect_err("invalid")[0];
    assert_eq!(error.message, "Choose a day of the month from 1 to 31.");
    assert_eq!(
        error.to_string(),
        "day_of_month: Choose a day of the month from 1 to 31."
    );
}

// ---------------------------------------------------------------- next_run_after

#[test]
fn daily_berlin_keeps_local_time_across_dst() {
    let daily = schedule(Cadence::Daily, "09:00", "Europe/Berlin");
    assert_slots(
        &daily,
        "2026-03-27T12:00:00Z",
        &[
            "2026-03-28T08:00:00Z",
            "2026-03-29T07:00:00Z",
            "2026-03-30T07:00:00Z",
        ],
    );
    assert_slots(
        &daily,
        "2026-10-23T12:00:00Z",
        &[
            "2026-10-24T07:00:00Z",
            "2026-10-25T08:00:00Z",
            "2026-10-26T08:00:00Z",
        ],
    );
}

#[test]
fn berlin_gap_runs_when_clocks_jump() {
    let daily = schedule(Cadence::Daily, "02:30", "Europe/Berlin");
    // 02:30 CET on the 28th, 03:00 CEST (the end of the gap) on the 29th, 02:30 CEST after.
    assert_slots(
        &daily,
        "2026-03-27T12:00:00Z",
        &[
            "2026-03-28T01:30:00Z",
            "2026-03-29T01:00:00Z",
            "2026-03-30T00:30:00Z",
        ],
    );
    let berlin = zone("Europe/Berlin");
    let slot = next_run_after(&daily, utc("2026-03-28T12:00:00Z")).with_timezone(&berlin);
    assert_eq!(slot.format("%H:%M %Z").to_string(), "03:00 CEST");
}

#[test]
fn berlin_repeated_hour_runs_once_at_the_earlier_instant() {
    let daily = schedule(Cadence::Daily, "02:30", "Europe/Berlin");
    assert_slots(
        &daily,
        "2026-10-23T12:00:00Z",
        &[
            "2026-10-24T00:30:00Z",
            "2026-10-25T00:30:00Z",
            "2026-10-26T01:30:00Z",
        ],
    );
    // Between the two occurrences of 02:30, the second one is not a slot.
    assert_eq!(
        next_run_after(&daily, utc("2026-10-25T00:30:00Z")),
        utc("2026-10-26T01:30:00Z")
    );
    assert_eq!(
        next_run_after(&daily, utc("2026-10-25T01:00:00Z")),
        utc("2026-10-26T01:30:00Z")
    );
}

#[test]
fn new_york_gap_and_repeat() {
    let gap = schedule(Cadence::Daily, "02:30", "America/New_York");
    assert_slots(
        &gap,
        "2026-03-07T12:00:00Z",
        &["2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"],
    );
    let repeat = schedule(Cadence::Daily, "01:30", "America/New_York");
    assert_slots(
        &repeat,
        "2026-10-31T12:00:00Z",
        &["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"],
    );
}

#[test]
fn fractional_offsets() {
    let kolkata = schedule(Cadence::Daily, "09:15", "Asia/Kolkata");
    assert_slots(
        &kolkata,
        "2026-05-01T00:00:00Z",
        &["2026-05-01T03:45:00Z", "2026-05-02T03:45:00Z"],
    );
    // Lord Howe moves its clocks by 30 minutes: 02:15 is in the gap on 2026-10-04 (02:00 -> 02:30).
    let lord_howe = schedule(Cadence::Daily, "02:15", "Australia/Lord_Howe");
    assert_slots(
        &lord_howe,
        "2026-10-02T12:00:00Z",
        &[
            "2026-10-02T15:45:00Z",
            "2026-10-03T15:30:00Z",
            "2026-10-04T15:15:00Z",
        ],
    );
}

#[test]
fn gap_of_a_whole_day_runs_when_the_day_resumes() {
    // Samoa skipped 2011-12-30: after 2011-12-29T23:59:59-10:00 came 2011-12-31T00:00:00+14:00.
    let apia = schedule(Cadence::Daily, "09:00", "Pacific/Apia");
    assert_slots(
        &apia,
        "2011-12-29T12:00:00Z",
        &[
            "2011-12-29T19:00:00Z",
            "2011-12-30T10:00:00Z",
            "2011-12-30T19:00:00Z",
        ],
    );
}

#[test]
fn weekly_mondays_and_thursdays() {
    let weekly = schedule(
        Cadence::Weekly {
            days: vec![Mon, Thu],
        },
        "07:30",
        "UTC",
    );
    // 2026-05-13 is a Wednesday.
    assert_slots(
        &weekly,
        "2026-05-13T10:00:00Z",
        &[
            "2026-05-14T07:30:00Z",
            "2026-05-18T07:30:00Z",
            "2026-05-21T07:30:00Z",
            "2026-05-25T07:30:00Z",
        ],
    );
    // From a slot itself, the next one is strictly later.
    assert_eq!(
        next_run_after(&weekly, utc("2026-05-14T07:30:00Z")),
        utc("2026-05-18T07:30:00Z")
    );
    assert_eq!(
        next_run_after(
            &weekly,
            utc("2026-05-14T07:30:00Z") - TimeDelta::nanoseconds(1)
        ),
        utc("2026-05-14T07:30:00Z")
    );
}

#[test]
fn weekly_across_dst() {
    let sundays = schedule(
        Cadence::Weekly { days: vec![Sun] },
        "09:00",
        "Europe/Berlin",
    );
    assert_slots(
        &sundays,
        "2026-03-16T00:00:00Z",
        &[
            "2026-03-22T08:00:00Z",
            "2026-03-29T07:00:00Z",
            "2026-04-05T07:00:00Z",
        ],
    );
    assert_slots(
        &sundays,
        "2026-10-19T00:00:00Z",
        &["2026-10-25T08:00:00Z", "2026-11-01T08:00:00Z"],
    );
}

#[test]
fn monthly_short_months_use_the_last_day() {
    let day_31 = schedule(Cadence::Monthly { day: 31 }, "06:00", "UTC");
    assert_slots(
        &day_31,
        "2026-01-01T00:00:00Z",
        &[
            "2026-01-31T06:00:00Z",
            "2026-02-28T06:00:00Z",
            "2026-03-31T06:00:00Z",
            "2026-04-30T06:00:00Z",
            "2026-05-31T06:00:00Z",
        ],
    );
    let day_29 = schedule(Cadence::Monthly { day: 29 }, "06:00", "UTC");
    assert_slots(
        &day_29,
        "2028-01-15T00:00:00Z",
        &[
            "2028-01-29T06:00:00Z",
            "2028-02-29T06:00:00Z",
            "2028-03-29T06:00:00Z",
        ],
    );
    assert_slots(
        &day_29,
        "2027-02-01T00:00:00Z",
        &["2027-02-28T06:00:00Z", "2027-03-29T06:00:00Z"],
    );
    let day_30 = schedule(Cadence::Monthly { day: 30 }, "06:00", "UTC");
    assert_slots(
        &day_30,
        "2027-02-01T00:00:00Z",
        &["2027-02-28T06:00:00Z", "2027-03-30T06:00:00Z"],
    );
    let day_1 = schedule(Cadence::Monthly { day: 1 }, "00:00", "Europe/Berlin");
    assert_slots(
        &day_1,
        "2026-01-01T00:00:00Z",
        &["2026-01-31T23:00:00Z", "2026-02-28T23:00:00Z"],
    );
}

#[test]
fn hand_built_degenerate_cadences_still_produce_slots() {
    let no_days = schedule(Cadence::Weekly { days: vec![] }, "07:00", "UTC");
    assert_eq!(
        next_run_after(&no_days, utc("2026-05-13T10:00:00Z")),
        utc("2026-05-14T07:00:00Z")
    );
    let day_0 = schedule(Cadence::Monthly { day: 0 }, "07:00", "UTC");
    assert_eq!(
        next_run_after(&day_0, utc("2026-05-13T10:00:00Z")),
        utc("2026-06-01T07:00:00Z")
    );
    let day_200 = schedule(Cadence::Monthly { day: 200 }, "07:00", "UTC");
    assert_eq!(
        next_run_after(&day_200, utc("2026-05-13T10:00:00Z")),
        utc("2026-05-31T07:00:00Z")
    );
}

#[test]
fn consecutive_slots_increase_and_keep_one_per_local_date() {
    let zones = [
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "Asia/Kolkata",
        "Australia/Lord_Howe",
        "America/Santiago",
        "Pacific/Chatham",
        "America/Havana",
    ];
    let times = [
        "00:00", "00:30", "01:30", "02:00", "02:30", "09:15", "23:59",
    ];
    for zone_name in zones {
        let tz = zone(zone_name);
        for time_text in times {
            let daily = schedule(Cadence::Daily, time_text, zone_name);
            let slots = slots_after(&daily, "2025-01-01T00:00:00Z", 800);
            for pair in slots.windows(2) {
                let (earlier, later) = (pair[0].with_timezone(&tz), pair[1].with_timezone(&tz));
                assert!(
                    earlier < later,
                    "{zone_name} {time_text}: {earlier} then {later}"
                );
                assert!(
                    earlier.date_naive() < later.date_naive(),
                    "{zone_name} {time_text}: two slots on {}",
                    later.date_naive()
                );
            }
            for slot in &slots {
                let local = slot.with_timezone(&tz);
                match tz.from_local_datetime(&local.date_naive().and_time(daily.time)) {
                    // The local time exists: the slot is at it, and at its first occurrence.
                    chrono::LocalResult::Single(expected)
                    | chrono::LocalResult::Ambiguous(expected, _) => {
                        assert_eq!(local, expected, "{zone_name} {time_text}")
                    }
                    // A gap: the slot is at the first instant after it, within a few hours.
                    chrono::LocalResult::None => {
                        assert!(
                            local.time() > daily.time,
                            "{zone_name} {time_text}: {local}"
                        );
                        assert!(
                            local.time() - daily.time <= TimeDelta::hours(3),
                            "{zone_name} {time_text}: {local}"
                        );
                        let just_before = (*slot - TimeDelta::seconds(1)).with_timezone(&tz);
                        assert!(
                            just_before.naive_local() < local.date_naive().and_time(daily.time)
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn weekly_and_monthly_slots_fall_on_selected_dates() {
    let weekly = schedule(
        Cadence::Weekly {
            days: vec![Mon, Wed, Sun],
        },
        "02:30",
        "Europe/Berlin",
    );
    let slots = slots_after(&weekly, "2025-01-01T00:00:00Z", 800);
    assert!(slots.windows(2).all(|pair| pair[0] < pair[1]));
    let berlin = zone("Europe/Berlin");
    for slot in &slots {
        let weekday = slot.with_timezone(&berlin).weekday();
        assert!([Mon, Wed, Sun].contains(&weekday), "{slot} is a {weekday}");
    }

    for day in [1_u8, 15, 28, 29, 30, 31] {
        let monthly = schedule(Cadence::Monthly { day }, "00:30", "America/Santiago");
        let slots = slots_after(&monthly, "2025-01-01T00:00:00Z", 100);
        let santiago = zone("America/Santiago");
        for pair in slots.windows(2) {
            assert!(pair[0] < pair[1]);
            let (earlier, later) = (
                pair[0].with_timezone(&santiago),
                pair[1].with_timezone(&santiago),
            );
            assert_ne!(
                (earlier.year(), earlier.month()),
                (later.year(), later.month()),
                "day {day}"
            );
        }
        for slot in &slots {
            let date = slot.with_timezone(&santiago).date_naive();
            assert_eq!(
                date.day(),
                u32::from(day).min(days_in_month(date)),
                "day {day}: {slot}"
            );
        }
    }
}

// ---------------------------------------------------------------- due_at

#[test]
fn not_due_before_the_stored_next_run() {
    let daily = schedule(Cadence::Daily, "09:00", "Europe/Berlin");
    let next_run_at = utc("2026-05-12T07:00:00Z");
    assert_eq!(
        due_at(&daily, next_run_at, next_run_at - TimeDelta::nanoseconds(1)),
        None
    );
    assert_eq!(
        due_at(&daily, next_run_at, utc("2026-05-11T07:00:00Z")),
        None
    );
}

#[test]
fn due_exactly_at_the_slot() {
    let daily = schedule(Cadence::Daily, "09:00", "Europe/Berlin");
    let next_run_at = utc("2026-05-12T07:00:00Z");
    let due = due_at(&daily, next_run_at, next_run_at).expect("due");
    assert_eq!(
        due,
        Due {
            run: next_run_at,
            skipped: vec![],
            skipped_total: 0,
            next: utc("2026-05-13T07:00:00Z")
        }
    );
}

#[test]
fn after_downtime_runs_only_the_latest_slot() {
    let daily = schedule(Cadence::Daily, "09:00", "Europe/Berlin");
    let due = due_at(
        &daily,
        utc("2026-05-10T07:00:00Z"),
        utc("2026-05-12T12:00:00Z"),
    )
    .expect("due");
    assert_eq!(
        due,
        Due {
            run: utc("2026-05-12T07:00:00Z"),
            skipped: vec![utc("2026-05-10T07:00:00Z"), utc("2026-05-11T07:00:00Z")],
            skipped_total: 2,
            next: utc("2026-05-13T07:00:00Z"),
        }
    );
}

#[test]
fn run_equal_to_now_schedules_the_following_slot() {
    let weekly = schedule(
        Cadence::Weekly {
            days: vec![Mon, Thu],
        },
        "07:30",
        "UTC",
    );
    let now = utc("2026-05-18T07:30:00Z");
    let due = due_at(&weekly, utc("2026-05-14T07:30:00Z"), now).expect("due");
    assert_eq!(due.run, now);
    assert_eq!(due.skipped, [utc("2026-05-14T07:30:00Z")]);
    assert_eq!(due.next, utc("2026-05-21T07:30:00Z"));
    assert_eq!(due.next, next_run_after(&weekly, now));
}

#[test]
fn downtime_over_fall_back_counts_the_repeated_hour_once() {
    let daily = schedule(Cadence::Daily, "02:30", "Europe/Berlin");
    let due = due_at(
        &daily,
        utc("2026-10-24T00:30:00Z"),
        utc("2026-10-26T02:00:00Z"),
    )
    .expect("due");
    assert_eq!(
        due.skipped,
        [utc("2026-10-24T00:30:00Z"), utc("2026-10-25T00:30:00Z")]
    );
    assert_eq!(due.run, utc("2026-10-26T01:30:00Z"));
    assert_eq!(due.next, utc("2026-10-27T01:30:00Z"));
}

#[test]
fn long_downtime_keeps_the_most_recent_skipped_slots() {
    let daily = schedule(Cadence::Daily, "09:00", "UTC");
    // 2023-01-01 .. 2026-05-12 inclusive is 1228 days; the last one is run.
    let due = due_at(
        &daily,
        utc("2023-01-01T09:00:00Z"),
        utc("2026-05-12T10:00:00Z"),
    )
    .expect("due");
    assert_eq!(due.run, utc("2026-05-12T09:00:00Z"));
    assert_eq!(due.skipped_total, 1227);
    assert_eq!(due.skipped.len(), MAX_SKIPPED_KEPT);
    assert_eq!(due.skipped.last(), Some(&utc("2026-05-11T09:00:00Z")));
    assert_eq!(
        due.skipped.first(),
        Some(&(utc("2026-05-11T09:00:00Z") - TimeDelta::days(999)))
    );
    assert!(due.skipped.windows(2).all(|pair| pair[0] < pair[1]));
    assert_eq!(due.next, utc("2026-05-13T09:00:00Z"));
}
