//! API8: a bad request never shows how the service is built. Malformed JSON, wrong types, bad
//! path ids, unknown routes, wrong methods, huge numbers, extreme dates and SQL-ish strings in
//! query strings and bodies all answer problem+json, never a 5xx, and the text names no SQL,
//! database, panic or source file. Run on both databases: their error messages differ.

use super::{clean_problem, fill, operations, parent_with_child, published_group};
use crate::db_test;
use crate::helpers::{ok_json, TestApp};
use groupwork::domain::role::Role;
use reqwest::Method;
use serde_json::{json, Value};

const SQLISH: &[&str] = &[
    "' OR 1=1--",
    "'; DROP TABLE users;--",
    "1) UNION SELECT password_hash FROM users--",
    "\" OR \"\"=\"",
    "%' AND 1=CAST((SELECT version()) AS int)--",
    "a\u{0}b",
];

/// A request and what to call it in a failure message.
struct Probe {
    method: Method,
    path: String,
    token: Option<String>,
    body: Option<Result<Value, &'static str>>,
    /// SQL-ish text the client sent, which the answer may quote back.
    input: &'static str,
}

fn probe(method: Method, path: impl Into<String>, token: Option<&str>) -> Probe {
    Probe {
        method,
        path: path.into(),
        token: token.map(String::from),
        body: None,
        input: "",
    }
}

fn quoting(mut p: Probe, input: &'static str) -> Probe {
    p.input = input;
    p
}

fn with(mut p: Probe, body: Value) -> Probe {
    p.body = Some(Ok(body));
    p
}

fn raw(mut p: Probe, body: &'static str) -> Probe {
    p.body = Some(Err(body));
    p
}

fn send_all(app: &TestApp, probes: Vec<Probe>) -> Vec<String> {
    let mut failures = Vec::new();
    for p in probes {
        let mut req = app.req(p.method.clone(), &p.path, p.token.as_deref());
        let shown = match &p.body {
            Some(Ok(v)) => {
                req = req.json(v);
                v.to_string()
            }
            Some(Err(text)) => {
                req = req.header("content-type", "application/json").body(*text);
                text.to_string()
            }
            None => String::new(),
        };
        let res = req.send().expect("request");
        if res.status().is_success() || res.status().is_redirection() {
            continue;
        }
        let what = format!(
            "{} {} {}",
            p.method,
            p.path,
            shown.chars().take(120).collect::<String>()
        );
        if let Err(e) = clean_problem(res, &what, p.input) {
            failures.push(e);
        }
    }
    failures
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

db_test! {
    fn no_error_shows_sql_a_stack_or_a_source_file(app) {
        let admin = app.user_token(Role::Admin);
        let parent = parent_with_child(&app, "errors@parents.example");
        let (cohort, co) = published_group(&app, 5, "errors");
        let (a, c, p) = (Some(admin.as_str()), Some(co.as_str()), Some(parent.as_str()));
        let mut probes = vec![
            raw(probe(Method::POST, "/api/v1/venues", c), "{\"name\": "),
            raw(probe(Method::POST, "/api/v1/auth/login", None), "[1, 2"),
            raw(probe(Method::POST, "/api/v1/cohorts", c), "{\"places\": 1e999}"),
            raw(probe(Method::POST, "/api/v1/auth/register", None), "\u{feff}{}"),
            with(probe(Method::POST, "/api/v1/venues", c), json!({"name": 5, "creche_room_capacity": "lots"})),
            with(probe(Method::POST, "/api/v1/cohorts", c), json!({"programme": "cosp", "venue_id": 99999999999i64, "places": 1})),
            with(probe(Method::POST, "/api/v1/cohorts", c), json!({"programme": "cosp", "venue_id": 1, "places": 2147483647,
                "first_session_date": "9999-12-28", "start_time": "10:00"})),
            with(probe(Method::POST, "/api/v1/cohorts", c), json!({"programme": "cosp", "venue_id": 1, "places": -1,
                "first_session_date": "0001-01-01", "start_time": "25:61"})),
            with(probe(Method::POST, "/api/v1/closures", c), json!({"venue_id": null, "from": "9999-12-31", "to": "0001-01-01", "reason": "x"})),
            with(probe(Method::POST, "/api/v1/me/children", p), json!({"first_name": "X", "date_of_birth": "+262143-01-01"})),
            with(probe(Method::POST, format!("/api/v1/cohorts/{cohort}/bookings"), p), json!({"creche_child_ids": [2147483647, -1], "carers": 99999999999i64})),
            with(probe(Method::PUT, "/api/v1/sessions/1/register", a), json!({"marks": [{"booking_id": -5, "status": "present"}]})),
            with(probe(Method::POST, "/api/v1/auth/login", None), json!({"email": ["a"], "password": {"b": 1}})),
            probe(Method::GET, "/api/v1/bookings/abc", p),
            probe(Method::GET, "/api/v1/bookings/99999999999", p),
            probe(Method::GET, "/api/v1/bookings/-1", p),
            probe(Method::GET, "/api/v1/bookings/1.5", p),
            probe(Method::DELETE, "/api/v1/bookings/0x10", p),
            probe(Method::GET, "/api/v1/venues?limit=99999999999999999999", None),
            probe(Method::GET, "/api/v1/listings?from=9999-12-31&to=0001-01-01", None),
            probe(Method::GET, "/api/v1/listings?from=%2B262143-01-01", None),
            probe(Method::GET, "/api/v1/reports/summary?from=0001-01-01&to=9999-12-31", c),
            probe(Method::GET, "/api/v1/audit?from=9999-12-31T23:59:59Z&limit=1", a),
            probe(Method::GET, "/api/v1/no-such-thing", None),
            probe(Method::PUT, "/api/v1/programmes", None),
            probe(Method::PATCH, "/api/v1/bookings/1", p),
            probe(Method::GET, "/api/v1/venues?ward=%FF%FE", None),
            probe(Method::GET, "/api/v1/programmes/%FF", None),
            probe(Method::GET, "/api/v1/bookings/%00", p),
        ];
        // Every query parameter of every documented GET, and every path id, with SQL-ish text.
        for op in operations() {
            let method = Method::from_bytes(op.method.as_bytes()).unwrap();
            for s in SQLISH {
                if op.method == "GET" {
                    for q in op.query_params() {
                        probes.push(quoting(probe(Method::GET, format!("{}?{q}={}", fill(&op.template, 1), enc(s)), a), s));
                    }
                }
                if op.template.contains('{') {
                    let path = op.template.replace("{code}", &enc(s)).replace("{id}", &enc(s)).replace("{outcome_id}", &enc(s));
                    probes.push(quoting(probe(method.clone(), path, a), s));
                }
            }
        }
        // SQL-ish text in the string fields of bodies: refused, or kept as plain text.
        for s in SQLISH {
            let q = |m: Method, path: &str, t: Option<&str>| quoting(probe(m, path, t), s);
            probes.push(with(q(Method::POST, "/api/v1/auth/login", None), json!({"email": s, "password": s})));
            probes.push(with(q(Method::POST, "/api/v1/auth/register", None), json!({"email": s, "password": s, "display_name": s})));
            probes.push(with(q(Method::POST, "/api/v1/venues", c), json!({"name": s, "address": s, "postcode": s, "ward": s,
                "creche_room_capacity": 0, "creche_registered": false})));
            probes.push(with(q(Method::POST, "/api/v1/me/children", p), json!({"first_name": s, "due_date": "2026-06-01"})));
            probes.push(with(q(Method::PUT, "/api/v1/me/family", p), json!({"carers": [s], "preferred_language": s,
                "referral_source": s, "access_needs": s})));
            probes.push(with(q(Method::POST, "/api/v1/programmes", a), json!({"code": s, "name": s, "session_count": 4,
                "session_minutes": 60, "min_age_months": 0, "max_age_months": 24, "completion_threshold": 3})));
        }
        let failures = send_all(&app, probes);
        assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
        // Whatever was accepted was stored as text: the tables are all still there.
        ok_json(app.get("/api/v1/venues", None), 200);
        ok_json(app.get("/api/v1/users", a), 200);
        app.login("errors@parents.example", crate::helpers::PASSWORD);
    }
}
