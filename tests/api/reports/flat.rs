//! Reads the report's CSV back with the `csv` crate and checks it cell by cell against the JSON
//! answer, whose field paths are the CSV's column names.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The JSON figures of one row as column → value (`follow_up_outcomes.<o>`,
/// `outcome_pairs.<measure>.<field>`); `group` is left out.
fn flatten(figures: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (k, v) in figures.as_object().expect("figures object") {
        match k.as_str() {
            "group" => {}
            "follow_up_outcomes" => {
                for (o, n) in v.as_object().unwrap() {
                    out.insert(format!("follow_up_outcomes.{o}"), n.clone());
                }
            }
            "outcome_pairs" => {
                for p in v.as_array().unwrap() {
                    let m = p["measure"].as_str().unwrap();
                    for f in ["pairs", "mean_pre", "mean_post", "mean_change"] {
                        out.insert(format!("outcome_pairs.{m}.{f}"), p[f].clone());
                    }
                }
            }
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    out
}

/// What a text cell must read: defused with `'` when it starts like a formula.
fn defused(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn assert_cell(column: &str, cell: &str, want: &Value) {
    match want {
        Value::Null => assert_eq!(cell, "", "{column}: null is an empty cell"),
        Value::Number(n) => assert_eq!(
            cell.parse::<f64>().ok(),
            n.as_f64(),
            "{column}: the number {n} as a number, got {cell:?}"
        ),
        Value::String(s) => assert_eq!(cell, defused(s), "{column}"),
        other => panic!("{column}: unexpected JSON {other}"),
    }
}

/// Every JSON figure is in its column, every column is a JSON figure (or empty where this row
/// has no pair of that measure), the rows come in the same order with the total last.
pub fn assert_csv_matches_json(text: &str, json: &Value) {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header.iter().collect::<BTreeSet<_>>().len(),
        header.len(),
        "unique columns"
    );
    assert_eq!(&header[..2], ["group_by", "group"]);
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let by = json["group_by"].as_str().unwrap_or("");
    let mut rows: Vec<(&str, String, &Value)> = json["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (by, defused(g["group"].as_str().unwrap()), g))
        .collect();
    rows.push(("total", String::new(), &json["total"]));
    assert_eq!(
        records.len(),
        rows.len(),
        "one CSV row per group, then the total"
    );
    for (record, (by, group, figures)) in records.iter().zip(rows) {
        let cells: BTreeMap<&str, &str> = header
            .iter()
            .map(String::as_str)
            .zip(record.iter())
            .collect();
        assert_eq!((cells["group_by"], cells["group"]), (by, group.as_str()));
        let flat = flatten(figures);
        for (column, want) in &flat {
            let cell = cells
                .get(column.as_str())
                .unwrap_or_else(|| panic!("no column {column}"));
            assert_cell(column, cell, want);
        }
        for column in &header[2..] {
            if !flat.contains_key(column) {
                assert!(
                    column.starts_with("outcome_pairs."),
                    "{column} is not in the JSON"
                );
                assert_eq!(cells[column.as_str()], "", "{column}: no pair in this row");
            }
        }
    }
}
