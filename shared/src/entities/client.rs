use crate::descriptor::{
    assigned_to, ComputedColumn, EntityDescriptor, FieldDef, FieldKind, Filter, CREATED_AT,
    UPDATED_AT,
};
use crate::validation::{into_result, validate_fields, RulesContext, ValidationErrors};
use crate::value::Money;

pub const CLIENT: EntityDescriptor = EntityDescriptor {
    table: "clients",
    singular: "client",
    label: "Clients",
    status: Some(("client_status", "client")),
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
        FieldDef::url("website", "Website"),
        FieldDef::text("address", "Address").max_chars(500),
        FieldDef::status("client_status", "Status"),
        FieldDef::long_text("notes", "Notes"),
        FieldDef::reference("converted_from_lead_id", "Converted from lead", "leads"),
        assigned_to("Account manager"),
        CREATED_AT,
        UPDATED_AT,
    ],
    computed: &[
        ComputedColumn {
            name: "project_count",
            label: "Projects",
            kind: FieldKind::Integer,
            sortable: true,
        },
        // The sum of the budgets of the client's live projects.
        ComputedColumn {
            name: "total_revenue",
            label: "Revenue",
            kind: FieldKind::Money,
            sortable: true,
        },
    ],
    search_fields: &["company_name", "contact_name", "email"],
    columns: &[
        "id",
        "company_name",
        "contact_name",
        "email",
        "phone",
        "client_status",
        "project_count",
        "total_revenue",
        "assigned_to_name",
        "created_at",
    ],
};

crate::record_types! {
    /// A client as the API returns it, with its live projects counted and their budgets summed.
    Client, ClientInput, ClientPatch {
        company_name: String,
        contact_name: String,
        email: String,
        phone: String,
        website: String,
        address: String,
        client_status: String,
        notes: String,
        converted_from_lead_id: i64,
        assigned_to: i64,
    }
    joined { project_count: i64, total_revenue: Money }
}

pub fn validate_client(input: &ClientInput, ctx: &RulesContext) -> Result<(), ValidationErrors> {
    into_result(validate_fields(&CLIENT, input, ctx))
}
