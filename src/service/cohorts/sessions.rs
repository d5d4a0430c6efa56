//! One session: moved to another date or time, or cancelled (optionally with a replacement
//! added after the course's last session). Group sessions are renumbered so numbering stays in
//! time order, the team is checked again, and on a published cohort the change is audited.

use super::plan::schedule_error;
use super::{cohort_event, record, team, CohortRecord};
use crate::db::DbConnection;
use crate::domain::calendar;
use crate::domain::status::{CohortStatus, SessionKind};
use crate::messages::Tell;
use crate::service::schedule::zone;
use crate::service::{Actor, ServiceError, Services, Tx};
use crate::store::{self, cohorts::Cohort, cohorts::NewSession};
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
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
    let now = tx.now_naive();
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
    let detail = match &cmd.change {
        SessionChange::Cancel {
            reason,
            add_replacement,
        } => {
            let reason_given = reason.as_deref();
            let reason = reason.clone().unwrap_or_else(|| "Cancelled".into());
            store::cohorts::cancel_session(tx.conn, id, reason.trim(), now)?;
            if *add_replacement && session.kind == SessionKind::Group {
                add_replacement_session(tx.conn, &cohort, tz, now)?;
            }
            crate::messages::queue(
                tx,
                Tell::SessionCancelled {
                    session_id: id,
                    reason: cmd_reason_for_families(reason_given),
                },
            )?;
            format!("session {id} cancelled: {reason}")
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
            let length = session.ends_at - session.starts_at;
            store::cohorts::move_session(
                tx.conn,
                id,
                starts.naive_utc(),
                (starts + length).naive_utc(),
                now,
            )?;
            crate::messages::queue(
                tx,
                Tell::SessionMoved {
                    session_id: id,
                    was: session.clone(),
                },
            )?;
            format!(
                "session {id} moved from {} to {}",
                old_local.to_rfc3339(),
                starts.with_timezone(&tz).to_rfc3339()
            )
        }
    };
    store::cohorts::renumber(tx.conn, cohort.id)?;
    team::recheck(tx.conn, cohort.id, cmd.supervisor_limit)?;
    if cohort.status == CohortStatus::Published {
        tx.audit(cohort_event(cohort.id, "schedule_changed", detail));
    }
    tx.listing_changed();
    record(tx.conn, cohort.id, tx.now)
}

/// The centre's note as families read it: none when staff gave no reason.
fn cmd_reason_for_families(given: Option<&str>) -> String {
    given.map(str::trim).unwrap_or_default().to_string()
}

/// A replacement group session in the first open week after the course's last session, at the
/// cohort's usual local time.
fn add_replacement_session(
    c: &mut DbConnection,
    cohort: &Cohort,
    tz: Tz,
    now: NaiveDateTime,
) -> Result<(), ServiceError> {
    let sessions = store::cohorts::sessions_of(c, cohort.id)?;
    let last = sessions
        .iter()
        .filter(|s| s.kind == SessionKind::Group && !s.is_cancelled())
        .map(|s| s.starts_at.and_utc().with_timezone(&tz).date_naive())
        .max()
        .unwrap_or(cohort.first_session_date);
    let closed =
        store::closures::closed_dates(c, cohort.venue_id, last, last + Duration::weeks(60))?;
    let date = calendar::next_open_week(last, &|d| closed.contains(&d))
        .map_err(|e| schedule_error("add_replacement", e))?;
    let starts = calendar::local_instant(date, cohort.start_time, tz)
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
    Ok(())
}
