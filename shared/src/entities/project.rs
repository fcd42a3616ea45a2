use crate::descriptor::{assigned_to, EntityDescriptor, FieldDef, Filter, CREATED_AT, UPDATED_AT};
use crate::validation::{
    field_error, into_result, validate_fields, RulesContext, ValidationErrors,
};

pub const PROJECT: EntityDescriptor = EntityDescriptor {
    table: "projects",
    singular: "project",
    label: "Projects",
    status: Some(("project_status", "project")),
    fields: &[
        FieldDef::id(),
        FieldDef::text("project_name", "Project name")
            .required()
            .max_chars(200)
            .filter(Filter::Contains)
            .sortable(),
        FieldDef::reference("client_id", "Client", "clients")
            .required()
            .filter(Filter::Equals)
            .display_as("client_name")
            .sortable(),
        FieldDef::long_text("description", "Description"),
        FieldDef::status("project_status", "Status"),
        FieldDef::money("budget", "Budget").sortable(),
        FieldDef::money("actual_cost", "Actual cost").sortable(),
        FieldDef::date("start_date", "Start date")
            .filter(Filter::DateRange)
            .sortable(),
        FieldDef::date("end_date", "End date")
            .filter(Filter::DateRange)
            .sortable(),
        assigned_to("Project manager"),
        CREATED_AT,
        UPDATED_AT,
    ],
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
};

crate::record_types! {
    /// A project as the API returns it, with its client's name.
    Project, ProjectInput, ProjectPatch {
        project_name: String,
        client_id: i64,
        description: String,
        project_status: String,
        budget: crate::value::Money,
        actual_cost: crate::value::Money,
        start_date: crate::value::Date,
        end_date: crate::value::Date,
        assigned_to: i64,
    }
    joined { client_name: Option<String> }
}

pub fn validate_project(input: &ProjectInput, ctx: &RulesContext) -> Result<(), ValidationErrors> {
    let mut errors = validate_fields(&PROJECT, input, ctx);
    if let (Some(start), Some(end)) = (input.start_date, input.end_date) {
        if end < start {
            errors.push(field_error(
                "end_date",
                "date_order",
                "End date cannot be before the start date",
            ));
        }
    }
    into_result(errors)
}
