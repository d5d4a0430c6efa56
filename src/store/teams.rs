//! Cohort teams: who is on which cohort in which role, and the other commitments of the people
//! being assigned. Team changes run in `write_transaction` and lock the staff rows involved
//! (`lock_staff`) on PostgreSQL, so two coordinators cannot double-book one person at once.

use crate::db::schema::{cohort_team as ct, cohorts as co, sessions as se};
use crate::db::DbConnection;
use crate::domain::status::{CohortStatus, SessionStatus};
use crate::domain::team::Commitment;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use std::collections::BTreeMap;

/// (staff id, role) pairs of a cohort's team.
pub fn team_of(conn: &mut DbConnection, cohort_id: i32) -> QueryResult<Vec<(i32, String)>> {
    ct::table
        .filter(ct::cohort_id.eq(cohort_id))
        .order(ct::id)
        .select((ct::staff_id, ct::role))
        .load(conn)
}

pub fn replace_team(
    conn: &mut DbConnection,
    cohort_id: i32,
    team: &[(i32, &str)],
) -> QueryResult<()> {
    diesel::delete(ct::table.filter(ct::cohort_id.eq(cohort_id))).execute(conn)?;
    for (staff_id, role) in team {
        diesel::insert_into(ct::table)
            .values((
                ct::cohort_id.eq(cohort_id),
                ct::staff_id.eq(staff_id),
                ct::role.eq(*role),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Holds the staff rows until the transaction ends (PostgreSQL), so concurrent assignments of
/// one person are decided one after the other. SQLite's BEGIN IMMEDIATE already serialises.
pub fn lock_staff(conn: &mut DbConnection, staff_ids: &[i32]) -> QueryResult<()> {
    if let DbConnection::Postgres(pg) = conn {
        if staff_ids.is_empty() {
            return Ok(());
        }
        let list = staff_ids
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        diesel::sql_query(format!(
            "SELECT id FROM staff WHERE id IN ({list}) ORDER BY id FOR UPDATE"
        ))
        .execute(pg)?;
    }
    Ok(())
}

/// Scheduled sessions where these people are present (not as supervisor) in other live cohorts.
pub fn commitments(
    conn: &mut DbConnection,
    staff_ids: &[i32],
    except_cohort: i32,
) -> QueryResult<Vec<Commitment>> {
    let rows: Vec<(i32, i32, String, NaiveDateTime, NaiveDateTime)> = ct::table
        .inner_join(co::table.inner_join(se::table))
        .filter(ct::staff_id.eq_any(staff_ids))
        .filter(ct::role.ne("supervisor"))
        .filter(co::id.ne(except_cohort))
        .filter(co::status.ne(CohortStatus::Cancelled.as_str()))
        .filter(se::status.eq(SessionStatus::Scheduled.as_str()))
        .select((ct::staff_id, co::id, co::title, se::starts_at, se::ends_at))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(person_id, cohort_id, cohort_title, s, e)| Commitment {
            person_id,
            cohort_id,
            cohort_title,
            starts_at: s.and_utc(),
            ends_at: e.and_utc(),
        })
        .collect())
}

/// Other live cohorts this person supervises, with their scheduled session starts.
pub fn supervised_by(
    conn: &mut DbConnection,
    staff_id: i32,
    except_cohort: i32,
) -> QueryResult<Vec<(i32, String, Vec<NaiveDateTime>)>> {
    let rows: Vec<(i32, String, NaiveDateTime)> = ct::table
        .inner_join(co::table.inner_join(se::table))
        .filter(ct::staff_id.eq(staff_id))
        .filter(ct::role.eq("supervisor"))
        .filter(co::id.ne(except_cohort))
        .filter(co::status.ne(CohortStatus::Cancelled.as_str()))
        .filter(se::status.eq(SessionStatus::Scheduled.as_str()))
        .select((co::id, co::title, se::starts_at))
        .load(conn)?;
    let mut out: BTreeMap<i32, (String, Vec<NaiveDateTime>)> = BTreeMap::new();
    for (id, title, start) in rows {
        out.entry(id)
            .or_insert_with(|| (title, Vec::new()))
            .1
            .push(start);
    }
    Ok(out.into_iter().map(|(id, (t, s))| (id, t, s)).collect())
}

/// The roles a signed-in user holds on a cohort's team, through their staff record.
pub fn team_roles_of_user(
    conn: &mut DbConnection,
    cohort_id: i32,
    user_id: i32,
) -> QueryResult<Vec<String>> {
    use crate::db::schema::staff as st;
    ct::table
        .inner_join(st::table.on(st::id.eq(ct::staff_id)))
        .filter(ct::cohort_id.eq(cohort_id))
        .filter(st::user_id.eq(user_id))
        .filter(st::active.eq(true))
        .select(ct::role)
        .load(conn)
}

/// Cohort ids and roles for a staff member.
pub fn roles_of_staff(conn: &mut DbConnection, staff_id: i32) -> QueryResult<Vec<(i32, String)>> {
    ct::table
        .filter(ct::staff_id.eq(staff_id))
        .select((ct::cohort_id, ct::role))
        .order(ct::cohort_id)
        .load(conn)
}

/// Team members of several cohorts: cohort id → (staff id, role).
pub fn teams_of_many(
    conn: &mut DbConnection,
    cohort_ids: &[i32],
) -> QueryResult<BTreeMap<i32, Vec<(i32, String)>>> {
    let rows: Vec<(i32, i32, String)> = ct::table
        .filter(ct::cohort_id.eq_any(cohort_ids))
        .select((ct::cohort_id, ct::staff_id, ct::role))
        .order(ct::id)
        .load(conn)?;
    let mut out: BTreeMap<i32, Vec<(i32, String)>> = BTreeMap::new();
    for (c, s, r) in rows {
        out.entry(c).or_default().push((s, r));
    }
    Ok(out)
}
