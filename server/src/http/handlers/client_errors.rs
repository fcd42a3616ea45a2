//! `POST /api/client-errors`: the browser app reports its errors and panics here (the Rust Sentry SDK does not
//! run in WASM); they are validated, rate-limited per address, logged and forwarded to Sentry.

use axum::{extract::State, http::StatusCode};
use serde::Deserialize;
use shared::FieldError;

use crate::{
    domain::DomainError,
    http::{
        auth::AuthContext, error::ApiError, extract::ApiJson, rate_limit::ClientAddr,
        state::AppState,
    },
    observability::sentry_reports::{report_browser_error, BrowserError},
};

/// Reports are small; anything bigger is refused before it is read.
pub const CLIENT_ERROR_BODY_LIMIT: usize = 16 * 1024;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientErrorReport {
    pub kind: String,
    pub message: String,
    #[serde(default)]
    pub stack: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub component: Option<String>,
    #[serde(default)]
    pub user_agent: Option<String>,
}

pub const KINDS: [&str; 3] = ["error", "panic", "unhandled_rejection"];

fn validate(report: &ClientErrorReport) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    let mut check = |field: &str, value: Option<&str>, max: usize, required: bool| match value {
        None | Some("") if required => errors.push(FieldError {
            field: field.into(),
            code: "required".into(),
            message: format!("{field} is required"),
        }),
        Some(text) if text.chars().count() > max => errors.push(FieldError {
            field: field.into(),
            code: "max_length".into(),
            message: format!("{field} must be at most {max} characters"),
        }),
        _ => {}
    };
    check("message", Some(&report.message), 2_000, true);
    check("stack", report.stack.as_deref(), 10_000, false);
    check("url", report.url.as_deref(), 2_000, false);
    check("component", report.component.as_deref(), 200, false);
    check("user_agent", report.user_agent.as_deref(), 500, false);
    if !KINDS.contains(&report.kind.as_str()) {
        errors.push(FieldError {
            field: "kind".into(),
            code: "invalid_choice".into(),
            message: format!("kind must be one of: {}", KINDS.join(", ")),
        });
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::validation(errors).into())
    }
}

pub async fn report(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    // Signed-in reports carry the user and tenant (recorded by the extractor); anonymous ones are welcome.
    _ctx: Option<AuthContext>,
    ApiJson(report): ApiJson<ClientErrorReport>,
) -> Result<StatusCode, ApiError> {
    state.services.limits.client_error_report(client).await?;
    validate(&report)?;
    let summary: String = report.message.chars().take(200).collect();
    tracing::warn!(
        target: "keel::browser_error",
        request_id = crate::observability::current_request_id().unwrap_or_default(),
        kind = %report.kind,
        component = report.component.as_deref().unwrap_or(""),
        message = %summary,
        "browser error"
    );
    report_browser_error(&BrowserError {
        kind: &report.kind,
        message: &report.message,
        stack: report.stack.as_deref(),
        url: report.url.as_deref(),
        component: report.component.as_deref(),
        user_agent: report.user_agent.as_deref(),
    });
    Ok(StatusCode::ACCEPTED)
}
