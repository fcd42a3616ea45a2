//! `Actor`: who performs a use case — a signed-in user, a CLI command acting for one, a scheduled job. It
//! carries nothing about how they proved it (cookie, token, session): that stays in the HTTP layer.

use shared::{
    history::Source,
    permissions::{allows, allows_on, Action, Ownership},
    Role,
};

use super::DomainError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    pub tenant_id: i64,
    pub role: Role,
    /// The tenant's configuration version the session check saw; 0 when unknown (a CLI command, a job), which
    /// makes the configuration be read afresh.
    pub config_version: i64,
    /// Where the actor's writes come from, as their history entries say: the app (`ui`) or the API with a
    /// token (`api`), a job.
    pub source: Source,
}

impl Actor {
    /// Refused unless the role may perform `action` on at least some records.
    pub fn require(&self, action: Action) -> Result<(), DomainError> {
        if allows(self.role, action) {
            Ok(())
        } else {
            Err(forbidden(action))
        }
    }

    /// Refused unless the role may perform `action` on a record with this creator and assignee.
    pub fn require_on(
        &self,
        action: Action,
        created_by: Option<i64>,
        assigned_to: Option<i64>,
    ) -> Result<(), DomainError> {
        let ownership = if created_by == Some(self.user_id) || assigned_to == Some(self.user_id) {
            Ownership::OwnOrAssigned
        } else {
            Ownership::Others
        };
        if allows_on(self.role, action, ownership) {
            Ok(())
        } else {
            Err(forbidden(action))
        }
    }
}

fn forbidden(action: Action) -> DomainError {
    DomainError::Forbidden(match action {
        Action::ReadRecords => "Your role cannot read these records",
        Action::CreateRecord => "Your role cannot create records",
        Action::UpdateRecord => "You can only change records you created or are assigned to",
        Action::DeleteRecord => "You can only delete records you created or are assigned to",
        Action::RestoreRecord => "You can only restore records you created or are assigned to",
        Action::ManageUsers => "Only administrators can manage users",
        Action::ManageConfiguration => "Only administrators can change the configuration",
        Action::ExportTenantData => "Only administrators can export the organisation's data",
        Action::ReadAudit => "Only administrators can read the audit log",
        Action::ManageSharedViews => {
            "Only its owner, administrators and managers can change a shared view"
        }
    })
}
