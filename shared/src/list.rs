//! How records are listed, for the server that answers lists and the browser that asks for them: a page of
//! records, its order, the page-size limits, and the name a record is listed under.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::descriptor::EntityDescriptor;

/// Page size when the query names none.
pub const DEFAULT_PAGE_SIZE: u64 = 50;
/// Largest page a list returns (`page_size` above it is refused).
pub const MAX_PAGE_SIZE: u64 = 200;
/// Deeper than this, offset pagination is refused (the keyset cursor is the way there).
pub const MAX_PAGE: u64 = 1_000_000;
/// The page sizes a report offers; all within 1..=[`MAX_PAGE_SIZE`], the default among them.
pub const PAGE_SIZES: [u64; 4] = [25, 50, 100, 200];
/// A list's order when the query names none: newest first.
pub const DEFAULT_SORT: (&str, SortOrder) = ("created_at", SortOrder::Desc);

/// `sort_order` of a list: `asc` or `desc`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    Asc,
    Desc,
}

impl SortOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Asc => "asc",
            SortOrder::Desc => "desc",
        }
    }

    /// `"asc"` or `"desc"`, exactly (the API refuses any other spelling).
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "asc" => Some(SortOrder::Asc),
            "desc" => Some(SortOrder::Desc),
            _ => None,
        }
    }

    pub fn reversed(self) -> Self {
        match self {
            SortOrder::Asc => SortOrder::Desc,
            SortOrder::Desc => SortOrder::Asc,
        }
    }
}

/// One page of a list, as the API sends it:
/// `{"data": [...], "total", "page", "page_size", "total_exact", "next_cursor", "prev_cursor"}` — the
/// cursors are `null` when there is no such page, never absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub total: u64,
    /// The page number asked for; 0 on a page reached by cursor (its position is not counted).
    pub page: u64,
    pub page_size: u64,
    /// False when `total` is an estimate (PostgreSQL, more matching rows than `KEEL_EXACT_COUNT_LIMIT`).
    /// Read as true when absent, so a reader accepts a page from a server that always counts exactly.
    #[serde(default = "exact")]
    pub total_exact: bool,
    /// The page after this one, when there is one.
    #[serde(default)]
    pub next_cursor: Option<String>,
    /// The page before this one, when there is one.
    #[serde(default)]
    pub prev_cursor: Option<String>,
}

fn exact() -> bool {
    true
}

impl<T> Page<T> {
    /// How many pages `total` makes at this page size (at least one, so an empty list has "page 1 of 1").
    pub fn page_count(&self) -> u64 {
        self.total.div_ceil(self.page_size.max(1)).max(1)
    }
}

/// The field that names a record of `descriptor` for people (company, project or account name, task title):
/// its first search field. The server joins this column as a reference's display name (`client_name`), and
/// the browser shows it as the record's title, so both follow this one rule.
pub fn title_field(descriptor: &EntityDescriptor) -> &'static str {
    descriptor.search_fields.first().copied().unwrap_or("id")
}

/// A record's title, from its JSON: the title field's text, or `#<id>` when the record has none.
pub fn record_title(descriptor: &EntityDescriptor, record: &Map<String, Value>) -> String {
    record
        .get(title_field(descriptor))
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| {
            let id = record.get("id").and_then(Value::as_i64).unwrap_or_default();
            format!("#{id}")
        })
}

/// A query string's pairs written the one way the app and the server write them (no leading `?`).
pub fn encode_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (key, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&percent_encode(key));
        out.push('=');
        out.push_str(&percent_encode(value));
    }
    out
}

/// Percent-encodes a query component (RFC 3986 unreserved characters stay as they are; `,` too, because
/// status filters are comma-separated lists and read better unescaped).
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{descriptor::FieldKind, ENTITY_KINDS};

    #[test]
    fn a_page_has_the_shape_the_api_documents() {
        let page = Page {
            data: vec![1, 2],
            total: 12,
            page: 1,
            page_size: 2,
            total_exact: true,
            next_cursor: Some("c2".to_owned()),
            prev_cursor: None,
        };
        let json = serde_json::to_value(&page).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"data": [1, 2], "total": 12, "page": 1, "page_size": 2, "total_exact": true,
                "next_cursor": "c2", "prev_cursor": null})
        );
        assert_eq!(serde_json::from_value::<Page<i32>>(json).unwrap(), page);
        assert_eq!(page.page_count(), 6);
        let minimal: Page<i32> =
            serde_json::from_str(r#"{"data": [], "total": 0, "page": 1, "page_size": 50}"#)
                .unwrap();
        assert!(minimal.total_exact && minimal.next_cursor.is_none());
        assert_eq!(minimal.page_count(), 1);
    }

    #[test]
    fn sort_orders_are_spelled_in_lower_case() {
        for order in [SortOrder::Asc, SortOrder::Desc] {
            assert_eq!(SortOrder::parse(order.as_str()), Some(order));
            assert_eq!(
                serde_json::to_value(order).unwrap(),
                Value::from(order.as_str())
            );
            assert_eq!(order.reversed().reversed(), order);
        }
        assert_eq!(SortOrder::parse("ASC"), None);
        assert_eq!(SortOrder::parse(""), None);
    }

    #[test]
    fn offered_page_sizes_are_within_the_limits() {
        assert!(PAGE_SIZES.contains(&DEFAULT_PAGE_SIZE));
        assert!(PAGE_SIZES
            .iter()
            .all(|size| (1..=MAX_PAGE_SIZE).contains(size)));
    }

    /// The title is what a person reads as the record's name, so it must be a required text field: never
    /// empty in a valid record, and never a number, a date or an email.
    #[test]
    fn every_entity_is_named_by_a_required_text_field() {
        for kind in ENTITY_KINDS {
            let descriptor = kind.descriptor();
            let field = descriptor
                .field(title_field(descriptor))
                .unwrap_or_else(|| panic!("{}: no title field", descriptor.table));
            assert!(
                field.required && field.kind == FieldKind::Text,
                "{}: title field {} is not required text",
                descriptor.table,
                field.name
            );
        }
    }

    #[test]
    fn records_are_named_by_their_title_field() {
        let record: Map<String, Value> =
            serde_json::from_str(r#"{"id": 7, "title": "Call back"}"#).unwrap();
        let task = crate::EntityKind::Task.descriptor();
        let lead = crate::EntityKind::Lead.descriptor();
        assert_eq!(title_field(task), "title");
        assert_eq!(record_title(task, &record), "Call back");
        assert_eq!(record_title(lead, &record), "#7");
    }
}
