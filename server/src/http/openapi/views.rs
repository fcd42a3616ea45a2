//! The saved views' part of the OpenAPI document (issue 16).

use serde_json::{json, Map, Value};
use shared::{
    views::{MAX_VIEW_NAME_CHARS, MAX_VIEW_QUERY_CHARS},
    ENTITY_KINDS,
};

use super::{id_parameter, json_body, ok, reference, BODY_ERRORS};

pub(super) fn schemas(schemas: &mut Map<String, Value>) {
    let entities: Vec<&str> = ENTITY_KINDS.iter().map(|kind| kind.plural()).collect();
    let name = json!({"type": "string", "minLength": 1, "maxLength": MAX_VIEW_NAME_CHARS, "pattern": r"\S"});
    let query = json!({"type": "string", "maxLength": MAX_VIEW_QUERY_CHARS,
        "description": "The report's query string without paging (filters, sort_by, sort_order, page_size), as GET /api/{entity} reads it; checked by the same parser"});
    let columns = json!({"type": "array", "minItems": 1, "items": {"type": "string"},
        "description": "Keys of the entity's report columns, in display order, each once"});
    let layout = json!({"type": "string", "enum": ["table", "board"],
        "description": "How the view opens: the report's table, or the pipeline board (leads, clients, projects and tasks only)"});
    let mut layout_or_table = layout.clone();
    layout_or_table["default"] = json!("table");
    let mut nullable_columns = columns.clone();
    nullable_columns["nullable"] = json!(true);
    nullable_columns["description"] =
        json!("Keys of the entity's report columns, in display order, each once; absent or null: all of them");
    schemas.insert(
        "SavedView".into(),
        json!({"type": "object",
            "required": ["id", "entity", "name", "query", "columns", "layout", "shared", "pinned", "owner_id", "owner_name", "is_default", "can_edit", "version", "created_at", "updated_at"],
            "properties": {
                "id": {"type": "integer"}, "entity": {"type": "string", "enum": entities}, "name": {"type": "string"},
                "query": {"type": "string"}, "columns": {"type": "array", "items": {"type": "string"}},
                "layout": layout,
                "shared": {"type": "boolean"}, "pinned": {"type": "boolean"}, "owner_id": {"type": "integer"},
                "owner_name": {"type": "string"},
                "is_default": {"type": "boolean", "description": "The caller opens this entity's report with it"},
                "can_edit": {"type": "boolean", "description": "The caller may change or delete it"},
                "version": {"type": "integer", "minimum": 1},
                "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}}}),
    );
    schemas.insert(
        "SavedViewInput".into(),
        json!({"type": "object", "additionalProperties": false, "required": ["entity", "name"], "properties": {
            "entity": {"type": "string", "enum": entities}, "name": name, "query": query, "columns": nullable_columns,
            "layout": layout_or_table,
            "shared": {"type": "boolean", "default": false}, "pinned": {"type": "boolean", "default": false}}}),
    );
    schemas.insert(
        "SavedViewPatch".into(),
        json!({"type": "object", "additionalProperties": false, "properties": {
            "name": name, "query": query, "columns": columns, "layout": layout, "shared": {"type": "boolean"}, "pinned": {"type": "boolean"},
            "version": {"type": "integer", "minimum": 1, "description": "The version read; 409 when someone changed the view since"}}}),
    );
    schemas.insert(
        "SavedViewList".into(),
        json!({"type": "object", "required": ["data"], "properties": {"data": {"type": "array", "items": reference("SavedView")}}}),
    );
}

pub(super) fn paths(paths: &mut Map<String, Value>) {
    let entities: Vec<&str> = ENTITY_KINDS.iter().map(|kind| kind.plural()).collect();
    let tag = ["Saved views"];
    let missing = ("404", "No such view that you may read (another tenant's, someone else's private view, or its module is switched off)");
    let others = (
        "403",
        "A shared view you may only read: its owner, administrators and managers change it",
    );
    let mut links = Map::new();
    for operation in ["get_view", "update_view", "delete_view", "set_default_view"] {
        links.insert(
            operation.into(),
            json!({"operationId": operation, "parameters": {"id": "$response.body#/id"}}),
        );
    }
    let mut created = ok(
        "201",
        "Saved",
        Some(reference("SavedView")),
        &[
            BODY_ERRORS[0],
            BODY_ERRORS[1],
            BODY_ERRORS[2],
            (
                "409",
                "You already have a view of this report with that name",
            ),
        ],
    );
    created["201"]["links"] = Value::Object(links);
    paths.insert("/api/views".into(), json!({
        "get": {"tags": tag, "operationId": "list_views", "summary": "Your views and your organisation's shared ones, pinned first",
                "parameters": [{"name": "entity", "in": "query", "schema": {"type": "string", "enum": entities}}],
                "responses": ok("200", "The views", Some(reference("SavedViewList")), &[("400", "An unknown entity or parameter")])},
        "post": {"tags": tag, "operationId": "create_view", "summary": "Save a report view (query checked by the list parser)",
                 "requestBody": json_body(reference("SavedViewInput")), "responses": created}}));
    paths.insert("/api/views/{id}".into(), json!({
        "get": {"tags": tag, "operationId": "get_view", "parameters": [id_parameter()],
                "responses": ok("200", "The view", Some(reference("SavedView")), &[missing])},
        "patch": {"tags": tag, "operationId": "update_view", "parameters": [id_parameter()], "requestBody": json_body(reference("SavedViewPatch")),
                  "responses": ok("200", "Updated", Some(reference("SavedView")), &[BODY_ERRORS[0], BODY_ERRORS[1], BODY_ERRORS[2], missing, others,
                      ("409", "A stale version, or a name you already use")])},
        "delete": {"tags": tag, "operationId": "delete_view", "parameters": [id_parameter()],
                   "responses": ok("204", "Deleted, and no longer anyone's default", None, &[missing, others])}}));
    paths.insert("/api/views/{id}/default".into(), json!({
        "put": {"tags": tag, "operationId": "set_default_view", "summary": "Open this view's report with it (one default per user and entity)",
                "parameters": [id_parameter()], "responses": ok("200", "The view, now your default", Some(reference("SavedView")), &[missing])},
        "delete": {"tags": tag, "operationId": "clear_default_view", "parameters": [id_parameter()],
                   "responses": ok("204", "No longer your default", None, &[("404", "No such view, or it is not your default")])}}));
}
