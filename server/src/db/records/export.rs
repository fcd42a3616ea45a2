//! The CSV export's reads: every row a list would show for the same filters and sort, in keyset chunks, each
//! its own statement, so no connection or snapshot is held while a slow client reads.

use sea_orm::{sea_query::SelectStatement, ConnectionTrait};
use serde_json::Value;
use shared::{descriptor::ColumnDef, EntityDescriptor};

use super::{
    codec,
    model::{key_of, Condition, KeyValue, Side, SortOrder},
    statements::{self, Liveness},
};
use crate::db::{fetch_all, DbError};

/// Where the previous chunk ended: the last row's sort value and id.
pub type Position = (KeyValue, i64);

/// One chunk: each row's cells (one per column, as the API's JSON values), and where the chunk ended.
pub struct Chunk {
    pub rows: Vec<Vec<Value>>,
    pub last: Option<Position>,
}

/// Reads chunks of a list in its order; owned, so a streaming task can keep it.
pub struct Chunker {
    descriptor: &'static EntityDescriptor,
    base: SelectStatement,
    sort_by: &'static str,
    sort_order: SortOrder,
    columns: Vec<ColumnDef>,
    sqlite: bool,
    pub chunk_rows: u64,
}

impl Chunker {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        descriptor: &'static EntityDescriptor,
        tenant_id: i64,
        conditions: &[Condition],
        sort_by: &'static str,
        sort_order: SortOrder,
        columns: Vec<ColumnDef>,
        chunk_rows: u64,
        sqlite: bool,
    ) -> Self {
        let mut base = statements::select_records(descriptor, tenant_id);
        base.cond_where(statements::scope(tenant_id, Liveness::Live))
            .cond_where(statements::filter_conditions(conditions, sqlite));
        Self {
            descriptor,
            base,
            sort_by,
            sort_order,
            columns,
            sqlite,
            chunk_rows,
        }
    }

    /// The rows after `after` (the last row read) in the list's order.
    pub async fn next(
        &self,
        db: &impl ConnectionTrait,
        after: Option<&Position>,
    ) -> Result<Chunk, DbError> {
        let mut select = self.base.clone();
        if let Some((value, id)) = after {
            select.cond_where(statements::keyset(
                self.descriptor,
                self.sort_by,
                self.sort_order,
                Side::After,
                value.to_sql(),
                *id,
            ));
        }
        statements::order(
            &mut select,
            self.descriptor,
            self.sort_by,
            self.sort_order,
            false,
        );
        select.limit(self.chunk_rows);
        let rows = fetch_all(db, &select).await?;
        let cells = rows
            .iter()
            .map(|row| {
                self.columns
                    .iter()
                    .map(|column| codec::read(row, column.name, column.kind))
                    .collect::<Result<Vec<_>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        let last = match rows.last() {
            Some(row) => {
                let (kind, column) = key_of(self.descriptor, self.sort_by);
                Some((
                    codec::read_key(row, kind, column, self.sqlite)?,
                    row.try_get::<i64>("", "id")?,
                ))
            }
            None => None,
        };
        Ok(Chunk { rows: cells, last })
    }
}
