//! Monitoring answers and the breakdowns funders ask for (issue 19): families tell us about
//! themselves (every answer optional, "prefer not to say" kept apart from "not asked"), each
//! breakdown's rows add up to its total, a report safe to share hides every count from 1 to 4
//! and whatever would give one back, and erasing a family changes no figure.

use crate::db_test;
use crate::fixtures::Coordinator;
use crate::geography::{fixture, fixture_place, full_args, import_ok};
use crate::helpers::{ok_json, problem, TestApp};
use crate::registers::{group, mark, staff, Group};
use crate::reports::flat::assert_csv_matches_json;
use groupwork::domain::role::Role;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeMap;

const PERIOD: &str = "from=2026-03-01&to=2026-12-31";
const BREAKDOWNS: [&str; 8] = [
    "ethnicity",
    "language",
    "father_involved",
    "teen_parent",
    "lone_parent",
    "disability",
    "send",
    "imd_decile",
];

/// What family `i` (of 14) tells us; families 12 and 13 are never asked.
fn answers(i: usize) -> Option<Value> {
    if i >= 12 {
        return None;
    }
    let ethnicity = match i {
        0..=4 => "white_british",
        5..=7 => "black_african",
        8 | 9 => "asian_bangladeshi",
        10 => "prefer_not_to_say",
        _ => "white_other",
    };
    let language = match i {
        0..=6 => "en",
        7..=9 => "pt",
        10 => "so",
        _ => "prefer_not_to_say",
    };
    let lone = match i {
        0..=3 | 11 => "no",
        10 => "prefer_not_to_say",
        _ => "yes",
    };
    let year = match i {
        5 => "2008",
        6 => "prefer_not_to_say",
        _ => "1990",
    };
    let disability = |carer: usize| match (i, carer) {
        (1, 1) => "yes",
        (7, _) => "prefer_not_to_say",
        _ => "no",
    };
    let carer = |role: &str, n: usize| json!({"role": role, "year_of_birth": year, "disability": disability(n)});
    let carers = match i {
        0..=3 => vec![carer("mother", 0), carer("father", 1)],
        4 => vec![carer("father", 0)],
        _ => vec![carer("mother", 0)],
    };
    Some(json!({
        "ethnicity": ethnicity, "first_language": language,
        "english_additional_language": if language == "en" { "no" } else { "yes" },
        "lone_parent": lone, "carers": carers,
    }))
}

fn send(i: usize) -> Option<&'static str> {
    match i {
        0 | 1 => Some("yes"),
        2 => Some("prefer_not_to_say"),
        3..=11 => Some("no"),
        _ => None,
    }
}

/// 14 families on one COSP group, with their answers; 12 came to the first session.
pub(crate) fn scenario(app: &TestApp) -> Group {
    let g = group(app, 20, 14, 0);
    for (i, f) in g.families.iter().enumerate() {
        let t = app.token_as(f.user, Role::Parent);
        let names = if i < 4 {
            json!(["Carer A", "Carer B"])
        } else {
            json!(["Carer A"])
        };
        let mut body =
            json!({"carers": names, "preferred_language": "en", "referral_source": "self"});
        if let Some(a) = answers(i) {
            body["monitoring"] = a;
        }
        let res = app
            .req(Method::PUT, "/api/v1/me/family", Some(&t))
            .json(&body)
            .send()
            .unwrap();
        let family = ok_json(res, 200);
        if let Some(a) = answers(i) {
            assert_eq!(
                family["monitoring"], a,
                "family {i} reads back what it said"
            );
        }
        if let Some(s) = send(i) {
            let child = ok_json(
                app.patch(
                    &format!("/api/v1/me/children/{}", f.child),
                    Some(&t),
                    &json!({"send": s}),
                ),
                200,
            );
            assert_eq!(child["send"], s);
        }
    }
    g.at_session(app, 1, 30);
    let marks: Vec<(i64, &str)> = g
        .families
        .iter()
        .enumerate()
        .map(|(i, f)| (f.booking, if i < 12 { "present" } else { "absent" }))
        .collect();
    mark(app, &g.register(1), &staff(app, g.lead), &marks);
    g
}

fn report(app: &TestApp, token: &str, query: &str) -> Value {
    let mut r = ok_json(
        app.get(
            &format!("/api/v1/reports/summary?{PERIOD}&{query}"),
            Some(token),
        ),
        200,
    );
    r.as_object_mut().unwrap().remove("generated_at");
    r
}

/// Each row's families booked, by its group.
fn booked(r: &Value) -> BTreeMap<String, i64> {
    r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["group"].as_str().unwrap().to_string(),
                g["families_booked"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn counts(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// Every figure of a row as `path → value` (follow-up outcomes and pair figures by their CSV
/// names), `group` left out.
fn cells(figures: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (k, v) in figures.as_object().unwrap() {
        match k.as_str() {
            "group" => {}
            "follow_up_outcomes" => {
                for (o, n) in v.as_object().unwrap() {
                    out.insert(format!("follow_up_outcomes.{o}"), n.clone());
                }
            }
            "outcome_pairs" => {
                for p in v.as_array().unwrap() {
                    for f in ["pairs", "mean_pre", "mean_post", "mean_change"] {
                        out.insert(
                            format!("outcome_pairs.{}.{f}", p["measure"].as_str().unwrap()),
                            p[f].clone(),
                        );
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

fn lines(r: &Value) -> Vec<BTreeMap<String, Value>> {
    r["groups"].as_array().unwrap().iter().map(cells).collect()
}

db_test! {
    fn every_breakdown_adds_up_and_keeps_refusals_apart_from_questions_never_asked(app) {
        let g = scenario(&app);
        let co = app.token_as(g.coordinator, Role::Coordinator);
        let expected = [
            ("ethnicity", counts(&[("asian_bangladeshi", 2), ("black_african", 3), ("not_asked", 2),
                                   ("prefer_not_to_say", 1), ("white_british", 5), ("white_other", 1)])),
            ("language", counts(&[("en", 7), ("not_asked", 2), ("prefer_not_to_say", 1), ("pt", 3), ("so", 1)])),
            // Families 0–3 (mother and father) and 4 (a father on his own).
            ("father_involved", counts(&[("no", 7), ("not_asked", 2), ("yes", 5)])),
            // Family 5's carer was born in 2008: 18 in 2026.
            ("teen_parent", counts(&[("no", 10), ("not_asked", 2), ("prefer_not_to_say", 1), ("yes", 1)])),
            ("lone_parent", counts(&[("no", 5), ("not_asked", 2), ("prefer_not_to_say", 1), ("yes", 6)])),
            // Family 1's second carer.
            ("disability", counts(&[("no", 10), ("not_asked", 2), ("prefer_not_to_say", 1), ("yes", 1)])),
            ("send", counts(&[("no", 9), ("not_asked", 2), ("prefer_not_to_say", 1), ("yes", 2)])),
            // No geography is loaded here: nobody's decile is known.
            ("imd_decile", counts(&[("unknown", 14)])),
        ];
        let total = report(&app, &co, "")["total"].clone();
        assert_eq!((&total["families_booked"], &total["families_reached"], &total["children_reached"]),
                   (&json!(14), &json!(12), &json!(12)));
        for (by, want) in expected {
            let r = report(&app, &co, &format!("group_by={by}"));
            assert_eq!(booked(&r), want, "group_by={by}");
            assert_eq!(r["total"], total, "group_by={by}: the same total");
            // Every count of every row adds up to the total (each family is in one row).
            let rows = lines(&r);
            for (column, value) in cells(&r["total"]) {
                let Some(sum) = value.as_i64() else { continue };
                let parts: Option<i64> = rows.iter().map(|row| row.get(&column).and_then(Value::as_i64)).sum();
                if column.starts_with("cohorts_") || column == "sessions_delivered" {
                    assert_eq!(parts, None, "{by}: {column} is not split by family");
                } else {
                    assert_eq!(parts, Some(sum), "group_by={by}: {column}");
                }
            }
        }
        // Reached: 12 of the 14 (families 12 and 13 missed the session), by their answers.
        let reached: BTreeMap<String, i64> = report(&app, &co, "group_by=ethnicity")["groups"].as_array().unwrap().iter()
            .map(|g| (g["group"].as_str().unwrap().to_string(), g["families_reached"].as_i64().unwrap())).collect();
        assert_eq!(reached["not_asked"], 0);
        assert_eq!(reached["white_british"], 5);
    }
}

db_test! {
    fn answers_are_checked_and_a_bad_one_changes_nothing(app) {
        let g = group(&app, 20, 1, 0);
        let t = app.token_as(g.families[0].user, Role::Parent);
        let put = |body: Value| app.req(Method::PUT, "/api/v1/me/family", Some(&t)).json(&body).send().unwrap();
        let base = json!({"carers": ["Ana Lima"], "preferred_language": "pt", "referral_source": "self"});
        let mut good = base.clone();
        good["monitoring"] = json!({"ethnicity": "white_other", "carers": [{"role": "mother", "year_of_birth": "1994"}]});
        let family = ok_json(put(good), 200);
        // What was not given is "not asked"; one entry for the one carer.
        assert_eq!(family["monitoring"], json!({"ethnicity": "white_other", "first_language": "not_asked",
            "english_additional_language": "not_asked", "lone_parent": "not_asked",
            "carers": [{"role": "mother", "year_of_birth": "1994", "disability": "not_asked"}]}));
        for (monitoring, field) in [
            (json!({"ethnicity": "martian"}), "monitoring.ethnicity"),
            (json!({"first_language": "Portuguese"}), "monitoring.first_language"),
            (json!({"carers": [{"year_of_birth": "2099"}]}), "monitoring.carers[0].year_of_birth"),
            (json!({"carers": [{"role": "aunt"}]}), "monitoring.carers[0].role"),
            (json!({"carers": [{}, {}]}), "monitoring.carers"),
            // serde would read an array as the form with every answer left out.
            (json!([]), "monitoring"),
            (json!(["white_other"]), "monitoring"),
            (json!({"carers": [["mother", "1994"]]}), "monitoring.carers[0]"),
        ] {
            let mut body = base.clone();
            body["monitoring"] = monitoring;
            let p = problem(put(body), 422);
            assert!(p["errors"][field].is_array(), "{field}: {p}");
        }
        // A question we do not ask is refused, not stored.
        let p = problem(put(json!({"carers": ["Ana Lima"], "preferred_language": "pt", "referral_source": "self",
                                   "monitoring": {"ethnicity": "white_other", "religion": "none"}})), 422);
        assert!(p.to_string().contains("religion"), "{p}");
        // Left out, the answers stay as they were.
        let family = ok_json(put(base.clone()), 200);
        assert_eq!(family["monitoring"]["ethnicity"], "white_other");
        // A second carer's answers go with them when they are no longer named.
        let mut two = base.clone();
        two["carers"] = json!(["Ana Lima", "Rui Lima"]);
        two["monitoring"] = json!({"carers": [{"role": "mother"}, {"role": "father", "disability": "yes"}]});
        assert_eq!(ok_json(put(two.clone()), 200)["monitoring"]["carers"][1]["disability"], "yes");
        assert_eq!(ok_json(put(base.clone()), 200)["monitoring"]["carers"].as_array().unwrap().len(), 1);
        two.as_object_mut().unwrap().remove("monitoring");
        assert_eq!(ok_json(put(two), 200)["monitoring"]["carers"][1],
                   json!({"role": "not_asked", "year_of_birth": "not_asked", "disability": "not_asked"}));
        let child = format!("/api/v1/me/children/{}", g.families[0].child);
        let p = problem(app.patch(&child, Some(&t), &json!({"send": "maybe"})), 422);
        assert!(p["errors"]["send"].is_array(), "{p}");
        assert_eq!(ok_json(app.get(&child, Some(&t)), 200)["send"], "not_asked");

        // A family the centre enrols answers the same questions.
        let co = Coordinator::new(&app);
        let body = json!({"carers": ["Amina Bello", "Yusuf Bello"], "phone": "07700 900123", "preferred_language": "so",
            "referral_source": "health_visitor", "contact_by": "sms",
            "monitoring": {"ethnicity": "black_african", "first_language": "so", "english_additional_language": "yes",
                           "carers": [{"role": "mother"}, {"role": "father", "disability": "prefer_not_to_say"}]},
            "children": [{"first_name": "Idris", "date_of_birth": "2025-06-01", "send": "no"}]});
        let enrolled = ok_json(app.post("/api/v1/families", co.t(), &body), 201);
        assert_eq!(enrolled["monitoring"]["carers"][1], json!({"role": "father", "year_of_birth": "not_asked", "disability": "prefer_not_to_say"}));
        let id = enrolled["id"].as_i64().unwrap();
        let changed = ok_json(app.patch(&format!("/api/v1/families/{id}"), co.t(), &json!({"monitoring": {"lone_parent": "no"}})), 200);
        assert_eq!(changed["monitoring"]["lone_parent"], "no");
        assert_eq!(changed["monitoring"]["ethnicity"], "not_asked", "the answers are replaced whole");
        let p = problem(app.patch(&format!("/api/v1/families/{id}"), co.t(), &json!({"monitoring": []})), 422);
        assert!(p["errors"]["monitoring"].is_array(), "{p}");
        let mut children = body.clone();
        children["children"] = json!([["Idris", "2025-06-01"]]);
        let p = problem(app.post("/api/v1/families", co.t(), &children), 422);
        assert!(p["errors"]["children[0]"].is_array(), "{p}");
        let kept = ok_json(app.get(&format!("/api/v1/families/{id}"), co.t()), 200);
        assert_eq!(kept["monitoring"]["lone_parent"], "no", "a refused change changes nothing");
    }
}

/// Whether a JSON figure is a count a shared report must not show.
fn small(v: &Value) -> bool {
    v.as_i64().is_some_and(|n| (1..5).contains(&n))
}

db_test! {
    fn a_report_safe_to_share_hides_small_counts_and_whatever_gives_them_back(app) {
        let g = scenario(&app);
        let co = app.token_as(g.coordinator, Role::Coordinator);
        let mut hidden_somewhere = 0;
        for by in BREAKDOWNS.iter().chain(&["ward", "referral_source", "programme", "month", ""]) {
            let q = if by.is_empty() { String::new() } else { format!("group_by={by}") };
            let exact = report(&app, &co, &q);
            let shared = report(&app, &co, &format!("{q}&disclosure=suppressed"));
            assert_eq!((&exact["disclosure"], &shared["disclosure"]), (&json!("internal"), &json!("suppressed")));
            let (exact_rows, shared_rows) = (lines(&exact), lines(&shared));
            let (exact_total, shared_total) = (cells(&exact["total"]), cells(&shared["total"]));
            let all = shared_rows.iter().chain([&shared_total]);
            for (row, exact_row) in all.clone().zip(exact_rows.iter().chain([&exact_total])) {
                for (column, v) in row {
                    // Population figures are public; everything else is a count, a rate or a mean.
                    if column != "under_fives" {
                        assert!(!small(v), "group_by={by}: {column} = {v} is shown");
                    }
                    match v {
                        Value::String(mark) => {
                            assert!(mark == "<5" || mark == "[c]", "{mark}");
                            hidden_somewhere += 1;
                            if mark == "<5" {
                                assert!(small(&exact_row[column]), "{by}: only 1–4 is <5");
                            }
                        }
                        _ => assert_eq!(v, &exact_row[column], "group_by={by}: {column} shown as it is"),
                    }
                }
            }
            // Split by family, every count's rows add up to the total: none may be the only
            // hidden figure of its sum. Within each row, follow-ups opened = open + outcomes.
            if BREAKDOWNS.contains(by) || *by == "ward" || *by == "referral_source" {
                for (column, v) in &shared_total {
                    let split = shared_rows.iter().all(|r| r.get(column).is_none_or(|c| !c.is_null()));
                    if !(v.is_i64() || v.is_string()) || !split || column == "under_fives" || column.ends_with("rate")
                        || column.ends_with("share") || column.contains(".mean_") {
                        continue;
                    }
                    let hidden = shared_rows.iter().filter(|r| r.get(column).is_some_and(Value::is_string)).count()
                        + usize::from(v.is_string());
                    assert_ne!(hidden, 1, "group_by={by}: the total − the rest gives {column} back");
                }
            }
            for row in all {
                let hidden = row.iter()
                    .filter(|(k, _)| k.starts_with("follow_up") && !k.ends_with("rate"))
                    .filter(|(_, v)| v.is_string()).count();
                assert_ne!(hidden, 1, "group_by={by}: follow-ups opened − open − outcomes gives one back");
            }
            // The CSV says the same, and no cell of it is a count from 1 to 4.
            let res = app.get(&format!("/api/v1/reports/summary?{PERIOD}&{q}&disclosure=suppressed&format=csv"), Some(&co));
            assert!(res.headers()["content-disposition"].to_str().unwrap().ends_with("-shared.csv\""));
            let text = res.text().unwrap();
            assert_csv_matches_json(&text, &shared);
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let header = reader.headers().unwrap().clone();
            for record in reader.records() {
                for (column, cell) in header.iter().zip(record.unwrap().iter()) {
                    let count = !(column.ends_with("rate") || column.ends_with("share") || column.contains(".mean_"));
                    if count && column != "under_fives" && column != "group" {
                        assert!(!cell.parse::<i64>().is_ok_and(|n| (1..5).contains(&n)), "CSV {by}: {column} = {cell}");
                    }
                }
            }
        }
        assert!(hidden_somewhere > 20, "the scenario has small counts to hide");
        problem(app.get("/api/v1/reports/summary?disclosure=public", Some(&co)), 422);
    }
}

db_test! {
    fn erasing_a_family_changes_no_breakdown(app) {
        let g = scenario(&app);
        let co = app.token_as(g.coordinator, Role::Coordinator);
        let every = || -> Vec<Value> {
            BREAKDOWNS.iter().chain(&["ward", "referral_source", ""])
                .map(|by| report(&app, &co, &format!("group_by={by}"))).collect()
        };
        let before = every();
        // Family 1: two carers, a father, a disabled carer, a child with SEND.
        let t = app.token_as(g.families[1].user, Role::Parent);
        let id = ok_json(app.get("/api/v1/me/family", Some(&t)), 200)["id"].as_i64().unwrap();
        let admin = app.user_token(Role::Admin);
        let res = app.req(Method::DELETE, &format!("/api/v1/families/{id}"), Some(&admin))
            .json(&json!({"reason": "subject_request"})).send().unwrap();
        assert_eq!(res.status(), 204);
        assert_eq!(every(), before);
    }
}

/// A rate as JSON carries it (serde_json's reader may be one unit in the last place off).
fn close(v: &Value, want: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("{v} is a number"));
    assert!((got - want).abs() < 1e-12, "{got} ≠ {want}");
}

/// The fixture's live Lambeth postcodes (with their ward, LSOA and decile) and one of its
/// postcodes outside Lambeth.
/// A postcode with its ward, LSOA and decile.
pub(crate) type Placed = (String, (String, String, i32));

pub(crate) fn fixture_postcodes() -> (Vec<Placed>, String) {
    let mut onspd = csv::Reader::from_path(fixture("onspd.csv")).unwrap();
    let h = onspd.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (pcds, la, ended, ward) = (col("pcds"), col("oslaua"), col("doterm"), col("osward"));
    let rows: Vec<csv::StringRecord> = onspd.records().map(|r| r.unwrap()).collect();
    let outside = rows.iter().find(|r| &r[la] != "E09000022").unwrap()[pcds].to_string();
    let inside = rows
        .iter()
        .filter(|r| &r[la] == "E09000022" && r[ended].is_empty() && !r[ward].is_empty())
        .map(|r| (r[pcds].to_string(), fixture_place(&r[pcds])))
        .collect();
    (inside, outside)
}

/// Under-fives of a ward (its key), summed from the fixture's single years 0 to 4.
fn fixture_under_fives(ward: &str) -> i64 {
    let name = ward.split_once(':').unwrap().1;
    let code = csv::Reader::from_path(fixture("ward_names.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .find(|r| &r[1] == name)
        .unwrap()[0]
        .to_string();
    let mut pop = csv::Reader::from_path(fixture("ward_population.csv")).unwrap();
    let h = pop.headers().unwrap().clone();
    let row = pop
        .records()
        .map(|r| r.unwrap())
        .find(|r| r[0] == code)
        .unwrap();
    ["0", "1", "2", "3", "4"]
        .iter()
        .map(|a| {
            row[h.iter().position(|x| x == *a).unwrap()]
                .replace(',', "")
                .parse::<i64>()
                .unwrap()
        })
        .sum()
}

fn fixture_total_under_fives() -> i64 {
    csv::Reader::from_path(fixture("ward_names.csv"))
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .filter(|r| r.iter().any(|c| c == "E09000022"))
        .map(|r| fixture_under_fives(&format!("lambeth-2022:{}", &r[1])))
        .sum()
}

db_test! {
    fn reach_is_counted_against_the_under_fives_of_each_ward_and_deprivation_from_the_postcode(app) {
        import_ok(&app, &full_args(&fixture("onspd.csv")));
        let (inside, outside) = fixture_postcodes();
        // A postcode in the 30% most deprived (A) and one in another ward that is not (B).
        let a = inside.iter().find(|(_, p)| p.2 <= 3).unwrap().clone();
        let b = inside.iter().find(|(_, p)| p.2 > 3 && p.0 != a.1.0).unwrap().clone();
        let g = group(&app, 20, 14, 0);
        // Families 0–5 live at A, 6–9 at B, 10 over the border, 11–13 gave no postcode.
        for (i, f) in g.families.iter().enumerate() {
            let postcode = match i {
                0..=5 => a.0.as_str(),
                6..=9 => b.0.as_str(),
                10 => outside.as_str(),
                _ => "",
            };
            let body = json!({"carers": ["Carer"], "postcode": postcode, "preferred_language": "en", "referral_source": "self"});
            let t = app.token_as(f.user, Role::Parent);
            ok_json(app.req(Method::PUT, "/api/v1/me/family", Some(&t)).json(&body).send().unwrap(), 200);
        }
        g.at_session(&app, 1, 30);
        let marks: Vec<(i64, &str)> = g.families.iter().enumerate()
            .map(|(i, f)| (f.booking, if i < 12 { "present" } else { "absent" })).collect();
        mark(&app, &g.register(1), &staff(&app, g.lead), &marks);
        let co = app.token_as(g.coordinator, Role::Coordinator);

        let wards = report(&app, &co, "group_by=ward");
        let row = |key: &str| wards["groups"].as_array().unwrap().iter().find(|g| g["group"] == key).cloned()
            .unwrap_or_else(|| panic!("no row {key}: {wards}"));
        for (ward, reached) in [(&a.1.0, 6), (&b.1.0, 4)] {
            let r = row(ward);
            let under_fives = fixture_under_fives(ward);
            assert_eq!((&r["families_reached"], &r["children_reached"], &r["under_fives"]),
                       (&json!(reached), &json!(reached), &json!(under_fives)), "{ward}");
            assert_eq!(r["families_reached_in_area"], reached);
            close(&r["children_reach_rate"], reached as f64 / under_fives as f64);
            close(&r["families_reach_rate"], reached as f64 / under_fives as f64);
        }
        // Over the border or without a postcode: no ward, so no population to count against.
        let unknown = row("unknown");
        assert_eq!((&unknown["families_booked"], &unknown["families_reached"], &unknown["under_fives"],
                    &unknown["families_reached_in_area"]), (&json!(4), &json!(2), &Value::Null, &json!(0)));
        let t = &wards["total"];
        let area = fixture_total_under_fives();
        assert_eq!((&t["under_fives"], &t["children_reached_in_area"]), (&json!(area), &json!(10)));
        close(&t["children_reach_rate"], 10.0 / area as f64);
        // Six of the ten reached with a known decile live in the 30% most deprived.
        assert_eq!((&t["families_reached_decile_known"], &t["families_reached_most_deprived"]), (&json!(10), &json!(6)));
        close(&t["most_deprived_share"], 0.6);

        let deciles = report(&app, &co, "group_by=imd_decile");
        let mut want = BTreeMap::new();
        *want.entry(a.1.2.to_string()).or_insert(0) += 6;
        *want.entry(b.1.2.to_string()).or_insert(0) += 4;
        want.insert("unknown".to_string(), 4);
        assert_eq!(booked(&deciles), want);

        // Erasing a family at A keeps its ward and decile as statistics; its postcode goes.
        let before = (report(&app, &co, "group_by=ward"), report(&app, &co, "group_by=imd_decile"));
        let t0 = app.token_as(g.families[0].user, Role::Parent);
        let id = ok_json(app.get("/api/v1/me/family", Some(&t0)), 200)["id"].as_i64().unwrap();
        let res = app.req(Method::DELETE, &format!("/api/v1/families/{id}"), Some(&app.user_token(Role::Admin)))
            .json(&json!({"reason": "subject_request"})).send().unwrap();
        assert_eq!(res.status(), 204);
        assert_eq!((report(&app, &co, "group_by=ward"), report(&app, &co, "group_by=imd_decile")), before);
        let export = ok_json(app.get(&format!("/api/v1/families/{id}/export"), Some(&app.user_token(Role::Admin))), 200);
        assert_eq!((&export["family"]["postcode"], &export["family"]["imd_decile"]), (&json!(""), &json!(a.1.2)));
    }
}
