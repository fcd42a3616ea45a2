//! Record history and the audit log: the entries every write adds (in its own transaction), a record's
//! history, reverting one entry through the ordinary write path, and the tenant's audit log for admins.

use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde_json::{json, Value};
use shared::{
    history::{diff, FieldChange, HistoryAction, HistoryEntry, HistoryPage, Source},
    permissions::Action,
    EntityKind, FieldError,
};

use super::{
    params::{parse_id, problem, Params, Read},
    records::{
        export::{push_cell, CsvExport},
        write::{self, Change, Provenance, Written},
    },
    Actor, DomainError, Services,
};
use crate::db::{
    self,
    history::{AuditFilter, NewEntry},
    records::Liveness,
};

/// The most entries one page of a history or of the audit log holds.
pub const MAX_HISTORY_PAGE: u64 = 200;
pub const DEFAULT_HISTORY_PAGE: u64 = 50;

/// The request id a history entry carries (the column holds 64 characters; ours are shorter).
fn request_id() -> Option<String> {
    crate::observability::request::current_request_id().map(|id| id.chars().take(64).collect())
}

/// An entry of `actor`'s, written now, with the request being served.
pub fn entry(
    actor: &Actor,
    entity: &'static str,
    record_id: i64,
    action: HistoryAction,
    changes: Vec<FieldChange>,
) -> NewEntry {
    NewEntry {
        tenant_id: actor.tenant_id,
        entity,
        record_id,
        action,
        user_id: Some(actor.user_id),
        at: Utc::now(),
        request_id: request_id(),
        source: actor.source,
        import_id: None,
        reverts_id: None,
        changes,
    }
}

/// The entries of one record write: the record's own, and one per child its cascade moved.
pub async fn record_write(
    txn: &impl ConnectionTrait,
    written: &Written<'_>,
    provenance: Provenance,
) -> Result<(), DomainError> {
    let descriptor = written.kind.descriptor();
    let action = if provenance.reverts.is_some() {
        HistoryAction::Revert
    } else {
        match written.action {
            Action::CreateRecord => HistoryAction::Create,
            Action::DeleteRecord => HistoryAction::Delete,
            Action::RestoreRecord => HistoryAction::Restore,
            _ => HistoryAction::Update,
        }
    };
    let changes = match written.action {
        // A delete or restore changes no field; the action says it.
        Action::DeleteRecord | Action::RestoreRecord => Vec::new(),
        _ => diff(
            descriptor,
            written.before.map(|r| &r.json),
            written.after.map(|r| &r.json),
        ),
    };
    let mut own = entry(written.actor, descriptor.table, written.id, action, changes);
    own.reverts_id = provenance.reverts;
    own.import_id = provenance.import_id;
    let cascade_action = if written.action == Action::RestoreRecord {
        HistoryAction::CascadeRestore
    } else {
        HistoryAction::CascadeDelete
    };
    let mut entries = vec![own];
    for (table, ids) in written.cascaded {
        entries.extend(
            ids.iter()
                .map(|id| entry(written.actor, table, *id, cascade_action, Vec::new())),
        );
    }
    db::history::insert(txn, &entries).await?;
    Ok(())
}

/// The entries of records a configuration moved off a removed status.
pub async fn record_status_moves(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    kind: EntityKind,
    ids: &[i64],
    from: &str,
    to: &str,
) -> Result<(), DomainError> {
    let descriptor = kind.descriptor();
    let Some((status_field, _)) = descriptor.status else {
        return Ok(());
    };
    let change = FieldChange {
        field: status_field.into(),
        old: json!(from),
        new: json!(to),
        old_label: None,
        new_label: None,
    };
    let entries: Vec<NewEntry> = ids
        .iter()
        .map(|id| NewEntry {
            source: Source::Config,
            ..entry(
                actor,
                descriptor.table,
                *id,
                HistoryAction::StatusMove,
                vec![change.clone()],
            )
        })
        .collect();
    db::history::insert(txn, &entries).await?;
    Ok(())
}

/// The page size of a history or audit request: `page_size` when given (1..=200), else 50.
fn page_size(page_size: Option<u64>) -> Result<u64, DomainError> {
    match page_size {
        None => Ok(DEFAULT_HISTORY_PAGE),
        Some(n) if (1..=MAX_HISTORY_PAGE).contains(&n) => Ok(n),
        Some(_) => Err(DomainError::validation(vec![FieldError {
            field: "page_size".into(),
            code: "out_of_range".into(),
            message: format!("Must be between 1 and {MAX_HISTORY_PAGE}"),
        }])),
    }
}

fn paged(mut data: Vec<HistoryEntry>, size: u64) -> HistoryPage {
    let more = data.len() as u64 > size;
    data.truncate(size as usize);
    HistoryPage {
        next_before: more.then(|| data.last().map(|e| e.id)).flatten(),
        data,
    }
}

/// `GET /api/{entity}/{id}/history`: a record's entries (live or in the trash), newest first, for anyone who
/// may read it. One statement.
pub async fn of_record(
    svc: &Services,
    actor: &Actor,
    kind: EntityKind,
    record_id: i64,
    before: Option<i64>,
    size: Option<u64>,
) -> Result<HistoryPage, DomainError> {
    actor.require(Action::ReadRecords)?;
    super::backend_config::enabled(svc, actor, kind).await?;
    let size = page_size(size)?;
    let entries = db::history::of_record(
        &svc.db,
        kind.descriptor().table,
        actor.tenant_id,
        record_id,
        before,
        size + 1,
    )
    .await?
    .ok_or(DomainError::NotFound)?;
    Ok(paged(entries, size))
}

/// What the audit log is asked for.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub filter: AuditFilter,
    pub before: Option<i64>,
    pub page_size: Option<u64>,
}

/// `GET /api/audit`: the tenant's entries, newest first, for admins.
pub async fn audit(
    svc: &Services,
    actor: &Actor,
    query: &AuditQuery,
) -> Result<HistoryPage, DomainError> {
    actor.require(Action::ReadAudit)?;
    let size = page_size(query.page_size)?;
    let entries = db::history::audit_page(
        &svc.db,
        actor.tenant_id,
        &query.filter,
        query.before,
        size + 1,
    )
    .await?;
    Ok(paged(entries, size))
}

/// Reads every audit entry matching `filter`, page by page (for the CSV export).
pub async fn audit_chunk(
    svc: &Services,
    tenant_id: i64,
    filter: &AuditFilter,
    before: Option<i64>,
    rows: u64,
) -> Result<Vec<HistoryEntry>, DomainError> {
    Ok(db::history::audit_page(&svc.db, tenant_id, filter, before, rows).await?)
}

/// Deletes entries older than the retention period, in batches; answers how many went.
pub async fn clean(svc: &Services, now: DateTime<Utc>, days: u32) -> Result<u64, DomainError> {
    let cutoff = now - chrono::Duration::days(i64::from(days));
    let mut total = 0;
    loop {
        let deleted = db::history::delete_older_than(&svc.db, cutoff, 10_000).await?;
        total += deleted;
        if deleted < 10_000 {
            return Ok(total);
        }
    }
}

/// What reverting an entry does to its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Undo {
    /// Put the old values of the changed fields back.
    Fields,
    /// Move the record to the trash (the entry created or restored it).
    Trash,
    /// Bring it back from the trash (the entry deleted it).
    Restore,
}

/// How deep a chain of reverts of reverts is followed.
const MAX_REVERT_CHAIN: usize = 20;

/// What undoing `entry` means. A revert with changed fields is undone field by field; one without (it
/// trashed or restored the record) is the opposite of what it undid.
async fn undo_of(
    svc: &Services,
    tenant_id: i64,
    entry: &HistoryEntry,
) -> Result<Undo, DomainError> {
    let mut current = entry.clone();
    // Each revert followed flips what undoing means.
    for flips in 0..MAX_REVERT_CHAIN {
        let undo = match current.action {
            HistoryAction::Create | HistoryAction::Import => Some(Undo::Trash),
            HistoryAction::Restore | HistoryAction::CascadeRestore => Some(Undo::Trash),
            HistoryAction::Delete | HistoryAction::CascadeDelete => Some(Undo::Restore),
            HistoryAction::Update | HistoryAction::StatusMove => Some(Undo::Fields),
            HistoryAction::Revert if !current.changes.is_empty() => Some(Undo::Fields),
            HistoryAction::Revert => None,
            HistoryAction::Configure
            | HistoryAction::UserCreate
            | HistoryAction::UserUpdate
            | HistoryAction::UserDeactivate => {
                return Err(DomainError::bad_request("This entry cannot be reverted"))
            }
        };
        if let Some(undo) = undo {
            return Ok(match (undo, flips % 2 == 1) {
                (Undo::Trash, true) => Undo::Restore,
                (Undo::Restore, true) => Undo::Trash,
                (undo, _) => undo,
            });
        }
        let reverted = current.reverts.ok_or_else(|| {
            DomainError::Internal("a revert entry without what it reverted".into())
        })?;
        current = db::history::find(&svc.db, tenant_id, &entry.entity, entry.record_id, reverted)
            .await?
            .ok_or_else(|| {
                DomainError::conflict_on(
                    "entry",
                    "history_gone",
                    "The entry this one reverted is no longer kept: revert it by hand",
                )
            })?;
    }
    Err(DomainError::bad_request(
        "This chain of reverts is too long to follow: change the record by hand",
    ))
}

/// Absent, null and blank text all mean "no value" (as in `shared::history::diff`).
fn same_value(a: Option<&Value>, b: &Value) -> bool {
    let blank = |v: Option<&Value>| match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        _ => false,
    };
    (blank(a) && blank(Some(b))) || a == Some(b)
}

/// The fields of `entry` that no longer hold the values it wrote, with what they hold now.
fn changed_since(entry: &HistoryEntry, current: &Value) -> Vec<FieldError> {
    entry
        .changes
        .iter()
        .filter(|change| !same_value(current.get(&change.field), &change.new))
        .map(|change| {
            let now = current.get(&change.field).cloned().unwrap_or(Value::Null);
            FieldError {
                field: change.field.clone(),
                code: "changed_since".into(),
                message: format!(
                    "Changed since this entry: it now holds {}",
                    match &now {
                        Value::Null => "no value".to_owned(),
                        Value::String(s) if s.is_empty() => "no value".to_owned(),
                        Value::String(s) => format!("“{s}”"),
                        other => other.to_string(),
                    }
                ),
            }
        })
        .collect()
}

fn conflict(details: Vec<FieldError>) -> DomainError {
    DomainError::Conflict {
        message: "The record was changed since this entry: these fields no longer hold its values"
            .into(),
        details,
    }
}

/// `POST /api/{entity}/{id}/history/{entry_id}/revert`: undoes one entry through the ordinary write path
/// (permissions, the tenant's rules and transitions, the version), recorded as a revert. An update is undone
/// by putting back the old values of the fields it changed, provided they still hold its new values; a
/// delete by a restore; a create or restore by a delete.
pub async fn revert(
    svc: &Services,
    actor: &Actor,
    kind: EntityKind,
    record_id: i64,
    entry_id: i64,
) -> Result<Option<Value>, DomainError> {
    actor.require(Action::ReadRecords)?;
    super::backend_config::enabled(svc, actor, kind).await?;
    let descriptor = kind.descriptor();
    let tenant_id = actor.tenant_id;
    let entry = db::history::find(&svc.db, tenant_id, descriptor.table, record_id, entry_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let undo = undo_of(svc, tenant_id, &entry).await?;
    let live = db::records::find(&svc.db, descriptor, tenant_id, record_id, Liveness::Live).await?;
    let provenance = Provenance {
        reverts: Some(entry.id),
        import_id: None,
    };
    let change = match (undo, &live) {
        (Undo::Restore, Some(_)) => {
            return Err(DomainError::conflict_on(
                "entry",
                "not_in_trash",
                format!("This {} is not in the trash", descriptor.singular),
            ))
        }
        (Undo::Restore, None) => Change::Restore { id: record_id },
        (Undo::Trash | Undo::Fields, None) => {
            return Err(DomainError::conflict_on(
                "entry",
                "in_trash",
                format!(
                    "This {} is in the trash: restore it first",
                    descriptor.singular
                ),
            ))
        }
        (Undo::Trash, Some(current)) => {
            let changed = changed_since(&entry, &current.json);
            if !changed.is_empty() {
                return Err(conflict(changed));
            }
            Change::Delete { id: record_id }
        }
        (Undo::Fields, Some(current)) => {
            let changed = changed_since(&entry, &current.json);
            if !changed.is_empty() {
                return Err(conflict(changed));
            }
            let mut patch = serde_json::Map::new();
            for change in &entry.changes {
                patch.insert(change.field.clone(), change.old.clone());
            }
            patch.insert("version".into(), json!(current.version()));
            let body = serde_json::to_vec(&patch).map_err(DomainError::internal)?;
            return write::write_with(
                svc,
                actor,
                kind,
                Change::Update {
                    id: record_id,
                    body: &body,
                },
                provenance,
            )
            .await;
        }
    };
    write::write_with(svc, actor, kind, change, provenance).await
}

fn bad(name: &str, message: impl Into<String>) -> Read {
    Read::Bad(problem(name, "invalid", message))
}

fn read_id(name: &str, value: &str, slot: &mut Option<i64>) -> Read {
    match parse_id(value) {
        Some(id) => {
            *slot = Some(id);
            Read::Taken
        }
        None => bad(name, "Must be a positive integer id"),
    }
}

fn read_page_size(value: &str, slot: &mut Option<u64>) -> Read {
    match value.parse::<u64>() {
        Ok(n) if (1..=MAX_HISTORY_PAGE).contains(&n) && !value.starts_with(['0', '+']) => {
            *slot = Some(n);
            Read::Taken
        }
        _ => Read::Bad(problem(
            "page_size",
            "out_of_range",
            format!("Must be between 1 and {MAX_HISTORY_PAGE}"),
        )),
    }
}

/// A bound of the audit's date range: a day (`2026-12-01`, its start in UTC) or an RFC 3339 instant.
fn read_time(name: &str, value: &str, slot: &mut Option<DateTime<Utc>>) -> Read {
    let parsed = DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d")
                .ok()
                .filter(|_| value.len() == 10)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        });
    match parsed {
        Some(time) => {
            *slot = Some(time);
            Read::Taken
        }
        None => bad(name, "Must be a date (YYYY-MM-DD) or an RFC 3339 time"),
    }
}

/// `before` and `page_size` of `GET /api/{entity}/{id}/history`.
pub fn parse_page(params: &Params) -> Result<(Option<i64>, Option<u64>), DomainError> {
    let (mut before, mut size) = (None, None);
    params.read_each("Invalid history parameters", |name, value, _| match name {
        "before" => read_id(name, value, &mut before),
        "page_size" => read_page_size(value, &mut size),
        _ => Read::Unknown,
    })?;
    Ok((before, size))
}

/// The audit log's parameters: `user_id`, `entity`, `action`, `from` (inclusive), `to` (a day: through
/// its end; an instant: before it), `import_id`, `before`, `page_size`.
pub fn parse_audit(params: &Params, paged: bool) -> Result<AuditQuery, DomainError> {
    let mut query = AuditQuery::default();
    let mut to_day = false;
    params.read_each(
        "Invalid audit log parameters",
        |name, value, _| match name {
            "user_id" => read_id(name, value, &mut query.filter.user_id),
            "import_id" => read_id(name, value, &mut query.filter.import_id),
            "entity"
                if AUDIT_ENTITIES.contains(&value) || EntityKind::from_plural(value).is_some() =>
            {
                query.filter.entity = Some(value.to_owned());
                Read::Taken
            }
            "entity" => bad(name, "Must be an entity's plural, `users` or `config`"),
            "action" => match HistoryAction::parse(value) {
                Some(action) => {
                    query.filter.action = Some(action);
                    Read::Taken
                }
                None => bad(name, "Unknown action"),
            },
            "from" => read_time(name, value, &mut query.filter.from),
            "to" => {
                to_day = value.len() == 10;
                read_time(name, value, &mut query.filter.to)
            }
            "before" if paged => read_id(name, value, &mut query.before),
            "page_size" if paged => read_page_size(value, &mut query.page_size),
            _ => Read::Unknown,
        },
    )?;
    if to_day {
        query.filter.to = query.filter.to.map(|t| t + chrono::Duration::days(1));
    }
    if let (Some(from), Some(to)) = (query.filter.from, query.filter.to) {
        if from >= to {
            return Err(DomainError::validation(vec![problem(
                "to",
                "invalid_range",
                "Must be after `from`",
            )]));
        }
    }
    Ok(query)
}

/// What the audit log lists besides records.
pub const AUDIT_ENTITIES: [&str; 2] = ["users", "config"];

/// Entries per statement of the audit export.
const EXPORT_CHUNK: u64 = 1000;

const EXPORT_HEADER: [&str; 12] = [
    "Entry",
    "Time",
    "User ID",
    "User",
    "Action",
    "Entity",
    "Record ID",
    "Source",
    "Request",
    "Import",
    "Reverts",
    "Changes",
];

fn export_rows(entries: &[HistoryEntry]) -> String {
    let mut out = String::with_capacity(entries.len() * 200);
    for entry in entries {
        let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        let changes = serde_json::to_string(&entry.changes).unwrap_or_default();
        let cells: [(String, bool); 12] = [
            (entry.id.to_string(), false),
            (entry.at.clone(), false),
            (number(entry.user_id), false),
            (entry.user_name.clone().unwrap_or_default(), true),
            (entry.action.key().to_owned(), false),
            (entry.entity.clone(), false),
            (entry.record_id.to_string(), false),
            (entry.source.key().to_owned(), false),
            (entry.request_id.clone().unwrap_or_default(), true),
            (number(entry.import_id), false),
            (number(entry.reverts), false),
            (changes, true),
        ];
        for (index, (cell, text)) in cells.iter().enumerate() {
            if index > 0 {
                out.push(',');
            }
            push_cell(&mut out, cell, *text);
        }
        out.push_str("\r\n");
    }
    out
}

/// `GET /api/audit/export.csv`: every entry matching the filters, newest first, streamed in chunks of a
/// thousand (one statement each), with no cap on the count.
pub async fn audit_export(
    svc: &Services,
    actor: &Actor,
    query: AuditQuery,
) -> Result<CsvExport, DomainError> {
    actor.require(Action::ReadAudit)?;
    let tenant_id = actor.tenant_id;
    let first = audit_chunk(svc, tenant_id, &query.filter, None, EXPORT_CHUNK).await?;
    let rows = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counted = rows.clone();
    let mut header = String::from("\u{feff}");
    for (index, label) in EXPORT_HEADER.iter().enumerate() {
        if index > 0 {
            header.push(',');
        }
        header.push_str(label);
    }
    header.push_str("\r\n");
    let svc = svc.clone();
    let filter = query.filter;
    let start = (Some(header), Some(first));
    let chunks = futures_util::stream::unfold(start, move |(header, pending)| {
        let (svc, filter, counted) = (svc.clone(), filter.clone(), counted.clone());
        async move {
            if let Some(header) = header {
                return Some((Ok(header.into_bytes()), (None, pending)));
            }
            let entries = pending?;
            if entries.is_empty() {
                return None;
            }
            counted.fetch_add(entries.len() as u64, std::sync::atomic::Ordering::Relaxed);
            let body = export_rows(&entries).into_bytes();
            let next = if (entries.len() as u64) < EXPORT_CHUNK {
                None
            } else {
                let before = entries.last().map(|e| e.id);
                match audit_chunk(&svc, tenant_id, &filter, before, EXPORT_CHUNK).await {
                    Ok(next) => Some(next),
                    Err(err) => {
                        tracing::error!(error = %err, "audit export failed part-way");
                        return Some((Err(std::io::Error::other("export failed")), (None, None)));
                    }
                }
            };
            Some((Ok(body), (None, next)))
        }
    });
    Ok(CsvExport {
        filename: format!("audit-{}.csv", Utc::now().format("%Y-%m-%d")),
        chunks: Box::pin(chunks),
        rows,
    })
}
