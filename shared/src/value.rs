//! Value types that cross the wire exactly: money as integer cents (a decimal string in JSON, never a float),
//! calendar dates as `YYYY-MM-DD`, and `Patch<T>` for partial updates (absent = unchanged, null = clear).

use std::fmt;

use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

/// Largest amount Keel stores: 999,999,999,999.99 (fits the database's BIGINT cents with room to spare).
pub const MONEY_MAX_CENTS: i64 = 99_999_999_999_999;

/// An exact amount of money in cents. JSON: `"12500.00"`. Negative amounts parse (so validation can say
/// "cannot be negative" on the right field) but no stored amount is ever negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(pub i64);

impl Money {
    pub const fn cents(self) -> i64 {
        self.0
    }

    /// Parses `1250`, `1250.5`, `1250.50`, `-3.10`. At most two decimals; no exponent, no thousands separator.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = match digits.split_once('.') {
            Some((whole, fraction)) => (whole, fraction),
            None => (digits, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || whole.len() > 15 || !all_digits(whole) || !all_digits(fraction) {
            return None;
        }
        if fraction.len() > 2 || (digits.contains('.') && fraction.is_empty()) {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let fraction: i64 = match fraction.len() {
            0 => 0,
            1 => fraction.parse::<i64>().ok()? * 10,
            _ => fraction.parse().ok()?,
        };
        let cents = whole.checked_mul(100)?.checked_add(fraction)?;
        Some(Money(if negative { -cents } else { cents }))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Money::parse(&text).ok_or_else(|| {
            de::Error::custom(format!(
                "`{text}` is not an amount such as \"1250.00\" (at most two decimals)"
            ))
        })
    }
}

/// A calendar date without a time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        let valid = (1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// Parses exactly `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u16> {
            let part = &text[range];
            part.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| part.parse().ok())
                .flatten()
        };
        Date::new(number(0..4)?, number(5..7)? as u8, number(8..10)? as u8)
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Date::parse(&text).ok_or_else(|| {
            de::Error::custom(format!("`{text}` is not a date in the form YYYY-MM-DD"))
        })
    }
}

/// One field of a partial update. With `#[serde(default)]`: a missing key is `Absent` (leave unchanged),
/// `null` is `Null` (clear it), anything else is `Set`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Patch<T> {
    #[default]
    Absent,
    Null,
    Set(T),
}

impl<T> Patch<T> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Patch::Absent)
    }

    /// Applies the change to an optional field of a full record.
    pub fn apply(self, target: &mut Option<T>) {
        match self {
            Patch::Absent => {}
            Patch::Null => *target = None,
            Patch::Set(value) => *target = Some(value),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            None => Patch::Null,
            Some(value) => Patch::Set(value),
        })
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Patch::Set(value) => value.serialize(serializer),
            // `Absent` is skipped by `skip_serializing_if`; serialising it anyway means "no change" = null-free.
            Patch::Absent | Patch::Null => serializer.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_parses_exact_decimal_strings() {
        let cases = [
            ("0", Some(0)),
            ("12500", Some(1_250_000)),
            ("12500.5", Some(1_250_050)),
            ("12500.50", Some(1_250_050)),
            ("0.01", Some(1)),
            ("-3.10", Some(-310)),
            (" 7.00 ", Some(700)),
            ("1.234", None),
            ("1.", None),
            (".5", None),
            ("1e3", None),
            ("1,000", None),
            ("", None),
            ("abc", None),
            ("--1", None),
            ("9999999999999999", None),
        ];
        for (text, cents) in cases {
            assert_eq!(Money::parse(text).map(Money::cents), cents, "{text:?}");
        }
    }

    #[test]
    fn money_is_a_string_in_json() {
        assert_eq!(
            serde_json::to_string(&Money(1_250_000)).unwrap(),
            r#""12500.00""#
        );
        assert_eq!(serde_json::to_string(&Money(-5)).unwrap(), r#""-0.05""#);
        assert_eq!(
            serde_json::from_str::<Money>(r#""0.5""#).unwrap(),
            Money(50)
        );
        assert!(
            serde_json::from_str::<Money>("12.5").is_err(),
            "floats are refused"
        );
    }

    #[test]
    fn dates_are_checked_against_the_calendar() {
        assert_eq!(Date::parse("2026-02-28").unwrap().to_string(), "2026-02-28");
        assert!(Date::parse("2024-02-29").is_some());
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "26-01-01",
            "2026/01/01",
            "2026-1-01",
            "2026-01-01T00:00:00Z",
            "0000-01-01",
        ] {
            assert!(Date::parse(bad).is_none(), "{bad}");
        }
        assert!(Date::parse("2026-01-31") < Date::parse("2026-02-01"));
    }

    #[test]
    fn patch_distinguishes_absent_null_and_set() {
        #[derive(Deserialize)]
        struct Body {
            #[serde(default)]
            a: Patch<String>,
            #[serde(default)]
            b: Patch<String>,
            #[serde(default)]
            c: Patch<String>,
        }
        let body: Body = serde_json::from_str(r#"{"b": null, "c": "x"}"#).unwrap();
        assert_eq!(body.a, Patch::Absent);
        assert_eq!(body.b, Patch::Null);
        assert_eq!(body.c, Patch::Set("x".to_owned()));
        let mut field = Some("old".to_owned());
        Patch::Absent.apply(&mut field);
        assert_eq!(field.as_deref(), Some("old"));
        Patch::Null.apply(&mut field);
        assert_eq!(field, None);
    }
}
