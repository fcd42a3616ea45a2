//! The typed client over the REST API (API.md): the only place in the app that spells an `/api/…` path. Each
//! endpoint is one function in the module of its resource ([`records`], [`dashboard`], [`history`],
//! [`imports`], [`users`], [`statuses`], [`views`], [`schedules`], [`backend_config`], [`auth`],
//! [`client_errors`]); pages call those, never a path.
//!
//! In the browser a call uses `fetch` (`browser`); while rendering on the server it sends the same request
//! through the in-process axum router (handed over in context as `InProcessApi`) with the visitor's cookie
//! (`in_process`), so both go through the same handlers, auth and validation.

use std::future::Future;

use serde::{de::DeserializeOwned, Deserialize, Serialize};
use shared::{ErrorBody, ErrorCode, FieldError};

/// A failed call: the HTTP status (0 when the server could not be reached) and the error envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiFailure {
    pub status: u16,
    pub body: ErrorBody,
}

impl ApiFailure {
    fn local(status: u16, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody {
                error: message.into(),
                code,
                details: Vec::new(),
                request_id: None,
            },
        }
    }

    pub fn message(&self) -> &str {
        &self.body.error
    }

    pub fn details(&self) -> &[FieldError] {
        &self.body.details
    }
}

pub mod auth;
pub mod backend_config;
pub mod client_errors;
pub mod dashboard;
pub mod history;
pub mod imports;
pub mod records;
pub mod schedules;
pub mod statuses;
pub mod users;
pub mod views;

#[cfg(feature = "ssr")]
mod in_process;
#[cfg(feature = "ssr")]
use in_process as transport;
#[cfg(feature = "ssr")]
pub use in_process::InProcessApi;

#[cfg(not(feature = "ssr"))]
mod browser;
#[cfg(not(feature = "ssr"))]
use browser as transport;

// The generic calls stay private to this module: pages go through the endpoint functions.

fn get<T>(path: &str) -> impl Future<Output = Result<T, ApiFailure>> + Send + 'static
where
    T: DeserializeOwned + 'static,
{
    call::<T>("GET", path, None)
}

fn send<B, T>(
    method: &'static str,
    path: &str,
    body: &B,
) -> impl Future<Output = Result<T, ApiFailure>> + Send + 'static
where
    B: Serialize,
    T: DeserializeOwned + 'static,
{
    let body = serde_json::to_string(body).ok();
    call::<T>(method, path, body)
}

fn delete(path: &str) -> impl Future<Output = Result<(), ApiFailure>> + Send + 'static {
    call::<()>("DELETE", path, None)
}

fn call<T>(
    method: &'static str,
    path: &str,
    body: Option<String>,
) -> impl Future<Output = Result<T, ApiFailure>> + Send + 'static
where
    T: DeserializeOwned + 'static,
{
    let transport = transport::Transport::current();
    let path = path.to_owned();
    transport::send_wrapped(async move {
        let (status, text) = transport.request(method, &path, body).await?;
        decode(status, &text)
    })
}

type RateLimitListener = Box<dyn Fn(String)>;

thread_local! {
    /// Told of every 429 the browser gets (the shell shows a banner); never set while rendering on the server.
    static RATE_LIMIT_LISTENER: std::cell::RefCell<Option<RateLimitListener>> = const { std::cell::RefCell::new(None) };
}

/// Has `listener` told of each refusal for going too fast, with the server's message ("Too many requests —
/// try again in 42 s").
pub fn on_rate_limited(listener: impl Fn(String) + 'static) {
    RATE_LIMIT_LISTENER.with(|slot| *slot.borrow_mut() = Some(Box::new(listener)));
}

fn decode<T: DeserializeOwned>(status: u16, text: &str) -> Result<T, ApiFailure> {
    if (200..300).contains(&status) {
        let text = if text.trim().is_empty() { "null" } else { text };
        serde_json::from_str(text).map_err(|err| {
            ApiFailure::local(
                status,
                ErrorCode::Internal,
                format!("Unexpected response from the server: {err}"),
            )
        })
    } else {
        let body = serde_json::from_str::<ErrorBody>(text).unwrap_or_else(|_| ErrorBody {
            error: format!("The server answered {status}"),
            code: ErrorCode::Internal,
            details: Vec::new(),
            request_id: None,
        });
        if status == 429 {
            RATE_LIMIT_LISTENER.with(|slot| {
                if let Some(listener) = slot.borrow().as_ref() {
                    listener(body.error.clone());
                }
            });
        }
        Err(ApiFailure { status, body })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Keeps the rule of this module: an endpoint's path is spelt here and nowhere else in the app.
    #[test]
    fn api_paths_are_spelt_only_in_the_client() {
        fn visit(dir: &Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    if !path.ends_with("api") {
                        visit(&path, found);
                    }
                } else if std::fs::read_to_string(&path).unwrap().contains("/api/") {
                    found.push(path.display().to_string());
                }
            }
        }
        let mut found = Vec::new();
        visit(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert!(
            found.is_empty(),
            "`/api/` spelt outside app/src/api: {found:?}"
        );
    }
}
