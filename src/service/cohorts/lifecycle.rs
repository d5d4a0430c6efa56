//! A cohort's life: a draft is published (it appears in the listing and can be booked) once its
//! team satisfies the programme, and a cohort not yet over can be cancelled with a reason
//! families can be told. Both are audited.

use super::{cohort_event, record, team, CohortRecord};
use crate::domain::status::{CohortStatus, SessionKind};
use crate::service::schedule::standing;
use crate::service::{Actor, ServiceError, Services};
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

/// Cancel a cohort, with a reason families can be told.
#[derive(Debug, Clone)]
pub struct CancelCohort {
    pub cohort_id: i32,
    pub reason: String,
}

pub async fn cancel_cohort(
    services: &Services,
    actor: Actor,
    cmd: CancelCohort,
) -> Result<CohortRecord, ServiceError> {
    services
        .write(actor, move |tx| {
            let id = cmd.cohort_id;
            let cohort = store::cohorts::find(tx.conn, id)?
                .ok_or_else(|| ServiceError::not_found("cohort"))?;
            let sessions = store::cohorts::sessions_of(tx.conn, id)?;
            let status = standing(&cohort, &sessions, tx.now).status;
            if status == CohortStatus::Cancelled || status == CohortStatus::Completed {
                return Err(ServiceError::Conflict(format!(
                    "this cohort is already {status}"
                )));
            }
            let reason = cmd.reason.trim();
            store::cohorts::cancel(tx.conn, id, reason, tx.now_naive())?;
            tx.audit(cohort_event(id, "cohort_cancelled", reason.to_string()));
            tx.listing_changed();
            crate::messages::queue(
                tx,
                crate::messages::Tell::GroupCancelled {
                    cohort_id: id,
                    reason: reason.to_string(),
                },
            )?;
            record(tx.conn, id, tx.now)
        })
        .await
}
