//! Accidents, incidents and first aid in the crèche (EYFS: recorded, and parents told the same
//! day). The crèche workers of a session's cohort, its lead and coordinators record them and read
//! a session's; the family is told in the same transaction (`Tell::CrecheIncident`), reads them
//! in its account and says it has seen each; coordinators list them over a period. Every staff
//! read is audited per family, and the audit trail holds ids, never the words.

use super::{team_access, TeamAccess};
use crate::db::DbConnection;
use crate::domain::creche::care::{care_view, CareView};
use crate::domain::incident::{self, Words};
use crate::error::FieldErrors;
use crate::messages::{self, Tell};
use crate::service::families::own_family;
use crate::service::{Actor, Audit, ServiceError, Services, Tx};
use crate::store::{
    self,
    cohorts::Session,
    creche_incidents::{Listed, NewIncident},
    Page,
};
use chrono::{DateTime, Days, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use std::collections::BTreeSet;

/// The longest period coordinators list at once, in days (a year, leap day included).
pub const PERIOD_MAX_DAYS: u64 = 366;

/// An incident as a member of the team records it.
#[derive(Debug, Clone)]
pub struct RecordIncident {
    pub session_id: i32,
    pub child_id: i32,
    pub happened_at: DateTime<Utc>,
    pub what_happened: String,
    /// "" when no first aid was given.
    pub first_aid: String,
    pub witnesses: String,
}

/// The session, when the actor may record and read its incidents: its cohort's crèche workers
/// and lead, and coordinators. Co-facilitators and everyone else: not found.
fn team_session(c: &mut DbConnection, id: i32, actor: Actor) -> Result<Session, ServiceError> {
    let missing = || ServiceError::not_found("session");
    let session = store::cohorts::find_session(c, id)?.ok_or_else(missing)?;
    let access = team_access(c, session.cohort_id, actor).map_err(|e| match e {
        ServiceError::NotFound(_) => missing(),
        e => e,
    })?;
    if access == TeamAccess::Facilitator {
        // Those who need to know the crèche's children (`care_view`): the lead answers for the
        // group; a co-facilitator is in the group room, not the crèche.
        let user = actor.user_id().ok_or_else(missing)?;
        let roles = store::teams::team_roles_of_user(c, session.cohort_id, user)?;
        if care_view(&roles) != Some(CareView::Details) {
            return Err(missing());
        }
    }
    Ok(session)
}

/// Records an incident (crèche workers and lead of the session's cohort, coordinators) about a
/// child with a crèche place on the group, and tells the family in the same transaction.
/// Audited as `creche_incident_recorded` with ids only.
pub async fn record(
    services: &Services,
    actor: Actor,
    cmd: RecordIncident,
) -> Result<Listed, ServiceError> {
    services
        .write(actor, move |tx| {
            let session = team_session(tx.conn, cmd.session_id, tx.actor)?;
            if session.is_cancelled() {
                return Err(ServiceError::Conflict(
                    "this session was cancelled: no crèche ran".into(),
                ));
            }
            let words = Words::new(&cmd.what_happened, &cmd.first_aid, &cmd.witnesses);
            let happened_at = cmd.happened_at.naive_utc();
            let mut errors = FieldErrors::new();
            let problems = incident::problems(
                &words,
                happened_at,
                session.starts_at,
                session.ends_at,
                tx.now_naive(),
            );
            for (field, message) in problems {
                errors.entry(field.into()).or_default().push(message);
            }
            let booking =
                store::creche_incidents::creche_place(tx.conn, session.cohort_id, cmd.child_id)?;
            let no_place = "must be a child with a crèche place in this group";
            if booking.is_none() {
                errors
                    .entry("child_id".into())
                    .or_default()
                    .push(no_place.into());
            }
            ServiceError::check_fields(errors)?;
            let booking_id = booking.ok_or_else(|| ServiceError::field("child_id", no_place))?;
            let new = NewIncident {
                session_id: session.id,
                booking_id,
                child_id: cmd.child_id,
                happened_at,
                what_happened: &words.what_happened,
                first_aid: &words.first_aid,
                witnesses: &words.witnesses,
                recorded_by: tx.actor.user_id(),
            };
            let stored = store::creche_incidents::insert(tx.conn, &new, tx.now_naive())?;
            let listed = store::creche_incidents::find(tx.conn, stored.id)?
                .ok_or_else(|| ServiceError::not_found("incident"))?;
            tx.audit(Audit {
                action: "creche_incident_recorded",
                entity: "creche_incident",
                entity_id: Some(stored.id),
                family_id: Some(listed.family_id),
                detail: format!("session {} child {}", session.id, cmd.child_id),
            });
            messages::queue(
                tx,
                Tell::CrecheIncident {
                    incident_id: stored.id,
                },
            )?;
            Ok(listed)
        })
        .await
}

/// One `creche_incidents_read` per family shown.
fn audit_reads(tx: &mut Tx, rows: &[Listed], detail: &str) {
    let families: BTreeSet<i32> = rows.iter().map(|r| r.family_id).collect();
    for family_id in families {
        tx.audit(Audit {
            action: "creche_incidents_read",
            entity: "family",
            entity_id: Some(family_id),
            family_id: Some(family_id),
            detail: detail.to_string(),
        });
    }
}

/// A session's incidents, in the order they happened (the same team as [`record`]); a read of
/// each family's record, audited.
pub async fn of_session(
    services: &Services,
    actor: Actor,
    session_id: i32,
) -> Result<Vec<Listed>, ServiceError> {
    services
        .write(actor, move |tx| {
            let session = team_session(tx.conn, session_id, tx.actor)?;
            let rows = store::creche_incidents::of_session(tx.conn, session.id)?;
            audit_reads(
                tx,
                &rows,
                &format!("crèche incidents of session {session_id}"),
            );
            Ok(rows)
        })
        .await
}

/// One incident (the same team as [`record`], for its session); an audited read.
pub async fn one(services: &Services, actor: Actor, id: i32) -> Result<Listed, ServiceError> {
    services
        .write(actor, move |tx| {
            let missing = || ServiceError::not_found("incident");
            let found = store::creche_incidents::find(tx.conn, id)?.ok_or_else(missing)?;
            team_session(tx.conn, found.incident.session_id, tx.actor).map_err(|e| match e {
                ServiceError::NotFound(_) => missing(),
                e => e,
            })?;
            audit_reads(
                tx,
                std::slice::from_ref(&found),
                &format!("crèche incident {id}"),
            );
            Ok(found)
        })
        .await
}

/// The acting parent's family's incidents, newest first.
pub async fn mine(services: &Services, actor: Actor) -> Result<Vec<Listed>, ServiceError> {
    services
        .read(move |c, _| {
            let f = own_family(c, actor)?;
            Ok(store::creche_incidents::of_family(c, f.id)?)
        })
        .await
}

/// The parent says they have read an incident of their family (others: not found). Saying it
/// again keeps the first time. Audited as `creche_incident_acknowledged` the first time.
pub async fn acknowledge(
    services: &Services,
    actor: Actor,
    incident_id: i32,
) -> Result<Listed, ServiceError> {
    services
        .write(actor, move |tx| {
            let f = own_family(tx.conn, tx.actor)?;
            let missing = || ServiceError::not_found("incident");
            let found = store::creche_incidents::find(tx.conn, incident_id)?
                .filter(|i| i.family_id == f.id)
                .ok_or_else(missing)?;
            if store::creche_incidents::acknowledge(tx.conn, found.incident.id, tx.now_naive())? {
                tx.audit(Audit {
                    action: "creche_incident_acknowledged",
                    entity: "creche_incident",
                    entity_id: Some(incident_id),
                    family_id: Some(f.id),
                    detail: String::new(),
                });
            }
            store::creche_incidents::find(tx.conn, incident_id)?.ok_or_else(missing)
        })
        .await
}

/// Incidents over a period (coordinators).
#[derive(Debug, Clone, Copy)]
pub struct Period {
    /// Without it, a month before `to`.
    pub from: Option<NaiveDate>,
    /// Inclusive; without it, today.
    pub to: Option<NaiveDate>,
    pub limit: i64,
    pub offset: i64,
}

/// The instant a local day starts in England, where the centres are.
fn day_starts(d: NaiveDate) -> NaiveDateTime {
    let midnight = d.and_time(NaiveTime::MIN);
    chrono_tz::Europe::London
        .from_local_datetime(&midnight)
        .earliest()
        .map_or(midnight, |t| t.naive_utc())
}

/// Incidents that happened on the days `from..=to` (as the centres count days; by default the
/// month up to today), in the order they happened, a page of them (coordinators). At most a
/// year at once; `to` not before `from`. Each family shown is an audited read.
pub async fn in_period(
    services: &Services,
    actor: Actor,
    p: Period,
) -> Result<(NaiveDate, NaiveDate, Page<Listed>), ServiceError> {
    let today = services
        .clock
        .now()
        .with_timezone(&chrono_tz::Europe::London)
        .date_naive();
    let to = p.to.unwrap_or(today);
    let from = p
        .from
        .unwrap_or_else(|| to.checked_sub_months(Months::new(1)).unwrap_or(to));
    if to < from {
        return Err(ServiceError::field("to", "must not be before from"));
    }
    let Some(after) = to.checked_add_days(Days::new(1)) else {
        return Err(ServiceError::field("to", "must be a date"));
    };
    if from.checked_add_days(Days::new(PERIOD_MAX_DAYS)) < Some(after) {
        return Err(ServiceError::field(
            "to",
            "the period must be at most a year long",
        ));
    }
    services
        .write(actor, move |tx| {
            let page = store::creche_incidents::in_period(
                tx.conn,
                day_starts(from),
                day_starts(after),
                p.limit,
                p.offset,
            )?;
            audit_reads(
                tx,
                &page.items,
                &format!("crèche incidents from {from} to {to}"),
            );
            Ok((from, to, page))
        })
        .await
}
