//! diesel queries and transactions, one module per aggregate. Functions take a connection and
//! return rows as plain structs; the api layer turns them into response bodies.

pub mod account_tokens;
pub mod apologies;
pub mod audit;
pub mod bookings;
pub mod child_care;
pub mod closures;
pub mod cohorts;
pub mod creche_incidents;
pub mod erasure;
pub mod export;
pub mod families;
pub mod family_search;
pub mod follow_ups;
pub mod geography;
pub mod idempotency;
pub mod key_persons;
pub mod listing_changes;
pub mod logins;
pub mod messages;
pub mod outcomes;
pub mod programmes;
pub mod rate_limits;
pub mod registers;
pub mod reports;
pub mod retention;
pub mod settings;
pub mod staff;
pub mod summaries;
pub mod teams;
pub mod users;
pub mod venues;
pub mod visitors;

/// Inserts `$rows` (a slice of diesel insertable tuples, all with the same columns) into
/// `$table` in one statement per 1,000 rows, on either backend: one round trip where a loop
/// would take one per row. diesel's batch insert is not offered through the MultiConnection
/// enum itself, so each arm is the same code on its own connection type.
macro_rules! insert_all {
    ($conn:expr, $table:expr, $rows:expr) => {{
        let mut inserted = 0;
        for chunk in $rows.chunks(1000) {
            inserted += match $conn {
                $crate::db::DbConnection::Sqlite(c) => {
                    ::diesel::RunQueryDsl::execute(::diesel::insert_into($table).values(chunk), c)
                }
                $crate::db::DbConnection::Postgres(c) => {
                    ::diesel::RunQueryDsl::execute(::diesel::insert_into($table).values(chunk), c)
                }
            }?;
        }
        inserted
    }};
}
pub(crate) use insert_all;

/// Offset/limit page of rows with the total before paging.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// A stored text read outside a `Queryable` struct (a tuple column), as its enum; a value outside
/// the set is a deserialization error, as it is for the structs' `deserialize_as = String`.
pub fn stored<T: TryFrom<String, Error = String>>(text: String) -> diesel::QueryResult<T> {
    T::try_from(text).map_err(|e| diesel::result::Error::DeserializationError(e.into()))
}
