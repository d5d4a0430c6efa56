//! The OpenAPI document says what the server accepts (issue 21): walks the committed
//! `openapi/openapi.json` and checks the rules every request must state, the table of rules kept
//! below, and `openapi/inexpressible-rules.json` (the only rules left out of the schema, each
//! written into its operation's description and the only allowance Schemathesis gets in CI).

use groupwork::api::spec_rules::{
    inexpressible_rules, trimmed, CONTROLS, CONTROLS_BUT_LINE_BREAKS, LINE_BREAKS, NO_NUL,
    RULES_HEADING,
};
use groupwork::domain::cohort::PLAUSIBLE_DATE_PATTERN;
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn committed() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Text without control characters, as one line (names, titles, phone numbers).
const ONE_LINE: &str = r"^[^\x00-\x1F\x7F-\x9F]*$";
/// Text with line breaks and tabs but no other control characters (notes, needs).
const MULTI_LINE: &str = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$";

/// Rules that must stay in the document: (operation, where, keyword, value as JSON). `where` is
/// `path:NAME`, `query:NAME`, `header:NAME` or `body.a.b[]` (`[]` for an array's items).
const RULES: &[(&str, &str, &str, &str)] = &[
    // The issue's examples: NUL in a staff phone, negative staff ids in a team.
    ("POST /api/v1/staff", "body.phone", "maxLength", "40"),
    (
        "PUT /api/v1/cohorts/{id}/facilitators",
        "body.lead",
        "minimum",
        "1",
    ),
    (
        "PUT /api/v1/cohorts/{id}/facilitators",
        "body.supervisor",
        "minimum",
        "1",
    ),
    (
        "PUT /api/v1/cohorts/{id}/facilitators",
        "body.co_facilitators[]",
        "minimum",
        "1",
    ),
    (
        "PUT /api/v1/cohorts/{id}/facilitators",
        "body.creche_workers[]",
        "minimum",
        "1",
    ),
    (
        "PUT /api/v1/cohorts/{id}/facilitators",
        "path:id",
        "minimum",
        "1",
    ),
    ("GET /api/v1/audit", "query:family_id", "minimum", "1"),
    ("GET /api/v1/cohorts", "query:venue_id", "minimum", "1"),
    ("GET /api/v1/follow-ups", "query:cohort_id", "minimum", "1"),
    ("GET /api/v1/listings", "query:venue_id", "minimum", "1"),
    ("GET /api/v1/closures", "query:venue_id", "minimum", "1"),
    // Wards on listings, as on venues and families.
    (
        "GET /api/v1/listings",
        "query:ward",
        "pattern",
        r#""^([a-z0-9-]{0,35}-)?[0-9]{4}:[^:\\s\\x00-\\x1f\\x7f-\\x9f]([^:\\x00-\\x1f\\x7f-\\x9f]{0,78}[^:\\s\\x00-\\x1f\\x7f-\\x9f])?$""#,
    ),
    (
        "POST /api/v1/me/children",
        "body.allergies",
        "maxLength",
        "2000",
    ),
    (
        "PUT /api/v1/sessions/{id}/register",
        "body.notes",
        "pattern",
        "MULTI_LINE",
    ),
    (
        "PUT /api/v1/sessions/{id}/register",
        "body.creche_staff_present",
        "maximum",
        "50",
    ),
    (
        "PUT /api/v1/sessions/{id}/register",
        "body.creche_staff_present",
        "minimum",
        "0",
    ),
    // Array sizes where the server counts.
    ("PUT /api/v1/me/family", "body.carers", "minItems", "1"),
    ("PUT /api/v1/me/family", "body.carers", "maxItems", "2"),
    ("POST /api/v1/families", "body.children", "maxItems", "10"),
    (
        "POST /api/v1/programmes",
        "body.outcome_measures",
        "maxItems",
        "20",
    ),
    // Dates the service plans with (`domain::cohort::plausible_date`).
    (
        "GET /api/v1/audit",
        "query:from",
        "pattern",
        "PLAUSIBLE_DATE",
    ),
    ("GET /api/v1/audit", "query:to", "pattern", "PLAUSIBLE_DATE"),
    (
        "GET /api/v1/closures",
        "query:from",
        "pattern",
        "PLAUSIBLE_DATE",
    ),
    (
        "POST /api/v1/closures",
        "body.to",
        "pattern",
        "PLAUSIBLE_DATE",
    ),
    (
        "GET /api/v1/creche/incidents",
        "query:from",
        "pattern",
        "PLAUSIBLE_DATE",
    ),
    (
        "PATCH /api/v1/sessions/{id}",
        "body.date",
        "pattern",
        "PLAUSIBLE_DATE",
    ),
    (
        "POST /api/v1/cohorts",
        "body.first_session_date",
        "pattern",
        "PLAUSIBLE_DATE",
    ),
    (
        "POST /api/v1/cohorts",
        "body.pre_group_meeting.date",
        "pattern",
        "PLAUSIBLE_DATE",
    ),
    (
        "PATCH /api/v1/cohorts/{id}",
        "body.first_session_date",
        "pattern",
        "PLAUSIBLE_DATE",
    ),
    (
        "POST /api/v1/reports/summary/link",
        "body.from",
        "pattern",
        "PLAUSIBLE_DATE",
    ),
    // Text the server trims and then counts (patterns from `api::spec_rules::trimmed`).
    ("PUT /api/v1/me/family", "body.carers[]", "pattern", "CARER"),
    ("POST /api/v1/families", "body.carers[]", "pattern", "CARER"),
    (
        "PATCH /api/v1/families/{id}",
        "body.carers[]",
        "pattern",
        "CARER",
    ),
    (
        "POST /api/v1/sessions/{id}/register/walk-ins",
        "body.new_family.carers[]",
        "pattern",
        "CARER",
    ),
    (
        "POST /api/v1/programmes",
        "body.outcome_measures[]",
        "pattern",
        "MEASURE",
    ),
    (
        "PATCH /api/v1/programmes/{code}",
        "body.outcome_measures[]",
        "pattern",
        "MEASURE",
    ),
    (
        "POST /api/v1/me/bookings/{id}/apologies",
        "body.reason",
        "pattern",
        "APOLOGY",
    ),
    (
        "POST /api/v1/me/children/{id}/collectors",
        "body.name",
        "pattern",
        "NAME_100",
    ),
    (
        "PUT /api/v1/me/family/emergency-contacts",
        "body.contacts[].name",
        "pattern",
        "NAME_100",
    ),
    (
        "PUT /api/v1/me/family/emergency-contacts",
        "body.contacts[].relation",
        "pattern",
        "NAME_60",
    ),
    ("GET /api/v1/families", "query:q", "pattern", "SEARCH"),
    // Free text elsewhere: no NUL (the server refuses it in any string).
    ("POST /api/v1/staff", "body.phone", "pattern", "NO_NUL"),
    (
        "GET /api/v1/me/calendar.ics",
        "query:token",
        "pattern",
        "NO_NUL",
    ),
];

/// The schema at `where` of an operation, with `$ref`s followed.
fn schema_at<'a>(spec: &'a Value, op: &'a Value, at: &str) -> Option<&'a Value> {
    let resolve = |s: &'a Value| -> &'a Value {
        match s["$ref"].as_str() {
            Some(r) => {
                &spec["components"]["schemas"][r.trim_start_matches("#/components/schemas/")]
            }
            None => s,
        }
    };
    if let Some((place, name)) = at.split_once(':') {
        return op["parameters"]
            .as_array()?
            .iter()
            .find(|p| p["in"] == place && p["name"] == name)
            .map(|p| &p["schema"]);
    }
    let mut s = resolve(&op["requestBody"]["content"]["application/json"]["schema"]);
    for part in at
        .trim_start_matches("body")
        .split('.')
        .filter(|p| !p.is_empty())
    {
        let (name, items) = match part.strip_suffix("[]") {
            Some(n) => (n, true),
            None => (part, false),
        };
        s = resolve(&s["properties"][name]);
        // `Option<Struct>` is `oneOf: [{$ref}, {type: null}]`.
        if let Some(one) = s["oneOf"].as_array() {
            s = resolve(one.iter().find(|x| x["type"] != "null")?);
        }
        if items {
            s = resolve(&s["items"]);
        }
    }
    (!s.is_null()).then_some(s)
}

fn operation<'a>(spec: &'a Value, name: &str) -> &'a Value {
    let (method, path) = name.split_once(' ').unwrap();
    let op = &spec["paths"][path][method.to_ascii_lowercase()];
    assert!(op.is_object(), "{name} is not in openapi/openapi.json");
    op
}

#[test]
fn the_rules_kept_here_are_in_the_document() {
    let spec = committed();
    let mut missing = Vec::new();
    for (name, at, keyword, value) in RULES {
        let want: Value = match *value {
            "ONE_LINE" => json!(ONE_LINE),
            "MULTI_LINE" => json!(MULTI_LINE),
            "NO_NUL" => json!(NO_NUL),
            "PLAUSIBLE_DATE" => json!(PLAUSIBLE_DATE_PATTERN),
            "CARER" => json!(trimmed(1, 100, "")),
            "MEASURE" => json!(trimmed(1, 120, LINE_BREAKS)),
            "APOLOGY" => json!(trimmed(0, 200, CONTROLS)),
            "NAME_100" => json!(trimmed(1, 100, CONTROLS_BUT_LINE_BREAKS)),
            "NAME_60" => json!(trimmed(1, 60, CONTROLS_BUT_LINE_BREAKS)),
            "SEARCH" => json!(trimmed(2, 100, "")),
            v => serde_json::from_str(v).unwrap(),
        };
        let op = operation(&spec, name);
        let got = schema_at(&spec, op, at).map(|s| &s[*keyword]);
        if got != Some(&want) {
            missing.push(format!(
                "{name} {at}: {keyword} should be {want}, is {got:?}"
            ));
        }
    }
    assert!(
        missing.is_empty(),
        "rules missing from openapi/openapi.json:\n{}",
        missing.join("\n")
    );
}

/// Every schema a request sends, with where it is: parameters, bodies and what they name.
fn request_schemas(spec: &Value) -> Vec<(String, String, Value)> {
    fn walk(
        spec: &Value,
        s: &Value,
        name: &str,
        at: String,
        out: &mut Vec<(String, String, Value)>,
        seen: &mut BTreeSet<String>,
    ) {
        if let Some(r) = s["$ref"].as_str() {
            let n = r.trim_start_matches("#/components/schemas/");
            if seen.insert(n.to_string()) {
                walk(
                    spec,
                    &spec["components"]["schemas"][n],
                    name,
                    format!("{at}<{n}>"),
                    out,
                    seen,
                );
            }
            return;
        }
        for k in ["oneOf", "anyOf", "allOf"] {
            for x in s[k].as_array().into_iter().flatten() {
                walk(spec, x, name, at.clone(), out, seen);
            }
        }
        if let Some(props) = s["properties"].as_object() {
            for (p, ps) in props {
                walk(spec, ps, p, format!("{at}.{p}"), out, seen);
            }
        }
        if !s["items"].is_null() {
            walk(spec, &s["items"], name, format!("{at}[]"), out, seen);
        }
        out.push((name.to_string(), at, s.clone()));
    }
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let opname = format!("{} {path}", method.to_uppercase());
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "header" {
                    continue;
                }
                let name = p["name"].as_str().unwrap();
                let at = format!("{opname} {}:{name}", p["in"].as_str().unwrap());
                walk(spec, &p["schema"], name, at, &mut out, &mut BTreeSet::new());
            }
            if let Some(content) = op["requestBody"]["content"].as_object() {
                for media in content.values() {
                    walk(
                        spec,
                        &media["schema"],
                        "",
                        format!("{opname} body"),
                        &mut out,
                        &mut BTreeSet::new(),
                    );
                }
            }
        }
    }
    out
}

fn types(s: &Value) -> Vec<&str> {
    match &s["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

#[test]
fn every_rule_applies_to_something_the_api_has() {
    // A renamed component, parameter or operation would drop its rule from the document.
    let problems = groupwork::api::spec_rules::problems(&groupwork::api::openapi());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_id_a_request_names_is_at_least_one() {
    let spec = committed();
    // (Team members, named otherwise, are in RULES.)
    let ids = |n: &str| n == "id" || n.ends_with("_id") || n.ends_with("_ids");
    let bad: Vec<String> = request_schemas(&spec)
        .into_iter()
        .filter(|(name, _, s)| ids(name) && types(s).contains(&"integer"))
        .filter(|(_, _, s)| s["minimum"].as_i64().is_none_or(|m| m < 1))
        .map(|(_, at, _)| at)
        .collect();
    assert!(bad.is_empty(), "ids without minimum 1:\n{}", bad.join("\n"));
}

#[test]
fn no_request_string_is_unconstrained() {
    // A string with no pattern, enum, format or const would let a client send NUL (or any
    // control character) that the server refuses.
    let spec = committed();
    let bad: Vec<String> = request_schemas(&spec)
        .into_iter()
        .filter(|(_, _, s)| types(s).contains(&"string"))
        .filter(|(_, _, s)| {
            !["pattern", "enum", "format", "const"]
                .iter()
                .any(|k| !s[*k].is_null())
        })
        .map(|(_, at, _)| at)
        .collect();
    assert!(
        bad.is_empty(),
        "request strings the document does not constrain:\n{}",
        bad.join("\n")
    );
    // And the floor is there: the NUL pattern is what the post-processing adds.
    assert!(request_schemas(&spec)
        .iter()
        .any(|(_, _, s)| s["pattern"] == NO_NUL));
}

#[test]
fn inexpressible_rules_are_few_described_and_the_only_allowance() {
    let spec = committed();
    let rules = inexpressible_rules().unwrap();
    let mut seen = BTreeSet::new();
    for r in &rules {
        assert!(
            seen.insert((r.operation.clone(), r.rule.clone())),
            "listed twice: {} {}",
            r.operation,
            r.rule
        );
        assert!(
            !r.rule.trim().is_empty() && !r.why.trim().is_empty(),
            "{}: a rule and why",
            r.operation
        );
        assert!(
            r.statuses.iter().all(|s| [412, 422].contains(s)),
            "{}: rules are answered 422 (or 412 for If-Match)",
            r.operation
        );
        let op = operation(&spec, &r.operation);
        for s in &r.statuses {
            assert!(
                op["responses"][s.to_string()].is_object(),
                "{} does not document {s}",
                r.operation
            );
        }
        let description = op["description"].as_str().unwrap_or_default();
        let after = description
            .split_once(RULES_HEADING)
            .unwrap_or_else(|| panic!("{}: no `{RULES_HEADING}` in its description", r.operation))
            .1;
        assert!(
            after.contains(&format!("- {} (", r.rule)),
            "{}: its description does not state `{}`",
            r.operation,
            r.rule
        );
    }
    // Every description listing rules lists only those in the file.
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{} {path}", method.to_uppercase());
            if let Some((_, after)) = op["description"]
                .as_str()
                .unwrap_or_default()
                .split_once(RULES_HEADING)
            {
                let listed = after.lines().filter(|l| l.starts_with("- ")).count();
                let in_file = rules.iter().filter(|r| r.operation == name).count();
                assert_eq!(
                    listed, in_file,
                    "{name}: its description lists rules the file does not"
                );
            }
        }
    }
    // Schemathesis in CI gets its allowance from this file only (.ci/schemathesis/config.py).
    let toml = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/.ci/schemathesis/schemathesis.toml"
    ))
    .unwrap();
    assert!(
        !toml
            .lines()
            .any(|l| l.trim_start().starts_with("[[operations]]")),
        "schemathesis.toml must not allow anything of its own"
    );
    assert!(
        !toml.contains("allow-x00"),
        "the document excludes NUL; Schemathesis need not be told"
    );
}
