//! Two real `groupwork serve` processes on one PostgreSQL: a place taken on one shows in the
//! other's cached public listing at once — by the `NOTIFY` its transaction sends, not by waiting
//! for the cache to expire (the processes here keep entries for a minute). The control runs the
//! same with the watcher off and sees the other process keep showing the old count.

use crate::helpers::{self, Backend, TestApp, JWT_SECRET};
use crate::races::{group_on, parents};
use crate::serve_child::ServeChild;
use chrono::{Datelike, Days, Utc, Weekday};
use groupwork::auth::tokens::JwtKeys;
use reqwest::blocking::Client;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// How long the test waits for the other process to show the booking (the bench measures it).
const WITHIN: Duration = Duration::from_secs(1);

fn start(database_url: &str, watch: bool, name: &str) -> ServeChild {
    let env = [
        // Far longer than the test waits: only a notice can make the other process re-render.
        ("GROUPWORK_LISTING_TTL_MS", "60000"),
        (
            "GROUPWORK_LISTING_WATCH",
            if watch { "true" } else { "false" },
        ),
    ];
    let prefix = format!("groupwork-listing-{}", std::process::id());
    ServeChild::start(database_url, JWT_SECRET, &env, &prefix, name)
}

/// A Tuesday about eight weeks ahead by the real clock (the processes run on it).
fn first_session_date() -> String {
    let mut d = Utc::now().date_naive() + Days::new(56);
    while d.weekday() != Weekday::Tue {
        d = d + Days::new(1);
    }
    d.to_string()
}

/// A parent's token signed at the real time (the in-process app's clock is in the past).
fn real_token(app: &TestApp, token: &str) -> String {
    let subject = app.state.jwt.verify(token, app.state.now()).expect("token");
    JwtKeys::new(JWT_SECRET.as_bytes())
        .issue(subject, Utc::now(), 15)
        .expect("sign")
}

fn places_left(client: &Client, base: &str, cohort: i64) -> i64 {
    let v: Value = client
        .get(format!("{base}/api/v1/listings"))
        .send()
        .expect("listing")
        .json()
        .expect("listing JSON");
    v["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|g| g["cohort_id"].as_i64() == Some(cohort))
        .and_then(|g| g["places_left"].as_i64())
        .unwrap_or_else(|| panic!("group {cohort} not listed: {v}"))
}

/// Books a place at `booker` and returns how long `watcher`'s listing took to show it (`None`:
/// not within [`WITHIN`]).
fn book_and_watch(
    app: &TestApp,
    booker: &str,
    watcher: &str,
    cohort: i64,
    token: &str,
) -> Option<Duration> {
    let client = Client::new();
    let before = places_left(&client, watcher, cohort);
    // Twice: the second answer comes from the watcher's cache.
    assert_eq!(places_left(&client, watcher, cohort), before);
    let res = client
        .post(format!("{booker}/api/v1/cohorts/{cohort}/bookings"))
        .bearer_auth(real_token(app, token))
        .json(&json!({}))
        .send()
        .expect("book");
    assert_eq!(res.status(), 201, "{:?}", res.text());
    let booked = Instant::now();
    assert_eq!(
        places_left(&client, booker, cohort),
        before - 1,
        "the booker's own listing"
    );
    while booked.elapsed() < WITHIN {
        if places_left(&client, watcher, cohort) == before - 1 {
            return Some(booked.elapsed());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    None
}

#[test]
fn a_place_taken_on_one_process_shows_on_the_other_at_once_postgres() {
    let Some(app) = helpers::spawn(Backend::Postgres, |c| c.pool_size = 4) else {
        return;
    };
    let cohort = group_on(&app, 5, &first_session_date());
    let who = parents(&app, 2, "watch");
    let url = app.state.config.database_url.clone();

    let (a, b) = (start(&url, true, "a"), start(&url, true, "b"));
    let took = book_and_watch(&app, &a.base, &b.base, cohort, &who[0].0);
    let took = took.unwrap_or_else(|| panic!("b still showed the old count after {WITHIN:?}"));
    eprintln!("the other process showed the booking after {took:.1?}");
    drop((a, b));

    // Control: without the watcher, the other process keeps serving what it rendered.
    let (c, d) = (start(&url, false, "c"), start(&url, false, "d"));
    let stale = book_and_watch(&app, &c.base, &d.base, cohort, &who[1].0);
    assert_eq!(
        stale, None,
        "without the watcher the cached listing should have stayed stale for {WITHIN:?}"
    );
}
