//! The home page's figures (`GET /api/dashboard`): records per status of every status entity whose module is
//! on (projects with their budget per status: the pipeline), leads created per week, the signed-in user's
//! open tasks and the latest changes. Each figure names what the matching report filters on, so the page can
//! link every bar to it.

use serde::{Deserialize, Serialize};

pub use crate::board::StatusCount;
use crate::{history::HistoryAction, value::Date, Money};

/// Weeks of leads the dashboard counts, this one included.
pub const LEAD_WEEKS: usize = 12;
/// Open tasks listed (the total says how many there are).
pub const MY_TASKS_SHOWN: usize = 10;
/// History entries listed.
pub const LATEST_CHANGES: usize = 10;

/// The whole dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    /// The day (UTC) the figures were read on: the week buckets and "overdue" count from it.
    pub today: Date,
    /// Every status entity whose module is on, in the registry's order.
    pub entities: Vec<StatusCounts>,
    /// The last [`LEAD_WEEKS`] weeks, oldest first, weeks without a lead included (empty when the leads module
    /// is off).
    pub leads_per_week: Vec<WeekCount>,
    /// `None` when the tasks module is off.
    pub my_tasks: Option<MyTasks>,
    /// The newest history entries the user may see, newest first.
    pub latest_changes: Vec<RecentChange>,
}

impl Dashboard {
    pub fn entity(&self, plural: &str) -> Option<&StatusCounts> {
        self.entities.iter().find(|counts| counts.entity == plural)
    }
}

/// An entity's live records per status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusCounts {
    /// The entity's plural (`leads`), as in its URLs.
    pub entity: String,
    /// The status field, which is also the list's filter parameter (`lead_status`).
    pub status_field: String,
    /// Every live record.
    pub total: u64,
    /// The sum of all budgets (projects only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum: Option<Money>,
    /// The tenant's statuses in order, then any key records still hold that the tenant no longer has.
    pub statuses: Vec<StatusCount>,
}

impl StatusCounts {
    pub fn status(&self, key: &str) -> Option<&StatusCount> {
        self.statuses.iter().find(|status| status.key == key)
    }
}

/// Leads created in one week (Monday to Sunday, UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekCount {
    /// The Monday.
    pub week_start: Date,
    /// The Sunday (the report's `created_before`, which includes the whole day).
    pub week_end: Date,
    pub count: u64,
}

/// The signed-in user's open tasks (assigned to them, in a status of the open category).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyTasks {
    /// All of them.
    pub total: u64,
    /// The first [`MY_TASKS_SHOWN`] by due date, tasks without one last.
    pub tasks: Vec<MyTask>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MyTask {
    pub id: i64,
    pub title: String,
    pub due_date: Option<Date>,
    pub status: String,
    pub status_label: String,
    /// Due before today (UTC).
    pub overdue: bool,
}

/// One history entry, as the dashboard lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecentChange {
    /// The entry's id.
    pub id: i64,
    /// An entity's plural, `users` or `config`.
    pub entity: String,
    pub record_id: i64,
    /// The record's title (a user's name) now; `None` when it is in the trash or gone, or for the
    /// configuration.
    pub title: Option<String>,
    pub action: HistoryAction,
    pub action_label: String,
    /// Who made the change; `None` for a change without a user.
    pub user_name: Option<String>,
    /// RFC 3339 with microseconds.
    pub at: String,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::descriptor::StatusCategory;

    #[test]
    fn a_sum_is_sent_only_where_there_is_one() {
        let status = |sum| StatusCount {
            key: "active".into(),
            label: "Active".into(),
            category: StatusCategory::Open,
            known: true,
            count: 2,
            sum,
        };
        assert_eq!(
            serde_json::to_value(status(None)).unwrap(),
            json!({"key": "active", "label": "Active", "category": "open", "known": true, "count": 2})
        );
        let with_sum = serde_json::to_value(status(Some(Money(1_250_050)))).unwrap();
        assert_eq!(with_sum["sum"], "12500.50");
        assert_eq!(
            serde_json::from_value::<StatusCount>(with_sum).unwrap(),
            status(Some(Money(1_250_050)))
        );
    }
}
