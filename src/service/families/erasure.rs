//! Erasing a family: at its parent's own request, an admin's, or by the retention job. Erasure
//! anonymises rather than deletes: the pseudonymous rows (bookings, marks, outcomes, one-off
//! visits to sessions, ward and referral source) stay so that attendance and monitoring figures do not change, and everything
//! that names or describes the family or its children is blanked or deleted. [`erase`] is the
//! one place that does it, inside the caller's transaction.

use super::own_family;
use crate::domain::role::Role;
use crate::domain::status::{BookingStatus, CohortStatus};
use crate::service::booking::end_booking;
use crate::service::schedule::standing;
use crate::service::{Actor, Audit, ServiceError, Services, Tx};
use crate::store;

/// Why a family is erased. A code, never free text, because it is kept in the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErasureReason {
    /// The family asked.
    SubjectRequest,
    /// The record duplicates another.
    DuplicateRecord,
    Other,
    /// The family's retention period ran out.
    Retention,
}

impl ErasureReason {
    pub fn code(self) -> &'static str {
        match self {
            ErasureReason::SubjectRequest => "subject_request",
            ErasureReason::DuplicateRecord => "duplicate_record",
            ErasureReason::Other => "other",
            ErasureReason::Retention => "retention",
        }
    }
}

/// Erase a family (an admin's decision).
#[derive(Debug, Clone, Copy)]
pub struct EraseFamily {
    pub family_id: i32,
    pub reason: ErasureReason,
}

/// What an erasure did.
#[derive(Debug, Clone, Default)]
pub struct ErasureSummary {
    pub family_id: i32,
    /// The family had been erased before: nothing was changed this time.
    pub already_erased: bool,
    /// Bookings in groups running or yet to run that were ended: (booking id, `cancelled` or
    /// `withdrawn`). Their places went to the waiting list.
    pub bookings_ended: Vec<(i32, BookingStatus)>,
    pub children_blanked: usize,
    pub notifications_deleted: usize,
    /// Messages whose address and words were removed (the rows stay, for the counts).
    pub messages_erased: usize,
    /// The parent's login, anonymised and disabled.
    pub user_anonymised: Option<i32>,
}

/// Erases a family (admin): an erased family is a conflict.
pub async fn erase_family(
    services: &Services,
    actor: Actor,
    cmd: EraseFamily,
) -> Result<ErasureSummary, ServiceError> {
    if !matches!(actor.role(), None | Some(Role::Admin)) {
        return Err(ServiceError::Forbidden(
            "only an admin can erase a family".into(),
        ));
    }
    services
        .write(actor, move |tx| {
            let done = erase(tx, cmd.family_id, cmd.reason)?;
            if done.already_erased {
                return Err(ServiceError::Conflict(
                    "this family was already erased".into(),
                ));
            }
            Ok(done)
        })
        .await
}

/// Erases the acting parent's own family (the password was confirmed by the caller); their
/// login stops working for good.
pub async fn erase_own_family(
    services: &Services,
    actor: Actor,
) -> Result<ErasureSummary, ServiceError> {
    services
        .write(actor, move |tx| {
            let f = own_family(tx.conn, tx.actor)?;
            erase(tx, f.id, ErasureReason::SubjectRequest)
        })
        .await
}

/// Erases a family inside the caller's transaction:
/// - ends its bookings in groups that are running or yet to run ([`end_booking`]: the place is
///   freed and the waiting list promoted) and closes their open follow-ups as `withdrew`;
///   bookings of finished or cancelled groups stay as they are, for the figures;
/// - blanks carers' names, contacts, postcode, language, access needs, consent and the calendar
///   link (ward and referral source stay), children's names and dates, follow-up and contact
///   notes, who collected a child from the crèche and what the crèche recorded of incidents
///   (what happened, first aid, witnesses; the rows stay for the count); deletes the family's
///   notifications;
///   blanks the address and words of the family's messages and cancels any not yet sent;
/// - anonymises and disables the parent's login, deleting its sessions and stored retries;
/// - records `family_erased` in the audit trail with the reason's code, as the transaction's
///   actor (none for the system).
///
/// A one-off visit (`session_visitors`) holds only ids and a count of carers: it stays, for the
/// figures, and names no one once the family row is blanked.
///
/// Erasing an erased family changes nothing and says so (`already_erased`).
pub fn erase(
    tx: &mut Tx,
    family_id: i32,
    reason: ErasureReason,
) -> Result<ErasureSummary, ServiceError> {
    store::erasure::lock_family(tx.conn, family_id)?;
    let family = store::families::find(tx.conn, family_id)?
        .ok_or_else(|| ServiceError::not_found("family"))?;
    let mut summary = ErasureSummary {
        family_id,
        ..Default::default()
    };
    if family.erased_at.is_some() {
        summary.already_erased = true;
        return Ok(summary);
    }
    let (at, by) = (tx.now_naive(), tx.actor.user_id());
    // Places first, while the children still have their real dates: no crèche-ratio check run
    // by a promotion ever sees a child without one.
    for b in store::bookings::of_family(tx.conn, family_id)? {
        if !b.is_active() {
            continue;
        }
        // Finished groups keep their bookings for the figures; a cancelled group's places are
        // not given up either, or the waiting list would be "promoted" into a group not running.
        let cohort = store::cohorts::find(tx.conn, b.cohort_id)?
            .ok_or_else(|| ServiceError::not_found("cohort"))?;
        let sessions = store::cohorts::sessions_of(tx.conn, cohort.id)?;
        if standing(&cohort, &sessions, tx.now).status != CohortStatus::Published {
            continue;
        }
        let status = end_booking(tx, b.id)?;
        store::erasure::close_open_follow_ups(tx.conn, b.id, by, at)?;
        summary.bookings_ended.push((b.id, status));
    }
    store::erasure::blank_free_text(tx.conn, family_id)?;
    // Incidents lose their words; the rows stay, so the report's count does not change.
    store::creche_incidents::blank_for_family(tx.conn, family_id, at)?;
    store::erasure::delete_care_contacts(tx.conn, family_id)?;
    summary.children_blanked = store::erasure::blank_children(tx.conn, family_id, at)?;
    summary.notifications_deleted = store::erasure::delete_notifications(tx.conn, family_id)?;
    // Messages keep their rows (the counts) but lose address and words; any not yet sent
    // (the cancellations just queued included) never goes.
    summary.messages_erased = store::messages::erase_for_family(tx.conn, family_id, at)?;
    if let Some(user) = family.user_id {
        store::erasure::anonymise_user(tx.conn, user)?;
        summary.user_anonymised = Some(user);
    }
    store::erasure::blank_family(tx.conn, family_id, at)?;
    tx.audit(Audit {
        action: "family_erased",
        entity: "family",
        entity_id: Some(family_id),
        family_id: Some(family_id),
        detail: reason.code().into(),
    });
    // Places and crèche children may have gone from the public listing's counts.
    tx.listing_changed();
    Ok(summary)
}
