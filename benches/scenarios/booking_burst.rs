//! 200 parents released together by a barrier, each booking one of 5 groups of 10 places (40
//! parents per group): throughput and latency of the booking transaction under contention for
//! the cohort lock, then the invariants the race tests assert. The burst is repeated on new
//! groups (same parents): one burst of 200 takes a fraction of a second, too little to measure.

use super::{Scenario, ScenarioError};
use crate::support::report::{Check, Measurement};
use crate::support::seed::{self, Api};
use crate::support::server::BenchApp;
use crate::support::stats::Latency;
use diesel::prelude::*;
use groupwork::db::schema::{bookings, cohorts};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

pub const SCENARIO: Scenario = Scenario {
    name: "booking_burst",
    about:
        "5 bursts, each of 200 parents booking at once, 40 for each of 5 new groups of 10 places",
    run: |app| run(app).map_err(ScenarioError::Failed),
    only: None,
};

const ROUNDS: usize = 5;
pub(crate) const PARENTS: usize = 200;
pub(crate) const GROUPS: usize = 5;
pub(crate) const PLACES: usize = 10;
const WAITING: usize = PARENTS / GROUPS - PLACES;

pub(crate) struct Answer {
    cohort: i64,
    /// 0 when no HTTP answer came.
    pub(crate) status: u16,
    body: Value,
    pub(crate) sent: Instant,
    pub(crate) done: Instant,
}

impl Answer {
    fn is(&self, status: &str) -> bool {
        self.status == 201 && self.body["status"] == status
    }
}

fn run(app: &BenchApp) -> Result<Measurement, String> {
    let api = Api::new(&app.base);
    let token = seed::coordinator(app, &api)?;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let parents = seed::parents(&app.base, PARENTS, 2 * cores)?;

    let (mut answers, mut groups, mut runs) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        let these = seed::groups(&api, &token, &format!("r{round}"), GROUPS, PLACES as u32)?;
        let burst = burst(&app.base, &these, &parents);
        let start = burst.iter().map(|a| a.sent).min().ok_or("no answers")?;
        let end = burst.iter().map(|a| a.done).max().ok_or("no answers")?;
        runs.push((end - start).as_secs_f64());
        answers.extend(burst);
        groups.extend(these);
    }
    let latencies: Vec<Duration> = answers.iter().map(|a| a.done - a.sent).collect();
    let count = |f: &dyn Fn(&Answer) -> bool| answers.iter().filter(|a| f(a)).count();
    let counts = vec![
        ("confirmed", count(&|a| a.is("confirmed"))),
        ("waitlisted", count(&|a| a.is("waitlisted"))),
        ("5xx", count(&|a| a.status >= 500 && a.status != 503)),
        ("503", count(&|a| a.status == 503)),
    ];
    Ok(Measurement {
        scenario: SCENARIO.name,
        backend: app.backend.name(),
        unit: "bookings",
        requests: answers.len(),
        seconds: runs.iter().sum(),
        latency: Some(Latency::of(&latencies)),
        checks: check(app, &groups, &answers)?,
        counts,
        figures: Vec::new(),
        runs_seconds: runs,
    })
}

/// One thread and one client per parent, as 200 phones would be; each connects in the burst.
pub(crate) fn burst(base: &str, groups: &[i64], tokens: &[String]) -> Vec<Answer> {
    let barrier = Arc::new(Barrier::new(tokens.len()));
    let threads: Vec<_> = tokens
        .iter()
        .enumerate()
        .map(|(i, token)| {
            let cohort = groups[i % groups.len()];
            let url = format!("{base}/api/v1/cohorts/{cohort}/bookings");
            let (barrier, token) = (barrier.clone(), token.clone());
            std::thread::spawn(move || {
                let client = seed::client();
                barrier.wait();
                let sent = Instant::now();
                let answer = client
                    .post(&url)
                    .bearer_auth(&token)
                    .json(&json!({}))
                    .send();
                let (status, bytes) = match answer {
                    Ok(res) => (res.status().as_u16(), res.bytes().unwrap_or_default()),
                    Err(_) => (0, Default::default()),
                };
                let done = Instant::now();
                let body = serde_json::from_slice(&bytes).unwrap_or_default();
                Answer {
                    cohort,
                    status,
                    body,
                    sent,
                    done,
                }
            })
        })
        .collect();
    threads
        .into_iter()
        .map(|t| t.join().expect("a client thread panicked"))
        .collect()
}

/// (confirmed rows, waitlisted rows, stored confirmed count) of a group.
fn stored(app: &BenchApp, group: i64) -> Result<(usize, usize, usize), String> {
    let mut conn = app.state.pool.get().map_err(|e| e.to_string())?;
    let mut rows = |status: &str| -> Result<usize, String> {
        bookings::table
            .filter(bookings::cohort_id.eq(group as i32))
            .filter(bookings::status.eq(status))
            .count()
            .get_result::<i64>(&mut *conn)
            .map(|n| n as usize)
            .map_err(|e| e.to_string())
    };
    let (confirmed, waitlisted) = (rows("confirmed")?, rows("waitlisted")?);
    let count: i32 = cohorts::table
        .find(group as i32)
        .select(cohorts::confirmed_count)
        .first(&mut *conn)
        .map_err(|e| e.to_string())?;
    Ok((confirmed, waitlisted, count as usize))
}

fn check(app: &BenchApp, groups: &[i64], answers: &[Answer]) -> Result<Vec<Check>, String> {
    let mut other: BTreeMap<u16, usize> = BTreeMap::new();
    for a in answers.iter().filter(|a| a.status != 201) {
        *other.entry(a.status).or_default() += 1;
    }
    let (mut wrong_counts, mut wrong_positions) = (Vec::new(), Vec::new());
    let (mut confirmed_rows, mut waitlisted_rows) = (0, 0);
    for &g in groups {
        let (confirmed, waitlisted, count) = stored(app, g)?;
        if (confirmed, waitlisted, count) != (PLACES, WAITING, PLACES) {
            wrong_counts.push(format!(
                "group {g}: {confirmed} confirmed, {waitlisted} waitlisted, stored count {count}"
            ));
        }
        let mut positions: Vec<usize> = answers
            .iter()
            .filter(|a| a.cohort == g)
            .filter_map(|a| a.body["waitlist_position"].as_u64().map(|p| p as usize))
            .collect();
        positions.sort_unstable();
        if positions != (1..=WAITING).collect::<Vec<_>>() {
            wrong_positions.push(format!("group {g}: {positions:?}"));
        }
        confirmed_rows += confirmed;
        waitlisted_rows += waitlisted;
    }
    let answered = (
        answers.iter().filter(|a| a.is("confirmed")).count(),
        answers.iter().filter(|a| a.is("waitlisted")).count(),
    );
    let n = groups.len();
    Ok(vec![
        Check {
            what: if other.is_empty() {
                format!("all {} bookings answered 201", answers.len())
            } else {
                format!("answers other than 201 (status: count; 0 = no answer): {other:?}")
            },
            ok: other.is_empty(),
        },
        Check {
            ok: wrong_counts.is_empty(),
            what: format!(
                "every group ({n}) has {PLACES} confirmed, {WAITING} waitlisted, stored count = confirmed rows{}",
                listed(&wrong_counts)
            ),
        },
        Check {
            ok: wrong_positions.is_empty(),
            what: format!(
                "waiting-list positions answered are 1..={WAITING} in every group{}",
                listed(&wrong_positions)
            ),
        },
        Check {
            ok: answered == (confirmed_rows, waitlisted_rows),
            what: format!(
                "answers agree with the rows: {} confirmed, {} waitlisted answered; {confirmed_rows}, {waitlisted_rows} stored",
                answered.0, answered.1
            ),
        },
    ])
}

/// ": a; b" for the failures, or nothing.
fn listed(failures: &[String]) -> String {
    if failures.is_empty() {
        String::new()
    } else {
        format!(": {}", failures.join("; "))
    }
}
