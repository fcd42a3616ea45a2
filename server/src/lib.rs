//! The Keel server: configuration, HTTP routes, services, data access, telemetry and the CLI commands.
// Leptos view types nest deeply; the default limit is too low for a page of forms.
#![recursion_limit = "256"]

pub mod accounts;
pub mod auth;
pub mod config;
pub mod db;
pub mod demo_data;
pub mod entities;
pub mod error;
pub mod extract;
pub mod observability;
pub mod openapi;
pub mod rate_limit;
pub mod records;
pub mod routes;
pub mod security;
pub mod seed;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod users;
