//! Bookings and the waiting list. Every change of capacity happens inside `write_transaction`
//! with the cohort row locked (PostgreSQL `FOR UPDATE`; SQLite's `BEGIN IMMEDIATE` holds the
//! write lock), and a parent place is taken by a conditional update backed by a CHECK, so no
//! interleaving of requests, on one process or many, can overbook.

use crate::db::schema::{
    booking_creche_children as bc, bookings as bo, children as ch, cohorts as co,
    notifications as no,
};
use crate::db::DbConnection;
use crate::domain::status::BookingStatus;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable)]
pub struct Booking {
    pub id: i32,
    pub cohort_id: i32,
    pub family_id: i32,
    #[diesel(deserialize_as = String)]
    pub status: BookingStatus,
    pub carers: i32,
    pub booked_by: Option<i32>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub confirmed_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
    /// This group's access needs (copied from the family when booked).
    pub access_needs: String,
    pub interpreter_needed: bool,
    /// Set when `transferred`: the booking in the other group.
    pub transferred_to: Option<i32>,
    /// Made on the register for a family who walked in.
    pub walk_in: bool,
}

impl Booking {
    pub fn is_active(&self) -> bool {
        self.status.is_active()
    }
}

/// Holds the cohort row until the transaction ends (PostgreSQL).
pub fn lock_cohort(conn: &mut DbConnection, cohort_id: i32) -> QueryResult<()> {
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query(format!(
            "SELECT id FROM cohorts WHERE id = {cohort_id} FOR UPDATE"
        ))
        .execute(pg)?;
    }
    Ok(())
}

/// Takes one parent place if one is left; false when the cohort is full.
pub fn take_place(conn: &mut DbConnection, cohort_id: i32) -> QueryResult<bool> {
    let n = diesel::update(
        co::table
            .find(cohort_id)
            .filter(co::confirmed_count.lt(co::places)),
    )
    .set(co::confirmed_count.eq(co::confirmed_count + 1))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn release_place(conn: &mut DbConnection, cohort_id: i32) -> QueryResult<()> {
    diesel::update(co::table.find(cohort_id).filter(co::confirmed_count.gt(0)))
        .set(co::confirmed_count.eq(co::confirmed_count - 1))
        .execute(conn)?;
    Ok(())
}

/// Frees every parent place of a cohort (its confirmed bookings have all ended).
pub fn release_all_places(conn: &mut DbConnection, cohort_id: i32) -> QueryResult<()> {
    diesel::update(co::table.find(cohort_id))
        .set(co::confirmed_count.eq(0))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Booking>> {
    bo::table.find(id).first(conn).optional()
}

/// These bookings (those that exist), by id.
pub fn find_many(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<Vec<Booking>> {
    bo::table
        .filter(bo::id.eq_any(ids))
        .order(bo::id)
        .load(conn)
}

pub fn active_for(
    conn: &mut DbConnection,
    cohort_id: i32,
    family_id: i32,
) -> QueryResult<Option<Booking>> {
    bo::table
        .filter(bo::cohort_id.eq(cohort_id))
        .filter(bo::family_id.eq(family_id))
        .filter(bo::status.eq_any([
            BookingStatus::Confirmed.as_str(),
            BookingStatus::Waitlisted.as_str(),
        ]))
        .first(conn)
        .optional()
}

/// A booking to record, already decided confirmed or waitlisted.
pub struct NewBooking<'a> {
    pub cohort_id: i32,
    pub family_id: i32,
    pub confirmed: bool,
    pub carers: i32,
    pub booked_by: i32,
    pub creche_children: &'a [i32],
    /// The family's, as they stand when booking; changed per booking afterwards.
    pub access_needs: &'a str,
    pub interpreter_needed: bool,
    /// Made on the register for a family who walked in.
    pub walk_in: bool,
}

pub fn insert(
    conn: &mut DbConnection,
    new: NewBooking,
    now: NaiveDateTime,
) -> QueryResult<Booking> {
    let NewBooking {
        cohort_id,
        family_id,
        confirmed,
        carers,
        booked_by,
        creche_children,
        access_needs,
        interpreter_needed,
        walk_in,
    } = new;
    let b: Booking = diesel::insert_into(bo::table)
        .values((
            bo::cohort_id.eq(cohort_id),
            bo::family_id.eq(family_id),
            bo::status.eq(if confirmed {
                BookingStatus::Confirmed
            } else {
                BookingStatus::Waitlisted
            }
            .as_str()),
            bo::carers.eq(carers),
            bo::booked_by.eq(booked_by),
            bo::created_at.eq(now),
            bo::updated_at.eq(now),
            bo::confirmed_at.eq(confirmed.then_some(now)),
            bo::access_needs.eq(access_needs),
            bo::interpreter_needed.eq(interpreter_needed),
            bo::walk_in.eq(walk_in),
        ))
        .returning(bo::all_columns)
        .get_result(conn)?;
    add_creche_children(conn, b.id, creche_children)?;
    Ok(b)
}

pub fn set_status(
    conn: &mut DbConnection,
    id: i32,
    status: BookingStatus,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let ends = status.is_ended();
    diesel::update(bo::table.find(id))
        .set((bo::status.eq(status.as_str()), bo::updated_at.eq(now)))
        .execute(conn)?;
    if ends {
        diesel::update(bo::table.find(id))
            .set(bo::ended_at.eq(now))
            .execute(conn)?;
    } else if status == BookingStatus::Confirmed {
        diesel::update(bo::table.find(id))
            .set(bo::confirmed_at.eq(now))
            .execute(conn)?;
    }
    Ok(())
}

/// A booking's own details, changed after booking (`PATCH /bookings/{id}`).
pub struct Details<'a> {
    pub carers: i32,
    pub access_needs: &'a str,
    pub interpreter_needed: bool,
}

pub fn set_details(
    conn: &mut DbConnection,
    id: i32,
    d: Details,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(bo::table.find(id))
        .set((
            bo::carers.eq(d.carers),
            bo::access_needs.eq(d.access_needs),
            bo::interpreter_needed.eq(d.interpreter_needed),
            bo::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Ends a booking as `transferred` to booking `to`, in one statement: the CHECK ties the status
/// to `transferred_to`.
pub fn mark_transferred(
    conn: &mut DbConnection,
    id: i32,
    to: i32,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(bo::table.find(id))
        .set((
            bo::status.eq(BookingStatus::Transferred.as_str()),
            bo::transferred_to.eq(Some(to)),
            bo::updated_at.eq(now),
            bo::ended_at.eq(Some(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Gives these children crèche places on a booking.
pub fn add_creche_children(
    conn: &mut DbConnection,
    booking_id: i32,
    children: &[i32],
) -> QueryResult<()> {
    for child in children {
        diesel::insert_into(bc::table)
            .values((bc::booking_id.eq(booking_id), bc::child_id.eq(child)))
            .execute(conn)?;
    }
    Ok(())
}

/// Takes these children's crèche places off a booking.
pub fn remove_creche_children(
    conn: &mut DbConnection,
    booking_id: i32,
    children: &[i32],
) -> QueryResult<()> {
    if children.is_empty() {
        return Ok(());
    }
    diesel::delete(
        bc::table
            .filter(bc::booking_id.eq(booking_id))
            .filter(bc::child_id.eq_any(children)),
    )
    .execute(conn)?;
    Ok(())
}

/// Crèche children of bookings: booking id → (child id, date of birth).
pub fn creche_children(
    conn: &mut DbConnection,
    booking_ids: &[i32],
) -> QueryResult<Vec<(i32, i32, Option<NaiveDate>)>> {
    bc::table
        .inner_join(ch::table)
        .filter(bc::booking_id.eq_any(booking_ids))
        .select((bc::booking_id, ch::id, ch::date_of_birth))
        .order(bc::id)
        .load(conn)
}

/// Bookings of a cohort with a status, oldest first (the waiting list's order).
pub fn of_cohort(
    conn: &mut DbConnection,
    cohort_id: i32,
    status: BookingStatus,
) -> QueryResult<Vec<Booking>> {
    bo::table
        .filter(bo::cohort_id.eq(cohort_id))
        .filter(bo::status.eq(status.as_str()))
        .order(bo::id)
        .load(conn)
}

/// A cohort's bookings in any of these statuses, oldest first.
pub fn of_cohort_in(
    conn: &mut DbConnection,
    cohort_id: i32,
    statuses: &[BookingStatus],
) -> QueryResult<Vec<Booking>> {
    let statuses: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
    bo::table
        .filter(bo::cohort_id.eq(cohort_id))
        .filter(bo::status.eq_any(statuses))
        .order(bo::id)
        .load(conn)
}

/// Dates of birth of the children holding crèche places in a cohort.
pub fn confirmed_creche_births(
    conn: &mut DbConnection,
    cohort_id: i32,
) -> QueryResult<Vec<Option<NaiveDate>>> {
    bc::table
        .inner_join(ch::table)
        .inner_join(bo::table)
        .filter(bo::cohort_id.eq(cohort_id))
        .filter(bo::status.eq(BookingStatus::Confirmed.as_str()))
        .select(ch::date_of_birth)
        .load(conn)
}

/// 1-based position of a waitlisted booking.
pub fn waitlist_position(conn: &mut DbConnection, b: &Booking) -> QueryResult<Option<i64>> {
    if b.status != BookingStatus::Waitlisted {
        return Ok(None);
    }
    let ahead: i64 = bo::table
        .filter(bo::cohort_id.eq(b.cohort_id))
        .filter(bo::status.eq(BookingStatus::Waitlisted.as_str()))
        .filter(bo::id.lt(b.id))
        .count()
        .get_result(conn)?;
    Ok(Some(ahead + 1))
}

pub fn of_family(conn: &mut DbConnection, family_id: i32) -> QueryResult<Vec<Booking>> {
    bo::table
        .filter(bo::family_id.eq(family_id))
        .order(bo::id.desc())
        .load(conn)
}

pub fn notify(
    conn: &mut DbConnection,
    family_id: i32,
    booking_id: Option<i32>,
    kind: &str,
    message: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(no::table)
        .values((
            no::family_id.eq(family_id),
            no::booking_id.eq(booking_id),
            no::kind.eq(kind),
            no::message.eq(message),
            no::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Queryable)]
pub struct Notification {
    pub id: i32,
    pub family_id: i32,
    pub booking_id: Option<i32>,
    pub kind: String,
    pub message: String,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
}

pub fn notifications_of(conn: &mut DbConnection, family_id: i32) -> QueryResult<Vec<Notification>> {
    no::table
        .filter(no::family_id.eq(family_id))
        .order(no::id.desc())
        .load(conn)
}

/// Dates of birth of crèche children in confirmed bookings, per cohort.
pub fn confirmed_creche_births_many(
    conn: &mut DbConnection,
    cohort_ids: &[i32],
) -> QueryResult<std::collections::BTreeMap<i32, Vec<NaiveDate>>> {
    let rows: Vec<(i32, Option<NaiveDate>)> = bc::table
        .inner_join(ch::table)
        .inner_join(bo::table)
        .filter(bo::cohort_id.eq_any(cohort_ids))
        .filter(bo::status.eq(BookingStatus::Confirmed.as_str()))
        .select((bo::cohort_id, ch::date_of_birth))
        .load(conn)?;
    let mut out: std::collections::BTreeMap<i32, Vec<NaiveDate>> = Default::default();
    for (cohort, dob) in rows {
        out.entry(cohort).or_default().extend(dob);
    }
    Ok(out)
}
