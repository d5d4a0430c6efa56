//! Apologies sent in advance: one per booking and session (`UNIQUE (booking_id, session_id)`),
//! with an optional short reason and who gave it (the family's parent, or staff taking a call).

use crate::db::schema::{apologies as ap, attendance_marks as am};
use crate::db::DbConnection;
use crate::domain::register::Mark;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable)]
pub struct Apology {
    pub id: i32,
    pub booking_id: i32,
    pub session_id: i32,
    pub reason: String,
    /// The user who gave it; none once that login is gone.
    pub given_by: Option<i32>,
    pub created_at: NaiveDateTime,
}

/// An apology to write.
#[derive(Debug, Clone, Copy)]
pub struct NewApology<'a> {
    pub booking_id: i32,
    pub session_id: i32,
    pub reason: &'a str,
    pub given_by: Option<i32>,
}

/// What an insert did: a new apology, or the one already there for that session.
#[derive(Debug, Clone)]
pub enum Given {
    New(Apology),
    Already(Apology),
}

/// Inserts the apology, or returns the one already given for that booking and session (also
/// when a concurrent request wrote it first: the insert runs in a savepoint, so the unique
/// violation leaves the transaction usable on PostgreSQL).
pub fn insert(
    conn: &mut DbConnection,
    new: &NewApology<'_>,
    now: NaiveDateTime,
) -> QueryResult<Given> {
    if let Some(a) = find(conn, new.booking_id, new.session_id)? {
        return Ok(Given::Already(a));
    }
    let attempt = conn.transaction(|c| {
        diesel::insert_into(ap::table)
            .values((
                ap::booking_id.eq(new.booking_id),
                ap::session_id.eq(new.session_id),
                ap::reason.eq(new.reason),
                ap::given_by.eq(new.given_by),
                ap::created_at.eq(now),
            ))
            .returning(ap::all_columns)
            .get_result::<Apology>(c)
    });
    match attempt {
        Ok(a) => Ok(Given::New(a)),
        Err(e) if crate::db::unique_violated(&e) == Some(crate::db::Unique::Apology) => {
            find(conn, new.booking_id, new.session_id)?
                .map(Given::Already)
                .ok_or(e)
        }
        Err(e) => Err(e),
    }
}

pub fn find(
    conn: &mut DbConnection,
    booking_id: i32,
    session_id: i32,
) -> QueryResult<Option<Apology>> {
    ap::table
        .filter(ap::booking_id.eq(booking_id))
        .filter(ap::session_id.eq(session_id))
        .first(conn)
        .optional()
}

/// A booking's apologies, in the order given.
pub fn of_booking(conn: &mut DbConnection, booking_id: i32) -> QueryResult<Vec<Apology>> {
    of_bookings(conn, &[booking_id])
}

/// The apologies of these bookings, in the order given (the subject access export).
pub fn of_bookings(conn: &mut DbConnection, booking_ids: &[i32]) -> QueryResult<Vec<Apology>> {
    ap::table
        .filter(ap::booking_id.eq_any(booking_ids))
        .order(ap::id)
        .load(conn)
}

/// The apologies sent for one session (its register).
pub fn of_session(conn: &mut DbConnection, session_id: i32) -> QueryResult<Vec<Apology>> {
    ap::table
        .filter(ap::session_id.eq(session_id))
        .order(ap::id)
        .load(conn)
}

/// The bookings that sent apologies for a session, in advance or as a register mark.
pub fn bookings_excused(conn: &mut DbConnection, session_id: i32) -> QueryResult<Vec<i32>> {
    let mut ids: Vec<i32> = ap::table
        .filter(ap::session_id.eq(session_id))
        .select(ap::booking_id)
        .load(conn)?;
    ids.extend(
        am::table
            .filter(am::session_id.eq(session_id))
            .filter(am::status.eq(Mark::Apologies.as_str()))
            .select(am::booking_id)
            .load::<i32>(conn)?,
    );
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Withdraws an apology; whether there was one.
pub fn delete(conn: &mut DbConnection, id: i32) -> QueryResult<bool> {
    Ok(diesel::delete(ap::table.find(id)).execute(conn)? > 0)
}
