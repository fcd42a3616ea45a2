//! A saved view's layout (issue 18): `table` (every view so far) or `board`, the pipeline board of the same
//! filters. Only entities with a status have a board; the database refuses a board view of any other, as the
//! API does.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The entities with a board, by plural. Written out: a later entity widens it in its own migration.
const BOARD_ENTITIES: &str = "'leads', 'clients', 'projects', 'tasks'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The same statement on both databases: a column check may name another column of its row.
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "ALTER TABLE saved_views ADD COLUMN layout VARCHAR(10) NOT NULL DEFAULT 'table' \
                 CHECK (layout = 'table' OR (layout = 'board' AND entity IN ({BOARD_ENTITIES})))"
            ))
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Alias::new("saved_views"))
                    .drop_column(Alias::new("layout"))
                    .to_owned(),
            )
            .await
    }
}
