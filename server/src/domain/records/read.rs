//! Reading records: one record, a report list page (offset or keyset cursor, capped count), the trash.

use serde_json::Value;
use shared::{permissions::Action, EntityKind};

use super::{
    cursor::{Cursor, Side},
    query::{parse_paging, Caller, ListQuery},
};
use crate::{
    db::{
        self,
        records::{
            list::{self, Position},
            Liveness,
        },
    },
    domain::{backend_config, params::Params, Actor, DomainError, Services},
};

/// `{"data": [...], "total", "page", "page_size", "total_exact", "next_cursor", "prev_cursor"}`.
pub type Page = shared::list::Page<Value>;

pub async fn get(
    svc: &Services,
    actor: &Actor,
    kind: EntityKind,
    id: i64,
) -> Result<Value, DomainError> {
    actor.require(Action::ReadRecords)?;
    backend_config::enabled(svc, actor, kind).await?;
    db::records::find(
        &svc.db,
        kind.descriptor(),
        actor.tenant_id,
        id,
        Liveness::Live,
    )
    .await?
    .map(|stored| stored.json)
    .ok_or(DomainError::NotFound)
}

/// Parses a list's parameters for this caller (`assigned_to=me` is the actor).
pub fn parse_list(
    actor: &Actor,
    kind: EntityKind,
    params: &Params,
) -> Result<ListQuery, DomainError> {
    ListQuery::parse(
        kind.descriptor(),
        params,
        &Caller {
            user_id: actor.user_id,
        },
    )
}

/// A report list page. SQLite has no cheap estimate to fall back on, and holds what one machine serves: it
/// always counts; PostgreSQL counts up to `KEEL_EXACT_COUNT_LIMIT`.
pub async fn list(
    svc: &Services,
    actor: &Actor,
    kind: EntityKind,
    query: &ListQuery,
) -> Result<Page, DomainError> {
    actor.require(Action::ReadRecords)?;
    backend_config::enabled(svc, actor, kind).await?;
    let descriptor = kind.descriptor();
    let sqlite = db::is_sqlite(&svc.db);
    let secret = svc.config.jwt_secret.expose();
    let cursor = query
        .cursor
        .as_deref()
        .map(|token| {
            Cursor::decode(
                token,
                secret,
                descriptor,
                query.sort_by,
                query.sort_order,
                sqlite,
            )
        })
        .transpose()?;
    let position = cursor.as_ref().map(|c| Position {
        side: c.side,
        value: c.value.clone(),
        id: c.id,
    });
    let spec = query.spec();
    let cap = (!sqlite).then(|| {
        list::count_cap(
            spec.conditions,
            svc.config.exact_count_limit,
            svc.config.substring_count_limit,
        )
    });
    let statements = list::list_statements(
        descriptor,
        actor.tenant_id,
        &spec,
        position.as_ref(),
        sqlite,
        cap,
    );
    let fetched = list::fetch_page(
        &svc.db,
        descriptor,
        &statements,
        &spec,
        position.as_ref(),
        cap,
    )
    .await?;

    let offset = if cursor.is_some() { 0 } else { query.offset() };
    let (has_next, has_prev) = match cursor.as_ref().map(|c| c.side) {
        None => (fetched.more, offset > 0),
        Some(Side::After) => (fetched.more, true),
        Some(Side::Before) => (true, fetched.more),
    };
    let boundary = |row: &list::ListedRow, side: Side| {
        Cursor {
            sort_by: query.sort_by.to_owned(),
            sort_order: query.sort_order,
            side,
            value: row.key.clone(),
            id: row.id,
        }
        .encode(secret)
    };
    let next_cursor = fetched
        .rows
        .last()
        .filter(|_| has_next)
        .map(|row| boundary(row, Side::After));
    let prev_cursor = fetched
        .rows
        .first()
        .filter(|_| has_prev)
        .map(|row| boundary(row, Side::Before));
    Ok(Page {
        data: fetched.rows.into_iter().map(|row| row.record).collect(),
        total: fetched.total,
        page: if cursor.is_some() { 0 } else { query.page },
        page_size: query.page_size,
        total_exact: fetched.exact,
        next_cursor,
        prev_cursor,
    })
}

/// The trash: deleted records, most recent first.
pub async fn trash(
    svc: &Services,
    actor: &Actor,
    kind: EntityKind,
    params: &Params,
) -> Result<Page, DomainError> {
    actor.require(Action::ReadRecords)?;
    backend_config::enabled(svc, actor, kind).await?;
    let (page, page_size) = parse_paging(params)?;
    let (data, total) =
        db::records::trashed_page(&svc.db, kind.descriptor(), actor.tenant_id, page, page_size)
            .await?;
    Ok(Page {
        data,
        total,
        page,
        page_size,
        total_exact: true,
        next_cursor: None,
        prev_cursor: None,
    })
}
