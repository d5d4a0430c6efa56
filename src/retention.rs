//! The retention job (`groupwork retention [--dry-run]`, and daily inside `serve`): runs the
//! retention sweep (`service::retention`) as the service itself, and says what it did.

use crate::config::Config;
use crate::service::retention::{sweep, Periods};
use crate::service::Services;

pub use crate::service::retention::RetentionReport;

impl std::fmt::Display for RetentionReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verb = if self.dry_run { "would " } else { "" };
        writeln!(
            f,
            "{verb}anonymise {} families{}",
            self.families_anonymised.len(),
            if self.families_anonymised.is_empty() {
                String::new()
            } else {
                format!(" (ids {:?})", self.families_anonymised)
            }
        )?;
        writeln!(
            f,
            "{verb}delete {} expired refresh tokens",
            self.refresh_tokens_deleted
        )?;
        writeln!(
            f,
            "{verb}delete {} ended one-time links and {} spent rate-limit counters",
            self.account_links_deleted, self.rate_limits_deleted
        )?;
        writeln!(
            f,
            "{verb}delete {} idempotency keys",
            self.idempotency_keys_deleted
        )?;
        writeln!(
            f,
            "{verb}delete {} notifications",
            self.notifications_deleted
        )?;
        writeln!(
            f,
            "{verb}remove the words of {} old messages",
            self.messages_blanked
        )?;
        write!(f, "{verb}delete {} audit events", self.audit_events_deleted)
    }
}

/// Runs the job once, now by the services' clock, on a runtime of its own: call it from a plain
/// thread (the command line, the daily loop), never from inside an async task.
pub fn run(services: &Services, config: &Config, dry_run: bool) -> Result<RetentionReport, String> {
    let periods = Periods {
        families: config.retention_months,
        notifications: config.notification_retention_months,
        audit_events: config.audit_retention_months,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("retention failed: no runtime: {e}"))?;
    runtime
        .block_on(sweep(services, periods, dry_run))
        .map_err(|e| format!("retention failed: {e}"))
}
