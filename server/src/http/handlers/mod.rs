//! One module per group of endpoints; each handler parses, calls one domain function, renders.

pub mod auth;
pub mod backend_config;
pub mod client_errors;
pub mod dashboard;
pub mod forms;
pub mod health;
pub mod history;
pub mod imports;
pub mod records;
pub mod schedules;
pub mod tenant_export;
pub mod users;
pub mod views;
