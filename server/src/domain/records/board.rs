//! The pipeline board of a status entity (`GET /api/{entity}/board`): the report's filters and sort, shown as
//! one column per status of the tenant. Counts and sums come from one grouped statement and the cards of every
//! column from one more, however many columns there are.

use serde_json::Value;
use shared::{
    backend_config::StatusDef,
    board::{
        Board, BoardColumn, StatusCount, BOARD_PARAMS, DEFAULT_CARDS_PER_COLUMN,
        MAX_CARDS_PER_COLUMN,
    },
    permissions::Action,
    rules::is_status_key,
    EntityKind, Money, StatusCategory,
};

use super::query::ListQuery;
use crate::{
    db::records::board::{self as stored, StatusGroup},
    domain::{
        backend_config,
        params::{problem, Params, Read},
        Actor, DomainError, Services,
    },
};

/// "Show more" reaches at most this far into one column; past it the report's pages are the way on.
pub const MAX_BOARD_OFFSET: u64 = 10_000;

/// A board request: the report's filters and sort, and which cards to read.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardQuery {
    pub list: ListQuery,
    /// Cards per column (`per_column`, 1–200, default 50).
    pub per_column: u64,
    /// Only this column's cards (`column`, for "Show more"); the counts are still every column's.
    pub column: Option<String>,
    /// Cards skipped in each column read.
    pub offset: u64,
}

/// Parses a board's parameters: the list's filters and sort (paging and cursors are the report's, not the
/// board's), then `per_column`, `column` and `offset`.
pub fn parse_board(
    actor: &Actor,
    kind: EntityKind,
    params: &Params,
) -> Result<BoardQuery, DomainError> {
    if kind.descriptor().board.is_none() {
        return Err(DomainError::NotFound);
    }
    let (own, rest): (Vec<_>, Vec<_>) = params
        .pairs()
        .iter()
        .cloned()
        .partition(|(name, _)| BOARD_PARAMS.contains(&name.as_str()));
    let paging = rest
        .iter()
        .find(|(name, _)| matches!(name.as_str(), "page" | "page_size" | "cursor"));
    if let Some((name, _)) = paging {
        return Err(DomainError::Invalid {
            message: "Invalid board parameters".into(),
            details: vec![problem(
                name,
                "unknown_parameter",
                format!(
                    "`{name}` pages a report; a board column pages with `offset` and `per_column`"
                ),
            )],
        });
    }
    let mut query = BoardQuery {
        list: super::read::parse_list(actor, kind, &Params::from_pairs(rest))?,
        per_column: DEFAULT_CARDS_PER_COLUMN,
        column: None,
        offset: 0,
    };
    Params::from_pairs(own).read_each("Invalid board parameters", |name, value, _| {
        let number = |max: u64, min: u64| {
            value
                .parse::<u64>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| {
                    problem(
                        name,
                        "out_of_range",
                        format!("{name} must be a whole number from {min} to {max}"),
                    )
                })
        };
        let parsed = match name {
            "per_column" => number(MAX_CARDS_PER_COLUMN, 1).map(|n| query.per_column = n),
            "offset" => number(MAX_BOARD_OFFSET, 0).map(|n| query.offset = n),
            "column" if value.is_empty() => Ok(()),
            "column" if is_status_key(value) => {
                query.column = Some(value.to_owned());
                Ok(())
            }
            "column" => Err(problem(
                name,
                "invalid",
                "column must be a status key (a-z, 0-9 and _)",
            )),
            _ => return Read::Unknown,
        };
        parsed.map_or_else(Read::Bad, |()| Read::Taken)
    })?;
    Ok(query)
}

/// The tenant's `statuses` in order with their records (zero included), then a status for each key records
/// hold that the tenant no longer has, by key: a board's columns and a dashboard chart's bars. With `summed`,
/// each has its sum (zero when none).
pub fn in_tenant_order(
    statuses: &[StatusDef],
    groups: &[StatusGroup],
    summed: bool,
) -> Vec<StatusCount> {
    let money = |group: Option<&StatusGroup>| {
        summed.then(|| Money(group.and_then(|g| g.sum_cents).unwrap_or(0)))
    };
    let mut counted: Vec<StatusCount> = statuses
        .iter()
        .map(|status| {
            let group = groups.iter().find(|group| group.key == status.key);
            StatusCount {
                key: status.key.clone(),
                label: status.label.clone(),
                category: status.category,
                known: true,
                count: group.map_or(0, |group| group.count),
                sum: money(group),
            }
        })
        .collect();
    let mut unknown: Vec<StatusCount> = groups
        .iter()
        .filter(|group| !statuses.iter().any(|status| status.key == group.key))
        .map(|group| StatusCount {
            key: group.key.clone(),
            label: format!("{} (no longer a status)", group.key),
            category: StatusCategory::Open,
            known: false,
            count: group.count,
            sum: money(Some(group)),
        })
        .collect();
    unknown.sort_by(|a, b| a.key.cmp(&b.key));
    counted.extend(unknown);
    counted
}

/// The board: the tenant's statuses in order, each with its count, sum and first cards; then a column for
/// each key records still hold that the tenant no longer has, so that no record is ever off the board.
pub async fn board(
    svc: &Services,
    actor: &Actor,
    kind: EntityKind,
    query: &BoardQuery,
) -> Result<Board<Value>, DomainError> {
    actor.require(Action::ReadRecords)?;
    let config = backend_config::enabled(svc, actor, kind).await?;
    let descriptor = kind.descriptor();
    let (Some((status_field, status_entity)), Some(board)) = (descriptor.status, descriptor.board)
    else {
        return Err(DomainError::NotFound);
    };
    let groups = stored::status_groups(
        &svc.db,
        descriptor,
        actor.tenant_id,
        status_field,
        &query.list.conditions,
        board.sum,
    )
    .await?;

    let mut columns: Vec<BoardColumn<Value>> = in_tenant_order(
        config.statuses_of(status_entity),
        &groups,
        board.sum.is_some(),
    )
    .into_iter()
    .map(|status| BoardColumn {
        status,
        cards: Vec::new(),
        more: false,
    })
    .collect();

    let keys: Vec<String> = columns
        .iter()
        .filter(|column| column.status.count > query.offset)
        .filter(|column| {
            query
                .column
                .as_ref()
                .is_none_or(|only| *only == column.status.key)
        })
        .map(|column| column.status.key.clone())
        .collect();
    let cards = stored::cards(
        &svc.db,
        descriptor,
        actor.tenant_id,
        &stored::CardsSpec {
            status_column: status_field,
            keys: &keys,
            conditions: &query.list.conditions,
            sort_by: query.list.sort_by,
            sort_order: query.list.sort_order,
            limit: query.per_column,
            offset: query.offset,
        },
    )
    .await?;
    for card in cards {
        let key = card
            .get(status_field)
            .and_then(Value::as_str)
            .unwrap_or_default();
        if let Some(column) = columns.iter_mut().find(|column| column.status.key == key) {
            if column.cards.len() as u64 == query.per_column {
                column.more = true;
            } else {
                column.cards.push(card);
            }
        }
    }
    let total = columns.iter().map(|column| column.status.count).sum();
    Ok(Board {
        status_field: status_field.to_owned(),
        total,
        columns,
    })
}
