//! How record values read on screen: one function per kind of column, so the report table, the detail view
//! and the trash show a value the same way.

use serde_json::Value;
use shared::{FieldKind, StatusOption};

/// What an empty cell shows.
pub const EMPTY: &str = "—";

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The text of `value` in a column of `kind`; statuses are shown by their tenant's label.
pub fn cell_text(kind: FieldKind, value: Option<&Value>, statuses: &[StatusOption]) -> String {
    let text = match value {
        None | Some(Value::Null) => return EMPTY.to_owned(),
        Some(Value::String(text)) if text.is_empty() => return EMPTY.to_owned(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Bool(flag)) => return if *flag { "Yes" } else { "No" }.to_owned(),
        Some(other) => other.to_string(),
    };
    match kind {
        FieldKind::Money => money(&text),
        FieldKind::Integer => group_thousands(&text),
        FieldKind::Date => date(&text),
        FieldKind::Timestamp => date(text.get(..10).unwrap_or(&text)),
        FieldKind::Status => statuses
            .iter()
            .find(|s| s.key == text)
            .map(|s| s.label.clone())
            .unwrap_or(text),
        FieldKind::Choice(_) => humanize(&text),
        _ => text,
    }
}

/// `12500.00` → `12,500.00`.
pub fn money(text: &str) -> String {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (whole, cents) = digits.split_once('.').unwrap_or((digits, "00"));
    format!("{sign}{}.{cents}", group_thousands(whole))
}

/// `1234567` → `1,234,567`.
pub fn group_thousands(digits: &str) -> String {
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return digits.to_owned();
    }
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, ch) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `2026-03-01` → `1 Mar 2026`; anything else unchanged.
pub fn date(text: &str) -> String {
    let mut parts = text.splitn(3, '-');
    let (Some(year), Some(month), Some(day)) = (parts.next(), parts.next(), parts.next()) else {
        return text.to_owned();
    };
    match (month.parse::<usize>(), day.parse::<u8>()) {
        (Ok(month @ 1..=12), Ok(day)) if year.len() == 4 => {
            format!("{day} {} {year}", MONTHS[month - 1])
        }
        _ => text.to_owned(),
    }
}

/// `on_hold` → `On hold`.
pub fn humanize(key: &str) -> String {
    let spaced = key.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `1,234` for counts people read.
pub fn count(n: u64) -> String {
    group_thousands(&n.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_read_like_a_person_wrote_them() {
        let statuses = [StatusOption::new(
            "on_hold",
            "Paused",
            shared::StatusCategory::Open,
        )];
        let cell = |kind, value: Value| cell_text(kind, Some(&value), &statuses);
        assert_eq!(cell(FieldKind::Money, json!("1234567.50")), "1,234,567.50");
        assert_eq!(cell(FieldKind::Money, json!("-12.00")), "-12.00");
        assert_eq!(cell(FieldKind::Integer, json!(1200)), "1,200");
        assert_eq!(cell(FieldKind::Date, json!("2026-03-01")), "1 Mar 2026");
        assert_eq!(
            cell(FieldKind::Timestamp, json!("2026-11-25T16:48:56Z")),
            "25 Nov 2026"
        );
        assert_eq!(cell(FieldKind::Status, json!("on_hold")), "Paused");
        assert_eq!(cell(FieldKind::Status, json!("gone")), "gone");
        assert_eq!(cell(FieldKind::Choice(&[]), json!("on_hold")), "On hold");
        assert_eq!(cell(FieldKind::Text, json!("")), EMPTY);
        assert_eq!(cell_text(FieldKind::Text, None, &statuses), EMPTY);
        assert_eq!(count(1234), "1,234");
        assert_eq!(count(999), "999");
    }
}
