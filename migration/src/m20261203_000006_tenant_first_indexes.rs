//! Every index on a record table starts with `tenant_id` (issue 20). The first migration followed the plan's
//! Step 2.2 and added single-column indexes that span all tenants — `created_at DESC`, the status, `deleted_at`,
//! `tenant_id` alone, and the user and reference columns. At a million rows PostgreSQL chose the cross-tenant
//! `created_at` index for a one-status report in the default order and filtered tenant and status row by row
//! (60 ms, 35 requests a second at 32 connections). So:
//! - dropped: `tenant_id` alone (a prefix of the unique `(tenant_id, id)`), `created_at DESC` and `deleted_at`
//!   (the live `(tenant_id, created_at, id)` and `(tenant_id, deleted_at)` serve every list and the trash),
//!   the status alone (the live `(tenant_id, status, id)` serves status filters);
//! - replaced by `(tenant_id, column)` on all rows: the assignee, the creator and each reference. The composite
//!   foreign keys check `(tenant_id, column)`, and the reference filters use the same pair;
//! - added, on live rows: `(tenant_id, status, created_at, id)`, so that a status filter in the default order
//!   (newest first, a backward scan) reads only its page;
//! - PostgreSQL only: statistics on `lower(column)` for every substring filter and search field. The trigram
//!   indexes are partial (live rows), and PostgreSQL keeps no statistics for a partial index's expression, so
//!   it guessed the same 0.14% for every needle — 1,591 leads for a word in a fifth of them and for one in
//!   none — and chose between the trigram bitmap and walking the sort order blind.
//!
//! The lists are written out, as in the earlier migrations, so that this one stays what it was when it ran;
//! `server/tests/api/report_plans.rs` checks that no report statement scans an index without `tenant_id` first.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::m20261125_000004_report_indexes::SUBSTRING_FIELDS;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, status column, reference columns).
const TABLES: [(&str, Option<&str>, &[&str]); 5] = [
    ("leads", Some("lead_status"), &[]),
    (
        "clients",
        Some("client_status"),
        &["converted_from_lead_id"],
    ),
    ("projects", Some("project_status"), &["client_id"]),
    ("accounts", None, &["client_id"]),
    (
        "tasks",
        Some("task_status"),
        &["project_id", "lead_id", "client_id"],
    ),
];

const LIVE: &str = "WHERE deleted_at IS NULL";

/// Each step as (what `up` runs, what `down` runs to undo it).
fn steps(backend: DbBackend) -> Vec<(String, String)> {
    let mut steps = Vec::new();
    for (table, status, references) in TABLES {
        let mut single = vec![
            ("tenant_id", "tenant_id"),
            ("created_at", "created_at DESC"),
            ("deleted_at", "deleted_at"),
        ];
        if let Some(status) = status {
            single.push(("status", status));
        }
        for (suffix, columns) in single {
            steps.push((
                format!("DROP INDEX idx_{table}_{suffix}"),
                format!("CREATE INDEX idx_{table}_{suffix} ON {table} ({columns})"),
            ));
        }
        for column in ["assigned_to", "created_by"].iter().chain(references) {
            steps.push((
                format!("DROP INDEX idx_{table}_{column}"),
                format!("CREATE INDEX idx_{table}_{column} ON {table} ({column})"),
            ));
            steps.push((
                format!(
                    "CREATE INDEX idx_{table}_tenant_{column} ON {table} (tenant_id, {column})"
                ),
                format!("DROP INDEX idx_{table}_tenant_{column}"),
            ));
        }
        if let Some(status) = status {
            steps.push((
                format!(
                    "CREATE INDEX idx_{table}_live_{status}_created_at ON {table} (tenant_id, {status}, created_at, id) {LIVE}"
                ),
                format!("DROP INDEX idx_{table}_live_{status}_created_at"),
            ));
        }
    }
    if backend == DbBackend::Postgres {
        // Migration 4's list, which stays what it was when that migration ran.
        for (table, columns) in SUBSTRING_FIELDS {
            for column in columns {
                steps.push((
                    format!("CREATE STATISTICS stx_{table}_lower_{column} ON (lower({column})) FROM {table}"),
                    format!("DROP STATISTICS stx_{table}_lower_{column}"),
                ));
            }
            // Gathered now rather than at autovacuum's next pass: a large table would otherwise keep the blind
            // estimates until then.
            steps.push((format!("ANALYZE {table}"), String::new()));
        }
    }
    steps
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (up, _) in steps(manager.get_database_backend()) {
            manager.get_connection().execute_unprepared(&up).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (_, down) in steps(manager.get_database_backend()).into_iter().rev() {
            if !down.is_empty() {
                manager.get_connection().execute_unprepared(&down).await?;
            }
        }
        Ok(())
    }
}
