//! Accidents, incidents and first aid in the crèche: one row per incident, under the booking that
//! gave the child a crèche place. Erasure blanks the words and keeps the row, so the report's
//! count of incidents stays the same.

use crate::db::schema::{
    booking_creche_children as bcc, bookings as bo, children as ch, cohorts as co,
    creche_incidents as ci, sessions as se,
};
use crate::db::DbConnection;
use crate::domain::status::BookingStatus;
use crate::store::Page;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable)]
pub struct Incident {
    pub id: i32,
    pub session_id: i32,
    pub booking_id: i32,
    pub child_id: i32,
    pub happened_at: NaiveDateTime,
    pub what_happened: String,
    /// "" when none was given.
    pub first_aid: String,
    pub witnesses: String,
    /// The crèche worker (or lead, or coordinator) who recorded it.
    pub recorded_by: Option<i32>,
    pub recorded_at: NaiveDateTime,
    /// When the parent said they had read it; null until then.
    pub acknowledged_at: Option<NaiveDateTime>,
    /// Set when the family was erased: the words are gone, the row stays for the count.
    pub erased_at: Option<NaiveDateTime>,
}

/// An incident with what a list shows beside it.
#[derive(Debug, Clone, Queryable)]
pub struct Listed {
    pub incident: Incident,
    pub family_id: i32,
    pub cohort_id: i32,
    pub child_first_name: String,
    pub cohort_title: String,
    pub session_starts_at: NaiveDateTime,
}

/// An incident as recorded, before it is stored.
#[derive(Debug, Clone)]
pub struct NewIncident<'a> {
    pub session_id: i32,
    pub booking_id: i32,
    pub child_id: i32,
    pub happened_at: NaiveDateTime,
    pub what_happened: &'a str,
    pub first_aid: &'a str,
    pub witnesses: &'a str,
    pub recorded_by: Option<i32>,
}

pub fn insert(
    conn: &mut DbConnection,
    new: &NewIncident,
    now: NaiveDateTime,
) -> QueryResult<Incident> {
    diesel::insert_into(ci::table)
        .values((
            ci::session_id.eq(new.session_id),
            ci::booking_id.eq(new.booking_id),
            ci::child_id.eq(new.child_id),
            ci::happened_at.eq(new.happened_at),
            ci::what_happened.eq(new.what_happened),
            ci::first_aid.eq(new.first_aid),
            ci::witnesses.eq(new.witnesses),
            ci::recorded_by.eq(new.recorded_by),
            ci::recorded_at.eq(now),
        ))
        .returning(ci::all_columns)
        .get_result(conn)
}

macro_rules! listed {
    () => {
        ci::table
            .inner_join(bo::table.on(bo::id.eq(ci::booking_id)))
            .inner_join(ch::table.on(ch::id.eq(ci::child_id)))
            .inner_join(co::table.on(co::id.eq(bo::cohort_id)))
            .inner_join(se::table.on(se::id.eq(ci::session_id)))
            .select((
                ci::all_columns,
                bo::family_id,
                bo::cohort_id,
                ch::first_name,
                co::title,
                se::starts_at,
            ))
    };
}

/// The confirmed booking that gives the child a crèche place on the cohort, if any (none for a
/// child whose family was erased).
pub fn creche_place(
    conn: &mut DbConnection,
    cohort_id: i32,
    child_id: i32,
) -> QueryResult<Option<i32>> {
    bcc::table
        .inner_join(bo::table.on(bo::id.eq(bcc::booking_id)))
        .inner_join(ch::table.on(ch::id.eq(bcc::child_id)))
        .filter(bcc::child_id.eq(child_id))
        .filter(ch::erased_at.is_null())
        .filter(bo::cohort_id.eq(cohort_id))
        .filter(bo::status.eq(BookingStatus::Confirmed.as_str()))
        .select(bo::id)
        .first(conn)
        .optional()
}

pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Listed>> {
    listed!().filter(ci::id.eq(id)).first(conn).optional()
}

/// A session's incidents, in the order they happened.
pub fn of_session(conn: &mut DbConnection, session_id: i32) -> QueryResult<Vec<Listed>> {
    listed!()
        .filter(ci::session_id.eq(session_id))
        .order((ci::happened_at, ci::id))
        .load(conn)
}

/// A family's incidents (of its children, under its bookings), newest first.
pub fn of_family(conn: &mut DbConnection, family_id: i32) -> QueryResult<Vec<Listed>> {
    listed!()
        .filter(bo::family_id.eq(family_id))
        .order((ci::happened_at.desc(), ci::id.desc()))
        .load(conn)
}

/// Incidents that happened in `from..until`, in the order they happened, a page of them.
pub fn in_period(
    conn: &mut DbConnection,
    from: NaiveDateTime,
    until: NaiveDateTime,
    limit: i64,
    offset: i64,
) -> QueryResult<Page<Listed>> {
    let total: i64 = ci::table
        .filter(ci::happened_at.ge(from))
        .filter(ci::happened_at.lt(until))
        .count()
        .get_result(conn)?;
    let items = listed!()
        .filter(ci::happened_at.ge(from))
        .filter(ci::happened_at.lt(until))
        .order((ci::happened_at, ci::id))
        .limit(limit)
        .offset(offset)
        .load(conn)?;
    Ok(Page { items, total })
}

/// (session, booking) of every incident under these cohorts' bookings: what the monitoring
/// report counts. No words are read, so erasure changes no count.
pub fn counted_of_cohorts(
    conn: &mut DbConnection,
    cohort_ids: &[i32],
) -> QueryResult<Vec<(i32, i32)>> {
    ci::table
        .inner_join(bo::table.on(bo::id.eq(ci::booking_id)))
        .filter(bo::cohort_id.eq_any(cohort_ids))
        .select((ci::session_id, ci::booking_id))
        .load(conn)
}

/// Records that the parent read the incident, the first time only: `false` when it was
/// acknowledged already.
pub fn acknowledge(conn: &mut DbConnection, id: i32, now: NaiveDateTime) -> QueryResult<bool> {
    let n = diesel::update(
        ci::table
            .filter(ci::id.eq(id))
            .filter(ci::acknowledged_at.is_null()),
    )
    .set(ci::acknowledged_at.eq(now))
    .execute(conn)?;
    Ok(n > 0)
}

/// Erasure: the family's incidents lose what happened, the first aid and the witnesses; the
/// rows (ids, session, time) stay for the report's count.
pub fn blank_for_family(
    conn: &mut DbConnection,
    family_id: i32,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let bookings = bo::table.filter(bo::family_id.eq(family_id)).select(bo::id);
    diesel::update(ci::table.filter(ci::booking_id.eq_any(bookings)))
        .set((
            ci::what_happened.eq(""),
            ci::first_aid.eq(""),
            ci::witnesses.eq(""),
            ci::erased_at.eq(now),
        ))
        .execute(conn)
}

/// Export: every incident under the family's bookings or about its children, in order.
pub fn for_export(
    conn: &mut DbConnection,
    booking_ids: &[i32],
    child_ids: &[i32],
) -> QueryResult<Vec<Incident>> {
    ci::table
        .filter(
            ci::booking_id
                .eq_any(booking_ids)
                .or(ci::child_id.eq_any(child_ids)),
        )
        .order(ci::id)
        .load(conn)
}
