use crate::descriptor::StatusCategory;
use crate::descriptor::Filter;
use crate::value::Date;

pub const TASK_PRIORITIES: &[&str] = &["low", "medium", "high", "urgent"];

crate::entity! {
    /// A task as the API returns it, with the names of what it is attached to.
    TASK: Task, TaskInput, TaskPatch {
        table: "tasks",
        singular: "task",
        label: "Tasks",
        status: Some(("task_status", "task")),
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
        default_statuses: &[
            ("todo", "To do", StatusCategory::Open),
            ("in_progress", "In progress", StatusCategory::Open),
            ("review", "Review", StatusCategory::Open),
            ("done", "Done", StatusCategory::Closed),
            ("cancelled", "Cancelled", StatusCategory::Closed),
        ],
        unique: &[],
        cascades: &[],
        // The plan's reports cover every entity but tasks.
        board: Some(crate::descriptor::BoardDef { card_field: "due_date", sum: None }),
        in_reports: false,
        switchable: true,
    }
    fields {
        title: String = text("Title")
            .required()
            .max_chars(200)
            .filter(Filter::Contains)
            .sortable(),
        description: String = long_text("Description"),
        task_status: String = status("Status"),
        priority: String = choice("Priority", TASK_PRIORITIES)
            .required()
            .max_chars(20)
            .default_value("medium")
            .filter(Filter::AnyOf)
            .sortable(),
        due_date: Date = date("Due date")
            .filter(Filter::DateRange)
            .sortable(),
        project_id: i64 = reference("Project", "projects")
            .filter(Filter::Equals)
            .display_as("project_name"),
        lead_id: i64 = reference("Lead", "leads")
            .filter(Filter::Equals)
            .display_as("lead_name"),
        client_id: i64 = reference("Client", "clients")
            .filter(Filter::Equals)
            .display_as("client_name"),
        assigned_to: i64 = assigned_to("Assignee"),
    }
    joined { project_name: Option<String>, lead_name: Option<String>, client_name: Option<String> }
    validate validate_task;
}
