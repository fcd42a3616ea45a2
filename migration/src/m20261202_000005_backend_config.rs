//! Custom backends (issue 14):
//! - `statuses.category` (`open`, `won`, `lost`, `closed`) — what a status means whatever its label; the
//!   default statuses get theirs, other closed ones `closed`. `is_closed` stays, kept equal to
//!   `category <> 'open'` by the server, for the first API version.
//! - `tenants.backend_type` (`default` | `custom`), `tenants.config_version` (bumped by every save and read
//!   with every session check, so each server instance knows when its cached configuration is stale) and
//!   `tenants.backend_rules` (the validation rules, workflow rules and features, as JSON text).
//! - `config_changes`: every saved configuration, before and after, by whom and when.

use sea_orm_migration::prelude::*;

use crate::m20261125_000002_crm_records::name;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The default statuses that close a record, and the category each gets.
const CLOSED_DEFAULTS: [(&str, &str, &str); 6] = [
    ("lead", "won", "won"),
    ("lead", "lost", "lost"),
    ("client", "churned", "lost"),
    ("project", "completed", "won"),
    ("project", "cancelled", "lost"),
    ("task", "done", "closed"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(
            "ALTER TABLE statuses ADD COLUMN category VARCHAR(10) NOT NULL DEFAULT 'open' \
             CHECK (category IN ('open', 'won', 'lost', 'closed'))",
        )
        .await?;
        db.execute_unprepared("UPDATE statuses SET category = 'closed' WHERE is_closed")
            .await?;
        for (entity, key, category) in CLOSED_DEFAULTS {
            db.execute_unprepared(&format!(
                "UPDATE statuses SET category = '{category}' WHERE entity = '{entity}' AND key = '{key}' AND is_closed"
            ))
            .await?;
        }
        db.execute_unprepared(
            "ALTER TABLE tenants ADD COLUMN backend_type VARCHAR(10) NOT NULL DEFAULT 'default' \
             CHECK (backend_type IN ('default', 'custom'))",
        )
        .await?;
        db.execute_unprepared(
            "ALTER TABLE tenants ADD COLUMN config_version BIGINT NOT NULL DEFAULT 1 CHECK (config_version >= 1)",
        )
        .await?;
        db.execute_unprepared(
            "ALTER TABLE tenants ADD COLUMN backend_rules TEXT NOT NULL DEFAULT '{}'",
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(name("config_changes"))
                    .col(
                        ColumnDef::new(name("id"))
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(name("tenant_id")).big_integer().not_null())
                    .col(ColumnDef::new(name("user_id")).big_integer())
                    .col(
                        ColumnDef::new(name("changed_at"))
                            .timestamp_with_time_zone()
                            .not_null()
                            .default(Expr::current_timestamp()),
                    )
                    .col(ColumnDef::new(name("version")).big_integer().not_null())
                    .col(ColumnDef::new(name("before")).text().not_null())
                    .col(ColumnDef::new(name("after")).text().not_null())
                    .col(ColumnDef::new(name("summary")).text().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_config_changes_tenant")
                            .from(name("config_changes"), name("tenant_id"))
                            .to(name("tenants"), name("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_config_changes_user")
                            .from(name("config_changes"), name("user_id"))
                            .to(name("users"), name("id"))
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_config_changes_tenant_version")
                    .table(name("config_changes"))
                    .col(name("tenant_id"))
                    .col(name("version"))
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(name("config_changes")).to_owned())
            .await?;
        let db = manager.get_connection();
        for column in ["backend_rules", "config_version", "backend_type"] {
            db.execute_unprepared(&format!("ALTER TABLE tenants DROP COLUMN {column}"))
                .await?;
        }
        db.execute_unprepared("ALTER TABLE statuses DROP COLUMN category")
            .await?;
        Ok(())
    }
}
