//! Follow-up, not removal: unexplained absences at consecutive sessions (or apologies in a row;
//! one alone never) open a follow-up for the cohort's lead and co-facilitators ([`after_marks`],
//! when a register is marked); they record contact attempts and close it with an outcome. Only
//! an explicit, confirmed `withdrew` ends the booking, in the same transaction; every family
//! shown to staff is an audited read.

use crate::db::DbConnection;
use crate::domain::register::{follow_up_trigger, returned_after, Held, Mark, Stood};
use crate::domain::role::Role;
use crate::domain::status::{
    BookingStatus, ContactMethod, FollowUpOutcome, FollowUpStatus, SessionKind,
};
use crate::service::booking::end_booking;
use crate::service::registers::{team_access, TeamAccess};
use crate::service::{Actor, Audit, ServiceError, Services, Tx};
use crate::store::follow_ups::{Contact, FollowUp, NewContact};
use crate::store::programmes::Programme;
use crate::store::{self, bookings::Booking, cohorts::Cohort, cohorts::Session};
use chrono::{DateTime, NaiveDateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};

/// A follow-up with what the team needs to make contact.
#[derive(Debug, Clone)]
pub struct FollowUpView {
    pub follow_up: FollowUp,
    pub cohort_title: String,
    /// The carers' names, blanks left out.
    pub carers_names: Vec<String>,
    pub phone: String,
    pub contacts: Vec<Contact>,
}

/// Which follow-ups to list, one page of them.
#[derive(Debug, Clone)]
pub struct ListFollowUps {
    /// `open` or `closed`; both when `None`.
    pub status: Option<FollowUpStatus>,
    pub cohort_id: Option<i32>,
    pub limit: i64,
    pub offset: i64,
}

/// A contact attempt to add to a follow-up.
#[derive(Debug, Clone)]
pub struct ContactAttempt {
    pub at: DateTime<Utc>,
    pub method: ContactMethod,
    pub reached: bool,
    pub note: String,
}

/// A change to an open follow-up (checked for form by the caller: known method and outcome,
/// `withdrew` confirmed, something to do).
#[derive(Debug, Clone)]
pub struct UpdateFollowUp {
    pub id: i32,
    pub contact: Option<ContactAttempt>,
    /// Replaces the note.
    pub note: Option<String>,
    /// Closes it.
    pub outcome: Option<FollowUpOutcome>,
}

/// Follow-ups, newest first, with the total: a facilitator's are those of the cohorts they lead
/// or co-facilitate; coordinators see every cohort's. Each one shown is an audited read.
pub async fn follow_ups(
    services: &Services,
    actor: Actor,
    q: ListFollowUps,
) -> Result<(Vec<FollowUpView>, i64), ServiceError> {
    services
        .write(actor, move |tx| {
            let lead_user = match tx.actor {
                Actor::User {
                    id,
                    role: Role::Facilitator,
                } => Some(id),
                _ => None,
            };
            let filter = store::follow_ups::Filter {
                status: q.status,
                cohort_id: q.cohort_id,
                lead_user,
            };
            let (rows, total) = store::follow_ups::list(tx.conn, &filter, q.limit, q.offset)?;
            let items = rows
                .into_iter()
                .map(|f| shown(tx, f))
                .collect::<Result<_, _>>()?;
            Ok((items, total))
        })
        .await
}

/// Records a contact attempt and/or a note, or closes the follow-up with an outcome (the
/// cohort's lead and co-facilitators; coordinators). `withdrew` gives up the family's place (the
/// waiting list may be promoted); a booking already ended, or a group already finished, is left
/// as it is.
pub async fn update_follow_up(
    services: &Services,
    actor: Actor,
    cmd: UpdateFollowUp,
) -> Result<FollowUpView, ServiceError> {
    services
        .write(actor, move |tx| {
            let f = store::follow_ups::find(tx.conn, cmd.id)?
                .ok_or_else(|| ServiceError::not_found("follow-up"))?;
            match team_access(tx.conn, f.cohort_id, tx.actor) {
                Ok(TeamAccess::Coordinator | TeamAccess::Facilitator) => {}
                _ => return Err(ServiceError::not_found("follow-up")),
            }
            if f.status != FollowUpStatus::Open {
                return Err(ServiceError::Conflict(
                    "this follow-up is already closed".into(),
                ));
            }
            let user = tx.actor.user_id().ok_or_else(|| {
                ServiceError::Forbidden("only a person can follow up a family".into())
            })?;
            let at = tx.now_naive();
            if let Some(k) = &cmd.contact {
                let new = NewContact {
                    at: k.at.naive_utc(),
                    method: k.method,
                    reached: k.reached,
                    note: k.note.trim(),
                };
                store::follow_ups::add_contact(tx.conn, f.id, &new, user, at)?;
                tx.audit(event(
                    &f,
                    "follow_up_contact",
                    format!("{} attempt", k.method),
                ));
            }
            let note = cmd.note.as_deref().map(str::trim).unwrap_or(&f.note);
            if cmd.note.is_some() {
                store::follow_ups::set_note(tx.conn, f.id, note)?;
            }
            if let Some(outcome) = cmd.outcome {
                if outcome == FollowUpOutcome::Withdrew {
                    withdraw(tx, &f)?;
                }
                store::follow_ups::close(tx.conn, f.id, outcome, note, Some(user), at)?;
                tx.audit(event(&f, "follow_up_closed", outcome.to_string()));
            }
            let f = store::follow_ups::find(tx.conn, cmd.id)?
                .ok_or_else(|| ServiceError::not_found("follow-up"))?;
            shown(tx, f)
        })
        .await
}

/// The family said they are leaving: give up the place. A booking already ended, or a group
/// already finished, is left as it is.
fn withdraw(tx: &mut Tx, f: &FollowUp) -> Result<(), ServiceError> {
    match end_booking(tx, f.booking_id) {
        Ok(_) | Err(ServiceError::BookingEnded { .. } | ServiceError::GroupFinished) => Ok(()),
        Err(e) => Err(e),
    }
}

fn event(f: &FollowUp, action: &'static str, detail: String) -> Audit {
    Audit {
        action,
        entity: "follow_up",
        entity_id: Some(f.id),
        family_id: Some(f.family_id),
        detail,
    }
}

/// A follow-up as the team sees it; the read of the family's record is audited.
fn shown(tx: &mut Tx, f: FollowUp) -> Result<FollowUpView, ServiceError> {
    let view = view(tx.conn, f)?;
    tx.audit(event(&view.follow_up, "family_read", "follow-up".into()));
    Ok(view)
}

fn view(c: &mut DbConnection, f: FollowUp) -> Result<FollowUpView, ServiceError> {
    let fam =
        store::families::find(c, f.family_id)?.ok_or_else(|| ServiceError::not_found("family"))?;
    let cohort =
        store::cohorts::find(c, f.cohort_id)?.ok_or_else(|| ServiceError::not_found("cohort"))?;
    let contacts = store::follow_ups::contacts_of(c, &[f.id])?;
    Ok(FollowUpView {
        follow_up: f,
        cohort_title: cohort.title,
        carers_names: [fam.carer_one, fam.carer_two]
            .into_iter()
            .filter(|n| !n.is_empty())
            .collect(),
        phone: fam.phone,
        contacts,
    })
}

/// After marks change (in the register's transaction): close the follow-ups of families who
/// came back, open one for a family whose unexplained absences, or apologies, in a row reached
/// the programme's threshold (one apology alone never: `domain::register::follow_up_trigger`).
/// Never touches the booking.
pub(crate) fn after_marks(
    tx: &mut Tx,
    cohort: &Cohort,
    programme: &Programme,
    marked: &[Booking],
) -> Result<(), ServiceError> {
    let (by, at) = (tx.actor.user_id(), tx.now_naive());
    after_marks_at(tx, cohort, programme, marked, by, at)
}

/// [`after_marks`] for marks made by `by` at `at` rather than by the transaction's actor now:
/// the demo's registers, marked in past weeks by the group's lead. The follow-ups carry `at`
/// (sessions held by then count); their audit events, the transaction's actor and time.
pub(crate) fn after_marks_at(
    tx: &mut Tx,
    cohort: &Cohort,
    programme: &Programme,
    marked: &[Booking],
    by: Option<i32>,
    at: NaiveDateTime,
) -> Result<(), ServiceError> {
    let mut held: Vec<Session> = store::cohorts::sessions_of(tx.conn, cohort.id)?
        .into_iter()
        .filter(|s| !s.is_cancelled() && s.kind == SessionKind::Group && s.starts_at <= at)
        .collect();
    held.sort_by_key(|s| s.starts_at);
    let confirmed: Vec<&Booking> = marked
        .iter()
        .filter(|b| b.status == BookingStatus::Confirmed)
        .collect();
    if confirmed.is_empty() {
        return Ok(());
    }
    // Read for all the families at once: a register of fifteen is three queries, not 45.
    let ids: Vec<i32> = confirmed.iter().map(|b| b.id).collect();
    let held_ids: Vec<i32> = held.iter().map(|s| s.id).collect();
    let marks: BTreeMap<(i32, i32), Mark> =
        store::registers::marks_of_sessions(tx.conn, &held_ids)?
            .into_iter()
            .map(|m| ((m.booking_id, m.session_id), m.status))
            .collect();
    let apologised: BTreeSet<(i32, i32)> = store::apologies::of_bookings(tx.conn, &ids)?
        .iter()
        .map(|a| (a.booking_id, a.session_id))
        .collect();
    let mut follow_ups_of: BTreeMap<i32, Vec<FollowUp>> = BTreeMap::new();
    for f in store::follow_ups::of_bookings(tx.conn, &ids)? {
        follow_ups_of.entry(f.booking_id).or_default().push(f);
    }
    for b in confirmed {
        let history: Vec<Held> = held
            .iter()
            .map(|s| Held {
                session_id: s.id,
                mark: marks.get(&(b.id, s.id)).copied(),
                apology: apologised.contains(&(b.id, s.id)),
            })
            .collect();
        let follow_ups = follow_ups_of.remove(&b.id).unwrap_or_default();
        let mut still_open = false;
        for f in follow_ups
            .iter()
            .filter(|f| f.status == FollowUpStatus::Open)
        {
            if returned_after(&history, f.trigger_session_id) {
                let note = "Came back to the group.";
                store::follow_ups::close(tx.conn, f.id, FollowUpOutcome::Reengaged, note, by, at)?;
                tx.audit(event(f, "follow_up_closed", "reengaged: came back".into()));
            } else {
                still_open = true;
            }
        }
        let triggers: Vec<i32> = follow_ups.iter().map(|f| f.trigger_session_id).collect();
        let threshold = programme.follow_up_after_absences.max(1) as usize;
        if let (false, Some(t)) = (
            still_open,
            follow_up_trigger(&history, threshold, &triggers),
        ) {
            let f = store::follow_ups::open(tx.conn, b, t, at)?;
            let apologies = history
                .iter()
                .any(|h| h.session_id == t && h.stood() == Stood::Apologised);
            let detail = if apologies {
                format!("apologies in a row, to session {t}")
            } else {
                format!("{threshold} unexplained absences in a row, to session {t}")
            };
            tx.audit(event(&f, "follow_up_opened", detail));
        }
    }
    Ok(())
}
