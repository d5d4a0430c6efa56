//! Who on a cohort's team may keep its registers, follow-ups and outcome measures: coordinators
//! (and admins) everywhere; the lead and co-facilitators on their own cohorts; crèche workers
//! the crèche side of the register only. Supervisors and everyone else see nothing.

use crate::db::DbConnection;
use crate::domain::role::Role;
use crate::service::{Actor, ServiceError};
use crate::store;

/// What the acting person may do on a cohort's families.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamAccess {
    /// Coordinators and admins (and the service itself): every booking, every field.
    Coordinator,
    /// The lead and co-facilitators, who also follow up families between sessions.
    Facilitator,
    /// Crèche workers: the families and children, without contact details.
    CrecheWorker,
}

impl TeamAccess {
    /// Whether this part of the team may change attendance marks (crèche workers sign children
    /// in and out only).
    pub fn may_mark_attendance(self) -> bool {
        self != TeamAccess::CrecheWorker
    }
}

/// The actor's part in the cohort's team; `NotFound("cohort not found")` when they have none
/// (or the cohort does not exist).
pub fn team_access(
    c: &mut DbConnection,
    cohort_id: i32,
    actor: Actor,
) -> Result<TeamAccess, ServiceError> {
    store::cohorts::find(c, cohort_id)?.ok_or_else(|| ServiceError::not_found("cohort"))?;
    access_to_existing(c, cohort_id, actor)
}

/// [`team_access`] on a cohort already read (one query fewer).
pub fn access_to_existing(
    c: &mut DbConnection,
    cohort_id: i32,
    actor: Actor,
) -> Result<TeamAccess, ServiceError> {
    let Actor::User { id, role } = actor else {
        return Ok(TeamAccess::Coordinator);
    };
    if matches!(role, Role::Admin | Role::Coordinator) {
        return Ok(TeamAccess::Coordinator);
    }
    if role != Role::Facilitator {
        return Err(ServiceError::not_found("cohort"));
    }
    let roles = store::teams::team_roles_of_user(c, cohort_id, id)?;
    if roles.iter().any(|r| r == "lead" || r == "co_facilitator") {
        Ok(TeamAccess::Facilitator)
    } else if roles.iter().any(|r| r == "creche_worker") {
        Ok(TeamAccess::CrecheWorker)
    } else {
        // Supervisors support the facilitators; they do not need the families' records.
        Err(ServiceError::not_found("cohort"))
    }
}
