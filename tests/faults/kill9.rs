//! kill -9 during a booking storm: SIGKILL the server after about twenty answers, restart it on
//! the same database, and check that every answered booking is there as the client was told,
//! the invariants hold, and (SQLite) the file is intact. Requests cut off by the kill may or may
//! not have landed: only answered ones are promises. Their retries then get 201 (it had not
//! landed) or 409 (it had), never a 5xx.

use crate::seed::{self, Seeded};
use crate::server::{client, start_server, Server, TestDb};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PARENTS: usize = 60;
const PLACES: i32 = 15;
/// Twelve clients booking in turn keep requests in flight when the kill lands.
const THREADS: usize = 12;
const KILL_AFTER: usize = 20;

/// A family's booking attempt: the HTTP answer, or `None` when the kill cut it off.
type Outcome = (i32, Option<(u16, serde_json::Value)>);

fn env() -> [(&'static str, &'static str); 2] {
    // Room for every client at once, and time to wait for SQLite's write lock.
    [
        ("GROUPWORK_POOL_SIZE", "13"),
        ("GROUPWORK_DB_TIMEOUT_SECS", "15"),
    ]
}

/// A booking's answer; `Err(true)` when the request was cut off in flight, `Err(false)` when the
/// connection was refused (the server was already gone).
fn book(base: &str, cohort: i64, token: &str) -> Result<(u16, serde_json::Value), bool> {
    let res = client()
        .post(format!("{base}/api/v1/cohorts/{cohort}/bookings"))
        .bearer_auth(token)
        .json(&json!({}))
        .send()
        .map_err(|e| !e.is_connect())?;
    let status = res.status().as_u16();
    Ok((status, res.json().unwrap_or_default()))
}

/// Every parent books once, THREADS at a time; the server is SIGKILLed after KILL_AFTER answers.
fn storm(server: &mut Server, seeded: &Seeded, label: &str) -> Vec<Outcome> {
    let (answered, cut) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let outcomes = Arc::new(Mutex::new(Vec::new()));
    let chunks: Vec<Vec<(String, i32)>> = (0..THREADS)
        .map(|t| {
            let mine = seeded.parents.iter().skip(t).step_by(THREADS);
            mine.map(|p| (p.token.clone(), p.family)).collect()
        })
        .collect();
    let handles: Vec<_> = chunks
        .into_iter()
        .map(|chunk| {
            let (answered, cut, outcomes) = (answered.clone(), cut.clone(), outcomes.clone());
            let (base, cohort) = (server.base.clone(), seeded.cohort);
            std::thread::spawn(move || {
                for (token, family) in chunk {
                    let answer = book(&base, cohort, &token);
                    match answer {
                        Ok(_) => answered.fetch_add(1, Ordering::SeqCst),
                        Err(in_flight) => cut.fetch_add(usize::from(in_flight), Ordering::SeqCst),
                    };
                    outcomes.lock().unwrap().push((family, answer.ok()));
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    while answered.load(Ordering::SeqCst) < KILL_AFTER && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    server.kill9();
    let at_kill = answered.load(Ordering::SeqCst);
    for h in handles {
        h.join().expect("client thread");
    }
    let outcomes = std::mem::take(&mut *outcomes.lock().unwrap());
    let answers = outcomes.iter().filter(|o| o.1.is_some()).count();
    let cut = cut.load(Ordering::SeqCst);
    eprintln!(
        "  {label}: killed -9 after {at_kill} answers; {answers} answered, {cut} cut off in flight, {} refused",
        outcomes.len() - answers - cut
    );
    assert!(
        at_kill >= KILL_AFTER,
        "the storm got {at_kill} answers in 30 s"
    );
    assert!(answers < PARENTS, "the kill landed before the storm ended");
    outcomes
}

fn crash_and_restart(db: TestDb, label: &str) {
    let started = Instant::now();
    let url = db.url().to_string();
    let mut first = start_server(&url, &env(), &format!("{label}-a"));
    let seeded = seed::group(&first, &url, PLACES, PARENTS);
    eprintln!(
        "kill -9 storm ({label}): seeded in {:.1?}",
        started.elapsed()
    );
    let outcomes = storm(&mut first, &seeded, label);
    let log = first.log_text();
    drop(first);

    // Every answer before the kill was a booking, confirmed or waitlisted.
    let promised: Vec<(i32, i64, String)> = outcomes
        .iter()
        .filter_map(|(family, answer)| {
            let (status, body) = answer.as_ref()?;
            assert_eq!(*status, 201, "family {family}: {body}\nserver log:\n{log}");
            let told = body["status"].as_str().unwrap().to_string();
            Some((*family, body["id"].as_i64().unwrap(), told))
        })
        .collect();

    let second = start_server(&url, &env(), &format!("{label}-b"));
    eprintln!("  {label}: restarted on the same database");
    let rows = seed::assert_invariants(&url, seeded.cohort);
    for (family, id, told) in &promised {
        let row = rows.iter().find(|r| i64::from(r.0) == *id);
        assert_eq!(
            row.map(|r| (r.1, r.2.as_str())),
            Some((*family, told.as_str())),
            "booking {id} answered 201 {told} is there as told"
        );
    }
    if let TestDb::Sqlite { url, .. } = &db {
        seed::assert_sqlite_intact(url);
    }

    // The families the kill cut off retry on the restarted server.
    let mut landed = 0;
    for (family, answer) in &outcomes {
        if answer.is_some() {
            continue;
        }
        let token = &seeded
            .parents
            .iter()
            .find(|p| p.family == *family)
            .unwrap()
            .token;
        let (status, body) = book(&second.base, seeded.cohort, token)
            .unwrap_or_else(|_| panic!("no answer from the restarted server"));
        assert!(
            status == 201 || status == 409,
            "retry of {family}: {status} {body}"
        );
        landed += usize::from(status == 409);
    }
    let rows = seed::assert_invariants(&url, seeded.cohort);
    assert_eq!(
        rows.len(),
        PARENTS,
        "every family holds exactly one booking after the retries"
    );
    eprintln!(
        "  {label}: {} promises kept; {landed} cut-off requests had landed; invariants hold; {:.1?} in all",
        promised.len(),
        started.elapsed()
    );
}

#[test]
fn kill_9_during_a_booking_storm_sqlite() {
    crash_and_restart(TestDb::sqlite("kill9"), "sqlite");
}

#[test]
fn kill_9_during_a_booking_storm_postgres() {
    if let Some(db) = TestDb::postgres("kill9") {
        crash_and_restart(db, "postgres");
    }
}
