//! The Keel server, in three layers: `http` (the only code that knows axum), `domain` (the use cases, called
//! by handlers, CLI commands and jobs alike), `db` (the only code that builds SQL) and `kv` (the only code that
//! talks to Redis). `cli` holds the `keel`
//! subcommands; `config`, `observability` and `telemetry` are shared by all.
// Leptos view types nest deeply; the default limit is too low for a page of forms.
#![recursion_limit = "256"]

pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod http;
pub mod jobs;
pub mod kv;
pub mod observability;
pub mod telemetry;
