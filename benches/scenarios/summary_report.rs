//! The monitoring report over a borough-sized history: 200 past cohorts (100 Together Time of
//! 12 families, 100 COSP of 16 with crèche sign-ins), 2,000 families, 20,000 attendance marks,
//! follow-ups, outcome scores and the families' monitoring answers, seeded straight into the
//! database (not timed). Then 20 reports per grouping over HTTP, one after another, and checks
//! that the figures are the seeded ones. `summary_report_10x` does the same over ten times the
//! data (2,000 cohorts, 20,000 families, 200,000 marks: issue 19's goal is a p99 under 300 ms)
//! for the total and the breakdowns that cost most.

pub(crate) mod seed;

use super::{Scenario, ScenarioError};
use crate::support::report::{Check, Measurement};
use crate::support::seed::{self as api_seed, Api};
use crate::support::server::BenchApp;
use crate::support::stats::{ms, Latency};
use diesel::RunQueryDsl;
use groupwork::db::DbConnection;
use serde_json::Value;
use std::time::{Duration, Instant};

pub const SCENARIO: Scenario = Scenario {
    name: "summary_report",
    about: "GET /api/v1/reports/summary over 200 cohorts, 2,000 families, 20,000 marks: 20 reports per group_by (none, programme, venue, ward, referral_source, month, imd_decile) and 20 as CSV",
    run: |app| run(app, &ONE).map_err(ScenarioError::Failed),
    only: None,
};

pub const SCENARIO_10X: Scenario = Scenario {
    name: "summary_report_10x",
    about: "GET /api/v1/reports/summary over 2,000 cohorts, 20,000 families, 200,000 marks: 20 reports each of the total, group_by=ward, imd_decile, ethnicity, and ward safe to share (goal: p99 < 300 ms)",
    run: |app| run(app, &TEN).map_err(ScenarioError::Failed),
    only: None,
};

/// A size of borough and the reports timed over it.
struct Size {
    scenario: &'static str,
    scale: usize,
    queries: &'static [Query],
}

/// One report timed: its name in the output, its query string, and the names of its p50 and
/// p99 in the figures (and so in the JSON).
struct Query {
    name: &'static str,
    query: &'static str,
    p50: &'static str,
    p99: &'static str,
}

macro_rules! query {
    ($name:literal, $query:literal) => {
        Query {
            name: $name,
            query: $query,
            p50: concat!($name, " p50 ms"),
            p99: concat!($name, " p99 ms"),
        }
    };
}

const CSV: &str = "ward as CSV";
const SHARED: &str = "ward shared";

const ONE: Size = Size {
    scenario: "summary_report",
    scale: 1,
    queries: &[
        query!("total", "group_by="),
        query!("programme", "group_by=programme"),
        query!("venue", "group_by=venue"),
        query!("ward", "group_by=ward"),
        query!("referral_source", "group_by=referral_source"),
        query!("month", "group_by=month"),
        query!("imd_decile", "group_by=imd_decile"),
        query!("ward as CSV", "group_by=ward&format=csv"),
    ],
};

const TEN: Size = Size {
    scenario: "summary_report_10x",
    scale: 10,
    queries: &[
        query!("total", "group_by="),
        query!("ward", "group_by=ward"),
        query!("imd_decile", "group_by=imd_decile"),
        query!("ethnicity", "group_by=ethnicity"),
        query!("ward shared", "group_by=ward&disclosure=suppressed"),
    ],
};

const REPEATS: usize = 20;

fn run(app: &BenchApp, size: &Size) -> Result<Measurement, String> {
    let began = Instant::now();
    let seeded = {
        let mut conn = app.state.pool.get().map_err(|e| e.to_string())?;
        let seeded = seed::borough(&mut conn, size.scale, seed::Span::two_years())
            .map_err(|e| format!("seeding: {e}"))?;
        // A real database has its planner statistics and its visibility map: PostgreSQL's
        // autovacuum vacuums and analyses a table after a bulk load, but here it would do so
        // in the middle of the timed reports (their spread doubled when it did).
        if let DbConnection::Postgres(pg) = &mut *conn {
            diesel::sql_query("VACUUM ANALYZE")
                .execute(pg)
                .map_err(|e| format!("analyse: {e}"))?;
        }
        seeded
    };
    println!(
        "  {:<8} seeded in {:.1} s",
        app.backend.name(),
        began.elapsed().as_secs_f64()
    );
    let api = Api::new(&app.base);
    let token = api_seed::coordinator(app, &api)?;
    let client = api_seed::client();
    let get = |query: &str| -> Result<(Duration, u16, String), String> {
        let sent = Instant::now();
        let res = client
            .get(format!("{}/api/v1/reports/summary?{query}", app.base))
            .bearer_auth(&token)
            .send()
            .map_err(|e| format!("report {query}: {e}"))?;
        let status = res.status().as_u16();
        let body = res.text().map_err(|e| e.to_string())?;
        Ok((sent.elapsed(), status, body))
    };
    let (mut all, mut runs, mut checks) = (Vec::new(), Vec::new(), Vec::new());
    let mut figures = Vec::new();
    for &Query {
        name,
        query,
        p50,
        p99,
    } in size.queries
    {
        let mut times = Vec::new();
        let mut last = String::new();
        for _ in 0..REPEATS {
            let (took, status, body) = get(query)?;
            if status != 200 {
                return Err(format!("report {query}: {status}: {body}"));
            }
            times.push(took);
            last = body;
        }
        let sum: Duration = times.iter().sum();
        let l = Latency::of(&times);
        println!(
            "  {:<8} {:<16} {REPEATS} reports: mean {:.1} ms, p50 {:.1} ms, p99 {:.1} ms",
            app.backend.name(),
            name,
            ms(sum) / REPEATS as f64,
            ms(l.p50),
            ms(l.p99)
        );
        figures.extend([(p50, ms(l.p50)), (p99, ms(l.p99))]);
        runs.push(sum.as_secs_f64());
        all.extend(times);
        checks.extend(check(name, &last, &seeded, size.scale));
    }
    Ok(Measurement {
        scenario: size.scenario,
        backend: app.backend.name(),
        unit: "reports",
        requests: all.len(),
        seconds: runs.iter().sum(),
        runs_seconds: runs,
        latency: Some(Latency::of(&all)),
        counts: vec![
            ("cohorts", seed::COHORTS * size.scale),
            ("families", seed::FAMILIES * size.scale),
            ("marks", seeded.marks),
        ],
        figures,
        checks,
    })
}

/// The last answer of a grouping agrees with what was seeded.
fn check(name: &str, body: &str, s: &seed::Seeded, scale: usize) -> Vec<Check> {
    let cohorts = seed::COHORTS * scale;
    if name == CSV {
        // A header row, one row per ward (eight and `unknown`), the total.
        let lines = body.lines().count();
        return vec![Check {
            ok: lines == 1 + 9 + 1 && body.starts_with("group_by,group,"),
            what: format!("the CSV by ward has a header, 9 ward rows and a total ({lines} lines)"),
        }];
    }
    let Ok(r) = serde_json::from_str::<Value>(body) else {
        return vec![Check {
            ok: false,
            what: format!("{name}: the answer is not JSON"),
        }];
    };
    let rows = r["groups"].as_array().cloned().unwrap_or_default();
    if name == SHARED {
        // Small counts hidden: only the shape is checked (a row per ward, and the unknown one).
        return vec![Check {
            ok: rows.len() == 9 && r["total"].is_object(),
            what: format!("{name}: a row per ward and the total ({} rows)", rows.len()),
        }];
    }
    let t = &r["total"];
    let got = |k: &str| t[k].as_u64().unwrap_or(u64::MAX) as usize;
    let want = [
        ("cohorts_run", cohorts),
        ("sessions_delivered", s.sessions),
        ("marks_recorded", s.marks),
        ("families_booked", s.families_booked),
        ("families_reached", s.families_reached),
        ("children_in_creche", s.children_signed_in),
        ("families_never_offered", s.never_offered),
        ("follow_ups_opened", cohorts),
        ("under_fives", s.under_fives.values().sum::<i32>() as usize),
    ];
    let wrong: Vec<String> = want
        .iter()
        .filter(|(k, v)| got(k) != *v)
        .map(|(k, v)| format!("{k} {} (seeded {v})", got(k)))
        .collect();
    let label = name;
    let listed = if wrong.is_empty() {
        String::new()
    } else {
        format!(": {}", wrong.join("; "))
    };
    let mut out = vec![Check {
        ok: wrong.is_empty(),
        what: format!("{label}: the total is what was seeded{listed}"),
    }];
    let booked = |g: &Value| g["families_booked"].as_u64().unwrap_or(0) as usize;
    match name {
        "programme" | "month" | "venue" => {
            let run: u64 = rows.iter().filter_map(|g| g["cohorts_run"].as_u64()).sum();
            out.push(Check {
                ok: run as usize == cohorts,
                what: format!(
                    "group_by={name}: {} rows whose cohorts add up to {run}",
                    rows.len()
                ),
            });
        }
        // A family lives in one ward: its rows hold each booked family once, with the ward's
        // seeded under-fives.
        "ward" => {
            let want: Vec<(String, usize, Option<i32>)> = s
                .booked_by_ward
                .iter()
                .map(|(&w, &n)| {
                    let key = if w.is_empty() { "unknown" } else { w };
                    (key.to_string(), n, s.under_fives.get(w).copied())
                })
                .collect();
            let mut got: Vec<(String, usize, Option<i32>)> = rows
                .iter()
                .map(|g| {
                    let under = g["under_fives"].as_i64().map(|u| u as i32);
                    (
                        g["group"].as_str().unwrap_or("").to_string(),
                        booked(g),
                        under,
                    )
                })
                .collect();
            got.sort();
            let mut want = want;
            want.sort();
            out.push(Check {
                ok: got == want,
                what: format!(
                    "group_by=ward: {} rows, each with its seeded families booked and under-fives",
                    rows.len()
                ),
            });
        }
        "imd_decile" => {
            let known: usize = rows
                .iter()
                .filter(|g| g["group"] != "unknown")
                .map(booked)
                .sum();
            out.push(Check {
                ok: rows.len() == 11 && known == s.booked_with_decile,
                what: format!(
                    "group_by=imd_decile: {} rows (ten deciles, unknown), {known} families booked with a decile (seeded {})",
                    rows.len(),
                    s.booked_with_decile
                ),
            });
        }
        _ => {}
    }
    out
}
