//! Saved views (issue 16): a report's filters, sort, page size and columns under a name.
//! - `saved_views`: one row per view — its owner (a composite foreign key, so a view never points at another
//!   tenant's user), the entity's plural, the list query string, the visible columns in order (a JSON array),
//!   whether everyone in the tenant sees it (`shared`) and whether it is listed in the navigation (`pinned`).
//!   Names are unique per owner and entity, ignoring case.
//! - `user_default_views`: the view a user opens an entity's report with, at most one per user and entity.
//!   It may be someone else's shared view; deleting the view deletes the choice.

use sea_orm_migration::prelude::*;

use crate::m20261125_000002_crm_records::{name, same_tenant_fk};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The report entities a view can be of, by the plural the API uses. Written out: a later entity widens it in
/// its own migration.
const VIEW_ENTITIES: &str = "'leads', 'clients', 'projects', 'accounts', 'tasks'";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(name("saved_views"))
                    .col(
                        ColumnDef::new(name("id"))
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(name("tenant_id")).big_integer().not_null())
                    .col(ColumnDef::new(name("owner_id")).big_integer().not_null())
                    .col(
                        ColumnDef::new(name("entity"))
                            .string_len(20)
                            .not_null()
                            .check(Expr::cust(format!("entity IN ({VIEW_ENTITIES})"))),
                    )
                    .col(
                        ColumnDef::new(name("name"))
                            .string_len(100)
                            .not_null()
                            .check(Expr::cust(
                                "length(trim(name)) >= 1 AND length(name) <= 100",
                            )),
                    )
                    .col(
                        ColumnDef::new(name("query"))
                            .string_len(2000)
                            .not_null()
                            .default("")
                            .check(Expr::cust("length(query) <= 2000")),
                    )
                    .col(ColumnDef::new(name("columns")).text().not_null())
                    .col(
                        ColumnDef::new(name("shared"))
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(
                        ColumnDef::new(name("pinned"))
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(
                        ColumnDef::new(name("version"))
                            .big_integer()
                            .not_null()
                            .default(1)
                            .check(Expr::cust("version >= 1")),
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
                            .name("fk_saved_views_tenant")
                            .from(name("saved_views"), name("tenant_id"))
                            .to(name("tenants"), name("id"))
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(&mut same_tenant_fk(
                        "saved_views",
                        "owner_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for statement in [
            "CREATE UNIQUE INDEX ux_saved_views_tenant_id_id ON saved_views (tenant_id, id)",
            "CREATE UNIQUE INDEX ux_saved_views_owner_name ON saved_views (tenant_id, owner_id, entity, lower(name))",
            "CREATE INDEX idx_saved_views_tenant_entity ON saved_views (tenant_id, entity)",
        ] {
            db.execute_unprepared(statement).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(name("user_default_views"))
                    .col(ColumnDef::new(name("tenant_id")).big_integer().not_null())
                    .col(ColumnDef::new(name("user_id")).big_integer().not_null())
                    .col(
                        ColumnDef::new(name("entity"))
                            .string_len(20)
                            .not_null()
                            .check(Expr::cust(format!("entity IN ({VIEW_ENTITIES})"))),
                    )
                    .col(ColumnDef::new(name("view_id")).big_integer().not_null())
                    .primary_key(
                        Index::create()
                            .name("pk_user_default_views")
                            .col(name("user_id"))
                            .col(name("entity")),
                    )
                    .foreign_key(&mut same_tenant_fk(
                        "user_default_views",
                        "user_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut same_tenant_fk(
                        "user_default_views",
                        "view_id",
                        "saved_views",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
        db.execute_unprepared(
            "CREATE INDEX idx_user_default_views_view ON user_default_views (tenant_id, view_id)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(name("user_default_views")).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(name("saved_views")).to_owned())
            .await
    }
}
