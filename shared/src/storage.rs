//! How each field kind is stored and travels: the one answer the SQL codec, the sort keys, the CSV export,
//! the OpenAPI document and the browser's forms all read, so that a new kind is classified in one place.

use crate::descriptor::FieldKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// Text people typed or picked (statuses and choices are keys, stored as text).
    Text,
    /// A whole number: ids, references, users, counts.
    Integer,
    /// Integer cents in storage, a decimal string (`"12500.00"`) in JSON.
    Money,
    /// `YYYY-MM-DD`.
    Date,
    /// A server-set instant, RFC 3339 in JSON.
    Timestamp,
    Bool,
}

impl FieldKind {
    pub const fn storage(self) -> Storage {
        match self {
            FieldKind::Text
            | FieldKind::LongText
            | FieldKind::Email
            | FieldKind::Phone
            | FieldKind::Url
            | FieldKind::Status
            | FieldKind::Choice(_) => Storage::Text,
            FieldKind::Id | FieldKind::User | FieldKind::Reference(_) | FieldKind::Integer => {
                Storage::Integer
            }
            FieldKind::Money => Storage::Money,
            FieldKind::Date => Storage::Date,
            FieldKind::Timestamp => Storage::Timestamp,
            FieldKind::Bool => Storage::Bool,
        }
    }
}
