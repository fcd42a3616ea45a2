use crate::descriptor::StatusCategory;
use crate::descriptor::Filter;
use crate::validation::{field_error, ValidationErrors};
use crate::value::{Date, Money};

crate::entity! {
    /// A project as the API returns it, with its client's name.
    PROJECT: Project, ProjectInput, ProjectPatch {
        table: "projects",
        singular: "project",
        label: "Projects",
        status: Some(("project_status", "project")),
        computed: &[],
        search_fields: &["project_name"],
        columns: &[
            "id",
            "project_name",
            "client_name",
            "project_status",
            "budget",
            "actual_cost",
            "start_date",
            "end_date",
            "assigned_to_name",
        ],
        default_statuses: &[
            ("planning", "Planning", StatusCategory::Open),
            ("active", "Active", StatusCategory::Open),
            ("on_hold", "On hold", StatusCategory::Open),
            ("completed", "Completed", StatusCategory::Won),
            ("cancelled", "Cancelled", StatusCategory::Lost),
        ],
        unique: &[&["client_id", "project_name"]],
        cascades: &[],
        board: Some(crate::descriptor::BoardDef { card_field: "budget", sum: Some("budget") }),
        in_reports: true,
        switchable: true,
    }
    fields {
        project_name: String = text("Project name")
            .required()
            .max_chars(200)
            .filter(Filter::Contains)
            .sortable(),
        client_id: i64 = reference("Client", "clients")
            .required()
            .filter(Filter::Equals)
            .display_as("client_name")
            .sortable(),
        description: String = long_text("Description"),
        project_status: String = status("Status"),
        budget: Money = money("Budget").sortable(),
        actual_cost: Money = money("Actual cost").sortable(),
        start_date: Date = date("Start date")
            .filter(Filter::DateRange)
            .sortable(),
        end_date: Date = date("End date")
            .filter(Filter::DateRange)
            .sortable(),
        assigned_to: i64 = assigned_to("Project manager"),
    }
    joined { client_name: Option<String> }
    validate validate_project + date_order;
}

/// A project cannot end before it starts.
fn date_order(input: &ProjectInput, errors: &mut ValidationErrors) {
    if let (Some(start), Some(end)) = (input.start_date, input.end_date) {
        if end < start {
            errors.push(field_error(
                "end_date",
                "date_order",
                "End date cannot be before the start date",
            ));
        }
    }
}
