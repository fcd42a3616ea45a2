//! Saved views in the report (issue 16): the views menu (the user's own views and the tenant's shared ones,
//! and "All …" for none), Save view (name, shared, pinned), Update view when the page differs from the view it
//! was opened from, the user's default view for this report, Delete view, Schedule… (the [`ScheduleForm`]) for
//! the view shown, and the Columns button of the [`ColumnChooser`]. The view shown is the URL's `view=<id>`; opening one navigates to its query and columns.
//! Every change reloads the views (`SavedViews::refresh`), so the menu and the navigation follow.

use leptos::{prelude::*, task::spawn_local};
use shared::{
    views::{check_name, SavedView, SavedViewInput, SavedViewPatch, ViewLayout},
    EntityKind, Patch,
};

use super::{columns::ColumnChooser, Navigator};
use crate::schedule_form::{ScheduleForm, ScheduleTarget};
use crate::{
    api::{self, ApiFailure},
    forms::{input_value, message_for, Field},
    records::query::{ReportQuery, NO_VIEW},
    saved_views::{use_saved_views, views_of, SavedViews},
};

/// What the bar says after an action: a status, or the failure's message.
#[derive(Clone, Copy)]
struct Feedback {
    message: RwSignal<Option<String>>,
    error: RwSignal<Option<String>>,
}

impl Feedback {
    fn say(self, message: String) {
        self.error.set(None);
        self.message.set(Some(message));
    }

    fn fail(self, failure: &ApiFailure) {
        self.message.set(None);
        self.error.set(Some(failure.message().to_owned()));
    }

    fn clear(self) {
        self.message.set(None);
        self.error.set(None);
    }
}

/// The open parts of the bar; they live outside the views' `Transition`, so reloading the views keeps them.
#[derive(Clone, Copy)]
struct Panels {
    saving: RwSignal<bool>,
    scheduling: RwSignal<bool>,
    columns: RwSignal<bool>,
    deleting: RwSignal<bool>,
    conflict: RwSignal<bool>,
}

/// Opens `view` in its own layout: on this page when the layouts match (keeping `/reports/…` or `/…`), on
/// the entity's board or list otherwise.
fn open_view(nav: &Navigator, view: &SavedView, kind: EntityKind, shown: ViewLayout) {
    let query = ReportQuery::of_view(view, kind);
    if view.layout == shown {
        nav.go(&query, false);
    } else {
        nav.go_to(&view.layout.path(kind), &query);
    }
}

#[component]
pub(super) fn ViewsBar(
    kind: EntityKind,
    query: Memo<ReportQuery>,
    nav: Navigator,
    /// The layout this page shows: what Save view keeps, and what Update view sets.
    layout: ViewLayout,
) -> impl IntoView {
    let saved = use_saved_views();
    let feedback = Feedback {
        message: RwSignal::new(None),
        error: RwSignal::new(None),
    };
    let panels = Panels {
        saving: RwSignal::new(false),
        scheduling: RwSignal::new(false),
        columns: RwSignal::new(false),
        deleting: RwSignal::new(false),
        conflict: RwSignal::new(false),
    };
    let controls = {
        let nav = nav.clone();
        move || {
            let nav = nav.clone();
            Suspend::new(async move {
                let views = views_of(&saved.list.await, kind);
                view! { <ViewControls kind query nav views saved panels feedback layout/> }
            })
        }
    };
    let (form_nav, chooser_nav) = (nav.clone(), nav);
    view! {
        <div class="views-bar">
            <Transition fallback=|| ()>{controls}</Transition>
            <button type="button" class="button small" aria-controls="column-chooser"
                aria-expanded=move || panels.columns.get().to_string()
                on:click=move |_| panels.columns.update(|open| *open = !*open)>"Columns"</button>
        </div>
        <Show when=move || panels.saving.get()>
            <SaveViewForm kind query nav=form_nav.clone() saved panels feedback layout/>
        </Show>
        <Show when=move || panels.scheduling.get() && query.with(ReportQuery::view_id).is_some()>
            <ScheduleForm target=ScheduleTarget::View(query) open=panels.scheduling/>
        </Show>
        <Show when=move || panels.columns.get()>
            <ColumnChooser kind query nav=chooser_nav.clone() open=panels.columns/>
        </Show>
        <p class="views-message" role="status">{move || feedback.message.get()}</p>
        <p class="form-error" role="alert">{move || feedback.error.get()}</p>
    }
}

/// "Hot leads · shared · default".
fn menu_label(view: &SavedView) -> String {
    let mut label = view.name.clone();
    if view.shared {
        label.push_str(" · shared");
    }
    if view.is_default {
        label.push_str(" · default");
    }
    label
}

/// The menu and the buttons that act on the view shown, for this report's `views`.
#[component]
fn ViewControls(
    kind: EntityKind,
    query: Memo<ReportQuery>,
    nav: Navigator,
    views: Vec<SavedView>,
    saved: SavedViews,
    panels: Panels,
    feedback: Feedback,
    layout: ViewLayout,
) -> impl IntoView {
    let has_default = views.iter().any(|view| view.is_default);
    let options = views
        .iter()
        .map(|view| (view.id.to_string(), menu_label(view)))
        .collect::<Vec<_>>();
    let views = StoredValue::new(views);
    let find = move |id: i64| views.with_value(|views| views.iter().find(|v| v.id == id).cloned());
    // The view the page was opened from, while the user may read it.
    let active = Memo::new(move |_| query.with(ReportQuery::view_id).and_then(find));
    let editable = move || active.with(|view| view.as_ref().is_some_and(|view| view.can_edit));
    // Update view: the page's query (paging aside), columns or layout are no longer the view's.
    let differs = move || {
        active.with(|view| {
            view.as_ref().is_some_and(|view| {
                view.can_edit
                    && (view.layout != layout || query.with(|q| q.differs_from(view, kind)))
            })
        })
    };
    let selected = move || {
        active.with(|view| {
            view.as_ref()
                .map(|view| view.id.to_string())
                .unwrap_or_default()
        })
    };
    let initial = active.with_untracked(|view| view.as_ref().map(|view| view.id.to_string()));

    let choose = {
        let nav = nav.clone();
        move |ev: leptos::ev::Event| {
            let chosen = event_target_value(&ev).parse().ok().and_then(find);
            feedback.clear();
            panels.conflict.set(false);
            let next = match chosen {
                Some(view) => return open_view(&nav, &view, kind, layout),
                // The plain report, on purpose: without `view=none` the default view would open again.
                None if has_default => ReportQuery::default().with("view", Some(NO_VIEW.into())),
                None => ReportQuery::default(),
            };
            nav.go(&next, false);
        }
    };
    let update = move |_| {
        let Some(view) = active.get_untracked() else {
            return;
        };
        let page = query.get_untracked();
        let patch = SavedViewPatch {
            query: Patch::Set(page.saved_view_query()),
            columns: Patch::Set(page.column_keys(kind)),
            layout: Patch::Set(layout),
            version: Some(view.version),
            ..Default::default()
        };
        spawn_local(async move {
            match api::views::update(view.id, &patch).await {
                Ok(updated) => {
                    feedback.say(format!("Updated “{}”", updated.name));
                    saved.refresh();
                }
                Err(failure) if failure.status == 409 => {
                    feedback.clear();
                    panels.conflict.set(true);
                }
                Err(failure) => feedback.fail(&failure),
            }
        });
    };
    let reload = {
        let nav = nav.clone();
        move |_| {
            let Some(view) = active.get_untracked() else {
                return;
            };
            let nav = nav.clone();
            spawn_local(async move {
                match api::views::get(view.id).await {
                    Ok(latest) => {
                        panels.conflict.set(false);
                        feedback.say(format!("Reloaded “{}”", latest.name));
                        saved.refresh();
                        open_view(&nav, &latest, kind, layout);
                    }
                    Err(failure) => feedback.fail(&failure),
                }
            });
        }
    };
    let toggle_default = move |_| {
        let Some(view) = active.get_untracked() else {
            return;
        };
        spawn_local(async move {
            let done = if view.is_default {
                api::views::clear_default(view.id)
                    .await
                    .map(|()| format!("{} opens without a view again", kind.label()))
            } else {
                api::views::set_default(view.id)
                    .await
                    .map(|view| format!("{} now opens with “{}”", kind.label(), view.name))
            };
            match done {
                Ok(message) => {
                    feedback.say(message);
                    saved.refresh();
                }
                Err(failure) => feedback.fail(&failure),
            }
        });
    };
    let delete = move |_| {
        let Some(view) = active.get_untracked() else {
            return;
        };
        let nav = nav.clone();
        spawn_local(async move {
            match api::views::delete(view.id).await {
                Ok(()) => {
                    panels.deleting.set(false);
                    feedback.say(format!("Deleted “{}”", view.name));
                    saved.refresh();
                    // The same rows without the view; a plain URL would open the (stale) default view.
                    let next = query.get_untracked().with("view", None);
                    let next = match next.is_empty() {
                        true => next.with("view", Some(NO_VIEW.into())),
                        false => next,
                    };
                    nav.go(&next, true);
                }
                Err(failure) => {
                    panels.deleting.set(false);
                    feedback.fail(&failure);
                }
            }
        });
    };
    let default_button = move || {
        active.get().map(|view| {
            let label = if view.is_default {
                "Default ✓"
            } else {
                "Set as default"
            };
            view! {
                <button type="button" class="button small subtle" aria-pressed=view.is_default.to_string()
                    on:click=toggle_default>{label}</button>
            }
        })
    };
    let noun = kind.label().to_lowercase();
    view! {
        <div class="filter view-picker">
            <label for="view-select">"View"</label>
            <select id="view-select" prop:value=selected on:change=choose>
                <option value="" selected=initial.is_none()>{format!("All {noun}")}</option>
                {options.into_iter().map(|(id, label)| {
                    let chosen = initial.as_deref() == Some(id.as_str());
                    view! { <option value=id selected=chosen>{label}</option> }
                }).collect_view()}
            </select>
        </div>
        <button type="button" class="button small" aria-controls="save-view-form"
            aria-expanded=move || panels.saving.get().to_string()
            on:click=move |_| panels.saving.update(|open| *open = !*open)>"Save view…"</button>
        <Show when=move || active.with(Option::is_some)>
            <button type="button" class="button small" aria-controls="schedule-form"
                aria-expanded=move || panels.scheduling.get().to_string()
                on:click=move |_| panels.scheduling.update(|open| *open = !*open)>"Schedule…"</button>
        </Show>
        <Show when=differs>
            <button type="button" class="button small primary" on:click=update>"Update view"</button>
        </Show>
        {default_button}
        <Show when=editable>
            <button type="button" class="button small danger" aria-haspopup="dialog"
                on:click=move |_| panels.deleting.set(true)>"Delete view"</button>
        </Show>
        <Show when=move || panels.conflict.get()>
            <div class="form-error conflict views-conflict" role="alert">
                <p>"Someone changed this view since you opened it: reload it, then apply your changes again."</p>
                <div class="button-row">
                    <button type="button" class="button small" on:click=reload.clone()>"Reload view"</button>
                    <button type="button" class="button small subtle" on:click=move |_| panels.conflict.set(false)>"Dismiss"</button>
                </div>
            </div>
        </Show>
        <Show when=move || panels.deleting.get() && editable()>
            <div class="confirm-panel card" role="alertdialog" aria-labelledby="confirm-view-delete-title">
                <h2 id="confirm-view-delete-title">"Delete this view?"</h2>
                <p>{move || active.get().map(|view| match view.shared {
                    true => format!("“{}” is deleted for everyone in your organisation. The records stay.", view.name),
                    false => format!("“{}” is deleted. The records stay.", view.name),
                })}</p>
                <div class="button-row">
                    <button type="button" class="button danger" on:click=delete.clone()>"Delete"</button>
                    <button type="button" class="button subtle" on:click=move |_| panels.deleting.set(false)>"Cancel"</button>
                </div>
            </div>
        </Show>
    }
}

/// Save view: a name, shared or not, pinned or not; the page's query (without its page) and columns. The
/// server's 400/409 details land on the Name field (a name taken, too long) or under the form.
#[component]
fn SaveViewForm(
    kind: EntityKind,
    query: Memo<ReportQuery>,
    nav: Navigator,
    saved: SavedViews,
    panels: Panels,
    feedback: Feedback,
    layout: ViewLayout,
) -> impl IntoView {
    let name = NodeRef::<leptos::html::Input>::new();
    let name_error = RwSignal::new(None::<String>);
    let form_error = RwSignal::new(None::<String>);
    let shared = RwSignal::new(false);
    let pinned = RwSignal::new(false);
    let busy = RwSignal::new(false);
    // The form opens with the cursor in its one text field.
    Effect::new(move |_| {
        if let Some(input) = name.get() {
            let _ = input.focus();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = input_value(&name);
        let mut problems = Vec::new();
        check_name(&text, &mut problems);
        name_error.set(message_for(&problems, "name"));
        if !problems.is_empty() {
            return;
        }
        let page = query.get_untracked();
        let input = SavedViewInput {
            entity: kind.plural().to_owned(),
            name: text,
            query: page.saved_view_query(),
            columns: Some(page.column_keys(kind)),
            layout,
            shared: shared.get_untracked(),
            pinned: pinned.get_untracked(),
        };
        busy.set(true);
        form_error.set(None);
        let nav = nav.clone();
        spawn_local(async move {
            let result = api::views::create(&input).await;
            busy.set(false);
            match result {
                Ok(view) => {
                    panels.saving.set(false);
                    feedback.say(format!("Saved “{}”", view.name));
                    saved.refresh();
                    nav.go(&ReportQuery::of_view(&view, kind), true);
                }
                Err(failure) => {
                    let on_name = message_for(failure.details(), "name");
                    let others: Vec<String> = failure
                        .details()
                        .iter()
                        .filter(|detail| detail.field != "name")
                        .map(|detail| detail.message.clone())
                        .collect();
                    form_error.set(match (&on_name, others.is_empty()) {
                        (Some(_), true) => None,
                        (None, true) => Some(failure.message().to_owned()),
                        (_, false) => Some(others.join(" ")),
                    });
                    name_error.set(on_name);
                }
            }
        });
    };
    let checkbox = move |label: &'static str, value: RwSignal<bool>| {
        view! {
            <label class="checkbox-field">
                <input type="checkbox" prop:checked=value on:change=move |ev| value.set(event_target_checked(&ev))/>
                {label}
            </label>
        }
    };
    view! {
        <form id="save-view-form" class="view-form card stack" on:submit=submit aria-label="Save view">
            <Field label="Name" name="view-name" required=true error=name_error node_ref=name/>
            <div>
                {checkbox("Share with my organisation", shared)}
                {checkbox("Pin to navigation", pinned)}
            </div>
            <p class="form-error" role="alert">{move || form_error.get()}</p>
            <div class="button-row">
                <button type="submit" class="button primary" disabled=move || busy.get()>"Save"</button>
                <button type="button" class="button subtle" on:click=move |_| panels.saving.set(false)>"Cancel"</button>
            </div>
        </form>
    }
}
