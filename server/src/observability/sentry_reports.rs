//! Sentry: server errors (5xx and panics) and browser errors forwarded by `POST /api/client-errors`, each
//! tagged with the request id, route, tenant and user. With no DSN configured nothing is initialised and
//! every report is a no-op.

use std::{borrow::Cow, collections::BTreeMap, sync::Arc};

use sentry::{protocol::Event, ClientInitGuard, Level};

use super::current_context;

/// Starts the Sentry client. Keep the guard alive for as long as reports should be sent (it flushes on drop).
pub fn init(dsn: &str, environment: &str) -> ClientInitGuard {
    sentry::init((
        dsn,
        sentry::ClientOptions {
            release: Some(Cow::Borrowed(concat!("keel@", env!("CARGO_PKG_VERSION")))),
            environment: Some(Cow::Owned(environment.to_owned())),
            // No IP addresses, cookies or request bodies: we attach what we choose below.
            send_default_pii: false,
            before_send: Some(Arc::new(|event| Some(with_request_context(event)))),
            ..Default::default()
        },
    ))
}

/// Adds the current request's id, route, tenant and user (when there is one) as tags.
fn with_request_context(mut event: Event<'static>) -> Event<'static> {
    if let Some(context) = current_context() {
        event.tags.insert("request_id".into(), context.request_id);
        event.tags.insert("route".into(), context.route);
        if let Some(tenant) = context.tenant_id {
            event.tags.insert("tenant_id".into(), tenant.to_string());
        }
        if let Some(user) = context.user_id {
            event.user = Some(sentry::User {
                id: Some(user.to_string()),
                ..Default::default()
            });
        }
    }
    event
        .tags
        .entry("source".into())
        .or_insert_with(|| "server".into());
    event
}

/// A server error that answered 5xx.
pub fn report_server_error(error: &(dyn std::error::Error + 'static), level: Level) {
    if sentry::Hub::current().client().is_none() {
        return;
    }
    let mut event = sentry::event_from_error(error);
    event.level = level;
    sentry::capture_event(event);
}

/// What the browser tells us about an error in the app.
pub struct BrowserError<'a> {
    pub kind: &'a str,
    pub message: &'a str,
    pub stack: Option<&'a str>,
    pub url: Option<&'a str>,
    pub component: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

pub fn report_browser_error(report: &BrowserError<'_>) {
    if sentry::Hub::current().client().is_none() {
        return;
    }
    let mut tags = BTreeMap::new();
    tags.insert("source".to_owned(), "browser".to_owned());
    tags.insert("kind".to_owned(), report.kind.to_owned());
    if let Some(component) = report.component {
        tags.insert("component".to_owned(), component.to_owned());
    }
    let mut extra = BTreeMap::new();
    for (key, value) in [
        ("stack", report.stack),
        ("url", report.url),
        ("user_agent", report.user_agent),
    ] {
        if let Some(value) = value {
            extra.insert(key.to_owned(), value.into());
        }
    }
    sentry::capture_event(Event {
        level: Level::Error,
        logger: Some("browser".into()),
        message: Some(format!("[browser] {}", report.message)),
        tags,
        extra,
        ..Default::default()
    });
}
