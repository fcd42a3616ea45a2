//! Authentication: who is calling. Passwords (argon2id), signed tokens (JWT HS256) that name a server-side
//! session, the session cookie, and the per-request [`AuthContext`] every service call takes.

pub mod context;
pub mod cookie;
pub mod password;
pub mod service;
pub mod throttle;
pub mod token;

pub use context::{AuthContext, Credential};
