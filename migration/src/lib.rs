//! One set of migrations for PostgreSQL and SQLite. Constraints mirror the limits in the `shared` crate so a
//! direct SQL write of bad data fails as well.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_tenants_and_users;
mod m20261125_000002_crm_records;
mod m20261125_000003_sessions;
mod m20261125_000004_report_indexes;
mod m20261202_000005_backend_config;
mod m20261203_000006_tenant_first_indexes;
mod m20261203_000007_saved_views;
mod m20261203_000008_report_schedules;
mod m20261203_000009_substring_statistics;
mod m20261203_000010_history_and_imports;
mod m20261204_000011_view_layouts;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_tenants_and_users::Migration),
            Box::new(m20261125_000002_crm_records::Migration),
            Box::new(m20261125_000003_sessions::Migration),
            Box::new(m20261125_000004_report_indexes::Migration),
            Box::new(m20261202_000005_backend_config::Migration),
            Box::new(m20261203_000006_tenant_first_indexes::Migration),
            Box::new(m20261203_000007_saved_views::Migration),
            Box::new(m20261203_000008_report_schedules::Migration),
            Box::new(m20261203_000009_substring_statistics::Migration),
            Box::new(m20261203_000010_history_and_imports::Migration),
            Box::new(m20261204_000011_view_layouts::Migration),
        ]
    }
}
