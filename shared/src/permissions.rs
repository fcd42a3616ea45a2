//! Who may do what (ARCHITECTURE.md, "Tenancy and authorisation"). The server enforces these in its service
//! layer; the browser uses the same answers only to hide controls a user could not use anyway.

use crate::role::Role;

/// Everything a user can ask of a tenant's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// List, view, export records; read statuses and the assignee options.
    ReadRecords,
    CreateRecord,
    /// Update a record. Members only for records they created or are assigned to.
    UpdateRecord,
    /// Soft-delete a record. Members only for records they created or are assigned to.
    DeleteRecord,
    /// Restore a record from the trash. Members only for records they created or are assigned to.
    RestoreRecord,
    /// List, create, change and deactivate users.
    ManageUsers,
    /// Change the tenant's statuses and rules.
    ManageConfiguration,
    /// Download all of the tenant's data (users, configuration, every record including the trash).
    ExportTenantData,
    /// Change or delete other people's shared views (anyone changes their own).
    ManageSharedViews,
    /// Read the tenant's audit log (every entry of every record, the configuration and the users).
    ReadAudit,
}

pub const ACTIONS: [Action; 10] = [
    Action::ReadRecords,
    Action::CreateRecord,
    Action::UpdateRecord,
    Action::DeleteRecord,
    Action::RestoreRecord,
    Action::ManageUsers,
    Action::ManageConfiguration,
    Action::ExportTenantData,
    Action::ManageSharedViews,
    Action::ReadAudit,
];

/// How the acting user relates to the record in question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ownership {
    /// The user created the record or it is assigned to them.
    OwnOrAssigned,
    /// Someone else's record.
    Others,
}

/// The role's answer regardless of ownership: `Some(true)` always, `Some(false)` never, `None` only for
/// records the user owns or is assigned (see [`allows_on`]).
pub const fn role_allows(role: Role, action: Action) -> Option<bool> {
    use Action::*;
    match (role, action) {
        (Role::Admin, _) => Some(true),
        (Role::Manager, ManageUsers | ManageConfiguration | ExportTenantData | ReadAudit) => {
            Some(false)
        }
        (Role::Manager, _) => Some(true),
        (Role::Member, ManageSharedViews) => Some(false),
        (Role::Member, ReadRecords | CreateRecord) => Some(true),
        (Role::Member, UpdateRecord | DeleteRecord | RestoreRecord) => None,
        (Role::Member, ManageUsers | ManageConfiguration | ExportTenantData | ReadAudit) => {
            Some(false)
        }
        (Role::Viewer, ReadRecords) => Some(true),
        (Role::Viewer, _) => Some(false),
    }
}

/// May `role` perform `action` at all (on at least some records)?
pub const fn allows(role: Role, action: Action) -> bool {
    !matches!(role_allows(role, action), Some(false))
}

/// May `role` perform `action` on a record with the given ownership?
pub const fn allows_on(role: Role, action: Action, ownership: Ownership) -> bool {
    match role_allows(role, action) {
        Some(answer) => answer,
        None => matches!(ownership, Ownership::OwnOrAssigned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::ROLES;

    #[test]
    fn admins_may_do_everything() {
        for action in ACTIONS {
            assert!(allows_on(Role::Admin, action, Ownership::Others));
        }
    }

    #[test]
    fn viewers_only_read() {
        for action in ACTIONS {
            assert_eq!(
                allows_on(Role::Viewer, action, Ownership::OwnOrAssigned),
                action == Action::ReadRecords,
                "{action:?}"
            );
        }
    }

    #[test]
    fn members_change_only_their_own_records() {
        for action in [
            Action::UpdateRecord,
            Action::DeleteRecord,
            Action::RestoreRecord,
        ] {
            assert!(allows_on(Role::Member, action, Ownership::OwnOrAssigned));
            assert!(!allows_on(Role::Member, action, Ownership::Others));
            assert!(allows(Role::Member, action));
        }
        assert!(allows(Role::Member, Action::CreateRecord));
        assert!(!allows(Role::Member, Action::ManageUsers));
    }

    #[test]
    fn only_admins_manage_users_and_configuration() {
        for role in ROLES {
            assert_eq!(allows(role, Action::ManageUsers), role == Role::Admin);
            assert_eq!(
                allows(role, Action::ManageConfiguration),
                role == Role::Admin
            );
            assert_eq!(allows(role, Action::ExportTenantData), role == Role::Admin);
            assert_eq!(allows(role, Action::ReadAudit), role == Role::Admin);
        }
    }
}
