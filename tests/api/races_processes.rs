//! The race for the last place across two real `groupwork` processes sharing one PostgreSQL
//! database: the guard must hold between processes, not only between threads of one. The control
//! runs the same race with the guard switched off (a debug-build-only variable) and must overbook.
//! PostgreSQL only: sharing one database between processes is PostgreSQL's deployment.

use crate::helpers::{self, Backend, TestApp, JWT_SECRET};
use crate::races::{
    assert_last_place_held, confirmed, group_on, parents, stampede_across, stored, Answers,
};
use chrono::{Datelike, Days, Utc, Weekday};
use groupwork::auth::tokens::JwtKeys;
use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PARENTS: usize = 50;
/// The unguarded window is 150 ms wide, so one round nearly always overbooks; a few more rounds
/// keep a slow machine from failing the control by bad luck, and keep the test bounded.
const CONTROL_ROUNDS: usize = 3;
const WARNING: &str = "capacity guard is OFF";

/// A real `groupwork serve` child process; killed (and its log removed) when dropped, so a
/// failing assertion does not leave servers behind.
struct Server {
    child: Child,
    base: String,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

impl Server {
    /// Starts `groupwork serve` on a free loopback port and waits (30 s at most) until
    /// `/health` answers. A port taken between probing and binding is retried on another.
    fn start(database_url: &str, unguarded: bool, name: &str) -> Server {
        for _ in 0..3 {
            let mut server = Self::spawn(database_url, unguarded, name);
            if server.ready() {
                return server;
            }
            if !server.log_text().contains("cannot listen") {
                panic!("server {name} did not start:\n{}", server.log_text());
            }
        }
        panic!("server {name}: no free port in three tries");
    }

    fn spawn(database_url: &str, unguarded: bool, name: &str) -> Server {
        // Port 0 finds a free port; the listener is dropped so the child can bind it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free loopback port")
            .port();
        let log = std::env::temp_dir().join(format!(
            "groupwork-race-{}-{name}-{port}.log",
            std::process::id()
        ));
        let out = File::create(&log).expect("server log file");
        let err = out.try_clone().expect("server log file");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_groupwork"));
        // The developer's own GROUPWORK_* settings must not leak into the children.
        for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("GROUPWORK_")) {
            cmd.env_remove(key);
        }
        cmd.arg("serve")
            .env("GROUPWORK_DATABASE_URL", database_url)
            .env("GROUPWORK_BIND", format!("127.0.0.1:{port}"))
            .env("GROUPWORK_JWT_SECRET", JWT_SECRET)
            .env("GROUPWORK_LOG", "warn")
            .env("GROUPWORK_WORKERS", "2")
            // About half the crowd at once per process, with room to wait for the rest, so a
            // 503 could only mean the database was stuck.
            .env("GROUPWORK_POOL_SIZE", "13")
            .env("GROUPWORK_DB_TIMEOUT_SECS", "15")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        if unguarded {
            cmd.env("GROUPWORK_UNGUARDED_CAPACITY_FOR_TESTS", "1");
        }
        Server {
            child: cmd.spawn().expect("start groupwork serve"),
            base: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    /// Whether `/health` answered 200 within 30 s; false as soon as the process has exited.
    fn ready(&mut self) -> bool {
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .expect("client");
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() {
                return false;
            }
            let health = client.get(format!("{}/health", self.base)).send();
            if health.is_ok_and(|r| r.status() == 200) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "{} did not answer /health within 30 s:\n{}",
            self.base,
            self.log_text()
        );
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// A Tuesday about eight weeks after today by the real clock. The in-process app (manual clock,
/// March 2026) and the real processes (system clock) both see it ahead, so booking is open for
/// both (it closes on the first session date).
fn first_session_date() -> String {
    let mut d = Utc::now().date_naive() + Days::new(56);
    while d.weekday() != Weekday::Tue {
        d = d + Days::new(1);
    }
    d.to_string()
}

/// The same parents' tokens, signed with the shared secret at the real time: the in-process app
/// issues them on its manual clock, which the real processes would find long expired.
fn real_clock_tokens(app: &TestApp, who: Vec<(String, i64)>) -> Vec<(String, i64)> {
    let keys = JwtKeys::new(JWT_SECRET.as_bytes());
    who.into_iter()
        .map(|(token, child)| {
            let subject = app
                .state
                .jwt
                .verify(&token, app.state.now())
                .expect("a token the in-process app just issued");
            let token = keys.issue(subject, Utc::now(), 15).expect("sign a token");
            (token, child)
        })
        .collect()
}

struct Round {
    answers: Answers,
    /// (confirmed rows, stored confirmed count).
    counts: (i64, i32),
    logs: Vec<String>,
}

/// One race on a fresh database with one place left: every parent books at once, alternately at
/// process A and process B. `None` when PostgreSQL is missing outside CI.
fn race(unguarded: bool) -> Option<Round> {
    let setup = Instant::now();
    let app = helpers::spawn(Backend::Postgres, |c| c.pool_size = 4)?;
    let cohort = group_on(&app, 1, &first_session_date());
    let who = real_clock_tokens(&app, parents(&app, PARENTS, "p"));
    let url = app.state.config.database_url.clone();
    let servers = [
        Server::start(&url, unguarded, "a"),
        Server::start(&url, unguarded, "b"),
    ];
    let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
    let setup = setup.elapsed();
    let raced = Instant::now();
    let answers = stampede_across(&bases, cohort, who, false);
    eprintln!(
        "two-process race (guard {}): setup {setup:.1?}, race {:.1?}, {} confirmed",
        if unguarded { "off" } else { "on" },
        raced.elapsed(),
        confirmed(&answers)
    );
    Some(Round {
        counts: stored(&app, cohort),
        logs: servers.iter().map(Server::log_text).collect(),
        answers,
    })
}

#[test]
fn last_place_race_across_two_processes_postgres() {
    let Some(round) = race(false) else { return };
    assert!(
        round.logs.iter().all(|l| !l.contains(WARNING)),
        "the guarded processes run with the guard on"
    );
    assert_last_place_held(&round.answers, round.counts);

    // Control: the same race with the guard off in both processes overbooks, so the race above
    // could have seen an overbooking across processes.
    let mut seen = Vec::new();
    for _ in 0..CONTROL_ROUNDS {
        let round = race(true).expect("PostgreSQL answered for the guarded run");
        assert!(
            round.logs.iter().all(|l| l.contains(WARNING)),
            "both processes warn that the guard is off: {:?}",
            round.logs
        );
        let (rows, _) = round.counts;
        seen.push((confirmed(&round.answers), rows));
        if confirmed(&round.answers) > 1 && rows > 1 {
            return;
        }
    }
    panic!("without the guard no round overbooked the last place: (answers, rows) {seen:?}");
}
