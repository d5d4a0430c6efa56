//! Rate limits kept in the database, so every process enforces one limit: a password-guessing
//! run split across two real `groupwork` processes on one PostgreSQL is locked out after the
//! same number of failures as on one process, also when the guesses arrive at once. A locked
//! account hears so whatever password it gives (the right one included), and a right password
//! before that ends the run of wrong ones. Registration is limited per client address too.

use crate::db_test;
use crate::helpers::{self, problem, Backend, TestApp, JWT_SECRET, PASSWORD};
use crate::serve_child::ServeChild;
use chrono::Duration;
use groupwork::db::schema::rate_limits;
use reqwest::blocking::Client;
use serde_json::json;
use std::sync::{Arc, Barrier};

const ALLOWED: u32 = 5;

/// The answer's status and problem type to a sign-in at `base`.
fn sign_in(client: &Client, base: &str, email: &str, password: &str) -> (u16, String) {
    let res = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .expect("the server answers");
    let status = res.status().as_u16();
    let body: serde_json::Value = res.json().unwrap_or_default();
    (
        status,
        body["type"].as_str().unwrap_or_default().to_string(),
    )
}

/// Wrong guesses, one after another, at each base in turn, until one is refused as locked;
/// returns how many were answered 401 before that.
fn failures_before_lockout(bases: &[String], email: &str) -> usize {
    let client = Client::new();
    for n in 0..3 * ALLOWED as usize {
        let base = &bases[n % bases.len()];
        match sign_in(&client, base, email, &format!("wrong guess {n}")) {
            (401, _) => continue,
            (429, kind) => {
                assert_eq!(kind, "/problems/account-locked");
                // Locked now everywhere, for the right password too: nothing is told.
                for base in bases {
                    assert_eq!(sign_in(&client, base, email, PASSWORD), (429, kind.clone()));
                }
                return n;
            }
            other => panic!("unexpected answer {other:?}"),
        }
    }
    panic!("never locked out after {} guesses", 3 * ALLOWED);
}

fn two_processes(app: &TestApp) -> [ServeChild; 2] {
    let url = app.state.config.database_url.clone();
    let prefix = format!("groupwork-limits-{}", std::process::id());
    ["a", "b"].map(|name| ServeChild::start(&url, JWT_SECRET, &[], &prefix, name))
}

#[test]
fn a_guessing_run_split_across_two_processes_meets_one_limit_postgres() {
    let Some(app) = helpers::spawn(Backend::Postgres, |_| {}) else {
        return;
    };
    let servers = two_processes(&app);
    let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();

    // One process: the reference count.
    app.register_parent("one@example.org");
    let on_one = failures_before_lockout(&bases[..1], "one@example.org");
    assert_eq!(on_one, ALLOWED as usize);
    // Two processes, alternating: the same count, not twice it.
    app.register_parent("two@example.org");
    assert_eq!(failures_before_lockout(&bases, "two@example.org"), on_one);

    // All at once, split across both: exactly the allowed number is even checked.
    app.register_parent("burst@example.org");
    let guesses = 4 * ALLOWED as usize;
    let start = Arc::new(Barrier::new(guesses));
    let answers: Vec<(u16, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..guesses)
            .map(|n| {
                let (start, base) = (start.clone(), bases[n % 2].clone());
                s.spawn(move || {
                    let client = Client::new();
                    start.wait();
                    sign_in(&client, &base, "burst@example.org", &format!("guess {n}"))
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let wrong = answers.iter().filter(|(s, _)| *s == 401).count();
    let locked = answers
        .iter()
        .filter(|(s, k)| *s == 429 && k == "/problems/account-locked")
        .count();
    assert_eq!(
        (wrong, locked),
        (ALLOWED as usize, guesses - ALLOWED as usize),
        "{answers:?}"
    );
}

db_test! {
    fn a_locked_account_is_told_so_whatever_password_and_a_right_one_ends_a_run(app) {
        let email = "locked@example.org";
        app.register_parent(email);
        let login = |password: &str| app.post("/api/v1/auth/login", None, &json!({"email": email, "password": password}));
        // Four wrong, then the right one: the run of wrong ones ends.
        for n in 0..ALLOWED - 1 {
            problem(login(&format!("wrong {n}")), 401);
        }
        assert_eq!(login(PASSWORD).status(), 200);
        for n in 0..ALLOWED {
            problem(login(&format!("wrong again {n}")), 401);
        }
        // Now locked: the right password gets the same answer as a wrong one.
        let res = login(PASSWORD);
        let retry: i64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=900).contains(&retry), "{retry}");
        let right = problem(res, 429);
        let wrong = problem(login("wrong once more"), 429);
        assert_eq!(right["type"], "/problems/account-locked");
        assert_eq!((&right["type"], &right["title"]), (&wrong["type"], &wrong["title"]));
        assert!(right["detail"].as_str().unwrap().contains("reset"), "{right}");
        // An unknown address is counted and locked the same way: nothing tells them apart.
        for n in 0..ALLOWED {
            problem(app.post("/api/v1/auth/login", None, &json!({"email": "nobody@example.org", "password": format!("x{n}")})), 401);
        }
        assert_eq!(problem(app.post("/api/v1/auth/login", None, &json!({"email": "nobody@example.org", "password": "x"})), 429)["type"], "/problems/account-locked");
        // The window ends: the right password works again.
        app.clock.advance(Duration::minutes(15));
        assert_eq!(login(PASSWORD).status(), 200);
        // The counters name no one: keys are hashes.
        let mut conn = app.state.pool.get().unwrap();
        use diesel::prelude::*;
        let keys: Vec<String> = rate_limits::table.select(rate_limits::key).load(&mut conn).unwrap();
        assert!(!keys.is_empty() && keys.iter().all(|k| !k.contains('@') && k.len() == 64), "{keys:?}");
    }
}

#[test]
fn registrations_from_one_address_are_limited() {
    let Some(app) = helpers::spawn(Backend::Sqlite, |c| c.registrations_per_address = 2) else {
        return;
    };
    let register = |email: &str| {
        app.post(
            "/api/v1/auth/register",
            None,
            &json!({"email": email, "password": PASSWORD, "display_name": "Parent"}),
        )
    };
    assert_eq!(register("r1@example.org").status(), 201);
    assert_eq!(register("r2@example.org").status(), 201);
    let p = problem(register("r3@example.org"), 429);
    assert_eq!(p["type"], "/problems/rate-limited");
    // Nothing was made for the refused one.
    assert_eq!(app.login_status("r3@example.org"), 401);
}
