//! The keyset cursor of report lists: an opaque token naming a position in one sort order — the sort key's
//! value and the id of a row, which side of that row the page lies on, and the sort it was made for. It is
//! signed (a keyed BLAKE2b tag under a key derived from the server's secret), so a tampered or made-up token
//! is refused before any of it is believed; the value's type is checked against the sort key as well, so a
//! token can never bind a text to a date column.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use blake2::{
    digest::{consts::U16, KeyInit, Mac as _},
    Blake2b512, Blake2bMac, Digest,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use shared::{EntityDescriptor, FieldError};

pub use crate::db::records::model::{key_of, KeyKind, KeyValue, Side, SortOrder};
use crate::domain::DomainError;

#[derive(Debug, Clone, PartialEq)]
pub struct Cursor {
    pub sort_by: String,
    pub sort_order: SortOrder,
    pub side: Side,
    pub value: KeyValue,
    pub id: i64,
}

/// The signed payload. Short names keep the token short; it is opaque to clients anyway.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Payload {
    /// sort key
    k: String,
    /// `a`sc or `d`esc
    o: char,
    /// `a`fter or `b`efore
    s: char,
    /// value tag: `n`ull, `i`nt, `s`tring, `d`ate, `t`ime
    t: char,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    v: Option<serde_json::Value>,
    i: i64,
}

fn mac(secret: &str) -> Blake2bMac<U16> {
    // The secret is hashed into a key of its own, so the cursor tag never reuses the JWT key as such.
    let mut hasher = Blake2b512::new();
    hasher.update(b"keel list cursor v1\0");
    hasher.update(secret.as_bytes());
    let key = hasher.finalize();
    <Blake2bMac<U16> as KeyInit>::new_from_slice(&key).expect("a 64-byte key fits BLAKE2b")
}

impl Cursor {
    pub fn encode(&self, secret: &str) -> String {
        let (t, v) = match &self.value {
            KeyValue::Null => ('n', None),
            KeyValue::Int(n) => ('i', Some(serde_json::Value::from(*n))),
            KeyValue::Text(s) => ('s', Some(serde_json::Value::from(s.as_str()))),
            KeyValue::Date(d) => ('d', Some(d.format("%Y-%m-%d").to_string().into())),
            KeyValue::Time(time) => (
                't',
                Some(
                    time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
                        .into(),
                ),
            ),
        };
        let payload = Payload {
            k: self.sort_by.clone(),
            o: match self.sort_order {
                SortOrder::Asc => 'a',
                SortOrder::Desc => 'd',
            },
            s: match self.side {
                Side::After => 'a',
                Side::Before => 'b',
            },
            t,
            v,
            i: self.id,
        };
        let json = serde_json::to_vec(&payload).expect("a cursor serialises");
        let mut tag = mac(secret);
        tag.update(&json);
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&json),
            URL_SAFE_NO_PAD.encode(tag.finalize().into_bytes())
        )
    }

    /// Checks the tag, then the payload against the list's sort: a cursor is only good for the sort key and
    /// order it was made for, and its value must be of the key's kind on this backend.
    pub fn decode(
        token: &str,
        secret: &str,
        descriptor: &EntityDescriptor,
        sort_by: &str,
        sort_order: SortOrder,
        sqlite: bool,
    ) -> Result<Cursor, DomainError> {
        let invalid = |message: &str| DomainError::Invalid {
            message: "Invalid list parameters".into(),
            details: vec![FieldError {
                field: "cursor".into(),
                code: "invalid".into(),
                message: message.into(),
            }],
        };
        let garbled = || invalid("cursor is not a cursor this server gave out");
        let (body, tag) = token.split_once('.').ok_or_else(garbled)?;
        let json = URL_SAFE_NO_PAD.decode(body).map_err(|_| garbled())?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| garbled())?;
        let mut check = mac(secret);
        check.update(&json);
        check.verify_slice(&tag).map_err(|_| garbled())?;
        let payload: Payload = serde_json::from_slice(&json).map_err(|_| garbled())?;

        let order = match payload.o {
            'a' => SortOrder::Asc,
            'd' => SortOrder::Desc,
            _ => return Err(garbled()),
        };
        if payload.k != sort_by || order != sort_order {
            return Err(invalid(
                "cursor was made for another sort: send the same sort_by and sort_order, or start again without a cursor",
            ));
        }
        let side = match payload.s {
            'a' => Side::After,
            'b' => Side::Before,
            _ => return Err(garbled()),
        };
        let (kind, _) = key_of(descriptor, sort_by);
        let value = match (payload.t, payload.v, kind) {
            ('n', None, _) => KeyValue::Null,
            ('i', Some(serde_json::Value::Number(n)), KeyKind::Int) => {
                KeyValue::Int(n.as_i64().ok_or_else(garbled)?)
            }
            ('s', Some(serde_json::Value::String(s)), KeyKind::Text) => KeyValue::Text(s),
            ('s', Some(serde_json::Value::String(s)), KeyKind::Date | KeyKind::Time) if sqlite => {
                KeyValue::Text(s)
            }
            ('d', Some(serde_json::Value::String(s)), KeyKind::Date) if !sqlite => {
                KeyValue::Date(NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|_| garbled())?)
            }
            ('t', Some(serde_json::Value::String(s)), KeyKind::Time) if !sqlite => KeyValue::Time(
                DateTime::parse_from_rfc3339(&s)
                    .map_err(|_| garbled())?
                    .with_timezone(&Utc),
            ),
            _ => return Err(garbled()),
        };
        if payload.i < 1 {
            return Err(garbled());
        }
        Ok(Cursor {
            sort_by: payload.k,
            sort_order: order,
            side,
            value,
            id: payload.i,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::entities::{lead::LEAD, project::PROJECT};

    const SECRET: &str = "a-test-secret-that-is-long-enough-012345";

    fn cursor(sort_by: &str, value: KeyValue) -> Cursor {
        Cursor {
            sort_by: sort_by.into(),
            sort_order: SortOrder::Desc,
            side: Side::After,
            value,
            id: 42,
        }
    }

    #[test]
    fn round_trips_every_kind() {
        let time = DateTime::parse_from_rfc3339("2026-11-25T10:11:12.345678Z")
            .unwrap()
            .with_timezone(&Utc);
        for (descriptor, key, value, sqlite) in [
            (&LEAD, "created_at", KeyValue::Time(time), false),
            (
                &LEAD,
                "created_at",
                KeyValue::Text("2026-11-25 10:11:12".into()),
                true,
            ),
            (
                &LEAD,
                "company_name",
                KeyValue::Text("Ünïcode, \"co\"".into()),
                false,
            ),
            (&LEAD, "email", KeyValue::Null, false),
            (&PROJECT, "budget", KeyValue::Int(1250000), false),
            (
                &PROJECT,
                "start_date",
                KeyValue::Date(NaiveDate::from_ymd_opt(2026, 1, 2).unwrap()),
                false,
            ),
        ] {
            let original = cursor(key, value);
            let token = original.encode(SECRET);
            let decoded =
                Cursor::decode(&token, SECRET, descriptor, key, SortOrder::Desc, sqlite).unwrap();
            assert_eq!(decoded, original, "{key}");
        }
    }

    #[test]
    fn refuses_tampering_other_sorts_and_wrong_kinds() {
        let token = cursor("company_name", KeyValue::Text("Acme".into())).encode(SECRET);
        let decode = |token: &str, key: &str, order: SortOrder| {
            Cursor::decode(token, SECRET, &LEAD, key, order, false)
        };
        assert!(decode(&token, "company_name", SortOrder::Desc).is_ok());
        assert!(decode(&token, "company_name", SortOrder::Asc).is_err());
        assert!(decode(&token, "email", SortOrder::Desc).is_err());
        for bad in ["", ".", "abc", "abc.def", &token[1..], &format!("{token}A")] {
            assert!(
                decode(bad, "company_name", SortOrder::Desc).is_err(),
                "{bad}"
            );
        }
        // A flipped character anywhere breaks the tag.
        for index in 0..token.len() {
            let mut bytes = token.clone().into_bytes();
            bytes[index] = if bytes[index] == b'A' { b'B' } else { b'A' };
            let tampered = String::from_utf8(bytes).unwrap();
            assert!(
                decode(&tampered, "company_name", SortOrder::Desc).is_err(),
                "{tampered}"
            );
        }
        // Another server's token is not ours.
        assert!(Cursor::decode(
            &token,
            "another-secret-that-is-long-enough-0123",
            &LEAD,
            "company_name",
            SortOrder::Desc,
            false
        )
        .is_err());
        // A well-signed token whose value has the wrong type for the key.
        let wrong = cursor("created_at", KeyValue::Int(5)).encode(SECRET);
        assert!(decode(&wrong, "created_at", SortOrder::Desc).is_err());
        let text_time = cursor("created_at", KeyValue::Text("x".into())).encode(SECRET);
        assert!(decode(&text_time, "created_at", SortOrder::Desc).is_err());
    }
}
