//! Cohorts: one run of a programme at a venue. Coordinators plan them (weekly sessions at the
//! same local time, skipping closures), change them, staff them, publish and cancel them, and
//! move or cancel single sessions; the people who run a group read its families and progress.
//!
//! Every change answers with the cohort as it stands after it ([`CohortRecord`]), read in the
//! same transaction; the API shapes it.

pub mod change;
pub mod families;
pub mod lifecycle;
pub mod plan;
pub mod rechecks;
pub mod sessions;
pub mod summary;
pub mod team;

use super::{Actor, ServiceError, Services};
use crate::db::DbConnection;
use crate::store::{self, cohorts::Cohort, cohorts::Session, programmes::Programme, venues::Venue};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

/// One member of a cohort's team.
#[derive(Debug, Clone)]
pub struct TeamPlace {
    pub staff_id: i32,
    /// `lead`, `co_facilitator`, `creche_worker` or `supervisor`.
    pub role: String,
    pub name: String,
}

/// Everything a cohort's view shows, as read at `now`.
#[derive(Debug, Clone)]
pub struct CohortRecord {
    pub cohort: Cohort,
    pub programme: Programme,
    pub venue: Venue,
    pub sessions: Vec<Session>,
    pub team: Vec<TeamPlace>,
    /// Dates of birth of the children holding crèche places.
    pub creche_booked: Vec<NaiveDate>,
    pub now: DateTime<Utc>,
}

fn team_places(pairs: &[(i32, String)], names: &BTreeMap<i32, String>) -> Vec<TeamPlace> {
    pairs
        .iter()
        .map(|(id, role)| TeamPlace {
            staff_id: *id,
            role: role.clone(),
            name: names.get(id).cloned().unwrap_or_default(),
        })
        .collect()
}

fn staff_names(c: &mut DbConnection, ids: &[i32]) -> Result<BTreeMap<i32, String>, ServiceError> {
    Ok(store::staff::find_many(c, ids)?
        .into_iter()
        .map(|m| (m.row.id, m.row.name))
        .collect())
}

/// Loads one cohort's record (404 `cohort not found`).
pub fn record(
    c: &mut DbConnection,
    id: i32,
    now: DateTime<Utc>,
) -> Result<CohortRecord, ServiceError> {
    let (cohort, programme, venue) =
        store::cohorts::find_full(c, id)?.ok_or_else(|| ServiceError::not_found("cohort"))?;
    let sessions = store::cohorts::sessions_of(c, id)?;
    let pairs = store::teams::team_of(c, id)?;
    let ids: Vec<i32> = pairs.iter().map(|(id, _)| *id).collect();
    let team = team_places(&pairs, &staff_names(c, &ids)?);
    let creche_booked = store::bookings::confirmed_creche_births(c, id)?
        .into_iter()
        .flatten()
        .collect();
    Ok(CohortRecord {
        cohort,
        programme,
        venue,
        sessions,
        team,
        creche_booked,
        now,
    })
}

/// Records of many cohorts (all when `ids` is None), by first session, in a few queries.
pub fn records(
    c: &mut DbConnection,
    ids: Option<&[i32]>,
    now: DateTime<Utc>,
) -> Result<Vec<CohortRecord>, ServiceError> {
    let rows = store::cohorts::list_full(c, None, ids, None)?;
    let cohort_ids: Vec<i32> = rows.iter().map(|(co, _, _)| co.id).collect();
    let mut sessions = store::cohorts::sessions_of_many(c, &cohort_ids)?;
    let teams = store::teams::teams_of_many(c, &cohort_ids)?;
    let staff_ids: Vec<i32> = teams.values().flatten().map(|(id, _)| *id).collect();
    let names = staff_names(c, &staff_ids)?;
    let mut booked = store::bookings::confirmed_creche_births_many(c, &cohort_ids)?;
    Ok(rows
        .into_iter()
        .map(|(cohort, programme, venue)| CohortRecord {
            team: team_places(
                teams.get(&cohort.id).map(Vec::as_slice).unwrap_or(&[]),
                &names,
            ),
            sessions: sessions.remove(&cohort.id).unwrap_or_default(),
            creche_booked: booked.remove(&cohort.id).unwrap_or_default(),
            cohort,
            programme,
            venue,
            now,
        })
        .collect())
}

/// One cohort, any status (staff).
pub async fn cohort(services: &Services, id: i32) -> Result<CohortRecord, ServiceError> {
    services.read(move |c, now| record(c, id, now)).await
}

/// Every cohort, any status (staff), by first session.
pub async fn all_cohorts(services: &Services) -> Result<Vec<CohortRecord>, ServiceError> {
    services.read(move |c, now| records(c, None, now)).await
}

/// A cohort someone works on, with their roles in it.
pub struct MyCohort {
    pub cohort: CohortRecord,
    /// `lead`, `co_facilitator`, `creche_worker`, `supervisor`.
    pub my_roles: Vec<String>,
}

/// The cohorts the actor runs or supports (none when they are not staff), by first session.
pub async fn my_cohorts(services: &Services, actor: Actor) -> Result<Vec<MyCohort>, ServiceError> {
    services
        .read(move |c, now| {
            let Some(user) = actor.user_id() else {
                return Ok(Vec::new());
            };
            let Some(staff) = store::staff::find_by_user(c, user)? else {
                return Ok(Vec::new());
            };
            let roles = store::teams::roles_of_staff(c, staff.id)?;
            let ids: Vec<i32> = roles.iter().map(|(id, _)| *id).collect();
            Ok(records(c, Some(&ids), now)?
                .into_iter()
                .map(|r| MyCohort {
                    my_roles: roles
                        .iter()
                        .filter(|(id, _)| *id == r.cohort.id)
                        .map(|(_, role)| role.clone())
                        .collect(),
                    cohort: r,
                })
                .collect())
        })
        .await
}

/// A change to a cohort, for the audit trail (no family's data: field names and values).
fn cohort_event(cohort_id: i32, action: &'static str, detail: String) -> super::Audit {
    super::Audit {
        action,
        entity: "cohort",
        entity_id: Some(cohort_id),
        family_id: None,
        detail,
    }
}
