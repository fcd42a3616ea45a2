//! One module per table: its descriptor, its data types and its validation function.

pub mod account;
pub mod client;
pub mod lead;
pub mod project;
pub mod status;
pub mod task;
pub mod tenant;
pub mod user;

use crate::{descriptor::EntityDescriptor, entity::EntityKind};

/// Every table with a descriptor, for code (and tests) that walk them all.
pub const ALL_DESCRIPTORS: [&EntityDescriptor; 8] = [
    &tenant::TENANT,
    &user::USER,
    &status::STATUS,
    &lead::LEAD,
    &client::CLIENT,
    &project::PROJECT,
    &account::ACCOUNT,
    &task::TASK,
];

impl EntityKind {
    pub const fn descriptor(self) -> &'static EntityDescriptor {
        match self {
            EntityKind::Lead => &lead::LEAD,
            EntityKind::Client => &client::CLIENT,
            EntityKind::Project => &project::PROJECT,
            EntityKind::Account => &account::ACCOUNT,
            EntityKind::Task => &task::TASK,
        }
    }
}
