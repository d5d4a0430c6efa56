//! OWASP API Security Top 10 checks, as integration tests against the real app.
//!
//! Already covered elsewhere, and not repeated here:
//! - API1/API5 (object- and function-level authorisation): the role × operation matrix in
//!   `roles.rs` calls every documented operation anonymously and as each role and declares the
//!   expected answer per role in one table (`every_route_answers_each_role_exactly`), and fails
//!   when an operation has no row (`the_matrix_names_every_documented_route`). The three booking
//!   operations it leaves out (`BY_OWNERSHIP`: book, read and cancel a booking) depend on who owns
//!   the booking; they are checked by `bookings::who_may_book_and_see_bookings` (anonymous 401,
//!   facilitator 403/404, coordinator and admin allowed) and
//!   `bookings::one_family_cannot_see_or_cancel_anothers_booking` (another parent gets 404).
//! - API2 (authentication): `roles::bad_tokens_are_401_with_www_authenticate`,
//!   `auth::every_bad_token_is_401`; the login limits per account and per address are in
//!   `auth::repeated_failures_lock_the_account_for_a_while` and
//!   `auth::many_attempts_from_one_address_are_limited` (`limits` adds only Retry-After there).
//!
//! Here: mass assignment (API3), page, body and rate limits (API4/API6), security headers and
//! CORS (API8), error bodies that leak nothing (API8), and the app's routes against the OpenAPI
//! document both ways (API9).

mod error_bodies;
mod headers;
mod limits;
mod mass_assignment;
mod routes;

use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, TestApp};
use reqwest::blocking::Response;
use serde_json::{json, Value};

/// One documented operation.
pub struct Op {
    pub method: String,
    pub template: String,
    pub op: Value,
}

impl Op {
    pub fn documents(&self, status: u16) -> bool {
        self.op["responses"].get(status.to_string()).is_some()
    }

    pub fn query_params(&self) -> Vec<String> {
        self.op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str().map(String::from))
            .collect()
    }
}

pub fn spec() -> Value {
    serde_json::to_value(groupwork::api::openapi()).expect("the spec serialises")
}

pub const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// Every operation in the OpenAPI document, so that new routes are covered without edits here.
pub fn operations() -> Vec<Op> {
    let spec = spec();
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(op) = item.get(method.to_lowercase()) {
                out.push(Op {
                    method: method.to_string(),
                    template: path.clone(),
                    op: op.clone(),
                });
            }
        }
    }
    assert!(out.len() > 50, "the spec lists the operations");
    out
}

/// The property names of an operation's JSON request body, resolving one `$ref`.
pub fn body_properties(op: &Value) -> Option<Vec<String>> {
    let schema = op["requestBody"]["content"]["application/json"].get("schema")?;
    let schema = match schema["$ref"].as_str() {
        Some(r) => spec()["components"]["schemas"][r.rsplit('/').next()?].clone(),
        None => schema.clone(),
    };
    Some(
        schema["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default(),
    )
}

/// A concrete path for a template: every `{id}` is `id`, a programme code is a built-in one.
pub fn fill(template: &str, id: i64) -> String {
    template
        .replace("{code}", "together-time")
        .replace("{outcome_id}", &id.to_string())
        .replace("{child_id}", &id.to_string())
        .replace("{id}", &id.to_string())
}

/// Words that would show an internal detail (SQL, the database, a panic, a source location).
pub const LEAKS: &[&str] = &[
    "diesel",
    "SQLITE",
    "sqlite",
    "postgres",
    "SELECT",
    "syntax error",
    "panicked",
    "src/",
    ".rs:",
    "thread '",
    "DatabaseError",
];

/// Checks an answer that is an error: problem+json, status in the body, no internal detail.
/// Words the client sent itself (`input`) may come back (e.g. "no such resource (… SELECT …)");
/// only what the service adds counts as a leak. Returns (status, body) or what is wrong.
pub fn clean_problem(res: Response, what: &str, input: &str) -> Result<(u16, Value), String> {
    let status = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let text = res.text().unwrap_or_default();
    if status >= 500 {
        return Err(format!("{what}: {status} for client input: {text}"));
    }
    if ct != "application/problem+json" {
        return Err(format!(
            "{what}: {status} as {ct:?}, not problem+json: {text}"
        ));
    }
    if let Some(leak) = LEAKS
        .iter()
        .find(|l| text.contains(*l) && !input.contains(*l))
    {
        return Err(format!("{what}: the error shows {leak:?}: {text}"));
    }
    let body: Value = serde_json::from_str(&text).map_err(|e| format!("{what}: {e}: {text}"))?;
    if body["status"] != status {
        return Err(format!("{what}: body status differs from {status}: {text}"));
    }
    Ok((status, body))
}

/// A published Together Time group (Tuesdays from 14 April 2026) with `places` places, open for
/// booking; and its coordinator's token. `tag` keeps the lead's email unique within one app.
pub fn published_group(app: &TestApp, places: i64, tag: &str) -> (i64, String) {
    let co = Coordinator::new(app);
    let venue = co.venue("OWASP Centre", "lambeth-2014:Stockwell", 0);
    let lead = co.staff(&format!("Owasp Lead {tag}"), &[("clinical", None)]);
    let cohort = co.cohort(
        "together-time",
        venue,
        "2026-04-14",
        "10:00",
        json!({"places": places}),
    )["id"]
        .as_i64()
        .expect("cohort id");
    ok_json(co.set_team(cohort, json!({"lead": lead})), 200);
    ok_json(co.publish(cohort), 200);
    (cohort, co.token)
}

/// A parent with one child born in 2025 (eligible for Together Time); their token.
pub fn parent_with_child(app: &TestApp, email: &str) -> String {
    let token = app.register_parent(email)["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    let child = json!({"first_name": "Kit", "date_of_birth": "2025-01-01"});
    ok_json(app.post("/api/v1/me/children", Some(&token), &child), 201);
    token
}
