//! The public geography a deployment serves (`groupwork import-geography`): postcodes of the area
//! with their ward and LSOA, the wards with their names and under-five population, the LSOAs'
//! IMD deciles, the sectors outside the area, and what edition is loaded.

use crate::db::schema::{
    geography_editions as ed, geography_lsoas as ls, geography_outside_sectors as os,
    geography_postcodes as pc, geography_wards as wa,
};
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Rows per INSERT: four columns each, far below SQLite's and PostgreSQL's bind limits.
const BATCH: usize = 250;

/// Runs a multi-row INSERT on the connection's own backend (diesel's multi-backend connection
/// cannot build one).
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $values:expr) => {
        match $conn {
            DbConnection::Sqlite(c) => diesel::insert_into($table).values($values).execute(c),
            DbConnection::Postgres(c) => diesel::insert_into($table).values($values).execute(c),
        }
    };
}

/// What is loaded.
#[derive(Debug, Clone, Queryable)]
pub struct Edition {
    pub id: i32,
    pub imd_edition: String,
    /// Comma-separated GSS codes.
    pub local_authorities: String,
    pub ward_set: String,
    pub sources: String,
    pub postcodes: i32,
    pub wards: i32,
    pub lsoas: i32,
    pub loaded_at: NaiveDateTime,
}

/// A postcode of the area, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostcodeRow {
    pub postcode: String,
    pub local_authority: String,
    pub ward_code: String,
    pub lsoa: String,
}

/// The loaded edition, if any.
pub fn edition(conn: &mut DbConnection) -> QueryResult<Option<Edition>> {
    ed::table.find(1).first(conn).optional()
}

/// Where a postcode of the area is, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    /// The ward's key, when the ward is named.
    pub ward: Option<String>,
    pub lsoa: String,
    pub imd_decile: Option<i32>,
}

/// A postcode of the area: its ward's key, its LSOA and its decile.
pub fn place(conn: &mut DbConnection, postcode: &str) -> QueryResult<Option<Placed>> {
    let Some((ward_code, lsoa)) = pc::table
        .find(postcode)
        .select((pc::ward_code, pc::lsoa))
        .first::<(String, String)>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let ward = wa::table
        .find(&ward_code)
        .select(wa::ward)
        .first::<String>(conn)
        .optional()?;
    let decile = ls::table
        .find(&lsoa)
        .select(ls::imd_decile)
        .first::<i32>(conn)
        .optional()?;
    Ok(Some(Placed {
        ward,
        lsoa,
        imd_decile: decile,
    }))
}

/// Whether `sector` (`SE5 9`) holds postcodes outside the area.
pub fn outside_sector(conn: &mut DbConnection, sector: &str) -> QueryResult<bool> {
    let n: i64 = os::table
        .filter(os::sector.eq(sector))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Removes every row of the geography, the edition's too.
pub fn clear(conn: &mut DbConnection) -> QueryResult<()> {
    diesel::delete(pc::table).execute(conn)?;
    diesel::delete(wa::table).execute(conn)?;
    diesel::delete(ls::table).execute(conn)?;
    diesel::delete(os::table).execute(conn)?;
    diesel::delete(ed::table).execute(conn)?;
    Ok(())
}

pub fn insert_postcodes(conn: &mut DbConnection, rows: &[PostcodeRow]) -> QueryResult<()> {
    for chunk in rows.chunks(BATCH) {
        let values: Vec<_> = chunk
            .iter()
            .map(|r| {
                (
                    pc::postcode.eq(&r.postcode),
                    pc::local_authority.eq(&r.local_authority),
                    pc::ward_code.eq(&r.ward_code),
                    pc::lsoa.eq(&r.lsoa),
                )
            })
            .collect();
        insert_rows!(&mut *conn, pc::table, values)?;
    }
    Ok(())
}

/// Wards: code, key (`lambeth-2022:Name`), under-five population when known.
pub fn insert_wards(
    conn: &mut DbConnection,
    rows: &[(String, String, Option<i32>)],
) -> QueryResult<()> {
    for chunk in rows.chunks(BATCH) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(code, ward, n)| {
                (
                    wa::ward_code.eq(code),
                    wa::ward.eq(ward),
                    wa::under_fives.eq(*n),
                )
            })
            .collect();
        insert_rows!(&mut *conn, wa::table, values)?;
    }
    Ok(())
}

/// LSOAs with their IMD decile.
pub fn insert_lsoas(conn: &mut DbConnection, rows: &[(String, i32)]) -> QueryResult<()> {
    for chunk in rows.chunks(BATCH) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(lsoa, d)| (ls::lsoa.eq(lsoa), ls::imd_decile.eq(*d)))
            .collect();
        insert_rows!(&mut *conn, ls::table, values)?;
    }
    Ok(())
}

pub fn insert_outside_sectors(conn: &mut DbConnection, sectors: &[String]) -> QueryResult<()> {
    for chunk in sectors.chunks(BATCH * 4) {
        let values: Vec<_> = chunk.iter().map(|s| os::sector.eq(s)).collect();
        insert_rows!(&mut *conn, os::table, values)?;
    }
    Ok(())
}

/// What an edition says of itself when it is written.
#[derive(Debug, Clone)]
pub struct NewEdition<'a> {
    pub imd_edition: &'a str,
    pub local_authorities: &'a str,
    pub ward_set: &'a str,
    pub sources: &'a str,
    pub postcodes: i32,
    pub wards: i32,
    pub lsoas: i32,
    pub loaded_at: NaiveDateTime,
}

pub fn write_edition(conn: &mut DbConnection, e: &NewEdition) -> QueryResult<()> {
    diesel::insert_into(ed::table)
        .values((
            ed::id.eq(1),
            ed::imd_edition.eq(e.imd_edition),
            ed::local_authorities.eq(e.local_authorities),
            ed::ward_set.eq(e.ward_set),
            ed::sources.eq(e.sources),
            ed::postcodes.eq(e.postcodes),
            ed::wards.eq(e.wards),
            ed::lsoas.eq(e.lsoas),
            ed::loaded_at.eq(e.loaded_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Says where the loaded data came from (after the population alone was loaded again).
pub fn set_sources(conn: &mut DbConnection, sources: &str) -> QueryResult<()> {
    diesel::update(ed::table.find(1))
        .set(ed::sources.eq(sources))
        .execute(conn)?;
    Ok(())
}

/// Replaces the under-five population of the wards: `counts` by ward code, every other ward
/// unknown. Returns how many wards got a figure.
pub fn set_under_fives(conn: &mut DbConnection, counts: &[(String, i32)]) -> QueryResult<usize> {
    diesel::update(wa::table)
        .set(wa::under_fives.eq(None::<i32>))
        .execute(conn)?;
    let mut n = 0;
    for (code, count) in counts {
        n += diesel::update(wa::table.find(code))
            .set(wa::under_fives.eq(Some(*count)))
            .execute(conn)?;
    }
    Ok(n)
}

/// The loaded wards: code, key, under-five population.
pub fn wards(conn: &mut DbConnection) -> QueryResult<Vec<(String, String, Option<i32>)>> {
    wa::table
        .select((wa::ward_code, wa::ward, wa::under_fives))
        .order(wa::ward)
        .load(conn)
}
