//! The statements of a pipeline board, two whatever the number of columns: every status's count (and sum)
//! in one grouped statement, then the first cards of every non-empty column in one `UNION ALL` of per-status
//! pages. Each page reads the live `(tenant_id, status, created_at, id)` index in the default order, so a
//! board costs a few index walks of 51 rows rather than a sort of every matching record.

use sea_orm::{
    sea_query::{Alias, Asterisk, Expr, ExprTrait, Func, Query, SelectStatement, UnionType},
    ConnectionTrait,
};
use serde_json::Value;
use shared::EntityDescriptor;

use super::{
    codec,
    model::{Condition, SortOrder},
    statements::{self, Liveness},
};
use crate::db::{fetch_all, DbError};

/// The records of one status key matching a board's filters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusGroup {
    pub key: String,
    pub count: u64,
    /// The sum of the board's money field, in cents (`None` without a sum field or when every value is empty).
    pub sum_cents: Option<i64>,
}

/// `SELECT status, COUNT(*), SUM(sum) … GROUP BY status` over the tenant's live records matching
/// `conditions`.
pub fn groups_statement(
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    status_column: &str,
    conditions: &[Condition],
    sum: Option<&str>,
    sqlite: bool,
) -> SelectStatement {
    let mut select = Query::select();
    select
        .from_as(Alias::new(descriptor.table), Alias::new("t"))
        .expr_as(statements::column(status_column), Alias::new("status_key"))
        .expr_as(Func::count(Expr::val(1)), Alias::new("records"))
        .cond_where(statements::scope(tenant_id, Liveness::Live))
        .cond_where(statements::filter_conditions(conditions, sqlite))
        .group_by_col(statements::qualified(status_column));
    if let Some(sum) = sum {
        // PostgreSQL sums a bigint as numeric; cents fit a bigint.
        select.expr_as(
            Func::cast_as(Func::sum(statements::column(sum)), Alias::new("BIGINT")),
            Alias::new("sum_cents"),
        );
    }
    select
}

/// Runs [`groups_statement`]: one row per status key present.
pub async fn status_groups(
    db: &impl ConnectionTrait,
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    status_column: &str,
    conditions: &[Condition],
    sum: Option<&str>,
) -> Result<Vec<StatusGroup>, DbError> {
    let select = groups_statement(
        descriptor,
        tenant_id,
        status_column,
        conditions,
        sum,
        super::super::is_sqlite(db),
    );
    fetch_all(db, &select)
        .await?
        .iter()
        .map(|row| {
            Ok(StatusGroup {
                key: row
                    .try_get::<Option<String>>("", "status_key")?
                    .unwrap_or_default(),
                count: row.try_get::<i64>("", "records")? as u64,
                sum_cents: match sum {
                    Some(_) => row.try_get::<Option<i64>>("", "sum_cents")?,
                    None => None,
                },
            })
        })
        .collect::<Result<_, sea_orm::DbErr>>()
        .map_err(DbError::from)
}

/// Which cards a board reads: for each of `keys`, the records after the first `offset` in the sort order,
/// at most `limit` of them (one more is read to tell whether more follow).
pub struct CardsSpec<'a> {
    pub status_column: &'static str,
    pub keys: &'a [String],
    pub conditions: &'a [Condition],
    pub sort_by: &'static str,
    pub sort_order: SortOrder,
    pub limit: u64,
    pub offset: u64,
}

/// One statement for the cards of every column in `spec.keys`: each column's page as a subquery of its own,
/// appended in column order. `None` when there is no column to read.
pub fn cards_statement(
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    spec: &CardsSpec,
    sqlite: bool,
) -> Option<SelectStatement> {
    let filters = statements::filter_conditions(spec.conditions, sqlite);
    let mut pages = spec.keys.iter().enumerate().map(|(index, key)| {
        let mut page = statements::select_records(descriptor, tenant_id);
        page.cond_where(statements::scope(tenant_id, Liveness::Live))
            .cond_where(filters.clone())
            .and_where(statements::column(spec.status_column).eq(key.as_str()));
        statements::order(&mut page, descriptor, spec.sort_by, spec.sort_order, false);
        page.limit(spec.limit + 1).offset(spec.offset);
        // Wrapped, because a compound SELECT takes ORDER BY and LIMIT only for the whole of it.
        let mut wrapped = Query::select();
        wrapped
            .column(Asterisk)
            .from_subquery(page, Alias::new(format!("c{index}")));
        wrapped
    });
    let mut first = pages.next()?;
    for page in pages {
        first.union(UnionType::All, page);
    }
    Some(first)
}

/// Runs [`cards_statement`]: the records of each column in its order, the columns one after the other (a
/// `UNION ALL` appends its parts in order on both backends).
pub async fn cards(
    db: &impl ConnectionTrait,
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    spec: &CardsSpec<'_>,
) -> Result<Vec<Value>, DbError> {
    let Some(select) = cards_statement(descriptor, tenant_id, spec, super::super::is_sqlite(db))
    else {
        return Ok(Vec::new());
    };
    fetch_all(db, &select)
        .await?
        .iter()
        .map(|row| codec::to_json(descriptor, row, Liveness::Live))
        .collect::<Result<_, sea_orm::DbErr>>()
        .map_err(DbError::from)
}
