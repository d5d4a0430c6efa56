//! Seeding straight into the database, for the scenarios whose data would take minutes to build
//! through HTTP: batch inserts with explicit ids on either backend, then PostgreSQL's sequences
//! moved past those ids.

use diesel::{QueryResult, RunQueryDsl};
use groupwork::db::DbConnection;

/// Rows per INSERT statement.
pub const BATCH: usize = 1000;

/// Inserts the rows `$rows` (a slice or `Vec` of diesel insertable tuples) into `$table` in
/// batches of [`BATCH`], on whichever backend `$conn` (a `&mut DbConnection`) is; the same diesel
/// code on either backend, as batch inserts are not offered through the MultiConnection enum
/// itself. A failed batch returns its error with `?`.
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        for chunk in $rows.chunks($crate::support::bulk::BATCH) {
            match $conn {
                ::groupwork::db::DbConnection::Sqlite(c) => {
                    ::diesel::RunQueryDsl::execute(::diesel::insert_into($table).values(chunk), c)
                }
                ::groupwork::db::DbConnection::Postgres(c) => {
                    ::diesel::RunQueryDsl::execute(::diesel::insert_into($table).values(chunk), c)
                }
            }?;
        }
    };
}
pub(crate) use insert_rows;

/// The tables a borough seed fills with explicit ids (venues, families, children, groups, their
/// sessions and bookings): their sequences need [`reset_sequences`] afterwards.
pub const BOROUGH_IDS: [&str; 6] = [
    "venues", "families", "children", "cohorts", "sessions", "bookings",
];

/// After rows were inserted with explicit ids: on PostgreSQL, moves each table's `id` sequence to
/// the highest id, so the app can still insert. SQLite needs nothing.
pub fn reset_sequences(conn: &mut DbConnection, tables: &[&str]) -> QueryResult<()> {
    if let DbConnection::Postgres(pg) = conn {
        for t in tables {
            diesel::sql_query(format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))"
            ))
            .execute(pg)?;
        }
    }
    Ok(())
}
