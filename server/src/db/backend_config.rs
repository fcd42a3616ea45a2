//! A tenant's backend configuration: the `tenants` columns that hold its type, version and rules, its
//! `statuses` rows, and the `config_changes` log. The domain holds the transaction.

use sea_orm::{
    sea_query::{Alias, Expr, ExprTrait, Order, Query},
    ConnectionTrait,
};
use shared::{backend_config::StatusDef, StatusCategory};

use super::{execute, fetch_all, fetch_one, DbError};

/// The `tenants` part of a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredConfig {
    pub backend_type: String,
    pub version: i64,
    /// `{"validation_rules": …, "workflow_rules": …, "features": …}` as JSON text.
    pub rules: String,
}

pub async fn find(
    db: &impl ConnectionTrait,
    tenant_id: i64,
) -> Result<Option<StoredConfig>, DbError> {
    let mut select = Query::select();
    select
        .from(Alias::new("tenants"))
        .columns(["backend_type", "config_version", "backend_rules"].map(Alias::new))
        .and_where(Expr::col(Alias::new("id")).eq(tenant_id));
    let Some(row) = fetch_one(db, &select).await? else {
        return Ok(None);
    };
    Ok(Some(StoredConfig {
        backend_type: row.try_get("", "backend_type")?,
        version: row.try_get("", "config_version")?,
        rules: row.try_get("", "backend_rules")?,
    }))
}

/// Every status of the tenant: (status entity, status), by entity and position.
pub async fn statuses(
    db: &impl ConnectionTrait,
    tenant_id: i64,
) -> Result<Vec<(String, StatusDef)>, DbError> {
    let mut select = Query::select();
    select
        .from(Alias::new("statuses"))
        .columns(["entity", "key", "label", "category"].map(Alias::new))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .order_by(Alias::new("entity"), Order::Asc)
        .order_by(Alias::new("position"), Order::Asc)
        .order_by(Alias::new("id"), Order::Asc);
    fetch_all(db, &select)
        .await?
        .iter()
        .map(|row| {
            let category: String = row.try_get("", "category")?;
            Ok((
                row.try_get("", "entity")?,
                StatusDef {
                    key: row.try_get("", "key")?,
                    label: row.try_get("", "label")?,
                    category: StatusCategory::parse(&category).unwrap_or_default(),
                },
            ))
        })
        .collect()
}

/// Writes the tenant's type and rules and bumps its version, if it is still at `read_version`. `false` when
/// someone saved in between (nothing written). On PostgreSQL the row stays locked until the commit, so two
/// saves cannot interleave.
pub async fn save(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    read_version: i64,
    backend_type: &str,
    rules: &str,
) -> Result<bool, DbError> {
    let mut update = Query::update();
    update
        .table(Alias::new("tenants"))
        .value(Alias::new("backend_type"), backend_type)
        .value(Alias::new("backend_rules"), rules)
        .value(
            Alias::new("config_version"),
            Expr::col(Alias::new("config_version")).add(1),
        )
        .value(Alias::new("updated_at"), Expr::current_timestamp())
        .and_where(Expr::col(Alias::new("id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("config_version")).eq(read_version));
    Ok(execute(db, &update).await? > 0)
}

/// Makes the entity's statuses `list`, in its order: existing keys get their new label, category and
/// position, new keys are inserted. Removing statuses is [`delete_statuses`], after the records moved.
pub async fn put_statuses(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    entity: &str,
    list: &[StatusDef],
) -> Result<(), DbError> {
    for (position, status) in list.iter().enumerate() {
        let position = i32::try_from(position).unwrap_or(i32::MAX);
        let mut update = Query::update();
        update
            .table(Alias::new("statuses"))
            .value(Alias::new("label"), status.label.as_str())
            .value(Alias::new("category"), status.category.key())
            .value(Alias::new("is_closed"), status.category.is_closed())
            .value(Alias::new("position"), position)
            .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
            .and_where(Expr::col(Alias::new("entity")).eq(entity))
            .and_where(Expr::col(Alias::new("key")).eq(status.key.as_str()));
        if execute(db, &update).await? > 0 {
            continue;
        }
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new("statuses"))
            .columns(
                [
                    "tenant_id",
                    "entity",
                    "key",
                    "label",
                    "position",
                    "is_closed",
                    "category",
                ]
                .map(Alias::new),
            )
            .values_panic([
                tenant_id.into(),
                entity.into(),
                status.key.as_str().into(),
                status.label.as_str().into(),
                position.into(),
                status.category.is_closed().into(),
                status.category.key().into(),
            ]);
        execute(db, &insert).await?;
    }
    Ok(())
}

/// Deletes statuses no longer listed. A record still using one makes the database refuse
/// (`DbError::ForeignKey`): no record is ever left with a status its tenant lacks.
pub async fn delete_statuses(
    db: &impl ConnectionTrait,
    tenant_id: i64,
    entity: &str,
    keys: &[&str],
) -> Result<(), DbError> {
    if keys.is_empty() {
        return Ok(());
    }
    let mut delete = Query::delete();
    delete
        .from_table(Alias::new("statuses"))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
        .and_where(Expr::col(Alias::new("entity")).eq(entity))
        .and_where(Expr::col(Alias::new("key")).is_in(keys.iter().copied()));
    execute(db, &delete).await?;
    Ok(())
}

/// One saved configuration, for the history: who, the version it created, before and after.
pub struct ConfigChange<'a> {
    pub tenant_id: i64,
    pub user_id: Option<i64>,
    pub version: i64,
    pub before: &'a str,
    pub after: &'a str,
    pub summary: &'a str,
}

pub async fn insert_change(
    db: &impl ConnectionTrait,
    change: &ConfigChange<'_>,
) -> Result<(), DbError> {
    let mut insert = Query::insert();
    insert
        .into_table(Alias::new("config_changes"))
        .columns(
            [
                "tenant_id",
                "user_id",
                "version",
                "before",
                "after",
                "summary",
            ]
            .map(Alias::new),
        )
        .values_panic([
            change.tenant_id.into(),
            change.user_id.into(),
            change.version.into(),
            change.before.into(),
            change.after.into(),
            change.summary.into(),
        ]);
    execute(db, &insert).await?;
    Ok(())
}

/// How many configuration changes the tenant has on record.
pub async fn count_changes(db: &impl ConnectionTrait, tenant_id: i64) -> Result<i64, DbError> {
    let mut select = Query::select();
    select
        .from(Alias::new("config_changes"))
        .expr_as(Expr::col(Alias::new("id")).count(), Alias::new("n"))
        .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id));
    Ok(match fetch_one(db, &select).await? {
        Some(row) => row.try_get("", "n")?,
        None => 0,
    })
}
