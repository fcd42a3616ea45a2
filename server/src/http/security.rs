//! Request and response hardening that applies to every route: security headers, refusal of cross-site
//! writes made with our cookie, and the sign-in requirement for pages.

use app::csp::PagePolicy;
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use http::{header, HeaderMap, HeaderName, HeaderValue, Method};
use shared::permissions::{allows, Action};

use super::{
    auth::{credentials, AuthContext},
    cookie::read_session_cookie,
    error::ApiError,
    state::AppState,
};
use crate::{
    config::Environment,
    domain::{sessions, DomainError},
};

/// The policy for everything that is not a rendered page (JSON, files): nothing may be loaded or framed.
/// Pages get their own policy with a per-response script nonce (see `app::csp`).
const DEFAULT_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Headers on every response; handlers that set one themselves (pages set their CSP) keep theirs.
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // A rendered page always sets its own policy (with its script nonce); without it the page cannot run its
    // scripts. Rarely seen in the browser tests and not yet explained: say so where it happens.
    let is_page = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"text/html"));
    if is_page && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        tracing::warn!(
            path,
            "a page was rendered without its content security policy"
        );
    }
    let fixed: [(HeaderName, &str); 7] = [
        (header::CONTENT_SECURITY_POLICY, DEFAULT_CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=()",
        ),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in fixed {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    if state.services.config.environment == Environment::Production {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static(
                "max-age=31536000; includeSubDomains",
            ));
    }
    response
}

/// Sends a rendered page's Content-Security-Policy (with its script nonce) as the shell wrote it into the
/// request's [`PagePolicy`] slot, independently of Leptos' own response headers (see `app::csp`).
pub async fn page_policy(mut request: Request, next: Next) -> Response {
    let slot = PagePolicy::default();
    request.extensions_mut().insert(slot.clone());
    let mut response = next.run(request).await;
    if let Some(value) = slot
        .take()
        .and_then(|policy| HeaderValue::from_str(&policy).ok())
    {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// Paths whose writes are checked even without a cookie: signing in from another site (login CSRF) must
/// fail too.
fn is_auth_path(path: &str) -> bool {
    path.starts_with("/api/auth/") || matches!(path, "/login" | "/signup" | "/logout")
}

/// 403 for a state-changing request that carries our session cookie (or targets sign-in) but was sent by
/// another site. Uses `Sec-Fetch-Site` where the browser sends it and falls back to comparing `Origin` with
/// `Host`; requests with neither (curl, server-to-server) are not browser cross-site requests.
pub async fn reject_cross_origin_writes(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    );
    let uses_cookie = read_session_cookie(request.headers()).is_some();
    if !safe
        && (uses_cookie || is_auth_path(request.uri().path()))
        && !is_same_origin(request.headers())
    {
        return ApiError::from(DomainError::Forbidden("Cross-site request refused"))
            .into_response();
    }
    next.run(request).await
}

pub fn is_same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers
        .get("x-forwarded-host")
        .or_else(|| headers.get(header::HOST))
        .and_then(|v| v.to_str().ok());
    let origin_host = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, rest)| rest.trim_end_matches('/'));
    matches!((origin_host, host), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b))
}

/// Pages anyone may see. Everything else needs a signed-in user.
const PUBLIC_PAGES: [&str; 2] = ["/login", "/signup"];

/// Pages that need more than being signed in, and what they need.
const ADMIN_PAGES: [(&str, Action); 4] = [
    ("/users", Action::ManageUsers),
    ("/admin/audit", Action::ReadAudit),
    ("/diagnostics", Action::ManageConfiguration),
    ("/admin/backend-config", Action::ManageConfiguration),
];

/// Sends signed-out visitors to the login page (remembering where they wanted to go) and signed-in users
/// away from it. Applied to the rendered pages only, never to the API.
pub async fn require_signed_in_pages(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let ctx =
        match credentials(request.headers()) {
            Ok(Some((token, credential))) => sessions::authenticate(&state.services, &token)
                .await
                .map(|authenticated| AuthContext {
                    actor: crate::domain::Actor {
                        source: credential.source(),
                        ..authenticated.actor
                    },
                    session_id: authenticated.session_id,
                    credential,
                }),
            _ => Err(DomainError::Unauthorized("")),
        };
    let public = PUBLIC_PAGES.contains(&path.as_str());
    match ctx {
        Ok(_) if public => Redirect::to("/").into_response(),
        Ok(ctx) => {
            crate::observability::record_identity(ctx.actor.user_id, ctx.actor.tenant_id);
            // The page explains the refusal; its status is decided here, before any byte is streamed.
            let refused = ADMIN_PAGES
                .iter()
                .any(|(page, action)| *page == path && !allows(ctx.actor.role, *action));
            request.extensions_mut().insert(ctx);
            let mut response = next.run(request).await;
            if refused {
                *response.status_mut() = http::StatusCode::FORBIDDEN;
            }
            response
        }
        Err(DomainError::DatabaseUnavailable) => {
            ApiError::from(DomainError::DatabaseUnavailable).into_response()
        }
        Err(_) if public => next.run(request).await,
        Err(_) => {
            let wanted = request
                .uri()
                .path_and_query()
                .map(|pq| pq.as_str())
                .unwrap_or("/");
            let mut target = String::from("/login");
            if wanted != "/" {
                target.push_str("?next=");
                target.extend(url::form_urlencoded::byte_serialize(wanted.as_bytes()));
            }
            Redirect::to(&target).into_response()
        }
    }
}

/// `next` after sign-in: only a path on this site, never `//evil.example` or an absolute URL.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path
        }
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn same_origin_checks() {
        assert!(is_same_origin(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(!is_same_origin(&headers(&[(
            "sec-fetch-site",
            "cross-site"
        )])));
        assert!(!is_same_origin(&headers(&[(
            "sec-fetch-site",
            "same-site"
        )])));
        assert!(is_same_origin(&headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!is_same_origin(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:3000")
        ])));
        assert!(!is_same_origin(&headers(&[
            ("origin", "null"),
            ("host", "a")
        ])));
        assert!(is_same_origin(&headers(&[])));
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/leads?page=2")), "/leads?page=2");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
