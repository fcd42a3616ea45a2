//! The schedule form (issue 16): Schedule… in the views bar delivers the saved view the page shows
//! (`view=<id>`), Edit on the Scheduled reports page changes a schedule. A cadence — daily, weekly on chosen
//! days or monthly on a day — at a local time in a time zone (the organisation's unless changed), by email
//! and/or to a webhook. The server checks everything; its 400 details land next to their fields. A created
//! schedule is confirmed with a link to the Scheduled reports page; a changed one is handed to the page.

use leptos::{prelude::*, task::spawn_local};
use shared::{
    schedules::{Schedule, ScheduleInput, SchedulePatch},
    FieldError, Patch,
};

use crate::{
    api,
    records::query::ReportQuery,
    schedules_page::{summary, SCHEDULES_PATH, WEEKDAYS},
};

/// The problems of `field` (every `recipients.<n>` for `recipients`), joined.
fn messages_for(details: &[FieldError], field: &str) -> Option<String> {
    let prefix = format!("{field}.");
    let found: Vec<&str> = details
        .iter()
        .filter(|detail| detail.field == field || detail.field.starts_with(&prefix))
        .map(|detail| detail.message.as_str())
        .collect();
    (!found.is_empty()).then(|| found.join(" "))
}

/// "a@x.test, b@x.test" → the addresses, blanks left out.
fn split_recipients(text: &str) -> Vec<String> {
    text.split([',', ';', '\n'])
        .map(str::trim)
        .filter(|address| !address.is_empty())
        .map(str::to_owned)
        .collect()
}

const FIELDS: [&str; 7] = [
    "cadence",
    "days",
    "day_of_month",
    "time",
    "time_zone",
    "recipients",
    "webhook_url",
];

/// What the form is for.
#[derive(Clone)]
pub enum ScheduleTarget {
    /// A new schedule of the saved view the report shows.
    View(Memo<ReportQuery>),
    /// Changes to a schedule (at its version); `saved` hears of the schedule as changed.
    Existing {
        schedule: Box<Schedule>,
        saved: Callback<Schedule>,
    },
}

fn set_or_null<T>(value: Option<T>) -> Patch<T> {
    value.map_or(Patch::Null, Patch::Set)
}

/// A create or an update on its way.
type Sending =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<Schedule, api::ApiFailure>>>>;

/// The form's fields as typed, read once on submit.
struct Typed {
    cadence: String,
    days: Option<Vec<String>>,
    day_of_month: Option<i64>,
    time: String,
    zone: Option<String>,
    recipients: Vec<String>,
    webhook: Option<String>,
}

impl Typed {
    fn into_patch(self, version: i64) -> SchedulePatch {
        SchedulePatch {
            cadence: Patch::Set(self.cadence),
            days: set_or_null(self.days),
            day_of_month: set_or_null(self.day_of_month),
            time: Patch::Set(self.time),
            time_zone: set_or_null(self.zone),
            recipients: Patch::Set(self.recipients),
            webhook_url: set_or_null(self.webhook),
            enabled: Patch::Absent,
            version: Some(version),
        }
    }
}

#[component]
pub fn ScheduleForm(target: ScheduleTarget, open: RwSignal<bool>) -> impl IntoView {
    let editing = match &target {
        ScheduleTarget::Existing { schedule, .. } => Some(schedule.as_ref().clone()),
        ScheduleTarget::View(_) => None,
    };
    let start = |value: Option<String>, default: &str| {
        RwSignal::new(value.unwrap_or_else(|| default.to_owned()))
    };
    let cadence = start(editing.as_ref().map(|s| s.cadence.clone()), "daily");
    let days = RwSignal::<Vec<&'static str>>::new(
        editing
            .as_ref()
            .map(|s| {
                WEEKDAYS
                    .iter()
                    .map(|(key, _)| *key)
                    .filter(|key| s.days.iter().any(|day| day == key))
                    .collect()
            })
            .unwrap_or_default(),
    );
    let day_of_month = start(
        editing
            .as_ref()
            .and_then(|s| s.day_of_month)
            .map(|d| d.to_string()),
        "1",
    );
    let time = start(editing.as_ref().map(|s| s.time.clone()), "08:00");
    let zone = start(editing.as_ref().map(|s| s.time_zone.clone()), "");
    let recipients = start(editing.as_ref().map(|s| s.recipients.join(", ")), "");
    let webhook = start(editing.as_ref().and_then(|s| s.webhook_url.clone()), "");
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let form_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let created = RwSignal::new(None::<String>);
    if editing.is_none() {
        // The organisation's zone, unless the user typed one first. The form only ever opens in the browser.
        spawn_local(async move {
            if let Ok(found) = api::schedules::time_zone().await {
                let _ = zone.try_update(|zone| {
                    if zone.is_empty() {
                        *zone = found.time_zone;
                    }
                });
            }
        });
    }
    let error_of =
        move |field: &'static str| move || errors.with(|errors| messages_for(errors, field));
    let target = StoredValue::new(target);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let cadence = cadence.get_untracked();
        let zone = zone.get_untracked().trim().to_owned();
        let webhook = webhook.get_untracked().trim().to_owned();
        let typed = Typed {
            days: (cadence == "weekly").then(|| {
                days.get_untracked()
                    .iter()
                    .map(|d| (*d).to_owned())
                    .collect()
            }),
            day_of_month: (cadence == "monthly")
                .then(|| day_of_month.get_untracked().trim().parse().unwrap_or(0)),
            cadence,
            time: time.get_untracked(),
            zone: (!zone.is_empty()).then_some(zone),
            recipients: split_recipients(&recipients.get_untracked()),
            webhook: (!webhook.is_empty()).then_some(webhook),
        };
        let request = match target.get_value() {
            ScheduleTarget::View(query) => {
                let Some(view_id) = query.with_untracked(ReportQuery::view_id) else {
                    form_error.set(Some("Save the view first, then schedule it.".into()));
                    return;
                };
                let input = ScheduleInput {
                    view_id,
                    cadence: typed.cadence,
                    days: typed.days,
                    day_of_month: typed.day_of_month,
                    time: typed.time,
                    time_zone: typed.zone,
                    recipients: typed.recipients,
                    webhook_url: typed.webhook,
                    enabled: true,
                };
                let sent: Sending = Box::pin(api::schedules::create(&input));
                (sent, None)
            }
            ScheduleTarget::Existing { schedule, saved } => {
                let patch = typed.into_patch(schedule.version);
                let sent: Sending = Box::pin(api::schedules::update(schedule.id, &patch));
                (sent, Some(saved))
            }
        };
        busy.set(true);
        form_error.set(None);
        spawn_local(async move {
            let (sent, saved) = request;
            let result = sent.await;
            let _ = busy.try_set(false);
            match result {
                Ok(schedule) => {
                    let _ = errors.try_set(Vec::new());
                    match saved {
                        Some(saved) => saved.run(schedule),
                        None => {
                            let _ = created.try_set(Some(format!(
                                "Scheduled “{}”: {}.",
                                schedule.view_name,
                                summary(&schedule)
                            )));
                        }
                    }
                }
                Err(failure) => {
                    let details = failure.details().to_vec();
                    let others: Vec<String> = details
                        .iter()
                        .filter(|detail| {
                            !FIELDS.iter().any(|field| {
                                detail.field == *field
                                    || detail.field.starts_with(&format!("{field}."))
                            })
                        })
                        .map(|detail| detail.message.clone())
                        .collect();
                    let _ = form_error.try_set(match (details.is_empty(), others.is_empty()) {
                        (true, _) => Some(failure.message().to_owned()),
                        (false, true) => None,
                        (false, false) => Some(others.join(" ")),
                    });
                    let _ = errors.try_set(details);
                }
            }
        });
    };
    let text_input = move |id: &'static str,
                           label: &'static str,
                           kind: &'static str,
                           value: RwSignal<String>,
                           field: &'static str| {
        let error_id = format!("{id}-error");
        view! {
            <div class="field" class:has-error=move || error_of(field)().is_some()>
                <label for=id>{label}</label>
                <input id=id type=kind prop:value=value on:input=move |ev| value.set(event_target_value(&ev))
                    aria-invalid=move || error_of(field)().is_some().to_string() aria-describedby=error_id.clone()/>
                <p class="field-error" id=error_id role="alert">{error_of(field)}</p>
            </div>
        }
    };
    let weekday = move |(key, label): (&'static str, &'static str)| {
        view! {
            <label class="checkbox-field">
                <input type="checkbox" name="schedule-day" value=key
                    prop:checked=move || days.with(|days| days.contains(&key))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        days.update(|days| {
                            days.retain(|day| *day != key);
                            if on {
                                days.push(key);
                            }
                        });
                    }/>
                {label}
            </label>
        }
    };
    let (submit_label, form_label) = if editing.is_some() {
        ("Save", "Edit schedule")
    } else {
        ("Schedule", "Schedule this view")
    };
    let form = move || {
        view! {
            <div class="field" class:has-error=move || error_of("cadence")().is_some()>
                <label for="schedule-cadence">"Cadence"</label>
                <select id="schedule-cadence" prop:value=cadence on:change=move |ev| cadence.set(event_target_value(&ev))>
                    <option value="daily">"Daily"</option>
                    <option value="weekly">"Weekly"</option>
                    <option value="monthly">"Monthly"</option>
                </select>
                <p class="field-error" role="alert">{error_of("cadence")}</p>
            </div>
            <Show when=move || cadence.get() == "weekly">
                <fieldset class="checkbox-group schedule-days">
                    <legend>"Days"</legend>
                    {WEEKDAYS.into_iter().map(weekday).collect_view()}
                    <p class="field-error" role="alert">{error_of("days")}</p>
                </fieldset>
            </Show>
            <Show when=move || cadence.get() == "monthly">
                {text_input("schedule-day-of-month", "Day of month", "number", day_of_month, "day_of_month")}
            </Show>
            <div class="form-grid">
                {text_input("schedule-time", "Time", "time", time, "time")}
                {text_input("schedule-time-zone", "Time zone", "text", zone, "time_zone")}
            </div>
            {text_input("schedule-recipients", "Recipients (comma-separated emails)", "text", recipients, "recipients")}
            {text_input("schedule-webhook", "Webhook URL (optional)", "url", webhook, "webhook_url")}
            <p class="form-error" role="alert">{move || form_error.get()}</p>
            <div class="button-row">
                <button type="submit" class="button primary" disabled=move || busy.get()>{submit_label}</button>
                <button type="button" class="button subtle" on:click=move |_| open.set(false)>"Cancel"</button>
            </div>
        }
    };
    view! {
        <form id="schedule-form" class="view-form card stack" on:submit=submit aria-label=form_label>
            {move || match created.get() {
                Some(message) => view! {
                    <p class="schedule-created" role="status">
                        {message}" "<a href=SCHEDULES_PATH>"Scheduled reports"</a>
                    </p>
                    <div class="button-row">
                        <button type="button" class="button subtle" on:click=move |_| open.set(false)>"Close"</button>
                    </div>
                }.into_any(),
                None => form().into_any(),
            }}
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail(field: &str, message: &str) -> FieldError {
        FieldError {
            field: field.into(),
            code: "invalid".into(),
            message: message.into(),
        }
    }

    #[test]
    fn recipients_split_on_commas_and_every_recipient_problem_lands_on_the_field() {
        assert_eq!(
            split_recipients(" a@x.test, ,b@x.test;c@x.test "),
            ["a@x.test", "b@x.test", "c@x.test"]
        );
        let details = vec![
            detail("recipients.0", "Bad one."),
            detail("recipients.2", "Bad two."),
            detail("time", "Bad time."),
        ];
        assert_eq!(
            messages_for(&details, "recipients").as_deref(),
            Some("Bad one. Bad two.")
        );
        assert_eq!(messages_for(&details, "time").as_deref(), Some("Bad time."));
        assert_eq!(messages_for(&details, "days"), None);
    }
}
