//! Telling other processes that the public listing changed: PostgreSQL's `NOTIFY`, sent inside
//! the transaction that made the change, so it is delivered only if (and once) that commits.
//! SQLite is served by one process: nothing to tell.

use crate::db::DbConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;

/// The channel every serving process listens on.
pub const CHANNEL: &str = "groupwork_listing";

/// Announces, within the open transaction, that the listing changed.
pub fn announce(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query(format!("NOTIFY {CHANNEL}")).execute(pg)?;
    }
    Ok(())
}

/// Starts listening for announcements on `pg` (a connection of its own, outside the pool).
pub fn listen(pg: &mut PgConnection) -> QueryResult<()> {
    diesel::sql_query(format!("LISTEN {CHANNEL}")).execute(pg)?;
    Ok(())
}

/// The announcements received since the last call, without waiting.
pub fn heard(pg: &mut PgConnection) -> QueryResult<usize> {
    let mut n = 0;
    for notice in pg.notifications_iter() {
        notice?;
        n += 1;
    }
    Ok(n)
}
