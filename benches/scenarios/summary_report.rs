//! The monitoring report over a borough-sized history: 200 past cohorts (100 Together Time of
//! 12 families, 100 COSP of 16 with crèche sign-ins), 2,000 families, 20,000 attendance marks,
//! follow-ups and outcome scores, seeded straight into the database (not timed). Then 20
//! reports per grouping over HTTP, one after another, and checks that the figures are the seeded
//! ones.

mod seed;

use super::{Scenario, ScenarioError};
use crate::support::report::{Check, Measurement};
use crate::support::seed::{self as api_seed, Api};
use crate::support::server::BenchApp;
use crate::support::stats::{ms, Latency};
use serde_json::Value;
use std::time::{Duration, Instant};

pub const SCENARIO: Scenario = Scenario {
    name: "summary_report",
    about: "GET /api/v1/reports/summary over 200 cohorts, 2,000 families, 20,000 marks: 20 reports per group_by (none, programme, venue, ward, referral_source, month) and 20 as CSV",
    run: |app| run(app).map_err(ScenarioError::Failed),
};

const REPEATS: usize = 20;
const GROUPINGS: [&str; 6] = ["", "programme", "venue", "ward", "referral_source", "month"];
const CSV: &str = "ward as CSV";

fn run(app: &BenchApp) -> Result<Measurement, String> {
    let began = Instant::now();
    let seeded = {
        let mut conn = app.state.pool.get().map_err(|e| e.to_string())?;
        seed::borough(&mut conn).map_err(|e| format!("seeding: {e}"))?
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
    let queries = GROUPINGS
        .iter()
        .map(|g| (g.to_string(), format!("group_by={g}")))
        .chain([(CSV.to_string(), "group_by=ward&format=csv".to_string())]);
    for (name, query) in queries {
        let mut times = Vec::new();
        let mut last = String::new();
        for _ in 0..REPEATS {
            let (took, status, body) = get(&query)?;
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
            if name.is_empty() {
                "(total only)"
            } else {
                &name
            },
            ms(sum) / REPEATS as f64,
            ms(l.p50),
            ms(l.p99)
        );
        runs.push(sum.as_secs_f64());
        all.extend(times);
        checks.extend(check(&name, &last, &seeded));
    }
    Ok(Measurement {
        scenario: SCENARIO.name,
        backend: app.backend.name(),
        unit: "reports",
        requests: all.len(),
        seconds: runs.iter().sum(),
        runs_seconds: runs,
        latency: Some(Latency::of(&all)),
        counts: vec![
            ("cohorts", seed::COHORTS),
            ("families", seed::FAMILIES),
            ("marks", seeded.marks),
        ],
        figures: Vec::new(),
        checks,
    })
}

/// The last answer of a grouping agrees with what was seeded.
fn check(name: &str, body: &str, s: &seed::Seeded) -> Vec<Check> {
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
    let t = &r["total"];
    let got = |k: &str| t[k].as_u64().unwrap_or(u64::MAX) as usize;
    let want = [
        ("cohorts_run", seed::COHORTS),
        ("sessions_delivered", s.sessions),
        ("marks_recorded", s.marks),
        ("families_booked", s.families_booked),
        ("children_in_creche", s.children_signed_in),
        ("families_never_offered", s.never_offered),
        ("follow_ups_opened", seed::COHORTS),
    ];
    let wrong: Vec<String> = want
        .iter()
        .filter(|(k, v)| got(k) != *v)
        .map(|(k, v)| format!("{k} {} (seeded {v})", got(k)))
        .collect();
    let label = if name.is_empty() { "total only" } else { name };
    let listed = if wrong.is_empty() {
        String::new()
    } else {
        format!(": {}", wrong.join("; "))
    };
    let mut out = vec![Check {
        ok: wrong.is_empty(),
        what: format!("{label}: the total is what was seeded{listed}"),
    }];
    if name == "programme" || name == "month" || name == "venue" {
        let rows = r["groups"].as_array().cloned().unwrap_or_default();
        let run: u64 = rows.iter().filter_map(|g| g["cohorts_run"].as_u64()).sum();
        out.push(Check {
            ok: run as usize == seed::COHORTS,
            what: format!(
                "group_by={name}: {} rows whose cohorts add up to {run}",
                rows.len()
            ),
        });
    }
    out
}
