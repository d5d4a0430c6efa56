//! A cohort's life: a draft is published (it appears in the listing and can be booked) once its
//! team satisfies the programme, and a cohort not yet over can be cancelled with a reason
//! families and the team are told; the cancellation carries through to its sessions, bookings
//! and waiting list. Both are audited.

use super::{cohort_event, record, team, CohortRecord};
use crate::domain::status::{BookingStatus, CohortStatus, SessionKind};
use crate::service::schedule::standing;
use crate::service::{Actor, Audit, ServiceError, Services, Tx};
use crate::store;

/// Publish a draft.
#[derive(Debug, Clone)]
pub struct PublishCohort {
    pub cohort_id: i32,
    /// Groups a supervisor may support in one term (configuration).
    pub supervisor_limit: usize,
}

pub async fn publish_cohort(
    services: &Services,
    actor: Actor,
    cmd: PublishCohort,
) -> Result<CohortRecord, ServiceError> {
    services
        .write(actor, move |tx| {
            let id = cmd.cohort_id;
            let cohort = store::cohorts::find(tx.conn, id)?
                .ok_or_else(|| ServiceError::not_found("cohort"))?;
            if cohort.status != CohortStatus::Draft {
                return Err(ServiceError::Conflict(format!(
                    "only a draft can be published; this cohort is {}",
                    cohort.status
                )));
            }
            let sessions = store::cohorts::sessions_of(tx.conn, id)?;
            if !sessions
                .iter()
                .any(|s| s.kind == SessionKind::Group && !s.is_cancelled())
            {
                return Err(ServiceError::Conflict(
                    "the cohort has no scheduled sessions".into(),
                ));
            }
            team::check_ready(tx.conn, id, cmd.supervisor_limit)?;
            store::cohorts::publish(tx.conn, id, tx.now_naive())?;
            tx.audit(cohort_event(id, "cohort_published", String::new()));
            tx.listing_changed();
            record(tx.conn, id, tx.now)
        })
        .await
}

/// Cancel a cohort, with a reason families and the team are told.
#[derive(Debug, Clone)]
pub struct CancelCohort {
    pub cohort_id: i32,
    pub reason: String,
}

/// Cancels a cohort and everything hanging on it, in one transaction: its sessions still to come
/// are cancelled (a higher `SEQUENCE`, so calendars drop them), every confirmed and waitlisted
/// booking ends `cancelled_by_centre` (its place and crèche places freed, the waiting list with
/// it), and each family booked or waiting, and each member of the team, is told once, with the
/// reason. Audited as `cohort_cancelled` and one `booking_cancelled_by_centre` per booking.
/// A cohort already cancelled is answered as it stands, with nothing changed, sent or audited;
/// a completed one cannot be cancelled.
pub async fn cancel_cohort(
    services: &Services,
    actor: Actor,
    cmd: CancelCohort,
) -> Result<CohortRecord, ServiceError> {
    services
        .write(actor, move |tx| {
            let id = cmd.cohort_id;
            // Locked before it is read: a booking (or a family cancelling) waits for this
            // transaction and then sees the group cancelled.
            store::bookings::lock_cohort(tx.conn, id)?;
            let cohort = store::cohorts::find(tx.conn, id)?
                .ok_or_else(|| ServiceError::not_found("cohort"))?;
            if cohort.status == CohortStatus::Cancelled {
                return record(tx.conn, id, tx.now);
            }
            let sessions = store::cohorts::sessions_of(tx.conn, id)?;
            let status = standing(&cohort, &sessions, tx.now).status;
            if status == CohortStatus::Completed {
                return Err(ServiceError::Conflict(format!(
                    "this cohort is already {status}"
                )));
            }
            let reason = cmd.reason.trim().to_string();
            let now = tx.now_naive();
            store::cohorts::cancel(tx.conn, id, &reason, now)?;
            for s in sessions
                .iter()
                .filter(|s| !s.is_cancelled() && s.starts_at.and_utc() > tx.now)
            {
                store::cohorts::cancel_session(tx.conn, s.id, &reason, now)?;
            }
            store::cohorts::renumber(tx.conn, id)?;
            // Told while their bookings still say who was booked and who was waiting.
            crate::messages::queue(
                tx,
                crate::messages::Tell::GroupCancelled {
                    cohort_id: id,
                    reason: reason.clone(),
                },
            )?;
            end_bookings(tx, id)?;
            tx.audit(cohort_event(id, "cohort_cancelled", reason));
            tx.listing_changed();
            record(tx.conn, id, tx.now)
        })
        .await
}

/// Ends every confirmed and waitlisted booking of a cancelled cohort as `cancelled_by_centre`
/// and frees its places (the crèche places are those of confirmed bookings: freed with them).
/// Nothing is promoted: no one is left waiting.
fn end_bookings(tx: &mut Tx, cohort_id: i32) -> Result<(), ServiceError> {
    let now = tx.now_naive();
    for was in [BookingStatus::Confirmed, BookingStatus::Waitlisted] {
        for b in store::bookings::of_cohort(tx.conn, cohort_id, was)? {
            let status = BookingStatus::CancelledByCentre;
            store::bookings::set_status(tx.conn, b.id, status, now)?;
            tx.audit(Audit {
                action: "booking_cancelled_by_centre",
                entity: "booking",
                entity_id: Some(b.id),
                family_id: Some(b.family_id),
                detail: format!("{status} (was {was}), cohort {cohort_id} cancelled"),
            });
        }
    }
    store::bookings::release_all_places(tx.conn, cohort_id)?;
    Ok(())
}
