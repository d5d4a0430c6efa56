//! Each crèche child's key person in a cohort (EYFS): one of the cohort's crèche workers, one per
//! child per cohort.

use crate::db::schema::{creche_key_persons as kp, staff as st};
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A child's key person as the register and the family's export show it.
#[derive(Debug, Clone, Queryable, PartialEq, Eq)]
pub struct KeyPerson {
    pub id: i32,
    pub cohort_id: i32,
    pub child_id: i32,
    pub staff_id: i32,
    pub name: String,
    pub assigned_at: NaiveDateTime,
}

/// The columns of a key person, with the crèche worker's name.
type Columns = (
    kp::id,
    kp::cohort_id,
    kp::child_id,
    kp::staff_id,
    st::name,
    kp::assigned_at,
);

fn with_names() -> diesel::dsl::Select<diesel::dsl::InnerJoin<kp::table, st::table>, Columns> {
    kp::table.inner_join(st::table).select((
        kp::id,
        kp::cohort_id,
        kp::child_id,
        kp::staff_id,
        st::name,
        kp::assigned_at,
    ))
}

/// Every key person of a cohort's children.
pub fn of_cohort(conn: &mut DbConnection, cohort_id: i32) -> QueryResult<Vec<KeyPerson>> {
    with_names()
        .filter(kp::cohort_id.eq(cohort_id))
        .order(kp::child_id)
        .load(conn)
}

/// The key persons of some children, in every cohort.
pub fn of_children(conn: &mut DbConnection, child_ids: &[i32]) -> QueryResult<Vec<KeyPerson>> {
    with_names()
        .filter(kp::child_id.eq_any(child_ids))
        .order(kp::id)
        .load(conn)
}

/// Makes a crèche worker the child's key person in the cohort, replacing any other; returns the
/// staff id it replaced (`Some(None)` when there was none), or `None` when it was already so.
pub fn assign(
    conn: &mut DbConnection,
    cohort_id: i32,
    child_id: i32,
    staff_id: i32,
    by: Option<i32>,
    now: NaiveDateTime,
) -> QueryResult<Option<Option<i32>>> {
    let mine = kp::table
        .filter(kp::cohort_id.eq(cohort_id))
        .filter(kp::child_id.eq(child_id));
    let before: Option<i32> = mine.select(kp::staff_id).first(conn).optional()?;
    match before {
        Some(s) if s == staff_id => Ok(None),
        Some(_) => {
            diesel::update(mine)
                .set((
                    kp::staff_id.eq(staff_id),
                    kp::assigned_by.eq(by),
                    kp::assigned_at.eq(now),
                ))
                .execute(conn)?;
            Ok(Some(before))
        }
        None => {
            diesel::insert_into(kp::table)
                .values((
                    kp::cohort_id.eq(cohort_id),
                    kp::child_id.eq(child_id),
                    kp::staff_id.eq(staff_id),
                    kp::assigned_by.eq(by),
                    kp::assigned_at.eq(now),
                ))
                .execute(conn)?;
            Ok(Some(None))
        }
    }
}

/// Removes the child's key person in the cohort; whether there was one.
pub fn remove(conn: &mut DbConnection, cohort_id: i32, child_id: i32) -> QueryResult<bool> {
    let n = diesel::delete(
        kp::table
            .filter(kp::cohort_id.eq(cohort_id))
            .filter(kp::child_id.eq(child_id)),
    )
    .execute(conn)?;
    Ok(n > 0)
}
