//! Closures (venue or all venues, date ranges) and coordinators' one-off bank-holiday changes.
//! `closed_dates` merges them with the bank-holiday rule for one venue.

use crate::db::schema::{bank_holiday_changes as bh, closures as cl};
use crate::db::DbConnection;
use crate::domain::calendar::{self, HolidayChange};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Queryable)]
pub struct Closure {
    pub id: i32,
    pub venue_id: Option<i32>,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
    pub reason: String,
    pub created_by: Option<i32>,
    pub created_at: NaiveDateTime,
    /// When the sessions it hit were moved or cancelled (`POST /closures/{id}/apply`).
    pub applied_at: Option<NaiveDateTime>,
}

pub struct NewClosure {
    pub venue_id: Option<i32>,
    pub from_date: NaiveDate,
    pub to_date: NaiveDate,
    pub reason: String,
    pub created_by: i32,
}

pub fn insert(conn: &mut DbConnection, c: &NewClosure, now: NaiveDateTime) -> QueryResult<Closure> {
    diesel::insert_into(cl::table)
        .values((
            cl::venue_id.eq(c.venue_id),
            cl::from_date.eq(c.from_date),
            cl::to_date.eq(c.to_date),
            cl::reason.eq(&c.reason),
            cl::created_by.eq(c.created_by),
            cl::created_at.eq(now),
        ))
        .returning(cl::all_columns)
        .get_result(conn)
}

pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Closure>> {
    cl::table.find(id).first(conn).optional()
}

/// Holds the closure row until the transaction ends (PostgreSQL), so that two applies of one
/// closure run one after the other and the second finds nothing left to move.
pub fn lock(conn: &mut DbConnection, id: i32) -> QueryResult<()> {
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query(format!(
            "SELECT id FROM closures WHERE id = {id} FOR UPDATE"
        ))
        .execute(pg)?;
    }
    Ok(())
}

/// Records when the sessions the closure hit were last moved or cancelled.
pub fn mark_applied(conn: &mut DbConnection, id: i32, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(cl::table.find(id))
        .set(cl::applied_at.eq(now))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConnection, id: i32) -> QueryResult<bool> {
    Ok(diesel::delete(cl::table.find(id)).execute(conn)? > 0)
}

/// Closures overlapping `[from, to]`, for one venue (plus all-venue closures) or every venue.
pub fn overlapping(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
    venue: Option<i32>,
) -> QueryResult<Vec<Closure>> {
    let mut q = cl::table
        .filter(cl::from_date.le(to))
        .filter(cl::to_date.ge(from))
        .into_boxed();
    if let Some(v) = venue {
        q = q.filter(cl::venue_id.eq(v).or(cl::venue_id.is_null()));
    }
    q.order((cl::from_date, cl::id)).load(conn)
}

/// The rule's known one-off changes plus those coordinators recorded.
pub fn holiday_changes(conn: &mut DbConnection) -> QueryResult<Vec<HolidayChange>> {
    let rows: Vec<(NaiveDate, String, String)> = bh::table
        .select((bh::holiday_date, bh::name, bh::change))
        .order(bh::id)
        .load(conn)?;
    let mut changes = calendar::known_changes();
    changes.extend(
        rows.into_iter()
            .map(|(date, name, change)| match change.as_str() {
                "remove" => HolidayChange::Remove { date },
                _ => HolidayChange::Add { date, name },
            }),
    );
    Ok(changes)
}

pub fn add_holiday_change(
    conn: &mut DbConnection,
    date: NaiveDate,
    name: &str,
    remove: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(bh::table)
        .values((
            bh::holiday_date.eq(date),
            bh::name.eq(name),
            bh::change.eq(if remove { "remove" } else { "add" }),
            bh::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Every date in `[from, to]` on which `venue` is closed: bank holidays and closures.
pub fn closed_dates(
    conn: &mut DbConnection,
    venue: i32,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<BTreeSet<NaiveDate>> {
    let changes = holiday_changes(conn)?;
    let mut closed: BTreeSet<NaiveDate> = calendar::bank_holidays_between(from, to, &changes)
        .into_iter()
        .map(|h| h.date)
        .collect();
    for c in overlapping(conn, from, to, Some(venue))? {
        let end = c.to_date.min(to);
        closed.extend(c.from_date.max(from).iter_days().take_while(|d| *d <= end));
    }
    Ok(closed)
}
