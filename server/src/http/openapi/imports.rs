//! CSV imports in the OpenAPI document (issue 17).

use serde_json::{json, Map, Value};
use shared::{imports::MAX_REPORTED_ERRORS, ENTITY_KINDS};

use super::{id_parameter, ok, reference};
use crate::domain::imports::{MAX_FILENAME_CHARS, MAX_MAPPING_CHARS};

pub(super) fn schemas(schemas: &mut Map<String, Value>) {
    let text = json!({"type": "string"});
    let nullable_text = json!({"type": "string", "nullable": true});
    schemas.insert(
        "ImportError".into(),
        json!({"type": "object", "required": ["row", "column", "field", "code", "message"], "properties": {
            "row": {"type": "integer", "minimum": 1, "description": "As a spreadsheet numbers it: the header is row 1"},
            "column": nullable_text, "field": nullable_text, "code": text, "message": text}}),
    );
    let summary = json!({"type": "object", "required": ["id", "entity", "user_id", "user_name", "filename", "rows", "created_at", "undone_at"],
        "properties": {"id": {"type": "integer"}, "entity": text, "user_id": {"type": "integer"}, "user_name": text,
            "filename": text, "rows": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"},
            "undone_at": {"type": "string", "format": "date-time", "nullable": true}}});
    let mut nullable_summary = summary.clone();
    nullable_summary["nullable"] = json!(true);
    schemas.insert("ImportSummary".into(), summary);
    schemas.insert(
        "ImportReport".into(),
        json!({"type": "object", "required": ["rows", "valid", "error_count", "errors", "columns", "import"], "properties": {
            "rows": {"type": "integer"}, "valid": {"type": "integer"}, "error_count": {"type": "integer"},
            "errors": {"type": "array", "maxItems": MAX_REPORTED_ERRORS, "items": reference("ImportError")},
            "columns": {"type": "array", "items": {"type": "object", "required": ["header", "field"], "properties": {
                "header": text, "field": nullable_text}}},
            "import": nullable_summary}}),
    );
    schemas.insert(
        "ImportList".into(),
        json!({"type": "object", "required": ["data"], "properties": {"data": {"type": "array", "items": reference("ImportSummary")}}}),
    );
    schemas.insert(
        "UndoneImport".into(),
        json!({"type": "object", "required": ["import", "trashed"], "properties": {
            "import": reference("ImportSummary"), "trashed": {"type": "integer"}}}),
    );
}

pub(super) fn paths(paths: &mut Map<String, Value>) {
    let tag = ["Imports"];
    for kind in ENTITY_KINDS {
        let plural = kind.plural();
        let mut responses = ok("200", "A dry run's report: every error of the file, nothing written", Some(reference("ImportReport")), &[
            ("400", "Rows failed (the report is in the body beside the error; nothing was written), or the file, its columns or a parameter cannot be used"),
            ("404", "Unknown entity, or its module is switched off"),
            ("409", "A name in the file was taken by a write made while the import ran; nothing was written"),
            ("413", "The file is over the size or row limit"),
        ]);
        responses["201"] = json!({"description": "Every row created, in one transaction", "content": {"application/json": {"schema": reference("ImportReport")}}});
        paths.insert(format!("/api/{plural}/import"), json!({
            "post": {"tags": tag, "operationId": format!("import_{}", plural),
                "summary": format!("Import {plural} from CSV: the whole file checked first, then all rows or none"),
                "description": "UTF-8 with or without a byte order mark, comma or semicolon, RFC 4180 quoting. Columns match fields by label or name, ignoring case (the export's header imports back as it is); references by id or by name; statuses by key or label.",
                "parameters": [
                    {"name": "dry_run", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]}},
                    {"name": "mapping", "in": "query", "description": "A JSON object: column header → field name, or null to leave the column out", "schema": {"type": "string", "maxLength": MAX_MAPPING_CHARS}},
                    {"name": "filename", "in": "query", "schema": {"type": "string", "maxLength": MAX_FILENAME_CHARS}},
                ],
                "requestBody": {"required": true, "content": {"text/csv": {"schema": {"type": "string"}}}},
                "responses": responses}}));
    }
    paths.insert("/api/imports".into(), json!({
        "get": {"tags": tag, "operationId": "list_imports", "summary": "The organisation's imports, newest first",
                "responses": ok("200", "The imports", Some(reference("ImportList")), &[])}}));
    paths.insert("/api/imports/{id}".into(), json!({
        "delete": {"tags": tag, "operationId": "undo_import", "summary": "Undo an import: its records go to the trash",
            "parameters": [id_parameter(), {"name": "force", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]}}],
            "responses": ok("200", "Undone", Some(reference("UndoneImport")), &[
                ("400", "A bad parameter"),
                ("404", "No such import in your organisation"),
                ("409", "Records were edited since (listed; undo with force=true), or it was already undone"),
            ])}}));
}
