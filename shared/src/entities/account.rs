use crate::descriptor::Filter;
use crate::value::Money;

pub const ACCOUNT_TYPES: &[&str] = &["customer", "partner", "vendor"];

crate::entity! {
    /// An account as the API returns it, with its client's name.
    ACCOUNT: Account, AccountInput, AccountPatch {
        table: "accounts",
        singular: "account",
        label: "Accounts",
        status: None,
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
        default_statuses: &[],
        unique: &[&["account_name"]],
        cascades: &[],
        board: None,
        in_reports: true,
        switchable: true,
    }
    fields {
        account_name: String = text("Account name")
            .required()
            .max_chars(200)
            .filter(Filter::Contains)
            .sortable(),
        client_id: i64 = reference("Client", "clients")
            .filter(Filter::Equals)
            .display_as("client_name")
            .sortable(),
        account_type: String = choice("Type", ACCOUNT_TYPES)
            .max_chars(20)
            .filter(Filter::AnyOf)
            .sortable(),
        industry: String = text("Industry")
            .max_chars(100)
            .filter(Filter::Contains)
            .sortable(),
        website: String = url("Website"),
        billing_email: String = email("Billing email"),
        annual_revenue: Money = money("Annual revenue").sortable(),
        notes: String = long_text("Notes"),
        assigned_to: i64 = assigned_to("Owner"),
    }
    joined { client_name: Option<String> }
    validate validate_account;
}
