//! Use cases: one public function per thing a person does with the service, grouped by area.
//!
//! A use case takes who is acting ([`Actor`]), a typed command and the [`Services`]; it runs in
//! one write transaction opened by [`Services::write`] (the only place that opens one), reads
//! through `store`, asks `domain` what the rules say, writes through `store`, and records on the
//! [`Tx`] what happened: the audit events (written just before COMMIT) and which public views
//! changed (signalled just after it). It returns a typed outcome or a [`ServiceError`].

pub mod accounts;
pub mod booking;
pub mod catalogue;
pub mod closures;
pub mod cohorts;
pub mod error;
pub mod families;
pub mod geography;
pub mod limits;
pub mod listing_watch;
pub mod messages;
pub mod monitoring;
pub mod registers;
pub mod retention;
pub mod schedule;
pub mod staff;
mod tx;

pub use error::ServiceError;
pub use tx::{Actor, Audit, Tx};

use crate::clock::Clock;
use crate::db::{DbKind, Pool};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What a use case needs from the running service: the database, the clock and the signals.
#[derive(Clone)]
pub struct Services {
    pub pool: Pool,
    pub db_kind: DbKind,
    pub clock: Arc<dyn Clock>,
    pub signals: Arc<Signals>,
    /// Off only in the race tests' control, to show the races the guard prevents
    /// (`GROUPWORK_UNGUARDED_CAPACITY_FOR_TESTS`, debug builds only).
    pub capacity_guard: bool,
    /// Off only in the delivery race test's control, to show the double sends that locking due
    /// messages prevents (`GROUPWORK_UNGUARDED_OUTBOX_FOR_TESTS`, debug builds only).
    pub outbox_guard: bool,
    /// Where families see their bookings (the centre's front end): the link in every message.
    pub family_link: Arc<str>,
    /// The rate limits all processes share (`limits`).
    pub limits: limits::Limits,
}

impl Services {
    pub fn new(pool: Pool, db_kind: DbKind, clock: Arc<dyn Clock>) -> Self {
        Services {
            pool,
            db_kind,
            clock,
            signals: Arc::default(),
            capacity_guard: true,
            outbox_guard: true,
            family_link: Arc::from(DEFAULT_FAMILY_LINK),
            limits: limits::Limits::default(),
        }
    }
}

/// The link messages carry when the centre has not said where its front end is.
pub const DEFAULT_FAMILY_LINK: &str = "http://127.0.0.1:8080/";

/// Changes other parts of the process watch for. Bumped after COMMIT by [`Services::write`].
#[derive(Debug, Default)]
pub struct Signals {
    listing: AtomicU64,
    /// Wakes the delivery workers when a committed change wrote messages.
    pub outbox: tokio::sync::Notify,
}

impl Signals {
    /// Goes up whenever a committed change touched what the public listing shows.
    pub fn listing_generation(&self) -> u64 {
        self.listing.load(Ordering::Acquire)
    }

    /// Marks every cached listing stale. Only after COMMIT: a render between an early bump and
    /// the commit would cache the old figures at the new generation.
    pub fn listing_changed(&self) {
        self.listing.fetch_add(1, Ordering::AcqRel);
    }

    /// Wakes a delivery worker (or the next one to wait, if none is waiting now).
    pub fn messages_queued(&self) {
        self.outbox.notify_one();
    }
}
