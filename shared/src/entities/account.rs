use crate::descriptor::{assigned_to, EntityDescriptor, FieldDef, Filter, CREATED_AT, UPDATED_AT};
use crate::validation::{into_result, validate_fields, RulesContext, ValidationErrors};

pub const ACCOUNT_TYPES: &[&str] = &["customer", "partner", "vendor"];

pub const ACCOUNT: EntityDescriptor = EntityDescriptor {
    table: "accounts",
    singular: "account",
    label: "Accounts",
    status: None,
    fields: &[
        FieldDef::id(),
        FieldDef::text("account_name", "Account name")
            .required()
            .max_chars(200)
            .filter(Filter::Contains)
            .sortable(),
        FieldDef::reference("client_id", "Client", "clients")
            .filter(Filter::Equals)
            .display_as("client_name")
            .sortable(),
        FieldDef::choice("account_type", "Type", ACCOUNT_TYPES)
            .max_chars(20)
            .filter(Filter::AnyOf)
            .sortable(),
        FieldDef::text("industry", "Industry")
            .max_chars(100)
            .filter(Filter::Contains)
            .sortable(),
        FieldDef::url("website", "Website"),
        FieldDef::email("billing_email", "Billing email"),
        FieldDef::money("annual_revenue", "Annual revenue").sortable(),
        FieldDef::long_text("notes", "Notes"),
        assigned_to("Owner"),
        CREATED_AT,
        UPDATED_AT,
    ],
    computed: &[],
    search_fields: &["account_name", "industry"],
    columns: &[
        "id",
        "account_name",
        "client_name",
        "account_type",
        "industry",
        "annual_revenue",
        "assigned_to_name",
        "created_at",
    ],
};

crate::record_types! {
    /// An account as the API returns it, with its client's name.
    Account, AccountInput, AccountPatch {
        account_name: String,
        client_id: i64,
        account_type: String,
        industry: String,
        website: String,
        billing_email: String,
        annual_revenue: crate::value::Money,
        notes: String,
        assigned_to: i64,
    }
    joined { client_name: Option<String> }
}

pub fn validate_account(input: &AccountInput, ctx: &RulesContext) -> Result<(), ValidationErrors> {
    into_result(validate_fields(&ACCOUNT, input, ctx))
}
