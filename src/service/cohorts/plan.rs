//! Planning a cohort: its settings checked against the programme and venue, and its sessions
//! generated at once, weekly at the same local time, skipping the venue's closures, with
//! optional meetings before and after the group. A planned cohort starts as a draft.

use super::{record, CohortRecord};
use crate::db::DbConnection;
use crate::domain::status::SessionKind;
use crate::domain::{calendar, cohort as rules};
use crate::error::FieldErrors;
use crate::service::{Actor, ServiceError, Services, Tx};
use crate::store::cohorts::{CohortFields, NewSession};
use crate::store::{self, programmes::Programme, venues::Venue};
use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;

/// A meeting before or after the group (outcome measures).
#[derive(Debug, Clone)]
pub struct Meeting {
    pub date: NaiveDate,
    /// Local time, `HH:MM`, as given.
    pub start_time: String,
    /// Length in minutes (default 60).
    pub minutes: Option<i32>,
}

/// Plan a cohort of a programme at a venue.
#[derive(Debug, Clone)]
pub struct PlanCohort {
    /// Programme code.
    pub programme: String,
    pub venue_id: i32,
    pub first_session_date: NaiveDate,
    /// Local wall-clock start, `HH:MM`, as given.
    pub start_time: String,
    /// Default: the programme's session length.
    pub session_minutes: Option<i32>,
    /// IANA zone; default `Europe/London`.
    pub timezone: Option<String>,
    pub places: i32,
    /// Default 2 when a crèche runs.
    pub creche_workers: Option<i32>,
    /// Default: whether the programme provides one.
    pub creche_offered: Option<bool>,
    pub booking_opens_on: Option<NaiveDate>,
    pub booking_closes_on: Option<NaiveDate>,
    pub pre_group_meeting: Option<Meeting>,
    pub post_group_meeting: Option<Meeting>,
    /// Default: "`<programme>` at `<venue>`".
    pub title: Option<String>,
    pub description: Option<String>,
    /// Field errors already found in the request, refused together with the ones found here.
    pub invalid: FieldErrors,
}

/// Plans a cohort as a draft with its sessions.
pub async fn plan_cohort(
    services: &Services,
    actor: Actor,
    cmd: PlanCohort,
) -> Result<CohortRecord, ServiceError> {
    services.write(actor, move |tx| plan(tx, &cmd)).await
}

fn plan(tx: &mut Tx, cmd: &PlanCohort) -> Result<CohortRecord, ServiceError> {
    let created_by = tx
        .actor
        .user_id()
        .ok_or_else(|| ServiceError::Forbidden("only a person can plan a cohort".into()))?;
    let p = store::programmes::find_by_code(tx.conn, &cmd.programme)?;
    let v = store::venues::find(tx.conn, cmd.venue_id)?;
    let mut errors = cmd.invalid.clone();
    if p.is_none() {
        errors
            .entry("programme".into())
            .or_default()
            .push("no such programme".into());
    }
    if v.is_none() {
        errors
            .entry("venue_id".into())
            .or_default()
            .push("no such venue".into());
    }
    let (Some(p), Some(v)) = (p, v) else {
        ServiceError::check_fields(errors)?;
        return Err(ServiceError::field("programme", "no such programme"));
    };
    let (fields, tz) = settings(cmd, &p, &v, errors)?;
    let sessions = plan_sessions(
        tx.conn,
        &fields,
        p.session_count,
        tz,
        [
            cmd.pre_group_meeting.as_ref(),
            cmd.post_group_meeting.as_ref(),
        ],
    )?;
    let now = tx.now_naive();
    let cohort = store::cohorts::insert(tx.conn, &fields, &sessions, created_by, now)?;
    record(tx.conn, cohort.id, tx.now)
}

/// The cohort's settings, with the defaults the programme and venue give, or every field that
/// breaks a rule.
fn settings(
    b: &PlanCohort,
    p: &Programme,
    v: &Venue,
    mut errors: FieldErrors,
) -> Result<(CohortFields, Tz), ServiceError> {
    let mut add = |field: &str, msg: String| errors.entry(field.to_string()).or_default().push(msg);
    for (field, date) in [
        ("first_session_date", Some(b.first_session_date)),
        ("booking_opens_on", b.booking_opens_on),
        ("booking_closes_on", b.booking_closes_on),
    ] {
        if date.is_some_and(|d| !rules::plausible_date(d)) {
            add(field, "must be a date between 2000 and 2100".into());
        }
    }
    for (field, m) in [
        ("pre_group_meeting", &b.pre_group_meeting),
        ("post_group_meeting", &b.post_group_meeting),
    ] {
        if m.as_ref().is_some_and(|m| !rules::plausible_date(m.date)) {
            add(field, "must be a date between 2000 and 2100".into());
        }
    }
    let tz_name = b.timezone.clone().unwrap_or_else(|| "Europe/London".into());
    let tz = rules::parse_timezone(&tz_name);
    if tz.is_none() {
        add(
            "timezone",
            "is not a known time zone, e.g. Europe/London".into(),
        );
    }
    let start = rules::parse_local_time(&b.start_time);
    if start.is_none() {
        add("start_time", "must be a local time HH:MM".into());
    }
    let creche_offered = b.creche_offered.unwrap_or(p.creche_provided);
    let creche_workers = b
        .creche_workers
        .unwrap_or(if creche_offered { 2 } else { 0 });
    check_creche(p, v, creche_offered, creche_workers, &mut add);
    check_booking_window(b.booking_opens_on, b.booking_closes_on, &mut add);
    let title = b
        .title
        .clone()
        .map(|t| t.trim().to_string())
        .unwrap_or_else(|| format!("{} at {}", p.name, v.name));
    ServiceError::check_fields(errors)?;
    let (Some(tz), Some(start_time)) = (tz, start) else {
        return Err(ServiceError::field(
            "start_time",
            "must be a local time HH:MM",
        ));
    };
    Ok((
        CohortFields {
            programme_id: p.id,
            venue_id: v.id,
            title,
            description: b.description.clone().unwrap_or_default().trim().to_string(),
            first_session_date: b.first_session_date,
            start_time,
            session_minutes: b.session_minutes.unwrap_or(p.session_minutes),
            timezone: tz_name,
            places: b.places,
            creche_offered,
            creche_workers,
            booking_opens_on: b.booking_opens_on,
            booking_closes_on: b.booking_closes_on,
        },
        tz,
    ))
}

/// A crèche the programme requires is offered, and an offered one has a room and workers.
pub(super) fn check_creche(
    p: &Programme,
    v: &Venue,
    offered: bool,
    workers: i32,
    add: &mut impl FnMut(&str, String),
) {
    if p.creche_provided && !offered {
        add(
            "creche_offered",
            format!("{} always provides a crèche", p.name),
        );
    }
    if offered && v.creche_room_capacity == 0 {
        add("creche_offered", format!("{} has no crèche room", v.name));
    }
    if offered && workers == 0 {
        add(
            "creche_workers",
            "a crèche needs at least one crèche worker".into(),
        );
    }
}

pub(super) fn check_booking_window(
    opens: Option<NaiveDate>,
    closes: Option<NaiveDate>,
    add: &mut impl FnMut(&str, String),
) {
    if let (Some(o), Some(c)) = (opens, closes) {
        if c < o {
            add(
                "booking_closes_on",
                "must not be before booking_opens_on".into(),
            );
        }
    }
}

/// The weekly sessions (and meetings) of a cohort, or invalid naming the field and date.
pub(super) fn plan_sessions(
    c: &mut DbConnection,
    f: &CohortFields,
    count: i32,
    tz: Tz,
    meetings: [Option<&Meeting>; 2],
) -> Result<Vec<NewSession>, ServiceError> {
    let mut out = store::cohorts::plan_weekly(
        c,
        f.venue_id,
        f.first_session_date,
        f.start_time,
        f.session_minutes,
        tz,
        count,
    )
    .map_err(|e| match e {
        store::cohorts::PlanError::Db(e) => ServiceError::from(e),
        store::cohorts::PlanError::Schedule(e) => schedule_error("start_time", e),
    })?;
    let (first, last) = (
        out.first().map(|p| p.starts_at.and_utc()),
        out.last().map(|p| p.ends_at.and_utc()),
    );
    for (meeting, kind, field) in [
        (meetings[0], SessionKind::PreGroup, "pre_group_meeting"),
        (meetings[1], SessionKind::PostGroup, "post_group_meeting"),
    ] {
        let Some(m) = meeting else { continue };
        let time = rules::parse_local_time(&m.start_time)
            .ok_or_else(|| ServiceError::field(field, "start_time must be HH:MM"))?;
        let start =
            calendar::local_instant(m.date, time, tz).map_err(|e| schedule_error(field, e))?;
        let end = start + Duration::minutes(i64::from(m.minutes.unwrap_or(60)));
        let in_order = match kind {
            SessionKind::PreGroup => first.is_none_or(|f| end <= f),
            _ => last.is_none_or(|l| start >= l),
        };
        if !in_order {
            return Err(ServiceError::field(
                field,
                format!(
                    "must be {} the group sessions",
                    if kind == SessionKind::PreGroup {
                        "before"
                    } else {
                        "after"
                    }
                ),
            ));
        }
        out.push(NewSession {
            kind,
            number: None,
            starts_at: start.naive_utc(),
            ends_at: end.naive_utc(),
        });
    }
    Ok(out)
}

/// A date or time the calendar cannot place (a closed stretch, a time that does not exist).
pub(super) fn schedule_error(field: &str, e: calendar::ScheduleError) -> ServiceError {
    ServiceError::field(field, e.to_string())
}
