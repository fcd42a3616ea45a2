//! The Keel server: configuration, HTTP routes, services, data access, telemetry and the CLI commands.

pub mod accounts;
pub mod config;
pub mod db;
pub mod demo_data;
pub mod entities;
pub mod error;
pub mod routes;
pub mod seed;
pub mod startup;
pub mod state;
pub mod telemetry;
