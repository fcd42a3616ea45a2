use serde::{Deserialize, Serialize};

use crate::descriptor::{EntityDescriptor, FieldDef, CREATED_AT};

pub const TENANT: EntityDescriptor = EntityDescriptor {
    table: "tenants",
    singular: "tenant",
    label: "Organisations",
    status: None,
    fields: &[
        FieldDef::id(),
        FieldDef::text("name", "Organisation name")
            .required()
            .max_chars(100),
        FieldDef::text("slug", "Slug")
            .required()
            .max_chars(100)
            .read_only(),
        CREATED_AT,
    ],
    computed: &[],
    search_fields: &[],
    columns: &["id", "name", "slug", "created_at"],
    default_statuses: &[],
    unique: &[],
    cascades: &[],
    board: None,
    in_reports: false,
    switchable: false,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    pub id: i64,
    pub name: String,
    pub slug: String,
}
