//! Closures: a venue (or every venue) closed for a date or a range, and one-off changes to the
//! bank holidays. Sessions are planned around them; sessions already planned on a new closure
//! are named with the plan `apply` proposes for them (each moved to the end of its group), and
//! moved or cancelled only when a coordinator applies it. Both touch the public listing, which
//! shows the sessions' dates.

pub mod apply;

pub use apply::{
    apply_closure, ApplyClosure, ClosureResolved, CohortResolved, Outcome, Resolution,
    SessionResolved,
};

use super::{Actor, ServiceError, Services};
use crate::db::{unique_violated, Unique};
use crate::domain::calendar::{self, BankHoliday};
use crate::store::{self, closures::Closure, closures::NewClosure, cohorts::Session};
use chrono::NaiveDate;

/// What closes venues in a date range: bank holidays (by rule and the recorded changes) and
/// closures.
pub struct Closed {
    pub bank_holidays: Vec<BankHoliday>,
    /// Closures overlapping the range (of one venue and all venues, when a venue is named).
    pub closures: Vec<Closure>,
}

/// Bank holidays and closures from `from` to `to`, inclusive.
pub async fn closed_between(
    services: &Services,
    from: NaiveDate,
    to: NaiveDate,
    venue_id: Option<i32>,
) -> Result<Closed, ServiceError> {
    services
        .read(move |c, _| {
            let changes = store::closures::holiday_changes(c)?;
            Ok(Closed {
                bank_holidays: calendar::bank_holidays_between(from, to, &changes),
                closures: store::closures::overlapping(c, from, to, venue_id)?,
            })
        })
        .await
}

/// Close one venue (or all of them) from `from` to `to`, inclusive.
#[derive(Debug, Clone)]
pub struct CloseVenue {
    /// None: every venue.
    pub venue_id: Option<i32>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub reason: String,
    /// Groups a supervisor may support in one term (configuration), for the proposed plan.
    pub supervisor_limit: usize,
}

/// The closure recorded, the sessions already planned on its dates, and what applying it would
/// do by default (each cohort's hit sessions moved to the end of its group, or refused).
pub struct ClosureAdded {
    pub closure: Closure,
    pub affected_sessions: Vec<Session>,
    pub proposed: Vec<CohortResolved>,
}

pub async fn add_closure(
    services: &Services,
    actor: Actor,
    cmd: CloseVenue,
) -> Result<ClosureAdded, ServiceError> {
    services
        .write(actor, move |tx| {
            let created_by = tx.actor.user_id().ok_or_else(|| {
                ServiceError::Forbidden("only a person can record a closure".into())
            })?;
            if let Some(v) = cmd.venue_id {
                store::venues::find(tx.conn, v)?
                    .ok_or_else(|| ServiceError::field("venue_id", "no such venue"))?;
            }
            let new = NewClosure {
                venue_id: cmd.venue_id,
                from_date: cmd.from,
                to_date: cmd.to,
                reason: cmd.reason.trim().to_string(),
                created_by,
            };
            let closure = store::closures::insert(tx.conn, &new, tx.now_naive())?;
            let affected_sessions =
                store::cohorts::sessions_on_dates(tx.conn, new.venue_id, cmd.from, cmd.to)?;
            // The plan is the apply itself, run and rolled back: it cannot say other than
            // what `apply` will do now.
            let default = ApplyClosure {
                closure_id: closure.id,
                resolution: Resolution::Move,
                per_cohort: Default::default(),
                reason: None,
                dry_run: true,
                supervisor_limit: cmd.supervisor_limit,
            };
            let proposed = tx
                .savepoint(|tx| apply::resolve(tx, &default), |_| false)?
                .cohorts;
            tx.listing_changed();
            Ok(ClosureAdded {
                closure,
                affected_sessions,
                proposed,
            })
        })
        .await
}

/// Removes a closure; sessions are not moved back.
pub async fn remove_closure(
    services: &Services,
    actor: Actor,
    id: i32,
) -> Result<(), ServiceError> {
    services
        .write(actor, move |tx| {
            if !store::closures::delete(tx.conn, id)? {
                return Err(ServiceError::not_found("closure"));
            }
            tx.listing_changed();
            Ok(())
        })
        .await
}

/// A one-off change to the bank holidays: an extra one, or the rule's one removed (moved).
#[derive(Debug, Clone)]
pub struct ChangeBankHoliday {
    pub date: NaiveDate,
    pub name: String,
    /// True: the rule's holiday on `date` is not one this year.
    pub remove: bool,
}

pub async fn change_bank_holiday(
    services: &Services,
    actor: Actor,
    cmd: ChangeBankHoliday,
) -> Result<(), ServiceError> {
    services
        .write(actor, move |tx| {
            let now = tx.now_naive();
            store::closures::add_holiday_change(
                tx.conn,
                cmd.date,
                cmd.name.trim(),
                cmd.remove,
                now,
            )
            .map_err(|e| match unique_violated(&e) {
                Some(Unique::BankHolidayChange) => {
                    ServiceError::Conflict("that change is already recorded for this date".into())
                }
                _ => e.into(),
            })?;
            tx.listing_changed();
            Ok(())
        })
        .await
}
