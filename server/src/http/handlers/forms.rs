//! Plain HTML form posts for signing in, signing up and signing out, so these work before (or without) the
//! WASM. They call the same services as the JSON API and answer with a redirect (post/redirect/get): to
//! where the user was going on success, back to the form with the problem described in the query on failure.

use axum::{
    extract::{rejection::FormRejection, State},
    http::{header, HeaderMap},
    response::{IntoResponse, Redirect, Response},
    Form,
};
use serde::Deserialize;
use shared::auth::{LoginInput, SignupInput};

use crate::{
    domain::{sessions, DomainError},
    http::{
        auth::AuthContext,
        cookie::{clear_session_cookie, set_session_cookie},
        error::ApiError,
        rate_limit::ClientAddr,
        security::safe_next,
        state::AppState,
    },
};

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    tenant_name: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return back_to("/login", "Please fill in the form and try again", &[], &[]);
    };
    let next = safe_next(form.next.as_deref()).to_owned();
    let input = LoginInput {
        email: form.email.clone(),
        password: form.password,
    };
    match sessions::login(&state.services, input, client).await {
        Ok(session) => signed_in(&state, &headers, &session.token, &next),
        Err(err) => back_to(
            "/login",
            &err.to_string(),
            &field_errors(&err),
            &[("email", &form.email), ("next", &next)],
        ),
    }
}

pub async fn signup(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    form: Result<Form<SignupForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return back_to("/signup", "Please fill in the form and try again", &[], &[]);
    };
    let input = SignupInput {
        tenant_name: form.tenant_name.clone(),
        name: form.name.clone(),
        email: form.email.clone(),
        password: form.password,
    };
    match sessions::signup(&state.services, input, client).await {
        Ok(session) => signed_in(&state, &headers, &session.token, "/"),
        Err(err) => back_to(
            "/signup",
            &err.to_string(),
            &field_errors(&err),
            &[
                ("tenant_name", &form.tenant_name),
                ("name", &form.name),
                ("email", &form.email),
            ],
        ),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    ctx: Option<AuthContext>,
) -> Response {
    if let Some(ctx) = ctx {
        if let Err(err) = sessions::logout(&state.services, &ctx.actor, &ctx.session_id).await {
            return ApiError::from(err).into_response();
        }
    }
    (
        [(header::SET_COOKIE, clear_session_cookie(&headers))],
        Redirect::to("/login"),
    )
        .into_response()
}

fn signed_in(state: &AppState, headers: &HeaderMap, token: &str, next: &str) -> Response {
    let cookie = set_session_cookie(headers, token, state.services.config.session_ttl.as_secs());
    ([(header::SET_COOKIE, cookie)], Redirect::to(next)).into_response()
}

fn field_errors(err: &DomainError) -> Vec<(String, String)> {
    err.details()
        .iter()
        .map(|d| (format!("{}_error", d.field), d.message.clone()))
        .collect()
}

/// Back to the form: `error` for the message above the form, `<field>_error` beside each field, and the
/// values typed so far (never the password).
fn back_to(
    page: &str,
    message: &str,
    field_errors: &[(String, String)],
    values: &[(&str, &str)],
) -> Response {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("error", message);
    for (name, text) in field_errors {
        query.append_pair(name, text);
    }
    for (name, value) in values {
        if !value.is_empty() && *value != "/" {
            query.append_pair(name, value);
        }
    }
    Redirect::to(&format!("{page}?{}", query.finish())).into_response()
}
