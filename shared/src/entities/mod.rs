//! One module per table: its descriptor, its data types and its validation function.
//!
//! The record entities are listed once, in [`entities!`](crate::entities) below: that line declares the
//! module and derives `EntityKind`, `ENTITY_KINDS`, the descriptor and type dispatch (validation in the browser
//! and the server's create/update contract), the status entities and their default statuses, the app's
//! routes and the reports. Adding an entity is its module here (one `entity!`), one line below, a migration
//! and tests.

pub mod status;
pub mod tenant;
pub mod user;

use crate::descriptor::EntityDescriptor;

/// The registry of record entities (variant/type name => module), in the order the navigation shows them.
macro_rules! entities {
    ( $( $kind:ident => $module:ident ),* $(,)? ) => {
        $( pub mod $module; )*

        /// The CRM entities Keel tracks. Each kind knows its URL segment and the label people see.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum EntityKind {
            $( $kind, )*
        }

        /// Every entity, in the order the navigation shows them.
        pub const ENTITY_KINDS: [EntityKind; [$( stringify!($kind) ),*].len()] = [$( EntityKind::$kind ),*];

        impl EntityKind {
            pub const fn descriptor(self) -> &'static EntityDescriptor {
                match self {
                    $( EntityKind::$kind => <$module::$kind as crate::record::Record>::DESCRIPTOR, )*
                }
            }

            /// Runs `visitor` with this kind's [`Record`](crate::record::Record) type: the one place that
            /// goes from a kind to its types.
            pub fn visit<V: crate::record::RecordVisitor>(self, visitor: V) -> V::Output {
                match self {
                    $( EntityKind::$kind => visitor.visit::<$module::$kind>(), )*
                }
            }
        }
    };
}

entities! {
    Lead => lead,
    Client => client,
    Project => project,
    Account => account,
    Task => task,
}

const SYSTEM_TABLES: [&EntityDescriptor; 3] = [&tenant::TENANT, &user::USER, &status::STATUS];

/// Every table with a descriptor, for code (and tests) that walk them all.
pub const ALL_DESCRIPTORS: [&EntityDescriptor; SYSTEM_TABLES.len() + ENTITY_KINDS.len()] = {
    let mut all = [SYSTEM_TABLES[0]; SYSTEM_TABLES.len() + ENTITY_KINDS.len()];
    let mut i = 0;
    while i < SYSTEM_TABLES.len() {
        all[i] = SYSTEM_TABLES[i];
        i += 1;
    }
    let mut k = 0;
    while k < ENTITY_KINDS.len() {
        all[SYSTEM_TABLES.len() + k] = ENTITY_KINDS[k].descriptor();
        k += 1;
    }
    all
};

const fn report_count() -> usize {
    let mut count = 0;
    let mut k = 0;
    while k < ENTITY_KINDS.len() {
        if ENTITY_KINDS[k].descriptor().in_reports {
            count += 1;
        }
        k += 1;
    }
    count
}

/// The entities with a report page (`in_reports`), in navigation order.
pub const REPORT_KINDS: [EntityKind; report_count()] = {
    let mut kinds = [ENTITY_KINDS[0]; report_count()];
    let (mut k, mut n) = (0, 0);
    while k < ENTITY_KINDS.len() {
        if ENTITY_KINDS[k].descriptor().in_reports {
            kinds[n] = ENTITY_KINDS[k];
            n += 1;
        }
        k += 1;
    }
    kinds
};

// Checked when the crate compiles: an entity with a status column has default statuses for new tenants, and
// only such an entity has them.
const _: () = {
    let mut k = 0;
    while k < ENTITY_KINDS.len() {
        let descriptor = ENTITY_KINDS[k].descriptor();
        assert!(
            descriptor.status.is_some() != descriptor.default_statuses.is_empty(),
            "an entity has a status column if and only if it has default statuses"
        );
        k += 1;
    }
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_listed_once() {
        let tables: Vec<_> = ALL_DESCRIPTORS.iter().map(|d| d.table).collect();
        assert_eq!(
            tables,
            ["tenants", "users", "statuses", "leads", "clients", "projects", "accounts", "tasks"]
        );
        assert_eq!(
            REPORT_KINDS,
            [
                EntityKind::Lead,
                EntityKind::Client,
                EntityKind::Project,
                EntityKind::Account
            ]
        );
    }

    /// Cascades and aggregates name a registered child table and its reference back to the parent.
    #[test]
    fn cascades_and_aggregates_follow_a_reference_to_the_parent() {
        for parent in ENTITY_KINDS {
            let descriptor = parent.descriptor();
            let links = descriptor.cascades.iter().map(|c| (c.child, c.via)).chain(
                descriptor
                    .computed
                    .iter()
                    .map(|c| (c.aggregate.child, c.aggregate.via)),
            );
            for (child, via) in links {
                let child = EntityKind::from_plural(child).expect("a registered child table");
                let field = child
                    .descriptor()
                    .field(via)
                    .expect("the child's reference");
                assert_eq!(
                    field.kind,
                    crate::FieldKind::Reference(descriptor.table),
                    "{}.{via}",
                    child.plural()
                );
            }
            for column in descriptor.computed {
                if let crate::descriptor::AggregateFn::Sum(summed) = column.aggregate.function {
                    let child = EntityKind::from_plural(column.aggregate.child).unwrap();
                    let field = child.descriptor().field(summed).expect("the summed column");
                    assert_eq!(field.kind, crate::FieldKind::Money, "{}", column.name);
                    assert_eq!(column.kind, crate::FieldKind::Money, "{}", column.name);
                }
            }
        }
        let client = EntityKind::Client.descriptor();
        assert_eq!(client.cascades.len(), 1);
        assert_eq!(client.computed.len(), 2);
    }

    /// Unique keys name writable fields (the import checks them; the migrations' unique indexes enforce them).
    #[test]
    fn unique_keys_name_writable_fields() {
        for kind in ENTITY_KINDS {
            let descriptor = kind.descriptor();
            for key in descriptor.unique {
                assert!(!key.is_empty(), "{}", descriptor.table);
                for field in *key {
                    assert!(
                        descriptor.field(field).is_some_and(|def| def.writable),
                        "{}.{field}",
                        descriptor.table
                    );
                }
            }
        }
        assert_eq!(
            EntityKind::Client.descriptor().unique,
            [&["company_name"][..]]
        );
    }

    /// A board exactly for the entities with a status; its card field is shown, its sum is money.
    #[test]
    fn boards_belong_to_status_entities() {
        for kind in ENTITY_KINDS {
            let descriptor = kind.descriptor();
            assert_eq!(
                descriptor.board.is_some(),
                descriptor.status.is_some(),
                "{}",
                descriptor.table
            );
            let Some(board) = descriptor.board else {
                continue;
            };
            assert!(
                descriptor.field(board.card_field).is_some()
                    || descriptor
                        .fields
                        .iter()
                        .any(|def| def.display_as == Some(board.card_field)),
                "{}.{}",
                descriptor.table,
                board.card_field
            );
            if let Some(sum) = board.sum {
                assert_eq!(
                    descriptor.field(sum).map(|def| def.kind),
                    Some(crate::FieldKind::Money),
                    "{}.{sum}",
                    descriptor.table
                );
            }
        }
    }
}
