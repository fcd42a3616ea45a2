//! Removes history entries older than `KEEL_HISTORY_RETENTION_DAYS`, once a day, inside `keel serve`. Without
//! the setting nothing is started: history is kept forever. Several instances may run it at once; a delete
//! of what another instance already deleted deletes nothing.

use std::time::Duration;

use chrono::Utc;

use crate::domain::{history, Services};

const EVERY: Duration = Duration::from_secs(24 * 3600);

/// Starts the daily cleaning when a retention is set; it lives as long as the process.
pub fn spawn(svc: Services) {
    let Some(days) = svc.config.history_retention_days else {
        return;
    };
    tokio::spawn(async move {
        loop {
            match history::clean(&svc, Utc::now(), days).await {
                Ok(removed) if removed > 0 => {
                    tracing::info!(
                        removed,
                        days,
                        "history entries past their retention removed"
                    )
                }
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "removing old history entries failed"),
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}
