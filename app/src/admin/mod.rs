//! Administration pages beyond users and diagnostics.

pub mod backend_config;
