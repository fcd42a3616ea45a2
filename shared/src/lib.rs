//! The single source of truth for Keel's data contract, shared by the browser (WASM) and the server.
//!
//! Nothing in this crate performs I/O, so it compiles unchanged to `wasm32-unknown-unknown`.

pub mod auth;
pub mod descriptor;
pub mod entities;
pub mod entity;
pub mod error;
pub mod form;
pub mod permissions;
pub mod record;
pub mod role;
pub mod rules;
pub mod validation;
pub mod value;

pub use descriptor::{EntityDescriptor, FieldDef, FieldKind, Filter};
pub use entity::{EntityKind, ENTITY_KINDS};
pub use error::{ErrorBody, ErrorCode, FieldError};
pub use role::{Role, ROLES};
pub use validation::{RulesContext, StatusOption, ValidationErrors};
pub use value::{Date, Money, Patch};
