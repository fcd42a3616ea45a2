//! Saved views (issue 16): a report's query and columns under a name, the user's own or shared with the
//! tenant. Anyone who reads records keeps views; the owner changes their own, admins and managers also shared
//! ones; everyone reads the tenant's shared views. A view's query is checked by the list parser when saved,
//! so a view always opens; a status move rewrites the views that filter on the moved status, in the move's
//! transaction. Views of a module switched off are left out, as if they did not exist.

use chrono::Utc;
use sea_orm::ConnectionTrait;
use shared::{
    list::encode_query,
    permissions::{allows, Action},
    views::{
        default_columns, validate_view_input, validate_view_patch, view_entity, SavedView,
        SavedViewInput, SavedViewList, SavedViewPatch, ViewLayout, VIEW_PAGING_PARAMS,
    },
    EntityKind, FieldError, Patch, ENTITY_KINDS,
};

use super::{
    backend_config,
    params::{problem, Params, Read},
    records::query::{Caller, ListQuery},
    Actor, DomainError, Services,
};
use crate::db::{
    self,
    views::{self as stored, ViewRow, ViewValues},
    DbError,
};

/// `GET /api/views[?entity=leads]`: the views the actor may read, of the modules switched on.
pub async fn list(
    svc: &Services,
    actor: &Actor,
    params: &Params,
) -> Result<SavedViewList, DomainError> {
    actor.require(Action::ReadRecords)?;
    let mut only: Option<EntityKind> = None;
    params.read_each("Invalid view list parameters", |name, value, _| {
        match (name, view_entity(value)) {
            ("entity", Some(kind)) => {
                only = Some(kind);
                Read::Taken
            }
            ("entity", None) => Read::Bad(unknown_entity()),
            _ => Read::Unknown,
        }
    })?;
    let config = backend_config::current(svc, actor).await?;
    let entities: Vec<&str> = ENTITY_KINDS
        .into_iter()
        .filter(|kind| only.is_none_or(|only| only == *kind) && config.enabled(*kind))
        .map(EntityKind::plural)
        .collect();
    let rows = stored::list_readable(&svc.db, actor.tenant_id, actor.user_id, &entities).await?;
    Ok(SavedViewList {
        data: rows.into_iter().map(|row| to_dto(actor, row)).collect(),
    })
}

/// `GET /api/views/{id}`.
pub async fn get(svc: &Services, actor: &Actor, id: i64) -> Result<SavedView, DomainError> {
    actor.require(Action::ReadRecords)?;
    Ok(to_dto(actor, find_readable(svc, &svc.db, actor, id).await?))
}

/// `POST /api/views`.
pub async fn create(
    svc: &Services,
    actor: &Actor,
    input: SavedViewInput,
) -> Result<SavedView, DomainError> {
    actor.require(Action::ReadRecords)?;
    let kind = validate_view_input(&input).map_err(DomainError::validation)?;
    switched_on(svc, actor, kind).await?;
    let query = checked_query(actor, kind, &input.query)?;
    let columns = input.columns.unwrap_or_else(|| default_columns(kind));
    let columns = columns_json(&columns)?;
    let name = input.name.trim();
    let values = ViewValues {
        entity: kind.plural(),
        name,
        query: &query,
        columns: &columns,
        layout: input.layout.as_str(),
        shared: input.shared,
        pinned: input.pinned,
    };
    let id = stored::insert(&svc.db, actor.tenant_id, actor.user_id, &values, Utc::now())
        .await
        .map_err(taken_name)?;
    get(svc, actor, id).await
}

/// `PATCH /api/views/{id}`: the fields sent, each checked as on create.
pub async fn update(
    svc: &Services,
    actor: &Actor,
    id: i64,
    patch: SavedViewPatch,
) -> Result<SavedView, DomainError> {
    actor.require(Action::ReadRecords)?;
    let txn = db::begin_write(&svc.db).await?;
    let current = find_editable(svc, &txn, actor, id).await?;
    let kind = view_entity(&current.entity).ok_or(DomainError::NotFound)?;
    validate_view_patch(kind, &patch).map_err(DomainError::validation)?;
    if patch
        .version
        .is_some_and(|version| version != current.version)
    {
        return Err(stale());
    }
    let query = match &patch.query {
        Patch::Set(query) => checked_query(actor, kind, query)?,
        _ => current.query.clone(),
    };
    let columns = match &patch.columns {
        Patch::Set(columns) => columns_json(columns)?,
        _ => current.columns.clone(),
    };
    let name = match &patch.name {
        Patch::Set(name) => name.trim().to_owned(),
        _ => current.name.clone(),
    };
    let shared = set_or(&patch.shared, current.shared);
    let layout = match patch.layout {
        Patch::Set(layout) => layout.as_str(),
        _ => current.layout.as_str(),
    };
    let values = ViewValues {
        entity: &current.entity,
        name: &name,
        query: &query,
        columns: &columns,
        layout,
        shared,
        pinned: set_or(&patch.pinned, current.pinned),
    };
    let written = stored::update(
        &txn,
        actor.tenant_id,
        id,
        current.version,
        &values,
        Utc::now(),
    )
    .await
    .map_err(taken_name)?;
    if !written {
        return Err(stale());
    }
    if current.shared && !shared {
        // Nobody else can read it now, so nobody else opens their report with it.
        stored::clear_others_defaults(&txn, actor.tenant_id, current.owner_id, id).await?;
    }
    // The row as written, read in the transaction. An admin who unshared someone else's view can no longer
    // read it (nor keep it as a default), but it was saved all the same: it is read as its owner sees it.
    let written = match stored::find_readable(&txn, actor.tenant_id, actor.user_id, id).await? {
        Some(row) => row,
        None => ViewRow {
            is_default: false,
            ..stored::find_readable(&txn, actor.tenant_id, current.owner_id, id)
                .await?
                .ok_or(DomainError::NotFound)?
        },
    };
    txn.commit().await?;
    Ok(to_dto(actor, written))
}

/// `DELETE /api/views/{id}`, with every user's choice of it as their default and its schedules.
pub async fn delete(svc: &Services, actor: &Actor, id: i64) -> Result<(), DomainError> {
    actor.require(Action::ReadRecords)?;
    let txn = db::begin_write(&svc.db).await?;
    find_editable(svc, &txn, actor, id).await?;
    // Its schedules and their runs go with it (cascade); their files are removed once that is committed.
    let files = db::schedules::files_of_view(&txn, actor.tenant_id, id).await?;
    stored::delete(&txn, actor.tenant_id, id).await?;
    txn.commit().await?;
    for file in files {
        super::schedules::runner::remove_file(svc, &file);
    }
    Ok(())
}

/// `PUT /api/views/{id}/default`: the actor opens the view's entity with it (any view they may read).
pub async fn set_default(svc: &Services, actor: &Actor, id: i64) -> Result<SavedView, DomainError> {
    actor.require(Action::ReadRecords)?;
    let view = find_readable(svc, &svc.db, actor, id).await?;
    stored::set_default(&svc.db, actor.tenant_id, actor.user_id, &view.entity, id).await?;
    get(svc, actor, id).await
}

/// `DELETE /api/views/{id}/default`: back to the plain report. 404 when it was not the actor's default.
pub async fn clear_default(svc: &Services, actor: &Actor, id: i64) -> Result<(), DomainError> {
    actor.require(Action::ReadRecords)?;
    find_readable(svc, &svc.db, actor, id).await?;
    if stored::clear_default(&svc.db, actor.tenant_id, actor.user_id, id).await? {
        Ok(())
    } else {
        Err(DomainError::NotFound)
    }
}

/// A status move (`from` → `to` for `kind`): every view of the tenant filtering on `from` filters on `to`
/// instead (once, if it already named `to`). Runs in the move's transaction; answers the views rewritten.
pub async fn rewrite_moved_status(
    txn: &impl ConnectionTrait,
    kind: EntityKind,
    tenant_id: i64,
    from: &str,
    to: &str,
) -> Result<u64, DomainError> {
    let Some((status_field, _)) = kind.descriptor().status else {
        return Ok(0);
    };
    let mut rewritten = 0;
    for (id, query) in stored::queries_of(txn, tenant_id, kind.plural()).await? {
        if let Some(query) = moved_status_query(&query, status_field, from, to) {
            stored::replace_query(txn, tenant_id, id, &query, Utc::now()).await?;
            rewritten += 1;
        }
    }
    Ok(rewritten)
}

/// `query` with `from` replaced by `to` in the `param` filter's keys, or `None` when it does not name `from`.
fn moved_status_query(query: &str, param: &str, from: &str, to: &str) -> Option<String> {
    let mut pairs = Params::parse(Some(query)).pairs().to_vec();
    let (_, value) = pairs.iter_mut().find(|(name, _)| name == param)?;
    let keys: Vec<&str> = value.split(',').collect();
    if !keys.contains(&from) {
        return None;
    }
    let mut moved: Vec<&str> = Vec::new();
    for key in keys {
        let key = if key == from { to } else { key };
        if !moved.contains(&key) {
            moved.push(key);
        }
    }
    *value = moved.join(",");
    Some(encode(&pairs))
}

/// Pairs as a query string, written as the app writes its report URLs, whatever encoding they arrived in.
fn encode(pairs: &[(String, String)]) -> String {
    encode_query(
        pairs
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str())),
    )
}

/// The view's query as the list parser reads it, in one encoding and without empty values (which mean "no
/// filter"); paging is refused, since a view opens on its first page. Every problem is reported on
/// `query.<parameter>`.
fn checked_query(actor: &Actor, kind: EntityKind, query: &str) -> Result<String, DomainError> {
    let params = Params::parse(Some(query));
    let mut problems: Vec<FieldError> = params
        .pairs()
        .iter()
        .filter(|(name, _)| VIEW_PAGING_PARAMS.contains(&name.as_str()))
        .map(|(name, _)| {
            problem(
                &format!("query.{name}"),
                "not_allowed",
                format!("A view opens on its first page: leave `{name}` out of its query"),
            )
        })
        .collect();
    let paging_free = Params::from_pairs(
        params
            .pairs()
            .iter()
            .filter(|(name, value)| {
                !VIEW_PAGING_PARAMS.contains(&name.as_str()) && !value.is_empty()
            })
            .cloned()
            .collect(),
    );
    let caller = Caller {
        user_id: actor.user_id,
    };
    if let Err(err) = ListQuery::parse(kind.descriptor(), &paging_free, &caller) {
        match err {
            DomainError::Invalid { details, .. } => {
                problems.extend(details.into_iter().map(|detail| FieldError {
                    field: format!("query.{}", detail.field),
                    ..detail
                }))
            }
            other => return Err(other),
        }
    }
    if problems.is_empty() {
        Ok(encode(paging_free.pairs()))
    } else {
        Err(DomainError::Invalid {
            message: "The view's query is not a report query".into(),
            details: problems,
        })
    }
}

fn columns_json(columns: &[String]) -> Result<String, DomainError> {
    serde_json::to_string(columns).map_err(DomainError::internal)
}

fn set_or(patch: &Patch<bool>, current: bool) -> bool {
    match patch {
        Patch::Set(value) => *value,
        _ => current,
    }
}

fn unknown_entity() -> FieldError {
    let known: Vec<&str> = ENTITY_KINDS.iter().map(|kind| kind.plural()).collect();
    problem(
        "entity",
        "unknown_entity",
        format!("entity must be one of: {}", known.join(", ")),
    )
}

fn stale() -> DomainError {
    DomainError::conflict_on(
        "version",
        "stale_version",
        "Someone changed this view since you read it: reload it and apply your change again",
    )
}

fn taken_name(err: DbError) -> DomainError {
    match err {
        DbError::Unique { .. } => DomainError::conflict_on(
            "name",
            "taken",
            "You already have a view of this report with that name",
        ),
        other => other.into(),
    }
}

/// A view's entity must be switched on to create a view of it.
async fn switched_on(svc: &Services, actor: &Actor, kind: EntityKind) -> Result<(), DomainError> {
    match backend_config::enabled(svc, actor, kind).await {
        Err(DomainError::NotFound) => Err(DomainError::validation(vec![problem(
            "entity",
            "module_off",
            format!(
                "The {} module is switched off for your organisation",
                kind.descriptor().singular
            ),
        )])),
        other => other.map(|_| ()),
    }
}

/// The view, if the actor may read it and its module is on; 404 otherwise (another tenant's view, someone
/// else's private view and a missing id all look the same).
async fn find_readable(
    svc: &Services,
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<ViewRow, DomainError> {
    let row = stored::find_readable(db, actor.tenant_id, actor.user_id, id)
        .await?
        .ok_or(DomainError::NotFound)?;
    let kind = view_entity(&row.entity).ok_or(DomainError::NotFound)?;
    backend_config::enabled(svc, actor, kind).await?;
    Ok(row)
}

/// The view, if the actor may also change it: 403 for a shared view they may only read.
async fn find_editable(
    svc: &Services,
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: i64,
) -> Result<ViewRow, DomainError> {
    let row = find_readable(svc, db, actor, id).await?;
    if may_edit(actor, &row) {
        Ok(row)
    } else {
        Err(DomainError::Forbidden(
            "Only its owner, administrators and managers can change a shared view",
        ))
    }
}

fn may_edit(actor: &Actor, row: &ViewRow) -> bool {
    row.owner_id == actor.user_id || (row.shared && allows(actor.role, Action::ManageSharedViews))
}

fn to_dto(actor: &Actor, row: ViewRow) -> SavedView {
    let kind = view_entity(&row.entity);
    let known = kind.map(default_columns).unwrap_or_default();
    // Columns the report no longer has are dropped; a view left with none shows them all.
    let columns: Vec<String> = serde_json::from_str::<Vec<String>>(&row.columns)
        .unwrap_or_default()
        .into_iter()
        .filter(|column| known.contains(column))
        .collect();
    SavedView {
        can_edit: may_edit(actor, &row),
        id: row.id,
        entity: row.entity,
        name: row.name,
        query: row.query,
        columns: if columns.is_empty() { known } else { columns },
        layout: ViewLayout::parse(&row.layout).unwrap_or_default(),
        shared: row.shared,
        pinned: row.pinned,
        owner_id: row.owner_id,
        owner_name: row.owner_name,
        is_default: row.is_default,
        version: row.version,
        created_at: row.created_at.to_rfc3339(),
        updated_at: row.updated_at.to_rfc3339(),
    }
}

#[cfg(test)]
mod tests {
    use super::moved_status_query;

    #[test]
    fn a_moved_status_is_replaced_once_and_other_parameters_stay() {
        assert_eq!(
            moved_status_query(
                "lead_status=contacted%2Cnew&sort_by=company_name",
                "lead_status",
                "contacted",
                "qualified"
            )
            .as_deref(),
            Some("lead_status=qualified,new&sort_by=company_name")
        );
        assert_eq!(
            moved_status_query(
                "lead_status=contacted,qualified",
                "lead_status",
                "contacted",
                "qualified"
            )
            .as_deref(),
            Some("lead_status=qualified")
        );
        // A key that only contains the moved one, and a query without the filter, are left alone.
        assert_eq!(
            moved_status_query(
                "lead_status=contacted_twice",
                "lead_status",
                "contacted",
                "x"
            ),
            None
        );
        assert_eq!(
            moved_status_query("company_name=contacted", "lead_status", "contacted", "x"),
            None
        );
    }
}
