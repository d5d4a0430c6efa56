//! Fixed-window counters every process on this database shares (login, registration, password
//! reset, the per-account lockout). One statement counts and reads back, so processes racing
//! on one key each see their own count and none can slip past the limit. Keys are hashes: no
//! address or email is kept here.

use crate::db::schema::rate_limits as rl;
use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
pub struct Window {
    #[diesel(sql_type = Integer)]
    pub hits: i32,
    #[diesel(sql_type = Timestamp)]
    pub window_start: NaiveDateTime,
}

/// Counts one event for `key`: a window whose start is at or before `stale_before` has ended and
/// a new one starts `now`. Returns the window as it stands after this event.
pub fn hit(
    conn: &mut DbConnection,
    key: &str,
    now: NaiveDateTime,
    stale_before: NaiveDateTime,
) -> QueryResult<Window> {
    // The same statement on both databases; only the placeholders are spelt differently.
    const SQL: &str = "INSERT INTO rate_limits (key, window_start, hits) VALUES (#1, #2, 1) \
        ON CONFLICT (key) DO UPDATE SET \
          hits = CASE WHEN rate_limits.window_start <= #3 THEN 1 ELSE rate_limits.hits + 1 END, \
          window_start = CASE WHEN rate_limits.window_start <= #3 THEN #2 \
                              ELSE rate_limits.window_start END \
        RETURNING hits, window_start";
    let rows: Vec<Window> = match conn {
        DbConnection::Postgres(pg) => diesel::sql_query(SQL.replace('#', "$"))
            .bind::<Text, _>(key)
            .bind::<Timestamp, _>(now)
            .bind::<Timestamp, _>(stale_before)
            .load(pg)?,
        DbConnection::Sqlite(lite) => diesel::sql_query(SQL.replace('#', "?"))
            .bind::<Text, _>(key)
            .bind::<Timestamp, _>(now)
            .bind::<Timestamp, _>(stale_before)
            .load(lite)?,
    };
    rows.into_iter()
        .next()
        .ok_or(diesel::result::Error::NotFound)
}

/// The window of `key` as it stands, if it has one.
pub fn peek(conn: &mut DbConnection, key: &str) -> QueryResult<Option<Window>> {
    rl::table
        .find(key)
        .select((rl::hits, rl::window_start))
        .first::<(i32, NaiveDateTime)>(conn)
        .optional()
        .map(|w| w.map(|(hits, window_start)| Window { hits, window_start }))
}

/// Forgets `key` (a right password ends the run of wrong ones).
pub fn clear(conn: &mut DbConnection, key: &str) -> QueryResult<()> {
    diesel::delete(rl::table.find(key)).execute(conn)?;
    Ok(())
}

/// Retention: windows that started before `before` (all long over).
pub fn purge(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(rl::table.filter(rl::window_start.lt(before))).execute(conn)
}
