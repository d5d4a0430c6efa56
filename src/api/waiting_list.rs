//! The waiting list: ending a booking frees its place, and the earliest waitlisted families that
//! now fit are promoted, in the caller's transaction.

use super::bookings::creche_fits;
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::store::{self, cohorts::Cohort};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// Ends an active booking inside the caller's transaction: `cancelled` before the group starts,
/// `withdrawn` once it has started; a freed place goes to the waiting list. Returns the status.
/// Recorded in the audit trail as `booking_cancelled` (and any promotion as `booking_promoted`)
/// with `actor` (`None` for the system).
pub fn end_booking(
    c: &mut DbConnection,
    booking_id: i32,
    actor: Option<i32>,
    now: DateTime<Utc>,
) -> Result<&'static str, ApiError> {
    let seen =
        store::bookings::find(c, booking_id)?.ok_or_else(|| ApiError::not_found("booking"))?;
    // Lock first, then read the booking again: a promotion running meanwhile may have confirmed
    // it, and releasing its place depends on the current status.
    store::bookings::lock_cohort(c, seen.cohort_id)?;
    let b = store::bookings::find(c, seen.id)?.ok_or_else(|| ApiError::not_found("booking"))?;
    if !b.is_active() {
        return Err(ApiError::Conflict(format!(
            "this booking is already {}",
            b.status
        )));
    }
    let (cohort, _, venue) =
        store::cohorts::find_full(c, b.cohort_id)?.ok_or_else(|| ApiError::not_found("cohort"))?;
    let sessions = store::cohorts::sessions_of(c, cohort.id)?;
    if super::cohort_views::last_end(&sessions).is_some_and(|end| end <= now) {
        return Err(ApiError::Conflict("this group has finished".into()));
    }
    let started = sessions
        .iter()
        .filter(|s| !s.is_cancelled())
        .any(|s| s.starts_at.and_utc() <= now);
    let status = if started { "withdrawn" } else { "cancelled" };
    store::bookings::set_status(c, b.id, status, now.naive_utc())?;
    store::audit::record(
        c,
        store::audit::Event {
            at: now.naive_utc(),
            actor_user_id: actor,
            action: "booking_cancelled",
            entity: "booking",
            entity_id: Some(b.id),
            family_id: Some(b.family_id),
            detail: format!("{status} (was {}), cohort {}", b.status, cohort.id),
        },
    )?;
    if b.status == "confirmed" {
        store::bookings::release_place(c, cohort.id)?;
        promote(
            c,
            &cohort,
            &sessions,
            venue.creche_room_capacity,
            actor,
            now,
        )?;
    }
    Ok(status)
}

/// Confirms waitlisted families, earliest first, while places are left and each one's crèche
/// children fit; a family that does not fit is skipped, not a blocker. Stops once the second
/// session has started (late joiners are for staff to arrange). Each promotion is recorded in
/// the audit trail as `booking_promoted`, with `actor` (whoever freed the place, `None` for the
/// system).
pub fn promote(
    c: &mut DbConnection,
    cohort: &Cohort,
    sessions: &[store::cohorts::Session],
    room: i32,
    actor: Option<i32>,
    now: DateTime<Utc>,
) -> Result<Vec<i32>, ApiError> {
    let mut starts: Vec<DateTime<Utc>> = sessions
        .iter()
        .filter(|s| !s.is_cancelled() && s.kind == "group")
        .map(|s| s.starts_at.and_utc())
        .collect();
    starts.sort();
    if starts.get(1).is_some_and(|second| *second <= now) {
        return Ok(Vec::new());
    }
    let mut promoted = Vec::new();
    let waiting = store::bookings::of_cohort(c, cohort.id, "waitlisted")?;
    let ids: Vec<i32> = waiting.iter().map(|b| b.id).collect();
    let children = store::bookings::creche_children(c, &ids)?;
    for b in waiting {
        let births: Vec<Option<NaiveDate>> = children
            .iter()
            .filter(|(bid, _, _)| *bid == b.id)
            .map(|(_, _, dob)| *dob)
            .collect();
        if !creche_fits(c, cohort, room, &births)? {
            continue;
        }
        if !store::bookings::take_place(c, cohort.id)? {
            break;
        }
        let at: NaiveDateTime = now.naive_utc();
        store::bookings::set_status(c, b.id, "confirmed", at)?;
        store::audit::record(
            c,
            store::audit::Event {
                at,
                actor_user_id: actor,
                action: "booking_promoted",
                entity: "booking",
                entity_id: Some(b.id),
                family_id: Some(b.family_id),
                detail: format!("confirmed from the waiting list, cohort {}", cohort.id),
            },
        )?;
        store::bookings::notify(
            c,
            b.family_id,
            Some(b.id),
            "promoted",
            &format!(
                "Good news: a place has come up on {} and your booking is now confirmed.",
                cohort.title
            ),
            at,
        )?;
        promoted.push(b.id);
    }
    Ok(promoted)
}
