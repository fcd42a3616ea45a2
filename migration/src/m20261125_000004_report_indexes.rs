//! Indexes for report lists at scale (issue 8), all on live rows (`deleted_at IS NULL`, the lists' scope):
//! - status sorts: (tenant_id, status, id), like every other allowlisted sort since the first migration;
//! - PostgreSQL only: trigram GIN indexes (pg_trgm) on `lower(column)` for every substring filter and `q`
//!   search field — the list filters with `lower(column) LIKE '%needle%'`, so the index is on that
//!   expression — and, for sort keys that can be NULL, a second (tenant_id, key DESC NULLS LAST, id DESC)
//!   index: `ORDER BY key DESC NULLS LAST` is not a backward scan of the ascending one.
//!
//! The lists are written out rather than derived from the `shared` descriptors so that this migration stays
//! what it was when it ran; `server/tests/schema.rs` checks them against the descriptors.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const STATUS_SORTS: [(&str, &str); 4] = [
    ("leads", "lead_status"),
    ("clients", "client_status"),
    ("projects", "project_status"),
    ("tasks", "task_status"),
];

pub(crate) const SUBSTRING_FIELDS: [(&str, &[&str]); 5] = [
    (
        "leads",
        &["company_name", "contact_name", "email", "source"],
    ),
    ("clients", &["company_name", "contact_name", "email"]),
    ("projects", &["project_name"]),
    ("accounts", &["account_name", "industry"]),
    ("tasks", &["title"]),
];

const NULLABLE_SORTS: [(&str, &[&str]); 5] = [
    ("leads", &["contact_name", "email", "source"]),
    ("clients", &["contact_name", "email"]),
    (
        "projects",
        &["budget", "actual_cost", "start_date", "end_date"],
    ),
    ("accounts", &["account_type", "industry", "annual_revenue"]),
    ("tasks", &["due_date"]),
];

const LIVE: &str = "WHERE deleted_at IS NULL";

fn statements(backend: DbBackend) -> Vec<String> {
    let mut sql = Vec::new();
    for (table, status) in STATUS_SORTS {
        sql.push(format!(
            "CREATE INDEX idx_{table}_live_{status} ON {table} (tenant_id, {status}, id) {LIVE}"
        ));
    }
    if backend != DbBackend::Postgres {
        return sql;
    }
    sql.push("CREATE EXTENSION IF NOT EXISTS pg_trgm".into());
    for (table, columns) in SUBSTRING_FIELDS {
        for column in columns {
            sql.push(format!(
                "CREATE INDEX idx_{table}_trgm_{column} ON {table} USING gin (lower({column}) gin_trgm_ops) {LIVE}"
            ));
        }
    }
    for (table, columns) in NULLABLE_SORTS {
        for column in columns {
            sql.push(format!(
                "CREATE INDEX idx_{table}_live_{column}_desc ON {table} (tenant_id, {column} DESC NULLS LAST, id DESC) {LIVE}"
            ));
        }
    }
    sql
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for statement in statements(manager.get_database_backend()) {
            manager
                .get_connection()
                .execute_unprepared(&statement)
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        // The extension stays: other objects in the database may use it, and it holds no data.
        for statement in statements(backend) {
            let Some(name) = statement
                .strip_prefix("CREATE INDEX ")
                .and_then(|rest| rest.split_whitespace().next())
            else {
                continue;
            };
            manager
                .get_connection()
                .execute_unprepared(&format!("DROP INDEX {name}"))
                .await?;
        }
        Ok(())
    }
}
