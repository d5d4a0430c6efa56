//! The retention sweep, run by the service itself ([`Actor::System`]): anonymises families past
//! their retention period, deletes expired refresh tokens, ended one-time links, spent rate-limit
//! counters, old idempotency keys and
//! notifications, removes the words of old messages, and prunes audit events past their own period. A dry run does all of it in
//! the one transaction and rolls it back, so what it reports is exactly what a run would do.

use super::families::erasure::{erase, ErasureReason};
use super::{Actor, ServiceError, Services, Tx};
use crate::store;
use chrono::{DateTime, Duration, Months, NaiveDateTime, Utc};
use serde::Serialize;
use std::sync::{Arc, Mutex};

/// Idempotency keys are promised for at least 24 hours; keep them twice that.
const IDEMPOTENCY_KEY_HOURS: i64 = 48;
/// One-time links that ended (expired) are kept a month, so a family asking what was sent to
/// them lately still sees it in their export; they hold no usable secret.
const ENDED_LINK_DAYS: i64 = 30;
/// Rate-limit windows last an hour at most; a day-old one is long over.
const RATE_LIMIT_HOURS: i64 = 24;

/// How long things are kept, in months.
#[derive(Debug, Clone, Copy)]
pub struct Periods {
    /// A family's record, after its last group ended or its record last changed.
    pub families: u32,
    pub notifications: u32,
    pub audit_events: u32,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionReport {
    pub dry_run: bool,
    /// Families anonymised (ids only: the report itself holds no personal data).
    pub families_anonymised: Vec<i32>,
    pub refresh_tokens_deleted: usize,
    /// One-time links (invitations, resets, address confirmations) that expired a month ago.
    pub account_links_deleted: usize,
    /// Rate-limit counters whose window is long over.
    pub rate_limits_deleted: usize,
    pub idempotency_keys_deleted: usize,
    pub notifications_deleted: usize,
    /// Messages past the notifications' period whose address and words were removed (their
    /// rows stay, so counts of messages sent survive).
    pub messages_blanked: usize,
    pub audit_events_deleted: usize,
}

fn months_before(now: DateTime<Utc>, months: u32) -> NaiveDateTime {
    now.naive_utc()
        .checked_sub_months(Months::new(months))
        .unwrap_or(NaiveDateTime::MIN)
}

/// Runs the sweep once, as the system, at the service clock's time.
pub async fn sweep(
    services: &Services,
    periods: Periods,
    dry_run: bool,
) -> Result<RetentionReport, ServiceError> {
    // A dry run's report is carried out of the transaction beside the error that rolls it back.
    let kept: Arc<Mutex<Option<RetentionReport>>> = Arc::default();
    let out = kept.clone();
    let result = services
        .write(Actor::System, move |tx| {
            let report = sweep_in(tx, periods, dry_run)?;
            if !dry_run {
                return Ok(report);
            }
            if let Ok(mut slot) = out.lock() {
                *slot = Some(report);
            }
            Err(ServiceError::Internal("dry run: rolled back".into()))
        })
        .await;
    match result {
        Err(e) if dry_run => match kept.lock().ok().and_then(|mut slot| slot.take()) {
            Some(report) => Ok(report),
            None => Err(e),
        },
        done => done,
    }
}

fn sweep_in(tx: &mut Tx, periods: Periods, dry_run: bool) -> Result<RetentionReport, ServiceError> {
    let (now, at) = (tx.now, tx.now.naive_utc());
    // Expired things first, so the report counts them here rather than inside an erasure.
    let refresh_tokens_deleted = store::retention::delete_expired_refresh_tokens(tx.conn, at)?;
    let account_links_deleted =
        store::account_tokens::purge_ended(tx.conn, at - Duration::days(ENDED_LINK_DAYS))?;
    let rate_limits_deleted =
        store::rate_limits::purge(tx.conn, at - Duration::hours(RATE_LIMIT_HOURS))?;
    let idempotency_keys_deleted = store::retention::delete_idempotency_keys_before(
        tx.conn,
        at - Duration::hours(IDEMPOTENCY_KEY_HOURS),
    )?;
    let notifications_deleted = store::retention::delete_notifications_before(
        tx.conn,
        months_before(now, periods.notifications),
    )?;
    let messages_blanked =
        store::messages::blank_before(tx.conn, months_before(now, periods.notifications), at)?;
    let due = store::retention::families_due(tx.conn, months_before(now, periods.families))?;
    for family in &due {
        erase(tx, *family, ErasureReason::Retention)?;
    }
    Ok(RetentionReport {
        dry_run,
        families_anonymised: due,
        refresh_tokens_deleted,
        account_links_deleted,
        rate_limits_deleted,
        idempotency_keys_deleted,
        notifications_deleted,
        messages_blanked,
        audit_events_deleted: store::audit::prune(
            tx.conn,
            months_before(now, periods.audit_events),
        )?,
    })
}
