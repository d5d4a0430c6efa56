//! Follow-ups of families who miss sessions, and the contact attempts made. A follow-up never
//! changes a booking by itself; at most one is open per booking (a partial unique index).

use crate::db::schema::{
    cohort_team as ct, follow_up_contacts as fc, follow_ups as fu, staff as st,
};
use crate::db::DbConnection;
use crate::domain::status::{ContactMethod, FollowUpOutcome, FollowUpStatus};
use crate::store::bookings::Booking;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable)]
pub struct FollowUp {
    pub id: i32,
    pub booking_id: i32,
    pub cohort_id: i32,
    pub family_id: i32,
    pub trigger_session_id: i32,
    #[diesel(deserialize_as = String)]
    pub status: FollowUpStatus,
    pub outcome: Option<String>,
    pub note: String,
    pub opened_at: NaiveDateTime,
    pub closed_at: Option<NaiveDateTime>,
    pub closed_by: Option<i32>,
}

#[derive(Debug, Clone, Queryable)]
pub struct Contact {
    pub id: i32,
    pub follow_up_id: i32,
    pub at: NaiveDateTime,
    #[diesel(deserialize_as = String)]
    pub method: ContactMethod,
    pub reached: bool,
    pub note: String,
    pub recorded_by: Option<i32>,
    pub recorded_at: NaiveDateTime,
}

pub fn of_booking(conn: &mut DbConnection, booking_id: i32) -> QueryResult<Vec<FollowUp>> {
    fu::table
        .filter(fu::booking_id.eq(booking_id))
        .order(fu::id)
        .load(conn)
}

/// The follow-ups of these bookings, oldest first.
pub fn of_bookings(conn: &mut DbConnection, booking_ids: &[i32]) -> QueryResult<Vec<FollowUp>> {
    fu::table
        .filter(fu::booking_id.eq_any(booking_ids))
        .order(fu::id)
        .load(conn)
}

pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<Option<FollowUp>> {
    fu::table.find(id).first(conn).optional()
}

pub fn open(
    conn: &mut DbConnection,
    booking: &Booking,
    trigger_session_id: i32,
    now: NaiveDateTime,
) -> QueryResult<FollowUp> {
    diesel::insert_into(fu::table)
        .values((
            fu::booking_id.eq(booking.id),
            fu::cohort_id.eq(booking.cohort_id),
            fu::family_id.eq(booking.family_id),
            fu::trigger_session_id.eq(trigger_session_id),
            fu::status.eq(FollowUpStatus::Open.as_str()),
            fu::opened_at.eq(now),
        ))
        .returning(fu::all_columns)
        .get_result(conn)
}

/// Closes an open follow-up; false when it was already closed.
pub fn close(
    conn: &mut DbConnection,
    id: i32,
    outcome: FollowUpOutcome,
    note: &str,
    by: Option<i32>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = diesel::update(
        fu::table
            .find(id)
            .filter(fu::status.eq(FollowUpStatus::Open.as_str())),
    )
    .set((
        fu::status.eq(FollowUpStatus::Closed.as_str()),
        fu::outcome.eq(outcome.as_str()),
        fu::note.eq(note),
        fu::closed_at.eq(now),
        fu::closed_by.eq(by),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn set_note(conn: &mut DbConnection, id: i32, note: &str) -> QueryResult<()> {
    diesel::update(fu::table.find(id))
        .set(fu::note.eq(note))
        .execute(conn)?;
    Ok(())
}

/// A contact attempt to record.
pub struct NewContact<'a> {
    pub at: NaiveDateTime,
    pub method: ContactMethod,
    pub reached: bool,
    pub note: &'a str,
}

pub fn add_contact(
    conn: &mut DbConnection,
    follow_up_id: i32,
    c: &NewContact,
    by: i32,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(fc::table)
        .values((
            fc::follow_up_id.eq(follow_up_id),
            fc::at.eq(c.at),
            fc::method.eq(c.method.as_str()),
            fc::reached.eq(c.reached),
            fc::note.eq(c.note),
            fc::recorded_by.eq(by),
            fc::recorded_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn contacts_of(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<Contact>> {
    fc::table
        .filter(fc::follow_up_id.eq_any(ids))
        .order((fc::at, fc::id))
        .load(conn)
}

/// Which follow-ups to list: `lead_user` limits them to cohorts where that user is the lead or
/// a co-facilitator (the people who follow families up).
pub struct Filter {
    pub status: Option<FollowUpStatus>,
    pub cohort_id: Option<i32>,
    pub lead_user: Option<i32>,
}

pub fn list(
    conn: &mut DbConnection,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> QueryResult<(Vec<FollowUp>, i64)> {
    let query = || {
        let mut q = fu::table.into_boxed();
        if let Some(s) = f.status {
            q = q.filter(fu::status.eq(s.as_str()));
        }
        if let Some(c) = f.cohort_id {
            q = q.filter(fu::cohort_id.eq(c));
        }
        if let Some(user) = f.lead_user {
            let mine = ct::table
                .inner_join(st::table.on(st::id.eq(ct::staff_id)))
                .filter(st::user_id.eq(user))
                .filter(ct::role.eq_any(["lead", "co_facilitator"]))
                .select(ct::cohort_id);
            q = q.filter(fu::cohort_id.eq_any(mine));
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let rows = query()
        .order((fu::opened_at.desc(), fu::id.desc()))
        .limit(limit)
        .offset(offset)
        .load(conn)?;
    Ok((rows, total))
}
