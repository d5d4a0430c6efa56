//! `cargo bench --bench api`: runs each scenario against groupwork started in-process on SQLite
//! and on PostgreSQL, then groupwork as a child process against a bare actix-web reference server
//! (`scenarios::served`), prints a table per scenario with the machine's core count, and writes
//! the same to `$CARGO_TARGET_DIR/bench/api.json`. A broken invariant exits non-zero.
//! `cargo bench --bench api -- NAME…` runs only the scenarios whose names contain a NAME
//! (`served` included), and writes `api.NAME….json` instead.
//! `api reference-server ADDR SIZE WORKERS` runs the reference server (started as a child).

// Test code: a failed unwrap is a failed test (the service itself denies these lints).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod scenarios;
mod support;

use scenarios::ScenarioError;
use serde_json::json;
use std::process::ExitCode;
use std::time::Instant;
use support::report::{self, Measurement};
use support::server::{self, Backend, StartError};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("reference-server") {
        return match support::reference::main(&args[1..]) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("reference-server: {e}");
                ExitCode::FAILURE
            }
        };
    }
    // cargo passes `--bench`; anything else is a scenario name to run alone.
    let only: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| name.contains(o.as_str()));
    let began = Instant::now();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let config = match server::config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Client and server share the cores, so other work on the machine shows in the figures.
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next()?.parse::<f64>().ok());
    println!(
        "groupwork api bench: {cores} cores, {profile} build, {} HTTP workers, pool of {} connections, loopback, load average {}",
        config.workers,
        config.pool_size,
        load.map_or("unknown".into(), |l| format!("{l:.2}"))
    );
    if profile != "release" {
        println!(
            "!!! NOT A RELEASE BUILD: these figures mean nothing; run `cargo bench --bench api`"
        );
    }

    let mut measured: Vec<Measurement> = Vec::new();
    let mut not_measured = Vec::new();
    let mut failed = false;
    // Scenarios that could not run at all here (a server they need is missing).
    let mut scenarios_not_measured = Vec::new();
    for scenario in scenarios::ALL.iter().filter(|s| wanted(s.name)) {
        println!("\n{}: {}", scenario.name, scenario.about);
        for backend in Backend::ALL {
            if not_measured.iter().any(|(b, _)| *b == backend)
                || scenario.only.is_some_and(|only| only != backend)
            {
                continue;
            }
            let outcome = server::start(backend).map(|app| (scenario.run)(&app));
            match outcome {
                Ok(Ok(m)) => measured.push(m),
                Ok(Err(ScenarioError::Failed(e))) | Err(StartError::Failed(e)) => {
                    eprintln!("{}: FAILED: {e}", backend.title());
                    failed = true;
                }
                Ok(Err(ScenarioError::NotMeasured(why))) => {
                    println!("{}: not measured ({why})", scenario.name);
                    scenarios_not_measured.push((scenario.name, why));
                    // The same machine lacks it for the other backend too.
                    break;
                }
                Err(StartError::Unavailable(why)) => {
                    println!("{}: not measured ({why})", backend.title());
                    not_measured.push((backend, why));
                }
            }
        }
        let rows: Vec<&Measurement> = measured
            .iter()
            .filter(|m| m.scenario == scenario.name)
            .collect();
        report::print_table(&rows);
        report::print_figures(&rows);
        for m in &rows {
            report::print_details(m);
        }
    }
    failed |= measured.iter().any(|m| !m.ok());

    let served = if wanted("served") {
        println!("\nserved: {}", scenarios::served::ABOUT);
        match scenarios::served::run(config.workers, config.pool_size) {
            Ok(s) => {
                failed |= !scenarios::served::table::print(&s);
                Some(scenarios::served::to_json(&s))
            }
            Err(e) => {
                eprintln!("served: FAILED: {e}");
                failed = true;
                None
            }
        }
    } else {
        None
    };

    let doc = json!({
        "cores": cores,
        "profile": profile,
        "http_workers": config.workers,
        "pool_size": config.pool_size,
        "load_average_at_start": load,
        "results": measured.iter().map(report::to_json).collect::<Vec<_>>(),
        "served": served,
        "not_measured": not_measured.iter().map(|(b, why)| json!({"backend": b.name(), "reason": why}))
            .chain(scenarios_not_measured.iter().map(|(s, why)| json!({"scenario": s, "reason": why})))
            .collect::<Vec<_>>(),
        "only": only,
        "ok": !failed,
    });
    // A partial run does not overwrite the whole bench's figures.
    let file = std::iter::once("api")
        .chain(only.iter().map(|o| o.as_str()))
        .collect::<Vec<_>>()
        .join(".");
    match report::write_json(&file, &doc) {
        Ok(path) => println!("\nwritten to {}", path.display()),
        Err(e) => {
            eprintln!("bench: {e}");
            failed = true;
        }
    }
    println!("whole bench: {:.1} s", began.elapsed().as_secs_f64());
    if failed {
        eprintln!("bench: FAILED (see above)");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
