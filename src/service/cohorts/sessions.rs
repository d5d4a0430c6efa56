//! One session: moved to another date or time, or cancelled (optionally with a replacement
//! added after the course's last session). Group sessions are renumbered so numbering stays in
//! time order, the team and the crèche are checked again (`rechecks`), its families are told,
//! and on a published cohort the change is audited. Applying a closure moves and cancels
//! sessions through the same functions.

use super::plan::schedule_error;
use super::{cohort_event, rechecks, record, CohortRecord};
use crate::db::DbConnection;
use crate::domain::calendar::{self, ScheduleError};
use crate::domain::status::{CohortStatus, SessionKind};
use crate::messages::Tell;
use crate::service::schedule::zone;
use crate::service::{Actor, ServiceError, Services, Tx};
use crate::store::{self, cohorts::Cohort, cohorts::NewSession, cohorts::Session};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;

/// What happens to the session.
#[derive(Debug, Clone)]
pub enum SessionChange {
    /// Cancelled (reason default "Cancelled"); a group session may get a replacement.
    Cancel {
        reason: Option<String>,
        add_replacement: bool,
    },
    /// Moved: a new local date and/or start (at least one given).
    Move {
        date: Option<NaiveDate>,
        start_time: Option<NaiveTime>,
    },
}

#[derive(Debug, Clone)]
pub struct ChangeSession {
    pub session_id: i32,
    pub change: SessionChange,
    /// Groups a supervisor may support in one term (configuration).
    pub supervisor_limit: usize,
}

/// Moves or cancels one session; answers with its whole cohort, renumbered.
pub async fn change_session(
    services: &Services,
    actor: Actor,
    cmd: ChangeSession,
) -> Result<CohortRecord, ServiceError> {
    services.write(actor, move |tx| change(tx, &cmd)).await
}

fn change(tx: &mut Tx, cmd: &ChangeSession) -> Result<CohortRecord, ServiceError> {
    let id = cmd.session_id;
    let seen = store::cohorts::find_session(tx.conn, id)?
        .ok_or_else(|| ServiceError::not_found("session"))?;
    // The cohort's lock first, as cancelling the group and booking take it, then the session
    // again: a cancellation that committed meanwhile is seen, not overwritten.
    store::bookings::lock_cohort(tx.conn, seen.cohort_id)?;
    let session = store::cohorts::find_session(tx.conn, id)?
        .ok_or_else(|| ServiceError::not_found("session"))?;
    let cohort = store::cohorts::find(tx.conn, session.cohort_id)?
        .ok_or_else(|| ServiceError::not_found("session"))?;
    if cohort.status == CohortStatus::Cancelled {
        return Err(ServiceError::Conflict("this cohort is cancelled".into()));
    }
    if session.is_cancelled() {
        return Err(ServiceError::Conflict(
            "this session is already cancelled".into(),
        ));
    }
    let tz = zone(&cohort);
    // The local dates the change puts a session on, for the crèche check.
    let mut new_dates = Vec::new();
    match &cmd.change {
        SessionChange::Cancel {
            reason,
            add_replacement,
        } => {
            cancel_one(tx, &cohort, &session, reason.as_deref())?;
            if *add_replacement && session.kind == SessionKind::Group {
                new_dates.push(add_replacement_session(
                    tx.conn,
                    &cohort,
                    tz,
                    tx.now_naive(),
                )?);
            }
        }
        SessionChange::Move { date, start_time } => {
            let old_local = session.starts_at.and_utc().with_timezone(&tz);
            let date = date.unwrap_or(old_local.date_naive());
            let time = start_time.unwrap_or(old_local.time());
            let closed = store::closures::closed_dates(tx.conn, cohort.venue_id, date, date)?;
            if closed.contains(&date) {
                return Err(ServiceError::field(
                    "date",
                    format!("the venue is closed on {date}"),
                ));
            }
            let starts = calendar::local_instant(date, time, tz)
                .map_err(|e| schedule_error("start_time", e))?;
            move_one(tx, &cohort, &session, starts)?;
            new_dates.push(date);
        }
    }
    store::cohorts::renumber(tx.conn, cohort.id)?;
    rechecks::refuse(rechecks::after_schedule_change(
        tx.conn,
        &cohort,
        &new_dates,
        cmd.supervisor_limit,
    )?)?;
    tx.listing_changed();
    record(tx.conn, cohort.id, tx.now)
}

/// Moves one session to start at `starts` (its length kept), tells its families, and on a
/// published cohort audits the change. The caller renumbers and checks the rules again.
pub(crate) fn move_one(
    tx: &mut Tx,
    cohort: &Cohort,
    session: &Session,
    starts: DateTime<Utc>,
) -> Result<(), ServiceError> {
    let tz = zone(cohort);
    let length = session.ends_at - session.starts_at;
    store::cohorts::move_session(
        tx.conn,
        session.id,
        starts.naive_utc(),
        (starts + length).naive_utc(),
        tx.now_naive(),
    )?;
    crate::messages::queue(
        tx,
        Tell::SessionMoved {
            session_id: session.id,
            was: session.clone(),
        },
    )?;
    if cohort.status == CohortStatus::Published {
        let detail = format!(
            "session {} moved from {} to {}",
            session.id,
            session.starts_at.and_utc().with_timezone(&tz).to_rfc3339(),
            starts.with_timezone(&tz).to_rfc3339()
        );
        tx.audit(cohort_event(cohort.id, "schedule_changed", detail));
    }
    Ok(())
}

/// Cancels one session (`given`: the centre's reason, if any), tells its families, and on a
/// published cohort audits the change. The caller renumbers.
pub(crate) fn cancel_one(
    tx: &mut Tx,
    cohort: &Cohort,
    session: &Session,
    given: Option<&str>,
) -> Result<(), ServiceError> {
    let reason = given
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .unwrap_or("Cancelled");
    store::cohorts::cancel_session(tx.conn, session.id, reason, tx.now_naive())?;
    crate::messages::queue(
        tx,
        Tell::SessionCancelled {
            session_id: session.id,
            // The centre's note as families read it: none when staff gave no reason.
            reason: given.map(str::trim).unwrap_or_default().to_string(),
        },
    )?;
    if cohort.status == CohortStatus::Published {
        let detail = format!("session {} cancelled: {reason}", session.id);
        tx.audit(cohort_event(cohort.id, "schedule_changed", detail));
    }
    Ok(())
}

/// Where a session of `kind` goes at the end of its course: the first open week after the
/// cohort's last scheduled session of that kind, at `time` local. The outer error is the
/// database's; the inner says why the calendar has no such date.
pub(crate) fn end_of_course(
    c: &mut DbConnection,
    cohort: &Cohort,
    kind: SessionKind,
    time: NaiveTime,
) -> Result<Result<DateTime<Utc>, ScheduleError>, ServiceError> {
    let tz = zone(cohort);
    let last = store::cohorts::sessions_of(c, cohort.id)?
        .iter()
        .filter(|s| s.kind == kind && !s.is_cancelled())
        .map(|s| s.starts_at.and_utc().with_timezone(&tz).date_naive())
        .max()
        .unwrap_or(cohort.first_session_date);
    let closed =
        store::closures::closed_dates(c, cohort.venue_id, last, last + Duration::weeks(60))?;
    Ok(calendar::end_of_course(last, time, tz, &|d| {
        closed.contains(&d)
    }))
}

/// A replacement group session in the first open week after the course's last session, at the
/// cohort's usual local time; answers its local date.
fn add_replacement_session(
    c: &mut DbConnection,
    cohort: &Cohort,
    tz: Tz,
    now: NaiveDateTime,
) -> Result<NaiveDate, ServiceError> {
    let starts = end_of_course(c, cohort, SessionKind::Group, cohort.start_time)?
        .map_err(|e| schedule_error("add_replacement", e))?;
    let ends = starts + Duration::minutes(i64::from(cohort.session_minutes));
    store::cohorts::insert_sessions(
        c,
        cohort.id,
        &[NewSession {
            kind: SessionKind::Group,
            number: None,
            starts_at: starts.naive_utc(),
            ends_at: ends.naive_utc(),
        }],
        now,
    )?;
    Ok(starts.with_timezone(&tz).date_naive())
}
