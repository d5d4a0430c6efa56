//! What a scenario measured, printed as a table and written as JSON.

use super::stats::{ms, Latency};
use serde_json::{json, Value};
use std::path::PathBuf;

/// One scenario on one backend.
pub struct Measurement {
    pub scenario: &'static str,
    pub backend: &'static str,
    /// What one request is, for the column titles ("bookings").
    pub unit: &'static str,
    pub requests: usize,
    /// Time spent in the measured runs (their sum, when the scenario repeats).
    pub seconds: f64,
    pub runs_seconds: Vec<f64>,
    /// Per request; `None` when requests are not timed one by one (shown as `-`).
    pub latency: Option<Latency>,
    /// Scenario-specific counts, in column order (e.g. confirmed, waitlisted, 5xx).
    pub counts: Vec<(&'static str, usize)>,
    /// Scenario-specific figures that are not counts (a rate measured beside ours, a ratio,
    /// seconds of another step), in column order; printed as a second table.
    pub figures: Vec<(&'static str, f64)>,
    pub checks: Vec<Check>,
}

/// An invariant checked after the run; a failed one makes the bench exit non-zero.
pub struct Check {
    pub what: String,
    pub ok: bool,
}

impl Measurement {
    pub fn per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.requests as f64 / self.seconds
        } else {
            0.0
        }
    }

    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }
}

/// The rows of one scenario as a table (they share the unit and the count columns).
pub fn print_table(rows: &[&Measurement]) {
    let Some(first) = rows.first() else { return };
    let unit = first.unit;
    let mut head = vec![
        "backend".to_string(),
        unit.to_string(),
        "seconds".into(),
        format!("{unit}/s"),
        "p50 ms".into(),
        "p99 ms".into(),
        "max ms".into(),
    ];
    head.extend(first.counts.iter().map(|(name, _)| name.to_string()));
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|m| {
            let mut r = vec![
                m.backend.to_string(),
                m.requests.to_string(),
                format!("{:.3}", m.seconds),
                format!("{:.1}", m.per_second()),
                latency(m, |l| l.p50),
                latency(m, |l| l.p99),
                latency(m, |l| l.max),
            ];
            r.extend(m.counts.iter().map(|(_, n)| n.to_string()));
            r
        })
        .collect();
    print_grid(&head, &body);
}

fn latency(m: &Measurement, pick: impl Fn(&Latency) -> std::time::Duration) -> String {
    m.latency
        .as_ref()
        .map_or("-".into(), |l| format!("{:.1}", ms(pick(l))))
}

/// The rows' figures as a second table, if the scenario has any (they share the names).
pub fn print_figures(rows: &[&Measurement]) {
    let Some(first) = rows.first().filter(|m| !m.figures.is_empty()) else {
        return;
    };
    let head: Vec<&str> = ["backend"]
        .into_iter()
        .chain(first.figures.iter().map(|(name, _)| *name))
        .collect();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|m| {
            let mut r = vec![m.backend.to_string()];
            r.extend(m.figures.iter().map(|(_, v)| figure(*v)));
            r
        })
        .collect();
    print_grid(&head, &body);
}

/// Large figures whole, small ones to three significant places or so.
fn figure(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// A Markdown-style table: the first column left-aligned, the others right-aligned, each as wide
/// as its widest cell (counted in characters, so "×" takes one).
pub fn print_grid(head: &[impl AsRef<str>], rows: &[Vec<String>]) {
    let widths: Vec<usize> = (0..head.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([head[i].as_ref().chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[&str]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if i == 0 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect();
        println!("| {} |", padded.join(" | "));
    };
    line(&head.iter().map(AsRef::as_ref).collect::<Vec<_>>());
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    println!("|-{}-|", rule.join("-|-"));
    for r in rows {
        line(&r.iter().map(String::as_str).collect::<Vec<_>>());
    }
}

/// The seconds of each run, then the checks.
pub fn print_details(m: &Measurement) {
    let runs: Vec<String> = m.runs_seconds.iter().map(|s| format!("{s:.3}")).collect();
    println!("  {:<8} runs (s): {}", m.backend, runs.join(" "));
    for c in &m.checks {
        let verdict = if c.ok { "ok    " } else { "BROKEN" };
        println!("  {:<8} {verdict} {}", m.backend, c.what);
    }
}

pub fn to_json(m: &Measurement) -> Value {
    let counts: serde_json::Map<String, Value> = m
        .counts
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let figures: serde_json::Map<String, Value> = m
        .figures
        .iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    json!({
        "scenario": m.scenario,
        "backend": m.backend,
        "unit": m.unit,
        "requests": m.requests,
        "seconds": m.seconds,
        "runs_seconds": m.runs_seconds,
        "per_second": m.per_second(),
        "p50_ms": m.latency.map(|l| ms(l.p50)),
        "p99_ms": m.latency.map(|l| ms(l.p99)),
        "max_ms": m.latency.map(|l| ms(l.max)),
        "counts": counts,
        "figures": figures,
        "checks": m.checks.iter().map(|c| json!({"what": c.what, "ok": c.ok})).collect::<Vec<_>>(),
    })
}

/// `$CARGO_TARGET_DIR/bench/<name>.json`, or `target/bench/…` in the package.
pub fn write_json(name: &str, doc: &Value) -> Result<PathBuf, String> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(format!("{name}.json"));
    let text = serde_json::to_string_pretty(doc).map_err(|e| e.to_string())?;
    std::fs::write(&path, text + "\n")
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}
