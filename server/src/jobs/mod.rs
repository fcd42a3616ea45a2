//! Work that is not a request: started by `keel serve` beside the HTTP server, calling the same domain
//! functions a handler or a CLI command calls.

pub mod history_retention;
pub mod report_schedules;
