//! The served scenario's tables: throughput against the reference, then the other endpoints.

use super::{Served, Throughput};
use crate::support::report::print_grid;
use crate::support::stats::ms;

/// Prints both tables; returns whether every request was answered (200).
pub fn print(s: &Served) -> bool {
    let reference = s.reference.as_ref().map(|r| r.saturated.per_second());
    let row = |t: &Throughput| {
        let rps = t.saturated.per_second();
        vec![
            t.target.clone(),
            t.bytes.to_string(),
            format!("{rps:.0}"),
            reference.map_or("-".into(), |r| format!("{:.2}", rps / r)),
            format!("{:.0}", rps / 2.0),
            format!("{:.2}", ms(t.at_half.pct(50.0))),
            format!("{:.2}", ms(t.at_half.pct(99.0))),
            format!("{:.2}", ms(t.at_half.pct(99.9))),
            (t.saturated.errors + t.at_half.errors).to_string(),
        ]
    };
    let mut rows: Vec<Vec<String>> = s.reference.iter().map(row).collect();
    rows.extend(s.backends.iter().flat_map(|b| b.listings.iter().map(row)));
    print_grid(
        &[
            "target",
            "bytes",
            "req/s",
            "× ref",
            "at 50% /s",
            "p50 ms",
            "p99 ms",
            "p99.9 ms",
            "errors",
        ],
        &rows,
    );
    let rows: Vec<Vec<String>> = s
        .backends
        .iter()
        .map(|b| {
            vec![
                b.backend.name().to_string(),
                format!("{:.1}", b.login.per_second()),
                format!("{:.0}", ms(b.login.pct(99.0))),
                format!("{:.1}", ms(b.register.pct(50.0))),
                format!("{:.1}", ms(b.register.pct(99.0))),
                format!("{:.1}", ms(b.commit.pct(50.0))),
                b.rss_listing_mib.map_or("-".into(), |m| format!("{m:.0}")),
                b.peak_rss_mib.map_or("-".into(), |m| format!("{m:.0}")),
                format!("{:.1}", ms(b.burst.pct(50.0))),
                format!("{:.1}", ms(b.burst.pct(99.0))),
                b.burst_rss_mib.map_or("-".into(), |m| format!("{m:.0}")),
            ]
        })
        .collect();
    println!();
    print_grid(
        &[
            "backend",
            "logins/s",
            "login p99 ms",
            "register PUT p50 ms",
            "p99 ms",
            "bare commit p50 ms",
            "RSS after listing MiB",
            "peak RSS MiB",
            "burst p50 ms",
            "burst p99 ms",
            "RSS in burst MiB",
        ],
        &rows,
    );
    for b in &s.backends {
        for t in &b.listings {
            let ratio = reference.map_or(0.0, |r| t.saturated.per_second() / r);
            let p99 = ms(t.at_half.pct(99.0));
            let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
            println!(
                "  goal {}: ≥ 0.5 × reference {} ({ratio:.2}), p99 < 10 ms at 50% {} ({p99:.2} ms)",
                t.target,
                verdict(ratio >= 0.5),
                verdict(p99 < 10.0)
            );
        }
    }
    let errors: usize = s
        .reference
        .iter()
        .chain(s.backends.iter().flat_map(|b| b.listings.iter()))
        .map(|t| t.saturated.errors + t.at_half.errors)
        .chain(
            s.backends
                .iter()
                .map(|b| b.login.errors + b.register.errors + b.burst.errors),
        )
        .sum();
    if errors > 0 {
        eprintln!("  {errors} requests were not answered 200");
    }
    errors == 0
}
