//! The session cookie: HttpOnly, SameSite=Lax, Path=/, and Secure unless the app is served over plain HTTP on
//! localhost (where browsers would otherwise drop it).

use http::{header, HeaderMap, HeaderValue};

pub const SESSION_COOKIE: &str = "keel_session";

/// The value of our session cookie in the request, if any.
pub fn read_session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim_matches('"'))
        .filter(|value| !value.is_empty())
}

/// True for `http://localhost…`, `http://127.0.0.1…` and `http://[::1]…` without an HTTPS proxy in front.
pub fn is_plain_localhost(headers: &HeaderMap) -> bool {
    let forwarded_https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"));
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let hostname = if host.starts_with('[') {
        host.split_inclusive(']').next().unwrap_or(host)
    } else {
        host.split(':').next().unwrap_or(host)
    };
    !forwarded_https && matches!(hostname, "localhost" | "127.0.0.1" | "[::1]")
}

pub fn set_session_cookie(
    request_headers: &HeaderMap,
    token: &str,
    max_age_secs: u64,
) -> HeaderValue {
    cookie_value(request_headers, token, max_age_secs)
}

pub fn clear_session_cookie(request_headers: &HeaderMap) -> HeaderValue {
    cookie_value(request_headers, "", 0)
}

fn cookie_value(request_headers: &HeaderMap, value: &str, max_age_secs: u64) -> HeaderValue {
    let secure = if is_plain_localhost(request_headers) {
        ""
    } else {
        "; Secure"
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .expect("a JWT and fixed attributes are valid header characters")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn finds_our_cookie_among_others() {
        let h = headers(&[("cookie", "theme=dark; keel_session=abc.def.ghi; x=1")]);
        assert_eq!(read_session_cookie(&h), Some("abc.def.ghi"));
        assert_eq!(
            read_session_cookie(&headers(&[("cookie", "keel_session=")])),
            None
        );
        assert_eq!(
            read_session_cookie(&headers(&[("cookie", "other=1")])),
            None
        );
    }

    #[test]
    fn secure_everywhere_but_plain_localhost() {
        let local = headers(&[("host", "127.0.0.1:3000")]);
        assert!(!set_session_cookie(&local, "t", 60)
            .to_str()
            .unwrap()
            .contains("Secure"));
        let proxied = headers(&[("host", "localhost:3000"), ("x-forwarded-proto", "https")]);
        assert!(set_session_cookie(&proxied, "t", 60)
            .to_str()
            .unwrap()
            .contains("; Secure"));
        let public = headers(&[("host", "crm.example.com")]);
        let cookie = set_session_cookie(&public, "t", 60);
        let cookie = cookie.to_str().unwrap();
        assert!(
            cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax")
                && cookie.ends_with("; Secure")
        );
        assert!(clear_session_cookie(&public)
            .to_str()
            .unwrap()
            .contains("Max-Age=0"));
    }
}
