//! Changing a planned cohort: its details, places, crèche and booking window, or its schedule
//! (which regenerates the sessions while none has been held). More room moves the waiting list
//! up; the team is checked again; a published cohort's change is audited.

use super::plan::{check_booking_window, check_creche, plan_sessions};
use super::{cohort_event, record, team, CohortRecord};
use crate::domain::cohort as rules;
use crate::domain::status::{CohortStatus, SessionKind};
use crate::error::FieldErrors;
use crate::service::booking::waiting_list;
use crate::service::schedule::zone;
use crate::service::{Actor, ServiceError, Services, Tx};
use crate::store::cohorts::{Cohort, CohortFields, NewSession};
use crate::store::{self, programmes::Programme};
use chrono::NaiveDate;

/// Any subset of a cohort's settings; the schedule fields regenerate the sessions.
#[derive(Debug, Clone, Default)]
pub struct ChangeCohort {
    pub cohort_id: i32,
    pub title: Option<String>,
    pub description: Option<String>,
    pub places: Option<i32>,
    pub creche_workers: Option<i32>,
    pub creche_offered: Option<bool>,
    pub booking_opens_on: Option<NaiveDate>,
    pub booking_closes_on: Option<NaiveDate>,
    pub first_session_date: Option<NaiveDate>,
    /// Local start, `HH:MM`, as given.
    pub start_time: Option<String>,
    pub session_minutes: Option<i32>,
    /// Groups a supervisor may support in one term (configuration).
    pub supervisor_limit: usize,
    /// Field errors already found in the request, refused together with the ones found here.
    pub invalid: FieldErrors,
}

pub async fn change_cohort(
    services: &Services,
    actor: Actor,
    cmd: ChangeCohort,
) -> Result<CohortRecord, ServiceError> {
    services.write(actor, move |tx| change(tx, &cmd)).await
}

fn change(tx: &mut Tx, p: &ChangeCohort) -> Result<CohortRecord, ServiceError> {
    let id = p.cohort_id;
    let (cohort, programme, venue) =
        store::cohorts::find_full(tx.conn, id)?.ok_or_else(|| ServiceError::not_found("cohort"))?;
    if cohort.status == CohortStatus::Cancelled {
        return Err(ServiceError::Conflict("this cohort is cancelled".into()));
    }
    let mut errors = p.invalid.clone();
    let mut add = |field: &str, msg: String| errors.entry(field.to_string()).or_default().push(msg);
    let start_time = match &p.start_time {
        Some(s) => rules::parse_local_time(s).unwrap_or_else(|| {
            add("start_time", "must be a local time HH:MM".into());
            cohort.start_time
        }),
        None => cohort.start_time,
    };
    let f = CohortFields {
        programme_id: cohort.programme_id,
        venue_id: cohort.venue_id,
        title: p
            .title
            .clone()
            .map(|t| t.trim().to_string())
            .unwrap_or(cohort.title.clone()),
        description: p
            .description
            .clone()
            .map(|d| d.trim().to_string())
            .unwrap_or(cohort.description.clone()),
        first_session_date: p.first_session_date.unwrap_or(cohort.first_session_date),
        start_time,
        session_minutes: p.session_minutes.unwrap_or(cohort.session_minutes),
        timezone: cohort.timezone.clone(),
        places: p.places.unwrap_or(cohort.places),
        creche_offered: p.creche_offered.unwrap_or(cohort.creche_offered),
        creche_workers: p.creche_workers.unwrap_or(cohort.creche_workers),
        booking_opens_on: p.booking_opens_on.or(cohort.booking_opens_on),
        booking_closes_on: p.booking_closes_on.or(cohort.booking_closes_on),
    };
    check_creche(
        &programme,
        &venue,
        f.creche_offered,
        f.creche_workers,
        &mut add,
    );
    check_booking_window(f.booking_opens_on, f.booking_closes_on, &mut add);
    if p.first_session_date
        .is_some_and(|d| !rules::plausible_date(d))
    {
        add(
            "first_session_date",
            "must be a date between 2000 and 2100".into(),
        );
    }
    if f.places < cohort.confirmed_count {
        add(
            "places",
            format!(
                "{} families already have confirmed places; cancel bookings first",
                cohort.confirmed_count
            ),
        );
    }
    ServiceError::check_fields(errors)?;
    let schedule_changed = f.first_session_date != cohort.first_session_date
        || f.start_time != cohort.start_time
        || f.session_minutes != cohort.session_minutes;
    if schedule_changed {
        reschedule(tx, &cohort, &programme, &f)?;
    }
    let updated = store::cohorts::update_fields(tx.conn, id, &f, tx.now_naive())?;
    if updated.status == CohortStatus::Published
        && (f.places > cohort.places || f.creche_workers > cohort.creche_workers)
    {
        // More room: the waiting list moves up.
        store::bookings::lock_cohort(tx.conn, id)?;
        let sessions = store::cohorts::sessions_of(tx.conn, id)?;
        waiting_list::promote(tx, &updated, &sessions, venue.creche_room_capacity)?;
    }
    team::recheck(tx.conn, id, p.supervisor_limit)?;
    if cohort.status == CohortStatus::Published {
        let action = if schedule_changed {
            "schedule_changed"
        } else {
            "cohort_changed"
        };
        tx.audit(cohort_event(id, action, summary(p)));
    }
    tx.listing_changed();
    record(tx.conn, id, tx.now)
}

/// Regenerates the sessions for a new schedule, keeping pre/post meetings where they were.
fn reschedule(
    tx: &mut Tx,
    cohort: &Cohort,
    programme: &Programme,
    f: &CohortFields,
) -> Result<(), ServiceError> {
    let existing = store::cohorts::sessions_of(tx.conn, cohort.id)?;
    if existing.iter().any(|s| s.starts_at.and_utc() <= tx.now) {
        return Err(ServiceError::Conflict(
            "sessions have already been held; move single sessions instead".into(),
        ));
    }
    let tz = zone(cohort);
    let mut sessions = plan_sessions(tx.conn, f, programme.session_count, tz, [None, None])?;
    sessions.extend(
        existing
            .iter()
            .filter(|s| s.kind != SessionKind::Group)
            .map(|s| NewSession {
                kind: s.kind,
                number: None,
                starts_at: s.starts_at,
                ends_at: s.ends_at,
            }),
    );
    store::cohorts::replace_sessions(tx.conn, cohort.id, &sessions, tx.now.naive_utc())?;
    Ok(())
}

/// What changed, for the audit trail: schedule fields with their values, text as `text`.
fn summary(p: &ChangeCohort) -> String {
    let mut parts = Vec::new();
    if let Some(d) = p.first_session_date {
        parts.push(format!("first_session_date={d}"));
    }
    if let Some(t) = &p.start_time {
        parts.push(format!("start_time={t}"));
    }
    if let Some(m) = p.session_minutes {
        parts.push(format!("session_minutes={m}"));
    }
    if let Some(n) = p.places {
        parts.push(format!("places={n}"));
    }
    if p.title.is_some() || p.description.is_some() {
        parts.push("text".into());
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::{summary, ChangeCohort};

    #[test]
    fn the_audit_summary_names_fields_and_never_the_text() {
        let change = ChangeCohort {
            start_time: Some("13:30".into()),
            places: Some(12),
            title: Some("A private title".into()),
            ..ChangeCohort::default()
        };
        assert_eq!(summary(&change), "start_time=13:30, places=12, text");
    }
}
