//! The single source of truth for Keel's data contract, shared by the browser (WASM) and the server.
//!
//! Nothing in this crate performs I/O, so it compiles unchanged to `wasm32-unknown-unknown`.

pub mod entity;
pub mod error;
pub mod role;
pub mod rules;

pub use entity::{EntityKind, ENTITY_KINDS};
pub use error::{ErrorBody, ErrorCode, FieldError};
pub use role::{Role, ROLES};
