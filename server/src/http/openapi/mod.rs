//! The OpenAPI 3 document of the REST API, served at `/api/openapi.json`. Generated from the same descriptors
//! and list-parameter rules the handlers use, so the document and the code cannot drift apart.

mod board;
mod dashboard;
mod history;
mod imports;
mod schedules;
mod views;

use serde_json::{json, Map, Value};
use shared::{
    descriptor::FieldKind, entities::status::STATUS_ENTITIES, rules, EntityDescriptor, EntityKind,
    FieldDef, Filter, Storage, ENTITY_KINDS, ROLES,
};

use super::{extract::JSON_BODY_LIMIT, handlers::client_errors::KINDS};
use crate::domain::records::query::{
    filter_params, DEFAULT_PAGE_SIZE, DEFAULT_SORT, MAX_CURSOR_CHARS, MAX_PAGE, MAX_PAGE_SIZE,
};

fn schema_name(kind: EntityKind) -> String {
    let singular = kind.descriptor().singular;
    let mut chars = singular.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The JSON schema of one field's value (without nullability).
fn field_schema(def: &FieldDef) -> Value {
    // Kinds with a shape of their own first; the rest by how they are stored (`shared::Storage`).
    let mut schema = match (def.kind, def.kind.storage()) {
        (FieldKind::Choice(keys), _) => json!({"type": "string", "enum": keys}),
        // Blank means "the tenant's first status" on create.
        (FieldKind::Status, _) => json!({
            "type": "string",
            "description": "One of the tenant's status keys for this entity (GET /api/statuses); blank or absent means the first"
        }),
        // Optional fields accept blank text as "no value", so the patterns allow it.
        (FieldKind::Email, _) => {
            json!({"type": "string", "pattern": r"^\s*([^@\s]+@[^@\s]+\.[^@\s]+)?\s*$"})
        }
        (FieldKind::Url, _) => json!({"type": "string", "pattern": r"^\s*(https?://\S+)?\s*$"}),
        (_, Storage::Integer) => json!({"type": "integer", "format": "int64", "minimum": 1}),
        (_, Storage::Money) => json!({
            "type": "string",
            "pattern": r"^[0-9]{1,14}(\.[0-9]{1,2})?$",
            "description": "Exact decimal amount, e.g. \"12500.00\"",
            "example": "12500.00"
        }),
        (_, Storage::Date) => json!({"type": "string", "format": "date"}),
        (_, Storage::Timestamp) => json!({"type": "string", "format": "date-time"}),
        (_, Storage::Bool) => json!({"type": "boolean"}),
        (_, Storage::Text) => json!({"type": "string"}),
    };
    if let Some(max) = def.max_chars {
        schema["maxLength"] = json!(max);
    }
    let fills_in = def.kind == FieldKind::Status || def.default.is_some();
    if def.required && !fills_in && schema["type"] == "string" && schema.get("enum").is_none() {
        schema["minLength"] = json!(1);
        schema["pattern"] = json!(r"\S");
    }
    if let Some(min) = def.min_digits {
        schema["description"] = json!(format!("At least {min} digits"));
    }
    schema["title"] = json!(def.label);
    schema
}

fn nullable(mut schema: Value) -> Value {
    schema["nullable"] = json!(true);
    // OpenAPI 3.0: a nullable enum must list null among its values.
    if let Some(values) = schema.get_mut("enum").and_then(Value::as_array_mut) {
        values.push(Value::Null);
    }
    schema
}

fn input_schema(descriptor: &EntityDescriptor) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for def in descriptor.writable_fields() {
        properties.insert(def.name.into(), nullable(field_schema(def)));
        // Statuses and declared defaults are filled in when absent.
        if def.required && def.default.is_none() && def.kind != FieldKind::Status {
            required.push(def.name);
        }
    }
    json!({"type": "object", "additionalProperties": false, "properties": properties, "required": required})
}

fn patch_schema(descriptor: &EntityDescriptor) -> Value {
    let mut properties = Map::new();
    properties.insert(
        "version".into(),
        json!({"type": "integer", "format": "int64", "minimum": 1, "description": "The version the record was read at"}),
    );
    for def in descriptor.writable_fields() {
        let schema = field_schema(def);
        properties.insert(
            def.name.into(),
            if def.required {
                schema
            } else {
                nullable(schema)
            },
        );
    }
    json!({"type": "object", "additionalProperties": false, "properties": properties, "required": ["version"]})
}

fn record_schema(descriptor: &EntityDescriptor, trashed: bool) -> Value {
    let mut properties = Map::new();
    let mut required = vec!["id", "created_by", "created_at", "updated_at", "version"];
    for def in descriptor.fields {
        let mut schema = field_schema(def);
        // Responses show stored values as they are; input constraints do not apply to them.
        if let Some(object) = schema.as_object_mut() {
            for key in ["minLength", "pattern", "format"] {
                object.remove(key);
            }
        }
        properties.insert(
            def.name.into(),
            if def.name == "id" || def.kind == FieldKind::Timestamp {
                schema
            } else {
                nullable(schema)
            },
        );
        if let Some(display) = def.display_as {
            properties.insert(display.into(), json!({"type": "string", "nullable": true}));
            required.push(display);
        }
        if !required.contains(&def.name) {
            required.push(def.name);
        }
    }
    for computed in descriptor.computed {
        let schema = match computed.kind {
            FieldKind::Money => json!({"type": "string"}),
            _ => json!({"type": "integer", "format": "int64"}),
        };
        properties.insert(computed.name.into(), schema);
        required.push(computed.name);
    }
    properties.insert(
        "created_by".into(),
        json!({"type": "integer", "format": "int64", "nullable": true}),
    );
    properties.insert(
        "version".into(),
        json!({"type": "integer", "format": "int64", "minimum": 1}),
    );
    if trashed {
        properties.insert(
            "deleted_at".into(),
            json!({"type": "string", "format": "date-time"}),
        );
        required.push("deleted_at");
    }
    json!({"type": "object", "properties": properties, "required": required})
}

fn page_schema(item: Value) -> Value {
    let cursor =
        |description: &str| json!({"type": "string", "nullable": true, "description": description});
    json!({
        "type": "object",
        "required": ["data", "total", "page", "page_size", "total_exact", "next_cursor", "prev_cursor"],
        "properties": {
            "data": {"type": "array", "items": item},
            "total": {"type": "integer", "minimum": 0, "description": "Matching rows: exact when total_exact, else PostgreSQL's estimate"},
            "page": {"type": "integer", "minimum": 0, "description": "The page asked for; 0 on a page reached by cursor"},
            "page_size": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            "total_exact": {"type": "boolean", "description": "False when more rows match than KEEL_EXACT_COUNT_LIMIT (PostgreSQL only): total is then the planner's estimate"},
            "next_cursor": cursor("Pass as `cursor` for the page after this one; null on the last page (and always on trash lists)"),
            "prev_cursor": cursor("Pass as `cursor` for the page before this one; null on the first page (and always on trash lists)")
        }
    })
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": reference("Error")}}})
}

/// The error responses every authenticated endpoint can give, plus the given extra ones.
fn errors(extra: &[(&str, &str)]) -> Map<String, Value> {
    let mut responses = Map::new();
    for (status, description) in [
        ("401", "No, invalid, expired or revoked credentials"),
        ("403", "Your role may not do this, or a cross-site write"),
        ("429", "Too many requests"),
        ("500", "Unexpected error (details are in the server's logs)"),
        ("503", "The database is unavailable"),
    ]
    .iter()
    .chain(extra)
    {
        let mut response = error_response(description);
        if *status == "429" {
            response["headers"] = rate_limit_headers(true);
        }
        responses.insert(status.to_string(), response);
    }
    responses
}

/// `Retry-After` on refusals, and the IETF `RateLimit-Policy`/`RateLimit` pair of every limited answer.
fn rate_limit_headers(refused: bool) -> Value {
    let text =
        |description: &str| json!({"description": description, "schema": {"type": "string"}});
    let mut headers = json!({
        "RateLimit-Policy": text("Each policy applied: `\"api-user\";q=600;w=60` (quota, window in seconds)"),
        "RateLimit": text("Where the caller stands: `\"api-user\";r=599;t=60` (remaining, seconds until the oldest counted request leaves the window)")
    });
    if refused {
        headers["Retry-After"] = json!({"description": "Whole seconds until a request fits again", "schema": {"type": "integer", "minimum": 1}});
    }
    headers
}

/// Links from a create response to the operations on the created record, for stateful API testing.
fn created_with_links(mut responses: Value, singular: &str) -> Value {
    let mut links = Map::new();
    for operation in ["get", "update", "replace", "delete"] {
        links.insert(
            format!("{operation}_{singular}"),
            json!({"operationId": format!("{operation}_{singular}"), "parameters": {"id": "$response.body#/id"}}),
        );
    }
    responses["201"]["links"] = Value::Object(links);
    responses
}

fn json_body(schema: Value) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": schema}}})
}

fn ok(
    status: &str,
    description: &str,
    schema: Option<Value>,
    extra_errors: &[(&str, &str)],
) -> Value {
    let mut responses = errors(extra_errors);
    let mut success = json!({"description": description});
    if let Some(schema) = schema {
        success["content"] = json!({"application/json": {"schema": schema}});
    }
    responses.insert(status.into(), success);
    Value::Object(responses)
}

const BODY_ERRORS: [(&str, &str); 3] = [
    (
        "400",
        "Validation failed, malformed JSON or an unknown field",
    ),
    ("413", "The body is over the limit"),
    ("415", "The body is not JSON"),
];

fn id_parameter() -> Value {
    json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "format": "int64", "minimum": 1}})
}

fn list_parameters(descriptor: &EntityDescriptor) -> Vec<Value> {
    let sort_keys: Vec<&str> = descriptor.sort_keys().collect();
    let mut parameters = vec![
        json!({"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}}),
        json!({"name": "page_size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE}}),
        json!({"name": "cursor", "in": "query", "description": "A next_cursor or prev_cursor from an earlier page of the same sort (keyset paging: any depth costs what page 1 costs). Not with page. A cursor of another sort, or one this server did not make, is a 400.", "schema": {"type": "string", "maxLength": MAX_CURSOR_CHARS}}),
        json!({"name": "sort_by", "in": "query", "schema": {"type": "string", "enum": sort_keys, "default": DEFAULT_SORT.0}}),
        json!({"name": "sort_order", "in": "query", "schema": {"type": "string", "enum": ["asc", "desc"], "default": DEFAULT_SORT.1.as_str()}}),
    ];
    if !descriptor.search_fields.is_empty() {
        parameters.push(json!({"name": "q", "in": "query", "description": format!("Case-insensitive substring of {}", descriptor.search_fields.join(", ")), "schema": {"type": "string", "maxLength": 200}}));
    }
    for (name, def) in filter_params(descriptor) {
        let schema = match def.filter {
            Some(Filter::Contains) => {
                json!({"type": "string", "maxLength": 200, "description": "Case-insensitive substring"})
            }
            Some(Filter::AnyOf) => {
                json!({"type": "string", "pattern": "^([a-z0-9_]+(,[a-z0-9_]+)*)?$", "description": "One or several comma-separated keys; empty means no filter"})
            }
            Some(Filter::Equals) => {
                json!({"type": "string", "pattern": "^([1-9][0-9]{0,17})?$", "description": "A record id; empty means no filter"})
            }
            Some(Filter::Assignee) => {
                json!({"type": "string", "pattern": "^(me|none|[1-9][0-9]{0,17})?$", "description": "A user id, `me` or `none`"})
            }
            Some(Filter::DateRange) => {
                json!({"type": "string", "pattern": r"^([0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2}))?)?$", "description": "YYYY-MM-DD or an RFC 3339 time; empty means no filter"})
            }
            None => continue,
        };
        parameters.push(json!({"name": name, "in": "query", "schema": schema}));
    }
    parameters
}

fn entity_paths(paths: &mut Map<String, Value>, kind: EntityKind) {
    let descriptor = kind.descriptor();
    let name = schema_name(kind);
    let plural = kind.plural();
    let tag = kind.label();
    let list_errors = [
        (
            "400",
            "An unknown parameter, an out-of-range number or a malformed value",
        ),
        (
            "404",
            "The module is switched off for your organisation (backend configuration `features`)",
        ),
    ];
    paths.insert(
        format!("/api/{plural}"),
        json!({
            "get": {"tags": [tag], "operationId": format!("list_{plural}"), "summary": format!("Report list of {plural}"),
                    "parameters": list_parameters(descriptor),
                    "responses": ok("200", "A page of records", Some(reference(&format!("{name}Page"))), &list_errors)},
            "post": {"tags": [tag], "operationId": format!("create_{}", descriptor.singular), "summary": format!("Create a {}", descriptor.singular),
                     "requestBody": json_body(reference(&format!("{name}Input"))),
                     "responses": created_with_links(ok("201", "Created", Some(reference(&name)), &[BODY_ERRORS[0], BODY_ERRORS[1], BODY_ERRORS[2], list_errors[1], ("409", "A unique name is already taken")]), descriptor.singular)}
        }),
    );
    // The list's filters and sort, without paging: an export has every matching row.
    let export_parameters: Vec<Value> = list_parameters(descriptor)
        .into_iter()
        .filter(|p| !matches!(p["name"].as_str(), Some("page" | "page_size" | "cursor")))
        .collect();
    let mut export_responses = errors(&list_errors);
    export_responses.insert(
        "200".into(),
        json!({"description": format!("Every matching {} as RFC 4180 CSV (UTF-8 with a byte order mark, CRLF line ends), the report's columns with a header row, in the list's order; streamed. Text cells that a spreadsheet would read as a formula start with '.", descriptor.singular),
               "headers": {"Content-Disposition": {"schema": {"type": "string"}, "description": format!("attachment; filename=\"{plural}-YYYY-MM-DD.csv\"")}},
               "content": {"text/csv": {"schema": {"type": "string"}}}}),
    );
    paths.insert(
        format!("/api/{plural}/export.csv"),
        json!({"get": {"tags": [tag], "operationId": format!("export_{plural}"), "summary": format!("The report of {plural} as CSV, with the list's filters and sort"),
                       "parameters": export_parameters, "responses": export_responses}}),
    );
    let item_errors = [("404", "No such record in your organisation")];
    let write_errors = [
        BODY_ERRORS[0],
        BODY_ERRORS[1],
        BODY_ERRORS[2],
        ("404", "No such record in your organisation"),
        ("409", "A stale version, or a unique name already taken"),
    ];
    let update = json!({"tags": [tag], "summary": format!("Change a {} (absent fields stay; null clears)", descriptor.singular),
                        "parameters": [id_parameter()], "requestBody": json_body(reference(&format!("{name}Patch"))),
                        "responses": ok("200", "Updated", Some(reference(&name)), &write_errors)});
    let mut put = update.clone();
    put["operationId"] = json!(format!("replace_{}", descriptor.singular));
    let mut patch = update;
    patch["operationId"] = json!(format!("update_{}", descriptor.singular));
    paths.insert(
        format!("/api/{plural}/{{id}}"),
        json!({
            "get": {"tags": [tag], "operationId": format!("get_{}", descriptor.singular), "parameters": [id_parameter()],
                    "responses": ok("200", "The record with related names", Some(reference(&name)), &item_errors)},
            "patch": patch,
            "put": put,
            "delete": {"tags": [tag], "operationId": format!("delete_{}", descriptor.singular), "summary": "Move to the trash", "parameters": [id_parameter()],
                       "responses": ok("204", "Moved to the trash", None, &item_errors)}
        }),
    );
    paths.insert(
        format!("/api/trash/{plural}"),
        json!({"get": {"tags": ["Trash"], "operationId": format!("trash_{plural}"),
                       "parameters": [list_parameters(descriptor)[0].clone(), list_parameters(descriptor)[1].clone()],
                       "responses": ok("200", "Trashed records, most recently deleted first", Some(reference(&format!("{name}TrashPage"))), &list_errors)}}),
    );
    paths.insert(
        format!("/api/trash/{plural}/{{id}}/restore"),
        json!({"post": {"tags": ["Trash"], "operationId": format!("restore_{}", descriptor.singular), "parameters": [id_parameter()],
                        "responses": ok("200", "Restored", Some(reference(&name)), &[("404", "No such record in your trash"), ("409", "Restoring would break a unique name, or its client is in the trash")])}}),
    );
}

fn static_schemas(schemas: &mut Map<String, Value>) {
    let roles: Vec<&str> = ROLES.iter().map(|r| r.as_str()).collect();
    let email = json!({"type": "string", "format": "email", "maxLength": rules::EMAIL_MAX_CHARS});
    let password = json!({"type": "string", "minLength": rules::PASSWORD_MIN_CHARS, "maxLength": rules::PASSWORD_MAX_CHARS, "format": "password"});
    let entries = [
        (
            "FieldError",
            json!({"type": "object", "required": ["field", "code", "message"], "properties": {"field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}}}),
        ),
        (
            "Error",
            json!({"type": "object", "required": ["error", "code"], "properties": {
            "error": {"type": "string"}, "code": {"type": "string"},
            "details": {"type": "array", "items": reference("FieldError")}, "request_id": {"type": "string"}}}),
        ),
        (
            "TenantSummary",
            json!({"type": "object", "required": ["id", "name", "slug"], "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "slug": {"type": "string"}}}),
        ),
        (
            "Me",
            json!({"type": "object", "required": ["id", "email", "name", "role", "tenant"], "properties": {
            "id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"},
            "role": {"type": "string", "enum": roles}, "tenant": reference("TenantSummary"),
            "modules_off": {"type": "array", "items": {"type": "string"}, "description": "Modules the organisation switched off"}}}),
        ),
        (
            "Session",
            json!({"type": "object", "required": ["user", "token", "expires_at"], "properties": {
            "user": reference("Me"), "token": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"}}}),
        ),
        (
            "SignupInput",
            json!({"type": "object", "additionalProperties": false, "required": ["tenant_name", "name", "email", "password"], "properties": {
            "tenant_name": {"type": "string", "minLength": 1, "maxLength": 100}, "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "email": email, "password": password}}),
        ),
        (
            "LoginInput",
            json!({"type": "object", "additionalProperties": false, "required": ["email", "password"], "properties": {
            "email": {"type": "string", "minLength": 1}, "password": {"type": "string", "minLength": 1}}}),
        ),
        (
            "User",
            json!({"type": "object", "required": ["id", "email", "name", "role", "is_active", "created_at"], "properties": {
            "id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"}, "role": {"type": "string", "enum": roles},
            "is_active": {"type": "boolean"}, "created_at": {"type": "string", "format": "date-time"}}}),
        ),
        (
            "UserInput",
            json!({"type": "object", "additionalProperties": false, "required": ["email", "name", "role", "password"], "properties": {
            "email": email, "name": {"type": "string", "minLength": 1, "maxLength": 200}, "role": {"type": "string", "enum": roles}, "password": password}}),
        ),
        (
            "UserPatch",
            json!({"type": "object", "additionalProperties": false, "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 200}, "role": {"type": "string", "enum": roles}, "is_active": {"type": "boolean"}}}),
        ),
        (
            "UserList",
            json!({"type": "object", "required": ["data", "total"], "properties": {"data": {"type": "array", "items": reference("User")}, "total": {"type": "integer"}}}),
        ),
        (
            "UserOption",
            json!({"type": "object", "required": ["id", "name"], "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}),
        ),
        (
            "StatusOption",
            json!({"type": "object", "required": ["key", "label", "is_closed", "category"], "properties": {"key": {"type": "string"}, "label": {"type": "string"},
            "is_closed": {"type": "boolean", "description": "category is not open"}, "category": {"type": "string", "enum": CATEGORIES}}}),
        ),
        ("BackendConfig", backend_config_schema(false)),
        ("BackendConfigUpdate", backend_config_schema(true)),
        (
            "BackendConfigPreview",
            json!({"type": "object", "required": ["valid", "summary", "problems", "statuses"], "properties": {
            "valid": {"type": "boolean", "description": "The save would go through as sent"},
            "summary": {"type": "string", "example": "adds 1 status, moves 37 leads"},
            "backend_type_changed": {"type": "boolean"}, "validation_rules_changed": {"type": "boolean"}, "workflow_rules_changed": {"type": "boolean"},
            "features": {"type": "object", "additionalProperties": {"type": "boolean"}},
            "statuses": {"type": "object", "description": "Per status entity: added, relabelled, recategorised, reordered, removed (with live and trashed record counts and move_to)",
                         "additionalProperties": {"type": "object"}},
            "problems": {"type": "array", "items": reference("FieldError")}}}),
        ),
    ];
    for (name, schema) in entries {
        schemas.insert(name.into(), schema);
    }
}

const CATEGORIES: [&str; 4] = ["open", "won", "lost", "closed"];

/// The backend configuration document; `update` adds `status_moves` and makes `version` the one read.
fn backend_config_schema(update: bool) -> Value {
    let status = json!({"oneOf": [
        {"type": "string", "pattern": "^[a-z0-9_]{1,50}$", "description": "A key: labelled from it, category open"},
        {"type": "object", "additionalProperties": false, "required": ["key"], "properties": {
            "key": {"type": "string", "pattern": "^[a-z0-9_]{1,50}$"},
            "label": {"type": "string", "minLength": 1, "maxLength": 100},
            "category": {"type": "string", "enum": CATEGORIES}}}]});
    let mut properties = Map::new();
    let mut required = vec![json!("backend_type"), json!("version")];
    properties.insert(
        "backend_type".into(),
        json!({"type": "string", "enum": ["default", "custom"]}),
    );
    properties.insert(
        "version".into(),
        json!({"type": "integer", "minimum": 1, "description": if update { "The version the document was read at (409 when stale)" } else { "Bumped by every save" }}),
    );
    for entity in STATUS_ENTITIES {
        let key = format!("{entity}_statuses");
        required.push(json!(key));
        properties.insert(key, json!({"type": "array", "minItems": 1, "items": status.clone(), "description": "In display order"}));
    }
    properties.insert("validation_rules".into(), json!({"type": "object", "description": "Per entity (lead, client, …): required, max_chars, min, max, email_domains",
        "additionalProperties": {"type": "object", "additionalProperties": false, "properties": {
            "required": {"type": "array", "items": {"type": "string"}},
            "max_chars": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1}},
            "min": {"type": "object", "additionalProperties": {}},
            "max": {"type": "object", "additionalProperties": {}},
            "email_domains": {"type": "array", "items": {"type": "string"}}}}}));
    properties.insert("workflow_rules".into(), json!({"type": "object", "description": "Per status entity: transitions, initial, require_on_enter",
        "additionalProperties": {"type": "object", "additionalProperties": false, "properties": {
            "transitions": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            "initial": {"type": "array", "minItems": 1, "items": {"type": "string"}},
            "require_on_enter": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}}));
    let modules: Map<String, Value> = shared::backend_config::switchable_kinds()
        .map(|kind| (kind.plural().to_owned(), json!({"type": "boolean"})))
        .collect();
    properties.insert(
        "features".into(),
        json!({"type": "object", "additionalProperties": false, "properties": modules}),
    );
    if update {
        properties.insert("status_moves".into(), json!({"type": "object", "description": "Per status entity: removed status key → the kept status its records move to",
            "additionalProperties": {"type": "object", "additionalProperties": {"type": "string"}}}));
    }
    json!({"type": "object", "additionalProperties": false, "required": required, "properties": properties})
}

fn static_paths(paths: &mut Map<String, Value>) {
    let session_errors = [BODY_ERRORS[0], BODY_ERRORS[1], BODY_ERRORS[2]];
    let public = json!([]);
    paths.insert("/api/auth/signup".into(), json!({"post": {"tags": ["Auth"], "operationId": "signup", "security": public,
        "summary": "Create an organisation and its first administrator; sets the session cookie",
        "requestBody": json_body(reference("SignupInput")),
        "responses": ok("201", "Signed up and signed in", Some(reference("Session")), &[session_errors[0], session_errors[1], session_errors[2], ("409", "The email already has an account")])}}));
    paths.insert("/api/auth/login".into(), json!({"post": {"tags": ["Auth"], "operationId": "login", "security": public,
        "requestBody": json_body(reference("LoginInput")),
        "responses": ok("200", "Signed in; the token is also set as an HttpOnly cookie", Some(reference("Session")), &session_errors)}}));
    paths.insert(
        "/api/auth/logout".into(),
        json!({"post": {"tags": ["Auth"], "operationId": "logout",
        "responses": ok("204", "Signed out; the session no longer works", None, &[])}}),
    );
    paths.insert("/api/auth/me".into(), json!({"get": {"tags": ["Auth"], "operationId": "me",
        "responses": ok("200", "The signed-in user and organisation", Some(reference("Me")), &[])}}));
    paths.insert("/api/users".into(), json!({
        "get": {"tags": ["Users"], "operationId": "list_users", "responses": ok("200", "The organisation's users", Some(reference("UserList")), &[])},
        "post": {"tags": ["Users"], "operationId": "create_user", "requestBody": json_body(reference("UserInput")),
                 "responses": ok("201", "Created", Some(reference("User")), &[BODY_ERRORS[0], BODY_ERRORS[1], BODY_ERRORS[2], ("409", "The email already has an account")])}}));
    paths.insert("/api/users/options".into(), json!({"get": {"tags": ["Users"], "operationId": "user_options",
        "responses": ok("200", "Active users for assignee pickers", Some(json!({"type": "array", "items": reference("UserOption")})), &[])}}));
    let user_errors = [("404", "No such user in your organisation")];
    let user_write = [
        BODY_ERRORS[0],
        BODY_ERRORS[1],
        BODY_ERRORS[2],
        ("404", "No such user in your organisation"),
        (
            "409",
            "The last active administrator cannot be demoted or deactivated",
        ),
    ];
    let update = json!({"tags": ["Users"], "parameters": [id_parameter()], "requestBody": json_body(reference("UserPatch")),
                        "responses": ok("200", "Updated", Some(reference("User")), &user_write)});
    let mut patch = update.clone();
    patch["operationId"] = json!("update_user");
    let mut put = update;
    put["operationId"] = json!("replace_user");
    paths.insert("/api/users/{id}".into(), json!({
        "get": {"tags": ["Users"], "operationId": "get_user", "parameters": [id_parameter()], "responses": ok("200", "The user", Some(reference("User")), &user_errors)},
        "patch": patch, "put": put,
        "delete": {"tags": ["Users"], "operationId": "deactivate_user", "parameters": [id_parameter()],
                   "responses": ok("204", "Deactivated", None, &[user_errors[0], ("409", "The last active administrator cannot be deactivated")])}}));
    paths.insert("/api/client-errors".into(), json!({"post": {"tags": ["Operations"], "operationId": "report_client_error", "security": public,
        "summary": "The browser app reports an error or panic; forwarded to Sentry when configured",
        "requestBody": json_body(json!({"type": "object", "additionalProperties": false, "required": ["kind", "message"], "properties": {
            "kind": {"type": "string", "enum": KINDS},
            "message": {"type": "string", "minLength": 1, "maxLength": 2000},
            "stack": {"type": "string", "maxLength": 10000, "nullable": true},
            "url": {"type": "string", "maxLength": 2000, "nullable": true},
            "component": {"type": "string", "maxLength": 200, "nullable": true},
            "user_agent": {"type": "string", "maxLength": 500, "nullable": true}}})),
        "responses": ok("202", "Accepted", None, &session_errors)}}));
    let admin_only = (
        "403",
        "Only administrators may read or change the configuration",
    );
    paths.insert("/api/admin/backend-config".into(), json!({
        "get": {"tags": ["Configuration"], "operationId": "get_backend_config", "summary": "The organisation's backend configuration (administrators)",
                "responses": ok("200", "The configuration", Some(reference("BackendConfig")), &[admin_only])},
        "put": {"tags": ["Configuration"], "operationId": "put_backend_config",
                "summary": "Replace the configuration; records of removed statuses move as status_moves says, in the same transaction",
                "requestBody": json_body(reference("BackendConfigUpdate")),
                "responses": ok("200", "Saved: the new configuration", Some(reference("BackendConfig")), &[BODY_ERRORS[0], BODY_ERRORS[1], BODY_ERRORS[2], admin_only,
                    ("409", "A stale version, or statuses in use removed without a move (status_in_use, with record counts)")])}}));
    paths.insert("/api/admin/backend-config/preview".into(), json!({"post": {"tags": ["Configuration"], "operationId": "preview_backend_config",
        "summary": "What the same PUT would do; writes nothing",
        "requestBody": json_body(reference("BackendConfigUpdate")),
        "responses": ok("200", "The plan and its problems", Some(reference("BackendConfigPreview")), &[BODY_ERRORS[0], BODY_ERRORS[1], BODY_ERRORS[2], admin_only])}}));
    let mut export_responses = errors(&[(
        "403",
        "Only administrators may export the organisation's data",
    )]);
    export_responses.insert(
        "200".into(),
        json!({"description": "A .tar.gz of manifest.json (the organisation, the time, each table's file and row count) and one JSON-lines file per table: the organisation with its configuration, users without password hashes, statuses, configuration changes and every record including the trash; streamed",
               "headers": {"Content-Disposition": {"schema": {"type": "string"}, "description": "attachment; filename=\"keel-export-<slug>-YYYYMMDDTHHMMSSZ.tar.gz\""}},
               "content": {"application/gzip": {"schema": {"type": "string", "format": "binary"}}}}),
    );
    paths.insert(
        "/api/admin/export".into(),
        json!({"get": {"tags": ["Configuration"], "operationId": "export_organisation",
        "summary": "All of the organisation's data as an archive (administrators)",
        "responses": export_responses}}),
    );
    paths.insert(
        "/api/backend-config".into(),
        json!({"get": {"tags": ["Configuration"], "operationId": "get_rules",
        "summary": "Statuses, rules and features, for forms and reports (any role)",
        "responses": ok("200", "The configuration", Some(reference("BackendConfig")), &[])}}),
    );
    paths.insert("/api/statuses".into(), json!({"get": {"tags": ["Statuses"], "operationId": "list_statuses",
        "parameters": [{"name": "entity", "in": "query", "required": true, "schema": {"type": "string", "enum": STATUS_ENTITIES}}],
        "responses": ok("200", "The organisation's statuses for the entity, in order", Some(json!({"type": "array", "items": reference("StatusOption")})), &[("400", "Missing or unknown entity, or an unknown parameter")])}}));
}

/// The document, built once: it depends only on the code.
pub fn cached() -> &'static Value {
    static DOCUMENT: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    DOCUMENT.get_or_init(document)
}

/// The whole document.
pub fn document() -> Value {
    let mut schemas = Map::new();
    static_schemas(&mut schemas);
    let mut paths = Map::new();
    static_paths(&mut paths);
    views::schemas(&mut schemas);
    views::paths(&mut paths);
    schedules::schemas(&mut schemas);
    schedules::paths(&mut paths);
    board::schemas(&mut schemas);
    board::paths(&mut paths);
    dashboard::schemas(&mut schemas);
    dashboard::paths(&mut paths);
    history::schemas(&mut schemas);
    history::paths(&mut paths);
    imports::schemas(&mut schemas);
    imports::paths(&mut paths);
    for kind in ENTITY_KINDS {
        let descriptor = kind.descriptor();
        let name = schema_name(kind);
        schemas.insert(format!("{name}Input"), input_schema(descriptor));
        schemas.insert(format!("{name}Patch"), patch_schema(descriptor));
        schemas.insert(name.clone(), record_schema(descriptor, false));
        schemas.insert(format!("{name}Page"), page_schema(reference(&name)));
        schemas.insert(format!("{name}Trashed"), record_schema(descriptor, true));
        schemas.insert(
            format!("{name}TrashPage"),
            page_schema(reference(&format!("{name}Trashed"))),
        );
        entity_paths(&mut paths, kind);
    }
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Keel CRM API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!("Multi-tenant CRM. JSON bodies up to {JSON_BODY_LIMIT} bytes. Every error uses the `Error` envelope.")
        },
        "security": [{"bearer": []}, {"cookie": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "keel_session"}
            },
            "schemas": schemas
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entity_has_its_paths_and_schemas() {
        let doc = document();
        for kind in ENTITY_KINDS {
            let plural = kind.plural();
            for path in [
                format!("/api/{plural}"),
                format!("/api/{plural}/{{id}}"),
                format!("/api/{plural}/export.csv"),
                format!("/api/trash/{plural}"),
                format!("/api/trash/{plural}/{{id}}/restore"),
            ] {
                assert!(doc["paths"][&path].is_object(), "{path}");
            }
            let name = schema_name(kind);
            assert!(doc["components"]["schemas"][format!("{name}Input")]["properties"].is_object());
        }
        assert_eq!(
            doc["paths"]["/api/admin/export"]["get"]["responses"]["403"]["description"],
            "Only administrators may export the organisation's data"
        );
        // Every $ref resolves.
        let text = doc.to_string();
        for part in text.split("#/components/schemas/").skip(1) {
            let name = part.split('"').next().unwrap();
            assert!(
                doc["components"]["schemas"][name].is_object(),
                "dangling $ref {name}"
            );
        }
    }
}
