//! One tenant's data as one archive (`.tar.gz`): `manifest.json` (the tenant, the time, each table's file and
//! row count) and one JSON-lines file per table — the tenant itself (with its configuration), its users
//! (without password hashes), statuses, configuration changes and every record, the trash included. For data
//! portability and as a source for recovering one tenant by hand.
//!
//! Every table is read in one snapshot and spooled to a temporary file first (a tar entry states its size
//! before its bytes), then archived: to a file by `keel export-tenant`, as a download by the API.

use std::{
    io::{BufWriter, Write},
    path::Path,
};

use chrono::{DateTime, SubsecRound, Utc};
use flate2::{write::GzEncoder, Compression};
use futures_util::{stream::BoxStream, StreamExt};
use sea_orm::DatabaseConnection;
use serde_json::{json, Map, Value};
use shared::permissions::Action;

use super::{Actor, DomainError, Services};
use crate::db::{
    self,
    backup::{self as stored, RowFilter},
};

/// Every table that holds a tenant's data, in the archive's order, with the column that names the tenant.
pub const TABLES: [(&str, &str); 15] = [
    ("tenants", "id"),
    ("users", "tenant_id"),
    ("saved_views", "tenant_id"),
    ("user_default_views", "tenant_id"),
    ("report_schedules", "tenant_id"),
    ("report_runs", "tenant_id"),
    ("statuses", "tenant_id"),
    ("config_changes", "tenant_id"),
    ("imports", "tenant_id"),
    ("history_entries", "tenant_id"),
    ("leads", "tenant_id"),
    ("clients", "tenant_id"),
    ("projects", "tenant_id"),
    ("accounts", "tenant_id"),
    ("tasks", "tenant_id"),
];

/// Columns never exported.
pub const LEFT_OUT_COLUMNS: [(&str, &str); 2] = [
    ("users", "password_hash"),
    ("report_schedules", "webhook_secret"),
];

/// Tenant-scoped tables that are not exported: sign-in sessions are credentials, and mean nothing elsewhere.
pub const LEFT_OUT_TABLES: [&str; 1] = ["sessions"];

/// An archive ready to be written: its tables spooled, its manifest made.
pub struct TenantArchive {
    pub filename: String,
    pub tenant_name: String,
    /// Each table and its row count, in the archive's order.
    pub tables: Vec<(String, u64)>,
    manifest: Vec<u8>,
    exported_at: DateTime<Utc>,
    spool: tempfile::TempDir,
}

/// `GET /api/admin/export`: the actor's own tenant, administrators only.
pub async fn export_for(svc: &Services, actor: &Actor) -> Result<TenantArchive, DomainError> {
    actor.require(Action::ExportTenantData)?;
    prepare(&svc.db, actor.tenant_id).await
}

/// Reads every table of the tenant; an unknown tenant is `NotFound`.
pub async fn prepare(
    db: &DatabaseConnection,
    tenant_id: i64,
) -> Result<TenantArchive, DomainError> {
    let tenant = db::accounts::find_tenant(db, tenant_id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let exported_at = Utc::now().trunc_subsecs(0);
    let spool = tempfile::tempdir().map_err(DomainError::internal)?;
    let txn = stored::read_snapshot(db).await?;
    let shapes = stored::tables(&txn).await?;
    let mut tables = Vec::new();
    for (table, tenant_column) in TABLES {
        let shape = shapes.iter().find(|s| s.name == table).ok_or_else(|| {
            DomainError::internal(std::io::Error::other(format!("no table {table}")))
        })?;
        let columns: Vec<String> = shape
            .column_names()
            .into_iter()
            .filter(|column| !LEFT_OUT_COLUMNS.contains(&(table, column.as_str())))
            .collect();
        let mut rows = stored::rows(
            &txn,
            shape,
            &columns,
            RowFilter::Equals(tenant_column, tenant_id),
            true,
        )
        .await?;
        let file = std::fs::File::create(spool.path().join(format!("{table}.jsonl")))
            .map_err(DomainError::internal)?;
        let mut out = BufWriter::new(file);
        let mut count = 0u64;
        while let Some(line) = rows.next().await {
            out.write_all(line?.as_bytes())
                .and_then(|()| out.write_all(b"\n"))
                .map_err(DomainError::internal)?;
            count += 1;
        }
        out.flush().map_err(DomainError::internal)?;
        tables.push((table.to_owned(), count));
    }
    let _ = txn.rollback().await;

    let manifest = json!({
        "format": 1,
        "keel_version": env!("CARGO_PKG_VERSION"),
        "exported_at": exported_at,
        "tenant": {"id": tenant.id, "name": tenant.name, "slug": tenant.slug},
        "tables": tables.iter().map(|(table, rows)| {
            (table.clone(), json!({"file": format!("{table}.jsonl"), "rows": rows}))
        }).collect::<Map<String, Value>>(),
        "left_out": LEFT_OUT_COLUMNS.iter().map(|(t, c)| format!("{t}.{c}"))
            .chain(LEFT_OUT_TABLES.iter().map(|t| t.to_string()))
            .collect::<Vec<_>>(),
    });
    let manifest = serde_json::to_vec_pretty(&manifest).map_err(DomainError::internal)?;
    Ok(TenantArchive {
        filename: format!(
            "keel-export-{}-{}.tar.gz",
            tenant.slug,
            exported_at.format("%Y%m%dT%H%M%SZ")
        ),
        tenant_name: tenant.name,
        tables,
        manifest,
        exported_at,
        spool,
    })
}

impl TenantArchive {
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|(_, rows)| rows).sum()
    }

    /// Writes the `.tar.gz` to `out` (blocking) and hands `out` back.
    pub fn write_to<W: Write>(&self, out: W) -> std::io::Result<W> {
        let mut archive = tar::Builder::new(GzEncoder::new(out, Compression::default()));
        let mtime = self.exported_at.timestamp().max(0).unsigned_abs();
        let header = |size: u64| {
            let mut header = tar::Header::new_gnu();
            header.set_size(size);
            header.set_mode(0o644);
            header.set_mtime(mtime);
            header.set_entry_type(tar::EntryType::Regular);
            header
        };
        archive.append_data(
            &mut header(self.manifest.len() as u64),
            "manifest.json",
            self.manifest.as_slice(),
        )?;
        for (table, _) in &self.tables {
            let name = format!("{table}.jsonl");
            let path = self.spool.path().join(&name);
            let size = std::fs::metadata(&path)?.len();
            archive.append_data(&mut header(size), &name, std::fs::File::open(&path)?)?;
        }
        archive.into_inner()?.finish()
    }

    /// Writes the archive to `path`: to a temporary file beside it, renamed when complete.
    pub fn write_file(&self, path: &Path) -> std::io::Result<u64> {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let temp = tempfile::NamedTempFile::new_in(dir)?;
        let mut file = self.write_to(BufWriter::new(temp.as_file()))?;
        file.flush()?;
        drop(file);
        temp.as_file().sync_all()?;
        let size = temp.as_file().metadata()?.len();
        temp.persist(path).map_err(|err| err.error)?;
        Ok(size)
    }

    /// The archive as a stream of chunks, produced on a blocking thread as they are taken (a few chunks in
    /// flight at most). A failure part-way ends the stream with an error, so the download is aborted rather
    /// than delivered looking complete.
    pub fn into_stream(self) -> BoxStream<'static, Result<Vec<u8>, std::io::Error>> {
        let (sender, mut receiver) = tokio::sync::mpsc::channel(4);
        tokio::task::spawn_blocking(move || {
            let writer = ChannelWriter {
                sender: sender.clone(),
                buffer: Vec::with_capacity(CHUNK),
            };
            let written = self.write_to(writer).and_then(|mut writer| writer.flush());
            if let Err(err) = written {
                if err.kind() != std::io::ErrorKind::BrokenPipe {
                    tracing::error!(error = %err, "tenant export failed part-way");
                    let _ = sender.blocking_send(Err(std::io::Error::other("export failed")));
                }
            }
        });
        Box::pin(futures_util::stream::poll_fn(move |cx| {
            receiver.poll_recv(cx)
        }))
    }
}

const CHUNK: usize = 64 * 1024;

/// Hands the bytes written to it over a channel, a chunk at a time.
struct ChannelWriter {
    sender: tokio::sync::mpsc::Sender<Result<Vec<u8>, std::io::Error>>,
    buffer: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK));
        self.sender.blocking_send(Ok(chunk)).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the download was abandoned")
        })
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}
