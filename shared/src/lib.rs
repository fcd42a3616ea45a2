//! The single source of truth for Keel's data contract, shared by the browser (WASM) and the server.
//!
//! Nothing in this crate performs I/O, so it compiles unchanged to `wasm32-unknown-unknown`.

pub mod auth;
pub mod backend_config;
pub mod board;
pub mod contract;
pub mod dashboard;
pub mod descriptor;
pub mod entities;
pub mod entity;
pub mod error;
pub mod form;
pub mod history;
pub mod imports;
pub mod list;
pub mod permissions;
pub mod record;
pub mod role;
pub mod rules;
pub mod schedules;
pub mod storage;
pub mod validation;
pub mod value;
pub mod views;

pub use backend_config::BackendConfig;
pub use descriptor::{EntityDescriptor, FieldDef, FieldKind, Filter, StatusCategory};
pub use entity::{EntityKind, ENTITY_KINDS, REPORT_KINDS};
pub use error::{ErrorBody, ErrorCode, FieldError};
pub use list::{
    record_title, title_field, Page, SortOrder, DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE,
    PAGE_SIZES,
};
pub use role::{Role, ROLES};
pub use storage::Storage;
pub use validation::{RulesContext, StatusOption, ValidationErrors};
pub use value::{Date, Money, Patch};
