//! API4/API6 resource limits: page size on every list that takes `limit` (from the spec), the
//! body size limit, and the rate limits on logins and on parents' bookings.

use super::{fill, operations, parent_with_child, published_group};
use crate::db_test;
use crate::helpers::{self, ok_json, problem, Backend};
use groupwork::domain::role::Role;
use serde_json::json;

db_test! {
    fn every_list_caps_its_page_at_100(app) {
        let admin = app.user_token(Role::Admin);
        let lists: Vec<_> = operations()
            .into_iter()
            .filter(|o| o.method == "GET" && o.query_params().iter().any(|p| p == "limit"))
            .collect();
        assert!(lists.len() >= 6, "lists found in the spec: {}", lists.len());
        let mut failures = Vec::new();
        for op in &lists {
            let mut path = fill(&op.template, 1);
            // A search needs something to search for (GET /families?q=).
            if op.query_params().iter().any(|p| p == "q") {
                path.push_str("?q=ab");
            }
            let sep = if path.contains('?') { '&' } else { '?' };
            for (query, want) in [("limit=101", 422), ("limit=0", 422), ("offset=-1", 422), ("limit=100", 200)] {
                let res = app.get(&format!("{path}{sep}{query}"), Some(&admin));
                let got = res.status().as_u16();
                if got != want {
                    failures.push(format!("GET {path}?{query}: expected {want}, got {got}"));
                } else if want == 422 {
                    let p = problem(res, 422);
                    let field = query.split('=').next().unwrap();
                    if !p["errors"][field].is_array() {
                        failures.push(format!("GET {path}?{query}: 422 does not name {field}: {p}"));
                    }
                    if !op.documents(422) {
                        failures.push(format!("GET {}: answers 422 but does not document it", op.template));
                    }
                } else {
                    let body: serde_json::Value = res.json().unwrap();
                    if !body["items"].is_array() {
                        failures.push(format!("GET {path}?{query}: not a page: {body}"));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

#[test]
fn bodies_over_the_limit_are_413_problems() {
    let Some(app) = helpers::spawn(Backend::Sqlite, |c| c.body_limit = 2048) else {
        return;
    };
    let co = app.user_token(Role::Coordinator);
    let parent = app.user_token(Role::Parent);
    let big = "x".repeat(4096);
    let cases = [
        (
            "/api/v1/auth/register",
            None,
            json!({"email": "big@example.org", "password": big, "display_name": "Big"}),
        ),
        (
            "/api/v1/auth/login",
            None,
            json!({"email": "big@example.org", "password": big}),
        ),
        ("/api/v1/venues", Some(&co), json!({"name": big})),
        (
            "/api/v1/me/children",
            Some(&parent),
            json!({"first_name": big}),
        ),
        (
            "/api/v1/cohorts/1/bookings",
            Some(&parent),
            json!({"creche_child_ids": vec![1; 1500]}),
        ),
    ];
    for (path, token, body) in cases {
        let p = problem(app.post(path, token.map(String::as_str), &body), 413);
        assert_eq!(p["type"], "/problems/payload-too-large", "{path}: {p}");
    }
    // Just under the limit is read (and refused for what it says, not for its size).
    let small = json!({"email": "small@example.org", "password": "x".repeat(1500)});
    problem(app.post("/api/v1/auth/login", None, &small), 401);
}

#[test]
fn too_many_logins_from_one_address_say_when_to_retry() {
    // `auth` checks the 429s themselves; this adds the Retry-After a client needs.
    let Some(app) = helpers::spawn(Backend::Sqlite, |c| {
        c.login_attempts_per_address = 1;
        c.login_window_secs = 300;
    }) else {
        return;
    };
    let body = json!({"email": "who@example.org", "password": "whatever it is"});
    problem(app.post("/api/v1/auth/login", None, &body), 401);
    let res = app.post("/api/v1/auth/login", None, &body);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=300).contains(&retry), "{retry}");
    problem(res, 429);
}

fn booking_limit(backend: Backend) {
    let Some(app) = helpers::spawn(backend, |c| c.bookings_per_minute = 3) else {
        return;
    };
    let (cohort, co) = published_group(&app, 5, "rate");
    let url = format!("/api/v1/cohorts/{cohort}/bookings");
    let eager = parent_with_child(&app, "eager@parents.example");
    // Attempts count, whatever their answer: one booking, then two refused as duplicates.
    ok_json(app.post(&url, Some(&eager), &json!({})), 201);
    problem(app.post(&url, Some(&eager), &json!({})), 409);
    problem(app.post(&url, Some(&eager), &json!({})), 409);
    let res = app.post(&url, Some(&eager), &json!({}));
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let p = problem(res, 429);
    assert_eq!(p["type"], "/problems/rate-limited");
    // Another parent is not held up by the first.
    let other = parent_with_child(&app, "other@parents.example");
    ok_json(app.post(&url, Some(&other), &json!({})), 201);
    // Staff booking on a family's behalf are not limited.
    for _ in 0..4 {
        problem(
            app.post(&url, Some(&co), &json!({"family_id": 424242})),
            422,
        );
    }
    // A minute later the parent may try again.
    app.clock.advance(chrono::Duration::seconds(61));
    problem(app.post(&url, Some(&eager), &json!({})), 409);
}

#[test]
fn a_parent_s_booking_attempts_are_rate_limited_sqlite() {
    booking_limit(Backend::Sqlite);
}

#[test]
fn a_parent_s_booking_attempts_are_rate_limited_postgres() {
    booking_limit(Backend::Postgres);
}
