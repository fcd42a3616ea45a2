//! Saved views (issue 16): a report's query and visible columns under a name. The shapes of the API's bodies
//! and the checks the browser's Save view dialog and the server both run. Whether the query itself is a valid
//! list query is the server's list parser's call (it knows the tenant's statuses and users).

use serde::{Deserialize, Serialize};

use crate::{EntityKind, FieldError, Patch, ENTITY_KINDS};

/// The longest view name.
pub const MAX_VIEW_NAME_CHARS: usize = 100;
/// The longest query string a view keeps (far above what the report's controls produce).
pub const MAX_VIEW_QUERY_CHARS: usize = 2000;
/// List parameters a view does not keep: a view always opens on its first page.
pub const VIEW_PAGING_PARAMS: [&str; 2] = ["page", "cursor"];

/// How a view shows its records: the report's table, or the pipeline board (entities with a status only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ViewLayout {
    #[default]
    Table,
    Board,
}

impl ViewLayout {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Table => "table",
            Self::Board => "board",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "table" => Some(Self::Table),
            "board" => Some(Self::Board),
            _ => None,
        }
    }

    /// Where a view of `kind` in this layout opens: the board, or the entity's list.
    pub fn path(self, kind: EntityKind) -> String {
        match self {
            Self::Table => format!("/{}", kind.plural()),
            Self::Board => format!("/{}/board", kind.plural()),
        }
    }
}

/// A saved view as the API returns it, for the user who asked (`is_default`, `can_edit`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedView {
    pub id: i64,
    /// The entity's plural, as in `/api/{entity}`.
    pub entity: String,
    pub name: String,
    /// The report's query string without paging: filters, sort and page size (`lead_status=new&sort_by=…`).
    pub query: String,
    /// The visible columns in order (keys of the entity's report columns).
    pub columns: Vec<String>,
    /// Table or board; a board view keeps its columns for when it is opened as a table.
    #[serde(default)]
    pub layout: ViewLayout,
    pub shared: bool,
    pub pinned: bool,
    pub owner_id: i64,
    pub owner_name: String,
    /// The caller opens this entity's report with this view.
    pub is_default: bool,
    /// The caller may change or delete it (its owner; admins and managers for shared views).
    pub can_edit: bool,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// `POST /api/views`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedViewInput {
    pub entity: String,
    pub name: String,
    #[serde(default)]
    pub query: String,
    /// Absent: every report column, in the report's order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub columns: Option<Vec<String>>,
    #[serde(default)]
    pub layout: ViewLayout,
    #[serde(default)]
    pub shared: bool,
    #[serde(default)]
    pub pinned: bool,
}

/// `PATCH /api/views/{id}`: absent fields stay; none of them may be null. `version`, when sent, must be the
/// view's current one (409 otherwise), so two people editing one shared view do not overwrite each other.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedViewPatch {
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    pub name: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    pub query: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    pub columns: Patch<Vec<String>>,
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    pub layout: Patch<ViewLayout>,
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    pub shared: Patch<bool>,
    #[serde(default, skip_serializing_if = "Patch::is_absent")]
    pub pinned: Patch<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

/// `GET /api/views`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedViewList {
    pub data: Vec<SavedView>,
}

fn problem(field: &str, code: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        code: code.into(),
        message: message.into(),
    }
}

/// The entity a view names by its plural.
pub fn view_entity(entity: &str) -> Option<EntityKind> {
    EntityKind::from_plural(entity)
}

/// The entity's report columns in the report's order: what a view shows when it names none.
pub fn default_columns(kind: EntityKind) -> Vec<String> {
    kind.descriptor()
        .report_columns()
        .map(|column| column.name.to_owned())
        .collect()
}

/// A view's name: 1–100 characters once trimmed, no control characters.
pub fn check_name(name: &str, errors: &mut Vec<FieldError>) {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        errors.push(problem("name", "required", "Give the view a name"));
    } else if trimmed.chars().count() > MAX_VIEW_NAME_CHARS {
        errors.push(problem(
            "name",
            "too_long",
            format!("A view's name has at most {MAX_VIEW_NAME_CHARS} characters"),
        ));
    } else if trimmed.chars().any(char::is_control) {
        errors.push(problem(
            "name",
            "invalid",
            "A view's name cannot contain control characters",
        ));
    }
}

/// The shape of a view's query: its length, and no paging (the server's list parser checks the rest).
pub fn check_query(query: &str, errors: &mut Vec<FieldError>) {
    if query.chars().count() > MAX_VIEW_QUERY_CHARS {
        errors.push(problem(
            "query",
            "too_long",
            format!("A view's query has at most {MAX_VIEW_QUERY_CHARS} characters"),
        ));
    }
}

/// Columns: at least one, each a report column of the entity, none twice.
pub fn check_columns(kind: EntityKind, columns: &[String], errors: &mut Vec<FieldError>) {
    let known = default_columns(kind);
    if columns.is_empty() {
        errors.push(problem("columns", "required", "Show at least one column"));
        return;
    }
    for (index, column) in columns.iter().enumerate() {
        if !known.contains(column) {
            errors.push(problem(
                "columns",
                "unknown_column",
                format!(
                    "`{column}` is not a column of the {} report; use: {}",
                    kind.descriptor().singular,
                    known.join(", ")
                ),
            ));
        } else if columns[..index].contains(column) {
            errors.push(problem(
                "columns",
                "duplicate",
                format!("`{column}` is listed twice"),
            ));
        }
    }
}

/// A board only for an entity that has one.
pub fn check_layout(kind: EntityKind, layout: ViewLayout, errors: &mut Vec<FieldError>) {
    if layout == ViewLayout::Board && kind.descriptor().board.is_none() {
        errors.push(problem(
            "layout",
            "no_board",
            format!(
                "{} have no board: their records have no status",
                kind.label()
            ),
        ));
    }
}

/// Every problem of a new view that does not need the database, and its entity when that is known.
pub fn validate_view_input(input: &SavedViewInput) -> Result<EntityKind, Vec<FieldError>> {
    let mut errors = Vec::new();
    let kind = view_entity(&input.entity);
    if kind.is_none() {
        let known: Vec<&str> = ENTITY_KINDS.iter().map(|kind| kind.plural()).collect();
        errors.push(problem(
            "entity",
            "unknown_entity",
            format!("entity must be one of: {}", known.join(", ")),
        ));
    }
    check_name(&input.name, &mut errors);
    check_query(&input.query, &mut errors);
    if let (Some(kind), Some(columns)) = (kind, &input.columns) {
        check_columns(kind, columns, &mut errors);
    }
    if let Some(kind) = kind {
        check_layout(kind, input.layout, &mut errors);
    }
    match kind {
        Some(kind) if errors.is_empty() => Ok(kind),
        _ => Err(errors),
    }
}

/// Every problem of a change to a view of `kind` that does not need the database.
pub fn validate_view_patch(
    kind: EntityKind,
    patch: &SavedViewPatch,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    let null = |field: &str| problem(field, "required", format!("{field} cannot be null"));
    for (field, is_null) in [
        ("name", patch.name == Patch::Null),
        ("query", patch.query == Patch::Null),
        ("columns", patch.columns == Patch::Null),
        ("layout", patch.layout == Patch::Null),
        ("shared", patch.shared == Patch::Null),
        ("pinned", patch.pinned == Patch::Null),
    ] {
        if is_null {
            errors.push(null(field));
        }
    }
    if let Patch::Set(name) = &patch.name {
        check_name(name, &mut errors);
    }
    if let Patch::Set(query) = &patch.query {
        check_query(query, &mut errors);
    }
    if let Patch::Set(columns) = &patch.columns {
        check_columns(kind, columns, &mut errors);
    }
    if let Patch::Set(layout) = patch.layout {
        check_layout(kind, layout, &mut errors);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(entity: &str, name: &str) -> SavedViewInput {
        SavedViewInput {
            entity: entity.into(),
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_plain_view_is_valid() {
        assert_eq!(
            validate_view_input(&input("leads", "Mine")),
            Ok(EntityKind::Lead)
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut bad = input("contacts", " ");
        bad.query = "x".repeat(MAX_VIEW_QUERY_CHARS + 1);
        let errors = validate_view_input(&bad).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["entity", "name", "query"]);
    }

    #[test]
    fn names_are_bounded_and_printable() {
        for (name, code) in [
            ("", "required"),
            ("   ", "required"),
            (&"n".repeat(101), "too_long"),
            ("a\tb", "invalid"),
        ] {
            let errors = validate_view_input(&input("leads", name)).unwrap_err();
            assert_eq!(errors[0].code, code, "{name:?}");
        }
        assert!(validate_view_input(&input("leads", &"n".repeat(100))).is_ok());
    }

    #[test]
    fn columns_must_be_the_reports_own() {
        let mut view = input("leads", "Cols");
        view.columns = Some(vec![
            "company_name".into(),
            "nonsense".into(),
            "company_name".into(),
        ]);
        let codes: Vec<String> = validate_view_input(&view)
            .unwrap_err()
            .into_iter()
            .map(|e| e.code)
            .collect();
        assert_eq!(codes, ["unknown_column", "duplicate"]);
        view.columns = Some(Vec::new());
        assert_eq!(validate_view_input(&view).unwrap_err()[0].code, "required");
        view.columns = Some(default_columns(EntityKind::Lead));
        assert!(validate_view_input(&view).is_ok());
    }

    #[test]
    fn only_entities_with_a_status_have_board_views() {
        let mut view = input("leads", "Pipeline");
        view.layout = ViewLayout::Board;
        assert!(validate_view_input(&view).is_ok());
        view.entity = "accounts".into();
        assert_eq!(validate_view_input(&view).unwrap_err()[0].code, "no_board");
        let patch: SavedViewPatch = serde_json::from_str(r#"{"layout": "board"}"#).unwrap();
        assert_eq!(patch.layout, Patch::Set(ViewLayout::Board));
        assert!(validate_view_patch(EntityKind::Project, &patch).is_ok());
        assert_eq!(
            validate_view_patch(EntityKind::Account, &patch).unwrap_err()[0].field,
            "layout"
        );
        assert!(serde_json::from_str::<SavedViewPatch>(r#"{"layout": "grid"}"#).is_err());
        assert_eq!(ViewLayout::Board.path(EntityKind::Lead), "/leads/board");
        assert_eq!(ViewLayout::parse("table"), Some(ViewLayout::Table));
    }

    #[test]
    fn a_patch_may_not_clear_a_field() {
        let patch: SavedViewPatch =
            serde_json::from_str(r#"{"name": null, "pinned": null, "shared": true}"#).unwrap();
        let fields: Vec<String> = validate_view_patch(EntityKind::Lead, &patch)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["name", "pinned"]);
        assert!(serde_json::from_str::<SavedViewPatch>(r#"{"owner_id": 3}"#).is_err());
    }
}
