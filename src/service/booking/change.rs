//! Changing a booking without losing the place: crèche children added or removed, the carers
//! coming, the group's access needs and interpreter need.
//!
//! A crèche child added to a confirmed booking takes a crèche place under the same ratio and
//! room checks and the same cohort lock as a new booking; when none is left the change is
//! refused with the reason and nothing changes (there is no crèche waiting list: the family
//! keeps its place, and the centre can add the child once a place frees). A waitlisted booking
//! just waits for its new set of children. Removing a child frees its place and runs the waiting
//! list. Carers do not count against places (a place is one family, one or two carers).

use super::waiting_list::promote;
use super::{creche_births, creche_problem, view, visible_booking, BookingView};
use crate::domain::status::{BookingStatus, CohortStatus};
use crate::error::FieldErrors;
use crate::service::schedule::standing;
use crate::service::{Actor, Audit, ServiceError, Services, Tx};
use crate::store::{self, bookings::Booking, cohorts::Cohort};

/// The longest access needs kept, as on the family's profile.
pub const ACCESS_NEEDS_MAX: usize = 2000;

/// What to change on a booking; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ChangeBooking {
    pub booking_id: i32,
    /// The whole new set of children with crèche places (add or remove).
    pub creche_child_ids: Option<Vec<i32>>,
    /// Carers attending: 1 or 2.
    pub carers: Option<i32>,
    /// What the family needs to take part in this group; "" for none.
    pub access_needs: Option<String>,
    pub interpreter_needed: Option<bool>,
}

/// Changes a booking (its family's parent, or a coordinator) while it holds or waits for a
/// place and the group has not finished; answers the booking as it now stands.
pub async fn change_booking(
    services: &Services,
    actor: Actor,
    cmd: ChangeBooking,
) -> Result<BookingView, ServiceError> {
    check_fields(&cmd)?;
    let guard = services.capacity_guard;
    let body = move |tx: &mut Tx| change(tx, &cmd, guard);
    if guard {
        services.write(actor, body).await
    } else {
        services.write_unguarded(actor, body).await
    }
}

fn check_fields(cmd: &ChangeBooking) -> Result<(), ServiceError> {
    let mut errors = FieldErrors::new();
    let mut fail = |field: &str, message: &str| {
        errors
            .entry(field.to_string())
            .or_default()
            .push(message.to_string())
    };
    if cmd.creche_child_ids.is_none()
        && cmd.carers.is_none()
        && cmd.access_needs.is_none()
        && cmd.interpreter_needed.is_none()
    {
        fail(
            "body",
            "send at least one of creche_child_ids, carers, access_needs, interpreter_needed",
        );
    }
    if cmd.carers.is_some_and(|n| !(1..=2).contains(&n)) {
        fail("carers", "must be 1 or 2");
    }
    if let Some(needs) = &cmd.access_needs {
        if needs.trim().chars().count() > ACCESS_NEEDS_MAX {
            fail("access_needs", "must be at most 2000 characters");
        }
        // Line breaks and tabs are how people write a list; other control characters are not.
        if needs
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            fail("access_needs", "must not contain control characters");
        }
    }
    ServiceError::check_fields(errors)
}

fn change(tx: &mut Tx, cmd: &ChangeBooking, guard: bool) -> Result<BookingView, ServiceError> {
    let seen = visible_booking(tx.conn, tx.actor, cmd.booking_id)?;
    if guard {
        store::bookings::lock_cohort(tx.conn, seen.cohort_id)?;
    }
    // Read again under the lock: a promotion meanwhile may have confirmed it.
    let b = store::bookings::find(tx.conn, seen.id)?
        .ok_or_else(|| ServiceError::not_found("booking"))?;
    if !b.is_active() {
        return Err(ServiceError::BookingEnded { status: b.status });
    }
    let (cohort, _, venue) = store::cohorts::find_full(tx.conn, b.cohort_id)?
        .ok_or_else(|| ServiceError::not_found("cohort"))?;
    let sessions = store::cohorts::sessions_of(tx.conn, cohort.id)?;
    let standing = standing(&cohort, &sessions, tx.now);
    match standing.status {
        CohortStatus::Cancelled => {
            return Err(ServiceError::Conflict(
                "this group has been cancelled".into(),
            ))
        }
        CohortStatus::Completed => return Err(ServiceError::GroupFinished),
        CohortStatus::Draft | CohortStatus::Published => {}
    }
    let mut changed = change_details(tx, &b, cmd)?;
    let creche = match &cmd.creche_child_ids {
        Some(ids) => {
            let at = (&cohort, venue.creche_room_capacity);
            change_creche(tx, &b, ids, at, guard, standing.booking_open)?
        }
        None => None,
    };
    if let Some(what) = &creche {
        changed.push(what.clone());
    }
    if changed.is_empty() {
        // Nothing to change; a staff member still read the booking, and that is recorded.
        if tx.actor.is_staff() {
            tx.audit(Audit {
                action: "family_read",
                entity: "booking",
                entity_id: Some(b.id),
                family_id: Some(b.family_id),
                detail: "booking (a change that changed nothing)".into(),
            });
        }
        return view(tx.conn, b);
    }
    tx.audit(Audit {
        action: "booking_changed",
        entity: "booking",
        entity_id: Some(b.id),
        family_id: Some(b.family_id),
        detail: format!("{}; {}, cohort {}", changed.join(", "), b.status, cohort.id),
    });
    if creche.is_some() {
        tx.listing_changed();
        // A freed crèche place, or what a waitlisted family now waits for, may let a family in.
        promote(tx, &cohort, &sessions, venue.creche_room_capacity)?;
    }
    let now =
        store::bookings::find(tx.conn, b.id)?.ok_or_else(|| ServiceError::not_found("booking"))?;
    view(tx.conn, now)
}

/// Writes carers, access needs and interpreter need when any differs; the names of those that
/// changed (never their values: the audit trail keeps no personal detail).
fn change_details(
    tx: &mut Tx,
    b: &Booking,
    cmd: &ChangeBooking,
) -> Result<Vec<String>, ServiceError> {
    let carers = cmd.carers.unwrap_or(b.carers);
    let access_needs = cmd
        .access_needs
        .as_deref()
        .map_or(b.access_needs.as_str(), str::trim);
    let interpreter_needed = cmd.interpreter_needed.unwrap_or(b.interpreter_needed);
    let changed: Vec<String> = [
        ("carers", carers != b.carers),
        ("access_needs", access_needs != b.access_needs),
        (
            "interpreter_needed",
            interpreter_needed != b.interpreter_needed,
        ),
    ]
    .into_iter()
    .filter(|(_, differs)| *differs)
    .map(|(name, _)| name.to_string())
    .collect();
    if !changed.is_empty() {
        let details = store::bookings::Details {
            carers,
            access_needs,
            interpreter_needed,
        };
        store::bookings::set_details(tx.conn, b.id, details, tx.now_naive())?;
    }
    Ok(changed)
}

/// Makes `ids` the booking's crèche children. Added children must be the family's, born, and
/// (on a confirmed booking) fit the crèche now; a parent cannot add them once booking has
/// closed. What changed, for the audit trail (child ids only), or `None` when nothing did.
fn change_creche(
    tx: &mut Tx,
    b: &Booking,
    ids: &[i32],
    (cohort, room): (&Cohort, i32),
    guard: bool,
    booking_open: bool,
) -> Result<Option<String>, ServiceError> {
    let mut wanted = ids.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let current: Vec<i32> = store::bookings::creche_children(tx.conn, &[b.id])?
        .into_iter()
        .map(|(_, child, _)| child)
        .collect();
    let added: Vec<i32> = wanted
        .iter()
        .copied()
        .filter(|c| !current.contains(c))
        .collect();
    let removed: Vec<i32> = current
        .iter()
        .copied()
        .filter(|c| !wanted.contains(c))
        .collect();
    if added.is_empty() && removed.is_empty() {
        return Ok(None);
    }
    if !added.is_empty() && !booking_open && !tx.actor.is_staff() {
        return Err(ServiceError::Conflict(
            "crèche places for this group can no longer be added online; the centre can help"
                .into(),
        ));
    }
    let children = store::families::children_of(tx.conn, b.family_id)?;
    let births = creche_births(cohort.creche_offered, &children, &added)?;
    // Removed first, so that swapping one child for another is checked without the first.
    store::bookings::remove_creche_children(tx.conn, b.id, &removed)?;
    if b.status == BookingStatus::Confirmed {
        let problem = creche_problem(tx.conn, cohort, room, &births)?;
        if !guard {
            // The race tests' control: the window between check and write the lock closes.
            std::thread::sleep(std::time::Duration::from_millis(150));
        }
        if let Some(problem) = problem {
            let names: Vec<&str> = children
                .iter()
                .filter(|ch| added.contains(&ch.id))
                .map(|ch| ch.first_name.as_str())
                .collect();
            return Err(ServiceError::Conflict(format!(
                "no crèche place is left for {}: {problem} Nothing was changed; the centre can \
                 tell you if a place comes up.",
                names.join(" and ")
            )));
        }
    }
    store::bookings::add_creche_children(tx.conn, b.id, &added)?;
    Ok(Some(format!(
        "creche_child_ids (added {added:?}, removed {removed:?})"
    )))
}
