//! The waiting list: ending a booking frees its place, and the earliest waitlisted families that
//! now fit are promoted, in the caller's transaction.

use super::creche_fits;
use crate::domain::status::{BookingStatus, CohortStatus, SessionKind};
use crate::service::schedule::last_end;
use crate::service::{Audit, ServiceError, Tx};
use crate::store::{self, cohorts::Cohort};
use chrono::{DateTime, NaiveDate, Utc};

/// Ends an active booking inside the caller's transaction: `cancelled` before the group starts,
/// `withdrawn` once it has started; a freed place goes to the waiting list. Returns the status.
/// Recorded in the audit trail as `booking_cancelled` (and any promotion as `booking_promoted`)
/// with the transaction's actor (whoever freed the place; none for the system).
pub fn end_booking(tx: &mut Tx, booking_id: i32) -> Result<BookingStatus, ServiceError> {
    let now = tx.now;
    let seen = store::bookings::find(tx.conn, booking_id)?
        .ok_or_else(|| ServiceError::not_found("booking"))?;
    // Lock first, then read the booking again: a promotion running meanwhile may have confirmed
    // it, and releasing its place depends on the current status.
    store::bookings::lock_cohort(tx.conn, seen.cohort_id)?;
    let b = store::bookings::find(tx.conn, seen.id)?
        .ok_or_else(|| ServiceError::not_found("booking"))?;
    if !b.is_active() {
        return Err(ServiceError::BookingEnded { status: b.status });
    }
    let (cohort, _, venue) = store::cohorts::find_full(tx.conn, b.cohort_id)?
        .ok_or_else(|| ServiceError::not_found("cohort"))?;
    let sessions = store::cohorts::sessions_of(tx.conn, cohort.id)?;
    if last_end(&sessions).is_some_and(|end| end <= now) {
        return Err(ServiceError::GroupFinished);
    }
    let started = sessions
        .iter()
        .filter(|s| !s.is_cancelled())
        .any(|s| s.starts_at.and_utc() <= now);
    let status = if started {
        BookingStatus::Withdrawn
    } else {
        BookingStatus::Cancelled
    };
    store::bookings::set_status(tx.conn, b.id, status, now.naive_utc())?;
    tx.audit(Audit {
        action: "booking_cancelled",
        entity: "booking",
        entity_id: Some(b.id),
        family_id: Some(b.family_id),
        detail: format!("{status} (was {}), cohort {}", b.status, cohort.id),
    });
    tx.listing_changed();
    // Staff (or the service itself) ending a booking is the centre's doing; a parent's is theirs.
    crate::messages::queue(
        tx,
        crate::messages::Tell::BookingCancelled {
            booking_id: b.id,
            by_centre: tx.actor.is_staff(),
        },
    )?;
    if b.status == BookingStatus::Confirmed {
        store::bookings::release_place(tx.conn, cohort.id)?;
        promote(tx, &cohort, &sessions, venue.creche_room_capacity)?;
    }
    Ok(status)
}

/// Confirms waitlisted families, earliest first, while places are left and each one's crèche
/// children fit; a family that does not fit is skipped, not a blocker. Stops once the second
/// session has started (late joiners are for staff to arrange), and never on a cancelled cohort
/// (its waiting list is closed). Each promotion is recorded in
/// the audit trail as `booking_promoted`, with the transaction's actor (whoever freed the
/// place; none for the system).
pub fn promote(
    tx: &mut Tx,
    cohort: &Cohort,
    sessions: &[store::cohorts::Session],
    room: i32,
) -> Result<Vec<i32>, ServiceError> {
    let now = tx.now;
    if cohort.status == CohortStatus::Cancelled {
        return Ok(Vec::new());
    }
    let mut starts: Vec<DateTime<Utc>> = sessions
        .iter()
        .filter(|s| !s.is_cancelled() && s.kind == SessionKind::Group)
        .map(|s| s.starts_at.and_utc())
        .collect();
    starts.sort();
    if starts.get(1).is_some_and(|second| *second <= now) {
        return Ok(Vec::new());
    }
    let mut promoted = Vec::new();
    let waiting = store::bookings::of_cohort(tx.conn, cohort.id, BookingStatus::Waitlisted)?;
    let ids: Vec<i32> = waiting.iter().map(|b| b.id).collect();
    let children = store::bookings::creche_children(tx.conn, &ids)?;
    for b in waiting {
        let births: Vec<Option<NaiveDate>> = children
            .iter()
            .filter(|(bid, _, _)| *bid == b.id)
            .map(|(_, _, dob)| *dob)
            .collect();
        if !creche_fits(tx.conn, cohort, room, &births)? {
            continue;
        }
        if !store::bookings::take_place(tx.conn, cohort.id)? {
            break;
        }
        let at = now.naive_utc();
        store::bookings::set_status(tx.conn, b.id, BookingStatus::Confirmed, at)?;
        tx.audit(Audit {
            action: "booking_promoted",
            entity: "booking",
            entity_id: Some(b.id),
            family_id: Some(b.family_id),
            detail: format!("confirmed from the waiting list, cohort {}", cohort.id),
        });
        tx.count(crate::instruments::Counted::Promoted);
        tx.listing_changed();
        store::bookings::notify(
            tx.conn,
            b.family_id,
            Some(b.id),
            "promoted",
            &format!(
                "Good news: a place has come up on {} and your booking is now confirmed.",
                cohort.title
            ),
            at,
        )?;
        crate::messages::queue(tx, crate::messages::Tell::Promoted { booking_id: b.id })?;
        promoted.push(b.id);
    }
    Ok(promoted)
}
