//! After a 409 on `version` (someone saved the record since the form was read): keep what was typed and
//! either save it over the newer version — re-diffed against it, so other people's changes to fields we did
//! not touch survive — or discard it and load the newer version.

use leptos::prelude::*;
use shared::{form::field_text, EntityKind, RulesContext};

use super::draft::{check, FieldState};
use crate::{
    api,
    records::{record_id, record_version, Record},
};

/// The two choices, shown while `conflict` is set. `submit` saves the form at the version it is given.
#[component]
pub(super) fn ConflictChoices(
    kind: EntityKind,
    /// The record the form was read from; replaced by the newer one either way.
    original: RwSignal<Option<Record>>,
    fields: StoredValue<Vec<FieldState>>,
    ctx: StoredValue<RulesContext>,
    submit: Callback<Option<i64>>,
    conflict: RwSignal<bool>,
    form_error: RwSignal<Option<String>>,
) -> impl IntoView {
    // The record as it is now on the server, with the one the form was read from.
    let latest = move || {
        let base = original.get_untracked()?;
        let id = record_id(&base);
        Some((base, api::records::get(kind, id)))
    };
    let overwrite = move |_| {
        let Some((base, latest)) = latest() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match latest.await {
                Ok(latest) => {
                    let version = record_version(&latest);
                    // Diff against the latest, so fields someone else changed and we did not stay theirs.
                    let ours = fields.with_value(|f| check(kind, f, &ctx.get_value(), None).0);
                    fields.with_value(|all| {
                        for field in all {
                            let typed = ours.get(field.def.name);
                            let was = base.get(field.def.name);
                            if field_text(typed) == field_text(was) {
                                field.text.set(field_text(latest.get(field.def.name)));
                            }
                        }
                    });
                    original.set(Some(latest));
                    submit.run(Some(version));
                }
                Err(failure) => form_error.set(Some(failure.message().to_owned())),
            }
        });
    };
    let discard = move |_| {
        let Some((_, latest)) = latest() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match latest.await {
                Ok(latest) => {
                    fields.with_value(|all| {
                        for field in all {
                            field.text.set(field_text(latest.get(field.def.name)));
                            field.error.set(None);
                            field.touched.set(false);
                        }
                    });
                    original.set(Some(latest));
                    conflict.set(false);
                    form_error.set(None);
                }
                Err(failure) => form_error.set(Some(failure.message().to_owned())),
            }
        });
    };

    view! {
        <Show when=move || conflict.get()>
            <p class="muted">"What you typed is still in the form."</p>
            <div class="button-row">
                <button type="button" class="button" on:click=overwrite>"Save my version over theirs"</button>
                <button type="button" class="button subtle" on:click=discard>"Discard mine and load theirs"</button>
            </div>
        </Show>
    }
}
