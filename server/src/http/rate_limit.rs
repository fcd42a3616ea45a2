//! Rate limits at the HTTP edge: the general budget of every signed-in API request (plus searches and
//! exports), the `RateLimit-Policy`/`RateLimit` headers of whatever limits a request met, and the caller's
//! address — the connection's, or a forwarded one when the connection comes from a trusted proxy.

use std::net::{IpAddr, SocketAddr};

use axum::{
    extract::{ConnectInfo, FromRequestParts, OptionalFromRequestParts, Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use http::{request::Parts, HeaderMap, HeaderName, HeaderValue};
use ipnet::IpNet;

use super::{auth::AuthContext, error::ApiError, state::AppState};
use crate::{domain::limits::RequestKind, observability::QuotaReport};

/// API paths (below `/api`) with limits of their own, or none: they skip the general budget.
const OWN_LIMITS: [&str; 4] = [
    "/auth/login",
    "/auth/signup",
    "/client-errors",
    "/openapi.json",
];

/// Counts a signed-in API request against the user's and the tenant's budgets, and against the search or
/// export budget when it is one. Requests without valid credentials go on to be refused by their handler.
pub async fn api_budget(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let path = parts.uri.path();
    if !OWN_LIMITS.contains(&path) {
        let kind = RequestKind {
            search: search_phrase(parts.uri.query()),
            // A CSV export, or the whole organisation's archive.
            export: path.ends_with("/export.csv") || path == "/admin/export",
        };
        let caller = <AuthContext as OptionalFromRequestParts<AppState>>::from_request_parts(
            &mut parts, &state,
        )
        .await;
        if let Ok(Some(ctx)) = caller {
            if let Err(refused) = state.services.limits.api_request(&ctx.actor, kind).await {
                return ApiError::from(refused).into_response();
            }
        }
    }
    next.run(Request::from_parts(parts, body)).await
}

fn search_phrase(query: Option<&str>) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(name, value)| name == "q" && !value.trim().is_empty())
        .map(|(_, value)| value.into_owned())
}

const RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");

/// The IETF headers (draft-ietf-httpapi-ratelimit-headers): each policy applied, its quota and window, and
/// what remains of it with the seconds until its oldest hit leaves the window.
pub fn add_quota_headers(headers: &mut HeaderMap, quotas: &[QuotaReport]) {
    if quotas.is_empty() {
        return;
    }
    let policies = quotas
        .iter()
        .map(|q| format!("\"{}\";q={};w={}", q.policy, q.limit, q.window_secs))
        .collect::<Vec<_>>()
        .join(", ");
    let standing = quotas
        .iter()
        .map(|q| format!("\"{}\";r={};t={}", q.policy, q.remaining, q.reset_secs))
        .collect::<Vec<_>>()
        .join(", ");
    if let (Ok(policies), Ok(standing)) = (
        HeaderValue::from_str(&policies),
        HeaderValue::from_str(&standing),
    ) {
        headers.insert(RATELIMIT_POLICY, policies);
        headers.insert(RATELIMIT, standing);
    }
}

/// The caller's address: the connection's, unless it is a trusted proxy (`KEEL_TRUSTED_PROXIES`); then the
/// rightmost address of `Forwarded` (or else `X-Forwarded-For`) that is not itself a trusted proxy. From
/// anyone else those headers are ignored, so a client cannot pick the key it is limited under.
pub struct ClientAddr(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip());
        Ok(ClientAddr(peer.map(|peer| {
            client_address(peer, &parts.headers, &state.services.config.trusted_proxies)
        })))
    }
}

pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(&canonical(*ip)));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops = forwarded_hops(headers);
    // Walk from the nearest hop back: the first one not operated by us is the client as far as we can know.
    hops.iter()
        .rev()
        .find(|hop| !is_trusted(hop))
        .or_else(|| hops.first())
        .copied()
        .unwrap_or(peer)
}

/// IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) compare as the IPv4 address they carry.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The addresses a request passed through, first client first. `Forwarded` (RFC 7239) wins over
/// `X-Forwarded-For` when both are present; an element that is not an address (`unknown`, an obfuscated
/// name) ends the list there, since nothing before it can be attributed.
fn forwarded_hops(headers: &HeaderMap) -> Vec<IpAddr> {
    let forwarded: Vec<&str> = headers
        .get_all(http::header::FORWARDED)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let elements: Vec<String> = if !forwarded.is_empty() {
        forwarded
            .iter()
            .flat_map(|value| value.split(','))
            .map(|element| {
                element
                    .split(';')
                    .find_map(|pair| {
                        let (name, value) = pair.trim().split_once('=')?;
                        name.trim()
                            .eq_ignore_ascii_case("for")
                            .then(|| value.trim().to_owned())
                    })
                    .unwrap_or_default()
            })
            .collect()
    } else {
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|value| value.split(','))
            .map(|hop| hop.trim().to_owned())
            .collect()
    };
    let parsed: Vec<Option<IpAddr>> = elements.iter().map(|e| parse_hop(e)).collect();
    // Keep only the trailing run of parseable addresses.
    let start = parsed
        .iter()
        .rposition(Option::is_none)
        .map_or(0, |i| i + 1);
    parsed[start..].iter().flatten().copied().collect()
}

/// `192.0.2.1`, `192.0.2.1:8080`, `"[2001:db8::1]:443"`, `2001:db8::1`.
fn parse_hop(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    text.parse::<SocketAddr>().ok().map(|addr| addr.ip())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_headers_from_an_untrusted_peer_are_ignored() {
        let spoofed = headers(&[("x-forwarded-for", "1.2.3.4"), ("forwarded", "for=5.6.7.8")]);
        assert_eq!(
            client_address(ip("203.0.113.9"), &spoofed, &[]),
            ip("203.0.113.9")
        );
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        assert_eq!(
            client_address(ip("203.0.113.9"), &spoofed, &trusted),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        let trusted: Vec<IpNet> = vec![
            "10.0.0.0/8".parse().unwrap(),
            "2001:db8::/32".parse().unwrap(),
        ];
        // The client put a forged address first; our proxies appended the real one and their own.
        let chain = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.0.0.2")]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &chain, &trusted),
            ip("198.51.100.7")
        );
        let rfc = headers(&[(
            "forwarded",
            "for=6.6.6.6, for=\"[2001:db9::5]:443\";proto=https, for=10.1.1.1",
        )]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &rfc, &trusted),
            ip("2001:db9::5")
        );
        // A mapped IPv4 peer is trusted as its IPv4 address.
        let mapped = headers(&[("x-forwarded-for", "198.51.100.8:5000")]);
        assert_eq!(
            client_address(ip("::ffff:10.0.0.1"), &mapped, &trusted),
            ip("198.51.100.8")
        );
        // Only proxies of ours: the first of them is the best guess; no header: the peer.
        let inner = headers(&[("x-forwarded-for", "10.0.0.7, 10.0.0.2")]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &inner, &trusted),
            ip("10.0.0.7")
        );
        assert_eq!(
            client_address(ip("10.0.0.1"), &HeaderMap::new(), &trusted),
            ip("10.0.0.1")
        );
        // Garbage right of the real client cuts the chain: the peer is kept.
        let garbled = headers(&[("x-forwarded-for", "198.51.100.7, unknown")]);
        assert_eq!(
            client_address(ip("10.0.0.1"), &garbled, &trusted),
            ip("10.0.0.1")
        );
    }

    #[test]
    fn quota_headers_follow_the_ietf_draft() {
        let mut map = HeaderMap::new();
        add_quota_headers(
            &mut map,
            &[QuotaReport {
                policy: "login-address",
                limit: 5,
                window_secs: 60,
                remaining: 3,
                reset_secs: 42,
            }],
        );
        assert_eq!(map["ratelimit-policy"], "\"login-address\";q=5;w=60");
        assert_eq!(map["ratelimit"], "\"login-address\";r=3;t=42");
    }

    #[test]
    fn a_search_is_a_list_with_a_phrase() {
        assert_eq!(
            search_phrase(Some("q=acme&page=2")).as_deref(),
            Some("acme")
        );
        assert_eq!(
            search_phrase(Some("page=2&q=a%20b")).as_deref(),
            Some("a b")
        );
        assert_eq!(search_phrase(Some("q=&page=2")), None);
        assert_eq!(search_phrase(Some("quarter=1")), None);
        assert_eq!(search_phrase(None), None);
    }
}
