//! CSV imports (issue 17): a whole file checked by the same rules as every write — the entity's validation,
//! the tenant's statuses and rules, references, unique names within the file and against the database —
//! before a single row is written; then every row created in one transaction, each with its history entry,
//! or nothing. An import can be undone: its records go to the trash.
//!
//! The file is read from disk in passes (it is never held in memory): the first gathers the references it
//! names, which are then looked up in bulk; the second reads each row into a record and checks it; the third,
//! when every row passed, writes them a thousand at a time.

mod cells;
mod columns;
mod file;

use std::{
    collections::{BTreeMap, HashMap},
    path::Path,
};

use chrono::Utc;
use serde_json::Value;
use shared::{
    history::{diff, HistoryAction, Source},
    imports::{
        ImportError, ImportList, ImportReport, ImportSummary, UndoneImport, MAX_REPORTED_ERRORS,
    },
    permissions::Action,
    EntityKind, FieldError, ENTITY_KINDS,
};

use self::{
    cells::{build, row_errors, Lookups, Wanted},
    columns::{map_columns, Columns},
    file::{CsvFile, Rows},
};
use super::{
    backend_config, history,
    params::{problem, Params, Read},
    Actor, DomainError, Services,
};
use crate::db::{
    self,
    history::NewEntry,
    imports::{key_of, Key},
    records::FieldMap,
};

/// Rows read and written per batch of the write pass.
const WRITE_BATCH: usize = 1000;
/// Rows between two yields to the runtime while a pass reads (the reads are from a local file).
const YIELD_EVERY: u64 = 2000;

/// What the caller asks of an import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Check only; write nothing.
    pub dry_run: bool,
    /// Header → field name (or `None` to leave the column out), over the automatic match.
    pub mapping: BTreeMap<String, Option<String>>,
    /// The uploaded file's name, shown in the imports list.
    pub filename: String,
}

/// The longest file name kept.
pub const MAX_FILENAME_CHARS: usize = 255;
/// The longest `mapping` parameter (the whole query string must stay under the server's URI limit).
pub const MAX_MAPPING_CHARS: usize = 2_000;

/// `dry_run`, `mapping` (a JSON object: header → field name or null) and `filename` of an import.
pub fn parse_options(params: &Params) -> Result<ImportOptions, DomainError> {
    let mut options = ImportOptions::default();
    params.read_each("Invalid import parameters", |name, value, _| match name {
        "dry_run" => match value {
            "true" => {
                options.dry_run = true;
                Read::Taken
            }
            "false" => Read::Taken,
            _ => Read::Bad(problem(name, "invalid", "Must be true or false")),
        },
        "mapping" if value.chars().count() > MAX_MAPPING_CHARS => Read::Bad(problem(
            name,
            "too_long",
            format!("At most {MAX_MAPPING_CHARS} characters"),
        )),
        "mapping" => match serde_json::from_str::<BTreeMap<String, Option<String>>>(value) {
            Ok(mapping) => {
                options.mapping = mapping;
                Read::Taken
            }
            Err(_) => Read::Bad(problem(
                name,
                "invalid",
                "Must be a JSON object of column header → field name (or null to leave the column out)",
            )),
        },
        "filename" if value.chars().count() > MAX_FILENAME_CHARS => Read::Bad(problem(
            name,
            "too_long",
            format!("At most {MAX_FILENAME_CHARS} characters"),
        )),
        // Kept for the imports list: control characters (a NUL, say) are dropped.
        "filename" => {
            options.filename = value.chars().filter(|c| !c.is_control()).collect();
            Read::Taken
        }
        _ => Read::Unknown,
    })?;
    Ok(options)
}

/// An import's answer: the report, and whether it wrote.
pub struct ImportOutcome {
    pub report: ImportReport,
    /// Whether the file was refused because rows failed (the report lists them).
    pub refused: bool,
}

fn summary(row: db::imports::ImportRow) -> ImportSummary {
    ImportSummary {
        id: row.id,
        entity: row.entity,
        user_id: row.user_id,
        user_name: row.user_name,
        filename: row.filename,
        rows: row.row_count,
        created_at: row.created_at.to_rfc3339(),
        undone_at: row.undone_at.map(|t| t.to_rfc3339()),
    }
}

/// Everything the checking pass learned.
struct Checked {
    rows: u64,
    valid: u64,
    error_count: u64,
    errors: Vec<ImportError>,
}

impl Checked {
    fn push(&mut self, errors: Vec<ImportError>) {
        self.error_count += errors.len() as u64;
        let room = MAX_REPORTED_ERRORS.saturating_sub(self.errors.len());
        self.errors.extend(errors.into_iter().take(room));
    }
}

/// The header, mapped; the rows after it are left to the caller.
fn header(
    csv: &CsvFile,
    kind: EntityKind,
    options: &ImportOptions,
) -> Result<(Columns, Rows), DomainError> {
    let mut rows = csv.rows()?;
    let columns = {
        let header = rows
            .next_row()?
            .ok_or_else(|| DomainError::bad_request("The file is empty"))?;
        map_columns(kind.descriptor(), &header.cells, &options.mapping)?
    };
    Ok((columns, rows))
}

fn cell_count_error(columns: &Columns, row: u64, cells: usize) -> ImportError {
    ImportError {
        row,
        column: None,
        field: None,
        code: "cell_count".into(),
        message: format!(
            "This row has {cells} cells; the header has {}",
            columns.headers.len()
        ),
    }
}

/// `POST /api/{entity}/import`: checks the whole file at `path`, then (unless a dry run, and only when every
/// row passed) creates every row in one transaction.
pub async fn import(
    svc: &Services,
    actor: &Actor,
    kind: EntityKind,
    path: &Path,
    options: &ImportOptions,
) -> Result<ImportOutcome, DomainError> {
    actor.require(Action::CreateRecord)?;
    let config = backend_config::enabled(svc, actor, kind).await?;
    let ctx = config.rules_for(kind);
    let descriptor = kind.descriptor();
    let tenant_id = actor.tenant_id;
    let csv = CsvFile::open(path)?;

    // Pass 1: the header, the row count, and the references to look up.
    let (columns, mut rows) = header(&csv, kind, options)?;
    let mut wanted = Wanted::default();
    let mut count = 0u64;
    while let Some(row) = rows.next_row()? {
        count += 1;
        if count > svc.config.import_max_rows {
            return Err(DomainError::TooLarge(format!(
                "The file has more than {} rows, the most one import takes: split it",
                svc.config.import_max_rows
            )));
        }
        wanted.note(&columns, &row.cells);
        if count.is_multiple_of(YIELD_EVERY) {
            tokio::task::yield_now().await;
        }
    }
    let lookups = Lookups::load(&svc.db, tenant_id, &columns, &wanted).await?;

    // Pass 2: every row read and checked; unique keys gathered.
    let mut checked = Checked {
        rows: count,
        valid: 0,
        error_count: 0,
        errors: Vec::new(),
    };
    // Per unique key of the descriptor: key → the first row that holds it.
    let mut keys: Vec<HashMap<Key, u64>> = vec![HashMap::new(); descriptor.unique.len()];
    let (_, mut rows) = header(&csv, kind, options)?;
    while let Some(row) = rows.next_row()? {
        if row.number.is_multiple_of(YIELD_EVERY) {
            tokio::task::yield_now().await;
        }
        if row.cells.len() != columns.headers.len() {
            checked.push(vec![cell_count_error(
                &columns,
                row.number,
                row.cells.len(),
            )]);
            continue;
        }
        let built = match build(kind, &columns, &lookups, &ctx, &row.cells) {
            Ok(built) => built,
            Err(problems) => {
                checked.push(row_errors(&columns, row.number, problems));
                continue;
            }
        };
        let mut duplicates = Vec::new();
        for (index, fields) in descriptor.unique.iter().enumerate() {
            let Some(key) = key_of(fields, &built.record) else {
                continue;
            };
            match keys[index].get(&key) {
                Some(first) => duplicates.push(FieldError {
                    field: fields[fields.len() - 1].into(),
                    code: "duplicate_in_file".into(),
                    message: format!(
                        "Row {first} already has this {}",
                        unique_label(kind, fields)
                    ),
                }),
                None => {
                    keys[index].insert(key, row.number);
                }
            }
        }
        if duplicates.is_empty() {
            checked.valid += 1;
        } else {
            checked.push(row_errors(&columns, row.number, duplicates));
        }
    }
    // Unique keys the tenant's live records already hold.
    let mut taken_rows: Vec<(u64, &'static str, String)> = Vec::new();
    for (index, fields) in descriptor.unique.iter().enumerate() {
        let wanted_keys: Vec<Key> = keys[index].keys().cloned().collect();
        let taken =
            db::imports::taken_keys(&svc.db, descriptor, fields, tenant_id, &wanted_keys).await?;
        for key in taken {
            if let Some(row) = keys[index].get(&key) {
                taken_rows.push((*row, fields[fields.len() - 1], unique_label(kind, fields)));
            }
        }
    }
    taken_rows.sort_unstable();
    for (row, field, label) in taken_rows {
        checked.valid = checked.valid.saturating_sub(1);
        checked.push(row_errors(
            &columns,
            row,
            vec![FieldError {
                field: field.into(),
                code: "taken".into(),
                message: format!(
                    "Another live {} already uses this {label}",
                    descriptor.singular
                ),
            }],
        ));
    }
    checked.errors.sort_by_key(|e| e.row);

    let mut report = ImportReport {
        rows: checked.rows,
        valid: checked.valid,
        error_count: checked.error_count,
        errors: checked.errors,
        columns: columns.mappings(),
        import: None,
    };
    if report.error_count > 0 {
        return Ok(ImportOutcome {
            report,
            refused: !options.dry_run,
        });
    }
    if options.dry_run {
        return Ok(ImportOutcome {
            report,
            refused: false,
        });
    }
    if report.rows == 0 {
        return Err(DomainError::bad_request(
            "The file has no rows to import, only its header",
        ));
    }

    // Pass 3: every row created, a thousand per batch, in one transaction.
    let txn = db::begin_write(&svc.db).await?;
    let now = Utc::now();
    let import_id = db::imports::insert(
        &txn,
        tenant_id,
        descriptor.table,
        actor.user_id,
        &options.filename,
        report.rows as i64,
        now,
    )
    .await?;
    let (_, mut rows) = header(&csv, kind, options)?;
    let mut batch: Vec<(FieldMap, Vec<(&'static str, String)>)> = Vec::with_capacity(WRITE_BATCH);
    loop {
        let row = rows.next_row()?;
        let done = row.is_none();
        if let Some(row) = row {
            let built = build(kind, &columns, &lookups, &ctx, &row.cells).map_err(|_| {
                DomainError::Internal(
                    "a row that passed the check failed on the second read".into(),
                )
            })?;
            batch.push((built.record, built.labels));
        }
        if batch.len() == WRITE_BATCH || (done && !batch.is_empty()) {
            write_batch(&txn, actor, kind, import_id, &batch).await?;
            batch.clear();
        }
        if done {
            break;
        }
    }
    txn.commit().await?;
    let stored = db::imports::find(&svc.db, tenant_id, import_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    report.import = Some(summary(stored));
    Ok(ImportOutcome {
        report,
        refused: false,
    })
}

fn unique_label(kind: EntityKind, fields: &[&str]) -> String {
    let descriptor = kind.descriptor();
    let labels: Vec<String> = fields
        .iter()
        .map(|f| {
            descriptor
                .field(f)
                .map_or((*f).to_owned(), |def| def.label.to_lowercase())
        })
        .collect();
    labels.join(" and ")
}

/// Inserts one batch of checked records with their `import` history entries. A unique name taken by a
/// write that came in after the check is a 409, and the whole import rolls back.
async fn write_batch(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    kind: EntityKind,
    import_id: i64,
    batch: &[(FieldMap, Vec<(&'static str, String)>)],
) -> Result<(), DomainError> {
    let descriptor = kind.descriptor();
    let records: Vec<FieldMap> = batch.iter().map(|(record, _)| record.clone()).collect();
    let ids = db::records::insert_many(txn, descriptor, actor.tenant_id, actor.user_id, &records)
        .await
        .map_err(|err| match err {
            db::DbError::Unique { .. } => DomainError::conflict_on(
                "file",
                "taken",
                format!(
                    "Another {} with one of these names was just created: check the file again",
                    descriptor.singular
                ),
            ),
            other => other.into(),
        })?;
    let entries: Vec<NewEntry> = ids
        .iter()
        .zip(batch)
        .map(|(id, (record, labels))| {
            let mut after = record.clone();
            for (display, name) in labels {
                after.insert((*display).to_owned(), Value::String(name.clone()));
            }
            let changes = diff(descriptor, None, Some(&Value::Object(after)));
            NewEntry {
                source: Source::Import,
                import_id: Some(import_id),
                ..history::entry(actor, descriptor.table, *id, HistoryAction::Import, changes)
            }
        })
        .collect();
    db::history::insert(txn, &entries).await?;
    Ok(())
}

/// The entities whose imports `actor` sees: those whose module is on.
async fn visible_entities(svc: &Services, actor: &Actor) -> Result<Vec<&'static str>, DomainError> {
    let config = backend_config::current(svc, actor).await?;
    Ok(ENTITY_KINDS
        .into_iter()
        .filter(|kind| config.enabled(*kind))
        .map(|kind| kind.plural())
        .collect())
}

/// `GET /api/imports`: the tenant's imports, newest first (the latest 200).
pub async fn list(svc: &Services, actor: &Actor) -> Result<ImportList, DomainError> {
    actor.require(Action::ReadRecords)?;
    let entities = visible_entities(svc, actor).await?;
    let rows = db::imports::list(&svc.db, actor.tenant_id, &entities, 200).await?;
    Ok(ImportList {
        data: rows.into_iter().map(summary).collect(),
    })
}

/// `DELETE /api/imports/{id}`: moves the import's records (and their cascade children) to the trash, each
/// with a history entry. Records edited since the import are listed and the undo refused, unless `force`.
pub async fn undo(
    svc: &Services,
    actor: &Actor,
    import_id: i64,
    force: bool,
) -> Result<UndoneImport, DomainError> {
    actor.require(Action::DeleteRecord)?;
    let tenant_id = actor.tenant_id;
    let import = db::imports::find(&svc.db, tenant_id, import_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let kind = EntityKind::from_plural(&import.entity)
        .ok_or_else(|| DomainError::Internal("an import of an unknown entity".into()))?;
    backend_config::enabled(svc, actor, kind).await?;
    // Undoing is deleting records the importer created: members may undo their own imports.
    actor.require_on(Action::DeleteRecord, Some(import.user_id), None)?;
    if import.undone_at.is_some() {
        return Err(DomainError::conflict_on(
            "id",
            "already_undone",
            "This import was already undone",
        ));
    }
    let descriptor = kind.descriptor();
    let txn = db::begin_write(&svc.db).await?;
    let records = db::imports::records_of(&txn, descriptor.table, tenant_id, import_id).await?;
    let live: Vec<&db::imports::ImportedRecord> = records.iter().filter(|r| r.live).collect();
    let edited: Vec<i64> = live
        .iter()
        .filter(|r| r.version > 1)
        .map(|r| r.id)
        .collect();
    if !edited.is_empty() && !force {
        let shown: Vec<String> = edited.iter().take(20).map(i64::to_string).collect();
        let more = if edited.len() > 20 { ", …" } else { "" };
        return Err(DomainError::Conflict {
            message: format!(
                "{} of this import's {} were changed since: undo with force=true to move them to the trash as well",
                edited.len(),
                descriptor.label.to_lowercase()
            ),
            details: vec![FieldError {
                field: "records".into(),
                code: "edited_since".into(),
                message: format!("Changed since the import: ids {}{more}", shown.join(", ")),
            }],
        });
    }
    let ids: Vec<i64> = live.iter().map(|r| r.id).collect();
    let now = Utc::now();
    let trashed = db::records::trash_many(&txn, descriptor.table, tenant_id, &ids, now).await?;
    let mut entries: Vec<NewEntry> = trashed
        .iter()
        .map(|id| NewEntry {
            import_id: Some(import_id),
            ..history::entry(
                actor,
                descriptor.table,
                *id,
                HistoryAction::Delete,
                Vec::new(),
            )
        })
        .collect();
    for cascade in descriptor.cascades {
        let children =
            db::records::cascade_many(&txn, cascade.child, cascade.via, tenant_id, &trashed, now)
                .await?;
        entries.extend(children.into_iter().map(|id| {
            history::entry(
                actor,
                cascade.child,
                id,
                HistoryAction::CascadeDelete,
                Vec::new(),
            )
        }));
    }
    db::history::insert(&txn, &entries).await?;
    if !db::imports::mark_undone(&txn, tenant_id, import_id, now).await? {
        return Err(DomainError::conflict_on(
            "id",
            "already_undone",
            "This import was already undone",
        ));
    }
    txn.commit().await?;
    let import = db::imports::find(&svc.db, tenant_id, import_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    Ok(UndoneImport {
        import: summary(import),
        trashed: trashed.len() as u64,
    })
}

/// `force` of an undo.
pub fn parse_force(params: &Params) -> Result<bool, DomainError> {
    let mut force = false;
    params.read_each("Invalid undo parameters", |name, value, _| {
        match (name, value) {
            ("force", "true" | "1") => {
                force = true;
                Read::Taken
            }
            ("force", "false" | "0") => Read::Taken,
            ("force", _) => Read::Bad(problem(name, "invalid", "Must be true or false")),
            _ => Read::Unknown,
        }
    })?;
    Ok(force)
}
