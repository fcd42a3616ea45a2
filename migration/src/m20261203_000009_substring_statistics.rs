//! Finer statistics for the substring filters' expressions (issue 20, PostgreSQL only). Migration 6 gave each
//! `lower(column)` its own statistics, with the default target of 100: a histogram of 100 values, in which a
//! word shared by 2% of a million company names ("robotics") shows up by chance or not at all. The planner
//! then guessed 729 matches for its 17,000 and, for a dense page, chose to read every match through the
//! trigram bitmap and sort them (35–55 ms) over walking the sort order's index until the page is full (2–9
//! ms). A target of 1,000 samples ten times as many rows and brings the guess within a third of the truth;
//! `ANALYZE` of a million leads then takes about 11 s instead of 2 (autovacuum's, in the background).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::m20261125_000004_report_indexes::SUBSTRING_FIELDS;

#[derive(DeriveMigrationName)]
pub struct Migration;

const TARGET: i32 = 1000;

async fn set_targets(manager: &SchemaManager<'_>, target: i32) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let db = manager.get_connection();
    for (table, columns) in SUBSTRING_FIELDS {
        for column in columns {
            db.execute_unprepared(&format!(
                "ALTER STATISTICS stx_{table}_lower_{column} SET STATISTICS {target}"
            ))
            .await?;
        }
        db.execute_unprepared(&format!("ANALYZE {table}")).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set_targets(manager, TARGET).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // -1: the default target again.
        set_targets(manager, -1).await
    }
}
