//! A rolling restart under load loses no request. Two real `groupwork serve` processes on one
//! PostgreSQL sit behind a small load balancer made here, as haproxy or nginx would be set up:
//! it polls each process's `/health` every 50 ms and sends each new client connection to the next
//! healthy one, round robin (no retries: a connection it cannot pass on is dropped, as lost).
//! Eight clients keep reading the listing and signing in through it, one connection a request,
//! while process 1 is sent SIGTERM (in a burst of 16 more clients), waited for and replaced,
//! then process 2.
//!
//! Every request must get its proper answer: the draining process tells the balancer through
//! `/health` to send it nothing more before it closes its listener. The control does the same
//! with the drain off (`GROUPWORK_SHUTDOWN_DRAIN_MS=0`): connections the balancer sends in the
//! moment between the close and its next health check are refused or reset, and lost.

use crate::helpers::{self, Backend, TestApp, JWT_SECRET, PASSWORD};
use crate::races::group_on;
use crate::serve_child::ServeChild;
use chrono::{Datelike, Days, Utc, Weekday};
use reqwest::blocking::Client;
use serde_json::json;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const CLIENTS: usize = 8;
const HEALTH_EVERY: Duration = Duration::from_millis(50);
const BURST: usize = 16;
const BURST_FOR: Duration = Duration::from_millis(400);

#[derive(Clone, Copy)]
struct Upstream {
    addr: SocketAddr,
    healthy: bool,
    /// Client connections sent to this address.
    sent: usize,
}

/// The load balancer: a listener on 127.0.0.1, a health-check thread and a thread a connection.
struct Balancer {
    addr: SocketAddr,
    upstreams: Arc<Mutex<Vec<Upstream>>>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl Balancer {
    fn start(backends: &[SocketAddr]) -> Balancer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("balancer listener");
        let addr = listener.local_addr().unwrap();
        let upstreams = backends
            .iter()
            .map(|&addr| Upstream {
                addr,
                healthy: false,
                sent: 0,
            })
            .collect();
        let upstreams = Arc::new(Mutex::new(upstreams));
        let stop = Arc::new(AtomicBool::new(false));
        let checks = {
            let (upstreams, stop) = (upstreams.clone(), stop.clone());
            std::thread::spawn(move || check_health(&upstreams, &stop))
        };
        let accepts = {
            let (upstreams, stop) = (upstreams.clone(), stop.clone());
            std::thread::spawn(move || accept(listener, &upstreams, &stop))
        };
        Balancer {
            addr,
            upstreams,
            stop,
            threads: vec![checks, accepts],
        }
    }

    /// Points slot `i` at a new process; it gets connections once its health check passes.
    fn replace(&self, i: usize, addr: SocketAddr) {
        let mut u = self.upstreams.lock().unwrap();
        u[i] = Upstream {
            addr,
            healthy: false,
            sent: 0,
        };
    }

    fn wait_healthy(&self, i: usize) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.upstreams.lock().unwrap()[i].healthy {
            assert!(Instant::now() < deadline, "backend {i} never healthy");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn sent(&self, i: usize) -> usize {
        self.upstreams.lock().unwrap()[i].sent
    }

    fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop.
        let _ = TcpStream::connect(self.addr);
        for t in self.threads.drain(..) {
            t.join().expect("balancer thread");
        }
    }
}

/// Like a balancer's HTTP health check: a new connection each time, 200 or out of rotation.
fn check_health(upstreams: &Mutex<Vec<Upstream>>, stop: &AtomicBool) {
    let client = Client::builder()
        .timeout(Duration::from_millis(500))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    while !stop.load(Ordering::SeqCst) {
        let addrs: Vec<SocketAddr> = upstreams.lock().unwrap().iter().map(|u| u.addr).collect();
        for (i, addr) in addrs.into_iter().enumerate() {
            let ok = client
                .get(format!("http://{addr}/health"))
                .send()
                .is_ok_and(|r| r.status() == 200);
            let mut u = upstreams.lock().unwrap();
            // Unless the slot was pointed elsewhere meanwhile.
            if u[i].addr == addr {
                u[i].healthy = ok;
            }
        }
        std::thread::sleep(HEALTH_EVERY);
    }
}

fn accept(listener: TcpListener, upstreams: &Arc<Mutex<Vec<Upstream>>>, stop: &AtomicBool) {
    let mut next = 0usize;
    let mut pipes = Vec::new();
    for client in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(client) = client else { continue };
        let target = {
            let mut u = upstreams.lock().unwrap();
            let n = u.len();
            let pick = (0..n).map(|k| (next + k) % n).find(|&i| u[i].healthy);
            pick.map(|i| {
                next = i + 1;
                u[i].sent += 1;
                u[i].addr
            })
        };
        // No healthy backend, or it refuses: the connection is dropped (the client sees it closed).
        let Some(target) = target else { continue };
        pipes.push(std::thread::spawn(move || forward(client, target)));
        pipes.retain(|p: &JoinHandle<()>| !p.is_finished());
    }
    for p in pipes {
        let _ = p.join();
    }
}

/// Passes bytes both ways until either side closes; a reset from the backend closes the client.
fn forward(client: TcpStream, target: SocketAddr) {
    let Ok(server) = TcpStream::connect_timeout(&target, Duration::from_secs(1)) else {
        return;
    };
    let (mut c_in, mut s_out) = (client.try_clone().unwrap(), server.try_clone().unwrap());
    let upstream = std::thread::spawn(move || {
        let _ = pipe(&mut c_in, &mut s_out);
        let _ = s_out.shutdown(Shutdown::Write);
    });
    let (mut s_in, mut c_out) = (server, client);
    if pipe(&mut s_in, &mut c_out).is_err() {
        // The backend reset the connection: so does the balancer, the answer is lost.
        let _ = c_out.shutdown(Shutdown::Both);
        let _ = s_in.shutdown(Shutdown::Both);
    } else {
        let _ = c_out.shutdown(Shutdown::Write);
    }
    let _ = upstream.join();
}

fn pipe(from: &mut TcpStream, to: &mut TcpStream) -> std::io::Result<()> {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = from.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        to.write_all(&buf[..n])?;
    }
}

/// What the clients saw.
struct Tally {
    started: Instant,
    answered: AtomicUsize,
    /// A request without its proper answer: what happened, and when (since the start).
    lost: Mutex<Vec<(Duration, String)>>,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            started: Instant::now(),
            answered: AtomicUsize::new(0),
            lost: Mutex::new(Vec::new()),
        }
    }

    fn answered(&self) -> usize {
        self.answered.load(Ordering::SeqCst)
    }

    fn lost(&self) -> usize {
        self.lost.lock().unwrap().len()
    }
}

/// One client: reads the public listing and, every fourth request if it has a parent's email,
/// signs in, one connection a request, while `go` says so.
fn client(base: String, email: Option<String>, tally: Arc<Tally>, go: impl Fn() -> bool) {
    let client = Client::builder()
        .timeout(Duration::from_secs(15))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let mut k = 0u32;
    while go() {
        k += 1;
        let (what, res) = match &email {
            Some(email) if k.is_multiple_of(4) => {
                let body = json!({"email": email, "password": PASSWORD});
                let url = format!("{base}/api/v1/auth/login");
                ("sign-in", client.post(url).json(&body).send())
            }
            _ => (
                "listing",
                client.get(format!("{base}/api/v1/listings")).send(),
            ),
        };
        // The whole body read: an answer cut off halfway is lost too.
        let outcome = res.and_then(|r| {
            let status = r.status();
            r.bytes().map(|_| status)
        });
        let lost = match outcome {
            Ok(s) if s == 200 => {
                tally.answered.fetch_add(1, Ordering::SeqCst);
                continue;
            }
            Ok(s) => format!("{what}: {s}"),
            Err(e) => format!("{what}: {e:?}"),
        };
        let at = tally.started.elapsed();
        tally.lost.lock().unwrap().push((at, lost));
    }
}

/// The steady load: `CLIENTS` threads, each signing in as its own parent, until `stop`.
fn steady(
    base: &str,
    emails: &[String],
    stop: &Arc<AtomicBool>,
    tally: &Arc<Tally>,
) -> Vec<JoinHandle<()>> {
    emails
        .iter()
        .map(|email| {
            let (base, email) = (base.to_string(), Some(email.clone()));
            let (stop, tally) = (stop.clone(), tally.clone());
            std::thread::spawn(move || client(base, email, tally, || !stop.load(Ordering::SeqCst)))
        })
        .collect()
}

/// A burst on top at the moment of the signal: `BURST` more clients reading the listing for
/// `BURST_FOR`, so many connections arrive while the balancer still thinks the process is up.
fn burst(base: &str, tally: &Arc<Tally>) -> Vec<JoinHandle<()>> {
    let until = Instant::now() + BURST_FOR;
    (0..BURST)
        .map(|_| {
            let (base, tally) = (base.to_string(), tally.clone());
            std::thread::spawn(move || client(base, None, tally, || Instant::now() < until))
        })
        .collect()
}

fn start(url: &str, drain_ms: &str, name: &str) -> ServeChild {
    let env = [("GROUPWORK_SHUTDOWN_DRAIN_MS", drain_ms)];
    let prefix = format!("groupwork-rolling-{}", std::process::id());
    ServeChild::start(url, JWT_SECRET, &env, &prefix, name)
}

fn addr_of(child: &ServeChild) -> SocketAddr {
    child
        .base
        .trim_start_matches("http://")
        .parse()
        .expect("a loopback address")
}

struct Restarts {
    answered: usize,
    lost: Vec<(Duration, String)>,
}

/// Two processes behind the balancer under load; each in turn is sent SIGTERM, waited for and
/// replaced (its successor healthy before the next one goes).
fn rolling_restart(app: &TestApp, drain_ms: &str, emails: &[String], tag: &str) -> Restarts {
    let url = app.state.config.database_url.clone();
    let mut procs = [
        start(&url, drain_ms, &format!("{tag}-1")),
        start(&url, drain_ms, &format!("{tag}-2")),
    ];
    let lb = Balancer::start(&[addr_of(&procs[0]), addr_of(&procs[1])]);
    lb.wait_healthy(0);
    lb.wait_healthy(1);
    let (stop, tally) = (Arc::new(AtomicBool::new(false)), Arc::new(Tally::new()));
    let base = format!("http://{}", lb.addr);
    let load = steady(&base, emails, &stop, &tally);
    std::thread::sleep(Duration::from_millis(500));
    for (i, proc) in procs.iter_mut().enumerate() {
        let before = tally.answered();
        assert!(lb.sent(i) > 0, "process {} had a share of the load", i + 1);
        let extra = burst(&base, &tally);
        std::thread::sleep(Duration::from_millis(100));
        let status = proc
            .terminate(Duration::from_secs(20))
            .unwrap_or_else(|| panic!("still running 20 s after SIGTERM"));
        assert_eq!(status.code(), Some(0), "{}", proc.log_text());
        *proc = start(&url, drain_ms, &format!("{tag}-{}-new", i + 1));
        lb.replace(i, addr_of(proc));
        lb.wait_healthy(i);
        std::thread::sleep(Duration::from_millis(300));
        for c in extra {
            c.join().expect("burst client");
        }
        assert!(lb.sent(i) > 0, "the new process {} is in rotation", i + 1);
        assert!(
            tally.answered() > before + 50,
            "the load went on through the restart of process {}",
            i + 1
        );
        eprintln!(
            "{tag}: process {} restarted, {} answered and {} lost so far",
            i + 1,
            tally.answered(),
            tally.lost()
        );
    }
    stop.store(true, Ordering::SeqCst);
    for c in load {
        c.join().expect("client thread");
    }
    lb.stop();
    let lost = std::mem::take(&mut *tally.lost.lock().unwrap());
    Restarts {
        answered: tally.answered(),
        lost,
    }
}

/// A Tuesday about eight weeks ahead by the real clock (the processes run on it).
fn first_session_date() -> String {
    let mut d = Utc::now().date_naive() + Days::new(56);
    while d.weekday() != Weekday::Tue {
        d = d + Days::new(1);
    }
    d.to_string()
}

#[test]
fn a_rolling_restart_under_load_loses_no_request_postgres() {
    let Some(app) = helpers::spawn(Backend::Postgres, |c| c.pool_size = 4) else {
        return;
    };
    // Something to list, and a parent for each client to sign in as.
    group_on(&app, 12, &first_session_date());
    let emails: Vec<String> = (0..CLIENTS)
        .map(|i| {
            let email = format!("rolling{i}@parents.example");
            app.register_parent(&email);
            email
        })
        .collect();

    // The default drain (2 s): the balancer stops sending before the listener closes.
    let drained = rolling_restart(&app, "2000", &emails, "drained");
    eprintln!(
        "with the drain: {} answered, {} lost",
        drained.answered,
        drained.lost.len()
    );
    assert!(
        drained.lost.is_empty(),
        "requests lost in a rolling restart with the drain: {:?}",
        &drained.lost[..drained.lost.len().min(10)]
    );

    // Control: without the drain the listener closes at the signal, and the connections the
    // balancer sends before its next check are lost.
    let abrupt = rolling_restart(&app, "0", &emails, "abrupt");
    eprintln!(
        "without the drain: {} answered, {} lost: {:?}",
        abrupt.answered,
        abrupt.lost.len(),
        &abrupt.lost[..abrupt.lost.len().min(5)]
    );
    assert!(
        !abrupt.lost.is_empty(),
        "the control lost no request: the test could not have seen a loss"
    );
}
