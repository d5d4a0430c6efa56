//! Booking a place, reading, changing ([`change`]), moving ([`transfer`]) and cancelling one,
//! the waiting list, and apologies in advance ([`apologies`]).
//!
//! A place is `confirmed` when a parent place and the crèche places are left, otherwise the
//! family joins the waiting list; a freed place promotes the earliest waitlisted family that now
//! fits, in the same transaction ([`waiting_list`]). Capacity is taken with the cohort row
//! locked and a conditional update (`store::bookings`), so no interleaving can overbook.

pub mod apologies;
pub mod change;
pub mod transfer;
pub mod waiting_list;

use super::schedule::{session_dates, standing};
use super::{Actor, Audit, ServiceError, Services, Tx};
use crate::db::DbConnection;
use crate::domain::role::Role;
use crate::domain::status::{BookingStatus, CohortStatus};
use crate::domain::{creche, eligibility};
use crate::instruments::Counted;
use crate::store::families::{Child, Family};
use crate::store::programmes::Programme;
use crate::store::{self, bookings::Booking, cohorts::Cohort};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub use change::{change_booking, ChangeBooking};
pub use transfer::{transfer_booking, TransferBooking};
pub use waiting_list::end_booking;

/// Book a place on a cohort.
#[derive(Debug, Clone)]
pub struct BookPlace {
    pub cohort_id: i32,
    /// Staff only: the family booked for. Parents book for their own.
    pub family_id: Option<i32>,
    /// Carers attending: 1 or 2.
    pub carers: i32,
    /// The family's children who need a crèche place.
    pub creche_child_ids: Vec<i32>,
    /// Makes a retry return the first answer instead of booking again.
    pub idempotency_key: Option<String>,
}

/// A booking as families and staff see it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BookingView {
    pub id: i32,
    pub cohort_id: i32,
    pub family_id: i32,
    pub status: BookingStatus,
    /// Place on the waiting list (1 = next), when waitlisted.
    pub waitlist_position: Option<i64>,
    pub carers: i32,
    pub creche_child_ids: Vec<i32>,
    pub created_at: DateTime<Utc>,
    // Defaults: an answer stored for an `Idempotency-Key` before these fields existed still reads.
    /// What the family needs to take part in this group (step-free access, …).
    #[serde(default)]
    pub access_needs: String,
    #[serde(default)]
    pub interpreter_needed: bool,
    /// When `transferred`: the family's booking in the group they moved to.
    #[serde(default)]
    pub transferred_to: Option<i32>,
}

pub fn view(c: &mut DbConnection, b: Booking) -> Result<BookingView, ServiceError> {
    let children = store::bookings::creche_children(c, &[b.id])?
        .into_iter()
        .map(|(_, child, _)| child)
        .collect();
    view_with(c, b, children)
}

/// [`view`] of a booking whose crèche children are known (in the order they were added).
fn view_with(
    c: &mut DbConnection,
    b: Booking,
    children: Vec<i32>,
) -> Result<BookingView, ServiceError> {
    let position = store::bookings::waitlist_position(c, &b)?;
    Ok(BookingView {
        id: b.id,
        cohort_id: b.cohort_id,
        family_id: b.family_id,
        status: b.status,
        waitlist_position: position,
        carers: b.carers,
        creche_child_ids: children,
        created_at: b.created_at.and_utc(),
        access_needs: b.access_needs,
        interpreter_needed: b.interpreter_needed,
        transferred_to: b.transferred_to,
    })
}

/// Books a place: `confirmed`, or `waitlisted` with the family's position. A retry with the
/// same `Idempotency-Key` gets the first answer.
pub async fn book_place(
    services: &Services,
    actor: Actor,
    cmd: BookPlace,
) -> Result<BookingView, ServiceError> {
    let guard = services.capacity_guard;
    let body = move |tx: &mut Tx| place(tx, &cmd, guard);
    if guard {
        services.write(actor, body).await
    } else {
        services.write_unguarded(actor, body).await
    }
}

fn place(tx: &mut Tx, cmd: &BookPlace, guard: bool) -> Result<BookingView, ServiceError> {
    let Actor::User { id: user, role } = tx.actor else {
        return Err(ServiceError::Forbidden(
            "only a person can book a place".into(),
        ));
    };
    let cohort_id = cmd.cohort_id;
    let mut wanted = cmd.creche_child_ids.clone();
    wanted.sort_unstable();
    wanted.dedup();
    let family = booking_family(tx.conn, role, user, cmd.family_id)?;
    let family_id = family.id;
    if guard {
        store::bookings::lock_cohort(tx.conn, cohort_id)?;
    }
    // A retry with the same key gets the first answer (checked under the cohort lock, so two
    // concurrent retries cannot both book).
    let request_hash = crate::auth::tokens::hash_opaque(
        &serde_json::json!({"cohort": cohort_id, "creche": wanted, "carers": cmd.carers, "family": cmd.family_id})
            .to_string(),
    );
    if let Some(key) = &cmd.idempotency_key {
        if let Some(first) = store::idempotency::find(tx.conn, user, key)? {
            if first.request_hash != request_hash {
                return Err(ServiceError::IdempotencyKeyReused);
            }
            return serde_json::from_str(&first.response)
                .map_err(|e| ServiceError::Internal(format!("stored booking answer: {e}")));
        }
    }
    let (cohort, programme, venue) = store::cohorts::find_full(tx.conn, cohort_id)?
        .ok_or_else(|| ServiceError::not_found("cohort"))?;
    let sessions = store::cohorts::sessions_of(tx.conn, cohort_id)?;
    let standing = standing(&cohort, &sessions, tx.now);
    if standing.status != CohortStatus::Published {
        return Err(ServiceError::NotOpenForBooking);
    }
    if !standing.booking_open && !tx.actor.is_staff() {
        return Err(ServiceError::BookingClosed);
    }
    if let Some(existing) = store::bookings::active_for(tx.conn, cohort_id, family_id)? {
        return Err(ServiceError::AlreadyBooked {
            booking_id: Some(existing.id),
        });
    }
    let children = store::families::children_of(tx.conn, family_id)?;
    eligible(&programme, &cohort, &children)?;
    let births = creche_births(cohort.creche_offered, &children, &wanted)?;
    let confirmed = seat(tx.conn, &cohort, venue.creche_room_capacity, &births, guard)?;
    let booking = insert_booking(
        tx.conn,
        store::bookings::NewBooking {
            cohort_id,
            family_id,
            confirmed,
            carers: cmd.carers,
            booked_by: user,
            creche_children: &wanted,
            access_needs: &family.access_needs,
            interpreter_needed: family.interpreter_needed,
            walk_in: false,
        },
        tx.now.naive_utc(),
    )?;
    tx.audit(Audit {
        action: "booking_made",
        entity: "booking",
        entity_id: Some(booking.id),
        family_id: Some(family_id),
        detail: format!("{}, cohort {cohort_id}", booking.status),
    });
    tx.count(Counted::BookingMade {
        confirmed,
        walk_in: false,
    });
    tx.listing_changed();
    crate::messages::queue(
        tx,
        crate::messages::Tell::Booked {
            booking_id: booking.id,
        },
    )?;
    // The crèche children were added in `wanted`'s order.
    let out = view_with(tx.conn, booking, wanted)?;
    if let Some(key) = &cmd.idempotency_key {
        let answer = store::idempotency::Stored {
            request_hash,
            response: serde_json::to_string(&out)
                .map_err(|e| ServiceError::Internal(e.to_string()))?,
            location: format!("/api/v1/bookings/{}", out.id),
        };
        store::idempotency::save(tx.conn, user, key, &answer, tx.now.naive_utc())?;
    }
    Ok(out)
}

/// The family a booking is for: a parent's own, or (coordinators) the one named.
fn booking_family(
    c: &mut DbConnection,
    role: Role,
    user: i32,
    named: Option<i32>,
) -> Result<Family, ServiceError> {
    match (role, named) {
        (Role::Parent, None) => {
            store::families::of_user(c, user)?.ok_or_else(|| ServiceError::not_found("family"))
        }
        (Role::Parent, Some(_)) => Err(ServiceError::field(
            "family_id",
            "parents book for their own family",
        )),
        (Role::Admin | Role::Coordinator, Some(id)) => Ok(store::families::find(c, id)?
            // An erased family's record is only kept for the figures: it cannot book again.
            .filter(|f| f.erased_at.is_none())
            .ok_or_else(|| ServiceError::field("family_id", "no such family"))?),
        (Role::Admin | Role::Coordinator, None) => Err(ServiceError::field(
            "family_id",
            "say which family you are booking for",
        )),
        (Role::Facilitator, _) => Err(ServiceError::Forbidden(
            "facilitators cannot book places".into(),
        )),
    }
}

/// Whether the family can join a group of `programme` starting on the cohort's first date.
fn eligible(
    programme: &Programme,
    cohort: &Cohort,
    children: &[Child],
) -> Result<(), ServiceError> {
    let range = eligibility::AgeRange {
        programme_name: programme.name.clone(),
        min_age_months: programme.min_age_months,
        max_age_months: programme.max_age_months,
        pregnancy_eligible: programme.pregnancy_eligible,
    };
    let dates: Vec<eligibility::ChildDates> = children
        .iter()
        .map(|ch| eligibility::ChildDates {
            date_of_birth: ch.date_of_birth,
            due_date: ch.due_date,
        })
        .collect();
    eligibility::check(&range, cohort.first_session_date, &dates)
        .map_err(|reason| ServiceError::NotEligible { reason })
}

/// The dates of birth of the children named for crèche places, in the order named, once each
/// is known to be one of the family's `children`, born, and the group has a crèche.
fn creche_births(
    creche_offered: bool,
    children: &[Child],
    wanted: &[i32],
) -> Result<Vec<Option<NaiveDate>>, ServiceError> {
    if !wanted.is_empty() && !creche_offered {
        return Err(ServiceError::field(
            "creche_child_ids",
            "this group has no crèche",
        ));
    }
    let mut births = Vec::new();
    for id in wanted {
        let child = children.iter().find(|ch| ch.id == *id).ok_or_else(|| {
            ServiceError::field(
                "creche_child_ids",
                format!("child {id} is not in your family"),
            )
        })?;
        if child.date_of_birth.is_none() {
            return Err(ServiceError::field(
                "creche_child_ids",
                format!(
                    "{} is not born yet, so cannot have a crèche place",
                    child.first_name
                ),
            ));
        }
        births.push(child.date_of_birth);
    }
    Ok(births)
}

/// Takes a parent place for a new booking if one is left and its crèche children fit: true
/// when confirmed, false when the family must wait. Crèche first: a parent place is only taken
/// when the crèche places fit too. Without the guard, the race tests' naive control.
pub(crate) fn seat(
    c: &mut DbConnection,
    cohort: &Cohort,
    room: i32,
    births: &[Option<NaiveDate>],
    guard: bool,
) -> Result<bool, ServiceError> {
    if guard {
        Ok(creche_fits(c, cohort, room, births)? && store::bookings::take_place(c, cohort.id)?)
    } else {
        unguarded_place_left(c, cohort, room, births)
    }
}

/// Inserts a booking already decided; a second active booking of the family on the group (two
/// requests at once) is [`ServiceError::AlreadyBooked`].
pub(crate) fn insert_booking(
    c: &mut DbConnection,
    new: store::bookings::NewBooking,
    now: chrono::NaiveDateTime,
) -> Result<Booking, ServiceError> {
    store::bookings::insert(c, new, now).map_err(|e| match crate::db::unique_violated(&e) {
        Some(crate::db::Unique::ActiveBooking) => ServiceError::AlreadyBooked { booking_id: None },
        _ => e.into(),
    })
}

/// Whether these crèche children fit alongside the confirmed ones on every session date.
pub(crate) fn creche_fits(
    c: &mut DbConnection,
    cohort: &Cohort,
    room: i32,
    extra: &[Option<NaiveDate>],
) -> Result<bool, ServiceError> {
    Ok(creche_problem(c, cohort, room, extra)?.is_none())
}

/// Why these crèche children would not fit alongside the confirmed ones (the first date and
/// rule broken), or `None` when they fit on every session date.
pub(crate) fn creche_problem(
    c: &mut DbConnection,
    cohort: &Cohort,
    room: i32,
    extra: &[Option<NaiveDate>],
) -> Result<Option<creche::CrecheProblem>, ServiceError> {
    if extra.is_empty() {
        return Ok(None);
    }
    let mut births = store::bookings::confirmed_creche_births(c, cohort.id)?;
    births.extend_from_slice(extra);
    let sessions = store::cohorts::sessions_of(c, cohort.id)?;
    Ok(creche::fits(
        &creche::eyfs_ratios(),
        &session_dates(cohort, &sessions),
        &births,
        room.max(0) as u32,
        cohort.creche_workers.max(0) as u32,
    )
    .err())
}

/// The naive check-then-act that the capacity guard exists to prevent: count the confirmed rows
/// outside any transaction and lock, and leave a window before the insert. Only the race tests'
/// control runs it (`capacity_guard == false`), to show they can see an overbooking.
fn unguarded_place_left(
    c: &mut DbConnection,
    cohort: &Cohort,
    room: i32,
    births: &[Option<NaiveDate>],
) -> Result<bool, ServiceError> {
    let confirmed =
        store::bookings::of_cohort(c, cohort.id, BookingStatus::Confirmed)?.len() as i32;
    let fits = creche_fits(c, cohort, room, births)?;
    std::thread::sleep(std::time::Duration::from_millis(150));
    Ok(fits && confirmed < cohort.places)
}

/// A booking the actor may see: their own family's, or any for coordinators and admins.
fn visible_booking(c: &mut DbConnection, actor: Actor, id: i32) -> Result<Booking, ServiceError> {
    let b = store::bookings::find(c, id)?.ok_or_else(|| ServiceError::not_found("booking"))?;
    match actor {
        Actor::System
        | Actor::User {
            role: Role::Admin | Role::Coordinator,
            ..
        } => Ok(b),
        Actor::User {
            role: Role::Parent,
            id: user,
        } if store::families::of_user(c, user)?.is_some_and(|f| f.id == b.family_id) => Ok(b),
        _ => Err(ServiceError::not_found("booking")),
    }
}

/// One booking, for its family's parent or a coordinator. A staff member's read is audited,
/// as every staff read of a family is.
pub async fn booking(
    services: &Services,
    actor: Actor,
    id: i32,
) -> Result<BookingView, ServiceError> {
    services
        .write(actor, move |tx| {
            let b = visible_booking(tx.conn, tx.actor, id)?;
            if tx.actor.is_staff() {
                tx.audit(Audit {
                    action: "family_read",
                    entity: "booking",
                    entity_id: Some(b.id),
                    family_id: Some(b.family_id),
                    detail: "booking".into(),
                });
            }
            view(tx.conn, b)
        })
        .await
}

/// Cancels a booking (its family's parent, or a coordinator): `cancelled` before the group
/// starts, `withdrawn` once it has; a freed place goes to the waiting list.
pub async fn cancel_booking(
    services: &Services,
    actor: Actor,
    id: i32,
) -> Result<BookingStatus, ServiceError> {
    services
        .write(actor, move |tx| {
            let seen = visible_booking(tx.conn, tx.actor, id)?;
            end_booking(tx, seen.id)
        })
        .await
}
