//! From a row's cells to the record the API would take: references by id or by name (resolved in bulk,
//! before the rows are read again), users by id, name or email, statuses by key or label, and every other
//! field by `shared::form::field_value` — what the browser's forms run — then the entity's validation and
//! the tenant's rules by `shared::contract::prepare_create`, exactly as on the API.

use std::collections::{BTreeSet, HashMap};

use sea_orm::ConnectionTrait;
use serde_json::{Map, Value};
use shared::{
    contract::ContractError, descriptor::FieldKind, imports::ImportError, list::title_field,
    EntityKind, FieldDef, FieldError, RulesContext,
};

use super::columns::Columns;
use crate::db::{self, imports::UserRef, records::FieldMap, DbError};

/// The reference values a file holds, per column, gathered on the first pass.
#[derive(Debug, Default)]
pub struct Wanted {
    names: HashMap<usize, BTreeSet<String>>,
    ids: HashMap<usize, BTreeSet<i64>>,
}

fn as_id(text: &str) -> Option<i64> {
    crate::domain::params::parse_id(text.trim())
}

impl Wanted {
    pub fn note(&mut self, columns: &Columns, cells: &[&str]) {
        for (index, def) in columns.fields.iter().enumerate() {
            let (Some(def), Some(cell)) = (def, cells.get(index)) else {
                continue;
            };
            if !matches!(def.kind, FieldKind::Reference(_)) || cell.trim().is_empty() {
                continue;
            }
            match as_id(cell) {
                Some(id) => {
                    self.ids.entry(index).or_default().insert(id);
                }
                None => {
                    self.names
                        .entry(index)
                        .or_default()
                        .insert(cell.trim().to_lowercase());
                }
            }
        }
    }
}

/// What the references of a file point at, looked up once.
pub struct Lookups {
    users: Vec<UserRef>,
    /// Per column: lower-cased name → the live records so named (id, name).
    by_name: HashMap<usize, HashMap<String, Vec<(i64, String)>>>,
    /// Per column: id → name, for the ids that name a live record of the tenant.
    by_id: HashMap<usize, HashMap<i64, String>>,
}

impl Lookups {
    pub async fn load(
        db: &impl ConnectionTrait,
        tenant_id: i64,
        columns: &Columns,
        wanted: &Wanted,
    ) -> Result<Self, DbError> {
        let mut lookups = Lookups {
            users: if columns
                .fields
                .iter()
                .any(|f| f.is_some_and(|d| d.kind == FieldKind::User))
            {
                db::imports::active_users(db, tenant_id).await?
            } else {
                Vec::new()
            },
            by_name: HashMap::new(),
            by_id: HashMap::new(),
        };
        for (index, def) in columns.fields.iter().enumerate() {
            let Some(FieldKind::Reference(table)) = def.map(|d| d.kind) else {
                continue;
            };
            let title =
                EntityKind::from_plural(table).map_or("id", |kind| title_field(kind.descriptor()));
            if let Some(names) = wanted.names.get(&index) {
                let names: Vec<String> = names.iter().cloned().collect();
                let slot = lookups.by_name.entry(index).or_default();
                for (lower, id, name) in
                    db::imports::ids_by_name(db, table, title, tenant_id, &names).await?
                {
                    slot.entry(lower).or_default().push((id, name));
                }
            }
            if let Some(ids) = wanted.ids.get(&index) {
                let ids: Vec<i64> = ids.iter().copied().collect();
                lookups.by_id.insert(
                    index,
                    db::imports::live_ids(db, table, title, tenant_id, &ids)
                        .await?
                        .into_iter()
                        .collect(),
                );
            }
        }
        Ok(lookups)
    }
}

/// A record read from one row: the fields to write, and the names its references had (for its history).
pub struct Built {
    pub record: FieldMap,
    pub labels: Vec<(&'static str, String)>,
}

/// The export writes text that a spreadsheet would run as a formula with a leading `'`; the import takes
/// that mark off again, so an exported file imports back as it was. Nothing is ever evaluated.
fn unmarked(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => text,
    }
}

fn error(def: &FieldDef, code: &str, message: String) -> FieldError {
    FieldError {
        field: def.name.into(),
        code: code.into(),
        message,
    }
}

fn one_match<'a>(
    def: &FieldDef,
    text: &str,
    found: Option<&'a Vec<(i64, String)>>,
    what: &str,
) -> Result<&'a (i64, String), FieldError> {
    match found.map(Vec::as_slice) {
        Some([only]) => Ok(only),
        Some([_, _, ..]) => Err(error(
            def,
            "ambiguous_reference",
            format!(
                "{} “{text}” names more than one {what}: use its id",
                def.label
            ),
        )),
        _ => Err(error(
            def,
            "invalid_reference",
            format!("{} “{text}” does not exist", def.label),
        )),
    }
}

fn user(def: &FieldDef, text: &str, users: &[UserRef]) -> Result<(i64, String), FieldError> {
    if let Some(id) = as_id(text) {
        return users
            .iter()
            .find(|u| u.id == id)
            .map(|u| (u.id, u.name.clone()))
            .ok_or_else(|| {
                error(
                    def,
                    "invalid_reference",
                    format!("{}: no active user has the id {id}", def.label),
                )
            });
    }
    let wanted = text.trim().to_lowercase();
    let by_email: Vec<&UserRef> = users
        .iter()
        .filter(|u| u.email.to_lowercase() == wanted)
        .collect();
    let matches: Vec<(i64, String)> = if by_email.is_empty() {
        users
            .iter()
            .filter(|u| u.name.trim().to_lowercase() == wanted)
            .map(|u| (u.id, u.name.clone()))
            .collect()
    } else {
        by_email.iter().map(|u| (u.id, u.name.clone())).collect()
    };
    one_match(def, text.trim(), Some(&matches), "user").cloned()
}

fn status(def: &FieldDef, text: &str, ctx: &RulesContext) -> Result<Value, FieldError> {
    let wanted = text.trim().to_lowercase();
    ctx.statuses
        .iter()
        .find(|s| s.key.to_lowercase() == wanted || s.label.trim().to_lowercase() == wanted)
        .map(|s| Value::String(s.key.clone()))
        .ok_or_else(|| {
            let names: Vec<&str> = ctx.statuses.iter().map(|s| s.label.as_str()).collect();
            error(
                def,
                "invalid_status",
                format!(
                    "“{}” is not a status here: use one of {}",
                    text.trim(),
                    names.join(", ")
                ),
            )
        })
}

fn boolean(def: &FieldDef, text: &str) -> Result<Value, FieldError> {
    match text.trim().to_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "on" | "x" => Ok(Value::Bool(true)),
        "false" | "no" | "n" | "0" | "off" => Ok(Value::Bool(false)),
        _ => Err(error(
            def,
            "invalid_boolean",
            format!("{} must be yes or no", def.label),
        )),
    }
}

/// Reads one row into a record of `kind`, or every problem of it (as the API would name them).
pub fn build(
    kind: EntityKind,
    columns: &Columns,
    lookups: &Lookups,
    ctx: &RulesContext,
    cells: &[&str],
) -> Result<Built, Vec<FieldError>> {
    let mut record = Map::new();
    let mut labels = Vec::new();
    let mut problems = Vec::new();
    for (index, def) in columns.fields.iter().enumerate() {
        let (Some(def), Some(cell)) = (def, cells.get(index)) else {
            continue;
        };
        if cell.trim().is_empty() {
            continue;
        }
        let text = unmarked(cell);
        let value = match def.kind {
            FieldKind::User => user(def, text, &lookups.users).map(|(id, name)| {
                if let Some(display) = def.display_as {
                    labels.push((display, name));
                }
                Value::from(id)
            }),
            FieldKind::Reference(table) => {
                let what = EntityKind::from_plural(table)
                    .map_or("record", |kind| kind.descriptor().singular);
                let found = match as_id(text) {
                    Some(id) => lookups
                        .by_id
                        .get(&index)
                        .and_then(|ids| ids.get(&id))
                        .map(|name| (id, name.clone()))
                        .ok_or_else(|| {
                            error(
                                def,
                                "invalid_reference",
                                format!("{}: no {what} has the id {id}", def.label),
                            )
                        }),
                    None => one_match(
                        def,
                        text.trim(),
                        lookups
                            .by_name
                            .get(&index)
                            .and_then(|names| names.get(&text.trim().to_lowercase())),
                        what,
                    )
                    .cloned(),
                };
                found.map(|(id, name)| {
                    if let Some(display) = def.display_as {
                        labels.push((display, name));
                    }
                    Value::from(id)
                })
            }
            FieldKind::Status => status(def, text, ctx),
            FieldKind::Choice(keys) => keys
                .iter()
                .find(|key| key.eq_ignore_ascii_case(text.trim()))
                .map(|key| Value::String((*key).to_owned()))
                .ok_or_else(|| {
                    error(
                        def,
                        "invalid_choice",
                        format!("{} must be one of {}", def.label, keys.join(", ")),
                    )
                }),
            _ if def.kind.storage() == shared::Storage::Bool => boolean(def, text),
            _ => shared::form::field_value(def, text),
        };
        match value {
            Ok(value) => {
                record.insert(def.name.to_owned(), value);
            }
            Err(problem) => problems.push(problem),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let body = serde_json::to_vec(&Value::Object(record)).map_err(|err| {
        vec![FieldError {
            field: String::new(),
            code: "invalid".into(),
            message: err.to_string(),
        }]
    })?;
    match shared::contract::prepare_create(kind, &body, ctx) {
        Ok(record) => Ok(Built { record, labels }),
        Err(ContractError::Invalid(details)) => Err(details),
        Err(other) => Err(vec![FieldError {
            field: String::new(),
            code: "invalid".into(),
            message: match other {
                ContractError::Body(err) => err.to_string(),
                _ => "The row could not be read".into(),
            },
        }]),
    }
}

/// A row's problems as the report lists them, each on the column of its field when the file has one.
pub fn row_errors(columns: &Columns, row: u64, problems: Vec<FieldError>) -> Vec<ImportError> {
    problems
        .into_iter()
        .map(|problem| {
            let column = columns
                .fields
                .iter()
                .position(|f| f.is_some_and(|d| d.name == problem.field))
                .map(|index| columns.headers[index].clone());
            ImportError {
                row,
                column,
                field: (!problem.field.is_empty()).then_some(problem.field),
                code: problem.code,
                message: problem.message,
            }
        })
        .collect()
}
