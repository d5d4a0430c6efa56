//! Idempotency keys: the first answer to a keyed POST, kept so a retry gets it again instead of
//! acting twice.

use crate::db::schema::idempotency_keys as ik;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A stored answer: the request's hash, the body and the Location sent.
pub struct Stored {
    pub request_hash: String,
    pub response: String,
    pub location: String,
}

pub fn find(conn: &mut DbConnection, user_id: i32, key: &str) -> QueryResult<Option<Stored>> {
    let row: Option<(String, String, String)> = ik::table
        .filter(ik::user_id.eq(user_id))
        .filter(ik::idem_key.eq(key))
        .select((ik::request_hash, ik::response, ik::location))
        .first(conn)
        .optional()?;
    Ok(row.map(|(request_hash, response, location)| Stored {
        request_hash,
        response,
        location,
    }))
}

pub fn save(
    conn: &mut DbConnection,
    user_id: i32,
    key: &str,
    s: &Stored,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(ik::table)
        .values((
            ik::user_id.eq(user_id),
            ik::idem_key.eq(key),
            ik::request_hash.eq(&s.request_hash),
            ik::response.eq(&s.response),
            ik::location.eq(&s.location),
            ik::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
