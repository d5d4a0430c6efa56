//! Venues: children's centres and community locations, each in a ward, with a crèche room.

use crate::db::schema::venues;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable)]
pub struct Venue {
    pub id: i32,
    pub name: String,
    pub address: String,
    pub postcode: String,
    pub ward: String,
    pub creche_room_capacity: i32,
    pub creche_registered: bool,
    pub accessibility_notes: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Derived from the postcode when the geography is loaded.
    pub lsoa: String,
    pub imd_decile: Option<i32>,
}

/// Every editable field of a venue, already validated and normalised.
#[derive(Debug, Clone)]
pub struct VenueFields {
    pub name: String,
    pub address: String,
    pub postcode: String,
    pub ward: String,
    pub creche_room_capacity: i32,
    pub creche_registered: bool,
    pub accessibility_notes: String,
}

pub fn insert(conn: &mut DbConnection, f: &VenueFields, now: NaiveDateTime) -> QueryResult<Venue> {
    diesel::insert_into(venues::table)
        .values((
            venues::name.eq(&f.name),
            venues::address.eq(&f.address),
            venues::postcode.eq(&f.postcode),
            venues::ward.eq(&f.ward),
            venues::creche_room_capacity.eq(f.creche_room_capacity),
            venues::creche_registered.eq(f.creche_registered),
            venues::accessibility_notes.eq(&f.accessibility_notes),
            venues::created_at.eq(now),
            venues::updated_at.eq(now),
        ))
        .returning(venues::all_columns)
        .get_result(conn)
}

pub fn update(
    conn: &mut DbConnection,
    id: i32,
    f: &VenueFields,
    now: NaiveDateTime,
) -> QueryResult<Option<Venue>> {
    diesel::update(venues::table.find(id))
        .set((
            venues::name.eq(&f.name),
            venues::address.eq(&f.address),
            venues::postcode.eq(&f.postcode),
            venues::ward.eq(&f.ward),
            venues::creche_room_capacity.eq(f.creche_room_capacity),
            venues::creche_registered.eq(f.creche_registered),
            venues::accessibility_notes.eq(&f.accessibility_notes),
            venues::updated_at.eq(now),
        ))
        .returning(venues::all_columns)
        .get_result(conn)
        .optional()
}

pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<Option<Venue>> {
    venues::table.find(id).first(conn).optional()
}

pub fn list(
    conn: &mut DbConnection,
    ward: Option<&str>,
    limit: i64,
    offset: i64,
) -> QueryResult<super::Page<Venue>> {
    let mut q = venues::table.into_boxed();
    let mut count = venues::table.into_boxed();
    if let Some(w) = ward {
        q = q.filter(venues::ward.eq(w.to_string()));
        count = count.filter(venues::ward.eq(w.to_string()));
    }
    let total = count.count().get_result(conn)?;
    let items = q
        .order((venues::name, venues::id))
        .limit(limit)
        .offset(offset)
        .load(conn)?;
    Ok(super::Page { items, total })
}

pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
    venues::table.count().get_result(conn)
}

/// Every venue: id, postcode, ward (to place them again when the geography changes).
pub fn postcodes(conn: &mut DbConnection) -> QueryResult<Vec<(i32, String, String)>> {
    venues::table
        .select((venues::id, venues::postcode, venues::ward))
        .order(venues::id)
        .load(conn)
}

/// Sets where a venue is (ward, LSOA, IMD decile), as the geography derives it.
pub fn set_place(
    conn: &mut DbConnection,
    id: i32,
    ward: &str,
    lsoa: &str,
    imd_decile: Option<i32>,
) -> QueryResult<Option<Venue>> {
    diesel::update(venues::table.find(id))
        .set((
            venues::ward.eq(ward),
            venues::lsoa.eq(lsoa),
            venues::imd_decile.eq(imd_decile),
        ))
        .returning(venues::all_columns)
        .get_result(conn)
        .optional()
}
