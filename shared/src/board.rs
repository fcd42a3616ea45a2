//! The pipeline board (`GET /api/{entity}/board`): the records of a status entity as one column per status of
//! the tenant, in the tenant's order, each with its count (and, for projects, its budget sum) and its first
//! cards. The board's filters and sort are the report's.

use serde::{Deserialize, Serialize};

use crate::{descriptor::StatusCategory, value::Money};

/// Cards a column shows before "Show more".
pub const DEFAULT_CARDS_PER_COLUMN: u64 = 50;
pub const MAX_CARDS_PER_COLUMN: u64 = 200;
/// The board's own parameters, beside the report's filters and sort.
pub const BOARD_PARAMS: [&str; 3] = ["per_column", "column", "offset"];

/// One status of an entity and its records: a board's column without its cards, and one bar of the
/// dashboard's chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusCount {
    /// The status key the records store.
    pub key: String,
    pub label: String,
    pub category: StatusCategory,
    /// `false` for a key the tenant no longer has as a status (records are never hidden: they get a column
    /// of their own until moved).
    pub known: bool,
    /// Records of this status (matching the board's filters).
    pub count: u64,
    /// The sum of the entity's board sum field (a project's budget) over those records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum: Option<Money>,
}

/// One column: a status, its figures and the records in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardColumn<R> {
    #[serde(flatten)]
    pub status: StatusCount,
    /// The first cards, in the board's sort order (after `offset` for "Show more").
    pub cards: Vec<R>,
    /// More cards follow these.
    pub more: bool,
}

/// A board: its columns in the tenant's status order, then any unknown keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Board<R> {
    /// The field the columns group by (`lead_status`).
    pub status_field: String,
    /// Records matching the filters, over all columns.
    pub total: u64,
    pub columns: Vec<BoardColumn<R>>,
}

impl<R> Board<R> {
    pub fn column(&self, key: &str) -> Option<&BoardColumn<R>> {
        self.columns.iter().find(|column| column.status.key == key)
    }
}
