//! Moving a family to another group of the same programme (coordinators), as one transaction:
//! the old booking ends `transferred` (naming the new one), its place frees and the old group's
//! waiting list moves up; the new booking takes a place under the usual guards, or waits.
//!
//! What the family brings along: carers, access needs, interpreter need, crèche children
//! (unless others are named) and the outcome measures already recorded, which move to the new
//! booking so that pre and post scores pair up where the family finishes. The referral source is
//! the family's, so it is kept as it is. Attendance marks, crèche sign-ins and follow-ups stay
//! with the old booking: they are the history of that group.

use super::waiting_list::promote;
use super::{creche_births, eligible, insert_booking, seat, view, visible_booking, BookingView};
use crate::domain::role::Role;
use crate::domain::status::{BookingStatus, CohortStatus};
use crate::service::schedule::standing;
use crate::service::{Actor, Audit, ServiceError, Services, Tx};
use crate::store;

/// Move a booking to another cohort.
#[derive(Debug, Clone)]
pub struct TransferBooking {
    pub booking_id: i32,
    /// The group to move to: the same programme, published and not finished.
    pub cohort_id: i32,
    /// The children with crèche places in the new group; `None` keeps the booking's own.
    pub creche_child_ids: Option<Vec<i32>>,
}

/// Moves a family to another group; answers the new booking (`confirmed`, or `waitlisted`
/// when the group is full or its crèche cannot take the children).
pub async fn transfer_booking(
    services: &Services,
    actor: Actor,
    cmd: TransferBooking,
) -> Result<BookingView, ServiceError> {
    services.write(actor, move |tx| transfer(tx, &cmd)).await
}

fn transfer(tx: &mut Tx, cmd: &TransferBooking) -> Result<BookingView, ServiceError> {
    let only_staff =
        || ServiceError::Forbidden("only a coordinator can move a family to another group".into());
    let user = match tx.actor {
        Actor::User {
            id,
            role: Role::Coordinator | Role::Admin,
        } => id,
        // A parent learns nothing about other families' bookings: those are not there (404).
        Actor::User {
            role: Role::Parent, ..
        } => {
            visible_booking(tx.conn, tx.actor, cmd.booking_id)?;
            return Err(only_staff());
        }
        _ => return Err(only_staff()),
    };
    let seen = store::bookings::find(tx.conn, cmd.booking_id)?
        .ok_or_else(|| ServiceError::not_found("booking"))?;
    if seen.cohort_id == cmd.cohort_id {
        return Err(ServiceError::field(
            "cohort_id",
            "is the group this booking is already on",
        ));
    }
    // Both groups locked, the lower id first, so that two moves in opposite directions cannot
    // wait for each other.
    let (first, second) = if seen.cohort_id < cmd.cohort_id {
        (seen.cohort_id, cmd.cohort_id)
    } else {
        (cmd.cohort_id, seen.cohort_id)
    };
    store::bookings::lock_cohort(tx.conn, first)?;
    store::bookings::lock_cohort(tx.conn, second)?;
    let b = store::bookings::find(tx.conn, seen.id)?
        .ok_or_else(|| ServiceError::not_found("booking"))?;
    if !b.is_active() {
        return Err(ServiceError::BookingEnded { status: b.status });
    }

    let (from, from_programme, from_venue) = store::cohorts::find_full(tx.conn, b.cohort_id)?
        .ok_or_else(|| ServiceError::not_found("cohort"))?;
    let from_sessions = store::cohorts::sessions_of(tx.conn, from.id)?;
    match standing(&from, &from_sessions, tx.now).status {
        CohortStatus::Cancelled => {
            return Err(ServiceError::Conflict(
                "this booking's group has been cancelled".into(),
            ))
        }
        CohortStatus::Completed => return Err(ServiceError::GroupFinished),
        CohortStatus::Draft | CohortStatus::Published => {}
    }
    let (to, to_programme, to_venue) = store::cohorts::find_full(tx.conn, cmd.cohort_id)?
        .ok_or_else(|| ServiceError::field("cohort_id", "no such group"))?;
    if to.programme_id != from.programme_id {
        return Err(ServiceError::field(
            "cohort_id",
            format!(
                "must be a group of the same programme ({}), not {}",
                from_programme.name, to_programme.name
            ),
        ));
    }
    let to_sessions = store::cohorts::sessions_of(tx.conn, to.id)?;
    let status = standing(&to, &to_sessions, tx.now).status;
    if status != CohortStatus::Published {
        return Err(ServiceError::Conflict(format!(
            "the group to move to is {status}: a family can only move to a published group that \
             has not finished"
        )));
    }
    if let Some(existing) = store::bookings::active_for(tx.conn, to.id, b.family_id)? {
        return Err(ServiceError::AlreadyBooked {
            booking_id: Some(existing.id),
        });
    }

    let children = store::families::children_of(tx.conn, b.family_id)?;
    eligible(&to_programme, &to, &children)?;
    let wanted = match &cmd.creche_child_ids {
        Some(ids) => {
            let mut ids = ids.clone();
            ids.sort_unstable();
            ids.dedup();
            ids
        }
        None => {
            let own: Vec<i32> = store::bookings::creche_children(tx.conn, &[b.id])?
                .into_iter()
                .map(|(_, child, _)| child)
                .collect();
            if !own.is_empty() && !to.creche_offered {
                return Err(ServiceError::field(
                    "creche_child_ids",
                    "the group to move to has no crèche: send [] to move the family without \
                     crèche places",
                ));
            }
            own
        }
    };
    let births = creche_births(to.creche_offered, &children, &wanted)?;

    let at = tx.now_naive();
    let confirmed = seat(tx.conn, &to, to_venue.creche_room_capacity, &births, true)?;
    let new = insert_booking(
        tx.conn,
        store::bookings::NewBooking {
            cohort_id: to.id,
            family_id: b.family_id,
            confirmed,
            carers: b.carers,
            booked_by: user,
            creche_children: &wanted,
            access_needs: &b.access_needs,
            interpreter_needed: b.interpreter_needed,
            walk_in: false,
        },
        at,
    )?;
    store::bookings::mark_transferred(tx.conn, b.id, new.id, at)?;
    let outcomes = store::outcomes::move_to_booking(tx.conn, b.id, new.id)?;
    tx.audit(Audit {
        action: "booking_transferred",
        entity: "booking",
        entity_id: Some(b.id),
        family_id: Some(b.family_id),
        detail: format!(
            "to booking {} ({}), cohort {}; was {}, cohort {}",
            new.id, new.status, to.id, b.status, from.id
        ),
    });
    tx.audit(Audit {
        action: "booking_transferred",
        entity: "booking",
        entity_id: Some(new.id),
        family_id: Some(b.family_id),
        detail: format!(
            "from booking {}, cohort {}; {}, cohort {}; {outcomes} outcome measures moved",
            b.id, from.id, new.status, to.id
        ),
    });
    tx.listing_changed();
    if b.status == BookingStatus::Confirmed {
        store::bookings::release_place(tx.conn, from.id)?;
        promote(tx, &from, &from_sessions, from_venue.creche_room_capacity)?;
    }
    // The family hears of the new group (its sessions attached); the old one simply ends.
    crate::messages::queue(tx, crate::messages::Tell::Booked { booking_id: new.id })?;
    view(tx.conn, new)
}
