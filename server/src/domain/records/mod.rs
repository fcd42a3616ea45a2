//! Leads, clients, projects, accounts and tasks through one generic path: descriptors from `shared` drive the
//! SQL, the validation contract and the JSON; only `contract` names the per-entity types. Reads are in
//! `read`, every write goes through `write`, the CSV export is `export`.

pub mod board;
pub mod contract;
pub mod cursor;
pub mod export;
pub mod query;
pub mod read;
pub mod write;

pub use read::{get, list, trash, Page};
pub use write::{create, delete, restore, update};
