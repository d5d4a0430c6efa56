//! Walk-ins: a family who came to a session without a booking, added on the register by the
//! facilitators (the lead, co-facilitators; coordinators) — a family already recorded, or one
//! staff record on the spot under the enrolment rules (`families::enrolment::enrol`).
//!
//! With the group taking bookings and a place left (the booking use case's own rule,
//! `booking::seat`), the family gets a confirmed booking made on the spot (`walk_in`), is marked
//! present at this session and is sent the booking's confirmation: from then on they are booked
//! like any family. Otherwise — the group is full, the family is on its waiting list, or the
//! group no longer takes bookings — they are a one-off visitor of this session: present that
//! day, holding no place, counted apart (`visitor_attendances`). A family is added once per
//! session: a family who already has a place is marked on the register instead, and a visitor
//! added twice is a conflict (the register lists them). Either way the register's version moves
//! on, as for any change to it.
//!
//! The programme's age range is not asked of a walk-in (a family recorded on the spot has no
//! children recorded yet): the family is in the room, and the facilitators decide who joins.

use super::{follow_ups, locked_context, sheet, TeamAccess};
use crate::domain::register::{may_mark, Mark, MarkRefusal};
use crate::domain::role::Role;
use crate::domain::status::{BookingStatus, CohortStatus};
use crate::instruments::Counted;
use crate::service::booking::{insert_booking, seat};
use crate::service::families::enrolment::{enrol, EnrolFamily};
use crate::service::families::lookup::staff_may_read;
use crate::service::schedule::standing;
use crate::service::{Actor, Audit, ServiceError, Services, Tx};
use crate::store::{self, families::Family, registers::MarkTimes};
use serde::Serialize;
use utoipa::ToSchema;

/// Who walked in.
#[derive(Debug, Clone)]
pub enum WalkInFamily {
    /// A family already recorded (not erased) that the actor may read.
    Known(i32),
    /// A family staff record on the spot; its field errors are named under `new_family.`.
    New(Box<EnrolFamily>),
}

/// Add a family who came without a booking to a session's register.
#[derive(Debug, Clone)]
pub struct WalkIn {
    pub session_id: i32,
    pub family: WalkInFamily,
    /// Carers who came: 1 or 2.
    pub carers: i32,
    /// Days after a session that its facilitators may still mark it.
    pub window_days: i64,
}

/// What a walk-in became.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WalkInOutcome {
    /// A confirmed booking made on the spot, marked present at this session.
    Booked,
    /// A one-off visitor of this session, holding no place.
    Visitor,
}

/// Why a walk-in is a visitor rather than booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VisitorReason {
    /// No parent place left.
    GroupFull,
    /// The family is waiting for a place in this group.
    OnWaitingList,
    /// The group no longer takes bookings (it has finished).
    NotTakingBookings,
}

impl VisitorReason {
    fn words(self) -> &'static str {
        match self {
            VisitorReason::GroupFull => "the group is full",
            VisitorReason::OnWaitingList => "the family is on the waiting list",
            VisitorReason::NotTakingBookings => "the group is not taking bookings",
        }
    }
}

/// A walk-in as recorded.
#[derive(Debug, Clone)]
pub struct WalkedIn {
    pub outcome: WalkInOutcome,
    pub session_id: i32,
    pub family_id: i32,
    /// The family was recorded on the spot.
    pub new_family: bool,
    pub carers: i32,
    /// The booking made (`booked`).
    pub booking_id: Option<i32>,
    /// The visit recorded (`visitor`), and why they could not be booked.
    pub visitor_id: Option<i32>,
    pub visitor_reason: Option<VisitorReason>,
    /// The register's ETag after the change.
    pub etag: String,
}

/// Adds a walk-in to a session's register (the lead and co-facilitators; coordinators), from
/// the session's start until its marking window closes; a cancelled session has no register.
pub async fn add_walk_in(
    services: &Services,
    actor: Actor,
    cmd: WalkIn,
) -> Result<WalkedIn, ServiceError> {
    services
        .write(actor, move |tx| {
            let x = locked_context(tx.conn, cmd.session_id, tx.actor)?;
            let user = tx
                .actor
                .user_id()
                .ok_or_else(|| ServiceError::Forbidden("only a person can add a walk-in".into()))?;
            if !x.access.may_mark_attendance() {
                return Err(ServiceError::Forbidden(
                    "crèche workers sign children in and out; the facilitators add families who walk in"
                        .into(),
                ));
            }
            if x.session.is_cancelled() || x.cohort.status == CohortStatus::Cancelled {
                return Err(ServiceError::Conflict(
                    "this session was cancelled, so it has no register to add a family to".into(),
                ));
            }
            let (starts, ends, now) = (x.session.starts_at, x.session.ends_at, tx.now_naive());
            let coordinator = x.access == TeamAccess::Coordinator;
            match may_mark(Mark::Present, starts, ends, now, cmd.window_days, coordinator) {
                Ok(()) => {}
                Err(MarkRefusal::NotStartedYet) => {
                    return Err(ServiceError::Conflict(
                        "a family can be added as a walk-in once the session has started".into(),
                    ))
                }
                Err(MarkRefusal::WindowClosed { closed_at }) => {
                    return Err(ServiceError::Forbidden(format!(
                        "marking for this session closed on {}; a coordinator can still correct it",
                        closed_at.and_utc().to_rfc3339()
                    )))
                }
            }
            if !(1..=2).contains(&cmd.carers) {
                return Err(ServiceError::field("carers", "must be 1 or 2"));
            }
            // Places are taken with the cohort row held, as every booking takes them.
            store::bookings::lock_cohort(tx.conn, x.cohort.id)?;
            let (family, new_family) = match &cmd.family {
                WalkInFamily::Known(id) => (known_family(tx, *id)?, false),
                WalkInFamily::New(e) => (new_family(tx, e)?, true),
            };
            let mut out = WalkedIn {
                outcome: WalkInOutcome::Visitor,
                session_id: x.session.id,
                family_id: family.id,
                new_family,
                carers: cmd.carers,
                booking_id: None,
                visitor_id: None,
                visitor_reason: None,
                etag: String::new(),
            };
            let held = store::bookings::active_for(tx.conn, x.cohort.id, family.id)?;
            let reason = match held {
                Some(b) if b.status == BookingStatus::Confirmed => {
                    return Err(ServiceError::Conflict(format!(
                        "this family already has a place in this group (booking {}): mark them on the register instead",
                        b.id
                    )))
                }
                Some(_) => Some(VisitorReason::OnWaitingList),
                None => {
                    let sessions = store::cohorts::sessions_of(tx.conn, x.cohort.id)?;
                    // Staff may book after booking closes, so only a group still running counts.
                    if standing(&x.cohort, &sessions, tx.now).status != CohortStatus::Published {
                        Some(VisitorReason::NotTakingBookings)
                    } else if !seat(tx.conn, &x.cohort, x.venue.creche_room_capacity, &[], true)? {
                        Some(VisitorReason::GroupFull)
                    } else {
                        None
                    }
                }
            };
            match reason {
                None => {
                    let booking = book(tx, &x, &family, cmd.carers, user)?;
                    out.outcome = WalkInOutcome::Booked;
                    out.booking_id = Some(booking);
                }
                Some(reason) => {
                    if store::visitors::find(tx.conn, x.session.id, family.id)?.is_some() {
                        return Err(ServiceError::Conflict(
                            "this family is already on this session's register as a visitor".into(),
                        ));
                    }
                    let v = store::visitors::add(
                        tx.conn,
                        x.session.id,
                        family.id,
                        cmd.carers,
                        Some(user),
                        now,
                    )?;
                    tx.audit(Audit {
                        action: "walk_in_visitor",
                        entity: "session",
                        entity_id: Some(x.session.id),
                        family_id: Some(family.id),
                        detail: format!(
                            "session {}: one-off visitor, {}",
                            x.session.id,
                            reason.words()
                        ),
                    });
                    out.visitor_id = Some(v.id);
                    out.visitor_reason = Some(reason);
                }
            }
            let session = store::registers::bump_version(tx.conn, x.session.id)?;
            out.etag = sheet::etag(&session);
            Ok(out)
        })
        .await
}

/// A family already recorded, as the actor may read it; any other id is "no such family".
fn known_family(tx: &mut Tx, id: i32) -> Result<Family, ServiceError> {
    let f = store::families::find(tx.conn, id)?.filter(|f| f.erased_at.is_none());
    match f {
        Some(f) if staff_may_read(tx.conn, tx.actor, f.id)? => Ok(f),
        _ => Err(ServiceError::field("family_id", "no such family")),
    }
}

/// Records the family under the enrolment rules, its field errors named under `new_family.`.
/// A facilitator told it may already be recorded is named only the families they may read.
fn new_family(tx: &mut Tx, cmd: &EnrolFamily) -> Result<Family, ServiceError> {
    let actor = tx.actor;
    match enrol(tx, cmd) {
        Err(ServiceError::Invalid { errors, .. }) => {
            let errors = errors
                .into_iter()
                .map(|(k, v)| (format!("new_family.{k}"), v))
                .collect();
            Err(ServiceError::check_fields(errors).err().unwrap_or_else(|| {
                ServiceError::Internal("enrolment refused without a reason".into())
            }))
        }
        Err(ServiceError::FamilyAlreadyRecorded { fields, family_ids })
            if actor.role() == Some(Role::Facilitator) =>
        {
            let mut visible = Vec::new();
            for id in family_ids {
                if staff_may_read(tx.conn, actor, id)? {
                    visible.push(id);
                }
            }
            if visible.is_empty() {
                return Err(ServiceError::Conflict(format!(
                    "a family with this {} is already recorded: ask a coordinator to add them, or send new_family.confirmed_new: true if this is a different family",
                    fields.join(" and ")
                )));
            }
            Err(ServiceError::FamilyAlreadyRecorded {
                fields,
                family_ids: visible,
            })
        }
        other => other,
    }
}

/// A confirmed walk-in booking (no crèche place), marked present at the session, confirmed to
/// the family as any booking is; the place was taken by the caller.
fn book(
    tx: &mut Tx,
    x: &super::Context,
    family: &Family,
    carers: i32,
    user: i32,
) -> Result<i32, ServiceError> {
    let now = tx.now_naive();
    let booking = insert_booking(
        tx.conn,
        store::bookings::NewBooking {
            cohort_id: x.cohort.id,
            family_id: family.id,
            confirmed: true,
            carers,
            booked_by: user,
            creche_children: &[],
            access_needs: &family.access_needs,
            interpreter_needed: family.interpreter_needed,
            walk_in: true,
        },
        now,
    )?;
    // The register's own write, so counts, follow-ups and the figures see an ordinary mark.
    let session = x.session.id;
    store::registers::set_mark(
        tx.conn,
        session,
        booking.id,
        Mark::Present,
        &MarkTimes::default(),
        user,
        now,
    )?;
    tx.audit(Audit {
        action: "walk_in_booked",
        entity: "booking",
        entity_id: Some(booking.id),
        family_id: Some(family.id),
        detail: format!(
            "session {session}: walked in, booked on cohort {} and marked present",
            x.cohort.id
        ),
    });
    tx.count(Counted::BookingMade {
        confirmed: true,
        walk_in: true,
    });
    tx.listing_changed();
    crate::messages::queue(
        tx,
        crate::messages::Tell::Booked {
            booking_id: booking.id,
        },
    )?;
    follow_ups::after_marks(tx, &x.cohort, &x.programme, std::slice::from_ref(&booking))?;
    Ok(booking.id)
}
