//! The one way a use case touches the database: [`Services::write`] opens the write
//! transaction (SQLite `BEGIN IMMEDIATE`, PostgreSQL the same code path), retries it when the
//! database reports a lock wait or serialization failure, writes the audit events recorded on
//! the [`Tx`] before COMMIT, and signals what changed after it (and counts, for `/metrics`, the
//! facts the use case recorded with [`Tx::count`]).

use super::{ServiceError, Services};
use crate::db::{write_transaction, DbConnection};
use crate::domain::role::Role;
use crate::instruments::{self, Counted};
use crate::store;
use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::connection::{Connection, TransactionManager};
use std::sync::Arc;
use std::time::Duration;

/// Attempts at a transaction the database asked us to retry (busy, deadlock, serialization).
const ATTEMPTS: u32 = 3;

/// Who is acting: a signed-in user, or the service itself (the retention job, the demo loader).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    User { id: i32, role: Role },
    System,
}

impl Actor {
    pub fn user_id(&self) -> Option<i32> {
        match self {
            Actor::User { id, .. } => Some(*id),
            Actor::System => None,
        }
    }

    pub fn role(&self) -> Option<Role> {
        match self {
            Actor::User { role, .. } => Some(*role),
            Actor::System => None,
        }
    }

    /// Staff, or the service itself: not a parent acting for their own family.
    pub fn is_staff(&self) -> bool {
        self.role().is_none_or(Role::is_staff)
    }
}

/// One audit event; the actor and time come from the transaction.
#[derive(Debug, Clone)]
pub struct Audit {
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: Option<i32>,
    pub family_id: Option<i32>,
    /// Codes, ids and field names: never a family's personal data.
    pub detail: String,
}

/// A write transaction in progress, and what it has recorded so far.
pub struct Tx<'c> {
    pub conn: &'c mut DbConnection,
    pub actor: Actor,
    /// The app clock when the transaction began.
    pub now: DateTime<Utc>,
    /// Each event with whoever was acting when it was recorded.
    audit: Vec<(Actor, Audit)>,
    listing_changed: bool,
    messages_queued: bool,
    /// Facts for the service's counters, counted once the transaction has committed.
    counted: Vec<Counted>,
    /// Where families see their bookings: the link every message carries.
    pub family_link: Arc<str>,
}

/// What a committed transaction changed, for the signals sent after COMMIT.
#[derive(Debug, Clone, Default)]
struct Changed {
    listing: bool,
    messages: bool,
    counted: Vec<Counted>,
}

impl Tx<'_> {
    /// `now` as stored: UTC without offset, to the microsecond both databases keep.
    pub fn now_naive(&self) -> NaiveDateTime {
        self.now.naive_utc().trunc_subsecs(6)
    }

    /// Records an event for the audit trail, by the actor acting now; written just before
    /// COMMIT.
    pub fn audit(&mut self, event: Audit) {
        self.audit.push((self.actor, event));
    }

    /// Says that the change touches what the public listing shows.
    pub fn listing_changed(&mut self) {
        self.listing_changed = true;
    }

    /// Says that the change wrote messages to the outbox (the delivery workers are woken once
    /// it commits).
    pub fn messages_queued(&mut self) {
        self.messages_queued = true;
    }

    /// Records a fact for the service's counters (`/metrics`: a booking made, a promotion),
    /// counted once the transaction commits: never for one rolled back, once however many times
    /// it was tried.
    pub fn count(&mut self, fact: Counted) {
        self.counted.push(fact);
    }

    /// Runs `f` in a savepoint of this transaction and keeps what it wrote only when it succeeds
    /// and `keep` says so of its answer; otherwise its writes are rolled back together with the
    /// audit events, signals and counted facts it recorded, and the transaction goes on. (One cohort of a
    /// closure can be refused while the others proceed; a dry run is the real run, undone.)
    pub fn savepoint<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, ServiceError>,
        keep: impl FnOnce(&T) -> bool,
    ) -> Result<T, ServiceError> {
        type Manager = <DbConnection as Connection>::TransactionManager;
        let before = (self.audit.len(), self.listing_changed, self.messages_queued);
        let counted_before = self.counted.len();
        Manager::begin_transaction(self.conn)?;
        let out = f(self);
        if out.as_ref().is_ok_and(keep) {
            Manager::commit_transaction(self.conn)?;
        } else {
            Manager::rollback_transaction(self.conn)?;
            self.audit.truncate(before.0);
            self.counted.truncate(counted_before);
            (self.listing_changed, self.messages_queued) = (before.1, before.2);
        }
        out
    }

    fn finish(self) -> Result<Changed, ServiceError> {
        let at = self.now_naive();
        if self.listing_changed {
            // Heard by the other processes only if this commits (`service::listing_watch`).
            store::listing_changes::announce(self.conn)?;
        }
        let trail = self
            .audit
            .into_iter()
            .map(|(actor, e)| store::audit::Event {
                at,
                actor_user_id: actor.user_id(),
                action: e.action,
                entity: e.entity,
                entity_id: e.entity_id,
                family_id: e.family_id,
                detail: e.detail,
            })
            .collect();
        store::audit::record_all(self.conn, trail)?;
        Ok(Changed {
            listing: self.listing_changed,
            messages: self.messages_queued,
            counted: self.counted,
        })
    }
}

/// Runs `body` as one transaction on `conn` (or, for the race tests' control, none).
fn attempt<T>(
    conn: &mut DbConnection,
    actor: Actor,
    now: DateTime<Utc>,
    family_link: &Arc<str>,
    transactional: bool,
    body: &impl Fn(&mut Tx) -> Result<T, ServiceError>,
) -> Result<(T, Changed), ServiceError> {
    let run = |c: &mut DbConnection| {
        let mut tx = Tx {
            conn: c,
            actor,
            now,
            audit: Vec::new(),
            listing_changed: false,
            messages_queued: false,
            counted: Vec::new(),
            family_link: family_link.clone(),
        };
        let value = body(&mut tx)?;
        Ok((value, tx.finish()?))
    };
    if transactional {
        write_transaction(conn, run)
    } else {
        run(conn)
    }
}

impl Services {
    /// Runs a use case in one write transaction on a blocking thread, retrying it (with a short
    /// backoff) when the database says to try again; signals what changed once it committed.
    pub(crate) async fn write<T, F>(&self, actor: Actor, body: F) -> Result<T, ServiceError>
    where
        F: Fn(&mut Tx) -> Result<T, ServiceError> + Send + 'static,
        T: Send + 'static,
    {
        self.run(actor, true, body).await
    }

    /// The naive check-then-act the capacity guard exists to prevent: no transaction at all.
    /// Only the race tests' control reaches it (`capacity_guard == false`).
    pub(crate) async fn write_unguarded<T, F>(
        &self,
        actor: Actor,
        body: F,
    ) -> Result<T, ServiceError>
    where
        F: Fn(&mut Tx) -> Result<T, ServiceError> + Send + 'static,
        T: Send + 'static,
    {
        self.run(actor, false, body).await
    }

    async fn run<T, F>(&self, actor: Actor, transactional: bool, body: F) -> Result<T, ServiceError>
    where
        F: Fn(&mut Tx) -> Result<T, ServiceError> + Send + 'static,
        T: Send + 'static,
    {
        let (pool, clock) = (self.pool.clone(), self.clock.clone());
        let link = self.family_link.clone();
        // The caller's span (its request), so what the body logs carries the request's id.
        let span = tracing::Span::current();
        let (value, changed) = tokio::task::spawn_blocking(move || {
            let _request = span.enter();
            let mut conn = pool.get()?;
            let mut tries = 1;
            loop {
                match attempt(&mut conn, actor, clock.now(), &link, transactional, &body) {
                    Err(e) if e.is_retryable() && tries < ATTEMPTS => {
                        tracing::debug!(error = %e, tries, "transaction retried");
                        std::thread::sleep(Duration::from_millis(20 << tries));
                        tries += 1;
                    }
                    done => return done,
                }
            }
        })
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))??;
        if changed.listing {
            self.signals.listing_changed();
        }
        if changed.messages {
            self.signals.messages_queued();
        }
        instruments::committed(&changed.counted);
        Ok(value)
    }

    /// Runs a read on a blocking thread, without a transaction. Reads that must leave a trace
    /// (a staff member opening a family's record) go through [`Services::write`] instead.
    pub(crate) async fn read<T, F>(&self, body: F) -> Result<T, ServiceError>
    where
        F: FnOnce(&mut DbConnection, DateTime<Utc>) -> Result<T, ServiceError> + Send + 'static,
        T: Send + 'static,
    {
        let (pool, clock) = (self.pool.clone(), self.clock.clone());
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || {
            let _request = span.enter();
            let mut conn = pool.get()?;
            body(&mut conn, clock.now())
        })
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use diesel::prelude::*;
    use diesel::result::{DatabaseErrorKind, Error as DbError};
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Arc;

    /// Services on a new SQLite file in its own temporary folder (removed by the caller).
    fn services(name: &str) -> (std::path::PathBuf, Services) {
        let dir = std::env::temp_dir().join(format!("gw_tx_{name}_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = dir.join("t.db").to_string_lossy().into_owned();
        let (pool, kind) = crate::db::connect(&url, 2, Duration::from_secs(5)).unwrap();
        let clock = Arc::new(ManualClock::new(Utc::now()));
        (dir, Services::new(pool, kind, clock))
    }

    fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(f)
    }

    fn audit_rows(s: &Services) -> i64 {
        use crate::db::schema::audit_events::dsl::audit_events;
        audit_events
            .count()
            .get_result(&mut s.pool.get().unwrap())
            .unwrap()
    }

    fn event() -> Audit {
        Audit {
            action: "family_read",
            entity: "family",
            entity_id: Some(1),
            family_id: Some(1),
            detail: "test".into(),
        }
    }

    #[test]
    fn a_failed_use_case_writes_no_audit_and_signals_nothing() {
        let (dir, s) = services("failed");
        let failed: Result<(), _> = block_on(s.write(Actor::System, |tx| {
            tx.audit(event());
            tx.listing_changed();
            Err(ServiceError::Conflict("refused".into()))
        }));
        assert!(matches!(failed, Err(ServiceError::Conflict(_))));
        assert_eq!((audit_rows(&s), s.signals.listing_generation()), (0, 0));

        block_on(s.write(Actor::System, |tx| {
            tx.audit(event());
            tx.listing_changed();
            Ok(())
        }))
        .unwrap();
        assert_eq!((audit_rows(&s), s.signals.listing_generation()), (1, 1));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_savepoint_not_kept_undoes_its_writes_and_records_and_the_transaction_goes_on() {
        let (dir, s) = services("savepoint");
        let kept = block_on(s.write(Actor::System, |tx| {
            tx.audit(event());
            // Refused by `keep`: its message, audit event and signals go.
            let refused = tx.savepoint(
                |tx| {
                    let at = tx.now_naive();
                    store::messages::insert(tx.conn, &a_message(), at)?;
                    tx.messages_queued();
                    tx.listing_changed();
                    tx.audit(event());
                    Ok("refused")
                },
                |_| false,
            )?;
            // Failed: the same.
            let failed: Result<(), _> = tx.savepoint(
                |tx| {
                    let at = tx.now_naive();
                    store::messages::insert(tx.conn, &a_message(), at)?;
                    tx.audit(event());
                    Err(ServiceError::BookingClosed)
                },
                |_| true,
            );
            assert!(failed.is_err());
            // Kept: its message stays.
            tx.savepoint(
                |tx| {
                    let at = tx.now_naive();
                    store::messages::insert(tx.conn, &a_message(), at)?;
                    Ok(())
                },
                |_| true,
            )?;
            Ok(refused)
        }))
        .unwrap();
        assert_eq!(
            kept, "refused",
            "the answer of an undone savepoint is still given"
        );
        assert_eq!(message_rows(&s), 1);
        assert_eq!(audit_rows(&s), 1);
        assert_eq!(s.signals.listing_generation(), 0);
        assert!(!woken(&s));
        let _ = std::fs::remove_dir_all(dir);
    }

    fn message_rows(s: &Services) -> i64 {
        use crate::db::schema::messages::dsl::messages;
        messages
            .count()
            .get_result(&mut s.pool.get().unwrap())
            .unwrap()
    }

    fn a_message() -> store::messages::NewMessage {
        use crate::domain::message::*;
        store::messages::NewMessage {
            reference: crate::messages::outbox::new_reference(),
            family_id: None,
            booking_id: None,
            cohort_id: None,
            session_id: None,
            kind: MessageKind::BookingConfirmed,
            channel: Channel::Email,
            recipient: "amy@example.org".into(),
            language: Language::En,
            subject: "s".into(),
            body_text: "b".into(),
            body_html: String::new(),
            calendar: String::new(),
            dedupe_key: None,
            status: MessageStatus::Queued,
            last_error: String::new(),
            resent_from: None,
            staff_id: None,
            user_id: None,
        }
    }

    /// Whether the delivery worker would be woken now.
    fn woken(s: &Services) -> bool {
        block_on(async {
            tokio::time::timeout(
                std::time::Duration::from_millis(20),
                s.signals.outbox.notified(),
            )
            .await
            .is_ok()
        })
    }

    #[test]
    fn a_use_case_that_fails_after_queueing_a_message_leaves_none_and_wakes_no_worker() {
        let (dir, s) = services("outbox");
        let failed: Result<(), _> = block_on(s.write(Actor::System, |tx| {
            let at = tx.now_naive();
            store::messages::insert(tx.conn, &a_message(), at)?;
            tx.messages_queued();
            Err(ServiceError::BookingClosed)
        }));
        assert!(failed.is_err());
        assert_eq!(message_rows(&s), 0, "rolled back with the change");
        assert!(!woken(&s));

        block_on(s.write(Actor::System, |tx| {
            let at = tx.now_naive();
            store::messages::insert(tx.conn, &a_message(), at)?;
            tx.messages_queued();
            Ok(())
        }))
        .unwrap();
        assert_eq!(message_rows(&s), 1);
        assert!(woken(&s), "committed: the worker is woken");
        let _ = std::fs::remove_dir_all(dir);
    }

    /// What `f`'s use cases counted, through a recorder of this thread's own (the process's
    /// recorder, if any, is left alone), in Prometheus' text format.
    fn counted_by(f: impl FnOnce()) -> String {
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        metrics::with_local_recorder(&recorder, f);
        recorder.handle().render()
    }

    #[test]
    fn facts_are_counted_once_and_only_when_the_transaction_commits() {
        let (dir, s) = services("counted");
        let made = Counted::BookingMade {
            confirmed: true,
            walk_in: false,
        };
        let text = counted_by(|| {
            // Rolled back: not counted.
            let failed: Result<(), _> = block_on(s.write(Actor::System, move |tx| {
                tx.count(made);
                Err(ServiceError::GroupFinished)
            }));
            assert!(failed.is_err());
            // Tried twice, committed once: counted once.
            let tries = Arc::new(AtomicU32::new(0));
            let counted = tries.clone();
            block_on(s.write(Actor::System, move |tx| {
                tx.count(made);
                if counted.fetch_add(1, Ordering::SeqCst) == 0 {
                    return Err(ServiceError::Database(DbError::DatabaseError(
                        DatabaseErrorKind::SerializationFailure,
                        Box::new("could not serialize access".to_string()),
                    )));
                }
                Ok(())
            }))
            .unwrap();
            assert_eq!(tries.load(Ordering::SeqCst), 2);
            // A savepoint undone takes its facts with it; one kept keeps them.
            block_on(s.write(Actor::System, |tx| {
                let promoted = |tx: &mut Tx| {
                    tx.count(Counted::Promoted);
                    Ok(())
                };
                tx.savepoint(promoted, |_| false)?;
                tx.savepoint(promoted, |_| true)
            }))
            .unwrap();
        });
        // In no set order: the recorder keeps its metrics in a hash map.
        let mut lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect();
        lines.sort_unstable();
        assert_eq!(
            lines,
            [
                r#"groupwork_bookings_made_total{status="confirmed",walk_in="false"} 1"#,
                "groupwork_waiting_list_promotions_total 1",
            ],
            "{text}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_transaction_the_database_could_not_serialise_is_tried_again_and_others_are_not() {
        let (dir, s) = services("retry");
        let busy = || {
            ServiceError::Database(DbError::DatabaseError(
                DatabaseErrorKind::SerializationFailure,
                Box::new("could not serialize access".to_string()),
            ))
        };
        let tries = Arc::new(AtomicU32::new(0));
        let counted = tries.clone();
        block_on(s.write(Actor::System, move |tx| {
            tx.audit(event());
            if counted.fetch_add(1, Ordering::SeqCst) == 0 {
                return Err(busy());
            }
            Ok(())
        }))
        .unwrap();
        assert_eq!(tries.load(Ordering::SeqCst), 2, "retried once");
        assert_eq!(audit_rows(&s), 1, "the failed attempt left nothing");

        // Always busy: given up after ATTEMPTS, the error returned as it is.
        let tries = Arc::new(AtomicU32::new(0));
        let counted = tries.clone();
        let out: Result<(), _> = block_on(s.write(Actor::System, move |_| {
            counted.fetch_add(1, Ordering::SeqCst);
            Err(busy())
        }));
        assert!(out.is_err_and(|e| e.is_retryable()));
        assert_eq!(tries.load(Ordering::SeqCst), ATTEMPTS);

        // A refusal is the answer, not a reason to try again.
        let tries = Arc::new(AtomicU32::new(0));
        let counted = tries.clone();
        let out: Result<(), _> = block_on(s.write(Actor::System, move |_| {
            counted.fetch_add(1, Ordering::SeqCst);
            Err(ServiceError::GroupFinished)
        }));
        assert!(out.is_err());
        assert_eq!(tries.load(Ordering::SeqCst), 1);
        let _ = std::fs::remove_dir_all(dir);
    }
}
