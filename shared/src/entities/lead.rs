use crate::descriptor::{assigned_to, EntityDescriptor, FieldDef, Filter, CREATED_AT, UPDATED_AT};
use crate::validation::{into_result, validate_fields, RulesContext, ValidationErrors};

pub const LEAD: EntityDescriptor = EntityDescriptor {
    table: "leads",
    singular: "lead",
    label: "Leads",
    status: Some(("lead_status", "lead")),
    fields: &[
        FieldDef::id(),
        FieldDef::text("company_name", "Company name")
            .required()
            .max_chars(200)
            .filter(Filter::Contains)
            .sortable(),
        FieldDef::text("contact_name", "Contact name")
            .max_chars(200)
            .filter(Filter::Contains)
            .sortable(),
        FieldDef::email("email", "Email")
            .filter(Filter::Contains)
            .sortable(),
        FieldDef::phone("phone", "Phone"),
        FieldDef::status("lead_status", "Status"),
        FieldDef::text("source", "Source")
            .max_chars(100)
            .filter(Filter::Contains)
            .sortable(),
        FieldDef::long_text("notes", "Notes"),
        assigned_to("Assigned to"),
        CREATED_AT,
        UPDATED_AT,
    ],
    computed: &[],
    search_fields: &["company_name", "contact_name", "email"],
    columns: &[
        "id",
        "company_name",
        "contact_name",
        "email",
        "phone",
        "lead_status",
        "assigned_to_name",
        "created_at",
    ],
};

crate::record_types! {
    /// A lead as the API returns it.
    Lead, LeadInput, LeadPatch {
        company_name: String,
        contact_name: String,
        email: String,
        phone: String,
        lead_status: String,
        source: String,
        notes: String,
        assigned_to: i64,
    }
    joined {}
}

pub fn validate_lead(input: &LeadInput, ctx: &RulesContext) -> Result<(), ValidationErrors> {
    into_result(validate_fields(&LEAD, input, ctx))
}
