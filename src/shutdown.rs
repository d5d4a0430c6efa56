//! How `serve` stops on SIGTERM or SIGINT without losing a request behind a load balancer.
//!
//! Closing the listener at once resets every connection the kernel has queued but actix has not
//! yet accepted, and the balancer keeps sending new ones until its next health check. So first
//! the process drains: it goes on serving, but `GET /health` answers 503 `draining` (and every
//! answer closes its connection) for `GROUPWORK_SHUTDOWN_DRAIN_MS`, long enough for the balancer
//! to take it out of rotation. Only then it stops accepting and finishes the requests in flight,
//! within `GROUPWORK_SHUTDOWN_TIMEOUT_SECS`. A second signal during the drain ends it early.

use actix_web::dev::ServerHandle;
use actix_web::rt::signal::unix::{signal, Signal, SignalKind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Whether this process is draining: shared by the signal task and the handlers.
#[derive(Clone, Default)]
pub struct Drain(Arc<AtomicBool>);

impl Drain {
    pub fn is_draining(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    fn begin(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// SIGTERM and SIGINT, listened for from now on (so one that comes while the server starts is
/// not lost). Needs the runtime.
pub struct Signals {
    term: Signal,
    int: Signal,
}

impl Signals {
    pub fn listen() -> std::io::Result<Signals> {
        Ok(Signals {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    /// The next SIGTERM or SIGINT: its name.
    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.term.recv() => "SIGTERM",
            _ = self.int.recv() => "SIGINT",
        }
    }
}

/// Waits for a signal, drains for `period` (a second signal cuts it short), then stops `server`
/// gracefully: it stops accepting and answers the requests in flight within its shutdown
/// timeout. Actix's own signal handling must be off (it would close the listener at once, and
/// SIGINT would drop the requests in flight).
pub async fn drain_then_stop(
    mut signals: Signals,
    drain: Drain,
    period: Duration,
    server: ServerHandle,
) {
    let first = signals.next().await;
    if !period.is_zero() {
        drain.begin();
        tracing::info!(
            signal = first,
            drain_ms = period.as_millis() as u64,
            "draining: /health answers 503 so load balancers stop sending connections"
        );
        tokio::select! {
            _ = tokio::time::sleep(period) => {}
            second = signals.next() => tracing::info!(signal = second, "drain cut short"),
        }
    }
    tracing::info!(
        signal = first,
        "stopping: no new connections, finishing the requests in flight"
    );
    server.stop(true).await;
}
