//! Each crèche child's key person (EYFS): one of the cohort's crèche workers, whom the child
//! and the parents get to know. Assigned by the cohort's lead or a coordinator; shown on the
//! crèche register and in the family's export.

use super::{team_access, TeamAccess};
use crate::db::DbConnection;
use crate::domain::status::BookingStatus;
use crate::service::{Actor, Audit, ServiceError, Services};
use crate::store::{self, key_persons::KeyPerson};

/// The key persons of a cohort's crèche children (its team and coordinators).
pub async fn key_persons(
    services: &Services,
    actor: Actor,
    cohort_id: i32,
) -> Result<Vec<KeyPerson>, ServiceError> {
    services
        .read(move |c, _| {
            team_access(c, cohort_id, actor)?;
            Ok(store::key_persons::of_cohort(c, cohort_id)?)
        })
        .await
}

/// Makes one of the cohort's crèche workers a crèche child's key person (the lead and
/// coordinators); audited as `key_person_assigned`.
pub async fn assign(
    services: &Services,
    actor: Actor,
    cohort_id: i32,
    child_id: i32,
    staff_id: i32,
) -> Result<KeyPerson, ServiceError> {
    services
        .write(actor, move |tx| {
            let family_id = child_with_place(tx.conn, cohort_id, child_id, tx.actor)?;
            let roles = store::teams::team_of(tx.conn, cohort_id)?;
            if !roles
                .iter()
                .any(|(s, r)| *s == staff_id && r == "creche_worker")
            {
                return Err(ServiceError::field(
                    "staff_id",
                    "is not a crèche worker on this group's team",
                ));
            }
            let by = tx.actor.user_id();
            let now = tx.now_naive();
            if let Some(before) =
                store::key_persons::assign(tx.conn, cohort_id, child_id, staff_id, by, now)?
            {
                let was = before.map_or("none".to_string(), |s| format!("staff {s}"));
                tx.audit(Audit {
                    action: "key_person_assigned",
                    entity: "child",
                    entity_id: Some(child_id),
                    family_id: Some(family_id),
                    detail: format!("cohort {cohort_id}: staff {staff_id} (was {was})"),
                });
            }
            store::key_persons::of_cohort(tx.conn, cohort_id)?
                .into_iter()
                .find(|k| k.child_id == child_id)
                .ok_or_else(|| ServiceError::not_found("key person"))
        })
        .await
}

/// Removes a crèche child's key person (the lead and coordinators); audited as
/// `key_person_removed`.
pub async fn remove(
    services: &Services,
    actor: Actor,
    cohort_id: i32,
    child_id: i32,
) -> Result<(), ServiceError> {
    services
        .write(actor, move |tx| {
            let family_id = child_with_place(tx.conn, cohort_id, child_id, tx.actor)?;
            if !store::key_persons::remove(tx.conn, cohort_id, child_id)? {
                return Err(ServiceError::not_found("key person"));
            }
            tx.audit(Audit {
                action: "key_person_removed",
                entity: "child",
                entity_id: Some(child_id),
                family_id: Some(family_id),
                detail: format!("cohort {cohort_id}"),
            });
            Ok(())
        })
        .await
}

/// The family of a child with a crèche place in the cohort, once the actor is found to be its
/// lead or a coordinator (the rest of the team: 403; anyone else, or a child without a place
/// there: 404).
fn child_with_place(
    c: &mut DbConnection,
    cohort_id: i32,
    child_id: i32,
    actor: Actor,
) -> Result<i32, ServiceError> {
    let access = team_access(c, cohort_id, actor)?;
    let leads = match (access, actor) {
        (TeamAccess::Coordinator, _) => true,
        (TeamAccess::Facilitator, Actor::User { id, .. }) => {
            store::teams::team_roles_of_user(c, cohort_id, id)?
                .iter()
                .any(|r| r == "lead")
        }
        _ => false,
    };
    if !leads {
        return Err(ServiceError::Forbidden(
            "the group's lead or a coordinator assigns key persons".into(),
        ));
    }
    let confirmed: Vec<(i32, i32)> =
        store::bookings::of_cohort(c, cohort_id, BookingStatus::Confirmed)?
            .iter()
            .map(|b| (b.id, b.family_id))
            .collect();
    let ids: Vec<i32> = confirmed.iter().map(|(b, _)| *b).collect();
    store::bookings::creche_children(c, &ids)?
        .into_iter()
        .find(|(_, child, _)| *child == child_id)
        .and_then(|(booking, _, _)| confirmed.iter().find(|(b, _)| *b == booking))
        .map(|(_, family)| *family)
        .ok_or_else(|| ServiceError::not_found("child"))
}
