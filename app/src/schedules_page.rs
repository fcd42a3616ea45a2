//! Scheduled reports (`/reports/schedules`, issue 16): the schedules the user may see — the view (a link to its
//! report), the cadence, the next run, the last run's status and why a schedule paused itself — with Run now,
//! Edit (the schedule form, at the schedule's version), Pause/Resume, Delete (confirmed) and History: the runs, newest first, each CSV downloadable while it is
//! kept. After Run now the history is read again every second until the run has finished (at most 20 times).

use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::components::A;
use shared::{
    schedules::{Run, Schedule, SchedulePatch},
    EntityKind, Patch,
};

use crate::{
    api,
    records::{format, query::ReportQuery},
    saved_views::use_saved_views,
    schedule_form::{ScheduleForm, ScheduleTarget},
};

pub const SCHEDULES_PATH: &str = "/reports/schedules";

/// The weekdays as the API spells them, with their labels.
pub const WEEKDAYS: [(&str, &str); 7] = [
    ("mon", "Mon"),
    ("tue", "Tue"),
    ("wed", "Wed"),
    ("thu", "Thu"),
    ("fri", "Fri"),
    ("sat", "Sat"),
    ("sun", "Sun"),
];

/// How many times the history is read again after Run now, a second apart.
const POLLS: u32 = 20;

/// "Weekly on Mon, Thu at 07:30 Europe/Berlin".
pub fn summary(schedule: &Schedule) -> String {
    let when = match schedule.cadence.as_str() {
        "weekly" => {
            let days: Vec<&str> = WEEKDAYS
                .iter()
                .filter(|(key, _)| schedule.days.iter().any(|day| day == key))
                .map(|(_, label)| *label)
                .collect();
            format!("Weekly on {}", days.join(", "))
        }
        "monthly" => match schedule.day_of_month {
            Some(day) => format!("Monthly on day {day}"),
            None => "Monthly".to_owned(),
        },
        "daily" => "Daily".to_owned(),
        other => format::humanize(other),
    };
    format!("{when} at {} {}", schedule.time, schedule.time_zone)
}

/// `2026-12-04T06:30:00Z` → `4 Dec 2026, 06:30 UTC`; anything else unchanged.
pub fn instant(text: &str) -> String {
    match (text.get(..10), text.get(11..16)) {
        (Some(day), Some(time)) if text.as_bytes().get(10) == Some(&b'T') => {
            format!("{}, {time} UTC", format::date(day))
        }
        _ => text.to_owned(),
    }
}

/// A schedule's History: open or not, its runs as last read, a Run now going on. Kept by the page per schedule,
/// so reloading the list (after Run now, Pause) keeps an open history open.
#[derive(Clone, Copy)]
struct HistoryState {
    open: RwSignal<bool>,
    runs: RwSignal<Option<Result<Vec<Run>, String>>>,
    busy: RwSignal<bool>,
}

#[component]
pub fn SchedulesPage() -> impl IntoView {
    let owner = StoredValue::new(Owner::current());
    let histories = StoredValue::new(std::collections::HashMap::<i64, HistoryState>::new());
    let history_of = move |id: i64| {
        if let Some(found) = histories.with_value(|map| map.get(&id).copied()) {
            return found;
        }
        let make = || HistoryState {
            open: RwSignal::new(false),
            runs: RwSignal::new(None),
            busy: RwSignal::new(false),
        };
        // Owned by the page, not by this rendering of the list.
        let state = match owner.get_value() {
            Some(owner) => owner.with(make),
            None => make(),
        };
        histories.update_value(|map| {
            map.insert(id, state);
        });
        state
    };
    let reload = RwSignal::new(0_u32);
    let schedules = Resource::new(
        move || reload.get(),
        |_| async move { api::schedules::list().await },
    );
    let notice = RwSignal::new(None::<(bool, String)>);
    let deleting = RwSignal::new(None::<Schedule>);
    let editing = RwSignal::new(None::<Schedule>);
    let editor_open = RwSignal::new(false);
    Effect::new(move |_| {
        if !editor_open.get() {
            editing.set(None);
        }
    });
    let saved_edit = Callback::new(move |schedule: Schedule| {
        notice.set(Some((
            true,
            format!("Saved “{}”: {}.", schedule.view_name, summary(&schedule)),
        )));
        editor_open.set(false);
        reload.update(|n| *n += 1);
    });
    let delete = move |_| {
        let Some(schedule) = deleting.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let result = api::schedules::delete(schedule.id).await;
            let _ = deleting.try_set(None);
            let _ = notice.try_set(Some(match result {
                Ok(()) => (
                    true,
                    format!("Deleted the schedule of “{}”.", schedule.view_name),
                ),
                Err(failure) => (false, failure.message().to_owned()),
            }));
            let _ = reload.try_update(|n| *n += 1);
        });
    };
    let saved = use_saved_views();
    view! {
        <Title text="Scheduled reports"/>
        <section class="page-header">
            <p class="eyebrow"><A href="/reports">"Reports"</A></p>
            <h1>"Scheduled reports"</h1>
            <p class="muted">"Saved views delivered on a schedule. Schedule a view from its report with Schedule…."</p>
        </section>
        <p class="notice" role="status" class:notice-error=move || matches!(notice.get(), Some((false, _)))>
            {move || notice.get().map(|(_, text)| text)}
        </p>
        <div class="card table-card">
            <Transition fallback=|| view! { <p class="table-state muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let views = saved.list.await;
                    match schedules.await {
                        Ok(list) if list.data.is_empty() => view! {
                            <div class="table-state empty-state">
                                <h2>"No scheduled reports"</h2>
                                <p class="muted">"Open a saved view and choose Schedule…."</p>
                            </div>
                        }.into_any(),
                        Ok(list) => view! {
                            <table class="data-table schedules-table">
                                <thead><tr>
                                    <th scope="col">"View"</th>
                                    <th scope="col">"Schedule"</th>
                                    <th scope="col">"Next run"</th>
                                    <th scope="col">"Last run"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr></thead>
                                {list.data.into_iter().map(|schedule| {
                                    let href = views.iter().find(|view| view.id == schedule.view_id).and_then(|view| {
                                        let kind = EntityKind::from_plural(&view.entity)?;
                                        Some(format!("/{}{}", kind.plural(), ReportQuery::of_view(view, kind).to_query_string()))
                                    });
                                    let history = history_of(schedule.id);
                                    view! { <ScheduleRows schedule href history reload notice deleting editing editor_open/> }
                                }).collect_view()}
                            </table>
                        }.into_any(),
                        Err(failure) => view! { <p class="table-state form-error" role="alert">{failure.message().to_owned()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </div>
        {move || editing.get().map(|schedule| {
            let title = format!("Edit the schedule of “{}”", schedule.view_name);
            view! {
                <section class="schedule-editor stack" aria-label=title>
                    <h2>{title.clone()}</h2>
                    <ScheduleForm target=ScheduleTarget::Existing { schedule: Box::new(schedule), saved: saved_edit } open=editor_open/>
                </section>
            }
        })}
        <Show when=move || deleting.get().is_some()>
            <div class="confirm-panel card" role="alertdialog" aria-labelledby="confirm-schedule-delete-title">
                <h2 id="confirm-schedule-delete-title">"Delete this schedule?"</h2>
                <p>{move || deleting.get().map(|schedule| format!(
                    "“{}” is no longer delivered, and the files of its runs are deleted. The view stays.",
                    schedule.view_name
                ))}</p>
                <div class="button-row">
                    <button type="button" class="button danger" on:click=delete>"Delete"</button>
                    <button type="button" class="button subtle" on:click=move |_| deleting.set(None)>"Cancel"</button>
                </div>
            </div>
        </Show>
    }
}

/// One schedule's row, and its history below it when open (a `tbody` each, so the two stay together).
#[component]
fn ScheduleRows(
    schedule: Schedule,
    href: Option<String>,
    history: HistoryState,
    reload: RwSignal<u32>,
    notice: RwSignal<Option<(bool, String)>>,
    deleting: RwSignal<Option<Schedule>>,
    editing: RwSignal<Option<Schedule>>,
    editor_open: RwSignal<bool>,
) -> impl IntoView {
    let id = schedule.id;
    let HistoryState { open, runs, busy } = history;
    let load = move || {
        spawn_local(async move {
            let result = api::schedules::runs(id)
                .await
                .map(|list| list.data)
                .map_err(|failure| failure.message().to_owned());
            let _ = runs.try_set(Some(result));
        });
    };
    let toggle = move |_| {
        let opening = !open.get_untracked();
        open.set(opening);
        if opening {
            load();
        }
    };
    let run_now = move |_| {
        busy.set(true);
        spawn_local(async move {
            match api::schedules::run_now(id).await {
                Ok(run) => {
                    let _ = open.try_set(true);
                    let _ = notice.try_set(Some((true, "Running now…".to_owned())));
                    poll(id, run.id, POLLS, runs, busy, notice, reload);
                }
                Err(failure) => {
                    let _ = busy.try_set(false);
                    let _ = notice.try_set(Some((false, failure.message().to_owned())));
                }
            }
        });
    };
    let toggle_enabled = {
        let enabled = schedule.enabled;
        move |_| {
            let patch = SchedulePatch {
                enabled: Patch::Set(!enabled),
                ..Default::default()
            };
            spawn_local(async move {
                let result = api::schedules::update(id, &patch).await;
                let _ = notice.try_set(Some(match result {
                    Ok(updated) if updated.enabled => {
                        (true, format!("Resumed “{}”.", updated.view_name))
                    }
                    Ok(updated) => (true, format!("Paused “{}”.", updated.view_name)),
                    Err(failure) => (false, failure.message().to_owned()),
                }));
                let _ = reload.try_update(|n| *n += 1);
            });
        }
    };
    let state = match (&schedule.paused_reason, schedule.enabled) {
        (Some(reason), _) => format!("Paused: {reason}"),
        (None, false) => "Paused".to_owned(),
        (None, true) => instant(&schedule.next_run_at),
    };
    let last = schedule
        .last_run
        .as_ref()
        .map(|run| format::humanize(&run.status))
        .unwrap_or_else(|| "Never".to_owned());
    let name = schedule.view_name.clone();
    let view_cell = match href {
        Some(href) => view! { <a href=href class="row-title">{name.clone()}</a> }.into_any(),
        None => view! { <span class="row-title">{name.clone()}</span> }.into_any(),
    };
    let history_id = format!("schedule-history-{id}");
    let pause_label = if schedule.enabled { "Pause" } else { "Resume" };
    let can_edit = schedule.can_edit;
    let for_delete = schedule.clone();
    let for_edit = schedule.clone();
    view! {
        <tbody class="schedule" data-id=id data-enabled=schedule.enabled.to_string()>
            <tr>
                <td data-label="View">{view_cell}</td>
                <td data-label="Schedule">{summary(&schedule)}</td>
                <td data-label="Next run" class="schedule-next">{state}</td>
                <td data-label="Last run" class="schedule-last">{last}</td>
                <td class="actions">
                    <div class="button-row">
                        <button type="button" class="button small" aria-controls=history_id.clone()
                            aria-expanded=move || open.get().to_string() on:click=toggle>"History"</button>
                        {can_edit.then(|| view! {
                            <button type="button" class="button small" aria-haspopup="dialog"
                                on:click=move |_| { editing.set(Some(for_edit.clone())); editor_open.set(true); }>"Edit"</button>
                            <button type="button" class="button small" disabled=move || busy.get() on:click=run_now>"Run now"</button>
                            <button type="button" class="button small" on:click=toggle_enabled>{pause_label}</button>
                            <button type="button" class="button small danger" aria-haspopup="dialog"
                                on:click=move |_| deleting.set(Some(for_delete.clone()))>"Delete"</button>
                        })}
                    </div>
                </td>
            </tr>
            <Show when=move || open.get()>
                <tr class="schedule-history-row">
                    <td colspan="5" id=history_id.clone()>
                        <History runs/>
                    </td>
                </tr>
            </Show>
        </tbody>
    }
}

/// Reads the history again in a second, until `run` has finished or `tries` run out; then the list (its
/// last status) too.
fn poll(
    schedule: i64,
    run: i64,
    tries: u32,
    runs: RwSignal<Option<Result<Vec<Run>, String>>>,
    busy: RwSignal<bool>,
    notice: RwSignal<Option<(bool, String)>>,
    reload: RwSignal<u32>,
) {
    set_timeout(
        move || {
            spawn_local(async move {
                let result = api::schedules::runs(schedule).await;
                let running = match &result {
                    Ok(list) => list
                        .data
                        .iter()
                        .any(|found| found.id == run && found.status == "running"),
                    Err(_) => false,
                };
                let finished = result.as_ref().ok().and_then(|list| {
                    list.data
                        .iter()
                        .find(|found| found.id == run)
                        .map(|found| found.status.clone())
                });
                if runs
                    .try_set(Some(
                        result
                            .map(|list| list.data)
                            .map_err(|failure| failure.message().to_owned()),
                    ))
                    .is_some()
                {
                    // The page is gone.
                    return;
                }
                if running && tries > 1 {
                    poll(schedule, run, tries - 1, runs, busy, notice, reload);
                    return;
                }
                let _ = busy.try_set(false);
                let _ = notice.try_set(Some(match finished {
                    Some(status) if status != "running" => {
                        (status != "failed", format!("The run {status}."))
                    }
                    _ => (
                        true,
                        "The run is still going: open History again later.".to_owned(),
                    ),
                }));
                let _ = reload.try_update(|n| *n += 1);
            });
        },
        std::time::Duration::from_secs(1),
    );
}

#[component]
fn History(runs: RwSignal<Option<Result<Vec<Run>, String>>>) -> impl IntoView {
    move || {
        match runs.get() {
        None => view! { <p class="muted">"Loading…"</p> }.into_any(),
        Some(Err(message)) => view! { <p class="form-error" role="alert">{message}</p> }.into_any(),
        Some(Ok(runs)) if runs.is_empty() => view! { <p class="muted">"No runs yet."</p> }.into_any(),
        Some(Ok(runs)) => view! {
            <table class="data-table runs-table">
                <thead><tr>
                    <th scope="col">"Started"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Rows"</th>
                    <th scope="col">"Error"</th>
                    <th scope="col"><span class="visually-hidden">"File"</span></th>
                </tr></thead>
                <tbody>
                    {runs.into_iter().map(|run| view! {
                        <tr class="run" data-id=run.id data-status=run.status.clone()>
                            <td>{instant(&run.started_at)}</td>
                            <td class="run-status">{format::humanize(&run.status)}</td>
                            <td class="numeric run-rows">{run.rows.map(|rows| rows.to_string())}</td>
                            <td class="run-error">{run.error}</td>
                            <td>{run.download_url.map(|url| view! { <a href=url download="" class="button small">"Download"</a> })}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }.into_any(),
    }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_dates_and_clock_times() {
        assert_eq!(instant("2026-12-04T06:30:00Z"), "4 Dec 2026, 06:30 UTC");
        assert_eq!(instant("soon"), "soon");
    }
}
