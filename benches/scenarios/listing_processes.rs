//! Two `groupwork serve` processes on one PostgreSQL: how long after a booking on one is
//! answered the other's public listing shows the new places left (issue 20: p99 under 50 ms).
//! The other process learns of it by the `NOTIFY` the booking's transaction sends
//! (`service::listing_watch`); its cache would otherwise serve the old count for up to a second.
//! PostgreSQL only: that is how several processes are deployed.

use super::{Scenario, ScenarioError};
use crate::support::child::{self, ServerChild};
use crate::support::report::{Check, Measurement};
use crate::support::seed::{self as api_seed, Api};
use crate::support::server::{Backend, BenchApp};
use crate::support::stats::{ms, Latency};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

pub const SCENARIO: Scenario = Scenario {
    name: "listing_across_processes",
    about: "two serve processes on one PostgreSQL: 150 bookings on one, each timed until the other's cached listing shows it (goal: p99 < 50 ms)",
    run,
    only: Some(Backend::Postgres),
};

const ROUNDS: usize = 150;
/// Longer than any wait for a notice, shorter than a cache lifetime would hide.
const GIVE_UP: Duration = Duration::from_secs(2);

fn run(app: &BenchApp) -> Result<Measurement, ScenarioError> {
    measure(app).map_err(ScenarioError::Failed)
}

fn places_left(client: &reqwest::blocking::Client, base: &str, cohort: i64) -> Result<i64, String> {
    let v: Value = client
        .get(format!("{base}/api/v1/listings"))
        .send()
        .and_then(|r| r.json())
        .map_err(|e| format!("listing: {e}"))?;
    v["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|g| g["cohort_id"].as_i64() == Some(cohort))
        .and_then(|g| g["places_left"].as_i64())
        .ok_or_else(|| format!("group {cohort} not in the listing"))
}

fn measure(app: &BenchApp) -> Result<Measurement, String> {
    let api = Api::new(&app.base);
    let token = api_seed::coordinator(app, &api)?;
    // Places for every round (a group holds 200 at most).
    let cohort = api_seed::groups(&api, &token, "watch", 1, ROUNDS as u32 + 10)?[0];
    let parents = api_seed::parents(&app.base, ROUNDS, 4)?;
    let url = app.state.config.database_url.clone();
    let (a, b): (ServerChild, ServerChild) = (
        child::groupwork_on(&url, 2, 4)?,
        child::groupwork_on(&url, 2, 4)?,
    );
    let (a, b) = (a.base(), b.base());
    let client = api_seed::client();
    let (mut times, mut late) = (Vec::new(), 0);
    let began = Instant::now();
    for token in &parents {
        // Twice, so the second answer is the other process's cached one.
        let before = places_left(&client, &b, cohort)?;
        places_left(&client, &b, cohort)?;
        let res = client
            .post(format!("{a}/api/v1/cohorts/{cohort}/bookings"))
            .bearer_auth(token)
            .json(&json!({}))
            .send()
            .map_err(|e| format!("book: {e}"))?;
        if res.status() != 201 {
            return Err(format!("book: {} {:?}", res.status(), res.text()));
        }
        let booked = Instant::now();
        loop {
            if places_left(&client, &b, cohort)? == before - 1 {
                times.push(booked.elapsed());
                break;
            }
            if booked.elapsed() > GIVE_UP {
                late += 1;
                break;
            }
        }
    }
    let l = Latency::of(&times);
    println!(
        "  postgres {ROUNDS} bookings: the other process showed each after p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(l.p50),
        ms(l.p99),
        ms(l.max)
    );
    Ok(Measurement {
        scenario: "listing_across_processes",
        backend: app.backend.name(),
        unit: "bookings",
        requests: times.len(),
        seconds: began.elapsed().as_secs_f64(),
        runs_seconds: vec![began.elapsed().as_secs_f64()],
        latency: Some(l),
        counts: vec![("seen", times.len()), ("not seen in 2 s", late)],
        figures: vec![("p50 ms", ms(l.p50)), ("p99 ms", ms(l.p99))],
        checks: vec![Check {
            ok: late == 0 && times.len() == ROUNDS,
            what: format!("every booking showed on the other process ({late} not within 2 s)"),
        }],
    })
}
