//! Record history and CSV imports (issue 17).
//! - `history_entries`: one row per write of a record, of the configuration or of a user: who (`user_id`, no
//!   foreign key — a user is deactivated, never deleted, and the entry must outlive any cleanup), when (with
//!   microseconds, written by the server, not by the database's clock, which SQLite keeps to the second),
//!   which request, from where (`source`), and each changed field's old and new value, untruncated, as a JSON
//!   array in `changes`. `import_id` ties the rows an import created to it; `reverts_id` names the entry a
//!   revert undid. Read by record (newest first) and by tenant and time (the audit log).
//! - `imports`: one row per import that wrote: the entity, who, the file's name and how many rows, and when
//!   it was undone.

use sea_orm_migration::prelude::*;

use crate::m20261125_000002_crm_records::{name, one_of, same_tenant_fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What a history entry can say happened (`shared::history::HistoryAction`).
const ACTIONS: &[&str] = &[
    "create",
    "update",
    "delete",
    "restore",
    "cascade_delete",
    "cascade_restore",
    "status_move",
    "import",
    "revert",
    "configure",
    "user_create",
    "user_update",
    "user_deactivate",
];

/// Where a write came from (`shared::history::Source`).
const SOURCES: &[&str] = &["ui", "api", "import", "config", "job"];

fn id_column() -> ColumnDef {
    ColumnDef::new(name("id"))
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn tenant_fk(table: &str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_tenant"))
        .from(name(table), name("tenant_id"))
        .to(name("tenants"), name("id"))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(name("imports"))
                    .col(id_column())
                    .col(ColumnDef::new(name("tenant_id")).big_integer().not_null())
                    .col(ColumnDef::new(name("entity")).string_len(20).not_null())
                    .col(ColumnDef::new(name("user_id")).big_integer().not_null())
                    .col(
                        ColumnDef::new(name("filename"))
                            .string_len(255)
                            .not_null()
                            .default(""),
                    )
                    .col(
                        ColumnDef::new(name("row_count"))
                            .big_integer()
                            .not_null()
                            .check(Expr::cust("row_count >= 0")),
                    )
                    .col(
                        ColumnDef::new(name("created_at"))
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(name("undone_at"))
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(&mut tenant_fk("imports"))
                    .foreign_key(&mut same_tenant_fk(
                        "imports",
                        "user_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(name("history_entries"))
                    .col(id_column())
                    .col(ColumnDef::new(name("tenant_id")).big_integer().not_null())
                    .col(ColumnDef::new(name("entity")).string_len(20).not_null())
                    .col(ColumnDef::new(name("record_id")).big_integer().not_null())
                    .col(
                        ColumnDef::new(name("action"))
                            .string_len(20)
                            .not_null()
                            .check(one_of("action", ACTIONS)),
                    )
                    .col(ColumnDef::new(name("user_id")).big_integer().null())
                    .col(
                        ColumnDef::new(name("at"))
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(ColumnDef::new(name("request_id")).string_len(64).null())
                    .col(
                        ColumnDef::new(name("source"))
                            .string_len(10)
                            .not_null()
                            .check(one_of("source", SOURCES)),
                    )
                    .col(ColumnDef::new(name("import_id")).big_integer().null())
                    .col(ColumnDef::new(name("reverts_id")).big_integer().null())
                    .col(ColumnDef::new(name("changes")).text().not_null())
                    .foreign_key(&mut tenant_fk("history_entries"))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for statement in [
            "CREATE UNIQUE INDEX ux_imports_tenant_id_id ON imports (tenant_id, id)",
            "CREATE INDEX idx_imports_tenant_created ON imports (tenant_id, id DESC)",
            "CREATE INDEX idx_history_record ON history_entries (tenant_id, entity, record_id, id DESC)",
            "CREATE INDEX idx_history_tenant_time ON history_entries (tenant_id, at DESC, id DESC)",
            "CREATE INDEX idx_history_import ON history_entries (tenant_id, import_id) WHERE import_id IS NOT NULL",
            // The retention job deletes by age across tenants.
            "CREATE INDEX idx_history_at ON history_entries (at)",
        ] {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(name("history_entries")).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(name("imports")).to_owned())
            .await
    }
}
