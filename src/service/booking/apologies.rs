//! Apologies in advance: a family with a place says they will miss a session (their parent, or
//! the cohort's facilitators or a coordinator taking a call). The register shows the apology
//! until someone marks (marking stays free: a family who comes after all is marked present),
//! no reminder of that session is sent (one still queued is cancelled), and one apologised
//! absence never opens a follow-up on its own (`domain::register::follow_up_trigger`).
//! Withdrawn only before the session starts. Every apology given or withdrawn is audited.

use crate::domain::apology;
use crate::domain::role::Role;
use crate::domain::status::BookingStatus;
use crate::service::registers::{team_access, TeamAccess};
use crate::service::schedule::zone;
use crate::service::{Actor, Audit, ServiceError, Services, Tx};
use crate::store::{self, apologies::Apology, bookings::Booking, cohorts::Session};
use chrono_tz::Tz;

/// Apologies for one session of a booking's group.
#[derive(Debug, Clone)]
pub struct GiveApology {
    pub booking_id: i32,
    pub session_id: i32,
    /// A short note for the facilitators, optional.
    pub reason: Option<String>,
}

/// An apology with the session it is for.
#[derive(Debug, Clone)]
pub struct ApologyView {
    pub apology: Apology,
    pub session: Session,
    /// The group's time zone, for the session's local time.
    pub zone: Tz,
    /// Taken down by staff (e.g. on the phone) rather than sent by the family's parent.
    pub taken_by_staff: bool,
}

/// What giving apologies did.
#[derive(Debug, Clone)]
pub enum Given {
    New(ApologyView),
    /// Apologies for that session were already given: nothing changed.
    Already(ApologyView),
}

/// Sends apologies for a session of the booking's group: the family's parent for their own
/// booking; the cohort's lead and co-facilitators, and coordinators, for a family who told them.
/// Only for a booking with a place, a session of its group still to take place, before it
/// starts. Apologies already given for that session are returned as they are. Any reminder of
/// the session still queued for the family is cancelled.
pub async fn give_apology(
    services: &Services,
    actor: Actor,
    cmd: GiveApology,
) -> Result<Given, ServiceError> {
    let reason =
        apology::reason(cmd.reason.as_deref()).map_err(|m| ServiceError::field("reason", m))?;
    services
        .write(actor, move |tx| {
            let b = apologising_for(tx, cmd.booking_id)?;
            if let Some(a) = store::apologies::find(tx.conn, b.id, cmd.session_id)? {
                return Ok(Given::Already(view(tx, &b, a)?));
            }
            match b.status {
                BookingStatus::Confirmed => {}
                BookingStatus::Waitlisted => {
                    return Err(ServiceError::Conflict(
                        "this booking is on the waiting list: apologies are for families with a \
                         place"
                            .into(),
                    ))
                }
                status => return Err(ServiceError::BookingEnded { status }),
            }
            // Serialises with a move of the session and with its register being marked.
            store::registers::lock_session(tx.conn, cmd.session_id)?;
            let session = store::cohorts::find_session(tx.conn, cmd.session_id)?
                .filter(|s| s.cohort_id == b.cohort_id)
                .ok_or_else(|| {
                    ServiceError::field("session_id", "is not a session of this booking's group")
                })?;
            apology::open(session.starts_at, session.is_cancelled(), tx.now_naive())
                .map_err(|r| ServiceError::field("session_id", r.says()))?;
            let new = store::apologies::NewApology {
                booking_id: b.id,
                session_id: session.id,
                reason: &reason,
                given_by: tx.actor.user_id(),
            };
            let a = match store::apologies::insert(tx.conn, &new, tx.now_naive())? {
                store::apologies::Given::Already(a) => return Ok(Given::Already(view(tx, &b, a)?)),
                store::apologies::Given::New(a) => a,
            };
            let by = if tx.actor.is_staff() {
                ", taken by staff"
            } else {
                ""
            };
            tx.audit(event(
                &b,
                "apology_given",
                format!("session {}{by}", session.id),
            ));
            store::messages::cancel_reminders(tx.conn, b.family_id, session.id)?;
            Ok(Given::New(view(tx, &b, a)?))
        })
        .await
}

/// Withdraws apologies for a session, before it starts (after, the register says what
/// happened). The same people as give them. The reminder, if still due, is queued again by the
/// next pass of the reminders.
pub async fn withdraw_apology(
    services: &Services,
    actor: Actor,
    booking_id: i32,
    session_id: i32,
) -> Result<(), ServiceError> {
    services
        .write(actor, move |tx| {
            let b = apologising_for(tx, booking_id)?;
            store::registers::lock_session(tx.conn, session_id)?;
            let a = store::apologies::find(tx.conn, b.id, session_id)?
                .ok_or_else(|| ServiceError::not_found("apology"))?;
            let session = store::cohorts::find_session(tx.conn, a.session_id)?
                .ok_or_else(|| ServiceError::not_found("apology"))?;
            if tx.now_naive() >= session.starts_at {
                return Err(ServiceError::Conflict(
                    "this session has already started, so its apologies can no longer be \
                     withdrawn; if you came, the facilitators mark you present"
                        .into(),
                ));
            }
            store::apologies::delete(tx.conn, a.id)?;
            tx.audit(event(
                &b,
                "apology_withdrawn",
                format!("session {session_id}"),
            ));
            Ok(())
        })
        .await
}

/// A booking's apologies, in session order (the same people as give them; a staff member's
/// read is audited).
pub async fn apologies(
    services: &Services,
    actor: Actor,
    booking_id: i32,
) -> Result<Vec<ApologyView>, ServiceError> {
    services
        .write(actor, move |tx| {
            let b = apologising_for(tx, booking_id)?;
            staff_read(tx, &b);
            let mut out = Vec::new();
            for a in store::apologies::of_booking(tx.conn, b.id)? {
                out.push(view(tx, &b, a)?);
            }
            out.sort_by_key(|v| (v.session.starts_at, v.session.id));
            Ok(out)
        })
        .await
}

/// One apology of a booking, by its session.
pub async fn apology(
    services: &Services,
    actor: Actor,
    booking_id: i32,
    session_id: i32,
) -> Result<ApologyView, ServiceError> {
    services
        .write(actor, move |tx| {
            let b = apologising_for(tx, booking_id)?;
            let a = store::apologies::find(tx.conn, b.id, session_id)?
                .ok_or_else(|| ServiceError::not_found("apology"))?;
            staff_read(tx, &b);
            view(tx, &b, a)
        })
        .await
}

/// The booking, if the actor may give apologies for it: a parent their own family's; the
/// cohort's lead and co-facilitators, coordinators and admins any of the group's. Everyone
/// else is told it is not there; crèche workers are pointed to the facilitators.
fn apologising_for(tx: &mut Tx, booking_id: i32) -> Result<Booking, ServiceError> {
    let missing = || ServiceError::not_found("booking");
    let b = store::bookings::find(tx.conn, booking_id)?.ok_or_else(missing)?;
    if let Actor::User {
        id: user,
        role: Role::Parent,
    } = tx.actor
    {
        let own = store::families::of_user(tx.conn, user)?.is_some_and(|f| f.id == b.family_id);
        return if own { Ok(b) } else { Err(missing()) };
    }
    match team_access(tx.conn, b.cohort_id, tx.actor) {
        Ok(TeamAccess::Coordinator | TeamAccess::Facilitator) => Ok(b),
        Ok(TeamAccess::CrecheWorker) => Err(ServiceError::Forbidden(
            "crèche workers sign children in and out; the facilitators take apologies".into(),
        )),
        Err(ServiceError::NotFound(_)) => Err(missing()),
        Err(e) => Err(e),
    }
}

fn staff_read(tx: &mut Tx, b: &Booking) {
    if tx.actor.is_staff() {
        tx.audit(Audit {
            action: "family_read",
            entity: "booking",
            entity_id: Some(b.id),
            family_id: Some(b.family_id),
            detail: "apologies".into(),
        });
    }
}

fn event(b: &Booking, action: &'static str, detail: String) -> Audit {
    Audit {
        action,
        entity: "booking",
        entity_id: Some(b.id),
        family_id: Some(b.family_id),
        detail,
    }
}

fn view(tx: &mut Tx, b: &Booking, a: Apology) -> Result<ApologyView, ServiceError> {
    let session = store::cohorts::find_session(tx.conn, a.session_id)?
        .ok_or_else(|| ServiceError::not_found("session"))?;
    let cohort = store::cohorts::find(tx.conn, b.cohort_id)?
        .ok_or_else(|| ServiceError::not_found("cohort"))?;
    let parent = store::families::find(tx.conn, b.family_id)?.and_then(|f| f.user_id);
    Ok(ApologyView {
        taken_by_staff: taken_by_staff(a.given_by, parent),
        apology: a,
        session,
        zone: zone(&cohort),
    })
}

/// Whether an apology was given by someone other than the family's own login.
pub(crate) fn taken_by_staff(given_by: Option<i32>, parent: Option<i32>) -> bool {
    given_by.is_some() && given_by != parent
}
