//! The layers' boundaries, checked by reading the source (ARCHITECTURE.md draws them):
//! - `src/api/` is HTTP only: it opens no transaction, calls no `store` function that writes,
//!   records no audit event and invalidates no cache by hand — `src/service/` does all of that;
//! - `src/domain/` is pure: no diesel, no actix, no database, no service, no api;
//! - nothing below the API (`service`, `store`, `db`, `domain`, the retention job, the demo)
//!   reaches back up into `api`;
//! - `src/instruments.rs` (the metrics every layer counts through) uses nothing of ours.
//!
//! Which `store` functions write is read from `src/store/` itself, so a new one is covered.
//!
//! And unsafe code lives in one module only, `src/db/backup.rs` (SQLite's online backup API,
//! which diesel does not expose), with every block's reasoning written beside it.

use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir` with its text.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    out.sort();
    out
}

/// Code without comments and `#[cfg(test)]` modules (tests may do anything to set up).
fn without_tests(text: &str) -> String {
    let code = text.find("#[cfg(test)]").map_or(text, |i| &text[..i]);
    code.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Top-level functions of one store module: name → body.
fn functions(text: &str) -> Vec<(String, &str)> {
    let head = Regex::new(r"(?m)^pub fn (\w+)").unwrap();
    let starts: Vec<_> = head
        .captures_iter(text)
        .map(|c| (c.get(0).unwrap().start(), c[1].to_string()))
        .collect();
    starts
        .iter()
        .map(|(start, name)| {
            let rest = &text[*start..];
            let end = rest.find("\n}\n").map_or(rest.len(), |e| e + 3);
            (name.clone(), &rest[..end])
        })
        .collect()
}

/// `store` module → the names of its public functions that write (or lock) rows, directly or
/// through another writing function of the same module.
fn store_writers(store: &[(PathBuf, String)]) -> BTreeMap<String, BTreeSet<String>> {
    let writes =
        Regex::new(r"insert_into|diesel::update|diesel::delete|\.execute\(|audit::record").unwrap();
    let mut out = BTreeMap::new();
    for (path, text) in store {
        let module = path.file_stem().unwrap().to_string_lossy().into_owned();
        let code = without_tests(text);
        let fns = functions(&code);
        let mut writers: BTreeSet<String> = fns
            .iter()
            .filter(|(_, body)| writes.is_match(body))
            .map(|(n, _)| n.clone())
            .collect();
        loop {
            let more: Vec<String> = fns
                .iter()
                .filter(|(n, body)| {
                    !writers.contains(n) && writers.iter().any(|w| body.contains(&format!("{w}(")))
                })
                .map(|(n, _)| n.clone())
                .collect();
            if more.is_empty() {
                break;
            }
            writers.extend(more);
        }
        out.insert(module, writers);
    }
    out
}

/// What an `api` file does that only the service layer may do.
fn api_violations(text: &str, writers: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let code = &without_tests(text);
    let mut found = Vec::new();
    for forbidden in [
        "write_transaction",
        ".transaction(",
        "immediate_transaction",
        "state.write(",
        "store::audit::record",
        "audit::Event",
        ".invalidate()",
        "Tx::within",
    ] {
        if code.contains(forbidden) {
            found.push(forbidden.to_string());
        }
    }
    // `store::m::f(`, and `m::f(` where `m` was imported from `crate::store`.
    let mut modules: BTreeSet<String> = BTreeSet::new();
    let imports = Regex::new(r"use crate::store::\{([^}]*)\}|use crate::store::(\w+)\s*;").unwrap();
    for c in imports.captures_iter(code) {
        let list = c.get(1).or(c.get(2)).unwrap().as_str();
        modules.extend(
            list.split(',')
                .map(|m| m.trim().split(' ').next().unwrap_or("").to_string()),
        );
    }
    let call = Regex::new(r"(?:\bstore::)?\b(\w+)::(\w+)\s*\(").unwrap();
    for c in call.captures_iter(code) {
        let (m, f) = (&c[1], &c[2]);
        let qualified = c.get(0).unwrap().as_str().starts_with("store::");
        if (qualified || modules.contains(m)) && writers.get(m).is_some_and(|w| w.contains(f)) {
            found.push(format!("store::{m}::{f}"));
        }
    }
    found
}

fn domain_violations(text: &str) -> Vec<String> {
    let code = without_tests(text);
    [
        "diesel",
        "actix",
        "crate::service",
        "crate::store",
        "crate::db",
        "crate::api",
        "r2d2",
    ]
    .into_iter()
    .filter(|w| code.contains(w))
    .map(String::from)
    .collect()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn api_is_http_only() {
    let writers = store_writers(&sources(&root().join("store")));
    assert!(
        writers["bookings"].contains("insert") && writers["bookings"].contains("lock_cohort"),
        "the store scan finds the writes: {writers:?}"
    );
    assert!(!writers["bookings"].contains("find"), "and not the reads");
    let broken: Vec<String> = sources(&root().join("api"))
        .iter()
        .flat_map(|(path, text)| {
            api_violations(text, &writers)
                .into_iter()
                .map(move |v| format!("{}: {v}", path.strip_prefix(root()).unwrap().display()))
        })
        .collect();
    assert!(
        broken.is_empty(),
        "src/api must leave these to src/service:\n{}",
        broken.join("\n")
    );
}

#[test]
fn domain_is_pure_and_nothing_below_the_api_reaches_up() {
    let mut broken = Vec::new();
    for (path, text) in sources(&root().join("domain")) {
        for v in domain_violations(&text) {
            broken.push(format!("{}: {v}", path.display()));
        }
    }
    let below = ["service", "store", "db", "demo"].map(|d| root().join(d));
    let mut files: Vec<_> = below
        .iter()
        .filter(|d| d.exists())
        .flat_map(|d| sources(d))
        .collect();
    for single in ["retention.rs", "demo.rs"] {
        if let Ok(text) = std::fs::read_to_string(root().join(single)) {
            files.push((root().join(single), text));
        }
    }
    for (path, text) in files {
        if without_tests(&text).contains("crate::api") {
            broken.push(format!("{}: crate::api", path.display()));
        }
    }
    assert!(
        broken.is_empty(),
        "layers reaching where they must not:\n{}",
        broken.join("\n")
    );
}

/// The metrics' instruments are a leaf every layer counts through, so they use nothing of ours.
#[test]
fn the_instruments_are_a_leaf() {
    let text = std::fs::read_to_string(root().join("instruments.rs")).unwrap();
    let code = without_tests(&text);
    assert!(
        !code.contains("crate::") && !code.contains("super::"),
        "src/instruments.rs must not use the rest of the crate"
    );
}

/// The scans catch what they are meant to (each rule broken once, on purpose).
#[test]
fn the_scans_see_a_broken_rule() {
    let store = vec![(
        PathBuf::from("store/things.rs"),
        "pub fn find(c: &mut C) -> R {\n    t::table.first(c)\n}\n\
         pub fn add(c: &mut C) -> R {\n    diesel::insert_into(t::table).execute(c)\n}\n\
         pub fn add_two(c: &mut C) -> R {\n    add(c)?;\n    add(c)\n}\n"
            .to_string(),
    )];
    let writers = store_writers(&store);
    assert_eq!(
        writers["things"],
        BTreeSet::from(["add".to_string(), "add_two".to_string()])
    );
    let handler = "use crate::store::{self, things};\n\
                   async fn h() { state.write(move |c| { store::things::find(c)?; things::add_two(c) }) }";
    assert_eq!(
        api_violations(handler, &writers),
        ["state.write(", "store::things::add_two"]
    );
    let clean = "async fn h() { service::things::add(&state.services, actor, cmd).await }";
    assert!(api_violations(clean, &writers).is_empty());
    assert_eq!(domain_violations("use diesel::prelude::*;"), ["diesel"]);
}

/// `unsafe` is denied for the whole crate (Cargo.toml) and allowed in `src/db/backup.rs` alone,
/// where clippy refuses an unsafe block without its `SAFETY:` comment. Anywhere else — the
/// service, the tests, the benches — the word does not appear in code.
#[test]
fn unsafe_code_only_in_the_sqlite_backup_module() {
    let allowed = root().join("db").join("backup.rs");
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let word = Regex::new(r"\bunsafe\b|unsafe_code").unwrap();
    let mut found = Vec::new();
    for dir in ["src", "tests", "benches"] {
        for (path, text) in sources(&here.join(dir)) {
            if path == allowed || path.ends_with("tests/api/architecture.rs") {
                continue;
            }
            let code: Vec<&str> = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect();
            if code.iter().any(|l| word.is_match(l)) {
                found.push(path.strip_prefix(here).unwrap().display().to_string());
            }
        }
    }
    assert!(
        found.is_empty(),
        "unsafe code outside src/db/backup.rs: {found:?}"
    );
    let backup = std::fs::read_to_string(&allowed).unwrap();
    assert!(
        backup.contains("#![allow(unsafe_code)]")
            && backup.contains("#![deny(clippy::undocumented_unsafe_blocks)]"),
        "the backup module allows unsafe code only with every block explained"
    );
    let cargo = std::fs::read_to_string(here.join("Cargo.toml")).unwrap();
    assert!(
        cargo.contains("unsafe_code = \"deny\""),
        "denied everywhere else"
    );
}
