//! Statuses and the five record tables. Constraints mirror the limits in `shared`'s descriptors:
//! - NOT NULL and length CHECKs (length() counts characters on both PostgreSQL and SQLite);
//! - money as BIGINT cents with 0 ≤ amount ≤ 999,999,999,999.99; end_date ≥ start_date;
//! - every reference is a composite foreign key (tenant_id, x_id) → (tenant_id, id), so a row can only point
//!   at rows of its own tenant;
//! - each status column is bound to the tenant's `statuses` rows by a composite foreign key
//!   (tenant_id, status_entity, status) → statuses (tenant_id, entity, key) ON DELETE RESTRICT: an unknown
//!   status is rejected, and a status that is in use cannot be deleted. `status_entity` is a constant column
//!   (CHECKed to the entity's own key) because a foreign key cannot hold a literal.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const MONEY_MAX_CENTS: i64 = 99_999_999_999_999;

pub(crate) fn name(n: &str) -> Alias {
    Alias::new(n)
}

pub(crate) fn required_text(column: &str, max: usize) -> SimpleExpr {
    Expr::cust(format!(
        "length(trim({column})) >= 1 AND length({column}) <= {max}"
    ))
}

pub(crate) fn optional_text(column: &str, max: usize) -> SimpleExpr {
    Expr::cust(format!("length({column}) <= {max}"))
}

pub(crate) fn money(column: &str) -> SimpleExpr {
    Expr::cust(format!("{column} >= 0 AND {column} <= {MONEY_MAX_CENTS}"))
}

pub(crate) fn one_of(column: &str, keys: &[&str]) -> SimpleExpr {
    let list = keys
        .iter()
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(", ");
    Expr::cust(format!("{column} IN ({list})"))
}

/// Column shapes of record tables.
pub(crate) fn text(column: &str, max: u32) -> ColumnDef {
    ColumnDef::new(name(column))
        .string_len(max)
        .null()
        .to_owned()
}
pub(crate) fn long_text(column: &str) -> ColumnDef {
    ColumnDef::new(name(column)).text().null().to_owned()
}
pub(crate) fn required(column: &str, max: u32) -> ColumnDef {
    ColumnDef::new(name(column))
        .string_len(max)
        .not_null()
        .to_owned()
}
pub(crate) fn cents(column: &str) -> ColumnDef {
    ColumnDef::new(name(column)).big_integer().null().to_owned()
}
pub(crate) fn reference(column: &str) -> ColumnDef {
    ColumnDef::new(name(column)).big_integer().null().to_owned()
}

/// A composite foreign key that keeps a reference inside the row's tenant.
pub(crate) fn same_tenant_fk(
    table: &str,
    column: &str,
    target: &str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(name(table), (name("tenant_id"), name(column)))
        .to(name(target), (name("tenant_id"), name("id")))
        .on_delete(on_delete)
        .to_owned()
}

/// The columns and constraints every tenant-owned record shares, around its own columns.
pub(crate) fn record_table(
    table: &str,
    columns: Vec<ColumnDef>,
    status: Option<(&str, &str)>,
) -> TableCreateStatement {
    let mut create = Table::create();
    create
        .table(name(table))
        .col(
            ColumnDef::new(name("id"))
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key(),
        )
        .col(ColumnDef::new(name("tenant_id")).big_integer().not_null());
    for column in columns {
        create.col(column);
    }
    if let Some((status_column, entity)) = status {
        create
            .col(
                ColumnDef::new(name(status_column))
                    .string_len(50)
                    .not_null(),
            )
            .col(
                ColumnDef::new(name("status_entity"))
                    .string_len(10)
                    .not_null()
                    .default(entity),
            )
            .check(Expr::cust(format!("status_entity = '{entity}'")))
            .foreign_key(
                ForeignKey::create()
                    .name(format!("fk_{table}_status"))
                    .from(
                        name(table),
                        (
                            name("tenant_id"),
                            name("status_entity"),
                            name(status_column),
                        ),
                    )
                    .to(
                        name("statuses"),
                        (name("tenant_id"), name("entity"), name("key")),
                    )
                    .on_delete(ForeignKeyAction::Restrict)
                    .on_update(ForeignKeyAction::Restrict),
            );
    }
    create
        .col(ColumnDef::new(name("created_by")).big_integer().null())
        .col(ColumnDef::new(name("assigned_to")).big_integer().null())
        .col(
            ColumnDef::new(name("created_at"))
                .timestamp_with_time_zone()
                .not_null()
                .default(Expr::current_timestamp()),
        )
        .col(
            ColumnDef::new(name("updated_at"))
                .timestamp_with_time_zone()
                .not_null()
                .default(Expr::current_timestamp()),
        )
        .col(
            ColumnDef::new(name("deleted_at"))
                .timestamp_with_time_zone()
                .null(),
        )
        .col(
            ColumnDef::new(name("version"))
                .big_integer()
                .not_null()
                .default(1),
        )
        .check(Expr::cust("version >= 1"))
        .foreign_key(
            ForeignKey::create()
                .name(format!("fk_{table}_tenant"))
                .from(name(table), name("tenant_id"))
                .to(name("tenants"), name("id"))
                .on_delete(ForeignKeyAction::Cascade),
        )
        .foreign_key(&mut same_tenant_fk(
            table,
            "created_by",
            "users",
            ForeignKeyAction::Restrict,
        ))
        .foreign_key(&mut same_tenant_fk(
            table,
            "assigned_to",
            "users",
            ForeignKeyAction::Restrict,
        ))
        .to_owned()
}

pub(crate) struct Sql(pub(crate) Vec<String>);

impl Sql {
    /// Runs the queued statements; tables referenced later need their indexes before those are created.
    pub(crate) async fn flush(&mut self, manager: &SchemaManager<'_>) -> Result<(), DbErr> {
        for statement in self.0.drain(..) {
            manager
                .get_connection()
                .execute_unprepared(&statement)
                .await?;
        }
        Ok(())
    }

    pub(crate) fn index(&mut self, table: &str, suffix: &str, columns: &str, live_only: bool) {
        let filter = if live_only {
            " WHERE deleted_at IS NULL"
        } else {
            ""
        };
        self.0.push(format!(
            "CREATE INDEX idx_{table}_{suffix} ON {table} ({columns}){filter}"
        ));
    }
    pub(crate) fn unique(&mut self, table: &str, suffix: &str, columns: &str, live_only: bool) {
        let filter = if live_only {
            " WHERE deleted_at IS NULL"
        } else {
            ""
        };
        self.0.push(format!(
            "CREATE UNIQUE INDEX ux_{table}_{suffix} ON {table} ({columns}){filter}"
        ));
    }
    /// The plan's Step 2.2 indexes, then one per allowlisted sort on live rows: (tenant_id, key, id), which
    /// serves `ORDER BY key, id` within a tenant in either direction.
    pub(crate) fn record_indexes(&mut self, table: &str, status: Option<&str>, sorts: &[&str]) {
        // Referenced by composite foreign keys from other tables.
        self.unique(table, "tenant_id_id", "tenant_id, id", false);
        self.index(table, "tenant_id", "tenant_id", false);
        self.index(table, "assigned_to", "assigned_to", false);
        self.index(table, "created_by", "created_by", false);
        self.index(table, "deleted_at", "deleted_at", false);
        self.index(table, "created_at", "created_at DESC", false);
        if let Some(status) = status {
            self.index(table, "status", status, false);
            self.index(
                table,
                "tenant_status",
                &format!("tenant_id, {status}"),
                true,
            );
        }
        for sort in sorts {
            self.index(
                table,
                &format!("live_{sort}"),
                &format!("tenant_id, {sort}, id"),
                true,
            );
        }
        self.index(table, "live_assignee", "tenant_id, assigned_to, id", true);
        self.index(table, "trash", "tenant_id, deleted_at", false);
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let key_format = match backend {
            DbBackend::Sqlite => "key NOT GLOB '*[^a-z0-9_]*'",
            _ => "key ~ '^[a-z0-9_]+$'",
        };

        // Composite foreign keys need a unique (tenant_id, id) on the referenced table.
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_users_tenant_id_id ON users (tenant_id, id)",
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(name("statuses"))
                    .col(
                        ColumnDef::new(name("id"))
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(name("tenant_id")).big_integer().not_null())
                    .col(ColumnDef::new(name("entity")).string_len(10).not_null())
                    .col(ColumnDef::new(name("key")).string_len(50).not_null())
                    .col(ColumnDef::new(name("label")).string_len(100).not_null())
                    .col(
                        ColumnDef::new(name("position"))
                            .integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(name("is_closed"))
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(
                        ColumnDef::new(name("created_at"))
                            .timestamp_with_time_zone()
                            .not_null()
                            .default(Expr::current_timestamp()),
                    )
                    .col(
                        ColumnDef::new(name("updated_at"))
                            .timestamp_with_time_zone()
                            .not_null()
                            .default(Expr::current_timestamp()),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_statuses_tenant")
                            .from(name("statuses"), name("tenant_id"))
                            .to(name("tenants"), name("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .check(one_of("entity", &["lead", "client", "project", "task"]))
                    .check(required_text("key", 50))
                    .check(Expr::cust(key_format))
                    .check(required_text("label", 100))
                    .check(Expr::cust("position >= 0"))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("CREATE UNIQUE INDEX ux_statuses_tenant_entity_key ON statuses (tenant_id, entity, key)")
            .await?;

        let mut sql = Sql(Vec::new());

        // leads
        let mut leads = record_table(
            "leads",
            vec![
                required("company_name", 200),
                text("contact_name", 200),
                text("email", 255),
                text("phone", 50),
                text("source", 100),
                long_text("notes"),
            ],
            Some(("lead_status", "lead")),
        );
        leads
            .check(required_text("company_name", 200))
            .check(optional_text("contact_name", 200))
            .check(optional_text("email", 255))
            .check(optional_text("phone", 50))
            .check(optional_text("source", 100))
            .check(optional_text("notes", 10_000));
        manager.create_table(leads).await?;
        sql.record_indexes(
            "leads",
            Some("lead_status"),
            &[
                "company_name",
                "contact_name",
                "email",
                "source",
                "created_at",
                "updated_at",
            ],
        );
        // Tables referenced by later tables need their (tenant_id, id) unique index before those are created.
        sql.flush(manager).await?;

        // clients
        let mut clients = record_table(
            "clients",
            vec![
                required("company_name", 200),
                text("contact_name", 200),
                text("email", 255),
                text("phone", 50),
                text("website", 255),
                text("address", 500),
                long_text("notes"),
                reference("converted_from_lead_id"),
            ],
            Some(("client_status", "client")),
        );
        clients
            .check(required_text("company_name", 200))
            .check(optional_text("contact_name", 200))
            .check(optional_text("email", 255))
            .check(optional_text("phone", 50))
            .check(optional_text("website", 255))
            .check(optional_text("address", 500))
            .check(optional_text("notes", 10_000))
            .foreign_key(&mut same_tenant_fk(
                "clients",
                "converted_from_lead_id",
                "leads",
                ForeignKeyAction::Restrict,
            ));
        manager.create_table(clients).await?;
        sql.record_indexes(
            "clients",
            Some("client_status"),
            &[
                "company_name",
                "contact_name",
                "email",
                "created_at",
                "updated_at",
            ],
        );
        // One live client per company name in a tenant (case-insensitive); trashed ones do not count.
        sql.unique(
            "clients",
            "tenant_company_name",
            "tenant_id, lower(company_name)",
            true,
        );
        sql.index(
            "clients",
            "converted_from_lead_id",
            "converted_from_lead_id",
            false,
        );
        sql.flush(manager).await?;

        // projects
        let mut projects = record_table(
            "projects",
            vec![
                required("project_name", 200),
                ColumnDef::new(name("client_id"))
                    .big_integer()
                    .not_null()
                    .to_owned(),
                long_text("description"),
                cents("budget"),
                cents("actual_cost"),
                ColumnDef::new(name("start_date")).date().null().to_owned(),
                ColumnDef::new(name("end_date")).date().null().to_owned(),
            ],
            Some(("project_status", "project")),
        );
        projects
            .check(required_text("project_name", 200))
            .check(optional_text("description", 10_000))
            .check(money("budget"))
            .check(money("actual_cost"))
            .check(Expr::cust("end_date >= start_date"))
            .foreign_key(&mut same_tenant_fk(
                "projects",
                "client_id",
                "clients",
                ForeignKeyAction::Restrict,
            ));
        manager.create_table(projects).await?;
        sql.record_indexes(
            "projects",
            Some("project_status"),
            &[
                "project_name",
                "budget",
                "actual_cost",
                "start_date",
                "end_date",
                "created_at",
                "updated_at",
            ],
        );
        sql.index("projects", "client_id", "client_id", false);
        sql.index("projects", "live_client", "tenant_id, client_id, id", true);
        sql.unique(
            "projects",
            "client_project_name",
            "tenant_id, client_id, lower(project_name)",
            true,
        );

        // accounts
        let mut accounts = record_table(
            "accounts",
            vec![
                required("account_name", 200),
                reference("client_id"),
                text("account_type", 20),
                text("industry", 100),
                text("website", 255),
                text("billing_email", 255),
                cents("annual_revenue"),
                long_text("notes"),
            ],
            None,
        );
        accounts
            .check(required_text("account_name", 200))
            .check(one_of("account_type", &["customer", "partner", "vendor"]))
            .check(optional_text("industry", 100))
            .check(optional_text("website", 255))
            .check(optional_text("billing_email", 255))
            .check(money("annual_revenue"))
            .check(optional_text("notes", 10_000))
            .foreign_key(&mut same_tenant_fk(
                "accounts",
                "client_id",
                "clients",
                ForeignKeyAction::Restrict,
            ));
        manager.create_table(accounts).await?;
        sql.record_indexes(
            "accounts",
            None,
            &[
                "account_name",
                "account_type",
                "industry",
                "annual_revenue",
                "created_at",
                "updated_at",
            ],
        );
        sql.index("accounts", "client_id", "client_id", false);
        sql.unique(
            "accounts",
            "tenant_account_name",
            "tenant_id, lower(account_name)",
            true,
        );
        sql.flush(manager).await?;

        // tasks
        let mut tasks = record_table(
            "tasks",
            vec![
                required("title", 200),
                long_text("description"),
                ColumnDef::new(name("priority"))
                    .string_len(20)
                    .not_null()
                    .default("medium")
                    .to_owned(),
                ColumnDef::new(name("due_date")).date().null().to_owned(),
                reference("project_id"),
                reference("lead_id"),
                reference("client_id"),
            ],
            Some(("task_status", "task")),
        );
        tasks
            .check(required_text("title", 200))
            .check(optional_text("description", 10_000))
            .check(one_of("priority", &["low", "medium", "high", "urgent"]))
            .foreign_key(&mut same_tenant_fk(
                "tasks",
                "project_id",
                "projects",
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut same_tenant_fk(
                "tasks",
                "lead_id",
                "leads",
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut same_tenant_fk(
                "tasks",
                "client_id",
                "clients",
                ForeignKeyAction::Restrict,
            ));
        manager.create_table(tasks).await?;
        sql.record_indexes(
            "tasks",
            Some("task_status"),
            &["title", "priority", "due_date", "created_at", "updated_at"],
        );
        for column in ["project_id", "lead_id", "client_id"] {
            sql.index("tasks", column, column, false);
        }
        sql.flush(manager).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "tasks", "accounts", "projects", "clients", "leads", "statuses",
        ] {
            manager
                .drop_table(Table::drop().table(name(table)).to_owned())
                .await?;
        }
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX ux_users_tenant_id_id")
            .await?;
        Ok(())
    }
}
