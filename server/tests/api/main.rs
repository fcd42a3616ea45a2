//! The server's integration tests, one binary: the real server over HTTP on SQLite and PostgreSQL, one
//! module per area. `helpers` boots the servers (`spawn_app`) and holds the request helpers every module
//! shares (`TestApp`), and `both_backends!`.
//!
//! One binary, so tests of different areas run in parallel threads of one process: anything process-global
//! must stay out of the way of the other tests (see `sentry` for the one test that installs a global client).

mod helpers;

mod access;
mod auth;
mod backend_config;
mod backup;
mod board;
mod dashboard;
mod health;
mod history;
mod imports;
mod observability;
mod rate_limits;
mod records;
mod report_plans;
mod reports;
mod schedules;
mod schema;
mod sentry;
mod views;
