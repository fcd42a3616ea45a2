use crate::descriptor::{assigned_to, EntityDescriptor, FieldDef, Filter, CREATED_AT, UPDATED_AT};
use crate::validation::{into_result, validate_fields, RulesContext, ValidationErrors};

pub const TASK_PRIORITIES: &[&str] = &["low", "medium", "high", "urgent"];

pub const TASK: EntityDescriptor = EntityDescriptor {
    table: "tasks",
    singular: "task",
    label: "Tasks",
    status: Some(("task_status", "task")),
    fields: &[
        FieldDef::id(),
        FieldDef::text("title", "Title")
            .required()
            .max_chars(200)
            .filter(Filter::Contains)
            .sortable(),
        FieldDef::long_text("description", "Description"),
        FieldDef::status("task_status", "Status"),
        FieldDef::choice("priority", "Priority", TASK_PRIORITIES)
            .required()
            .max_chars(20)
            .default_value("medium")
            .filter(Filter::AnyOf)
            .sortable(),
        FieldDef::date("due_date", "Due date")
            .filter(Filter::DateRange)
            .sortable(),
        FieldDef::reference("project_id", "Project", "projects")
            .filter(Filter::Equals)
            .display_as("project_name"),
        FieldDef::reference("lead_id", "Lead", "leads")
            .filter(Filter::Equals)
            .display_as("lead_name"),
        FieldDef::reference("client_id", "Client", "clients")
            .filter(Filter::Equals)
            .display_as("client_name"),
        assigned_to("Assignee"),
        CREATED_AT,
        UPDATED_AT,
    ],
    computed: &[],
    search_fields: &["title"],
    columns: &[
        "id",
        "title",
        "task_status",
        "priority",
        "due_date",
        "project_name",
        "assigned_to_name",
        "created_at",
    ],
};

crate::record_types! {
    /// A task as the API returns it, with the names of what it is attached to.
    Task, TaskInput, TaskPatch {
        title: String,
        description: String,
        task_status: String,
        priority: String,
        due_date: crate::value::Date,
        project_id: i64,
        lead_id: i64,
        client_id: i64,
        assigned_to: i64,
    }
    joined { project_name: Option<String>, lead_name: Option<String>, client_name: Option<String> }
}

pub fn validate_task(input: &TaskInput, ctx: &RulesContext) -> Result<(), ValidationErrors> {
    into_result(validate_fields(&TASK, input, ctx))
}
