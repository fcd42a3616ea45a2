//! The dropdown of a reference field (a project's client, a task's lead): records of the other entity by name.

use leptos::prelude::*;
use shared::{title_field, EntityKind, SortOrder, MAX_PAGE_SIZE};

use super::draft::FieldState;
use crate::{
    api,
    records::{query::ReportQuery, record_id, record_title},
};

/// A record of another entity, chosen by name (the first [`MAX_PAGE_SIZE`] by name, plus the current one).
#[component]
pub(super) fn ReferenceSelect(
    id: String,
    table: &'static str,
    field: FieldState,
    error_id: String,
    on_leave: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let target = EntityKind::from_plural(table);
    let options = Resource::new(
        move || (),
        move |_| async move {
            let Some(target) = target else {
                return Vec::new();
            };
            let by_name = ReportQuery::from_pairs([
                ("page_size", MAX_PAGE_SIZE.to_string()),
                ("sort_by", title_field(target.descriptor()).to_owned()),
                ("sort_order", SortOrder::Asc.as_str().to_owned()),
            ]);
            api::records::list(target, &by_name)
                .await
                .map(|page| page.data)
                .unwrap_or_default()
        },
    );
    let text = field.text;
    let def = field.def;
    let invalid = move || {
        if field.error.get().is_some() {
            "true"
        } else {
            "false"
        }
    };
    let placeholder = if def.required {
        format!(
            "Choose a {}",
            target.map(|k| k.descriptor().singular).unwrap_or("record")
        )
    } else {
        "—".to_owned()
    };
    view! {
        <select id=id name=def.name aria-invalid=invalid aria-describedby=error_id prop:value=move || text.get()
            on:change=move |ev| { text.set(event_target_value(&ev)); on_leave() }>
            <option value="" selected=move || text.get().is_empty()>{placeholder}</option>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let records = options.await;
                    let current = text.get_untracked();
                    let listed = records.iter().any(|r| record_id(r).to_string() == current);
                    let extra = (!current.is_empty() && !listed).then(|| {
                        let key = current.clone();
                        view! { <option value=current.clone() selected=move || text.get() == key>{format!("#{current}")}</option> }
                    });
                    view! {
                        {extra}
                        {records.into_iter().map(|record| {
                            let value = record_id(&record).to_string();
                            let key = value.clone();
                            let label = target.map(|k| record_title(k, &record)).unwrap_or_else(|| value.clone());
                            view! { <option value=value selected=move || text.get() == key>{label}</option> }
                        }).collect_view()}
                    }
                })}
            </Transition>
        </select>
    }
}
