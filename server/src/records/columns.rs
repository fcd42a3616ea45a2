//! Values between the API's JSON and the database, chosen by each field's kind in the descriptor.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use sea_orm::{sea_query::Value as SqlValue, QueryResult};
use serde_json::Value;
use shared::{descriptor::FieldKind, FieldDef, Money};

use crate::error::ApiError;

/// The database value for one writable field of a validated record (`None`/null → SQL NULL).
pub fn to_sql(def: &FieldDef, json: Option<&Value>) -> Result<SqlValue, ApiError> {
    let json = json.filter(|v| !v.is_null());
    let bad = || ApiError::Internal(format!("field {} has an unexpected value", def.name).into());
    Ok(match def.kind {
        FieldKind::Text
        | FieldKind::LongText
        | FieldKind::Email
        | FieldKind::Phone
        | FieldKind::Url
        | FieldKind::Status
        | FieldKind::Choice(_) => SqlValue::String(
            json.map(|v| v.as_str().map(|s| s.trim().to_owned()).ok_or_else(bad))
                .transpose()?
                .filter(|s| !s.is_empty()),
        ),
        FieldKind::Money => SqlValue::BigInt(
            json.map(|v| {
                v.as_str()
                    .and_then(Money::parse)
                    .map(Money::cents)
                    .ok_or_else(bad)
            })
            .transpose()?,
        ),
        FieldKind::Date => SqlValue::ChronoDate(
            json.map(|v| {
                v.as_str()
                    .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                    .ok_or_else(bad)
            })
            .transpose()?,
        ),
        FieldKind::Id | FieldKind::User | FieldKind::Reference(_) | FieldKind::Integer => {
            SqlValue::BigInt(json.map(|v| v.as_i64().ok_or_else(bad)).transpose()?)
        }
        FieldKind::Bool => SqlValue::Bool(json.map(|v| v.as_bool().ok_or_else(bad)).transpose()?),
        FieldKind::Timestamp => return Err(bad()),
    })
}

/// Reads one column as the JSON the API returns for a field of this kind.
pub fn read(row: &QueryResult, column: &str, kind: FieldKind) -> Result<Value, ApiError> {
    let value = match kind {
        FieldKind::Id | FieldKind::User | FieldKind::Reference(_) | FieldKind::Integer => {
            row.try_get::<Option<i64>>("", column)?.map(Value::from)
        }
        FieldKind::Money => row
            .try_get::<Option<i64>>("", column)?
            .map(|cents| Value::from(Money(cents).to_string())),
        FieldKind::Date => {
            read_date(row, column)?.map(|d| Value::from(d.format("%Y-%m-%d").to_string()))
        }
        FieldKind::Timestamp => read_timestamp(row, column)?.map(|t| Value::from(t.to_rfc3339())),
        FieldKind::Bool => row.try_get::<Option<bool>>("", column)?.map(Value::from),
        FieldKind::Text
        | FieldKind::LongText
        | FieldKind::Email
        | FieldKind::Phone
        | FieldKind::Url
        | FieldKind::Status
        | FieldKind::Choice(_) => row.try_get::<Option<String>>("", column)?.map(Value::from),
    };
    Ok(value.unwrap_or(Value::Null))
}

fn read_date(row: &QueryResult, column: &str) -> Result<Option<NaiveDate>, ApiError> {
    if let Ok(date) = row.try_get::<Option<NaiveDate>>("", column) {
        return Ok(date);
    }
    // SQLite keeps dates as text.
    Ok(row
        .try_get::<Option<String>>("", column)?
        .and_then(|text| NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()))
}

/// Timestamps: native on PostgreSQL; on SQLite the text `CURRENT_TIMESTAMP` writes (UTC, to the second).
pub fn read_timestamp(row: &QueryResult, column: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    if let Ok(time) = row.try_get::<Option<DateTime<Utc>>>("", column) {
        return Ok(time);
    }
    Ok(row.try_get::<Option<String>>("", column)?.and_then(|text| {
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .ok()
            .or_else(|| {
                NaiveDateTime::parse_from_str(&text, "%Y-%m-%d %H:%M:%S%.f")
                    .ok()
                    .map(|t| t.and_utc())
            })
    }))
}

/// A timestamp as a bound parameter comparable with stored ones: native on PostgreSQL, and on SQLite the
/// same text shape `CURRENT_TIMESTAMP` stores, so comparisons are plain text comparisons.
pub fn timestamp_param(time: DateTime<Utc>, sqlite: bool) -> SqlValue {
    if sqlite {
        SqlValue::String(Some(time.format("%Y-%m-%d %H:%M:%S").to_string()))
    } else {
        SqlValue::ChronoDateTimeUtc(Some(time))
    }
}
