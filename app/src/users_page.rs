//! Users administration (admins only): the tenant's users, adding one with a role and an initial password,
//! changing roles, deactivating and reactivating. The server enforces every rule (e.g. the last admin); this
//! page shows its answers.

use leptos::{ev::SubmitEvent, prelude::*};
use leptos_meta::Title;
use shared::{
    entities::user::{validate_user, User, UserInput, UserPatch},
    Patch, Role, ROLES,
};

use crate::{
    api::{self, ApiFailure},
    forms::{input_value, message_for, Field},
    session::{is_admin, use_current_user},
};

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Admin => "Admin",
        Role::Manager => "Manager",
        Role::Member => "Member",
        Role::Viewer => "Viewer",
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let me = use_current_user();
    view! {
        <Title text="Users"/>
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let me = me.0.await;
                if is_admin(&me) {
                    view! { <UsersAdmin/> }.into_any()
                } else {
                    // The server answers this page with 403 for non-admins (`security::ADMIN_PAGES`).
                    view! {
                        <section class="page-header">
                            <h1>"Users"</h1>
                            <p class="muted">"Only administrators can manage users."</p>
                        </section>
                    }
                        .into_any()
                }
            })}
        </Suspense>
    }
}

#[component]
fn UsersAdmin() -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let users = Resource::new(move || reload.get(), |_| api::users::list());
    let notice = RwSignal::new(None::<(bool, String)>);
    let refresh = move || reload.update(|n| *n += 1);

    view! {
        <section class="page-header with-actions">
            <div>
                <h1>"Users"</h1>
                <p class="muted">"Who can sign in to your organisation, and what they may do."</p>
            </div>
            // A plain link: the browser downloads the archive the server streams (users without password
            // hashes, configuration, every record including the trash).
            <a class="button" href=api::users::ORGANISATION_EXPORT_URL download="" data-testid="export-organisation">
                "Download all data (.tar.gz)"
            </a>
        </section>
        <p class="notice" role="status" class:notice-error=move || matches!(notice.get(), Some((false, _)))>
            {move || notice.get().map(|(_, text)| text)}
        </p>
        <div class="card table-card">
            <Transition fallback=|| view! { <p class="muted">"Loading users…"</p> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(list) => view! { <UsersTable users=list.data notice refresh=Callback::new(move |_| refresh())/> }.into_any(),
                        Err(failure) => view! { <p class="form-error" role="alert">{failure.message().to_owned()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </div>
        <NewUserForm notice on_created=Callback::new(move |_| refresh())/>
    }
}

#[component]
fn UsersTable(
    users: Vec<User>,
    notice: RwSignal<Option<(bool, String)>>,
    refresh: Callback<()>,
) -> impl IntoView {
    let report = move |result: Result<(), ApiFailure>, success: String| {
        match result {
            Ok(()) => notice.set(Some((true, success))),
            Err(failure) => notice.set(Some((false, failure.message().to_owned()))),
        }
        refresh.run(());
    };
    view! {
        <table class="data-table">
            <thead>
                <tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th><th scope="col">"Status"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr>
            </thead>
            <tbody>
                {users
                    .into_iter()
                    .map(|user| {
                        let id = user.id;
                        let name = user.name.clone();
                        let change_role = move |ev: leptos::ev::Event| {
                            let Some(role) = Role::parse(&event_target_value(&ev)) else { return };
                            let patch = UserPatch { role: Patch::Set(role), ..Default::default() };
                            let name = name.clone();
                            leptos::task::spawn_local(async move {
                                let result = api::users::update(id, &patch).await.map(|_| ());
                                report(result, format!("{name} is now {}", role_label(role).to_lowercase()));
                            });
                        };
                        let name = user.name.clone();
                        let active = user.is_active;
                        let toggle = move |_| {
                            let name = name.clone();
                            leptos::task::spawn_local(async move {
                                let result = if active {
                                    api::users::deactivate(id).await
                                } else {
                                    let patch = UserPatch { is_active: Patch::Set(true), ..Default::default() };
                                    api::users::update(id, &patch).await.map(|_| ())
                                };
                                let what = if active { "deactivated" } else { "reactivated" };
                                report(result, format!("{name} was {what}"));
                            });
                        };
                        view! {
                            <tr class:inactive=!user.is_active data-email=user.email.clone()>
                                <td>{user.name.clone()}</td>
                                <td>{user.email.clone()}</td>
                                <td>
                                    <select aria-label=format!("Role of {}", user.name) on:change=change_role>
                                        {ROLES.into_iter().map(|role| view! {
                                            <option value=role.as_str() selected=role == user.role>{role_label(role)}</option>
                                        }).collect_view()}
                                    </select>
                                </td>
                                <td>{if user.is_active { "Active" } else { "Deactivated" }}</td>
                                <td class="actions">
                                    <button type="button" class="button small" on:click=toggle>
                                        {if user.is_active { "Deactivate" } else { "Reactivate" }}
                                    </button>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn NewUserForm(
    notice: RwSignal<Option<(bool, String)>>,
    on_created: Callback<()>,
) -> impl IntoView {
    let name_ref = NodeRef::new();
    let email_ref = NodeRef::new();
    let password_ref = NodeRef::new();
    let role = RwSignal::new(Role::Member);
    let name_error = RwSignal::new(None);
    let email_error = RwSignal::new(None);
    let password_error = RwSignal::new(None);
    let busy = RwSignal::new(false);

    let input = move || UserInput {
        email: input_value(&email_ref),
        name: input_value(&name_ref),
        role: Some(role.get_untracked()),
        password: input_value(&password_ref),
    };
    let show = move |errors: &[shared::FieldError]| {
        name_error.set(message_for(errors, "name"));
        email_error.set(message_for(errors, "email"));
        password_error.set(message_for(errors, "password"));
    };
    let errors = move || validate_user(&input()).err().unwrap_or_default();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let errors = errors();
        show(&errors);
        if !errors.is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        let body = input();
        leptos::task::spawn_local(async move {
            match api::users::create(&body).await {
                Ok(user) => {
                    notice.set(Some((
                        true,
                        format!(
                            "{} was added as {}",
                            user.name,
                            role_label(user.role).to_lowercase()
                        ),
                    )));
                    for node in [name_ref, email_ref, password_ref] {
                        if let Some(input) = node.get_untracked() {
                            input.set_value("");
                        }
                    }
                    on_created.run(());
                }
                Err(failure) => {
                    show(failure.details());
                    notice.set(Some((false, failure.message().to_owned())));
                }
            }
            busy.set(false);
        });
    };

    view! {
        <form class="card stack new-user" novalidate on:submit=on_submit aria-labelledby="new-user-heading">
            <h2 id="new-user-heading">"Add a user"</h2>
            <div class="form-grid">
                <Field label="Name" name="name" required=true error=name_error node_ref=name_ref
                    on_blur=move |_| name_error.set(message_for(&errors(), "name"))/>
                <Field label="Email" name="email" kind="email" required=true error=email_error node_ref=email_ref
                    on_blur=move |_| email_error.set(message_for(&errors(), "email"))/>
                <div class="field">
                    <label for="field-role">"Role"</label>
                    <select id="field-role" name="role" on:change=move |ev| {
                        if let Some(r) = Role::parse(&event_target_value(&ev)) { role.set(r) }
                    }>
                        {ROLES.into_iter().map(|r| view! {
                            <option value=r.as_str() selected=r == Role::Member>{role_label(r)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <Field label="Initial password" name="password" kind="password" autocomplete="new-password"
                    required=true error=password_error node_ref=password_ref
                    on_blur=move |_| password_error.set(message_for(&errors(), "password"))/>
            </div>
            <button type="submit" class="button primary" disabled=move || busy.get()>"Add user"</button>
        </form>
    }
}
