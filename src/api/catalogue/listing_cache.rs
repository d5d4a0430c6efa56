//! Rendered public listings (`GET /listings`, `/listings.ics`) kept in memory, so the endpoint
//! parents' apps hit most does not go to the database on every request.
//!
//! Correctness rules, in order of strength:
//! - **Writes in this process**: every use case whose write can change a listing says so on
//!   its transaction (`Tx::listing_changed`), and `Services::write` bumps the shared generation
//!   counter (`service::Signals`) after COMMIT; an entry is served only if it was built at the current generation, and a render
//!   reads the generation *before* it reads the database, so a write racing with a render leaves
//!   an entry that is never served. Places left are therefore exact for the next request.
//! - **The clock**: what a listing shows changes by itself when a group's last session ends
//!   (it leaves the listing) and at local midnight (booking windows move). Each entry carries
//!   the app-clock window in which it stays true, worked out from the data it was built from;
//!   outside it (or if the clock went back, as in tests) it is rebuilt.
//! - **Other processes** (a second groupwork on the same PostgreSQL, the CLI, the retention
//!   job): on PostgreSQL the same transaction sends a `NOTIFY` (delivered only if it commits),
//!   and `service::listing_watch` in every serving process hears it within milliseconds and
//!   bumps its own counter. A DB-side generation check per request would cost the round trip
//!   the cache exists to save. Should a notice be missed (the watcher reconnecting), an entry
//!   is never served more than its TTL (`GROUPWORK_LISTING_TTL_MS`, [`TTL`] by default) after it
//!   was built, which bounds the staleness.
//!
//! Validators: each rendered body carries a strong `ETag` (a hash of its bytes) and a
//! `Last-Modified` that moves only when the body for its key changed (a re-render to the same
//! bytes keeps it; a different body gets a later second than the last one), so a client
//! revalidating gets a 304 unless the answer really changed. Held in memory: after a restart
//! the first render's time is the new `Last-Modified` (later, so never a wrong 304).
//!
//! Load: one render per key at a time (single flight: the others wait for it, not the
//! database), and an entry past half its TTL is re-rendered in the background while it is
//! still served, so expiry never stalls readers.

use crate::service::Signals;
use actix_web::web::Bytes;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, RwLock};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// The longest an entry is served (real time) by default: the staleness bound for a write made
/// elsewhere whose notice was missed, which the design puts at about a second. (Hot entries
/// are re-rendered every half TTL.)
pub const TTL: Duration = Duration::from_secs(1);
/// The query string is the client's to choose; this bounds the memory it can make us hold.
pub const MAX_ENTRIES: usize = 256;

pub struct ListingCache {
    /// Shared with the use cases, which bump it after a COMMIT that changed a listing.
    signals: Arc<Signals>,
    /// The longest an entry is served.
    ttl: Duration,
    entries: RwLock<HashMap<String, Entry>>,
    flights: Mutex<HashMap<String, Arc<Flight>>>,
}

struct Entry {
    generation: u64,
    built: Instant,
    /// The app-clock window in which the clock-derived parts stay as rendered.
    valid_from: DateTime<Utc>,
    valid_until: DateTime<Utc>,
    body: Rendered,
}

/// A rendered answer with its validators.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    pub body: Bytes,
    /// A strong entity tag, quoted.
    pub etag: String,
    /// Whole seconds (HTTP dates have no finer grain).
    pub last_modified: DateTime<Utc>,
}

impl Rendered {
    /// `body` with its tag, modified at `now` unless `before` (the key's last answer) is the
    /// same bytes; a changed body is always a later second than the one it replaces.
    fn new(body: Bytes, before: Option<&Rendered>, now: DateTime<Utc>) -> Rendered {
        let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..32]);
        let second = TimeDelta::seconds(1);
        let last_modified = match before {
            Some(b) if b.etag == etag => b.last_modified,
            Some(b) => b.last_modified.max(ceil_second(now) - second) + second,
            None => ceil_second(now),
        };
        Rendered {
            body,
            etag,
            last_modified,
        }
    }
}

fn ceil_second(t: DateTime<Utc>) -> DateTime<Utc> {
    let second = TimeDelta::seconds(1);
    let floor = t.duration_trunc(second).unwrap_or(t);
    if floor == t {
        t
    } else {
        floor + second
    }
}

impl Entry {
    fn serves(&self, generation: u64, now: DateTime<Utc>, ttl: Duration) -> bool {
        self.generation == generation
            && self.built.elapsed() < ttl
            && self.valid_from <= now
            && now < self.valid_until
    }
}

/// What to do for a request.
pub enum Lookup {
    Hit(Rendered),
    /// A hit on an ageing entry: answer it, and re-render with the ticket in the background.
    HitRefresh(Rendered, Ticket),
    /// Someone is rendering this key at the current generation: wait for it.
    Wait(Wait),
    /// Render, then [`Ticket::finish`].
    Render(Ticket),
}

/// The right (and duty) to render one key; dropping it unfinished releases the waiters.
pub struct Ticket {
    key: String,
    generation: u64,
    flight: Arc<Flight>,
}

#[derive(Default)]
struct Flight {
    generation: u64,
    /// `Some(result)` once over: the body, or `None` if the render failed.
    state: Mutex<(Option<Option<Rendered>>, Vec<Waker>)>,
}

impl Flight {
    fn over(&self) -> bool {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .0
            .is_some()
    }

    fn complete(&self, body: Option<Rendered>) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if s.0.is_none() {
            s.0 = Some(body);
            s.1.drain(..).for_each(Waker::wake);
        }
    }
}

/// The body another request rendered, or `None` if its render failed (render it yourself).
pub struct Wait(Arc<Flight>);

impl Future for Wait {
    type Output = Option<Rendered>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Rendered>> {
        let mut s = self.0.state.lock().unwrap_or_else(|p| p.into_inner());
        match &s.0 {
            Some(body) => Poll::Ready(body.clone()),
            None => {
                s.1.push(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl Ticket {
    /// Keeps `body`, rendered from data read at the ticket's generation and true for the
    /// app-clock window `valid_from..valid_until`, and hands it to the waiters; returns it
    /// with its validators.
    pub fn finish(
        self,
        cache: &ListingCache,
        valid_from: DateTime<Utc>,
        valid_until: DateTime<Utc>,
        body: Bytes,
    ) -> Rendered {
        let body = cache.validated(&self.key, body, valid_from);
        cache.put(
            &self.key,
            self.generation,
            valid_from,
            valid_until,
            body.clone(),
        );
        self.flight.complete(Some(body.clone()));
        let mut flights = cache.flights.lock().unwrap_or_else(|p| p.into_inner());
        if flights
            .get(&self.key)
            .is_some_and(|f| Arc::ptr_eq(f, &self.flight))
        {
            flights.remove(&self.key);
        }
        body
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.flight.complete(None); // No-op after finish.
    }
}

impl ListingCache {
    /// A cache whose entries go stale when `signals` says a listing changed.
    pub fn new(signals: Arc<Signals>, ttl: Duration) -> Self {
        ListingCache {
            signals,
            ttl,
            entries: Default::default(),
            flights: Default::default(),
        }
    }

    /// `body` with its validators, against the key's last answer.
    pub fn validated(&self, key: &str, body: Bytes, now: DateTime<Utc>) -> Rendered {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        Rendered::new(body, entries.get(key).map(|e| &e.body), now)
    }

    pub fn generation(&self) -> u64 {
        self.signals.listing_generation()
    }

    /// What to do for `key` at `now` (the app clock).
    pub fn lookup(&self, key: &str, now: DateTime<Utc>) -> Lookup {
        // Read before anything else: a ticket's render must not predate its generation.
        let generation = self.generation();
        let (body, ageing) = {
            let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
            match entries
                .get(key)
                .filter(|e| e.serves(generation, now, self.ttl))
            {
                Some(e) => (Some(e.body.clone()), e.built.elapsed() > self.ttl / 2),
                None => (None, false),
            }
        };
        if body.is_some() && !ageing {
            return Lookup::Hit(body.unwrap_or_default());
        }
        let mut flights = self.flights.lock().unwrap_or_else(|p| p.into_inner());
        let running = flights
            .get(key)
            .filter(|f| f.generation == generation && !f.over());
        match (body, running) {
            (Some(body), Some(_)) => Lookup::Hit(body),
            (None, Some(f)) => Lookup::Wait(Wait(f.clone())),
            (body, None) => {
                let flight = Arc::new(Flight {
                    generation,
                    ..Default::default()
                });
                if flights.len() >= MAX_ENTRIES {
                    flights.retain(|_, f| !f.over()); // Renders that failed leave theirs.
                }
                flights.insert(key.to_string(), flight.clone());
                let ticket = Ticket {
                    key: key.to_string(),
                    generation,
                    flight,
                };
                match body {
                    Some(body) => Lookup::HitRefresh(body, ticket),
                    None => Lookup::Render(ticket),
                }
            }
        }
    }

    fn put(
        &self,
        key: &str,
        generation: u64,
        valid_from: DateTime<Utc>,
        valid_until: DateTime<Utc>,
        body: Rendered,
    ) {
        if generation != self.generation() {
            return; // Already stale: a write committed while this was rendered.
        }
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(key) {
            entries.retain(|_, e| e.serves(generation, valid_from, self.ttl));
            if entries.len() >= MAX_ENTRIES {
                // Arbitrary eviction: cheap, and enough for a bound against odd query strings.
                if let Some(k) = entries.keys().next().cloned() {
                    entries.remove(&k);
                }
            }
        }
        let built = Instant::now();
        let entry = Entry {
            generation,
            built,
            valid_from,
            valid_until,
            body,
        };
        entries.insert(key.to_string(), entry);
    }

    pub fn len(&self) -> usize {
        self.entries.read().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration as Span;

    fn render(c: &ListingCache, key: &str, now: DateTime<Utc>, body: &'static str) {
        let Lookup::Render(t) = c.lookup(key, now) else {
            panic!("expected to render {key}")
        };
        t.finish(
            c,
            now,
            now + Span::hours(1),
            Bytes::from_static(body.as_bytes()),
        );
    }

    #[test]
    fn the_validators_move_only_when_the_body_changes() {
        let (signals, now) = (Arc::new(Signals::default()), Utc::now());
        let c = ListingCache::new(signals.clone(), TTL);
        render(&c, "a", now, "one");
        let Lookup::Hit(first) = c.lookup("a", now) else {
            panic!("kept")
        };
        assert!(first.last_modified >= now && first.last_modified < now + Span::seconds(1));
        // The same bytes rendered again (after a write elsewhere, later): the same validators.
        signals.listing_changed();
        render(&c, "a", now + Span::seconds(5), "one");
        let Lookup::Hit(again) = c.lookup("a", now + Span::seconds(5)) else {
            panic!("kept")
        };
        assert_eq!(again, first);
        // Different bytes in the same second: a new tag and a later second, never the same.
        signals.listing_changed();
        render(&c, "a", now, "two");
        let Lookup::Hit(second) = c.lookup("a", now) else {
            panic!("kept")
        };
        assert_ne!(second.etag, first.etag);
        assert_eq!(second.last_modified, first.last_modified + Span::seconds(1));
        assert_eq!(second.etag.len(), 34, "quoted: {}", second.etag);
    }

    #[test]
    fn one_render_at_a_time_then_hits_until_a_write_or_the_clock() {
        let (signals, now) = (Arc::new(Signals::default()), Utc::now());
        let c = ListingCache::new(signals.clone(), TTL);
        let Lookup::Render(ticket) = c.lookup("a", now) else {
            panic!("a miss renders")
        };
        assert!(
            matches!(c.lookup("a", now), Lookup::Wait(_)),
            "single flight"
        );
        ticket.finish(&c, now, now + Span::hours(1), Bytes::from_static(b"x"));
        assert!(matches!(c.lookup("a", now), Lookup::Hit(b) if b.body == "x"));
        assert!(
            matches!(c.lookup("a", now - Span::seconds(1)), Lookup::Render(_)),
            "clock went back"
        );
        assert!(
            matches!(c.lookup("a", now + Span::hours(1)), Lookup::Render(_)),
            "window over"
        );
        signals.listing_changed(); // a use case committed a change
        assert!(
            matches!(c.lookup("a", now), Lookup::Render(_)),
            "a write happened"
        );
    }

    #[test]
    fn a_render_that_read_before_a_write_is_not_kept_and_a_failed_one_frees_the_waiters() {
        let (signals, now) = (Arc::new(Signals::default()), Utc::now());
        let c = ListingCache::new(signals.clone(), TTL);
        let Lookup::Render(ticket) = c.lookup("a", now) else {
            panic!("a miss renders")
        };
        signals.listing_changed(); // a use case committed a change
        ticket.finish(&c, now, now + Span::hours(1), Bytes::from_static(b"old"));
        assert!(c.is_empty(), "rendered from data read before the write");
        let Lookup::Render(ticket) = c.lookup("b", now) else {
            panic!("a miss renders")
        };
        let Lookup::Wait(wait) = c.lookup("b", now) else {
            panic!("single flight")
        };
        drop(ticket);
        assert!(wait.0.over());
        assert!(matches!(c.lookup("b", now), Lookup::Render(_)));
    }

    #[test]
    fn holds_at_most_max_entries() {
        let (c, now) = (ListingCache::new(Default::default(), TTL), Utc::now());
        for i in 0..MAX_ENTRIES * 2 {
            render(&c, &format!("k{i}"), now, "x");
        }
        assert_eq!(c.len(), MAX_ENTRIES);
    }
}
