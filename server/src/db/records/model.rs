//! The shape of a list request as the data layer runs it: conditions, sort, and keyset positions. Plain data,
//! built by the domain's query parser and cursor, turned into SQL by `statements`.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Value as SqlValue;
pub use shared::list::SortOrder;
use shared::{EntityDescriptor, Storage};

/// Whether the statement is for live rows or for the trash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    Live,
    Trashed,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// Case-insensitive substring of one column.
    Contains {
        column: &'static str,
        needle: String,
    },
    /// The column equals one of these keys.
    AnyOf {
        column: &'static str,
        values: Vec<String>,
    },
    Equals {
        column: &'static str,
        value: i64,
    },
    IsNull {
        column: &'static str,
    },
    /// A timestamp column at or after / before an instant.
    TimeFrom {
        column: &'static str,
        from: DateTime<Utc>,
    },
    TimeBefore {
        column: &'static str,
        before: DateTime<Utc>,
        inclusive: bool,
    },
    DateFrom {
        column: &'static str,
        from: NaiveDate,
    },
    DateTo {
        column: &'static str,
        to: NaiveDate,
    },
    /// `q`: a substring of any of the entity's search fields.
    Search {
        columns: &'static [&'static str],
        needle: String,
    },
}

/// Which side of the cursor's row the requested page lies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The rows after it in the sort order (`next_cursor`).
    After,
    /// The rows before it (`prev_cursor`).
    Before,
}

/// The sort key's value at the cursor's row. Dates and timestamps travel in the backend's own shape: native
/// on PostgreSQL; the stored text on SQLite, which is what SQLite compares.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyValue {
    Null,
    Int(i64),
    Text(String),
    Date(NaiveDate),
    Time(DateTime<Utc>),
}

impl KeyValue {
    pub fn to_sql(&self) -> Option<SqlValue> {
        match self {
            KeyValue::Null => None,
            KeyValue::Int(n) => Some(SqlValue::BigInt(Some(*n))),
            KeyValue::Text(s) => Some(SqlValue::String(Some(s.clone()))),
            KeyValue::Date(d) => Some(SqlValue::ChronoDate(Some(*d))),
            KeyValue::Time(t) => Some(SqlValue::ChronoDateTimeUtc(Some(*t))),
        }
    }
}

/// What a sort key's value is, which decides how it is read from a row and what a cursor may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Int,
    Text,
    Date,
    Time,
}

/// The kind of the value `sort_by` orders by, and the result column that holds it in `select_records`.
pub fn key_of(descriptor: &EntityDescriptor, sort_by: &str) -> (KeyKind, &'static str) {
    if let Some(computed) = descriptor.computed.iter().find(|c| c.name == sort_by) {
        return (KeyKind::Int, computed.name);
    }
    let Some(def) = descriptor.field(sort_by) else {
        return (KeyKind::Int, "id");
    };
    // References and assignees sort by the joined name, which the record carries under `display_as`.
    if let Some(display) = def.display_as {
        return (KeyKind::Text, display);
    }
    let kind = match def.kind.storage() {
        Storage::Integer | Storage::Money | Storage::Bool => KeyKind::Int,
        Storage::Date => KeyKind::Date,
        Storage::Timestamp => KeyKind::Time,
        Storage::Text => KeyKind::Text,
    };
    (kind, def.name)
}
