use crate::descriptor::StatusCategory;
use crate::descriptor::{Aggregate, AggregateFn, Cascade, ComputedColumn, FieldKind, Filter};
use crate::value::Money;

crate::entity! {
    /// A client as the API returns it, with its live projects counted and their budgets summed.
    CLIENT: Client, ClientInput, ClientPatch {
        table: "clients",
        singular: "client",
        label: "Clients",
        status: Some(("client_status", "client")),
        computed: &[
            ComputedColumn {
                name: "project_count",
                label: "Projects",
                kind: FieldKind::Integer,
                sortable: true,
                aggregate: Aggregate {
                    child: "projects",
                    via: "client_id",
                    function: AggregateFn::Count,
                },
            },
            // The sum of the budgets of the client's live projects.
            ComputedColumn {
                name: "total_revenue",
                label: "Revenue",
                kind: FieldKind::Money,
                sortable: true,
                aggregate: Aggregate {
                    child: "projects",
                    via: "client_id",
                    function: AggregateFn::Sum("budget"),
                },
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
        default_statuses: &[
            ("new", "New", StatusCategory::Open),
            ("active", "Active", StatusCategory::Open),
            ("inactive", "Inactive", StatusCategory::Open),
            ("churned", "Churned", StatusCategory::Lost),
        ],
        // Deleting a client moves its live projects to the trash with it.
        unique: &[&["company_name"]],
        cascades: &[Cascade {
            child: "projects",
            via: "client_id",
        }],
        board: Some(crate::descriptor::BoardDef { card_field: "contact_name", sum: None }),
        in_reports: true,
        switchable: false,
    }
    fields {
        company_name: String = text("Company name")
            .required()
            .max_chars(200)
            .filter(Filter::Contains)
            .sortable(),
        contact_name: String = text("Contact name")
            .max_chars(200)
            .filter(Filter::Contains)
            .sortable(),
        email: String = email("Email").filter(Filter::Contains).sortable(),
        phone: String = phone("Phone"),
        website: String = url("Website"),
        address: String = text("Address").max_chars(500),
        client_status: String = status("Status"),
        notes: String = long_text("Notes"),
        converted_from_lead_id: i64 = reference("Converted from lead", "leads"),
        assigned_to: i64 = assigned_to("Account manager"),
    }
    joined { project_count: i64, total_revenue: Money }
    validate validate_client;
}
