//! Values between the API's JSON and the database, chosen by each field's storage class (`shared::Storage`),
//! and rows of `statements::select_records` as API records.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use sea_orm::{sea_query::Value as SqlValue, DbErr, QueryResult};
use serde_json::{Map, Value};
use shared::{descriptor::FieldKind, EntityDescriptor, FieldDef, Money, Storage};

use super::model::{KeyKind, KeyValue, Liveness};

/// A record's writable fields as JSON values (absent and null both mean "no value").
pub type FieldMap = Map<String, Value>;

/// The database value for one writable field of a validated record (`None`/null → SQL NULL).
pub fn to_sql(def: &FieldDef, json: Option<&Value>) -> Result<SqlValue, DbErr> {
    let json = json.filter(|v| !v.is_null());
    let bad = || DbErr::Type(format!("field {} has an unexpected value", def.name));
    Ok(match def.kind.storage() {
        Storage::Text => SqlValue::String(
            json.map(|v| v.as_str().map(|s| s.trim().to_owned()).ok_or_else(bad))
                .transpose()?
                .filter(|s| !s.is_empty()),
        ),
        Storage::Money => SqlValue::BigInt(
            json.map(|v| {
                v.as_str()
                    .and_then(Money::parse)
                    .map(Money::cents)
                    .ok_or_else(bad)
            })
            .transpose()?,
        ),
        Storage::Date => SqlValue::ChronoDate(
            json.map(|v| {
                v.as_str()
                    .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                    .ok_or_else(bad)
            })
            .transpose()?,
        ),
        Storage::Integer => SqlValue::BigInt(json.map(|v| v.as_i64().ok_or_else(bad)).transpose()?),
        Storage::Bool => SqlValue::Bool(json.map(|v| v.as_bool().ok_or_else(bad)).transpose()?),
        Storage::Timestamp => return Err(bad()),
    })
}

/// Reads one column as the JSON the API returns for a field of this kind.
pub fn read(row: &QueryResult, column: &str, kind: FieldKind) -> Result<Value, DbErr> {
    let value = match kind.storage() {
        Storage::Integer => row.try_get::<Option<i64>>("", column)?.map(Value::from),
        Storage::Money => row
            .try_get::<Option<i64>>("", column)?
            .map(|cents| Value::from(Money(cents).to_string())),
        Storage::Date => {
            read_date(row, column)?.map(|d| Value::from(d.format("%Y-%m-%d").to_string()))
        }
        Storage::Timestamp => read_timestamp(row, column)?.map(|t| Value::from(t.to_rfc3339())),
        Storage::Bool => row.try_get::<Option<bool>>("", column)?.map(Value::from),
        Storage::Text => row.try_get::<Option<String>>("", column)?.map(Value::from),
    };
    Ok(value.unwrap_or(Value::Null))
}

fn read_date(row: &QueryResult, column: &str) -> Result<Option<NaiveDate>, DbErr> {
    if let Ok(date) = row.try_get::<Option<NaiveDate>>("", column) {
        return Ok(date);
    }
    // SQLite keeps dates as text.
    Ok(row
        .try_get::<Option<String>>("", column)?
        .and_then(|text| NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()))
}

/// Timestamps: native on PostgreSQL; on SQLite the text `CURRENT_TIMESTAMP` writes (UTC, to the second).
pub fn read_timestamp(row: &QueryResult, column: &str) -> Result<Option<DateTime<Utc>>, DbErr> {
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

/// A row of `select_records` as the API's JSON record.
pub fn to_json(
    descriptor: &EntityDescriptor,
    row: &QueryResult,
    liveness: Liveness,
) -> Result<Value, DbErr> {
    let mut record = Map::new();
    for def in descriptor.fields {
        record.insert(def.name.into(), read(row, def.name, def.kind)?);
        if let Some(display) = def.display_as {
            record.insert(display.into(), read(row, display, FieldKind::Text)?);
        }
    }
    for computed in descriptor.computed {
        record.insert(
            computed.name.into(),
            read(row, computed.name, computed.kind)?,
        );
    }
    record.insert(
        "created_by".into(),
        read(row, "created_by", FieldKind::User)?,
    );
    record.insert("version".into(), read(row, "version", FieldKind::Integer)?);
    if liveness == Liveness::Trashed {
        record.insert(
            "deleted_at".into(),
            read(row, "deleted_at", FieldKind::Timestamp)?,
        );
    }
    Ok(Value::Object(record))
}

/// Reads the sort key's value of a `select_records` row. On SQLite dates and times stay the stored text: the
/// driver would happily parse them, but only the text compares the way SQLite orders them.
pub fn read_key(
    row: &QueryResult,
    kind: KeyKind,
    column: &str,
    sqlite: bool,
) -> Result<KeyValue, DbErr> {
    let value = match kind {
        KeyKind::Int => row.try_get::<Option<i64>>("", column)?.map(KeyValue::Int),
        KeyKind::Text => row
            .try_get::<Option<String>>("", column)?
            .map(KeyValue::Text),
        KeyKind::Date | KeyKind::Time if sqlite => row
            .try_get::<Option<String>>("", column)?
            .map(KeyValue::Text),
        KeyKind::Date => row
            .try_get::<Option<NaiveDate>>("", column)?
            .map(KeyValue::Date),
        KeyKind::Time => row
            .try_get::<Option<DateTime<Utc>>>("", column)?
            .map(KeyValue::Time),
    };
    Ok(value.unwrap_or(KeyValue::Null))
}
