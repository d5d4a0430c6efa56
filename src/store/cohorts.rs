//! Cohorts and their sessions (their teams are in `teams`). Writes that must see a consistent
//! calendar (team changes, session moves) run in `write_transaction` and lock the staff rows
//! involved on PostgreSQL, so two coordinators cannot double-book one person at once.

use crate::db::schema::{cohorts as co, programmes, sessions as se, venues};
use crate::db::DbConnection;
use crate::domain::status::{CohortStatus, SessionKind, SessionStatus};
use crate::store::{programmes::Programme, venues::Venue};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::prelude::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Queryable)]
pub struct Cohort {
    pub id: i32,
    pub programme_id: i32,
    pub venue_id: i32,
    pub title: String,
    pub description: String,
    #[diesel(deserialize_as = String)]
    pub status: CohortStatus,
    pub first_session_date: NaiveDate,
    pub start_time: NaiveTime,
    pub session_minutes: i32,
    pub timezone: String,
    pub places: i32,
    pub creche_offered: bool,
    pub creche_workers: i32,
    pub booking_opens_on: Option<NaiveDate>,
    pub booking_closes_on: Option<NaiveDate>,
    pub cancel_reason: Option<String>,
    pub created_by: Option<i32>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub published_at: Option<NaiveDateTime>,
    pub cancelled_at: Option<NaiveDateTime>,
    /// Confirmed bookings, kept by the booking transaction (CHECK ≤ places).
    pub confirmed_count: i32,
}

#[derive(Debug, Clone, Queryable)]
pub struct Session {
    pub id: i32,
    pub cohort_id: i32,
    pub number: Option<i32>,
    #[diesel(deserialize_as = String)]
    pub kind: SessionKind,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    #[diesel(deserialize_as = String)]
    pub status: SessionStatus,
    pub cancel_reason: Option<String>,
    pub sequence: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Bumped by every register change; the register's ETag.
    pub register_version: i32,
    /// Crèche staff actually present, when it differs from those assigned.
    pub creche_staff_present: Option<i32>,
    /// The facilitators' notes on the session (the team and coordinators only).
    pub register_notes: String,
}

impl Session {
    pub fn is_cancelled(&self) -> bool {
        self.status == SessionStatus::Cancelled
    }
}

/// The schedule and settings of a cohort, validated.
#[derive(Debug, Clone)]
pub struct CohortFields {
    pub programme_id: i32,
    pub venue_id: i32,
    pub title: String,
    pub description: String,
    pub first_session_date: NaiveDate,
    pub start_time: NaiveTime,
    pub session_minutes: i32,
    pub timezone: String,
    pub places: i32,
    pub creche_offered: bool,
    pub creche_workers: i32,
    pub booking_opens_on: Option<NaiveDate>,
    pub booking_closes_on: Option<NaiveDate>,
}

/// A session to create: kind, number (group sessions only), UTC span.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub kind: SessionKind,
    pub number: Option<i32>,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
}

pub fn insert(
    conn: &mut DbConnection,
    f: &CohortFields,
    sessions: &[NewSession],
    created_by: i32,
    now: NaiveDateTime,
) -> QueryResult<Cohort> {
    let cohort: Cohort = diesel::insert_into(co::table)
        .values((
            co::programme_id.eq(f.programme_id),
            co::venue_id.eq(f.venue_id),
            co::title.eq(&f.title),
            co::description.eq(&f.description),
            co::status.eq(CohortStatus::Draft.as_str()),
            co::first_session_date.eq(f.first_session_date),
            co::start_time.eq(f.start_time),
            co::session_minutes.eq(f.session_minutes),
            co::timezone.eq(&f.timezone),
            co::places.eq(f.places),
            co::creche_offered.eq(f.creche_offered),
            co::creche_workers.eq(f.creche_workers),
            co::booking_opens_on.eq(f.booking_opens_on),
            co::booking_closes_on.eq(f.booking_closes_on),
            co::created_by.eq(created_by),
            co::created_at.eq(now),
            co::updated_at.eq(now),
        ))
        .returning(co::all_columns)
        .get_result(conn)?;
    insert_sessions(conn, cohort.id, sessions, now)?;
    Ok(cohort)
}

pub fn insert_sessions(
    conn: &mut DbConnection,
    cohort_id: i32,
    sessions: &[NewSession],
    now: NaiveDateTime,
) -> QueryResult<()> {
    for s in sessions {
        diesel::insert_into(se::table)
            .values((
                se::cohort_id.eq(cohort_id),
                se::number.eq(s.number),
                se::kind.eq(s.kind.as_str()),
                se::starts_at.eq(s.starts_at),
                se::ends_at.eq(s.ends_at),
                se::status.eq(SessionStatus::Scheduled.as_str()),
                se::created_at.eq(now),
                se::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Replaces the whole schedule (a schedule edit before any session has been held).
pub fn replace_sessions(
    conn: &mut DbConnection,
    cohort_id: i32,
    sessions: &[NewSession],
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(se::table.filter(se::cohort_id.eq(cohort_id))).execute(conn)?;
    insert_sessions(conn, cohort_id, sessions, now)
}

pub fn update_fields(
    conn: &mut DbConnection,
    id: i32,
    f: &CohortFields,
    now: NaiveDateTime,
) -> QueryResult<Cohort> {
    diesel::update(co::table.find(id))
        .set((
            co::title.eq(&f.title),
            co::description.eq(&f.description),
            co::first_session_date.eq(f.first_session_date),
            co::start_time.eq(f.start_time),
            co::session_minutes.eq(f.session_minutes),
            co::timezone.eq(&f.timezone),
            co::places.eq(f.places),
            co::creche_offered.eq(f.creche_offered),
            co::creche_workers.eq(f.creche_workers),
            co::booking_opens_on.eq(f.booking_opens_on),
            co::booking_closes_on.eq(f.booking_closes_on),
            co::updated_at.eq(now),
        ))
        .returning(co::all_columns)
        .get_result(conn)
}

pub fn publish(conn: &mut DbConnection, id: i32, now: NaiveDateTime) -> QueryResult<Cohort> {
    diesel::update(co::table.find(id))
        .set((
            co::status.eq(CohortStatus::Published.as_str()),
            co::published_at.eq(now),
            co::updated_at.eq(now),
        ))
        .returning(co::all_columns)
        .get_result(conn)
}

pub fn cancel(
    conn: &mut DbConnection,
    id: i32,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<Cohort> {
    diesel::update(co::table.find(id))
        .set((
            co::status.eq(CohortStatus::Cancelled.as_str()),
            co::cancel_reason.eq(reason),
            co::cancelled_at.eq(now),
            co::updated_at.eq(now),
        ))
        .returning(co::all_columns)
        .get_result(conn)
}

pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Cohort>> {
    co::table.find(id).first(conn).optional()
}

/// A cohort with its programme and venue.
pub fn find_full(
    conn: &mut DbConnection,
    id: i32,
) -> QueryResult<Option<(Cohort, Programme, Venue)>> {
    co::table
        .inner_join(programmes::table)
        .inner_join(venues::table)
        .filter(co::id.eq(id))
        .select((
            co::all_columns,
            programmes::all_columns,
            venues::all_columns,
        ))
        .first(conn)
        .optional()
}

/// Cohorts with programme and venue, filtered by status (all when `None`), by first session.
/// Cohorts with their programme and venue, by first session. With `live_at`, only those that
/// may still be in the public listing then: a session starting after the day before (sessions
/// last at most eight hours), or, for a group with no session left that is not cancelled (it
/// has no dates to go by), a first date in the last 400 days. The listing applies the exact
/// rule; this keeps finished terms, years of them, out of its reads (the conditions are
/// indexed).
pub fn list_full(
    conn: &mut DbConnection,
    statuses: Option<&[CohortStatus]>,
    ids: Option<&[i32]>,
    live_at: Option<NaiveDateTime>,
) -> QueryResult<Vec<(Cohort, Programme, Venue)>> {
    let mut q = co::table
        .inner_join(programmes::table)
        .inner_join(venues::table)
        .select((
            co::all_columns,
            programmes::all_columns,
            venues::all_columns,
        ))
        .into_boxed();
    if let Some(s) = statuses {
        q = q.filter(co::status.eq_any(s.iter().map(|s| s.as_str()).collect::<Vec<_>>()));
    }
    if let Some(ids) = ids {
        q = q.filter(co::id.eq_any(ids.to_vec()));
    }
    // Named groups are few: the caller's exact rule is enough for them.
    if let (Some(now), None) = (live_at, ids) {
        // The ids first, each through its own index: asked together as one OR, PostgreSQL's
        // planner scans every group instead.
        let mut live: Vec<i32> = se::table
            .filter(se::starts_at.gt(now - chrono::Duration::days(1)))
            .select(se::cohort_id)
            .distinct()
            .load(conn)?;
        let recent = (now - chrono::Duration::days(400)).date();
        let unscheduled = diesel::dsl::not(diesel::dsl::exists(
            se::table
                .filter(se::cohort_id.eq(co::id))
                .filter(se::status.ne(SessionStatus::Cancelled.as_str())),
        ));
        live.extend(
            co::table
                .filter(co::first_session_date.ge(recent))
                .filter(unscheduled)
                .select(co::id)
                .load::<i32>(conn)?,
        );
        q = q.filter(co::id.eq_any(live));
    }
    q.order((co::first_session_date, co::start_time, co::id))
        .load(conn)
}

pub fn sessions_of(conn: &mut DbConnection, cohort_id: i32) -> QueryResult<Vec<Session>> {
    se::table
        .filter(se::cohort_id.eq(cohort_id))
        .order((se::starts_at, se::id))
        .load(conn)
}

pub fn sessions_of_many(
    conn: &mut DbConnection,
    cohort_ids: &[i32],
) -> QueryResult<BTreeMap<i32, Vec<Session>>> {
    let rows: Vec<Session> = se::table
        .filter(se::cohort_id.eq_any(cohort_ids))
        .order((se::starts_at, se::id))
        .load(conn)?;
    let mut out: BTreeMap<i32, Vec<Session>> = BTreeMap::new();
    for s in rows {
        out.entry(s.cohort_id).or_default().push(s);
    }
    Ok(out)
}

/// Scheduled sessions of published cohorts starting in `[from, to)`, with cohort and
/// programme: the sessions families may be reminded of.
pub fn sessions_starting_between(
    conn: &mut DbConnection,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> QueryResult<Vec<(Session, Cohort, Programme)>> {
    se::table
        .inner_join(co::table.inner_join(programmes::table))
        .filter(se::status.eq(SessionStatus::Scheduled.as_str()))
        .filter(co::status.eq(CohortStatus::Published.as_str()))
        .filter(se::starts_at.ge(from))
        .filter(se::starts_at.lt(to))
        .select((se::all_columns, co::all_columns, programmes::all_columns))
        .order((se::starts_at, se::id))
        .load(conn)
}

pub fn find_session(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Session>> {
    se::table.find(id).first(conn).optional()
}

pub fn move_session(
    conn: &mut DbConnection,
    id: i32,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(se::table.find(id))
        .set((
            se::starts_at.eq(starts_at),
            se::ends_at.eq(ends_at),
            se::sequence.eq(se::sequence + 1),
            se::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn cancel_session(
    conn: &mut DbConnection,
    id: i32,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(se::table.find(id))
        .set((
            se::status.eq(SessionStatus::Cancelled.as_str()),
            se::cancel_reason.eq(reason),
            se::number.eq(None::<i32>),
            se::sequence.eq(se::sequence + 1),
            se::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Numbers the scheduled group sessions 1..N in time order; cancelled ones have no number.
pub fn renumber(conn: &mut DbConnection, cohort_id: i32) -> QueryResult<()> {
    let ids: Vec<i32> = se::table
        .filter(se::cohort_id.eq(cohort_id))
        .filter(se::kind.eq(SessionKind::Group.as_str()))
        .filter(se::status.eq(SessionStatus::Scheduled.as_str()))
        .order((se::starts_at, se::id))
        .select(se::id)
        .load(conn)?;
    for (i, id) in ids.iter().enumerate() {
        diesel::update(se::table.find(id))
            .set(se::number.eq(i as i32 + 1))
            .execute(conn)?;
    }
    Ok(())
}

/// Scheduled sessions of live cohorts on `[from, to]` (local dates approximated by UTC dates,
/// which agree for daytime groups in UK time), at one venue or all.
pub fn sessions_on_dates(
    conn: &mut DbConnection,
    venue: Option<i32>,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<Session>> {
    let start = from.and_hms_opt(0, 0, 0).unwrap_or_default();
    let end = to
        .succ_opt()
        .unwrap_or(to)
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    let mut q = se::table
        .inner_join(co::table)
        .filter(se::starts_at.ge(start))
        .filter(se::starts_at.lt(end))
        .filter(se::status.eq(SessionStatus::Scheduled.as_str()))
        .filter(co::status.ne(CohortStatus::Cancelled.as_str()))
        .select(se::all_columns)
        .into_boxed();
    if let Some(v) = venue {
        q = q.filter(co::venue_id.eq(v));
    }
    q.order(se::starts_at).load(conn)
}

/// Why a schedule could not be planned.
#[derive(Debug)]
pub enum PlanError {
    Db(diesel::result::Error),
    Schedule(crate::domain::calendar::ScheduleError),
}

impl From<diesel::result::Error> for PlanError {
    fn from(e: diesel::result::Error) -> Self {
        PlanError::Db(e)
    }
}

/// The weekly group sessions of a cohort at `venue`, skipping its closed dates.
pub fn plan_weekly(
    conn: &mut DbConnection,
    venue: i32,
    first: NaiveDate,
    start: NaiveTime,
    minutes: i32,
    tz: chrono_tz::Tz,
    count: i32,
) -> Result<Vec<NewSession>, PlanError> {
    use crate::domain::calendar;
    let horizon = first + chrono::Duration::weeks(i64::from(count) + 60);
    let closed = super::closures::closed_dates(conn, venue, first, horizon)?;
    let planned = calendar::weekly_sessions(
        first,
        start,
        i64::from(minutes),
        tz,
        count.max(0) as u32,
        &|d| closed.contains(&d),
    )
    .map_err(PlanError::Schedule)?;
    Ok(planned
        .into_iter()
        .map(|p| NewSession {
            kind: SessionKind::Group,
            number: Some(p.number as i32),
            starts_at: p.starts_at.naive_utc(),
            ends_at: p.ends_at.naive_utc(),
        })
        .collect())
}
