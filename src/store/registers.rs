//! Session registers: one attendance mark per booking per session and one crèche sign-in per
//! child per session. Changes run in `write_transaction` with the session row locked, and bump the
//! session's `register_version` (the register's ETag), so concurrent markers are serialised and a
//! stale writer is refused instead of overwriting.

use crate::db::schema::{attendance_marks as am, creche_attendance as ca, sessions as se};
use crate::db::DbConnection;
use crate::domain::register::Mark;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Queryable)]
pub struct MarkRow {
    pub id: i32,
    pub session_id: i32,
    pub booking_id: i32,
    #[diesel(deserialize_as = String)]
    pub status: Mark,
    pub marked_by: Option<i32>,
    pub marked_at: NaiveDateTime,
    /// A late arrival's time; null for on time (or not recorded).
    pub arrived_at: Option<NaiveDateTime>,
    /// An early leave's time; null for stayed to the end (or not recorded).
    pub left_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable)]
pub struct CrecheRow {
    pub id: i32,
    pub session_id: i32,
    pub booking_id: i32,
    pub child_id: i32,
    pub signed_in_at: NaiveDateTime,
    pub signed_out_at: Option<NaiveDateTime>,
    pub collected_by: String,
    pub marked_by: Option<i32>,
    pub marked_at: NaiveDateTime,
    /// The authorised collector who collected (null for a carer of the family).
    pub collector_id: Option<i32>,
    /// A coordinator's reason for letting someone not on the list collect the child.
    pub collection_override: String,
}

/// Holds the session row until the transaction ends (PostgreSQL; SQLite's BEGIN IMMEDIATE
/// already serialises writers).
pub fn lock_session(conn: &mut DbConnection, session_id: i32) -> QueryResult<()> {
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query(format!(
            "SELECT id FROM sessions WHERE id = {session_id} FOR UPDATE"
        ))
        .execute(pg)?;
    }
    Ok(())
}

/// The session, locked for this transaction on PostgreSQL as [`lock_session`] locks it (SQLite's
/// write transaction holds the whole database already).
pub fn session_for_update(
    conn: &mut DbConnection,
    session_id: i32,
) -> QueryResult<Option<crate::store::cohorts::Session>> {
    match conn {
        DbConnection::Postgres(pg) => se::table.find(session_id).for_update().first(pg).optional(),
        _ => crate::store::cohorts::find_session(conn, session_id),
    }
}

pub fn marks_of_session(conn: &mut DbConnection, session_id: i32) -> QueryResult<Vec<MarkRow>> {
    marks_of_sessions(conn, &[session_id])
}

/// Every mark of a cohort's sessions.
pub fn marks_of_sessions(
    conn: &mut DbConnection,
    session_ids: &[i32],
) -> QueryResult<Vec<MarkRow>> {
    am::table
        .filter(am::session_id.eq_any(session_ids))
        .order(am::id)
        .load(conn)
}

/// A late arrival and an early leave on a mark (`None`: on time, or not recorded).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MarkTimes {
    pub arrived_at: Option<NaiveDateTime>,
    pub left_at: Option<NaiveDateTime>,
}

/// Records a mark with its times; returns the previous status when anything changed, `None`
/// when it was already so.
pub fn set_mark(
    conn: &mut DbConnection,
    session_id: i32,
    booking_id: i32,
    status: Mark,
    times: &MarkTimes,
    by: i32,
    now: NaiveDateTime,
) -> QueryResult<Option<Option<Mark>>> {
    let wanted = [(booking_id, status, *times)];
    Ok(set_marks(conn, session_id, &wanted, by, now)?
        .pop()
        .flatten())
}

/// Records marks at one session (each booking named once), in a few statements whatever their
/// number: the marks there read once, the new ones inserted together, the changed ones updated
/// together per mark and times. Returns, for each in order, what [`set_mark`] returns.
pub fn set_marks(
    conn: &mut DbConnection,
    session_id: i32,
    wanted: &[(i32, Mark, MarkTimes)],
    by: i32,
    now: NaiveDateTime,
) -> QueryResult<Vec<Option<Option<Mark>>>> {
    let ids: Vec<i32> = wanted.iter().map(|w| w.0).collect();
    let existing: BTreeMap<i32, MarkRow> = am::table
        .filter(am::session_id.eq(session_id))
        .filter(am::booking_id.eq_any(&ids))
        .load::<MarkRow>(conn)?
        .into_iter()
        .map(|m| (m.booking_id, m))
        .collect();
    set_marks_over(conn, session_id, &existing, wanted, by, now)
}

/// [`set_marks`] when the session's marks (by booking) were read already in this transaction,
/// under the session's lock.
pub fn set_marks_over(
    conn: &mut DbConnection,
    session_id: i32,
    existing: &BTreeMap<i32, MarkRow>,
    wanted: &[(i32, Mark, MarkTimes)],
    by: i32,
    now: NaiveDateTime,
) -> QueryResult<Vec<Option<Option<Mark>>>> {
    type Changed = (&'static str, Option<NaiveDateTime>, Option<NaiveDateTime>);
    let (mut out, mut inserts) = (Vec::with_capacity(wanted.len()), Vec::new());
    let mut updates: BTreeMap<Changed, Vec<i32>> = BTreeMap::new();
    for (booking_id, status, times) in wanted {
        match existing.get(booking_id) {
            Some(m)
                if m.status == *status
                    && m.arrived_at == times.arrived_at
                    && m.left_at == times.left_at =>
            {
                out.push(None)
            }
            Some(m) => {
                let change = (status.as_str(), times.arrived_at, times.left_at);
                updates.entry(change).or_default().push(m.id);
                out.push(Some(Some(m.status)));
            }
            None => {
                inserts.push((
                    am::session_id.eq(session_id),
                    am::booking_id.eq(*booking_id),
                    am::status.eq(status.as_str()),
                    am::arrived_at.eq(times.arrived_at),
                    am::left_at.eq(times.left_at),
                    am::marked_by.eq(by),
                    am::marked_at.eq(now),
                ));
                out.push(Some(None));
            }
        }
    }
    for ((status, arrived_at, left_at), ids) in updates {
        diesel::update(am::table.filter(am::id.eq_any(ids)))
            .set((
                am::status.eq(status),
                am::arrived_at.eq(arrived_at),
                am::left_at.eq(left_at),
                am::marked_by.eq(by),
                am::marked_at.eq(now),
            ))
            .execute(conn)?;
    }
    super::insert_all!(conn, am::table, inserts);
    Ok(out)
}

pub fn creche_of_session(conn: &mut DbConnection, session_id: i32) -> QueryResult<Vec<CrecheRow>> {
    ca::table
        .filter(ca::session_id.eq(session_id))
        .order(ca::id)
        .load(conn)
}

/// A child's sign-in as the register now says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignIn {
    pub signed_in_at: NaiveDateTime,
    pub signed_out_at: Option<NaiveDateTime>,
    pub collected_by: String,
    /// The listed collector who collected the child (`None` for a carer of the family).
    pub collector_id: Option<i32>,
    /// A coordinator's reason for letting someone not on the list collect the child, or ''.
    pub collection_override: String,
}

impl From<&CrecheRow> for SignIn {
    fn from(r: &CrecheRow) -> Self {
        SignIn {
            signed_in_at: r.signed_in_at,
            signed_out_at: r.signed_out_at,
            collected_by: r.collected_by.clone(),
            collector_id: r.collector_id,
            collection_override: r.collection_override.clone(),
        }
    }
}

/// Records (or, with `None`, removes) a child's sign-in; returns whether anything changed.
pub fn set_sign_in(
    conn: &mut DbConnection,
    session_id: i32,
    booking_id: i32,
    child_id: i32,
    sign_in: Option<&SignIn>,
    by: i32,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let existing: Option<CrecheRow> = ca::table
        .filter(ca::session_id.eq(session_id))
        .filter(ca::child_id.eq(child_id))
        .first(conn)
        .optional()?;
    match (existing, sign_in) {
        (None, None) => Ok(false),
        (Some(row), None) => {
            diesel::delete(ca::table.find(row.id)).execute(conn)?;
            Ok(true)
        }
        (Some(row), Some(s)) if SignIn::from(&row) == *s => Ok(false),
        (Some(row), Some(s)) => {
            diesel::update(ca::table.find(row.id))
                .set((
                    ca::signed_in_at.eq(s.signed_in_at),
                    ca::signed_out_at.eq(s.signed_out_at),
                    ca::collected_by.eq(&s.collected_by),
                    ca::collector_id.eq(s.collector_id),
                    ca::collection_override.eq(&s.collection_override),
                    ca::marked_by.eq(by),
                    ca::marked_at.eq(now),
                ))
                .execute(conn)?;
            Ok(true)
        }
        (None, Some(s)) => {
            diesel::insert_into(ca::table)
                .values((
                    ca::session_id.eq(session_id),
                    ca::booking_id.eq(booking_id),
                    ca::child_id.eq(child_id),
                    ca::signed_in_at.eq(s.signed_in_at),
                    ca::signed_out_at.eq(s.signed_out_at),
                    ca::collected_by.eq(&s.collected_by),
                    ca::collector_id.eq(s.collector_id),
                    ca::collection_override.eq(&s.collection_override),
                    ca::marked_by.eq(by),
                    ca::marked_at.eq(now),
                ))
                .execute(conn)?;
            Ok(true)
        }
    }
}

/// Crèche staff present at a session; `None` means as assigned to the cohort.
pub fn set_creche_staff_present(
    conn: &mut DbConnection,
    session_id: i32,
    present: Option<i32>,
) -> QueryResult<()> {
    diesel::update(se::table.find(session_id))
        .set(se::creche_staff_present.eq(present))
        .execute(conn)?;
    Ok(())
}

/// The facilitators' notes on a session.
pub fn set_notes(conn: &mut DbConnection, session_id: i32, notes: &str) -> QueryResult<()> {
    diesel::update(se::table.find(session_id))
        .set(se::register_notes.eq(notes))
        .execute(conn)?;
    Ok(())
}

/// Marks the register changed: its ETag moves on. Returns the session as it now stands.
pub fn bump_version(
    conn: &mut DbConnection,
    session_id: i32,
) -> QueryResult<crate::store::cohorts::Session> {
    diesel::update(se::table.find(session_id))
        .set(se::register_version.eq(se::register_version + 1))
        .get_result(conn)
}
