//! The service's instruments: the counters, gauges and histograms `GET /metrics` shows
//! (`api::metrics` serves them in Prometheus' text format).
//!
//! Everything is counted through the `metrics` facade into one Prometheus recorder per process,
//! installed by [`install`] when the settings ask for metrics; until then a count costs next to
//! nothing and goes nowhere. The recorder is process-wide: the integration tests start many apps
//! in one process and share it, so they look at increases, never at absolute values.
//!
//! Names follow Prometheus' conventions: the `groupwork_` prefix, `_total` on counters, seconds.
//! Labels take a handful of values each (a route's template, never its path with ids), so the
//! number of series stays small.
//!
//! Who counts what: the HTTP middleware (`api::metrics::measure`) the requests; the pool
//! (`db::connect`, through [`PoolWaits`]) the waits for a connection; a use case records a
//! [`Counted`] fact on its transaction and `Services::write` counts it once that transaction has
//! committed; sign-in counts its failures; the gauges read from the pool and the outbox are set
//! at scrape time ([`pool`], [`outbox`]).

use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram};
use metrics::{SharedString, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

pub const HTTP_REQUESTS: &str = "groupwork_http_requests_total";
pub const HTTP_DURATION: &str = "groupwork_http_request_duration_seconds";
pub const POOL_CONNECTIONS: &str = "groupwork_db_pool_connections";
pub const POOL_MAX: &str = "groupwork_db_pool_max_connections";
pub const POOL_WAIT: &str = "groupwork_db_pool_wait_seconds";
pub const POOL_TIMEOUTS: &str = "groupwork_db_pool_timeouts_total";
pub const OUTBOX_MESSAGES: &str = "groupwork_outbox_messages";
pub const OUTBOX_OLDEST_AGE: &str = "groupwork_outbox_oldest_queued_age_seconds";
pub const BOOKINGS_MADE: &str = "groupwork_bookings_made_total";
pub const PROMOTIONS: &str = "groupwork_waiting_list_promotions_total";
pub const LOGIN_FAILURES: &str = "groupwork_login_failures_total";

/// The `route` label of a request that matched no route (one label for all of them).
pub const UNMATCHED: &str = "unmatched";

/// Request latency buckets (seconds): a listing served from memory to a slow report.
const HTTP_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Waits for a database connection (seconds): none at all up to the pool's timeout.
const POOL_BUCKETS: &[f64] = &[
    0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// How often histogram samples are folded into their buckets when nobody scrapes (the
/// recorder's upkeep, which `build_recorder` leaves to its owner).
const UPKEEP: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
/// Held while the scrape-time gauges are set and the text rendered, so that two apps in one
/// process (the tests) each render the gauges they set.
static SCRAPE: Mutex<()> = Mutex::new(());

/// Installs the process's recorder the first time it is called and returns its handle.
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let recorder = recorder();
        let handle = recorder.handle();
        if let Err(e) = metrics::set_global_recorder(recorder) {
            tracing::error!(error = %e, "metrics: another recorder is installed, /metrics stays empty");
        }
        describe();
        counted_from_zero();
        let upkeep = handle.clone();
        let spawned = std::thread::Builder::new()
            .name("metrics-upkeep".into())
            .spawn(move || loop {
                std::thread::sleep(UPKEEP);
                upkeep.run_upkeep();
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "metrics: no upkeep thread, histograms grow until scraped");
        }
        handle
    })
}

/// A recorder that writes the two histograms as Prometheus histograms with their buckets (the
/// exporter's default would be summaries).
fn recorder() -> metrics_exporter_prometheus::PrometheusRecorder {
    let builder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.into()), HTTP_BUCKETS)
        .and_then(|b| b.set_buckets_for_metric(Matcher::Full(POOL_WAIT.into()), POOL_BUCKETS));
    match builder {
        Ok(builder) => builder,
        // Only for an empty bucket list, which the constants above are not.
        Err(e) => {
            tracing::error!(error = %e, "metrics: histogram buckets refused");
            PrometheusBuilder::new()
        }
    }
    .build_recorder()
}

/// The `# HELP` line of each metric.
fn describe() {
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests answered, by method, route template and status."
    );
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "Time to answer an HTTP request, by method, route template and status."
    );
    describe_gauge!(
        POOL_CONNECTIONS,
        "Database connections of this process's pool, in_use or idle."
    );
    describe_gauge!(POOL_MAX, "The most database connections the pool opens.");
    describe_histogram!(
        POOL_WAIT,
        Unit::Seconds,
        "Time waited for a database connection from the pool (timeouts included)."
    );
    describe_counter!(
        POOL_TIMEOUTS,
        "Waits for a database connection that timed out (answered 503)."
    );
    describe_gauge!(
        OUTBOX_MESSAGES,
        "Messages in the outbox by status: queued (due or waiting to retry), sending, failed. \
         Read from the database, so the same in every process sharing it."
    );
    describe_gauge!(
        OUTBOX_OLDEST_AGE,
        Unit::Seconds,
        "Age of the oldest message not yet delivered (queued or sending); 0 when there is none."
    );
    describe_counter!(
        BOOKINGS_MADE,
        "Bookings made (committed), by status (confirmed, waitlisted) and whether a walk-in."
    );
    describe_counter!(
        PROMOTIONS,
        "Waitlisted bookings confirmed when a place came up (committed)."
    );
    describe_counter!(
        LOGIN_FAILURES,
        "Failed sign-ins, by reason: credentials (unknown email, wrong password or account off, \
         not told apart), locked (too many wrong passwords), rate_limited (too many from one address)."
    );
}

/// The counters of things that may not have happened yet, shown at 0 from the start (so a
/// rate over them is a number, and a dashboard finds them on a quiet service).
fn counted_from_zero() {
    for confirmed in [true, false] {
        for walk_in in [true, false] {
            bookings_made(confirmed, walk_in).increment(0);
        }
    }
    counter!(PROMOTIONS).increment(0);
    for why in [
        LoginFailure::Credentials,
        LoginFailure::Locked,
        LoginFailure::RateLimited,
    ] {
        login_failures(why).increment(0);
    }
    counter!(POOL_TIMEOUTS).increment(0);
}

/// One answered HTTP request.
pub fn request(method: &'static str, route: String, status: u16, took: Duration) {
    let labels = [
        ("method", SharedString::from(method)),
        ("route", SharedString::from(route)),
        ("status", SharedString::from(status.to_string())),
    ];
    counter!(HTTP_REQUESTS, &labels).increment(1);
    histogram!(HTTP_DURATION, &labels).record(took.as_secs_f64());
}

/// Counts the waits for a pool connection (`r2d2`'s events).
#[derive(Debug, Clone, Copy, Default)]
pub struct PoolWaits;

impl r2d2::HandleEvent for PoolWaits {
    fn handle_checkout(&self, event: r2d2::event::CheckoutEvent) {
        histogram!(POOL_WAIT).record(event.duration().as_secs_f64());
    }

    fn handle_timeout(&self, event: r2d2::event::TimeoutEvent) {
        histogram!(POOL_WAIT).record(event.timeout().as_secs_f64());
        counter!(POOL_TIMEOUTS).increment(1);
    }
}

/// A fact a use case counts, once its transaction has committed (`Tx::count`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// A booking made, confirmed or on the waiting list; by a walk-in or not.
    BookingMade { confirmed: bool, walk_in: bool },
    /// A waitlisted booking confirmed when a place came up.
    Promoted,
}

/// Counts a committed use case's facts.
pub fn committed(facts: &[Counted]) {
    for fact in facts {
        match *fact {
            Counted::BookingMade { confirmed, walk_in } => {
                bookings_made(confirmed, walk_in).increment(1)
            }
            Counted::Promoted => counter!(PROMOTIONS).increment(1),
        }
    }
}

fn bookings_made(confirmed: bool, walk_in: bool) -> metrics::Counter {
    let status = if confirmed { "confirmed" } else { "waitlisted" };
    let walk_in = if walk_in { "true" } else { "false" };
    counter!(BOOKINGS_MADE, "status" => status, "walk_in" => walk_in)
}

/// Why a sign-in failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFailure {
    /// Unknown email, wrong password or account turned off (not told apart).
    Credentials,
    /// The account is locked after too many wrong passwords.
    Locked,
    /// Too many sign-ins from the client's address.
    RateLimited,
}

pub fn login_failed(why: LoginFailure) {
    login_failures(why).increment(1);
}

fn login_failures(why: LoginFailure) -> metrics::Counter {
    let reason = match why {
        LoginFailure::Credentials => "credentials",
        LoginFailure::Locked => "locked",
        LoginFailure::RateLimited => "rate_limited",
    };
    counter!(LOGIN_FAILURES, "reason" => reason)
}

/// The outbox as read at scrape time.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Outbox {
    pub queued: i64,
    pub sending: i64,
    pub failed: i64,
    /// Age of the oldest message not yet delivered; 0 when there is none.
    pub oldest_age_secs: f64,
}

/// Sets the scrape-time gauges and renders every metric in the text exposition format. `outbox`
/// is `None` when the database could not be read: its gauges are then NaN (unknown), not the
/// figures of an earlier scrape.
pub fn render(
    handle: &PrometheusHandle,
    pool: r2d2::State,
    pool_max: u32,
    outbox: Option<Outbox>,
) -> String {
    let _one_at_a_time = SCRAPE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let in_use = pool.connections.saturating_sub(pool.idle_connections);
    gauge!(POOL_CONNECTIONS, "state" => "in_use").set(f64::from(in_use));
    gauge!(POOL_CONNECTIONS, "state" => "idle").set(f64::from(pool.idle_connections));
    gauge!(POOL_MAX).set(f64::from(pool_max));
    let (queued, sending, failed, age) = match outbox {
        Some(o) => (
            o.queued as f64,
            o.sending as f64,
            o.failed as f64,
            o.oldest_age_secs,
        ),
        None => (f64::NAN, f64::NAN, f64::NAN, f64::NAN),
    };
    gauge!(OUTBOX_MESSAGES, "status" => "queued").set(queued);
    gauge!(OUTBOX_MESSAGES, "status" => "sending").set(sending);
    gauge!(OUTBOX_MESSAGES, "status" => "failed").set(failed);
    gauge!(OUTBOX_OLDEST_AGE).set(age);
    handle.render()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pool that never opens a connection, counting its waits with [`PoolWaits`].
    #[derive(Debug)]
    struct Never;

    impl r2d2::ManageConnection for Never {
        type Connection = ();
        type Error = std::io::Error;
        fn connect(&self) -> Result<(), std::io::Error> {
            Err(std::io::Error::other("never"))
        }
        fn is_valid(&self, _: &mut ()) -> Result<(), std::io::Error> {
            Ok(())
        }
        fn has_broken(&self, _: &mut ()) -> bool {
            false
        }
    }

    /// Everything above through a recorder of this thread's own, rendered: the histograms come
    /// out as Prometheus histograms with their buckets, the counters with their labels.
    #[test]
    fn renders_histograms_with_buckets_and_labelled_counters() {
        let recorder = recorder();
        let handle = recorder.handle();
        let pool = r2d2::Pool::builder()
            .min_idle(Some(0))
            .max_size(3)
            .connection_timeout(Duration::from_millis(1))
            .event_handler(Box::new(PoolWaits))
            .build_unchecked(Never);
        let text = metrics::with_local_recorder(&recorder, || {
            describe();
            counted_from_zero();
            request(
                "GET",
                "/api/v1/cohorts/{id}".into(),
                200,
                Duration::from_millis(30),
            );
            assert!(pool.get().is_err(), "timed out, and counted");
            committed(&[
                Counted::BookingMade {
                    confirmed: true,
                    walk_in: false,
                },
                Counted::Promoted,
            ]);
            login_failed(LoginFailure::Locked);
            let outbox = Outbox {
                queued: 2,
                oldest_age_secs: 90.0,
                ..Outbox::default()
            };
            render(&handle, pool.state(), 3, Some(outbox))
        });
        for line in [
            "# TYPE groupwork_http_request_duration_seconds histogram",
            r#"groupwork_http_request_duration_seconds_bucket{method="GET",route="/api/v1/cohorts/{id}",status="200",le="0.05"} 1"#,
            r#"groupwork_http_request_duration_seconds_bucket{method="GET",route="/api/v1/cohorts/{id}",status="200",le="0.025"} 0"#,
            r#"groupwork_http_requests_total{method="GET",route="/api/v1/cohorts/{id}",status="200"} 1"#,
            "# TYPE groupwork_db_pool_wait_seconds histogram",
            r#"groupwork_db_pool_wait_seconds_bucket{le="0.0005"} 0"#,
            r#"groupwork_db_pool_wait_seconds_bucket{le="+Inf"} 1"#,
            "groupwork_db_pool_timeouts_total 1",
            r#"groupwork_db_pool_connections{state="in_use"} 0"#,
            "groupwork_db_pool_max_connections 3",
            r#"groupwork_bookings_made_total{status="confirmed",walk_in="false"} 1"#,
            "groupwork_waiting_list_promotions_total 1",
            r#"groupwork_login_failures_total{reason="locked"} 1"#,
            r#"groupwork_login_failures_total{reason="rate_limited"} 0"#,
            r#"groupwork_bookings_made_total{status="waitlisted",walk_in="true"} 0"#,
            r#"groupwork_outbox_messages{status="queued"} 2"#,
            r#"groupwork_outbox_messages{status="failed"} 0"#,
            "groupwork_outbox_oldest_queued_age_seconds 90",
            "# HELP groupwork_login_failures_total Failed sign-ins",
        ] {
            assert!(
                text.lines().any(|l| l.starts_with(line)),
                "{line}\nnot in:\n{text}"
            );
        }
        // The database unread: unknown, not an earlier figure.
        let text =
            metrics::with_local_recorder(&recorder, || render(&handle, pool.state(), 3, None));
        assert!(
            text.contains(r#"groupwork_outbox_messages{status="queued"} NaN"#),
            "{text}"
        );
    }
}
