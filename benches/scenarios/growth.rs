//! How the costs of the main operations grow with a borough's data (issue 20, item 6). At 1×,
//! 10× and 100× of a borough's history — 200, 2,000 and 20,000 past groups with their families,
//! bookings, marks, follow-ups and scores, spread over the last ten years (`summary_report`'s
//! seed) — plus the coming term (`served`'s: 200 groups, one with a register to mark), each in a
//! fresh database, it times one after another: the public listing (its cache off, so the query
//! is timed), one group's listing, a booking, a register save, a parent's bookings and the
//! report over the last year. Goal: all but the report flat (p50 within 1.5× from 1× to 100×);
//! the report at 100× under a second.

use super::served::{self, seed as term};
use super::summary_report::seed as history;
use super::{Scenario, ScenarioError};
use crate::support::bulk;
use crate::support::report::{print_grid, Check, Measurement};
use crate::support::seed::{self as api_seed, client};
use crate::support::server::{self, BenchApp};
use crate::support::stats::{ms, Latency};
use chrono::{Datelike, Duration as Days, Utc, Weekday};
use diesel::dsl::max;
use diesel::prelude::*;
use groupwork::db::schema::{bookings as bo, cohorts as co, families as fa, sessions as se};
use groupwork::db::DbConnection;
use serde_json::{json, Value};
use std::cell::Cell;
use std::time::Instant;

pub const SCENARIO: Scenario = Scenario {
    name: "growth",
    about: "listing, one group, booking, register save, my bookings and the report over the last year, at 1×, 10× and 100× a borough's ten-year history (200 to 20,000 past groups, 2,000 to 200,000 families, 20,000 to 2,000,000 marks) plus the coming term (goal: flat within 1.5×; report at 100× < 1 s)",
    run: |app| run(app).map_err(ScenarioError::Failed),
    only: None,
};

const SIZES: [usize; 3] = [1, 10, 100];
const REPEATS: usize = 40;
/// The report reads a year of a borough: fewer repeats keep the 100× run short.
const REPORTS: usize = 20;
const OPERATIONS: [&str; 6] = [
    "listing",
    "one group",
    "booking",
    "register save",
    "my bookings",
    "report",
];
/// The operations meant to cost the same however much history there is.
const FLAT: [&str; 5] = [
    "listing",
    "one group",
    "booking",
    "register save",
    "my bookings",
];

/// One size's timings, in `OPERATIONS` order.
struct Timed {
    scale: usize,
    marks: usize,
    /// The database's size once seeded.
    database_mib: f64,
    latencies: Vec<Latency>,
    errors: usize,
}

fn run(app: &BenchApp) -> Result<Measurement, String> {
    let mut sizes = Vec::new();
    for scale in SIZES {
        // A fresh database per size; the listing cache off, or the listing would time a copy.
        let sized =
            server::start_with(app.backend, |c| c.listing_ttl_ms = 0).map_err(|e| match e {
                server::StartError::Unavailable(why) | server::StartError::Failed(why) => why,
            })?;
        let began = Instant::now();
        let (coming, marks) = seed(&sized, scale)?;
        let database_mib = database_mib(&sized)?;
        println!(
            "  {:<8} {scale:>3}×: seeded {} past groups, {} families, {marks} marks and the coming term in {:.1} s: {database_mib:.0} MiB",
            app.backend.name(),
            history::COHORTS * scale,
            history::FAMILIES * scale,
            began.elapsed().as_secs_f64()
        );
        let mut timed = time(&sized, &coming, scale)?;
        (timed.marks, timed.database_mib) = (marks, database_mib);
        sizes.push(timed);
    }
    print(app.backend.name(), &sizes);
    let mut figures = Vec::new();
    for t in &sizes {
        for (op, l) in OPERATIONS.iter().zip(&t.latencies) {
            figures.push((label(op, t.scale, "p50 ms"), ms(l.p50)));
            figures.push((label(op, t.scale, "p99 ms"), ms(l.p99)));
        }
    }
    for (i, op) in OPERATIONS.iter().enumerate() {
        figures.push((label(op, 100, "p50 / 1× p50"), growth(&sizes, i)));
    }
    for t in &sizes {
        figures.push((label("database", t.scale, "MiB"), t.database_mib));
    }
    let errors: usize = sizes.iter().map(|t| t.errors).sum();
    Ok(Measurement {
        scenario: SCENARIO.name,
        backend: app.backend.name(),
        unit: "requests",
        requests: sizes.len() * (5 * REPEATS + REPORTS),
        seconds: 0.0,
        runs_seconds: Vec::new(),
        latency: None,
        counts: sizes
            .iter()
            .map(|t| (label("marks at", t.scale, ""), t.marks))
            .collect(),
        figures,
        checks: vec![Check {
            ok: errors == 0,
            what: format!("every timed request answered as it should ({errors} did not)"),
        }],
    })
}

/// A figure's name (the figures are named once per run, for the table and the JSON).
fn label(op: &str, scale: usize, what: &str) -> &'static str {
    Box::leak(
        format!("{op} {scale}× {what}")
            .trim_end()
            .to_string()
            .into_boxed_str(),
    )
}

/// p50 at 100× over p50 at 1×.
fn growth(sizes: &[Timed], op: usize) -> f64 {
    let p50 = |t: &Timed| ms(t.latencies[op].p50);
    match (sizes.first(), sizes.last()) {
        (Some(a), Some(b)) if p50(a) > 0.0 => p50(b) / p50(a),
        _ => f64::NAN,
    }
}

fn print(backend: &str, sizes: &[Timed]) {
    let mut head = vec![format!("{backend}: p50 / p99 ms")];
    head.extend(sizes.iter().map(|t| format!("{}×", t.scale)));
    head.extend(["100× p50 / 1× p50".into(), "goal".into()]);
    let rows: Vec<Vec<String>> = OPERATIONS
        .iter()
        .enumerate()
        .map(|(i, op)| {
            let mut row = vec![op.to_string()];
            row.extend(sizes.iter().map(|t| {
                let l = &t.latencies[i];
                format!("{:.1} / {:.1}", ms(l.p50), ms(l.p99))
            }));
            let g = growth(sizes, i);
            row.push(format!("{g:.2}"));
            let last = sizes.last().map(|t| ms(t.latencies[i].p99));
            row.push(if FLAT.contains(op) {
                if g <= 1.5 {
                    "flat: met"
                } else {
                    "flat: NOT met"
                }
                .into()
            } else if last.is_some_and(|p99| p99 < 1000.0) {
                "< 1 s: met".into()
            } else {
                "< 1 s: NOT met".into()
            });
            row
        })
        .collect();
    print_grid(&head, &rows);
}

/// The history at `scale` over the ten years to last autumn, then the coming term after it;
/// the bench parent's login holds family 1 (booked in two past groups and the first coming one).
fn seed(app: &BenchApp, scale: usize) -> Result<(term::Seeded, usize), String> {
    let mut conn = app.state.pool.get().map_err(|e| e.to_string())?;
    let parent = term::logins(&mut conn)?;
    let mut first = Utc::now().date_naive() - Days::weeks(530);
    while first.weekday() != Weekday::Tue {
        first += Days::days(1);
    }
    let span = history::Span { first, weeks: 510 };
    let past = history::borough(&mut conn, scale, span).map_err(|e| format!("history: {e}"))?;
    let coming = conn
        .transaction(|c| {
            let taken = term::Ids {
                cohort: co::table
                    .select(max(co::id))
                    .first::<Option<i32>>(c)?
                    .unwrap_or(0),
                session: se::table
                    .select(max(se::id))
                    .first::<Option<i32>>(c)?
                    .unwrap_or(0),
                booking: bo::table
                    .select(max(bo::id))
                    .first::<Option<i32>>(c)?
                    .unwrap_or(0),
            };
            let now = Utc::now().naive_utc();
            let coming = term::coming_term(c, now, taken, history::FAMILIES * scale)?;
            bulk::reset_sequences(c, &bulk::BOROUGH_IDS)?;
            diesel::update(fa::table.find(1))
                .set(fa::user_id.eq(parent))
                .execute(c)?;
            Ok::<_, diesel::result::Error>(coming)
        })
        .map_err(|e| format!("coming term: {e}"))?;
    // Planner statistics, as autovacuum keeps them after a bulk load.
    if let DbConnection::Postgres(pg) = &mut *conn {
        diesel::sql_query("ANALYZE")
            .execute(pg)
            .map_err(|e| format!("analyse: {e}"))?;
    }
    Ok((coming, past.marks))
}

/// The database's size on disk: PostgreSQL's own count, or SQLite's pages.
fn database_mib(app: &BenchApp) -> Result<f64, String> {
    #[derive(QueryableByName)]
    struct Size {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        bytes: i64,
    }
    let mut conn = app.state.pool.get().map_err(|e| e.to_string())?;
    let size: Size = match &mut *conn {
        DbConnection::Sqlite(c) => diesel::sql_query(
            "SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()",
        )
        .get_result(c),
        DbConnection::Postgres(c) => {
            diesel::sql_query("SELECT pg_database_size(current_database()) AS bytes").get_result(c)
        }
    }
    .map_err(|e| format!("database size: {e}"))?;
    Ok(size.bytes as f64 / (1024.0 * 1024.0))
}

/// Times each operation `REPEATS` times (the report `REPORTS`), one request after another.
fn time(app: &BenchApp, coming: &term::Seeded, scale: usize) -> Result<Timed, String> {
    let base = app.base.as_str();
    let c = client();
    let login = |email: &str| -> Result<String, String> {
        let t: Value = c
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"email": email, "password": term::PASSWORD}))
            .send()
            .and_then(|r| r.json())
            .map_err(|e| format!("login {email}: {e:?}"))?;
        Ok(t["access_token"]
            .as_str()
            .ok_or("no access token")?
            .to_string())
    };
    let (coordinator, parent) = (login(term::COORDINATOR)?, login(term::PARENT)?);
    let errors = Cell::new(0);
    // Sends `n` requests built by `request(i)`, timing those answered `want`.
    let timed = |n: usize,
                 want: u16,
                 request: &dyn Fn(usize) -> reqwest::blocking::RequestBuilder|
     -> Latency {
        let mut times = Vec::with_capacity(n);
        for i in 0..n {
            let sent = Instant::now();
            match request(i).send() {
                Ok(r) if r.status().as_u16() == want => {
                    let _ = r.bytes();
                    times.push(sent.elapsed());
                }
                Ok(r) => {
                    errors.set(errors.get() + 1);
                    eprintln!(
                        "  {scale}×: {}: {}",
                        r.status(),
                        r.text().unwrap_or_default()
                    );
                }
                Err(e) => {
                    errors.set(errors.get() + 1);
                    eprintln!("  {scale}×: {e}");
                }
            }
        }
        Latency::of(&times)
    };
    let group = coming.first_cohort + 5;
    let listing = timed(REPEATS, 200, &|_| c.get(format!("{base}/api/v1/listings")));
    let one = timed(REPEATS, 200, &|_| {
        c.get(format!("{base}/api/v1/listings/{group}"))
    });
    // Parents registered for it (not timed), each booking another of the coming groups.
    let parents = api_seed::parents(base, REPEATS, 2)?;
    let booking = timed(REPEATS, 201, &|i| {
        c.post(format!(
            "{base}/api/v1/cohorts/{}/bookings",
            coming.first_cohort + 1 + i as i32
        ))
        .bearer_auth(&parents[i])
        .json(&json!({}))
    });
    let register = served::register(base, coming, REPEATS)?;
    errors.set(errors.get() + register.errors);
    let register = Latency::of(&register.latencies);
    let mine = timed(REPEATS, 200, &|_| {
        c.get(format!("{base}/api/v1/me/bookings"))
            .bearer_auth(&parent)
    });
    let today = Utc::now().date_naive();
    let year = format!("from={}&to={today}", today - Days::days(364));
    let report = timed(REPORTS, 200, &|_| {
        c.get(format!("{base}/api/v1/reports/summary?{year}"))
            .bearer_auth(&coordinator)
    });
    Ok(Timed {
        scale,
        marks: 0,
        database_mib: 0.0,
        latencies: vec![listing, one, booking, register, mine, report],
        errors: errors.get(),
    })
}
