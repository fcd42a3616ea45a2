//! The SQL of the generic record path, built from descriptors with sea-query (identifiers come only from the
//! descriptors; every value is a bound parameter).

use sea_orm::sea_query::{
    Alias, Condition as SqlCondition, Expr, ExprTrait, Func, JoinType, LikeExpr, NullOrdering,
    Order, Query, SelectStatement, SimpleExpr, Value as SqlValue,
};
use shared::{
    descriptor::{Aggregate, AggregateFn, FieldKind},
    list::title_field,
    EntityDescriptor, EntityKind, FieldDef,
};

pub use super::model::Liveness;
use super::{
    codec::timestamp_param,
    model::{Condition, Side, SortOrder},
};

/// The alias of the entity's own table in every statement.
const T: &str = "t";

fn t(column: &str) -> Expr {
    Expr::col((Alias::new(T), Alias::new(column)))
}

/// The descriptor of the table a reference points at, for its display name.
fn referenced(table: &str) -> Option<&'static EntityDescriptor> {
    shared::ENTITY_KINDS
        .into_iter()
        .map(EntityKind::descriptor)
        .find(|d| d.table == table)
}

/// The joined display value for a field with `display_as` (assignee's name, client's name, …).
fn display_join(index: usize, def: &FieldDef) -> Option<(String, &'static str, &'static str)> {
    let alias = format!("j{index}");
    match def.kind {
        FieldKind::User => Some((alias, "users", "name")),
        FieldKind::Reference(table) => referenced(table).map(|d| (alias, d.table, title_field(d))),
        _ => None,
    }
}

/// The alias of the grouped join that computes `aggregate` (one join per child table and reference).
fn aggregate_alias(descriptor: &EntityDescriptor, aggregate: &Aggregate) -> String {
    let group = descriptor
        .computed
        .iter()
        .position(|c| (c.aggregate.child, c.aggregate.via) == (aggregate.child, aggregate.via))
        .unwrap_or_default();
    format!("ag{group}")
}

/// Expression for a computed column (e.g. a client's live project count and budget sum), available once
/// [`join_computed`] has joined its aggregate; 0 for a record with no child rows.
fn computed_expr(descriptor: &EntityDescriptor, name: &str) -> Option<SimpleExpr> {
    let computed = descriptor.computed.iter().find(|c| c.name == name)?;
    let alias = aggregate_alias(descriptor, &computed.aggregate);
    Some(
        Func::coalesce([
            Expr::col((Alias::new(alias), Alias::new(name))),
            Expr::val(0i64),
        ])
        .into(),
    )
}

/// Joins each group of the descriptor's aggregates once: one grouped statement over the tenant's live child
/// rows per (child, via), no per-row queries.
fn join_computed(select: &mut SelectStatement, descriptor: &EntityDescriptor, tenant_id: i64) {
    for (index, first) in descriptor.computed.iter().enumerate() {
        let (child, via) = (first.aggregate.child, first.aggregate.via);
        if aggregate_alias(descriptor, &first.aggregate) != format!("ag{index}") {
            continue;
        }
        let mut aggregate = Query::select();
        aggregate.from(Alias::new(child)).column(Alias::new(via));
        for computed in descriptor
            .computed
            .iter()
            .filter(|c| (c.aggregate.child, c.aggregate.via) == (child, via))
        {
            let value: SimpleExpr = match computed.aggregate.function {
                AggregateFn::Count => Func::count(Expr::col(Alias::new("id"))).into(),
                // PostgreSQL sums BIGINT into NUMERIC; the API reads whole cents.
                AggregateFn::Sum(column) => Func::cast_as(
                    Func::sum(Expr::col(Alias::new(column))),
                    Alias::new("BIGINT"),
                )
                .into(),
            };
            aggregate.expr_as(value, Alias::new(computed.name));
        }
        aggregate
            .and_where(Expr::col(Alias::new("tenant_id")).eq(tenant_id))
            .and_where(Expr::col(Alias::new("deleted_at")).is_null())
            .group_by_col(Alias::new(via));
        let alias = format!("ag{index}");
        select.join_subquery(
            JoinType::LeftJoin,
            aggregate,
            Alias::new(&alias),
            Expr::col((Alias::new(&alias), Alias::new(via)))
                .equals((Alias::new(T), Alias::new("id"))),
        );
    }
}

/// `SELECT` of full records with every joined and computed display value: one statement whatever the page.
pub fn select_records(descriptor: &'static EntityDescriptor, tenant_id: i64) -> SelectStatement {
    let mut select = Query::select();
    select.from_as(Alias::new(descriptor.table), Alias::new(T));
    record_columns(&mut select, descriptor, tenant_id);
    select
}

/// [`select_records`] for the rows of a list of ids (a PostgreSQL [`capped_page_ids`] under `alias`), read
/// from that list: the records are left-joined to it by id, so a row of the list with a NULL id (the one
/// that carries the count) comes back too, with NULL record columns.
pub fn select_records_at(
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
    ids: SelectStatement,
    alias: &str,
) -> SelectStatement {
    let mut select = Query::select();
    select.from_subquery(ids, Alias::new(alias)).join_as(
        JoinType::LeftJoin,
        Alias::new(descriptor.table),
        Alias::new(T),
        SqlCondition::all()
            .add(t("tenant_id").eq(tenant_id))
            .add(t("id").equals((Alias::new(alias), Alias::new("id")))),
    );
    record_columns(&mut select, descriptor, tenant_id);
    select
}

/// The columns of [`select_records`], with the joins their display values and aggregates need.
fn record_columns(
    select: &mut SelectStatement,
    descriptor: &'static EntityDescriptor,
    tenant_id: i64,
) {
    for def in descriptor.fields {
        select.expr_as(t(def.name), Alias::new(def.name));
    }
    for column in ["created_by", "version", "deleted_at"] {
        select.expr_as(t(column), Alias::new(column));
    }
    for (index, def) in descriptor.fields.iter().enumerate() {
        let (Some(display), Some((alias, table, title))) =
            (def.display_as, display_join(index, def))
        else {
            continue;
        };
        select.join_as(
            JoinType::LeftJoin,
            Alias::new(table),
            Alias::new(&alias),
            SqlCondition::all()
                .add(
                    Expr::col((Alias::new(&alias), Alias::new("tenant_id")))
                        .equals((Alias::new(T), Alias::new("tenant_id"))),
                )
                .add(
                    Expr::col((Alias::new(&alias), Alias::new("id")))
                        .equals((Alias::new(T), Alias::new(def.name))),
                ),
        );
        select.expr_as(
            Expr::col((Alias::new(&alias), Alias::new(title))),
            Alias::new(display),
        );
    }
    join_computed(select, descriptor, tenant_id);
    for computed in descriptor.computed {
        if let Some(expr) = computed_expr(descriptor, computed.name) {
            select.expr_as(expr, Alias::new(computed.name));
        }
    }
}

/// The tenant and liveness conditions every statement starts from.
pub fn scope(tenant_id: i64, liveness: Liveness) -> SqlCondition {
    let deleted = match liveness {
        Liveness::Live => t("deleted_at").is_null(),
        Liveness::Trashed => t("deleted_at").is_not_null(),
    };
    SqlCondition::all()
        .add(t("tenant_id").eq(tenant_id))
        .add(deleted)
}

/// `%needle%` for LIKE, with LIKE's own wildcards in the needle escaped, lower-cased for a case-insensitive
/// match against `lower(column)`.
fn like_pattern(needle: &str) -> LikeExpr {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for ch in needle.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    LikeExpr::new(pattern).escape('\\')
}

pub fn filter_conditions(conditions: &[Condition], sqlite: bool) -> SqlCondition {
    let mut all = SqlCondition::all();
    for condition in conditions {
        all = all.add::<SimpleExpr>(match condition {
            Condition::Contains { column, needle } => {
                Func::lower(t(column)).like(like_pattern(needle))
            }
            Condition::Search { columns, needle } => {
                let mut any = SqlCondition::any();
                for column in columns.iter() {
                    any = any.add(Func::lower(t(column)).like(like_pattern(needle)));
                }
                any.into()
            }
            Condition::AnyOf { column, values } => t(column).is_in(values.iter().cloned()),
            Condition::Equals { column, value } => t(column).eq(*value),
            Condition::IsNull { column } => t(column).is_null(),
            Condition::TimeFrom { column, from } => t(column).gte(timestamp_param(*from, sqlite)),
            Condition::TimeBefore {
                column,
                before,
                inclusive: true,
            } => t(column).lte(timestamp_param(*before, sqlite)),
            Condition::TimeBefore {
                column,
                before,
                inclusive: false,
            } => t(column).lt(timestamp_param(*before, sqlite)),
            Condition::DateFrom { column, from } => t(column).gte(*from),
            Condition::DateTo { column, to } => t(column).lte(*to),
        });
    }
    all
}

/// The expression a sort key orders by: the column, the joined name for references and assignees, or the
/// computed aggregate.
pub fn sort_expr(descriptor: &EntityDescriptor, key: &str) -> SimpleExpr {
    if let Some(expr) = computed_expr(descriptor, key) {
        return expr;
    }
    if let Some((index, def)) = descriptor
        .fields
        .iter()
        .enumerate()
        .find(|(_, f)| f.name == key)
    {
        if let (Some(_), Some((alias, _, title))) = (def.display_as, display_join(index, def)) {
            return Expr::col((Alias::new(alias), Alias::new(title)));
        }
    }
    t(key)
}

/// Whether the sort key can never be NULL: then ORDER BY leaves out `NULLS LAST`, so PostgreSQL can walk the
/// (tenant_id, key, id) index in either direction (it does not infer that NULLS LAST is moot on a NOT NULL
/// column, and `DESC NULLS LAST` does not match a backward scan of an ascending index).
pub fn never_null(descriptor: &EntityDescriptor, key: &str) -> bool {
    if computed_expr(descriptor, key).is_some() {
        // COALESCEd to 0.
        return true;
    }
    descriptor.field(key).is_some_and(|def| {
        def.display_as.is_none()
            && (def.required || matches!(def.kind, FieldKind::Id | FieldKind::Timestamp))
    })
}

fn sql_order(direction: SortOrder) -> Order {
    match direction {
        SortOrder::Asc => Order::Asc,
        SortOrder::Desc => Order::Desc,
    }
}

/// `ORDER BY <key> <dir> NULLS LAST, id <dir>`: ties broken by id so pages never overlap or skip. With
/// `reverse` the exact opposite order (`NULLS FIRST`), for fetching the page before a cursor.
pub fn order(
    select: &mut SelectStatement,
    descriptor: &EntityDescriptor,
    key: &str,
    direction: SortOrder,
    reverse: bool,
) {
    let sort = (key != "id").then(|| (sort_expr(descriptor, key), never_null(descriptor, key)));
    order_by(select, sort, t("id"), direction, reverse);
}

/// The rows strictly after (or before) a cursor's row in `ORDER BY key dir NULLS LAST, id dir`. Written as
/// `key >= v AND (key > v OR id > i)` rather than a row comparison so that both backends accept it and the
/// leading `key >= v` is a range on the (tenant_id, key, id) index.
pub fn keyset(
    descriptor: &EntityDescriptor,
    key: &str,
    direction: SortOrder,
    side: Side,
    value: Option<SqlValue>,
    id: i64,
) -> SqlCondition {
    let sort = (key != "id").then(|| (sort_expr(descriptor, key), never_null(descriptor, key)));
    keyset_over(sort, t("id"), direction, side, value, id)
}

/// [`keyset`] over any two expressions: the sort key's (absent when the list is sorted by id alone, with
/// whether it is never NULL) and the id's.
fn keyset_over(
    sort: Option<(Expr, bool)>,
    id_expr: Expr,
    direction: SortOrder,
    side: Side,
    value: Option<SqlValue>,
    id: i64,
) -> SqlCondition {
    // "Later" in the list's own order: greater for ascending, smaller for descending.
    let later = (direction == SortOrder::Asc) == (side == Side::After);
    let beyond = |expr: Expr, v: SqlValue| -> SimpleExpr {
        if later {
            expr.gt(v)
        } else {
            expr.lt(v)
        }
    };
    let beyond_or_equal = |expr: Expr, v: SqlValue| -> SimpleExpr {
        if later {
            expr.gte(v)
        } else {
            expr.lte(v)
        }
    };
    let id_beyond = beyond(id_expr, SqlValue::BigInt(Some(id)));
    let Some((key_expr, never_null)) = sort else {
        return SqlCondition::all().add(id_beyond);
    };
    let expr = || key_expr.clone();
    match value {
        Some(v) => {
            let mut on_the_side = SqlCondition::all()
                .add(beyond_or_equal(expr(), v.clone()))
                .add(SqlCondition::any().add(beyond(expr(), v)).add(id_beyond));
            // NULLs come after every value: all of them are after a non-NULL cursor, none before it.
            if side == Side::After && !never_null {
                on_the_side = SqlCondition::any().add(on_the_side).add(expr().is_null());
            }
            on_the_side
        }
        None => {
            let among_nulls = SqlCondition::all().add(expr().is_null()).add(id_beyond);
            match side {
                Side::After => among_nulls,
                Side::Before => SqlCondition::any()
                    .add(expr().is_not_null())
                    .add(among_nulls),
            }
        }
    }
}

/// `SELECT COUNT(*)` over the same scope and filters (no joins: filters only touch the entity's own columns).
/// With `cap`, counting stops after `cap + 1` rows: the answer is exact up to `cap`, and above it says only
/// "more than `cap`" — at the cost of reading at most `cap + 1` index entries whatever the table's size.
pub fn count(
    descriptor: &EntityDescriptor,
    scope: SqlCondition,
    filters: SqlCondition,
    cap: Option<u64>,
) -> SelectStatement {
    let mut matching = Query::select();
    matching
        .from_as(Alias::new(descriptor.table), Alias::new(T))
        .cond_where(scope)
        .cond_where(filters);
    let mut select = Query::select();
    match cap {
        Some(cap) => {
            matching.expr(Expr::val(1)).limit(cap + 1);
            select
                .from_subquery(matching, Alias::new("capped"))
                .expr_as(Func::count(Expr::val(1)), Alias::new("total"));
        }
        None => {
            select = matching;
            select.expr_as(
                Func::count(Expr::col((Alias::new(T), Alias::new("id")))),
                Alias::new("total"),
            );
        }
    }
    select
}

/// The page a [`capped_page_ids`] reads: by offset, or (PostgreSQL) next to a cursor's row.
pub struct CappedPage {
    pub key: &'static str,
    pub direction: SortOrder,
    pub cap: u64,
    pub offset: u64,
    pub limit: u64,
    /// The rows after (or before) this row, with its sort value: read in the list's order (reversed before
    /// it, as [`keyset`] pages are).
    pub cursor: Option<(Side, Option<SqlValue>, i64)>,
}

/// For substring queries: the ids of one page and the capped count, from a single scan (for a substring the
/// trigram bitmap is the costly part, and a count and a page would otherwise each run it). Only for sorts by
/// the entity's own columns and pages that lie within the first `cap + 1` matches.
///
/// On PostgreSQL any `cap + 1` matching rows are read, unordered (a needle matching much stops the bitmap's
/// heap scan early), counted and gathered into arrays of ids and sort keys, without sorting. The page is then
/// taken from the arrays (top-N by the list's order, after the cursor if there is one) only when they hold
/// every match (at most `cap`): that condition refers to the gathered row alone, so PostgreSQL checks it
/// once (a one-time filter) and a dense needle skips the sort (it cost 5 ms of 13 at a million leads, issue
/// 20); the caller reads a dense page another way. The page is left-joined to the gathered row, so that an
/// empty page still returns one row, with a NULL id, that carries the count (see [`select_records_at`]). An
/// aggregate tells the planner that every capped row is read; with `COUNT(*) OVER ()` under the page's LIMIT
/// it planned for the first 51 rows only and, for a needle matching none, walked the whole tenant in sort
/// order looking for them (0.5–2 s at a million leads). SQLite has no arrays and no such plan: it keeps the
/// ordered rows and a window, by offset only.
pub fn capped_page_ids(
    descriptor: &EntityDescriptor,
    scope: SqlCondition,
    filters: SqlCondition,
    page: &CappedPage,
    sqlite: bool,
) -> SelectStatement {
    let mut capped = ids_and_keys(descriptor, scope, filters, page.key);
    capped.limit(page.cap + 1);

    if !sqlite {
        let mut gathered = Query::select();
        gathered
            .from_subquery(capped, Alias::new("capped"))
            .expr_as(Expr::cust("COUNT(*)"), Alias::new(CAPPED_TOTAL))
            .expr_as(Expr::cust("array_agg(capped.id)"), Alias::new("ids"))
            .expr_as(
                Expr::cust("array_agg(capped.sort_key)"),
                Alias::new("sort_keys"),
            );
        // Identifiers and whole numbers of our own, never input: safe to write into the statement.
        let element = |array: &str| Expr::cust(format!("gathered.{array}[i]"));
        let mut in_page = Query::select();
        in_page
            .from_function(
                Func::cust("generate_subscripts")
                    .arg(Expr::cust("gathered.ids"))
                    .arg(1),
                Alias::new("i"),
            )
            .expr_as(element("ids"), Alias::new("id"))
            .expr_as(element("sort_keys"), Alias::new("sort_key"))
            .and_where(Expr::cust(format!(
                "gathered.{CAPPED_TOTAL} <= {}",
                page.cap
            )));
        let sort =
            (page.key != "id").then(|| (element("sort_keys"), never_null(descriptor, page.key)));
        let reverse = matches!(page.cursor, Some((Side::Before, ..)));
        if let Some((side, value, id)) = &page.cursor {
            in_page.cond_where(keyset_over(
                sort.clone(),
                element("ids"),
                page.direction,
                *side,
                value.clone(),
                *id,
            ));
        }
        order_by(&mut in_page, sort, element("ids"), page.direction, reverse);
        in_page.limit(page.limit).offset(page.offset);

        let mut ids = Query::select();
        ids.from_subquery(gathered, Alias::new("gathered"))
            .join_lateral(
                JoinType::LeftJoin,
                in_page,
                Alias::new("capped"),
                Expr::cust("TRUE"),
            )
            .expr_as(Expr::cust("capped.id"), Alias::new("id"))
            .expr_as(Expr::cust("capped.sort_key"), Alias::new("sort_key"))
            .expr_as(
                Expr::cust(format!("gathered.{CAPPED_TOTAL}")),
                Alias::new(CAPPED_TOTAL),
            );
        return ids;
    }

    order(&mut capped, descriptor, page.key, page.direction, false);
    let c = |column: &str| Expr::col((Alias::new("capped"), Alias::new(column)));
    let mut ids = Query::select();
    ids.from_subquery(capped, Alias::new("capped"))
        .expr_as(c("id"), Alias::new("id"))
        .expr_as(c("sort_key"), Alias::new("sort_key"))
        .expr_as(Expr::cust("COUNT(*) OVER ()"), Alias::new(CAPPED_TOTAL));
    let sort = (page.key != "id").then(|| (c("sort_key"), never_null(descriptor, page.key)));
    order_by(&mut ids, sort, c("id"), page.direction, false);
    ids.limit(page.limit).offset(page.offset);
    ids
}

/// The ids and sort keys (`id`, `sort_key`) of the matching rows, for a sort by one of the entity's own
/// columns. Read alone, the matches of a filter on the sort key's own column come from its index without
/// visiting the table (an index-only scan), however many rows the walk skips.
pub fn ids_and_keys(
    descriptor: &EntityDescriptor,
    scope: SqlCondition,
    filters: SqlCondition,
    key: &str,
) -> SelectStatement {
    let mut select = Query::select();
    select
        .from_as(Alias::new(descriptor.table), Alias::new(T))
        .expr_as(t("id"), Alias::new("id"))
        .expr_as(t(key), Alias::new("sort_key"))
        .cond_where(scope)
        .cond_where(filters);
    select
}

/// The column of a [`capped_page_ids`] result that carries the capped count.
pub const CAPPED_TOTAL: &str = "keel_total";

/// `ORDER BY key dir NULLS LAST, id dir` over any two expressions, or the reverse of that order.
fn order_by(
    select: &mut SelectStatement,
    sort: Option<(Expr, bool)>,
    id_expr: Expr,
    direction: SortOrder,
    reverse: bool,
) {
    let effective = if reverse {
        direction.reversed()
    } else {
        direction
    };
    if let Some((key_expr, never_null)) = sort {
        if never_null {
            select.order_by_expr(key_expr, sql_order(effective));
        } else {
            let nulls = if reverse {
                NullOrdering::First
            } else {
                NullOrdering::Last
            };
            select.order_by_expr_with_nulls(key_expr, sql_order(effective), nulls);
        }
    }
    select.order_by_expr(id_expr, sql_order(effective));
}

/// Orders by the result of a [`capped_page_ids`] under `alias`, like [`order`]: by its `sort_key` and `id`.
/// The page statement orders by these rather than the table's columns: ordered by `t.key`, the planner may
/// walk the key's index across the whole tenant looking for the page's few rows.
pub fn order_capped(
    select: &mut SelectStatement,
    descriptor: &EntityDescriptor,
    key: &str,
    direction: SortOrder,
    alias: &str,
    reverse: bool,
) {
    let c = |column: &str| Expr::col((Alias::new(alias), Alias::new(column)));
    let sort = (key != "id").then(|| (c("sort_key"), never_null(descriptor, key)));
    order_by(select, sort, c("id"), direction, reverse);
}

/// The statement whose plan estimates how many rows match (`EXPLAIN` of it gives "Plan Rows").
pub fn matching_rows(
    descriptor: &EntityDescriptor,
    scope: SqlCondition,
    filters: SqlCondition,
) -> SelectStatement {
    let mut select = Query::select();
    select
        .from_as(Alias::new(descriptor.table), Alias::new(T))
        .expr(Expr::val(1))
        .cond_where(scope)
        .cond_where(filters);
    select
}

pub fn column(name: &str) -> Expr {
    t(name)
}

/// `(t, name)`: a column of the entity's table, for join conditions.
pub fn qualified(name: &str) -> (Alias, Alias) {
    (Alias::new(T), Alias::new(name))
}
