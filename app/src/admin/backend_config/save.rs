//! Saving: the preview's summary first ("adds 1 status, moves 37 leads"), then the save once confirmed.
//! Someone else's save in between is explained and nothing typed is lost; statuses in use ask where their
//! records move.

use leptos::prelude::*;
use shared::FieldError;

use super::Editor;
use crate::api::{self, ApiFailure};

/// Loads the page again from the server (the navigation lists the modules that are on).
fn reload_page() {
    #[cfg(feature = "hydrate")]
    let _ = window().location().reload();
}

/// Asks the server what the draft would do (records per removed status), writing nothing.
pub(super) fn refresh_preview(editor: Editor) {
    let body = editor.body();
    leptos::task::spawn_local(async move {
        if let Ok(preview) = api::backend_config::preview(&body).await {
            editor.preview.set(Some(preview));
        }
    });
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Stage {
    Editing,
    Busy,
    /// The preview's summary, waiting for Confirm.
    Confirm(String),
}

fn is_stale(failure: &ApiFailure) -> bool {
    failure.status == 409 && failure.details().iter().any(|d| d.code == "stale")
}

#[component]
pub(super) fn SaveBar(editor: Editor) -> impl IntoView {
    let stage = RwSignal::new(Stage::Editing);
    let notice = RwSignal::new(None::<(bool, String)>);
    let stale = RwSignal::new(false);

    // Any edit after a preview makes its summary out of date.
    Effect::new(move |_| {
        editor.draft.track();
        editor.moves.track();
        if matches!(stage.get_untracked(), Stage::Confirm(_)) {
            stage.set(Stage::Editing);
        }
    });

    let explain_stale = move || {
        stale.set(true);
        notice.set(Some((
            false,
            "Someone else saved the configuration after you opened it. Everything you changed is still here: \
             reload their version (your changes are dropped) or keep yours and review it against theirs."
                .to_owned(),
        )));
    };
    let refused = move |failure: ApiFailure| {
        stage.set(Stage::Editing);
        if is_stale(&failure) {
            explain_stale();
            return;
        }
        let details: Vec<FieldError> = failure.details().to_vec();
        let in_use = details.iter().any(|d| d.code == "status_in_use");
        editor.server_errors.set(details);
        if in_use {
            refresh_preview(editor);
            notice.set(Some((
                false,
                "Records use a status you removed: choose where they move, above.".to_owned(),
            )));
        } else {
            notice.set(Some((false, failure.message().to_owned())));
        }
    };

    let review = move |_| {
        notice.set(None);
        let problems = editor.errors.get_untracked().len();
        if problems > 0 {
            notice.set(Some((
                false,
                format!(
                    "Correct {} marked above before saving.",
                    if problems == 1 {
                        "the problem".to_owned()
                    } else {
                        format!("the {problems} problems")
                    }
                ),
            )));
            return;
        }
        stage.set(Stage::Busy);
        let body = editor.body();
        leptos::task::spawn_local(async move {
            match api::backend_config::preview(&body).await {
                Ok(preview) => {
                    let summary = preview.plan.summary.clone();
                    let problems = preview.plan.problems.clone();
                    let valid = preview.valid;
                    editor.preview.set(Some(preview));
                    if valid {
                        stage.set(Stage::Confirm(summary));
                    } else if problems.iter().any(|p| p.code == "stale") {
                        stage.set(Stage::Editing);
                        explain_stale();
                    } else {
                        stage.set(Stage::Editing);
                        editor.server_errors.set(problems);
                        notice.set(Some((
                            false,
                            "The configuration cannot be saved yet: see the problems marked above."
                                .to_owned(),
                        )));
                    }
                }
                Err(failure) => refused(failure),
            }
        });
    };

    let confirm = move |_| {
        stage.set(Stage::Busy);
        let body = editor.body();
        leptos::task::spawn_local(async move {
            match api::backend_config::save(&body).await {
                Ok(saved) => {
                    let plan = editor.preview.get_untracked().map(|p| p.plan);
                    let summary = plan.as_ref().map(|p| p.summary.clone()).unwrap_or_default();
                    // Modules switched on or off change the navigation: load the page again.
                    if plan.is_some_and(|p| !p.features.is_empty()) {
                        reload_page();
                        return;
                    }
                    editor.reset(saved.to_document());
                    stale.set(false);
                    stage.set(Stage::Editing);
                    notice.set(Some((true, format!("Saved: {summary}."))));
                }
                Err(failure) => refused(failure),
            }
        });
    };

    let reload = move |keep_mine: bool| {
        stage.set(Stage::Busy);
        leptos::task::spawn_local(async move {
            match api::backend_config::get().await {
                Ok(theirs) => {
                    let theirs = theirs.to_document();
                    if keep_mine {
                        let version = theirs.get("version").cloned().unwrap_or_default();
                        editor.loaded.set(theirs);
                        editor.edit(|doc| doc["version"] = version);
                        refresh_preview(editor);
                        notice.set(Some((
                            true,
                            "Your changes now apply to the latest version: review and save again."
                                .to_owned(),
                        )));
                    } else {
                        editor.reset(theirs);
                        notice.set(Some((true, "Loaded the latest configuration.".to_owned())));
                    }
                    stale.set(false);
                }
                Err(failure) => notice.set(Some((false, failure.message().to_owned()))),
            }
            stage.set(Stage::Editing);
        });
    };

    let all_problems = move || {
        editor.errors.with(|errors| {
            (!errors.is_empty()).then(|| {
                view! {
                    <details class="problem-list">
                        <summary>{format!("{} problem{} to correct", errors.len(), if errors.len() == 1 { "" } else { "s" })}</summary>
                        <ul>
                            {errors.iter().map(|e| view! { <li><code>{e.field.clone()}</code>" "{e.message.clone()}</li> }).collect_view()}
                        </ul>
                    </details>
                }
            })
        })
    };

    view! {
        <section class="card stack save-bar" data-testid="save-bar">
            {all_problems}
            <p class="notice" role="status" class:notice-error=move || matches!(notice.get(), Some((false, _)))>
                {move || notice.get().map(|(_, text)| text)}
            </p>
            <Show when=move || stale.get()>
                <div class="button-row">
                    <button type="button" class="button" on:click=move |_| reload(false)>"Reload their version"</button>
                    <button type="button" class="button subtle" on:click=move |_| reload(true)>"Keep mine and review again"</button>
                </div>
            </Show>
            {move || match stage.get() {
                Stage::Confirm(summary) => view! {
                    <div class="confirm-save" data-testid="confirm-save">
                        <p>"This save "<strong class="save-summary">{summary}</strong>"."</p>
                        <div class="button-row">
                            <button type="button" class="button primary" on:click=confirm>"Confirm and save"</button>
                            <button type="button" class="button subtle" on:click=move |_| stage.set(Stage::Editing)>"Keep editing"</button>
                        </div>
                    </div>
                }.into_any(),
                other => view! {
                    <div class="button-row">
                        <button type="button" class="button primary" disabled=other == Stage::Busy on:click=review>"Review and save"</button>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}
