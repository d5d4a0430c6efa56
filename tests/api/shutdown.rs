//! Graceful shutdown of a real `groupwork serve`: on SIGTERM it stops accepting, answers the
//! request in flight and exits 0 within its grace period (`GROUPWORK_SHUTDOWN_TIMEOUT_SECS`).
//! The control gives a request slower than the grace period, which is cut off: so the test
//! would see a request lost to the shutdown.

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

fn serve(grace_secs: &str, name: &str) -> (ServeChild, std::path::PathBuf) {
    let dir =
        std::env::temp_dir().join(format!("groupwork-shutdown-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("s.db");
    let env = [("GROUPWORK_SHUTDOWN_TIMEOUT_SECS", grace_secs)];
    let prefix = format!("groupwork-shutdown-{}", std::process::id());
    let child = ServeChild::start(db.to_str().unwrap(), JWT_SECRET, &env, &prefix, name);
    (child, dir)
}

#[test]
fn sigterm_finishes_the_request_in_flight_and_exits_within_the_grace_period() {
    let (mut server, dir) = serve("5", "graceful");
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
    let (mut server, dir) = serve("1", "control");
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
