//! Scheduled reports (issue 16):
//! - `tenants.time_zone`: the organisation's IANA time zone, the default of its schedules.
//! - `report_schedules`: a saved view delivered on a cadence at a local time; `next_run_at` (UTC) is the
//!   slot the runner waits for; `paused_reason` says why a schedule stopped by itself.
//! - `report_runs`: every run, skipped slot and failure, with the file it produced. A slot is run at most once
//!   (unique per schedule and slot for scheduled runs), whatever number of instances share the database.

use sea_orm_migration::prelude::*;

use crate::m20261125_000002_crm_records::{name, same_tenant_fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn id() -> ColumnDef {
    ColumnDef::new(name("id"))
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

fn timestamp(column: &str) -> ColumnDef {
    ColumnDef::new(name(column))
        .timestamp_with_time_zone()
        .not_null()
        .default(Expr::current_timestamp())
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
        let db = manager.get_connection();
        db.execute_unprepared(
            "ALTER TABLE tenants ADD COLUMN time_zone VARCHAR(64) NOT NULL DEFAULT 'UTC' \
             CHECK (length(time_zone) BETWEEN 1 AND 64)",
        )
        .await?;

        manager
            .create_table(
                Table::create()
                    .table(name("report_schedules"))
                    .col(id())
                    .col(ColumnDef::new(name("tenant_id")).big_integer().not_null())
                    .col(ColumnDef::new(name("owner_id")).big_integer().not_null())
                    .col(ColumnDef::new(name("view_id")).big_integer().not_null())
                    .col(
                        ColumnDef::new(name("cadence"))
                            .string_len(10)
                            .not_null()
                            .check(Expr::cust("cadence IN ('daily', 'weekly', 'monthly')")),
                    )
                    // Weekly: the days as "mon,thu"; NULL otherwise.
                    .col(ColumnDef::new(name("days")).string_len(30).null())
                    .col(
                        ColumnDef::new(name("day_of_month"))
                            .small_integer()
                            .null()
                            .check(Expr::cust("day_of_month BETWEEN 1 AND 31")),
                    )
                    .col(
                        ColumnDef::new(name("time_of_day"))
                            .string_len(5)
                            .not_null()
                            .check(Expr::cust("length(time_of_day) = 5")),
                    )
                    .col(ColumnDef::new(name("time_zone")).string_len(64).not_null())
                    // A JSON array of addresses.
                    .col(ColumnDef::new(name("recipients")).text().not_null())
                    .col(ColumnDef::new(name("webhook_url")).string_len(2000).null())
                    .col(
                        ColumnDef::new(name("webhook_secret"))
                            .string_len(64)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(name("enabled"))
                            .boolean()
                            .not_null()
                            .default(true),
                    )
                    .col(ColumnDef::new(name("paused_reason")).text().null())
                    .col(
                        ColumnDef::new(name("next_run_at"))
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(name("version"))
                            .big_integer()
                            .not_null()
                            .default(1),
                    )
                    .col(timestamp("created_at"))
                    .col(timestamp("updated_at"))
                    .foreign_key(&mut tenant_fk("report_schedules"))
                    .foreign_key(&mut same_tenant_fk(
                        "report_schedules",
                        "owner_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut same_tenant_fk(
                        "report_schedules",
                        "view_id",
                        "saved_views",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        // The runs' composite foreign key needs it.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ux_report_schedules_tenant_id_id ON report_schedules (tenant_id, id)",
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(name("report_runs"))
                    .col(id())
                    .col(ColumnDef::new(name("tenant_id")).big_integer().not_null())
                    .col(ColumnDef::new(name("schedule_id")).big_integer().not_null())
                    .col(
                        ColumnDef::new(name("trigger"))
                            .string_len(10)
                            .not_null()
                            .check(Expr::cust("trigger IN ('schedule', 'manual')")),
                    )
                    // The slot a scheduled run is for; when a manual run was asked for.
                    .col(
                        ColumnDef::new(name("slot_at"))
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(name("status"))
                            .string_len(10)
                            .not_null()
                            .check(Expr::cust(
                                "status IN ('running', 'succeeded', 'failed', 'skipped')",
                            )),
                    )
                    .col(timestamp("started_at"))
                    .col(
                        ColumnDef::new(name("finished_at"))
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .col(ColumnDef::new(name("row_count")).big_integer().null())
                    .col(ColumnDef::new(name("byte_count")).big_integer().null())
                    .col(ColumnDef::new(name("error")).text().null())
                    // A JSON array: each recipient and the webhook, with its outcome.
                    .col(
                        ColumnDef::new(name("deliveries"))
                            .text()
                            .not_null()
                            .default("[]"),
                    )
                    // The compressed CSV, relative to the data directory; NULL once expired or for no file.
                    .col(ColumnDef::new(name("file")).string_len(300).null())
                    .col(
                        ColumnDef::new(name("expires_at"))
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .foreign_key(&mut tenant_fk("report_runs"))
                    .foreign_key(&mut same_tenant_fk(
                        "report_runs",
                        "schedule_id",
                        "report_schedules",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;

        for statement in [
            "CREATE INDEX idx_report_schedules_tenant_view ON report_schedules (tenant_id, view_id)",
            // The runner's question, across tenants: which enabled schedules are due?
            "CREATE INDEX idx_report_schedules_due ON report_schedules (next_run_at) WHERE enabled",
            "CREATE INDEX idx_report_runs_schedule ON report_runs (tenant_id, schedule_id, started_at)",
            "CREATE UNIQUE INDEX ux_report_runs_slot ON report_runs (schedule_id, slot_at) WHERE trigger = 'schedule'",
            "CREATE INDEX idx_report_runs_expiry ON report_runs (expires_at) WHERE file IS NOT NULL",
        ] {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in ["report_runs", "report_schedules"] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE tenants DROP COLUMN time_zone")
            .await?;
        Ok(())
    }
}
