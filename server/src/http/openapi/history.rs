//! Record history, reverts and the audit log in the OpenAPI document (issue 17).

use serde_json::{json, Map, Value};
use shared::{
    history::{HISTORY_ACTIONS, SOURCES},
    ENTITY_KINDS,
};

use super::{id_parameter, ok, reference};
use crate::domain::history::{DEFAULT_HISTORY_PAGE, MAX_HISTORY_PAGE};

pub(super) fn schemas(schemas: &mut Map<String, Value>) {
    let actions: Vec<&str> = HISTORY_ACTIONS.iter().map(|a| a.key()).collect();
    let sources: Vec<&str> = SOURCES.iter().map(|s| s.key()).collect();
    schemas.insert(
        "FieldChange".into(),
        json!({"type": "object", "required": ["field", "old", "new"], "properties": {
            "field": {"type": "string"},
            "old": {"description": "The value before (any JSON value; null: none)", "nullable": true},
            "new": {"description": "The value after (any JSON value; null: none)", "nullable": true},
            "old_label": {"type": "string", "description": "The name a reference or user had when the entry was written"},
            "new_label": {"type": "string"}}}),
    );
    schemas.insert(
        "HistoryEntry".into(),
        json!({"type": "object",
            "required": ["id", "entity", "record_id", "action", "user_id", "user_name", "at", "request_id", "source", "import_id", "reverts", "changes"],
            "properties": {
                "id": {"type": "integer"}, "entity": {"type": "string"}, "record_id": {"type": "integer"},
                "action": {"type": "string", "enum": actions},
                "user_id": {"type": "integer", "nullable": true}, "user_name": {"type": "string", "nullable": true},
                "at": {"type": "string", "format": "date-time", "description": "With microseconds"},
                "request_id": {"type": "string", "nullable": true},
                "source": {"type": "string", "enum": sources},
                "import_id": {"type": "integer", "nullable": true},
                "reverts": {"type": "integer", "nullable": true, "description": "The entry this one reverted"},
                "changes": {"type": "array", "items": reference("FieldChange")}}}),
    );
    schemas.insert(
        "HistoryPage".into(),
        json!({"type": "object", "required": ["data", "next_before"], "properties": {
            "data": {"type": "array", "items": reference("HistoryEntry")},
            "next_before": {"type": "integer", "nullable": true, "description": "Pass as `before` for the next, older page; null on the last"}}}),
    );
}

fn paging() -> [Value; 2] {
    [
        json!({"name": "before", "in": "query", "description": "Entries older than this entry id", "schema": {"type": "integer", "format": "int64", "minimum": 1}}),
        json!({"name": "page_size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_HISTORY_PAGE, "default": DEFAULT_HISTORY_PAGE}}),
    ]
}

fn audit_filters() -> Vec<Value> {
    let actions: Vec<&str> = HISTORY_ACTIONS.iter().map(|a| a.key()).collect();
    let mut entities: Vec<&str> = ENTITY_KINDS.iter().map(|kind| kind.plural()).collect();
    entities.extend(["users", "config"]);
    let time = json!({"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2}))?$"});
    vec![
        json!({"name": "user_id", "in": "query", "schema": {"type": "integer", "format": "int64", "minimum": 1}}),
        json!({"name": "entity", "in": "query", "schema": {"type": "string", "enum": entities}}),
        json!({"name": "action", "in": "query", "schema": {"type": "string", "enum": actions}}),
        json!({"name": "from", "in": "query", "description": "From this day (UTC) or instant, inclusive", "schema": time}),
        json!({"name": "to", "in": "query", "description": "Through this day (UTC), or before this instant", "schema": time}),
        json!({"name": "import_id", "in": "query", "schema": {"type": "integer", "format": "int64", "minimum": 1}}),
    ]
}

pub(super) fn paths(paths: &mut Map<String, Value>) {
    let tag = ["History"];
    for kind in ENTITY_KINDS {
        let plural = kind.plural();
        let singular = kind.descriptor().singular;
        let name = super::schema_name(kind);
        let missing = (
            "404",
            "No such record in your organisation (or its module is switched off)",
        );
        let mut parameters = vec![id_parameter()];
        parameters.extend(paging());
        paths.insert(format!("/api/{plural}/{{id}}/history"), json!({
            "get": {"tags": tag, "operationId": format!("history_of_{singular}"),
                    "summary": format!("The {singular}'s history, newest first (live or in the trash)"),
                    "parameters": parameters,
                    "responses": ok("200", "A page of entries", Some(reference("HistoryPage")), &[("400", "A bad parameter"), missing])}}));
        let entry_id = json!({"name": "entry_id", "in": "path", "required": true, "schema": {"type": "integer", "format": "int64", "minimum": 1}});
        let mut reverted = ok("200", "Reverted; the record as it is now", Some(reference(&name)), &[
            ("400", "The revert breaks a rule (validation, workflow), or the entry cannot be reverted"),
            ("404", "No such record or entry"),
            ("409", "Fields changed since the entry (each named with what it holds now), a stale version, or the record's trash state"),
        ]);
        reverted["204"] = json!({"description": "Reverted by moving the record to the trash"});
        paths.insert(format!("/api/{plural}/{{id}}/history/{{entry_id}}/revert"), json!({
            "post": {"tags": tag, "operationId": format!("revert_{singular}_entry"),
                     "summary": "Undo one entry: put back the old values of the fields it changed, restore what it deleted, or trash what it created",
                     "parameters": [id_parameter(), entry_id],
                     "responses": reverted}}));
    }
    let mut parameters = audit_filters();
    parameters.extend(paging());
    let admins = ("403", "Only administrators read the audit log");
    paths.insert("/api/audit".into(), json!({
        "get": {"tags": tag, "operationId": "audit_log", "summary": "Every entry of the organisation, newest first",
                "parameters": parameters,
                "responses": ok("200", "A page of entries", Some(reference("HistoryPage")), &[("400", "A bad filter"), admins])}}));
    let mut csv = ok(
        "200",
        "CSV, every matching entry",
        None,
        &[("400", "A bad filter"), admins],
    );
    csv["200"]["content"] = json!({"text/csv": {"schema": {"type": "string"}}});
    paths.insert("/api/audit/export.csv".into(), json!({
        "get": {"tags": tag, "operationId": "export_audit_log", "parameters": audit_filters(), "responses": csv}}));
}
