//! Hearing other processes' listing changes (PostgreSQL): a thread with a connection of its own
//! `LISTEN`s for the `NOTIFY` each listing-changing transaction sends
//! (`store::listing_changes`), and marks this process's cached listings stale as soon as one
//! arrives, so a place taken on one process shows on every other at its next request.

use super::Signals;
use crate::db::{DbConnection, DbKind, DbManager};
use crate::store::listing_changes;
use diesel::pg::PgConnection;
use std::sync::Arc;
use std::time::Duration;

/// How often the connection is checked for notices: well inside the 50 ms the design allows for
/// another process's change to show, at the cost of a non-blocking read per tick.
const TICK: Duration = Duration::from_millis(2);
/// The wait before connecting again after the connection failed.
const RECONNECT: Duration = Duration::from_secs(1);

/// Starts watching, for a PostgreSQL `database_url` (nothing to watch on SQLite).
pub fn start(database_url: &str, signals: Arc<Signals>) -> Result<(), String> {
    let manager = DbManager::new(database_url)?;
    if manager.kind() != DbKind::Postgres {
        return Ok(());
    }
    std::thread::Builder::new()
        .name("listing-watch".into())
        .spawn(move || watch(&manager, &signals))
        .map(|_| ())
        .map_err(|e| format!("cannot start the listing watcher: {e}"))
}

fn watch(manager: &DbManager, signals: &Signals) {
    loop {
        match listen(manager) {
            Ok(mut pg) => {
                // Whatever changed while no one was listening.
                signals.listing_changed();
                loop {
                    match listing_changes::heard(&mut pg) {
                        Ok(0) => {}
                        Ok(_) => signals.listing_changed(),
                        Err(e) => {
                            tracing::warn!(error = %e, "listing watcher lost its connection");
                            break;
                        }
                    }
                    std::thread::sleep(TICK);
                }
            }
            Err(e) => tracing::warn!(error = %e, "listing watcher cannot connect"),
        }
        std::thread::sleep(RECONNECT);
    }
}

fn listen(manager: &DbManager) -> Result<PgConnection, String> {
    match manager.open().map_err(|e| e.0)? {
        DbConnection::Postgres(mut pg) => {
            listing_changes::listen(&mut pg).map_err(|e| e.to_string())?;
            Ok(pg)
        }
        DbConnection::Sqlite(_) => Err("only PostgreSQL sends listing notices".into()),
    }
}
