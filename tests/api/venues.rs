//! Venues: coordinators create and change them (normalised postcode and ward), anyone reads them;
//! invalid bodies are refused naming every bad field and create nothing; lists filter by ward and
//! page with limit/offset/total.

use crate::db_test;
use crate::helpers::{ok_json, problem, TestApp};
use chrono::{DateTime, Utc};
use groupwork::domain::role::Role;
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn venue_body(name: &str, ward: &str) -> Value {
    json!({"name": name, "address": "Lansdowne Way, Stockwell, London", "postcode": "sw8 2ps",
           "ward": ward, "creche_room_capacity": 10, "creche_registered": true})
}

fn total(app: &TestApp) -> i64 {
    ok_json(app.get("/api/v1/venues", None), 200)["total"]
        .as_i64()
        .unwrap()
}

fn instant(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .unwrap_or_else(|| panic!("not an instant: {v}"))
        .parse()
        .unwrap()
}

/// The field names of a 422 problem's `errors`.
fn error_fields(p: &Value) -> BTreeSet<String> {
    p["errors"]
        .as_object()
        .unwrap_or_else(|| panic!("no errors object: {p}"))
        .iter()
        .inspect(|(f, msgs)| {
            assert!(
                msgs.as_array()
                    .is_some_and(|m| !m.is_empty() && m.iter().all(Value::is_string)),
                "{f}: {p}"
            )
        })
        .map(|(f, _)| f.clone())
        .collect()
}

/// Whether a problem names `field`: in `errors`, or quoted in `detail`.
fn names_field(p: &Value, field: &str) -> bool {
    p["errors"][field].is_array()
        || p["detail"]
            .as_str()
            .is_some_and(|d| d.contains(&format!("`{field}`")))
}

fn set(fields: &[&str]) -> BTreeSet<String> {
    fields.iter().map(|f| f.to_string()).collect()
}

db_test! {
    fn coordinator_creates_a_normalised_venue_that_anyone_can_read(app) {
        let token = app.user_token(Role::Coordinator);
        let body = json!({"name": "  Stockwell Children's Centre ", "address": " Lansdowne Way, London ",
                          "postcode": "sw9 8lf", "ward": "lambeth-2014: Stockwell",
                          "creche_room_capacity": 10, "creche_registered": true,
                          "accessibility_notes": "Lift to the crèche room."});
        let res = app.post("/api/v1/venues", Some(&token), &body);
        let location = res
            .headers()
            .get("location")
            .expect("201 has a Location")
            .to_str()
            .unwrap()
            .to_string();
        let v = ok_json(res, 201);
        let id = v["id"].as_i64().expect("numeric id");
        assert_eq!(location, format!("/api/v1/venues/{id}"));
        assert_eq!(v["name"], "Stockwell Children's Centre");
        assert_eq!(v["address"], "Lansdowne Way, London");
        assert_eq!(v["postcode"], "SW9 8LF");
        assert_eq!(v["ward"], "lambeth-2014:Stockwell");
        assert_eq!(v["ward_boundary_set"], "lambeth-2014");
        assert_eq!(v["ward_name"], "Stockwell");
        assert_eq!(v["creche_room_capacity"], 10);
        assert_eq!(v["creche_registered"], true);
        assert_eq!(v["accessibility_notes"], "Lift to the crèche room.");
        assert_eq!(instant(&v["created_at"]), app.state.now());
        assert_eq!(v["updated_at"], v["created_at"]);

        // Anonymous readers see the same venue, in the list and at its Location.
        let one = ok_json(app.get(&location, None), 200);
        assert_eq!(one, v);
        let list = ok_json(app.get("/api/v1/venues", None), 200);
        assert_eq!(list["total"], 1);
        assert_eq!(list["limit"], 20);
        assert_eq!(list["offset"], 0);
        assert_eq!(list["items"], json!([v]));

        // accessibility_notes may be left out.
        let mut minimal = venue_body("Vassall Children's Centre", "lambeth-2014:Vassall");
        minimal["creche_registered"] = json!(false);
        minimal["creche_room_capacity"] = json!(0);
        let v2 = ok_json(app.post("/api/v1/venues", Some(&token), &minimal), 201);
        assert_eq!(v2["accessibility_notes"], "");
        assert_eq!(v2["postcode"], "SW8 2PS");
        assert_ne!(v2["id"], v["id"]);
        assert_eq!(total(&app), 2);
    }
}

db_test! {
    fn invalid_venues_name_every_bad_field_and_create_nothing(app) {
        let token = app.user_token(Role::Coordinator);
        ok_json(app.post("/api/v1/venues", Some(&token), &venue_body("Existing", "lambeth-2014:Stockwell")), 201);
        assert_eq!(total(&app), 1);

        let bad = json!({"name": "", "address": "Somerleyton Road, London", "postcode": "not a postcode",
                         "ward": "Stockwell", "creche_room_capacity": -1, "creche_registered": false});
        let p = problem(app.post("/api/v1/venues", Some(&token), &bad), 422);
        assert_eq!(p["type"], "/problems/validation");
        assert_eq!(error_fields(&p), set(&["creche_room_capacity", "name", "postcode", "ward"]), "{p}");
        assert_eq!(total(&app), 1, "nothing was created");

        // A registered crèche needs a crèche room.
        let mut registered = venue_body("No room", "lambeth-2014:Stockwell");
        registered["creche_room_capacity"] = json!(0);
        let p = problem(app.post("/api/v1/venues", Some(&token), &registered), 422);
        assert_eq!(error_fields(&p), set(&["creche_registered"]), "{p}");
        assert_eq!(total(&app), 1, "nothing was created");

        // Each of the bad values alone, on an otherwise good body.
        for (field, value) in [
            ("postcode", json!("SW9")),
            ("postcode", json!("9W9 8LF")),
            ("ward", json!("lambeth-2014:")),
            ("ward", json!("Lambeth-2014:Stockwell")),
            ("ward", json!("lambeth:Stockwell")),
            ("creche_room_capacity", json!(201)),
            ("name", json!("x".repeat(121))),
            ("address", json!("")),
        ] {
            let mut body = venue_body("Good name", "lambeth-2014:Stockwell");
            body[field] = value.clone();
            let p = problem(app.post("/api/v1/venues", Some(&token), &body), 422);
            assert_eq!(error_fields(&p), set(&[field]), "{field} = {value}: {p}");
        }
        assert_eq!(total(&app), 1, "nothing was created");

        // A field the API does not know is refused, not silently dropped.
        let mut unknown = venue_body("Sneaky", "lambeth-2014:Stockwell");
        unknown["capacity"] = json!(12);
        let res = app.post("/api/v1/venues", Some(&token), &unknown);
        let status = res.status().as_u16();
        assert!(status == 422 || status == 400, "unknown field gave {status}");
        let p = problem(res, status);
        assert!(names_field(&p, "capacity"), "the problem names the unknown field: {p}");
        // A missing field likewise.
        let mut missing = venue_body("Missing", "lambeth-2014:Stockwell");
        missing.as_object_mut().unwrap().remove("postcode");
        let res = app.post("/api/v1/venues", Some(&token), &missing);
        let status = res.status().as_u16();
        assert!(status == 422 || status == 400, "missing field gave {status}");
        let p = problem(res, status);
        assert!(names_field(&p, "postcode"), "the problem names the missing field: {p}");
        assert_eq!(total(&app), 1, "nothing was created");
    }
}

db_test! {
    fn patch_changes_only_the_given_fields(app) {
        let token = app.user_token(Role::Coordinator);
        let created = ok_json(app.post("/api/v1/venues", Some(&token), &venue_body("Stockwell Children's Centre", "lambeth-2014:Stockwell")), 201);
        let id = created["id"].as_i64().unwrap();
        let path = format!("/api/v1/venues/{id}");

        // Same instant: the change is made but updated_at cannot move.
        let v = ok_json(app.patch(&path, Some(&token), &json!({"name": "Stockwell Centre"})), 200);
        assert_eq!(v["name"], "Stockwell Centre");
        for same in ["address", "postcode", "ward", "ward_boundary_set", "ward_name", "creche_room_capacity",
                     "creche_registered", "accessibility_notes", "created_at", "updated_at", "id"] {
            assert_eq!(v[same], created[same], "{same} unchanged");
        }

        // Five minutes on: updated_at follows the clock, created_at stays.
        app.clock.advance(chrono::Duration::minutes(5));
        let v = ok_json(app.patch(&path, Some(&token), &json!({"postcode": "se5 9ra", "ward": "lambeth-2014 : Vassall "})), 200);
        assert_eq!(v["postcode"], "SE5 9RA");
        assert_eq!(v["ward"], "lambeth-2014:Vassall");
        assert_eq!(v["ward_boundary_set"], "lambeth-2014");
        assert_eq!(v["ward_name"], "Vassall");
        assert_eq!(v["name"], "Stockwell Centre", "earlier change kept");
        assert_eq!(v["creche_room_capacity"], 10);
        assert_eq!(v["created_at"], created["created_at"]);
        assert_eq!(instant(&v["updated_at"]) - instant(&created["updated_at"]), chrono::Duration::minutes(5));
        assert_eq!(ok_json(app.get(&path, None), 200), v, "the change was stored");

        // An empty patch changes nothing but is still a valid request.
        let same = ok_json(app.patch(&path, Some(&token), &json!({})), 200);
        for f in ["name", "address", "postcode", "ward", "creche_room_capacity", "creche_registered", "accessibility_notes", "created_at"] {
            assert_eq!(same[f], v[f], "{f}");
        }

        // Bad fields: 422 naming each, and nothing changes.
        let before = ok_json(app.get(&path, None), 200);
        let p = problem(app.patch(&path, Some(&token), &json!({"name": "", "postcode": "nope", "ward": "Vassall"})), 422);
        assert_eq!(error_fields(&p), set(&["name", "postcode", "ward"]), "{p}");
        // The rule between fields holds against the stored values too.
        let p = problem(app.patch(&path, Some(&token), &json!({"creche_room_capacity": 0})), 422);
        assert_eq!(error_fields(&p), set(&["creche_registered"]), "{p}");
        let res = app.patch(&path, Some(&token), &json!({"colour": "blue"}));
        let status = res.status().as_u16();
        assert!(status == 422 || status == 400, "unknown field gave {status}");
        assert!(names_field(&problem(res, status), "colour"));
        assert_eq!(ok_json(app.get(&path, None), 200), before, "nothing changed");

        // Both changed together is fine.
        let v = ok_json(app.patch(&path, Some(&token), &json!({"creche_room_capacity": 0, "creche_registered": false})), 200);
        assert_eq!(v["creche_room_capacity"], 0);
        assert_eq!(v["creche_registered"], false);

        let p = problem(app.patch("/api/v1/venues/424242", Some(&token), &json!({"name": "Nowhere"})), 404);
        assert_eq!(p["type"], "/problems/not-found");
        assert_eq!(total(&app), 1);
    }
}

db_test! {
    fn list_filters_by_ward_and_pages(app) {
        let token = app.user_token(Role::Coordinator);
        // Created out of name order; the list is by name.
        for (name, ward) in [
            ("Delta Centre", "lambeth-2014:Stockwell"),
            ("Alpha Centre", "lambeth-2014:Stockwell"),
            ("Echo Centre", "lambeth-2014:Vassall"),
            ("Charlie Centre", "lambeth-2014:Stockwell"),
            ("Bravo Centre", "lambeth-2022:Stockwell East"),
        ] {
            ok_json(app.post("/api/v1/venues", Some(&token), &venue_body(name, ward)), 201);
        }
        let names = |v: &Value| -> Vec<String> {
            v["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap().to_string()).collect()
        };

        let all = ok_json(app.get("/api/v1/venues", None), 200);
        assert_eq!(all["total"], 5);
        assert_eq!(names(&all), ["Alpha Centre", "Bravo Centre", "Charlie Centre", "Delta Centre", "Echo Centre"]);

        let stockwell = ok_json(app.get("/api/v1/venues?ward=lambeth-2014:Stockwell", None), 200);
        assert_eq!(stockwell["total"], 3);
        assert_eq!(names(&stockwell), ["Alpha Centre", "Charlie Centre", "Delta Centre"]);
        assert!(stockwell["items"].as_array().unwrap().iter().all(|v| v["ward"] == "lambeth-2014:Stockwell"));
        // The filter is normalised like the stored ward; another boundary set is another ward.
        let spaced = ok_json(app.get("/api/v1/venues?ward=lambeth-2014%3A%20Stockwell", None), 200);
        assert_eq!(spaced["items"], stockwell["items"]);
        let east = ok_json(app.get("/api/v1/venues?ward=lambeth-2022%3AStockwell%20East", None), 200);
        assert_eq!(names(&east), ["Bravo Centre"]);
        let none = ok_json(app.get("/api/v1/venues?ward=lambeth-2014:Coldharbour", None), 200);
        assert_eq!(none["total"], 0);
        assert_eq!(none["items"], json!([]));
        let p = problem(app.get("/api/v1/venues?ward=Stockwell", None), 422);
        assert_eq!(error_fields(&p), set(&["ward"]), "{p}");

        let page1 = ok_json(app.get("/api/v1/venues?limit=2", None), 200);
        assert_eq!((page1["total"].as_i64(), page1["limit"].as_i64(), page1["offset"].as_i64()), (Some(5), Some(2), Some(0)));
        assert_eq!(names(&page1), ["Alpha Centre", "Bravo Centre"]);
        let page2 = ok_json(app.get("/api/v1/venues?limit=2&offset=2", None), 200);
        assert_eq!(names(&page2), ["Charlie Centre", "Delta Centre"]);
        assert_eq!(page2["offset"], 2);
        let page3 = ok_json(app.get("/api/v1/venues?limit=2&offset=4", None), 200);
        assert_eq!(names(&page3), ["Echo Centre"]);
        assert_eq!(page3["total"], 5);
        let past = ok_json(app.get("/api/v1/venues?offset=10", None), 200);
        assert_eq!(past["items"], json!([]));
        assert_eq!(past["total"], 5);
        let filtered_page = ok_json(app.get("/api/v1/venues?ward=lambeth-2014:Stockwell&limit=1&offset=1", None), 200);
        assert_eq!(names(&filtered_page), ["Charlie Centre"]);
        assert_eq!(filtered_page["total"], 3);
        assert_eq!(ok_json(app.get("/api/v1/venues?limit=100", None), 200)["limit"], 100);
        assert_eq!(ok_json(app.get("/api/v1/venues?limit=1", None), 200)["items"].as_array().unwrap().len(), 1);

        for (query, field) in [("limit=0", "limit"), ("limit=101", "limit"), ("limit=-1", "limit"), ("offset=-1", "offset")] {
            let p = problem(app.get(&format!("/api/v1/venues?{query}"), None), 422);
            assert_eq!(error_fields(&p), set(&[field]), "{query}: {p}");
        }
    }
}
