//! The retention job (`groupwork retention [--dry-run]`, and daily inside `serve`): anonymises
//! families past their retention period, deletes expired refresh tokens, old idempotency keys
//! and notifications, and prunes audit events past their own period. A dry run does all of it
//! inside a transaction and rolls it back, so what it reports is exactly what a run would do.

use crate::config::Config;
use crate::db::{write_transaction, DbConnection};
use crate::error::ApiError;
use crate::store;
use chrono::{DateTime, Duration, Months, Utc};
use serde::Serialize;

/// Idempotency keys are promised for at least 24 hours; keep them twice that.
const IDEMPOTENCY_KEY_HOURS: i64 = 48;

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionReport {
    pub dry_run: bool,
    /// Families anonymised (ids only: the report itself holds no personal data).
    pub families_anonymised: Vec<i32>,
    pub refresh_tokens_deleted: usize,
    pub idempotency_keys_deleted: usize,
    pub notifications_deleted: usize,
    pub audit_events_deleted: usize,
}

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
            "{verb}delete {} idempotency keys",
            self.idempotency_keys_deleted
        )?;
        writeln!(
            f,
            "{verb}delete {} notifications",
            self.notifications_deleted
        )?;
        write!(f, "{verb}delete {} audit events", self.audit_events_deleted)
    }
}

enum Outcome {
    Failed(ApiError),
    /// A dry run's report, carried out of the transaction to roll it back.
    DryRun(RetentionReport),
}

impl From<diesel::result::Error> for Outcome {
    fn from(e: diesel::result::Error) -> Self {
        Outcome::Failed(e.into())
    }
}

fn months_before(now: DateTime<Utc>, months: u32) -> chrono::NaiveDateTime {
    now.naive_utc()
        .checked_sub_months(Months::new(months))
        .unwrap_or(chrono::NaiveDateTime::MIN)
}

/// Runs the job once at `now`.
pub fn run(
    conn: &mut DbConnection,
    config: &Config,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<RetentionReport, String> {
    let result = write_transaction(conn, |c| {
        let report = sweep(c, config, now, dry_run).map_err(Outcome::Failed)?;
        if dry_run {
            Err(Outcome::DryRun(report))
        } else {
            Ok(report)
        }
    });
    match result {
        Ok(report) | Err(Outcome::DryRun(report)) => Ok(report),
        Err(Outcome::Failed(e)) => Err(format!("retention failed: {e}")),
    }
}

fn sweep(
    c: &mut DbConnection,
    config: &Config,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<RetentionReport, ApiError> {
    let at = now.naive_utc();
    // Expired things first, so the report counts them here rather than inside an erasure.
    let refresh_tokens_deleted = store::retention::delete_expired_refresh_tokens(c, at)?;
    let idempotency_keys_deleted = store::retention::delete_idempotency_keys_before(
        c,
        at - Duration::hours(IDEMPOTENCY_KEY_HOURS),
    )?;
    let notifications_deleted = store::retention::delete_notifications_before(
        c,
        months_before(now, config.notification_retention_months),
    )?;
    let due = store::retention::families_due(c, months_before(now, config.retention_months))?;
    for family in &due {
        crate::api::families::records::erase_family(c, *family, "retention", None, now)?;
    }
    Ok(RetentionReport {
        dry_run,
        families_anonymised: due,
        refresh_tokens_deleted,
        idempotency_keys_deleted,
        notifications_deleted,
        audit_events_deleted: store::audit::prune(
            c,
            months_before(now, config.audit_retention_months),
        )?,
    })
}
