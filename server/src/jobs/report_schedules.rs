//! The scheduled-report runner inside `keel serve` (no second process): every few seconds it runs what is
//! due (`domain::schedules::runner::run_due`, which takes the time as an argument so tests never sleep), and
//! hourly removes files past their retention. Several instances may run it against one PostgreSQL: each slot
//! is claimed by one of them. `KEEL_SCHEDULER=off` leaves it out of an instance.

use std::time::Duration;

use chrono::Utc;

use crate::domain::{schedules::runner, Services};

/// How often due schedules are looked for (slots are whole minutes).
const TICK: Duration = Duration::from_secs(15);
/// How often expired files are removed.
const CLEANUP_EVERY: Duration = Duration::from_secs(3600);
/// A run still `running` after this long was left by a server that stopped.
const INTERRUPTED_AFTER: chrono::Duration = chrono::Duration::hours(6);

/// Starts the runner on the current runtime; it lives as long as the process.
pub fn spawn(svc: Services) {
    tokio::spawn(async move {
        if let Err(err) = runner::fail_interrupted(&svc, Utc::now() - INTERRUPTED_AFTER).await {
            tracing::warn!(error = %err, "could not mark interrupted report runs");
        }
        let mut last_cleanup: Option<tokio::time::Instant> = None;
        loop {
            match runner::run_due(&svc, Utc::now()).await {
                Ok(pass) if pass.ran > 0 || pass.skipped > 0 => {
                    tracing::info!(ran = pass.ran, skipped = pass.skipped, "scheduled reports");
                }
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(error = %err, "the scheduled-report runner failed; retrying")
                }
            }
            if last_cleanup.is_none_or(|at| at.elapsed() >= CLEANUP_EVERY) {
                match runner::remove_expired(&svc, Utc::now()).await {
                    Ok(removed) if removed > 0 => {
                        tracing::info!(removed, "expired report files removed")
                    }
                    Ok(_) => {}
                    Err(err) => {
                        tracing::warn!(error = %err, "removing expired report files failed")
                    }
                }
                last_cleanup = Some(tokio::time::Instant::now());
            }
            tokio::time::sleep(TICK).await;
        }
    });
}
