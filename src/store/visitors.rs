//! One-off visitors: a family who came to one session without a place (the group was full, or
//! they were waiting for one). A visitor is present that day and holds no place: one row per
//! session and family (`UNIQUE (session_id, family_id)`), written with the session row locked.
//! The rows hold ids and a count of carers only, so erasure keeps them for the figures.

use crate::db::schema::{families as fa, session_visitors as sv, sessions as se};
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable)]
pub struct Visitor {
    pub id: i32,
    pub session_id: i32,
    pub family_id: i32,
    /// Carers who came: 1 or 2.
    pub carers: i32,
    /// The member of staff who added them; none once that login is gone.
    pub added_by: Option<i32>,
    pub added_at: NaiveDateTime,
}

/// The family's visit to this session, if recorded.
pub fn find(
    conn: &mut DbConnection,
    session_id: i32,
    family_id: i32,
) -> QueryResult<Option<Visitor>> {
    sv::table
        .filter(sv::session_id.eq(session_id))
        .filter(sv::family_id.eq(family_id))
        .first(conn)
        .optional()
}

/// Records a visit; the caller holds the session row and has checked there is none yet.
pub fn add(
    conn: &mut DbConnection,
    session_id: i32,
    family_id: i32,
    carers: i32,
    by: Option<i32>,
    now: NaiveDateTime,
) -> QueryResult<Visitor> {
    diesel::insert_into(sv::table)
        .values((
            sv::session_id.eq(session_id),
            sv::family_id.eq(family_id),
            sv::carers.eq(carers),
            sv::added_by.eq(by),
            sv::added_at.eq(now),
        ))
        .returning(sv::all_columns)
        .get_result(conn)
}

/// A session's visitors with their carers' names (blank once erased), in the order added.
pub fn of_session(
    conn: &mut DbConnection,
    session_id: i32,
) -> QueryResult<Vec<(Visitor, String, String)>> {
    sv::table
        .inner_join(fa::table)
        .filter(sv::session_id.eq(session_id))
        .select((sv::all_columns, fa::carer_one, fa::carer_two))
        .order(sv::id)
        .load(conn)
}

/// The visitors of some sessions (a cohort's), in the order added.
pub fn of_sessions(conn: &mut DbConnection, session_ids: &[i32]) -> QueryResult<Vec<Visitor>> {
    sv::table
        .filter(sv::session_id.eq_any(session_ids))
        .order(sv::id)
        .load(conn)
}

/// Every visit of a family, with when the session started and its cohort.
pub fn of_family(
    conn: &mut DbConnection,
    family_id: i32,
) -> QueryResult<Vec<(Visitor, NaiveDateTime, i32)>> {
    sv::table
        .inner_join(se::table)
        .filter(sv::family_id.eq(family_id))
        .select((sv::all_columns, se::starts_at, se::cohort_id))
        .order(sv::id)
        .load(conn)
}
