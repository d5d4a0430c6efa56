//! Outcome measures: a family's questionnaire scores before (`pre`) and after (`post`) a group,
//! one of each per measure per booking (UNIQUE(booking_id, measure, phase)).

use crate::db::schema::outcome_measures as om;
use crate::db::DbConnection;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable)]
pub struct Outcome {
    pub id: i32,
    pub booking_id: i32,
    pub measure: String,
    pub phase: String,
    pub score: f64,
    pub recorded_on: NaiveDate,
    pub recorded_by: Option<i32>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub struct NewOutcome<'a> {
    pub booking_id: i32,
    pub measure: &'a str,
    pub phase: &'a str,
    pub score: f64,
    pub recorded_on: NaiveDate,
    pub recorded_by: i32,
}

/// What an insert came to: the new record, or the id of the one already there.
pub enum Recorded {
    New(Outcome),
    Duplicate(Option<i32>),
}

/// Inserts a score. The UNIQUE constraint decides duplicates, so two facilitators saving the
/// same score at once get one record and one `Duplicate`. The insert runs in a savepoint so
/// that, on PostgreSQL, the surrounding transaction can still look up the record that won.
pub fn insert(
    conn: &mut DbConnection,
    new: &NewOutcome,
    now: NaiveDateTime,
) -> QueryResult<Recorded> {
    let attempt = conn.transaction(|c| {
        diesel::insert_into(om::table)
            .values((
                om::booking_id.eq(new.booking_id),
                om::measure.eq(new.measure),
                om::phase.eq(new.phase),
                om::score.eq(new.score),
                om::recorded_on.eq(new.recorded_on),
                om::recorded_by.eq(new.recorded_by),
                om::created_at.eq(now),
                om::updated_at.eq(now),
            ))
            .returning(om::all_columns)
            .get_result::<Outcome>(c)
    });
    match attempt {
        Ok(o) => Ok(Recorded::New(o)),
        Err(e) if crate::db::unique_violated(&e) == Some(crate::db::Unique::OutcomeMeasure) => {
            let existing = om::table
                .filter(om::booking_id.eq(new.booking_id))
                .filter(om::measure.eq(new.measure))
                .filter(om::phase.eq(new.phase))
                .select(om::id)
                .first::<i32>(conn)
                .optional()?;
            Ok(Recorded::Duplicate(existing))
        }
        Err(e) => Err(e),
    }
}

/// A booking's scores, by measure, `pre` before `post` (sorted here: the databases' collations
/// differ).
pub fn of_booking(conn: &mut DbConnection, booking_id: i32) -> QueryResult<Vec<Outcome>> {
    let mut rows: Vec<Outcome> = om::table.filter(om::booking_id.eq(booking_id)).load(conn)?;
    rows.sort_by(|a, b| (&a.measure, a.phase != "pre").cmp(&(&b.measure, b.phase != "pre")));
    Ok(rows)
}

/// One score of one booking (`None` for another booking's).
pub fn find(conn: &mut DbConnection, booking_id: i32, id: i32) -> QueryResult<Option<Outcome>> {
    om::table
        .find(id)
        .filter(om::booking_id.eq(booking_id))
        .first(conn)
        .optional()
}

/// Corrects a score and/or its date; measure and phase stay as recorded.
pub fn correct(
    conn: &mut DbConnection,
    id: i32,
    score: f64,
    recorded_on: NaiveDate,
    now: NaiveDateTime,
) -> QueryResult<Outcome> {
    diesel::update(om::table.find(id))
        .set((
            om::score.eq(score),
            om::recorded_on.eq(recorded_on),
            om::updated_at.eq(now),
        ))
        .returning(om::all_columns)
        .get_result(conn)
}

/// Moves a booking's scores to another booking (a family moved to another group keeps them;
/// `updated_at` stays: the scores themselves did not change).
pub fn move_to_booking(conn: &mut DbConnection, from: i32, to: i32) -> QueryResult<usize> {
    diesel::update(om::table.filter(om::booking_id.eq(from)))
        .set(om::booking_id.eq(to))
        .execute(conn)
}
