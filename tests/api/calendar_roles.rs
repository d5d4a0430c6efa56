//! Who may call the calendar endpoints: a table of (method, path, body) × caller → status.

use crate::db_test;
use crate::fixtures::Coordinator;
use crate::helpers::TestApp;
use groupwork::domain::role::Role;
use reqwest::Method;
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug)]
enum Caller {
    Anonymous,
    Parent,
    Facilitator,
    Coordinator,
    Admin,
}

const ALL: [Caller; 5] = [
    Caller::Anonymous,
    Caller::Parent,
    Caller::Facilitator,
    Caller::Coordinator,
    Caller::Admin,
];

fn token(app: &TestApp, c: Caller) -> Option<String> {
    match c {
        Caller::Anonymous => None,
        Caller::Parent => Some(app.user_token(Role::Parent)),
        Caller::Facilitator => Some(app.user_token(Role::Facilitator)),
        Caller::Coordinator => Some(app.user_token(Role::Coordinator)),
        Caller::Admin => Some(app.user_token(Role::Admin)),
    }
}

/// Expected status per caller, in ALL's order.
type Row = (Method, String, Option<Value>, [u16; 5]);

db_test! {
    fn calendar_endpoints_role_matrix(app) {
        let co = Coordinator::new(&app);
        let venue = co.venue("Stockwell Children's Centre", "lambeth-2014:Stockwell", 10);
        let staff = co.staff("Grace Adeyemi", &[("cosp_registered", None)]);
        let hannah = co.staff("Hannah Mensah", &[("clinical", None)]);
        let tokens: Vec<Option<String>> = ALL.iter().map(|c| token(&app, *c)).collect();
        // Each caller gets its own cohort so that state changes (publish, cancel) do not collide.
        let cohorts: Vec<Value> = (0..5).map(|i| co.cohort("together-time", venue, &format!("2026-0{}-0{}", 3 + i / 3, 2 + i % 3), "10:00", json!({}))).collect();
        let mut failures = Vec::new();
        for (i, caller) in ALL.iter().enumerate() {
            let c = &cohorts[i];
            let id = c["id"].as_i64().unwrap();
            let session = c["sessions"][0]["id"].as_i64().unwrap();
            let rows: Vec<Row> = vec![
                (Method::GET, "/api/v1/listings".into(), None, [200; 5]),
                (Method::GET, "/api/v1/listings.ics".into(), None, [200; 5]),
                (Method::GET, "/api/v1/closures".into(), None, [401, 403, 200, 200, 200]),
                (Method::POST, "/api/v1/closures".into(), Some(json!({"from": "2027-01-04", "to": "2027-01-04", "reason": "Training"})), [401, 403, 403, 201, 201]),
                (Method::POST, "/api/v1/closures/bank-holidays".into(), Some(json!({"date": format!("2027-02-0{}", i + 1), "name": "Extra", "change": "add"})), [401, 403, 403, 204, 204]),
                (Method::DELETE, "/api/v1/closures/999999".into(), None, [401, 403, 403, 404, 404]),
                (Method::GET, "/api/v1/staff".into(), None, [401, 403, 403, 200, 200]),
                (Method::GET, format!("/api/v1/staff/{staff}"), None, [401, 403, 403, 200, 200]),
                (Method::PATCH, format!("/api/v1/staff/{staff}"), Some(json!({"phone": "020 7000 0000"})), [401, 403, 403, 200, 200]),
                (Method::POST, "/api/v1/staff".into(), Some(json!({"name": "New", "email": format!("new{i}@staff.example"), "organisation": "PAIRS"})), [401, 403, 403, 201, 201]),
                (Method::POST, "/api/v1/cohorts".into(), Some(json!({"programme": "together-time", "venue_id": venue, "first_session_date": "2027-01-05", "start_time": "10:00", "places": 8})), [401, 403, 403, 201, 201]),
                (Method::GET, "/api/v1/cohorts".into(), None, [401, 403, 200, 200, 200]),
                (Method::GET, format!("/api/v1/cohorts/{id}"), None, [401, 403, 200, 200, 200]),
                (Method::PATCH, format!("/api/v1/cohorts/{id}"), Some(json!({"title": "Renamed"})), [401, 403, 403, 200, 200]),
                (Method::PUT, format!("/api/v1/cohorts/{id}/facilitators"), Some(json!({"lead": hannah})), [401, 403, 403, 200, 200]),
                (Method::PATCH, format!("/api/v1/sessions/{session}"), Some(json!({"start_time": "10:15"})), [401, 403, 403, 200, 200]),
                (Method::GET, "/api/v1/me/cohorts".into(), None, [401, 200, 200, 200, 200]),
                (Method::POST, format!("/api/v1/cohorts/{id}/cancel"), Some(json!({"reason": "Testing"})), [401, 403, 403, 200, 200]),
                (Method::POST, format!("/api/v1/cohorts/{id}/publish"), None, [401, 403, 403, 409, 409]),
            ];
            for (method, path, body, expected) in rows {
                let mut req = app.req(method.clone(), &path, tokens[i].as_deref());
                if let Some(b) = &body {
                    req = req.json(b);
                }
                let got = req.send().unwrap().status().as_u16();
                if got != expected[i] {
                    failures.push(format!("{caller:?} {method} {path}: expected {}, got {got}", expected[i]));
                }
            }
        }
        assert!(failures.is_empty(), "role matrix cells failed:\n{}", failures.join("\n"));
    }
}
