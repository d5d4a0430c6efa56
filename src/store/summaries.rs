//! Read-only figures over a cohort's registers, follow-ups and outcome measures.

use crate::db::schema::{bookings as bo, follow_ups as fu, outcome_measures as om};
use crate::db::DbConnection;
use crate::domain::status::FollowUpStatus;
use diesel::prelude::*;

/// (booking id, measure, phase, score) of every outcome recorded for a cohort's bookings.
pub fn outcome_scores(
    conn: &mut DbConnection,
    cohort_id: i32,
) -> QueryResult<Vec<(i32, String, String, f64)>> {
    om::table
        .inner_join(bo::table)
        .filter(bo::cohort_id.eq(cohort_id))
        .select((om::booking_id, om::measure, om::phase, om::score))
        .order(om::id)
        .load(conn)
}

/// (booking id, status, outcome) of every follow-up of a cohort.
pub fn follow_ups(
    conn: &mut DbConnection,
    cohort_id: i32,
) -> QueryResult<Vec<(i32, FollowUpStatus, Option<String>)>> {
    let rows: Vec<(i32, String, Option<String>)> = fu::table
        .filter(fu::cohort_id.eq(cohort_id))
        .select((fu::booking_id, fu::status, fu::outcome))
        .order(fu::id)
        .load(conn)?;
    rows.into_iter()
        .map(|(booking, status, outcome)| Ok((booking, super::stored(status)?, outcome)))
        .collect()
}
