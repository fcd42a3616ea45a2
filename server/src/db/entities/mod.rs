//! SeaORM entity definitions, one module per table, in the shape `sea-orm-cli generate entity` writes.
//! Hand-written logic lives in the service modules, never here.

pub mod session;
pub mod tenant;
pub mod user;
