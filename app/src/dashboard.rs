//! The home page (`/`): where the business stands — records per status of each entity, the project pipeline,
//! leads created per week, the user's open tasks and the latest changes, from one `api::dashboard::get`.
//!
//! The charts are plain SVG rectangles inside links, drawn on the server: no chart library reaches the WASM,
//! and every figure is an `<a>` to the report filtered to it, so the page works before (or without)
//! hydration. Counts and sums are written beside their bars; each link carries an `aria-label` that says what
//! it counts, and a stable `data-testid` with the raw figure in `data-count` / `data-sum`.

use leptos::prelude::*;
use leptos_meta::Title;
use shared::{
    dashboard::{Dashboard as Figures, MyTasks, RecentChange, StatusCounts, WeekCount},
    list::encode_query,
    EntityKind, StatusCategory,
};

use crate::{
    api,
    records::{format, history_panel::entry_time, singular_label},
};

#[component]
pub fn Dashboard() -> impl IntoView {
    let figures = Resource::new(|| (), |_| api::dashboard::get());
    view! {
        <Title text="Home"/>
        <section class="page-header">
            <h1>"Welcome to Keel"</h1>
            <p class="muted">"Where things stand today. Every figure opens the report behind it."</p>
        </section>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match figures.await {
                    Ok(figures) => dashboard_grid(figures).into_any(),
                    Err(failure) => view! {
                        <p class="form-error" role="alert">{failure.message().to_owned()}</p>
                    }
                    .into_any(),
                }
            })}
        </Suspense>
    }
}

fn dashboard_grid(figures: Figures) -> impl IntoView {
    let pipeline = figures
        .entities
        .iter()
        .find(|counts| counts.sum.is_some())
        .cloned();
    let open_tasks = figures
        .entity(EntityKind::Task.plural())
        .map(open_keys)
        .unwrap_or_default();
    let weeks = (!figures.leads_per_week.is_empty()).then_some(figures.leads_per_week);
    view! {
        <div class="dashboard-grid">
            {figures.my_tasks.map(|tasks| my_tasks_card(tasks, &open_tasks))}
            {figures.entities.iter().filter_map(status_card).collect_view()}
            {pipeline.and_then(|counts| pipeline_card(&counts))}
            {weeks.map(|weeks| weeks_card(&weeks))}
            {changes_card(figures.latest_changes)}
        </div>
    }
}

/// Where an entity's records of one filter are listed: its report when it has one, else its list page.
fn filtered_href(kind: EntityKind, pairs: &[(&str, &str)]) -> String {
    let base = if kind.descriptor().in_reports {
        format!("/reports/{}", kind.plural())
    } else {
        format!("/{}", kind.plural())
    };
    match encode_query(pairs.iter().copied()) {
        query if query.is_empty() => base,
        query => format!("{base}?{query}"),
    }
}

/// "1 lead", "3 leads".
fn counted(n: u64, kind: EntityKind) -> String {
    let noun = if n == 1 {
        kind.descriptor().singular.to_owned()
    } else {
        kind.label().to_lowercase()
    };
    format!("{} {noun}", format::count(n))
}

/// A bar's length in a 0–100 viewBox: proportional to the largest, and never invisible when it is not zero.
fn bar_length(value: u64, largest: u64) -> String {
    if value == 0 || largest == 0 {
        return "0".to_owned();
    }
    let length = (value as f64 * 100.0 / largest as f64).max(1.0);
    format!("{length:.1}")
}

fn category_class(category: StatusCategory) -> &'static str {
    if category.is_closed() {
        "bar-fill is-closed"
    } else {
        "bar-fill"
    }
}

/// A horizontal bar: a label, the bar (SVG) and the figure written beside it, all one link.
struct Bar {
    href: String,
    testid: String,
    label: String,
    aria: String,
    length: String,
    class: &'static str,
    /// The raw figure: a count (`data-count`) or an amount (`data-sum`).
    count: Option<String>,
    sum: Option<String>,
    figure: String,
}

fn bar_list(bars: Vec<Bar>) -> impl IntoView {
    view! {
        <ul class="bar-list">
            {bars.into_iter().map(|bar| view! {
                <li>
                    <a class="bar-row" href=bar.href aria-label=bar.aria.clone() title=bar.aria
                        data-testid=bar.testid data-count=bar.count data-sum=bar.sum>
                        <span class="bar-label">{bar.label}</span>
                        <svg class="bar-track" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                            <rect class=bar.class x="0" y="0" height="10" width=bar.length></rect>
                        </svg>
                        <span class="bar-figure">{bar.figure}</span>
                    </a>
                </li>
            }).collect_view()}
        </ul>
    }
}

/// One entity's records per status; closed categories muted.
fn status_card(counts: &StatusCounts) -> Option<impl IntoView> {
    let kind = EntityKind::from_plural(&counts.entity)?;
    let largest = counts.statuses.iter().map(|s| s.count).max().unwrap_or(0);
    let bars = counts
        .statuses
        .iter()
        .map(|status| Bar {
            href: filtered_href(kind, &[(counts.status_field.as_str(), status.key.as_str())]),
            testid: format!("status-bar-{}-{}", counts.entity, status.key),
            label: status.label.clone(),
            aria: format!("{}: {}", status.label, counted(status.count, kind)),
            length: bar_length(status.count, largest),
            class: category_class(status.category),
            count: Some(status.count.to_string()),
            sum: None,
            figure: format::count(status.count),
        })
        .collect();
    let all = filtered_href(kind, &[]);
    Some(view! {
        <section class="card dashboard-card" data-testid=format!("status-chart-{}", counts.entity)>
            <header class="dashboard-card-header">
                <h2>{format!("{} by status", kind.label())}</h2>
                <a href=all data-testid=format!("status-total-{}", counts.entity)>{counted(counts.total, kind)}</a>
            </header>
            {bar_list(bars)}
        </section>
    })
}

/// The projects' budgets per status.
fn pipeline_card(counts: &StatusCounts) -> Option<impl IntoView> {
    let kind = EntityKind::from_plural(&counts.entity)?;
    let cents = |sum: Option<shared::Money>| sum.map_or(0, |m| m.cents().max(0) as u64);
    let largest = counts
        .statuses
        .iter()
        .map(|s| cents(s.sum))
        .max()
        .unwrap_or(0);
    let bars = counts
        .statuses
        .iter()
        .map(|status| {
            let sum = status.sum.unwrap_or_default();
            let money = format::money(&sum.to_string());
            Bar {
                href: filtered_href(kind, &[(counts.status_field.as_str(), status.key.as_str())]),
                testid: format!("pipeline-bar-{}", status.key),
                label: status.label.clone(),
                aria: format!(
                    "{}: {money} over {}",
                    status.label,
                    counted(status.count, kind)
                ),
                length: bar_length(cents(status.sum), largest),
                class: category_class(status.category),
                count: None,
                sum: Some(sum.to_string()),
                figure: money,
            }
        })
        .collect();
    let total = format::money(&counts.sum.unwrap_or_default().to_string());
    Some(view! {
        <section class="card dashboard-card" data-testid="pipeline-chart">
            <header class="dashboard-card-header">
                <h2>"Project pipeline"</h2>
                <span class="muted" data-testid="pipeline-total">{format!("{total} in budgets")}</span>
            </header>
            {bar_list(bars)}
        </section>
    })
}

/// `2026-11-30` → `30 Nov`.
fn day_and_month(date: &str) -> String {
    let long = format::date(date);
    long.rsplit_once(' ')
        .map_or_else(|| long.clone(), |(day_month, _)| day_month.to_owned())
}

/// Leads created per week: twelve vertical bars, oldest first.
fn weeks_card(weeks: &[WeekCount]) -> impl IntoView {
    let kind = EntityKind::Lead;
    let largest = weeks.iter().map(|w| w.count).max().unwrap_or(0);
    let total: u64 = weeks.iter().map(|w| w.count).sum();
    let columns = weeks
        .iter()
        .map(|week| {
            let (start, end) = (week.week_start.to_string(), week.week_end.to_string());
            let href = filtered_href(
                kind,
                &[("created_after", start.as_str()), ("created_before", end.as_str())],
            );
            let aria = format!(
                "Week of {}: {} created",
                format::date(&start),
                counted(week.count, kind)
            );
            let length = bar_length(week.count, largest);
            let y = match length.parse::<f64>() {
                Ok(length) => format!("{:.1}", 100.0 - length),
                Err(_) => "100".to_owned(),
            };
            view! {
                <li>
                    <a class="week-bar" href=href aria-label=aria.clone() title=aria
                        data-testid=format!("week-bar-{start}") data-count=week.count.to_string()>
                        <span class="week-count">{format::count(week.count)}</span>
                        <svg class="week-track" viewBox="0 0 10 100" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                            <rect class="bar-fill" x="0" y=y width="10" height=length></rect>
                        </svg>
                        <span class="week-label">{day_and_month(&start)}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card dashboard-card dashboard-wide" data-testid="leads-per-week">
            <header class="dashboard-card-header">
                <h2>"Leads created per week"</h2>
                <span class="muted">{format!("{} in 12 weeks", counted(total, kind))}</span>
            </header>
            <ol class="week-bars">{columns}</ol>
        </section>
    }
}

/// The tasks' open statuses (what "my open tasks" means), for the link to all of them.
fn open_keys(counts: &StatusCounts) -> String {
    counts
        .statuses
        .iter()
        .filter(|s| s.known && s.category == StatusCategory::Open)
        .map(|s| s.key.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn my_tasks_card(tasks: MyTasks, open_statuses: &str) -> impl IntoView {
    let kind = EntityKind::Task;
    let mut all = vec![("assigned_to", "me")];
    if !open_statuses.is_empty() {
        all.push(("task_status", open_statuses));
    }
    let all = filtered_href(kind, &all);
    let shown = tasks.tasks.len() as u64;
    let list = if tasks.tasks.is_empty() {
        view! { <p class="muted">"Nothing open is assigned to you."</p> }.into_any()
    } else {
        view! {
            <ul class="task-list">
                {tasks.tasks.into_iter().map(|task| {
                    let due = task.due_date.map_or_else(
                        || "No due date".to_owned(),
                        |due| format!("Due {}", format::date(&due.to_string())),
                    );
                    view! {
                        <li class="task-item" class:overdue=task.overdue data-testid=format!("my-task-{}", task.id)>
                            <a href=format!("/{}/{}", kind.plural(), task.id)>{task.title}</a>
                            <span class="task-meta muted">
                                {task.overdue.then(|| view! { <strong class="overdue-badge">"Overdue"</strong> " · " })}
                                {due}" · "{task.status_label}
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section class="card dashboard-card" data-testid="my-tasks">
            <header class="dashboard-card-header">
                <h2>"My open tasks"</h2>
                <a href=all data-testid="my-tasks-total" data-count=tasks.total.to_string()>
                    {if tasks.total > shown {
                        format!("{} of {}", shown, format::count(tasks.total))
                    } else {
                        format::count(tasks.total)
                    }}
                </a>
            </header>
            {list}
        </section>
    }
}

/// What an entry is about, in words: "Lead", "User", "Configuration".
fn entity_word(entity: &str) -> String {
    match EntityKind::from_plural(entity) {
        Some(kind) => singular_label(kind),
        None if entity == "users" => "User".to_owned(),
        None if entity == "config" => "Configuration".to_owned(),
        None => format::humanize(entity),
    }
}

fn change_item(change: RecentChange) -> impl IntoView {
    let word = entity_word(&change.entity);
    // A link only to a record that is live (a title is read only then).
    let what = match (EntityKind::from_plural(&change.entity), change.title) {
        (Some(kind), Some(title)) => view! {
            <a href=format!("/{}/{}", kind.plural(), change.record_id)>{title}</a>
        }
        .into_any(),
        (_, Some(title)) => view! { <span>{title}</span> }.into_any(),
        (_, None) if change.entity == "config" => ().into_any(),
        (_, None) => view! { <span>{format!("#{}", change.record_id)}</span> }.into_any(),
    };
    let who = change.user_name.unwrap_or_else(|| "Keel".to_owned());
    view! {
        <li class="change-item" data-testid=format!("change-{}", change.id) data-entity=change.entity>
            <span class="change-what"><span class="change-action">{change.action_label}</span>" · "{word}" "{what}</span>
            <span class="change-meta muted">{who}", "<time datetime=change.at.clone()>{entry_time(&change.at)}</time></span>
        </li>
    }
}

fn changes_card(changes: Vec<RecentChange>) -> impl IntoView {
    let list = if changes.is_empty() {
        view! { <p class="muted">"No changes yet."</p> }.into_any()
    } else {
        view! { <ul class="change-list">{changes.into_iter().map(change_item).collect_view()}</ul> }
            .into_any()
    };
    view! {
        <section class="card dashboard-card" data-testid="latest-changes">
            <header class="dashboard-card-header"><h2>"Latest changes"</h2></header>
            {list}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_link_to_their_filtered_reports() {
        assert_eq!(
            filtered_href(EntityKind::Lead, &[("lead_status", "new")]),
            "/reports/leads?lead_status=new"
        );
        // Tasks have no report: their list takes the same filters.
        assert_eq!(
            filtered_href(EntityKind::Task, &[("task_status", "todo")]),
            "/tasks?task_status=todo"
        );
        assert_eq!(
            filtered_href(
                EntityKind::Lead,
                &[
                    ("created_after", "2026-11-30"),
                    ("created_before", "2026-12-06")
                ]
            ),
            "/reports/leads?created_after=2026-11-30&created_before=2026-12-06"
        );
        assert_eq!(filtered_href(EntityKind::Client, &[]), "/reports/clients");
        assert_eq!(
            filtered_href(
                EntityKind::Task,
                &[("assigned_to", "me"), ("task_status", "todo,review")]
            ),
            "/tasks?assigned_to=me&task_status=todo,review"
        );
    }

    #[test]
    fn bars_are_proportional_and_never_vanish() {
        assert_eq!(bar_length(0, 10), "0");
        assert_eq!(bar_length(10, 10), "100.0");
        assert_eq!(bar_length(5, 10), "50.0");
        assert_eq!(bar_length(1, 100_000), "1.0");
        assert_eq!(bar_length(0, 0), "0");
    }

    #[test]
    fn words_for_counts_and_weeks() {
        assert_eq!(counted(1, EntityKind::Lead), "1 lead");
        assert_eq!(counted(1234, EntityKind::Project), "1,234 projects");
        assert_eq!(day_and_month("2026-11-30"), "30 Nov");
        assert_eq!(entity_word("config"), "Configuration");
        assert_eq!(entity_word("tasks"), "Task");
    }
}
