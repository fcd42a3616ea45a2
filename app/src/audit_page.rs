//! The audit log (administrators): every entry of the organisation — records, configuration, users — newest
//! first, filtered by user, entity, action and dates, with the whole filtered log as CSV.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};
use shared::{
    history::{HistoryEntry, HISTORY_ACTIONS},
    EntityKind, ENTITY_KINDS,
};

use crate::{
    api,
    records::{history_panel::entry_time, query::percent_encode},
};

pub const AUDIT_PATH: &str = "/admin/audit";

/// The filters the page passes on to the API, in the order of its form.
const FILTERS: [&str; 5] = ["user_id", "entity", "action", "from", "to"];

fn entity_label(entity: &str) -> String {
    match entity {
        "users" => "Users".to_owned(),
        "config" => "Configuration".to_owned(),
        other => EntityKind::from_plural(other)
            .map_or_else(|| other.to_owned(), |k| k.label().to_owned()),
    }
}

/// What an entry changed, in one line: `Status: New → Contacted; Email: — → a@b.test`.
fn summary(entry: &HistoryEntry) -> String {
    entry
        .changes
        .iter()
        .take(4)
        .map(|change| {
            let side = |value: &serde_json::Value, label: &Option<String>| {
                label.clone().unwrap_or_else(|| match value {
                    serde_json::Value::Null => "—".to_owned(),
                    serde_json::Value::String(s) => s.chars().take(60).collect(),
                    other => other.to_string().chars().take(60).collect(),
                })
            };
            format!(
                "{}: {} → {}",
                change.field.replace('_', " "),
                side(&change.old, &change.old_label),
                side(&change.new, &change.new_label)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    // The filters as the API takes them, from the page's URL.
    let filters = Memo::new(move |_| {
        let map = query.get();
        FILTERS
            .iter()
            .filter_map(|name| {
                map.get(name)
                    .filter(|v| !v.is_empty())
                    .map(|v| format!("{name}={}", percent_encode(&v)))
            })
            .collect::<Vec<_>>()
            .join("&")
    });
    let before = Memo::new(move |_| query.get().get("before").unwrap_or_default());
    let page = Resource::new(
        move || (filters.get(), before.get()),
        |(filters, before)| async move {
            let mut query = filters;
            if !before.is_empty() {
                if !query.is_empty() {
                    query.push('&');
                }
                query.push_str(&format!("before={}", percent_encode(&before)));
            }
            api::history::audit(&query).await
        },
    );
    let users = Resource::new(|| (), |_| api::users::options());
    let selected = move |name: &'static str, value: String| {
        move || query.with(|q| q.get(name).as_deref() == Some(value.as_str()))
    };
    view! {
        <Title text="Audit log"/>
        <section class="page-header with-actions">
            <div>
                <h1>"Audit log"</h1>
                <p class="muted">"Every change to records, the configuration and users, with who made it and when."</p>
            </div>
            <a class="button" download="" href=move || api::history::audit_export_url(&filters.get()) data-testid="audit-export">"Export CSV"</a>
        </section>
        // A plain GET form: it works before the app hydrates, and empty fields are ignored.
        <form class="filter-bar card audit-filters" method="get" action=AUDIT_PATH>
            <label>"User"
                <select name="user_id">
                    <option value="">"Anyone"</option>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            users.await.unwrap_or_default().into_iter().map(|user| {
                                let id = user.id.to_string();
                                view! { <option value=id.clone() selected=selected("user_id", id.clone())>{user.name}</option> }
                            }).collect_view()
                        })}
                    </Suspense>
                </select>
            </label>
            <label>"Entity"
                <select name="entity">
                    <option value="">"All"</option>
                    {ENTITY_KINDS.iter().map(|k| k.plural()).chain(["users", "config"]).map(|entity| view! {
                        <option value=entity selected=selected("entity", entity.to_owned())>{entity_label(entity)}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Action"
                <select name="action">
                    <option value="">"All"</option>
                    {HISTORY_ACTIONS.iter().map(|action| view! {
                        <option value=action.key() selected=selected("action", action.key().to_owned())>{action.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"From" <input type="date" name="from" value=move || query.with(|q| q.get("from").unwrap_or_default())/></label>
            <label>"To" <input type="date" name="to" value=move || query.with(|q| q.get("to").unwrap_or_default())/></label>
            <button type="submit" class="button primary">"Apply"</button>
        </form>
        <div class="card table-card">
            <Transition fallback=|| view! { <p class="table-state muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(page) if page.data.is_empty() => view! {
                            <div class="table-state empty-state"><h2>"No entries match"</h2></div>
                        }.into_any(),
                        Ok(page) => {
                            let older = page.next_before.map(|b| {
                                let filters = filters.get_untracked();
                                let sep = if filters.is_empty() { "" } else { "&" };
                                format!("{AUDIT_PATH}?{filters}{sep}before={b}")
                            });
                            view! {
                                <table class="data-table audit-table">
                                    <thead><tr>
                                        <th scope="col">"When"</th>
                                        <th scope="col">"Who"</th>
                                        <th scope="col">"Action"</th>
                                        <th scope="col">"What"</th>
                                        <th scope="col">"Changes"</th>
                                    </tr></thead>
                                    <tbody>
                                        {page.data.into_iter().map(|entry| {
                                            let what = match EntityKind::from_plural(&entry.entity) {
                                                Some(kind) if !matches!(entry.action, shared::history::HistoryAction::Delete | shared::history::HistoryAction::CascadeDelete) => view! {
                                                    <A href=format!("/{}/{}", kind.plural(), entry.record_id)>{format!("{} #{}", kind.descriptor().singular, entry.record_id)}</A>
                                                }.into_any(),
                                                _ => format!("{} #{}", entity_label(&entry.entity), entry.record_id).into_any(),
                                            };
                                            view! {
                                                <tr data-entry=entry.id>
                                                    <td><time datetime=entry.at.clone()>{entry_time(&entry.at)}</time></td>
                                                    <td>{entry.user_name.clone().unwrap_or_else(|| "Keel".into())}</td>
                                                    <td>{entry.action.label()}</td>
                                                    <td>{what}</td>
                                                    <td class="audit-changes">{summary(&entry)}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                {older.map(|href| view! {
                                    <nav class="pager" aria-label="Pages"><A href=href attr:class="button small">"Older entries"</A></nav>
                                })}
                            }.into_any()
                        }
                        Err(failure) => view! { <p class="table-state form-error" role="alert">{failure.message().to_owned()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}
