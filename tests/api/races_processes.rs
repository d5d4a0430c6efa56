//! The race for the last place across two real `groupwork` processes sharing one PostgreSQL
//! database: the guard must hold between processes, not only between threads of one. The control
//! runs the same race with the guard switched off (a debug-build-only variable) and must overbook.
//! PostgreSQL only: sharing one database between processes is PostgreSQL's deployment.

use crate::helpers::{self, Backend, TestApp, JWT_SECRET};
use crate::races::{
    assert_last_place_held, confirmed, group_on, parents, stampede_across, stored, Answers,
};
use crate::serve_child::ServeChild;
use chrono::{Datelike, Days, Utc, Weekday};
use groupwork::auth::tokens::JwtKeys;
use std::time::Instant;

const PARENTS: usize = 50;
/// The unguarded window is 150 ms wide, so one round nearly always overbooks; a few more rounds
/// keep a slow machine from failing the control by bad luck, and keep the test bounded.
const CONTROL_ROUNDS: usize = 3;
const WARNING: &str = "capacity guard is OFF";

/// A real `groupwork serve` child process (`tests/common/serve_child.rs`) on `database_url`,
/// with the pool sized for the race, optionally with the capacity guard off.
fn start(database_url: &str, unguarded: bool, name: &str) -> ServeChild {
    let mut env = vec![
        // About half the crowd at once per process, with room to wait for the rest, so a 503
        // could only mean the database was stuck.
        ("GROUPWORK_POOL_SIZE", "13"),
        ("GROUPWORK_DB_TIMEOUT_SECS", "15"),
    ];
    if unguarded {
        env.push(("GROUPWORK_UNGUARDED_CAPACITY_FOR_TESTS", "1"));
    }
    let log_prefix = format!("groupwork-race-{}", std::process::id());
    ServeChild::start(database_url, JWT_SECRET, &env, &log_prefix, name)
}

/// A Tuesday about eight weeks after today by the real clock. The in-process app (manual clock,
/// March 2026) and the real processes (system clock) both see it ahead, so booking is open for
/// both (it closes on the first session date).
pub(crate) fn first_session_date() -> String {
    let mut d = Utc::now().date_naive() + Days::new(56);
    while d.weekday() != Weekday::Tue {
        d = d + Days::new(1);
    }
    d.to_string()
}

/// The same parents' tokens, signed with the shared secret at the real time: the in-process app
/// issues them on its manual clock, which the real processes would find long expired.
pub(crate) fn real_clock_tokens(app: &TestApp, who: Vec<(String, i64)>) -> Vec<(String, i64)> {
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
    let servers = [start(&url, unguarded, "a"), start(&url, unguarded, "b")];
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
        logs: servers.iter().map(ServeChild::log_text).collect(),
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
