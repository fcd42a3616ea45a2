//! The four roles of a tenant's users (ARCHITECTURE.md, "Tenancy and authorisation").

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything in the tenant, including users and configuration.
    Admin,
    /// Every record in the tenant.
    Manager,
    /// Creates records; edits and deletes the ones they own or are assigned.
    Member,
    /// Reads only.
    Viewer,
}

pub const ROLES: [Role; 4] = [Role::Admin, Role::Manager, Role::Member, Role::Viewer];

impl Role {
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Member => "member",
            Role::Viewer => "viewer",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        ROLES.into_iter().find(|role| role.as_str() == value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in ROLES {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("owner"), None);
        assert_eq!(Role::parse("Admin"), None);
    }
}
