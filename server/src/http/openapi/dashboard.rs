//! The home page's figures in the OpenAPI document (issue 18).

use serde_json::{json, Map, Value};
use shared::{
    dashboard::{LATEST_CHANGES, LEAD_WEEKS, MY_TASKS_SHOWN},
    descriptor::StatusCategory,
    history::HISTORY_ACTIONS,
    ENTITY_KINDS,
};

use super::{ok, reference};

pub(super) fn schemas(schemas: &mut Map<String, Value>) {
    let categories: Vec<&str> = StatusCategory::ALL.iter().map(|c| c.key()).collect();
    let actions: Vec<&str> = HISTORY_ACTIONS.iter().map(|a| a.key()).collect();
    let counted: Vec<&str> = ENTITY_KINDS
        .iter()
        .filter(|kind| kind.descriptor().status.is_some())
        .map(|kind| kind.plural())
        .collect();
    let money = |description: &str| json!({"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$", "description": description});
    let date = json!({"type": "string", "format": "date"});
    schemas.insert(
        "DashboardStatusCount".into(),
        json!({"type": "object", "required": ["key", "label", "category", "known", "count"], "properties": {
            "key": {"type": "string"},
            "label": {"type": "string"},
            "category": {"type": "string", "enum": categories},
            "known": {"type": "boolean", "description": "false: a key the organisation no longer has as a status"},
            "count": {"type": "integer", "minimum": 0, "description": "Live records in this status: the list's `total` for `?{status_field}={key}`"},
            "sum": money("The sum of their budgets (projects only)")}}),
    );
    schemas.insert(
        "DashboardStatusCounts".into(),
        json!({"type": "object", "required": ["entity", "status_field", "total", "statuses"], "properties": {
            "entity": {"type": "string", "enum": counted},
            "status_field": {"type": "string", "description": "The status field, also the list's filter parameter"},
            "total": {"type": "integer", "minimum": 0},
            "sum": money("Every budget (projects only)"),
            "statuses": {"type": "array", "items": reference("DashboardStatusCount"), "description": "The organisation's statuses in order, then keys it no longer has"}}}),
    );
    schemas.insert(
        "DashboardWeek".into(),
        json!({"type": "object", "required": ["week_start", "week_end", "count"], "properties": {
            "week_start": {"type": "string", "format": "date", "description": "The Monday (UTC): the leads report's `created_after`"},
            "week_end": {"type": "string", "format": "date", "description": "The Sunday: the leads report's `created_before`"},
            "count": {"type": "integer", "minimum": 0}}}),
    );
    schemas.insert(
        "DashboardTask".into(),
        json!({"type": "object", "required": ["id", "title", "due_date", "status", "status_label", "overdue"], "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "due_date": {"type": "string", "format": "date", "nullable": true},
            "status": {"type": "string"},
            "status_label": {"type": "string"},
            "overdue": {"type": "boolean", "description": "Due before today (UTC)"}}}),
    );
    schemas.insert(
        "DashboardTasks".into(),
        json!({"type": "object", "required": ["total", "tasks"], "properties": {
            "total": {"type": "integer", "minimum": 0},
            "tasks": {"type": "array", "maxItems": MY_TASKS_SHOWN, "items": reference("DashboardTask")}}}),
    );
    schemas.insert(
        "DashboardChange".into(),
        json!({"type": "object", "required": ["id", "entity", "record_id", "title", "action", "action_label", "user_name", "at"], "properties": {
            "id": {"type": "integer", "description": "The history entry"},
            "entity": {"type": "string", "description": "An entity's plural, `users` or `config`"},
            "record_id": {"type": "integer"},
            "title": {"type": "string", "nullable": true, "description": "The record's title (a user's name) now; null when it is in the trash or gone, and for the configuration"},
            "action": {"type": "string", "enum": actions},
            "action_label": {"type": "string"},
            "user_name": {"type": "string", "nullable": true},
            "at": {"type": "string", "format": "date-time"}}}),
    );
    schemas.insert(
        "Dashboard".into(),
        json!({"type": "object", "required": ["today", "entities", "leads_per_week", "my_tasks", "latest_changes"], "properties": {
            "today": date,
            "entities": {"type": "array", "items": reference("DashboardStatusCounts"), "description": "Every status entity whose module is on"},
            "leads_per_week": {"type": "array", "maxItems": LEAD_WEEKS, "items": reference("DashboardWeek"), "description": "Oldest first, empty weeks included"},
            "my_tasks": {"allOf": [reference("DashboardTasks")], "nullable": true, "description": "null when the tasks module is off"},
            "latest_changes": {"type": "array", "maxItems": LATEST_CHANGES, "items": reference("DashboardChange")}}}),
    );
}

pub(super) fn paths(paths: &mut Map<String, Value>) {
    paths.insert(
        "/api/dashboard".into(),
        json!({"get": {"tags": ["Dashboard"], "operationId": "dashboard",
            "summary": "Records per status (projects with their budgets), leads per week, your open tasks and the latest changes",
            "responses": ok("200", "The figures", Some(reference("Dashboard")), &[("400", "An unknown parameter (there are none)")])}}),
    );
}
