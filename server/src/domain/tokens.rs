//! Signed tokens: JWT HS256 with an expiry and no leeway. A token only names a session; whether that session
//! (and its user) is still valid is checked against the database on every request.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::config::Secret;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id, as a string (RFC 7519 says `sub` is a string).
    pub sub: String,
    /// The tenant id.
    pub tid: i64,
    /// The session id (a row in `sessions`).
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl TokenKeys {
    pub fn new(secret: &Secret) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        // Only HS256: "none", other HMAC sizes and every asymmetric algorithm are refused.
        validation.algorithms = vec![Algorithm::HS256];
        validation.leeway = 0;
        validation.validate_exp = true;
        validation.validate_nbf = false;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
            validation,
        }
    }

    pub fn issue(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
    }

    /// The claims of a well-formed, correctly signed, unexpired token; `None` for anything else.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp_offset: i64) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            sub: "7".into(),
            tid: 3,
            sid: "abc".into(),
            iat: now,
            exp: now + exp_offset,
        }
    }

    #[test]
    fn round_trips_and_rejects_tampering() {
        let keys = TokenKeys::new(&Secret::new("k".repeat(40)));
        let token = keys.issue(&claims(60)).unwrap();
        assert_eq!(
            keys.verify(&token),
            Some(claims(60)).map(|c| Claims { ..c })
        );
        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(keys.verify(&tampered), None);
        let other = TokenKeys::new(&Secret::new("z".repeat(40)));
        assert_eq!(other.verify(&token), None);
    }

    #[test]
    fn expired_tokens_have_no_grace_period() {
        let keys = TokenKeys::new(&Secret::new("k".repeat(40)));
        assert_eq!(keys.verify(&keys.issue(&claims(-1)).unwrap()), None);
    }

    #[test]
    fn unsigned_tokens_are_refused() {
        let keys = TokenKeys::new(&Secret::new("k".repeat(40)));
        let token = keys.issue(&claims(60)).unwrap();
        let payload = token.split('.').nth(1).unwrap();
        // {"alg":"none","typ":"JWT"}
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
        assert_eq!(keys.verify(&none), None);
    }
}
