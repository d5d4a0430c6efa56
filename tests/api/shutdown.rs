//! Graceful shutdown of a real `groupwork serve`: on SIGTERM it stops accepting, answers the
//! request in flight and exits 0 within its grace period (`GROUPWORK_SHUTDOWN_TIMEOUT_SECS`).
//! The control gives a request slower than the grace period, which is cut off: so the test
//! would see a request lost to the shutdown.
//!
//! Before it stops accepting, `serve` drains (`GROUPWORK_SHUTDOWN_DRAIN_MS`): `/health` answers
//! 503 `draining` while requests are still served. The drain is off in the first test (so the
//! grace period is all there is) and measured in the second; `rolling_restart.rs` shows what it
//! is for.

use crate::helpers::JWT_SECRET;
use crate::serve_child::ServeChild;
use reqwest::blocking::{Body, Client};
use std::io::Read;
use std::time::{Duration, Instant};

/// A request body that arrives slowly, so its request is still in flight when the signal comes.
struct Trickle {
    bytes: Vec<u8>,
    at: usize,
    pause: Duration,
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at >= self.bytes.len() || buf.is_empty() {
            return Ok(0);
        }
        std::thread::sleep(self.pause);
        buf[0] = self.bytes[self.at];
        self.at += 1;
        Ok(1)
    }
}

/// A sign-in whose body takes about `takes` to arrive, sent in a thread: its status, or the
/// client's error.
fn slow_sign_in(base: &str, takes: Duration) -> std::thread::JoinHandle<Result<u16, String>> {
    let body = br#"{"email":"nobody@example.org","password":"not anyone's password"}"#.to_vec();
    let pause = takes / body.len() as u32;
    let len = body.len() as u64;
    let url = format!("{base}/api/v1/auth/login");
    std::thread::spawn(move || {
        let client = Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .map_err(|e| e.to_string())?;
        let trickle = Trickle {
            bytes: body,
            at: 0,
            pause,
        };
        client
            .post(url)
            .header("content-type", "application/json")
            .body(Body::sized(trickle, len))
            .send()
            .and_then(|r| {
                let status = r.status().as_u16();
                r.text().map(|_| status)
            })
            .map_err(|e| e.to_string())
    })
}

fn serve(grace_secs: &str, drain_ms: &str, name: &str) -> (ServeChild, std::path::PathBuf) {
    let dir =
        std::env::temp_dir().join(format!("groupwork-shutdown-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("s.db");
    let env = [
        ("GROUPWORK_SHUTDOWN_TIMEOUT_SECS", grace_secs),
        ("GROUPWORK_SHUTDOWN_DRAIN_MS", drain_ms),
    ];
    let prefix = format!("groupwork-shutdown-{}", std::process::id());
    let child = ServeChild::start(db.to_str().unwrap(), JWT_SECRET, &env, &prefix, name);
    (child, dir)
}

#[test]
fn sigterm_finishes_the_request_in_flight_and_exits_within_the_grace_period() {
    let (mut server, dir) = serve("5", "0", "graceful");
    let base = server.base.clone();
    let in_flight = slow_sign_in(&base, Duration::from_millis(1500));
    std::thread::sleep(Duration::from_millis(400));
    let signalled = Instant::now();
    let status = server
        .terminate(Duration::from_secs(8))
        .unwrap_or_else(|| panic!("still running 8 s after SIGTERM:\n{}", server.log_text()));
    let answer = in_flight.join().expect("client thread");
    assert_eq!(answer, Ok(401), "the sign-in in flight is answered");
    assert_eq!(status.code(), Some(0), "{}", server.log_text());
    assert!(
        signalled.elapsed() < Duration::from_secs(5),
        "exited within the grace period"
    );
    // Nothing is accepted any more.
    let after = Client::new().get(format!("{base}/health")).send();
    assert!(
        after.is_err_and(|e| e.is_connect()),
        "a connection after the exit is refused"
    );
    let _ = std::fs::remove_dir_all(dir);

    // Control: a request slower than a 1 s grace period is cut off, so the test above would
    // have seen a lost request.
    let (mut server, dir) = serve("1", "0", "control");
    let too_slow = slow_sign_in(&server.base, Duration::from_secs(4));
    std::thread::sleep(Duration::from_millis(400));
    let status = server.terminate(Duration::from_secs(6));
    assert!(status.is_some(), "the control exits after its grace period");
    let answer = too_slow.join().expect("client thread");
    assert!(
        answer.is_err(),
        "the request outlasting the grace period is lost: {answer:?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// `/health` as a load balancer polls it: a new connection each time. Status, `Retry-After`,
/// `Connection` and body; `None` if nothing answered.
fn health(client: &Client, base: &str) -> Option<(u16, String, String, serde_json::Value)> {
    let res = client.get(format!("{base}/health")).send().ok()?;
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (retry, connection) = (header("retry-after"), header("connection"));
    Some((res.status().as_u16(), retry, connection, res.json().ok()?))
}

#[test]
fn sigterm_drains_first_then_stops_and_a_second_signal_ends_the_drain() {
    let client = Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let (mut server, dir) = serve("5", "3000", "drain");
    let base = server.base.clone();
    let (status, _, connection, body) = health(&client, &base).expect("health before");
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    assert_ne!(
        connection, "close",
        "connections are kept alive before the signal"
    );

    server.signal("TERM");
    let signalled = Instant::now();
    // Within a moment /health says draining, while the API still answers, on a connection that
    // is then closed (a keep-alive client's next request goes elsewhere).
    let draining = loop {
        let h = health(&client, &base).expect("health while draining");
        if h.0 == 503 || signalled.elapsed() > Duration::from_secs(2) {
            break h;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let (status, retry, connection, body) = draining;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "draining");
    assert!(body["database"].is_string(), "{body}");
    assert_eq!(retry, "3", "Retry-After: the drain in seconds");
    assert_eq!(connection, "close");
    let listing = client
        .get(format!("{base}/api/v1/listings"))
        .send()
        .expect("the API answers while draining");
    assert_eq!(listing.status(), 200);
    assert_eq!(listing.headers()["connection"], "close");
    // Still accepting a second later: the drain lasts its 3 s.
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(health(&client, &base).map(|h| h.0), Some(503));

    // A second signal (SIGINT here, as a second Ctrl-C) ends the drain: it stops at once, well
    // before the 3 s are up, and cleanly (exit 0, not killed by the signal).
    server.signal("INT");
    let status = server
        .terminate_wait(Duration::from_secs(8))
        .unwrap_or_else(|| panic!("still running after the second signal"));
    assert_eq!(status.code(), Some(0), "{}", server.log_text());
    assert!(
        signalled.elapsed() < Duration::from_millis(2500),
        "the second signal cut the drain short: {:?}",
        signalled.elapsed()
    );
    let _ = std::fs::remove_dir_all(dir);

    // Control: with one signal the drain runs its full 3 s before the process exits.
    let (mut server, dir) = serve("5", "3000", "drain-control");
    let signalled = Instant::now();
    let status = server.terminate(Duration::from_secs(8));
    assert_eq!(status.and_then(|s| s.code()), Some(0));
    assert!(
        signalled.elapsed() >= Duration::from_millis(3000),
        "one signal drains for the whole period: {:?}",
        signalled.elapsed()
    );
    let _ = std::fs::remove_dir_all(dir);
}
