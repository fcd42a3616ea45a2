//! Leads, clients, projects, accounts and tasks through one generic path: descriptors from `shared` drive
//! the SQL, the validation contract and the JSON; only `contract` names the per-entity types.

mod columns;
pub mod contract;
pub mod cursor;
pub mod export;
pub mod list_query;
pub mod service;
pub mod sql;
