//! Outcome measures: the questionnaire scores a family gives before (`pre`) and after (`post`) a
//! group, kept by the cohort's lead and co-facilitators, or a coordinator. One pre and one post
//! per measure per booking; a mistake is corrected, not recorded again. Crèche workers,
//! supervisors and other cohorts' facilitators are told there is no such booking. Every read
//! and every change is audited with the family.

use crate::db::DbConnection;
use crate::domain::status::BookingStatus;
use crate::error::FieldErrors;
use crate::service::registers::{team_access, TeamAccess};
use crate::service::{schedule, Actor, Audit, ServiceError, Services, Tx};
use crate::store::outcomes::{NewOutcome, Outcome, Recorded};
use crate::store::{self, bookings::Booking, programmes::Programme};
use chrono::{DateTime, Datelike, NaiveDate, Utc};

/// The largest score either side of zero; real questionnaire totals are far smaller.
const MAX_SCORE: f64 = 1_000_000.0;

/// Before or after the group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Pre,
    Post,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Pre => "pre",
            Phase::Post => "post",
        }
    }
}

/// Record a pre or post score for a booking.
#[derive(Debug, Clone)]
pub struct RecordOutcome {
    pub booking_id: i32,
    /// One of the programme's measures, matched ignoring case and outer spaces.
    pub measure: String,
    pub phase: Phase,
    pub score: f64,
    pub recorded_on: NaiveDate,
}

/// Correct a score and/or the day it was recorded; measure and phase cannot change.
#[derive(Debug, Clone)]
pub struct CorrectOutcome {
    pub booking_id: i32,
    pub outcome_id: i32,
    pub score: Option<f64>,
    pub recorded_on: Option<NaiveDate>,
}

/// Records a score. The booking must be confirmed or withdrawn (a family who left keeps its pre
/// score); a second score for the same measure and phase is a conflict naming the first.
pub async fn record_outcome(
    services: &Services,
    actor: Actor,
    cmd: RecordOutcome,
) -> Result<Outcome, ServiceError> {
    services
        .write(actor, move |tx| {
            let r = reach(tx, cmd.booking_id)?;
            let measure = r.check(Some(&cmd.measure), cmd.score, cmd.recorded_on)?;
            let status = r.booking.status;
            if !matches!(status, BookingStatus::Confirmed | BookingStatus::Withdrawn) {
                return Err(ServiceError::Conflict(format!(
                    "this booking is {status}: scores are kept for families who have or had a place"
                )));
            }
            let (booking_id, phase) = (r.booking.id, cmd.phase.as_str());
            let recorded_by = tx.actor.user_id().ok_or_else(|| {
                ServiceError::Forbidden("only a person can record a score".into())
            })?;
            let new = NewOutcome {
                booking_id,
                measure: &measure,
                phase,
                score: cmd.score,
                recorded_on: cmd.recorded_on,
                recorded_by,
            };
            let o = match store::outcomes::insert(tx.conn, &new, tx.now_naive())? {
                Recorded::New(o) => o,
                Recorded::Duplicate(first) => {
                    let url =
                        first.map(|id| format!(" at /api/v1/bookings/{booking_id}/outcomes/{id}"));
                    return Err(ServiceError::Conflict(format!(
                        "a {phase} score for {measure} is already recorded for this booking{}; \
                         correct it with PATCH",
                        url.unwrap_or_default()
                    )));
                }
            };
            let detail = format!("booking {booking_id}: {measure}, {phase}");
            r.audit(tx, "outcome_recorded", ("outcome_measure", o.id), detail);
            Ok(o)
        })
        .await
}

/// A booking's scores, by measure with `pre` before `post`. The read is audited.
pub async fn outcomes_of_booking(
    services: &Services,
    actor: Actor,
    booking_id: i32,
) -> Result<Vec<Outcome>, ServiceError> {
    services
        .write(actor, move |tx| {
            let r = reach(tx, booking_id)?;
            let detail = "outcome measures".to_string();
            r.audit(tx, "family_read", ("booking", booking_id), detail);
            Ok(store::outcomes::of_booking(tx.conn, booking_id)?)
        })
        .await
}

/// One score of a booking. The read is audited.
pub async fn outcome(
    services: &Services,
    actor: Actor,
    booking_id: i32,
    outcome_id: i32,
) -> Result<Outcome, ServiceError> {
    services
        .write(actor, move |tx| {
            let r = reach(tx, booking_id)?;
            let o = store::outcomes::find(tx.conn, booking_id, outcome_id)?
                .ok_or_else(|| ServiceError::not_found("outcome measure"))?;
            let detail = format!("outcome measure {outcome_id}");
            r.audit(tx, "family_read", ("booking", booking_id), detail);
            Ok(o)
        })
        .await
}

/// Corrects a score and/or its date; the audit trail says which fields changed, not their
/// values (the scores stay in one place only).
pub async fn correct_outcome(
    services: &Services,
    actor: Actor,
    cmd: CorrectOutcome,
) -> Result<Outcome, ServiceError> {
    services
        .write(actor, move |tx| {
            let r = reach(tx, cmd.booking_id)?;
            let o = store::outcomes::find(tx.conn, r.booking.id, cmd.outcome_id)?
                .ok_or_else(|| ServiceError::not_found("outcome measure"))?;
            let (score, on, what) = match (cmd.score, cmd.recorded_on) {
                (None, None) => {
                    return Err(ServiceError::field("body", "send score and/or recorded_on"))
                }
                (Some(score), None) => (score, o.recorded_on, "score"),
                (None, Some(on)) => (o.score, on, "recorded_on"),
                (Some(score), Some(on)) => (score, on, "score and recorded_on"),
            };
            r.check(None, score, on)?;
            let fixed = store::outcomes::correct(tx.conn, o.id, score, on, tx.now_naive())?;
            let (b, m, ph) = (o.booking_id, &o.measure, &o.phase);
            let detail = format!("booking {b}: {m}, {ph}; corrected {what}");
            r.audit(tx, "outcome_corrected", ("outcome_measure", o.id), detail);
            Ok(fixed)
        })
        .await
}

/// A booking whose outcome measures the actor may keep, with what the checks and the audit
/// trail need: its programme, today in the group's time zone and the actor's part.
struct Reached {
    booking: Booking,
    programme: Programme,
    today: NaiveDate,
    access: TeamAccess,
}

/// The booking, when the actor is a coordinator or runs its cohort; otherwise not found, as if
/// there were no such booking.
fn reach(tx: &mut Tx, booking_id: i32) -> Result<Reached, ServiceError> {
    let missing = || ServiceError::not_found("booking");
    let c: &mut DbConnection = tx.conn;
    let booking = store::bookings::find(c, booking_id)?.ok_or_else(missing)?;
    let access = match team_access(c, booking.cohort_id, tx.actor) {
        Ok(TeamAccess::CrecheWorker) | Err(ServiceError::NotFound(_)) => return Err(missing()),
        other => other?,
    };
    let (cohort, programme, _) =
        store::cohorts::find_full(c, booking.cohort_id)?.ok_or_else(missing)?;
    let now: DateTime<Utc> = tx.now;
    Ok(Reached {
        booking,
        programme,
        today: now.with_timezone(&schedule::zone(&cohort)).date_naive(),
        access,
    })
}

impl Reached {
    /// Checks a score and its date, and (for a new record) the measure; returns the measure in
    /// the programme's own spelling (matched ignoring case and outer spaces).
    fn check(
        &self,
        measure: Option<&str>,
        score: f64,
        on: NaiveDate,
    ) -> Result<String, ServiceError> {
        let mut errors = FieldErrors::new();
        let mut fail = |field: &str, message: String| {
            errors.entry(field.to_string()).or_default().push(message)
        };
        let (measures, name) = (self.programme.measures(), &self.programme.name);
        let found = measure.and_then(|given| {
            let given = given.trim();
            measures
                .iter()
                .find(|m| m.eq_ignore_ascii_case(given))
                .cloned()
        });
        if measure.is_some() && found.is_none() {
            fail(
                "measure",
                match measures.is_empty() {
                    true => format!("{name} has no outcome measures set up yet"),
                    false => format!(
                        "must be one of the measures {name} uses: {}",
                        measures.join("; ")
                    ),
                },
            );
        }
        if !score.is_finite() || score.abs() > MAX_SCORE {
            fail(
                "score",
                "must be a number from -1,000,000 to 1,000,000".into(),
            );
        }
        if on > self.today {
            fail(
                "recorded_on",
                format!("must not be in the future (today is {})", self.today),
            );
        } else if on.year() < 2000 {
            fail("recorded_on", "must not be before 2000".into());
        }
        ServiceError::check_fields(errors)?;
        Ok(found.unwrap_or_default())
    }

    /// Records an audit event about the family: `entity` is what was read or changed.
    fn audit(
        &self,
        tx: &mut Tx,
        action: &'static str,
        (entity, id): (&'static str, i32),
        detail: String,
    ) {
        tx.audit(Audit {
            action,
            entity,
            entity_id: Some(id),
            family_id: Some(self.booking.family_id),
            detail: format!("{detail}, as {:?}", self.access),
        });
    }
}
