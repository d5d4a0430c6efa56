//! API3 mass assignment: no request body takes a field it does not document. Every operation
//! with a JSON body (read from the OpenAPI document, so new routes are covered) gets fields a
//! client might try to smuggle in (`role`, `status`, `id`, …) and must answer a 422 naming the
//! field, never a 2xx. The main create routes get an otherwise valid body, so the refusal is for
//! the smuggled field alone: nothing is created, and the same body without it succeeds.

use super::{body_properties, fill, operations, parent_with_child, published_group};
use crate::db_test;
use crate::helpers::{ok_json, problem, TestApp, PASSWORD};
use groupwork::domain::role::Role;
use reqwest::Method;
use serde_json::{json, Value};

/// Fields a client might add to escalate or to write what the server owns.
fn smuggled() -> Vec<(&'static str, Value)> {
    vec![
        ("role", json!("admin")),
        ("status", json!("confirmed")),
        ("id", json!(1)),
        ("user_id", json!(1)),
        ("is_admin", json!(true)),
        ("created_at", json!("2020-01-01T00:00:00Z")),
    ]
}

/// A main create route: an otherwise valid body, and where to count what exists.
struct Create {
    method: Method,
    path: String,
    body: Value,
    token: String,
    /// GET answering `total` (or the family, whose `children` are counted).
    count: &'static str,
}

fn count(app: &TestApp, c: &Create) -> usize {
    let v = ok_json(app.get(c.count, Some(&c.token)), 200);
    match v["total"].as_u64() {
        Some(n) => n as usize,
        None => v["children"].as_array().map_or(0, Vec::len),
    }
}

fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> reqwest::blocking::Response {
    app.req(method, path, token)
        .json(body)
        .send()
        .expect("request")
}

db_test! {
    fn unknown_fields_are_refused_on_every_body(app) {
        let admin = app.user_token(Role::Admin);
        let parent = parent_with_child(&app, "mass@parents.example");
        let (cohort, co) = published_group(&app, 5, "mass");
        let venue = ok_json(app.get("/api/v1/venues", None), 200)["items"][0]["id"].as_i64().unwrap();
        let creates = [
            Create { method: Method::POST, path: "/api/v1/venues".into(), token: co.clone(), count: "/api/v1/venues",
                body: json!({"name": "New Centre", "address": "2 Road, London", "postcode": "SE5 9RA",
                             "ward": "lambeth-2014:Vassall", "creche_room_capacity": 0, "creche_registered": false}) },
            Create { method: Method::POST, path: "/api/v1/cohorts".into(), token: co.clone(), count: "/api/v1/cohorts",
                body: json!({"programme": "together-time", "venue_id": venue, "first_session_date": "2026-05-05",
                             "start_time": "13:00", "places": 8}) },
            Create { method: Method::POST, path: "/api/v1/staff".into(), token: co.clone(), count: "/api/v1/staff",
                body: json!({"name": "New Staff", "email": "new.staff@staff.example", "organisation": "PAIRS",
                             "qualifications": [{"kind": "clinical", "expires_on": null}]}) },
            Create { method: Method::POST, path: "/api/v1/users".into(), token: admin.clone(), count: "/api/v1/users",
                body: json!({"email": "new.user@staff.example", "password": PASSWORD, "display_name": "New", "role": "facilitator"}) },
            Create { method: Method::POST, path: "/api/v1/me/children".into(), token: parent.clone(), count: "/api/v1/me/family",
                body: json!({"first_name": "Nia", "due_date": "2026-06-01"}) },
            Create { method: Method::POST, path: format!("/api/v1/cohorts/{cohort}/bookings"), token: parent.clone(),
                count: "/api/v1/me/bookings", body: json!({}) },
        ];
        let mut failures = Vec::new();
        let mut checked = 0;
        for op in operations().into_iter().filter(|o| o.op.get("requestBody").is_some()) {
            let known = body_properties(&op.op).unwrap_or_else(|| panic!("{} {} has no JSON body schema", op.method, op.template));
            let path = fill(&op.template, 1);
            let create = creates.iter().find(|c| c.method.as_str() == op.method && c.path == fill(&op.template, cohort));
            let token = match create {
                Some(c) => c.token.clone(),
                None if op.template.starts_with("/api/v1/me/") => parent.clone(),
                None => admin.clone(),
            };
            let (path, base) = create.map_or((path, json!({})), |c| (c.path.clone(), c.body.clone()));
            let before = create.map(|c| count(&app, c));
            for (field, value) in smuggled().into_iter().filter(|(f, _)| !known.iter().any(|k| k == f)) {
                let mut body = base.clone();
                body[field] = value;
                let method = Method::from_bytes(op.method.as_bytes()).unwrap();
                let res = send(&app, method, &path, Some(&token), &body);
                let what = format!("{} {} with {field:?}", op.method, op.template);
                let status = res.status().as_u16();
                checked += 1;
                if status != 422 {
                    failures.push(format!("{what}: expected 422, got {status}: {}", res.text().unwrap_or_default()));
                    continue;
                }
                if !op.documents(422) {
                    failures.push(format!("{what}: answers 422 but does not document it"));
                }
                let p = problem(res, 422);
                if !p["errors"][field].is_array() {
                    failures.push(format!("{what}: the 422 does not name the field: {p}"));
                }
            }
            if let (Some(c), Some(before)) = (create, before) {
                let after = count(&app, c);
                if after != before {
                    failures.push(format!("{} {}: a refused body created something ({before} → {after})", op.method, op.template));
                }
                // The same body without the smuggled field is accepted: the refusal was for it alone.
                let method = c.method.clone();
                let res = send(&app, method, &c.path, Some(&c.token), &c.body);
                if res.status().as_u16() != 201 {
                    failures.push(format!("{} {}: the valid body was refused: {}", op.method, op.template, res.text().unwrap_or_default()));
                } else if count(&app, c) != before + 1 {
                    failures.push(format!("{} {}: the valid body did not create one", op.method, op.template));
                }
            }
        }
        assert!(checked > 100, "only {checked} bodies checked");
        assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    }
}

db_test! {
    fn a_parent_cannot_confirm_a_booking_or_book_for_another_family(app) {
        let (cohort, co) = published_group(&app, 1, "full");
        let first = parent_with_child(&app, "first@parents.example");
        let second = parent_with_child(&app, "second@parents.example");
        let url = format!("/api/v1/cohorts/{cohort}/bookings");
        let taken = ok_json(app.post(&url, Some(&first), &json!({})), 201);
        assert_eq!(taken["status"], "confirmed", "{taken}");
        // The group is full: the second family cannot make its booking `confirmed` by asking.
        let p = problem(app.post(&url, Some(&second), &json!({"status": "confirmed"})), 422);
        assert!(p["errors"]["status"].is_array(), "{p}");
        // Nor book in the first family's name.
        let p = problem(app.post(&url, Some(&second), &json!({"family_id": taken["family_id"]})), 422);
        assert!(p["errors"]["family_id"].is_array(), "{p}");
        let all = ok_json(app.get(&url, Some(&co)), 200);
        assert_eq!(all["items"].as_array().map(Vec::len), Some(1), "one booking only: {all}");
        assert_eq!(ok_json(app.get("/api/v1/me/bookings", Some(&second)), 200)["total"], 0);
        // Asking plainly, the second family joins the waiting list.
        let waiting = ok_json(app.post(&url, Some(&second), &json!({})), 201);
        assert_eq!(waiting["status"], "waitlisted", "{waiting}");
    }
}

db_test! {
    fn a_parent_cannot_register_as_staff(app) {
        let body = json!({"email": "climb@parents.example", "password": PASSWORD, "display_name": "Climber", "role": "admin"});
        let p = problem(app.post("/api/v1/auth/register", None, &body), 422);
        assert!(p["errors"]["role"].is_array(), "{p}");
        let login = json!({"email": "climb@parents.example", "password": PASSWORD});
        problem(app.post("/api/v1/auth/login", None, &login), 401);
        let made = app.register_parent("climb@parents.example");
        assert_eq!(made["user"]["role"], "parent", "{made}");
        // Nor give their family a role: refused, nothing changed, and accepted without it.
        let token = made["access_token"].as_str().unwrap();
        let before = ok_json(app.get("/api/v1/me/family", Some(token)), 200);
        let family = json!({"carers": ["Climber"], "preferred_language": "pl", "referral_source": "self"});
        let mut smuggling = family.clone();
        smuggling["role"] = json!("admin");
        let p = problem(send(&app, Method::PUT, "/api/v1/me/family", Some(token), &smuggling), 422);
        assert!(p["errors"]["role"].is_array(), "{p}");
        assert_eq!(ok_json(app.get("/api/v1/me/family", Some(token)), 200), before);
        let after = ok_json(send(&app, Method::PUT, "/api/v1/me/family", Some(token), &family), 200);
        assert_eq!(after["preferred_language"], "pl", "{after}");
    }
}

db_test! {
    fn nested_objects_refuse_unknown_fields_too(app) {
        let co = app.user_token(Role::Coordinator);
        let body = json!({"name": "Nested", "email": "nested@staff.example", "organisation": "PAIRS",
                          "qualifications": [{"kind": "clinical", "expires_on": null, "verified_by": "admin"}]});
        let p = problem(app.post("/api/v1/staff", Some(&co), &body), 422);
        let named = p["errors"].as_object().unwrap().keys().any(|k| k.starts_with("qualifications"));
        assert!(named, "the 422 names the nested field: {p}");
        assert_eq!(ok_json(app.get("/api/v1/staff", Some(&co)), 200)["total"], 0);
    }
}
