//! The scheduled reports' part of the OpenAPI document (issue 16).

use serde_json::{json, Map, Value};

use super::{id_parameter, json_body, ok, reference, BODY_ERRORS};

pub(super) fn schemas(schemas: &mut Map<String, Value>) {
    let cadence = json!({"type": "string", "enum": ["daily", "weekly", "monthly"]});
    let days = json!({"type": "array", "items": {"type": "string", "enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]},
        "description": "Weekly only: the days it runs"});
    let day_of_month = json!({"type": "integer", "minimum": 1, "maximum": 31,
        "description": "Monthly only; 29, 30 and 31 run on the last day of shorter months"});
    let time = json!({"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "description": "Local time, HH:MM"});
    let zone = json!({"type": "string", "description": "An IANA time zone (default: the organisation's)", "example": "Europe/Berlin"});
    let recipients =
        json!({"type": "array", "maxItems": 50, "items": {"type": "string", "format": "email"}});
    let webhook = json!({"type": "string", "maxLength": 2000, "description": "An https:// URL; each run POSTs JSON signed with HMAC-SHA256 in X-Keel-Signature"});
    schemas.insert(
        "ScheduleInput".into(),
        json!({"type": "object", "additionalProperties": false, "required": ["view_id", "cadence", "time"], "properties": {
            "view_id": {"type": "integer", "minimum": 1}, "cadence": cadence,
            "days": {"nullable": true, "allOf": [days]}, "day_of_month": {"nullable": true, "allOf": [day_of_month]},
            "time": time, "time_zone": {"nullable": true, "allOf": [zone]}, "recipients": recipients,
            "webhook_url": {"nullable": true, "allOf": [webhook]}, "enabled": {"type": "boolean", "default": true}}}),
    );
    schemas.insert(
        "SchedulePatch".into(),
        json!({"type": "object", "additionalProperties": false, "properties": {
            "cadence": cadence, "days": {"nullable": true, "allOf": [days]}, "day_of_month": {"nullable": true, "allOf": [day_of_month]},
            "time": time, "time_zone": {"nullable": true, "allOf": [zone]}, "recipients": recipients,
            "webhook_url": {"nullable": true, "allOf": [webhook]}, "enabled": {"type": "boolean"},
            "version": {"type": "integer", "minimum": 1}}}),
    );
    schemas.insert(
        "Delivery".into(),
        json!({"type": "object", "required": ["channel", "target", "status", "attempts", "error"], "properties": {
            "channel": {"type": "string", "enum": ["email", "webhook"]}, "target": {"type": "string"},
            "status": {"type": "string", "enum": ["sent", "failed"]}, "attempts": {"type": "integer"},
            "error": {"type": "string", "nullable": true}}}),
    );
    schemas.insert(
        "Run".into(),
        json!({"type": "object", "required": ["id", "schedule_id", "trigger", "slot_at", "status", "started_at", "finished_at", "rows", "bytes", "error", "deliveries", "download_url"], "properties": {
            "id": {"type": "integer"}, "schedule_id": {"type": "integer"}, "trigger": {"type": "string", "enum": ["schedule", "manual"]},
            "slot_at": {"type": "string", "format": "date-time"},
            "status": {"type": "string", "enum": ["running", "succeeded", "failed", "skipped"]},
            "started_at": {"type": "string", "format": "date-time"}, "finished_at": {"type": "string", "format": "date-time", "nullable": true},
            "rows": {"type": "integer", "nullable": true}, "bytes": {"type": "integer", "nullable": true},
            "error": {"type": "string", "nullable": true}, "deliveries": {"type": "array", "items": reference("Delivery")},
            "download_url": {"type": "string", "nullable": true}}}),
    );
    schemas.insert(
        "Schedule".into(),
        json!({"type": "object", "required": ["id", "view_id", "view_name", "entity", "owner_id", "owner_name", "cadence", "days", "day_of_month", "time", "time_zone", "recipients", "webhook_url", "webhook_secret", "enabled", "paused_reason", "next_run_at", "last_run", "can_edit", "version", "created_at", "updated_at"], "properties": {
            "id": {"type": "integer"}, "view_id": {"type": "integer"}, "view_name": {"type": "string"}, "entity": {"type": "string"},
            "owner_id": {"type": "integer"}, "owner_name": {"type": "string"}, "cadence": {"type": "string"},
            "days": {"type": "array", "items": {"type": "string"}}, "day_of_month": {"type": "integer", "nullable": true},
            "time": {"type": "string"}, "time_zone": {"type": "string"}, "recipients": {"type": "array", "items": {"type": "string"}},
            "webhook_url": {"type": "string", "nullable": true}, "webhook_secret": {"type": "string", "nullable": true},
            "enabled": {"type": "boolean"}, "paused_reason": {"type": "string", "nullable": true},
            "next_run_at": {"type": "string", "format": "date-time"}, "last_run": {"nullable": true, "allOf": [reference("Run")]},
            "can_edit": {"type": "boolean"}, "version": {"type": "integer"},
            "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}}}),
    );
    schemas.insert(
        "ScheduleList".into(),
        json!({"type": "object", "required": ["data"], "properties": {"data": {"type": "array", "items": reference("Schedule")}}}),
    );
    schemas.insert(
        "RunList".into(),
        json!({"type": "object", "required": ["data"], "properties": {"data": {"type": "array", "items": reference("Run")}}}),
    );
    schemas.insert(
        "TimeZone".into(),
        json!({"type": "object", "additionalProperties": false, "required": ["time_zone"], "properties": {"time_zone": zone}}),
    );
}

pub(super) fn paths(paths: &mut Map<String, Value>) {
    let tag = ["Scheduled reports"];
    let missing = ("404", "No such schedule that you may see (your own; every schedule for administrators and managers)");
    let mut links = Map::new();
    for operation in [
        "get_schedule",
        "update_schedule",
        "delete_schedule",
        "list_runs",
        "run_schedule",
    ] {
        links.insert(
            operation.into(),
            json!({"operationId": operation, "parameters": {"id": "$response.body#/id"}}),
        );
    }
    let mut created = ok(
        "201",
        "Scheduled",
        Some(reference("Schedule")),
        &BODY_ERRORS,
    );
    created["201"]["links"] = Value::Object(links);
    paths.insert("/api/report-schedules".into(), json!({
        "get": {"tags": tag, "operationId": "list_schedules", "summary": "Your schedules (every schedule of the organisation for administrators and managers)",
                "responses": ok("200", "The schedules", Some(reference("ScheduleList")), &[])},
        "post": {"tags": tag, "operationId": "create_schedule", "summary": "Deliver a saved view on a cadence",
                 "requestBody": json_body(reference("ScheduleInput")), "responses": created}}));
    paths.insert("/api/report-schedules/{id}".into(), json!({
        "get": {"tags": tag, "operationId": "get_schedule", "parameters": [id_parameter()],
                "responses": ok("200", "The schedule", Some(reference("Schedule")), &[missing])},
        "patch": {"tags": tag, "operationId": "update_schedule", "parameters": [id_parameter()], "requestBody": json_body(reference("SchedulePatch")),
                  "responses": ok("200", "Updated; the next run computed afresh", Some(reference("Schedule")), &[BODY_ERRORS[0], BODY_ERRORS[1], BODY_ERRORS[2], missing, ("409", "A stale version")])},
        "delete": {"tags": tag, "operationId": "delete_schedule", "parameters": [id_parameter()],
                   "responses": ok("204", "Deleted, with its runs and files", None, &[missing])}}));
    paths.insert("/api/report-schedules/{id}/runs".into(), json!({
        "get": {"tags": tag, "operationId": "list_runs", "parameters": [id_parameter()],
                "responses": ok("200", "The latest 100 runs, newest first", Some(reference("RunList")), &[missing])}}));
    paths.insert("/api/report-schedules/{id}/run".into(), json!({
        "post": {"tags": tag, "operationId": "run_schedule", "parameters": [id_parameter()], "summary": "Run now, beside the cadence",
                 "responses": ok("202", "Started; it shows in the runs", Some(reference("Run")), &[missing])}}));
    let mut download = super::errors(&[(
        "404",
        "No such run that you may see, or its file is past the retention period",
    )]);
    download.insert("200".into(), json!({"description": "The run's CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}));
    paths.insert("/api/report-runs/{id}/download".into(), json!({
        "get": {"tags": tag, "operationId": "download_run", "parameters": [id_parameter()], "responses": download}}));
    paths.insert("/api/time-zone".into(), json!({
        "get": {"tags": tag, "operationId": "get_time_zone", "summary": "The organisation's time zone, the default of its schedules",
                "responses": ok("200", "The time zone", Some(reference("TimeZone")), &[])},
        "put": {"tags": tag, "operationId": "set_time_zone", "summary": "Change the organisation's time zone (administrators)",
                "requestBody": json_body(reference("TimeZone")),
                "responses": ok("200", "Changed", Some(reference("TimeZone")), &BODY_ERRORS)}}));
}
