//! A report list's statements and how they are run: the page carries the (capped) count, so a list costs one
//! statement; a second only when the page is empty (the count alone) or the count reached its cap on
//! PostgreSQL (the planner's estimate). `keel-bench` times exactly these functions.

use sea_orm::{
    sea_query::{
        Alias, Condition as SqlCondition, Expr, ExprTrait, JoinType, SelectStatement, SimpleExpr,
    },
    ConnectionTrait, QueryResult,
};
use serde_json::Value;
use shared::EntityDescriptor;

use super::{
    codec,
    model::{key_of, Condition, KeyValue, Side, SortOrder},
    statements::{self, Liveness},
};
use crate::db::{fetch_all, fetch_one, DbError};

/// What a list asks for, in the data layer's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct ListSpec<'a> {
    pub conditions: &'a [Condition],
    pub sort_by: &'static str,
    pub sort_order: SortOrder,
    pub page_size: u64,
    /// Rows to skip (offset paging); ignored when a position is given.
    pub offset: u64,
}

/// A keyset position: the page lies on `side` of the row with this sort value and id.
#[derive(Debug, Clone, PartialEq)]
pub struct Position {
    pub side: Side,
    pub value: KeyValue,
    pub id: i64,
}

/// The statements of one report list request.
pub struct ListStatements {
    /// The page (one row more than asked, to tell whether another follows), each row carrying the count.
    pub page: SelectStatement,
    /// The count alone, for a page with no rows to carry it.
    pub count: SelectStatement,
    /// The matching rows, whose `EXPLAIN` estimates their number when the count hits its cap.
    pub matching: SelectStatement,
    /// PostgreSQL substring lists: the page alone in the list's order, read instead of `page` when the count
    /// (run first) passed its cap. See [`fetch_page`].
    pub dense_page: Option<SelectStatement>,
}

/// The column of the list statement that carries the (capped) count, so that a page costs one statement.
const TOTAL_COLUMN: &str = statements::CAPPED_TOTAL;

/// Builds the list's statements (public so the tests can `EXPLAIN` exactly what the server runs).
pub fn list_statements(
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    spec: &ListSpec,
    position: Option<&Position>,
    sqlite: bool,
    cap: Option<u64>,
) -> ListStatements {
    let filters = statements::filter_conditions(spec.conditions, sqlite);
    let scope = statements::scope(tenant_id, Liveness::Live);
    let count = statements::count(descriptor, scope.clone(), filters.clone(), cap);
    let matching = statements::matching_rows(descriptor, scope.clone(), filters.clone());

    // A substring query scans its trigram indexes once for the count and the page together, when the page
    // lies within the first `cap + 1` matches (ordered by an own column, which that scan can sort by); on
    // PostgreSQL also for a page next to a cursor.
    let substring = has_substring(spec.conditions);
    let own_column = descriptor
        .field(spec.sort_by)
        .is_some_and(|def| def.display_as.is_none());
    if let (Some(cap), true, true) = (cap, substring, own_column) {
        let within_cap = match position {
            None => spec.offset + spec.page_size <= cap,
            Some(_) => !sqlite,
        };
        if within_cap {
            return capped_statements(
                descriptor, tenant_id, spec, position, sqlite, cap, scope, filters, count, matching,
            );
        }
    }

    let mut page = statements::select_records(descriptor, tenant_id);
    page.cond_where(scope.clone())
        .cond_where(filters.clone())
        .expr_as(
            SimpleExpr::SubQuery(None, Box::new(count.clone().into())),
            Alias::new(TOTAL_COLUMN),
        );
    if let Some(position) = position {
        page.cond_where(statements::keyset(
            descriptor,
            spec.sort_by,
            spec.sort_order,
            position.side,
            position.value.to_sql(),
            position.id,
        ));
    }
    statements::order(
        &mut page,
        descriptor,
        spec.sort_by,
        spec.sort_order,
        position.is_some_and(|p| p.side == Side::Before),
    );
    page.limit(spec.page_size + 1);
    if position.is_none() {
        page.offset(spec.offset);
    }
    ListStatements {
        page,
        count,
        matching,
        dense_page: None,
    }
}

/// Whether a list filters by a substring or searches: its matches are found through trigram indexes.
pub fn has_substring(conditions: &[Condition]) -> bool {
    conditions.iter().any(|condition| {
        matches!(
            condition,
            Condition::Contains { .. } | Condition::Search { .. }
        )
    })
}

/// Up to how many matching rows a list's count is exact: `substring` for a list with a substring filter or
/// a search, whose every counted match is read from the table after the trigram bitmap, else `exact`, which
/// an index counts (decision 66).
pub fn count_cap(conditions: &[Condition], exact: u64, substring: u64) -> u64 {
    if has_substring(conditions) {
        Ord::min(substring, exact)
    } else {
        exact
    }
}

/// The statements of a substring list read through [`statements::capped_page_ids`].
#[allow(clippy::too_many_arguments)]
fn capped_statements(
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    spec: &ListSpec,
    position: Option<&Position>,
    sqlite: bool,
    cap: u64,
    scope: SqlCondition,
    filters: SqlCondition,
    count: SelectStatement,
    matching: SelectStatement,
) -> ListStatements {
    let cursor = position.map(|p| (p.side, p.value.to_sql(), p.id));
    let reverse = position.is_some_and(|p| p.side == Side::Before);
    let offset = if position.is_some() { 0 } else { spec.offset };
    let ids = statements::capped_page_ids(
        descriptor,
        scope.clone(),
        filters.clone(),
        &statements::CappedPage {
            key: spec.sort_by,
            direction: spec.sort_order,
            cap,
            offset,
            limit: spec.page_size + 1,
            cursor: cursor.clone(),
        },
        sqlite,
    );
    let m = || Expr::col((Alias::new("m"), Alias::new(TOTAL_COLUMN)));
    let mut page = if sqlite {
        let mut page = statements::select_records(descriptor, tenant_id);
        page.join_subquery(
            JoinType::InnerJoin,
            ids,
            Alias::new("m"),
            Expr::col((Alias::new("m"), Alias::new("id"))).equals(statements::qualified("id")),
        )
        .cond_where(scope.clone());
        page
    } else {
        // Left-joined from the ids, so that the row carrying the count comes back with them.
        statements::select_records_at(descriptor, tenant_id, ids, "m")
    };
    page.expr_as(m(), Alias::new(TOTAL_COLUMN));
    statements::order_capped(
        &mut page,
        descriptor,
        spec.sort_by,
        spec.sort_order,
        "m",
        reverse,
    );
    // PostgreSQL: one more, the row that carries the count when the page is empty.
    page.limit(spec.page_size + if sqlite { 1 } else { 2 });
    // The dense page: the page's ids in sort order first, then their records. A walk of the sort key's index
    // that skips many rows then reads the table only for the rows it keeps when the filter is on the sort
    // key's own column: "robotics" by company name skipped 17,000 names in 90 ms with a table read each, in
    // a few ms from the index alone.
    let dense_page = (!sqlite).then(|| {
        let mut ids = statements::ids_and_keys(descriptor, scope, filters, spec.sort_by);
        if let Some((side, value, id)) = cursor {
            ids.cond_where(statements::keyset(
                descriptor,
                spec.sort_by,
                spec.sort_order,
                side,
                value,
                id,
            ));
        }
        statements::order(&mut ids, descriptor, spec.sort_by, spec.sort_order, reverse);
        ids.limit(spec.page_size + 1).offset(offset);
        let mut dense = statements::select_records_at(descriptor, tenant_id, ids, "m");
        statements::order_capped(
            &mut dense,
            descriptor,
            spec.sort_by,
            spec.sort_order,
            "m",
            reverse,
        );
        dense
    });
    ListStatements {
        page,
        count,
        matching,
        dense_page,
    }
}

/// One row of a page: the API record and where it sits in the sort (for cursors).
pub struct ListedRow {
    pub record: Value,
    pub key: KeyValue,
    pub id: i64,
}

/// A page as read: its rows in display order, whether more rows lie beyond it (in the direction read), and
/// the count: exact up to `cap`, else the planner's estimate with `exact: false`.
pub struct FetchedPage {
    pub rows: Vec<ListedRow>,
    pub more: bool,
    pub total: u64,
    pub exact: bool,
}

/// A substring page on PostgreSQL, in one statement when the needle matches at most `cap` rows and two
/// otherwise. The capped `page` reads any `cap + 1` matches once (its trigram bitmap stops there), counts
/// them and, when they are all the matches, sorts them and returns the page's records (after a cursor, if
/// any), each carrying the count, or one row with a NULL id that carries it when the page is empty. Past the
/// cap the matches are dense, and the page
/// alone in sort order (`dense_page`) finds its rows within a short walk of the sort key's index; the count
/// then says "more than `cap`" without the planner's estimate, a third statement (its guess for a substring
/// is coarse anyway). Left to the planner, one statement had to guess the needle's frequency before reading a
/// row: a word in 1% of a million leads took 0.2–1.4 s when it guessed "dense", one in 20% took 0.4 s when it
/// guessed "sparse" (issue 20).
async fn fetch_substring_page(
    db: &impl ConnectionTrait,
    descriptor: &'static EntityDescriptor,
    statements: &ListStatements,
    dense_page: &SelectStatement,
    spec: &ListSpec<'_>,
    position: Option<&Position>,
    cap: u64,
) -> Result<FetchedPage, DbError> {
    let capped = fetch_all(db, &statements.page).await?;
    let counted = match capped.first() {
        Some(row) => row.try_get::<i64>("", TOTAL_COLUMN)? as u64,
        None => return Err(DbError::Missing("the capped page returned no count row")),
    };
    let dense = counted > cap;
    let mut rows = if dense {
        fetch_all(db, dense_page).await?
    } else {
        let mut rows = Vec::with_capacity(capped.len());
        for row in capped {
            if row.try_get::<Option<i64>>("", "id")?.is_some() {
                rows.push(row);
            }
        }
        rows
    };
    let more = rows.len() as u64 > spec.page_size;
    rows.truncate(spec.page_size as usize);
    if position.is_some_and(|p| p.side == Side::Before) {
        rows.reverse();
    }
    let offset = if position.is_some() { 0 } else { spec.offset };
    let seen = offset + rows.len() as u64 + u64::from(more);
    let (total, exact) = if dense {
        (Ord::max(cap + 1, seen), false)
    } else {
        (counted, true)
    };
    Ok(FetchedPage {
        rows: listed_rows(descriptor, spec, &rows, false)?,
        more,
        total,
        exact,
    })
}

/// Runs a list's statements: the page, then the count alone only when the page has no row to carry it, then
/// the estimate only when the count passed its cap (and the page has rows: a page past the end of a huge
/// result keeps "more than the limit" rather than spend a third statement).
pub async fn fetch_page(
    db: &impl ConnectionTrait,
    descriptor: &'static EntityDescriptor,
    statements: &ListStatements,
    spec: &ListSpec<'_>,
    position: Option<&Position>,
    cap: Option<u64>,
) -> Result<FetchedPage, DbError> {
    let sqlite = super::super::is_sqlite(db);
    if let (Some(dense_page), Some(cap)) = (&statements.dense_page, cap) {
        return fetch_substring_page(db, descriptor, statements, dense_page, spec, position, cap)
            .await;
    }
    let mut rows = fetch_all(db, &statements.page).await?;
    let more = rows.len() as u64 > spec.page_size;
    rows.truncate(spec.page_size as usize);
    if position.is_some_and(|p| p.side == Side::Before) {
        rows.reverse();
    }
    let counted = match rows.first() {
        Some(row) => row.try_get::<i64>("", TOTAL_COLUMN)? as u64,
        None => count_rows(db, &statements.count).await?,
    };
    let offset = if position.is_some() { 0 } else { spec.offset };
    let seen = offset + rows.len() as u64 + u64::from(more);
    let (total, exact) = match cap {
        Some(cap) if counted > cap => {
            let estimate = if rows.is_empty() {
                0
            } else {
                estimate_rows(db, &statements.matching).await?
            };
            (Ord::max(Ord::max(estimate, cap + 1), seen), false)
        }
        _ => (counted, true),
    };
    Ok(FetchedPage {
        rows: listed_rows(descriptor, spec, &rows, sqlite)?,
        more,
        total,
        exact,
    })
}

/// The API records of a page's rows, with where each sits in the sort (for cursors).
fn listed_rows(
    descriptor: &'static EntityDescriptor,
    spec: &ListSpec<'_>,
    rows: &[QueryResult],
    sqlite: bool,
) -> Result<Vec<ListedRow>, DbError> {
    let (key_kind, key_column) = key_of(descriptor, spec.sort_by);
    let rows = rows
        .iter()
        .map(|row: &QueryResult| {
            Ok(ListedRow {
                record: codec::to_json(descriptor, row, Liveness::Live)?,
                key: codec::read_key(row, key_kind, key_column, sqlite)?,
                id: row.try_get::<i64>("", "id")?,
            })
        })
        .collect::<Result<Vec<_>, sea_orm::DbErr>>()?;
    Ok(rows)
}

/// The count strategy alone: the capped count, and the planner's estimate when the cap is reached.
pub async fn count_matching(
    db: &impl ConnectionTrait,
    statements: &ListStatements,
    cap: Option<u64>,
) -> Result<(u64, bool), DbError> {
    let counted = count_rows(db, &statements.count).await?;
    match cap {
        Some(cap) if counted > cap => Ok((estimate_rows(db, &statements.matching).await?, false)),
        _ => Ok((counted, true)),
    }
}

/// The `total` of a [`statements::count`] statement.
pub async fn count_rows(
    db: &impl ConnectionTrait,
    count: &SelectStatement,
) -> Result<u64, DbError> {
    let total = fetch_one(db, count)
        .await?
        .map(|row| row.try_get::<i64>("", "total"))
        .transpose()?
        .unwrap_or(0);
    Ok(total as u64)
}

/// The planner's estimate of the rows a statement returns (PostgreSQL's `EXPLAIN`, which plans without
/// running it: well under a millisecond whatever the table's size).
async fn estimate_rows(
    db: &impl ConnectionTrait,
    select: &SelectStatement,
) -> Result<u64, DbError> {
    let mut explain = db.get_database_backend().build(select);
    explain.sql = format!("EXPLAIN (FORMAT JSON) {}", explain.sql);
    let plan: Value = db
        .query_one_raw(explain)
        .await?
        .ok_or(DbError::Missing("EXPLAIN returned no plan"))?
        .try_get("", "QUERY PLAN")?;
    let rows = plan[0]["Plan"]["Plan Rows"]
        .as_f64()
        .ok_or(DbError::Missing("EXPLAIN gave no row estimate"))?;
    Ok(rows.max(0.0).round() as u64)
}
