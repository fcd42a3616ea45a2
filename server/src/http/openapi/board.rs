//! The pipeline boards in the OpenAPI document (issue 18).

use serde_json::{json, Map, Value};
use shared::{
    board::{DEFAULT_CARDS_PER_COLUMN, MAX_CARDS_PER_COLUMN},
    descriptor::StatusCategory,
    ENTITY_KINDS,
};

use super::{list_parameters, ok, reference, schema_name};
use crate::domain::records::board::MAX_BOARD_OFFSET;

pub(super) fn schemas(schemas: &mut Map<String, Value>) {
    let categories: Vec<&str> = StatusCategory::ALL.iter().map(|c| c.key()).collect();
    for kind in ENTITY_KINDS
        .into_iter()
        .filter(|k| k.descriptor().board.is_some())
    {
        let name = schema_name(kind);
        schemas.insert(
            format!("{name}BoardColumn"),
            json!({"type": "object", "required": ["key", "label", "category", "known", "count", "cards", "more"], "properties": {
                "key": {"type": "string"},
                "label": {"type": "string"},
                "category": {"type": "string", "enum": categories},
                "known": {"type": "boolean", "description": "false: a key the organisation no longer has as a status (its records keep a column until moved)"},
                "count": {"type": "integer", "minimum": 0},
                "sum": {"type": "string", "description": "The sum of the column's budgets (projects)"},
                "cards": {"type": "array", "items": reference(&name)},
                "more": {"type": "boolean", "description": "More cards follow (ask again with `column` and `offset`)"}}}),
        );
        schemas.insert(
            format!("{name}Board"),
            json!({"type": "object", "required": ["status_field", "total", "columns"], "properties": {
                "status_field": {"type": "string"},
                "total": {"type": "integer", "minimum": 0},
                "columns": {"type": "array", "items": reference(&format!("{name}BoardColumn"))}}}),
        );
    }
}

pub(super) fn paths(paths: &mut Map<String, Value>) {
    for kind in ENTITY_KINDS
        .into_iter()
        .filter(|k| k.descriptor().board.is_some())
    {
        let plural = kind.plural();
        let mut parameters: Vec<Value> = list_parameters(kind.descriptor())
            .into_iter()
            .filter(|p| !matches!(p["name"].as_str(), Some("page" | "page_size" | "cursor")))
            .collect();
        parameters.extend([
            json!({"name": "per_column", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_CARDS_PER_COLUMN, "default": DEFAULT_CARDS_PER_COLUMN}}),
            json!({"name": "column", "in": "query", "description": "Only this status's cards (Show more); the counts stay every column's", "schema": {"type": "string", "pattern": "^[a-z0-9_]{0,50}$"}}),
            json!({"name": "offset", "in": "query", "description": "Cards skipped in each column read", "schema": {"type": "integer", "minimum": 0, "maximum": MAX_BOARD_OFFSET, "default": 0}}),
        ]);
        paths.insert(
            format!("/api/{plural}/board"),
            json!({"get": {"tags": [kind.label()], "operationId": format!("board_{plural}"),
                "summary": format!("The {plural} as a pipeline board: one column per status, in the organisation's order, with counts and the first cards"),
                "parameters": parameters,
                "responses": ok("200", "The board", Some(reference(&format!("{}Board", schema_name(kind)))), &[
                    ("400", "An unknown parameter, an out-of-range number or a malformed value"),
                    ("404", "The module is switched off for your organisation"),
                ])}}),
        );
    }
}
