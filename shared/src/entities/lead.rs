use crate::descriptor::StatusCategory;
use crate::descriptor::Filter;

crate::entity! {
    /// A lead as the API returns it.
    LEAD: Lead, LeadInput, LeadPatch {
        table: "leads",
        singular: "lead",
        label: "Leads",
        status: Some(("lead_status", "lead")),
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
        default_statuses: &[
            ("new", "New", StatusCategory::Open),
            ("contacted", "Contacted", StatusCategory::Open),
            ("qualified", "Qualified", StatusCategory::Open),
            ("proposal", "Proposal", StatusCategory::Open),
            ("negotiation", "Negotiation", StatusCategory::Open),
            ("won", "Won", StatusCategory::Won),
            ("lost", "Lost", StatusCategory::Lost),
        ],
        unique: &[],
        cascades: &[],
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
        lead_status: String = status("Status"),
        source: String = text("Source")
            .max_chars(100)
            .filter(Filter::Contains)
            .sortable(),
        notes: String = long_text("Notes"),
        assigned_to: i64 = assigned_to("Assigned to"),
    }
    joined {}
    validate validate_lead;
}
