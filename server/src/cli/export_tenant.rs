//! `keel export-tenant --tenant ID --out FILE`: one tenant's data as a `.tar.gz` of JSON-lines files with a
//! manifest (see `domain::tenant_export`). The file appears only when complete.

use std::path::PathBuf;

use clap::Args;

use super::AnyError;
use crate::{
    config::Config,
    db,
    domain::{backup::grouped, tenant_export, DomainError},
};

#[derive(Args)]
pub struct ExportTenant {
    /// The tenant's id.
    #[arg(long)]
    tenant: i64,
    /// The archive to write (.tar.gz).
    #[arg(long)]
    out: PathBuf,
}

pub async fn run(config: Config, args: ExportTenant) -> Result<(), AnyError> {
    let db = db::connect(&config.database_url).await?;
    let archive = tenant_export::prepare(&db, args.tenant)
        .await
        .map_err(|err| match err {
            DomainError::NotFound => format!(
                "export-tenant: there is no tenant with id {}; nothing was written",
                args.tenant
            ),
            other => format!("export-tenant failed: {other}"),
        })?;
    let _ = db.close().await;
    let out = args.out.clone();
    let written = tokio::task::spawn_blocking(move || {
        let size = archive.write_file(&out)?;
        Ok::<_, std::io::Error>((archive, size))
    })
    .await?;
    let (archive, size) = written.map_err(|err| {
        format!(
            "export-tenant: cannot write {}: {err}; nothing was written",
            args.out.display()
        )
    })?;
    println!(
        "exported tenant {} \"{}\": {} tables, {} rows to {} ({} bytes)",
        args.tenant,
        archive.tenant_name,
        archive.tables.len(),
        grouped(archive.total_rows()),
        args.out.display(),
        grouped(size)
    );
    Ok(())
}
