//! Import on each list: choose a CSV file → the whole file is checked (a dry run) → its columns, matched to
//! fields and adjustable → every error by row (the first ones shown, all of them downloadable) → Import,
//! which writes every row or none → a link to the new rows, and Undo.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use shared::{
    imports::{ImportError, ImportReport, ImportSummary},
    EntityKind, FieldError,
};

use crate::api::{self, imports::ImportAnswer};

/// The errors listed on the page; the download has all of them.
const SHOWN_ERRORS: usize = 50;

/// The file chosen in the browser (nothing while rendering on the server).
#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
type Upload = web_sys::File;
#[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
type Upload = ();

/// Where the page stands.
#[derive(Clone, Debug, Default)]
enum Stage {
    #[default]
    Choose,
    Checking,
    /// A dry run's report.
    Checked(ImportReport),
    /// The file or its columns cannot be used (with the server's details).
    Refused(String, Vec<FieldError>),
    Importing,
    Imported(ImportSummary),
    Undone(String),
}

/// The errors as a CSV file (row, column, message), for a `data:` link.
fn errors_csv(errors: &[ImportError]) -> String {
    let mut csv = String::from("Row,Column,Field,Code,Message\r\n");
    for error in errors {
        let cells = [
            error.row.to_string(),
            error.column.clone().unwrap_or_default(),
            error.field.clone().unwrap_or_default(),
            error.code.clone(),
            error.message.clone(),
        ];
        let quoted: Vec<String> = cells
            .iter()
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect();
        csv.push_str(&quoted.join(","));
        csv.push_str("\r\n");
    }
    format!(
        "data:text/csv;charset=utf-8,{}",
        crate::records::query::percent_encode(&csv)
    )
}

#[component]
pub fn ImportPage(kind: EntityKind) -> impl IntoView {
    let stage = RwSignal::new(Stage::default());
    let mapping = RwSignal::new(BTreeMap::<String, Option<String>>::new());
    let file = RwSignal::new_local(None::<Upload>);
    let descriptor = kind.descriptor();
    let noun = kind.label().to_lowercase();

    let run = move |dry_run: bool| {
        let Some(chosen) = file.get_untracked() else {
            return;
        };
        stage.set(if dry_run {
            Stage::Checking
        } else {
            Stage::Importing
        });
        let map = mapping.get_untracked();
        leptos::task::spawn_local(async move {
            let answer = api::imports::upload(kind, chosen, dry_run, &map).await;
            stage.set(match answer {
                ImportAnswer::Report(report) => match report.import.clone() {
                    Some(import) => Stage::Imported(import),
                    None => Stage::Checked(report),
                },
                ImportAnswer::RowsFailed { report, .. } => Stage::Checked(report),
                ImportAnswer::Refused(failure) => {
                    Stage::Refused(failure.message().to_owned(), failure.details().to_vec())
                }
            });
        });
    };
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    let choose = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let chosen = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        mapping.set(BTreeMap::new());
        file.set(chosen);
        run(true);
    };
    #[cfg(not(all(feature = "hydrate", not(feature = "ssr"))))]
    let choose = move |_: leptos::ev::Event| {};

    // A column's field chosen by hand: the file is checked again with it.
    let remap = move |header: String, field: String| {
        mapping.update(|m| {
            m.insert(header, (!field.is_empty()).then_some(field));
        });
        run(true);
    };
    let field_choice = move |header: String, current: Option<String>| {
        let options = descriptor
            .writable_fields()
            .map(|def| {
                let selected = current.as_deref() == Some(def.name);
                view! { <option value=def.name selected=selected>{def.label}</option> }
            })
            .collect_view();
        let label = format!("Field for the column {header}");
        view! {
            <select aria-label=label on:change=move |ev| remap(header.clone(), event_target_value(&ev))>
                <option value="" selected=current.is_none()>"— leave out —"</option>
                {options}
            </select>
        }
    };

    let undo = move |id: i64, force: bool| {
        leptos::task::spawn_local(async move {
            match api::imports::undo(id, force).await {
                Ok(undone) => stage.set(Stage::Undone(format!(
                    "Import undone: {} {} moved to Trash.",
                    undone.trashed,
                    if undone.trashed == 1 {
                        "record"
                    } else {
                        "records"
                    }
                ))),
                Err(failure) if failure.status == 409 && !force => {
                    let details: Vec<String> = failure
                        .details()
                        .iter()
                        .map(|d| d.message.clone())
                        .collect();
                    stage.set(Stage::Refused(
                        format!("{} {}", failure.message(), details.join(" ")),
                        vec![FieldError {
                            field: format!("force:{id}"),
                            code: "edited_since".into(),
                            message: String::new(),
                        }],
                    ));
                }
                Err(failure) => stage.set(Stage::Refused(failure.message().to_owned(), Vec::new())),
            }
        });
    };

    let list = format!("/{}", kind.plural());
    let newest = format!("/{}?sort_by=created_at&sort_order=desc", kind.plural());
    view! {
        <Title text=format!("Import {noun}")/>
        <section class="page-header">
            <p class="eyebrow"><A href=list.clone()>{kind.label()}</A></p>
            <h1>{format!("Import {noun}")}</h1>
            <p class="muted">
                "A CSV file (UTF-8, comma or semicolon) with a header row. Columns are matched to fields by name; "
                "the whole file is checked before anything is written, and either every row is imported or none."
            </p>
        </section>
        <div class="card stack import-card">
            <label class="file-choice">"CSV file "
                <input type="file" accept=".csv,text/csv" data-testid="import-file" on:change=choose/>
            </label>
            {move || match stage.get() {
                Stage::Choose => ().into_any(),
                Stage::Checking => view! { <p class="muted" role="status">"Checking the whole file…"</p> }.into_any(),
                Stage::Importing => view! { <p class="muted" role="status">"Importing…"</p> }.into_any(),
                Stage::Refused(message, details) => {
                    let force = details.iter().find_map(|d| d.field.strip_prefix("force:").and_then(|id| id.parse::<i64>().ok()));
                    let unmapped: Vec<String> = details.iter()
                        .filter(|d| d.code == "unknown_column")
                        .map(|d| d.field.clone())
                        .collect();
                    view! {
                        <div class="import-refused" role="alert">
                            <p class="form-error">{message}</p>
                            <ul class="error-list">
                                {details.iter().filter(|d| !d.message.is_empty()).map(|d| view! { <li>{d.message.clone()}</li> }).collect_view()}
                            </ul>
                            {(!unmapped.is_empty()).then(|| view! {
                                <table class="data-table mapping-table">
                                    <thead><tr><th scope="col">"Column"</th><th scope="col">"Field"</th></tr></thead>
                                    <tbody>{unmapped.into_iter().map(|header| view! {
                                        <tr><td>{header.clone()}</td><td>{field_choice(header.clone(), None)}</td></tr>
                                    }).collect_view()}</tbody>
                                </table>
                            })}
                            {force.map(|id| view! {
                                <button type="button" class="button danger" on:click=move |_| undo(id, true)>"Undo anyway"</button>
                            })}
                        </div>
                    }.into_any()
                }
                Stage::Checked(report) => {
                    let ok = report.error_count == 0 && report.rows > 0;
                    let summary = format!(
                        "{} rows · {} ready · {} {}",
                        report.rows,
                        report.valid,
                        report.error_count,
                        if report.error_count == 1 { "error" } else { "errors" }
                    );
                    let download = (!report.errors.is_empty()).then(|| errors_csv(&report.errors));
                    let more = report.error_count.saturating_sub(SHOWN_ERRORS as u64);
                    view! {
                        <p class="import-summary" role="status" data-testid="import-summary">{summary}</p>
                        <table class="data-table mapping-table">
                            <thead><tr><th scope="col">"Column"</th><th scope="col">"Field"</th></tr></thead>
                            <tbody>
                                {report.columns.iter().map(|column| view! {
                                    <tr><td>{column.header.clone()}</td><td>{field_choice(column.header.clone(), column.field.clone())}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                        {(!report.errors.is_empty()).then(|| view! {
                            <table class="data-table import-errors" data-testid="import-errors">
                                <thead><tr><th scope="col">"Row"</th><th scope="col">"Column"</th><th scope="col">"Problem"</th></tr></thead>
                                <tbody>
                                    {report.errors.iter().take(SHOWN_ERRORS).map(|error| view! {
                                        <tr>
                                            <td>{error.row}</td>
                                            <td>{error.column.clone().unwrap_or_default()}</td>
                                            <td>{error.message.clone()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            {(more > 0).then(|| view! { <p class="muted">{format!("and {more} more")}</p> })}
                        })}
                        {download.map(|href| view! {
                            <a class="button small subtle" href=href download="import-errors.csv">"Download all errors (CSV)"</a>
                        })}
                        <div class="button-row">
                            <button type="button" class="button primary" disabled=!ok on:click=move |_| run(false)>
                                {format!("Import {} {noun}", report.valid)}
                            </button>
                        </div>
                    }.into_any()
                }
                Stage::Imported(import) => {
                    let id = import.id;
                    view! {
                        <div class="import-done" role="status">
                            <p>{format!("Imported {} {noun}.", import.rows)}</p>
                            <div class="button-row">
                                <A href=newest.clone() attr:class="button primary">{format!("See the new {noun}")}</A>
                                <button type="button" class="button subtle" on:click=move |_| undo(id, false)>"Undo import"</button>
                            </div>
                        </div>
                    }.into_any()
                }
                Stage::Undone(message) => view! {
                    <p class="import-done" role="status">{message}</p>
                }.into_any(),
            }}
        </div>
    }
}
