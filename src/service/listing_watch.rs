//! Hearing other processes' listing changes (PostgreSQL): a thread with a connection of its own
//! `LISTEN`s for the `NOTIFY` each listing-changing transaction sends
//! (`store::listing_changes`), and marks this process's cached listings stale as soon as one
//! arrives, so a place taken on one process shows on every other at its next request.

use super::Signals;
use crate::db::{DbConnection, DbKind, DbManager};
use crate::store::listing_changes;
use diesel::pg::PgConnection;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the connection is checked for notices: well inside the 50 ms the design allows for
/// another process's change to show, at the cost of a non-blocking read per tick.
const TICK: Duration = Duration::from_millis(2);
/// The wait before connecting again after the connection failed.
const RECONNECT: Duration = Duration::from_secs(1);

/// The watching thread, stopped (and its connection closed) by [`Watcher::stop`] before the
/// process exits: libpq torn down at exit under a thread still in it can crash the process.
pub struct Watcher {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Watcher {
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Starts watching, for a PostgreSQL `database_url` (nothing to watch on SQLite: `None`).
pub fn start(database_url: &str, signals: Arc<Signals>) -> Result<Option<Watcher>, String> {
    let manager = DbManager::new(database_url)?;
    if manager.kind() != DbKind::Postgres {
        return Ok(None);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let stopping = stop.clone();
    let thread = std::thread::Builder::new()
        .name("listing-watch".into())
        .spawn(move || watch(&manager, &signals, &stopping))
        .map_err(|e| format!("cannot start the listing watcher: {e}"))?;
    Ok(Some(Watcher {
        stop,
        thread: Some(thread),
    }))
}

fn watch(manager: &DbManager, signals: &Signals, stop: &AtomicBool) {
    let stopped = || stop.load(Ordering::Acquire);
    while !stopped() {
        match listen(manager) {
            Ok(mut pg) => {
                // Whatever changed while no one was listening.
                signals.listing_changed();
                while !stopped() {
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
        // Back off before connecting again, still answering a stop within a tick.
        let mut waited = Duration::ZERO;
        while waited < RECONNECT && !stopped() {
            std::thread::sleep(TICK);
            waited += TICK;
        }
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
