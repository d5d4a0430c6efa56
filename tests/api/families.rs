//! A parent's own family and children: made at registration, validated, and private to them.

use crate::db_test;
use crate::helpers::{ok_json, problem};
use groupwork::domain::role::Role;
use serde_json::json;

fn profile() -> serde_json::Value {
    json!({"carers": ["Amira Haddad", "Sam Haddad"], "phone": "07700 900123", "email": "Amira@Example.org",
           "postcode": "sw9 8lf", "ward": "lambeth-2014:Coldharbour", "preferred_language": "ar",
           "interpreter_needed": true, "access_needs": "Buggy access", "referral_source": "health_visitor",
           "consent_to_contact": true})
}

db_test! {
    fn every_parent_has_one_family_from_registration(app) {
        let t = app.register_parent("amira@example.org");
        let token = t["access_token"].as_str();
        let f = ok_json(app.get("/api/v1/me/family", token), 200);
        assert!(f["id"].as_i64().unwrap() > 0);
        assert_eq!(f["carers"], json!(["Parent"]));
        assert_eq!(f["email"], "amira@example.org");
        assert_eq!(f["referral_source"], "self");
        assert_eq!(f["children"], json!([]));

        let f2 = ok_json(app.req(reqwest::Method::PUT, "/api/v1/me/family", token).json(&profile()).send().unwrap(), 200);
        assert_eq!(f2["id"], f["id"], "still the one family");
        assert_eq!(f2["postcode"], "SW9 8LF");
        assert_eq!(f2["email"], "amira@example.org");
        assert_eq!(f2["carers"], json!(["Amira Haddad", "Sam Haddad"]));
        assert_eq!(f2["interpreter_needed"], true);

        let mut bad = profile();
        bad["carers"] = json!([]);
        bad["phone"] = json!("ring me");
        bad["postcode"] = json!("nowhere");
        bad["ward"] = json!("Coldharbour");
        bad["referral_source"] = json!("advert");
        // Refused even though, with Arabic chosen, the other language would not be kept.
        bad["language_other"] = json!("Tigrinya\u{f}");
        let p = problem(app.req(reqwest::Method::PUT, "/api/v1/me/family", token).json(&bad).send().unwrap(), 422);
        for field in ["carers", "phone", "postcode", "ward", "referral_source", "language_other"] {
            assert!(p["errors"][field].is_array(), "{field}: {p}");
        }
        // A list's length is counted in names, not characters.
        assert_eq!(p["errors"]["carers"], json!(["must name one or two carers"]));
        assert_eq!(ok_json(app.get("/api/v1/me/family", token), 200)["postcode"], "SW9 8LF", "nothing changed");
    }
}

db_test! {
    fn children_born_and_expected(app) {
        // Today is 2 March 2026 on the test clock.
        let t = app.register_parent("bea@example.org");
        let token = t["access_token"].as_str();
        let res = app.post("/api/v1/me/children", token, &json!({"first_name": "Layla", "date_of_birth": "2025-01-15"}));
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let layla = ok_json(res, 201);
        assert_eq!(location, format!("/api/v1/me/children/{}", layla["id"]));
        let bump = ok_json(app.post("/api/v1/me/children", token, &json!({"first_name": "Bump", "due_date": "2026-07-20"})), 201);
        assert!(bump["date_of_birth"].is_null());

        for (body, field) in [
            (json!({"first_name": "Future", "date_of_birth": "2026-03-03"}), "date_of_birth"),
            (json!({"first_name": "Far", "due_date": "2027-03-01"}), "due_date"),
            (json!({"first_name": "Neither"}), "date_of_birth"),
            (json!({"first_name": "", "date_of_birth": "2025-01-15"}), "first_name"),
        ] {
            let p = problem(app.post("/api/v1/me/children", token, &body), 422);
            assert!(p["errors"][field].is_array(), "{field}: {p}");
        }

        // The baby arrives: the due date becomes a date of birth.
        let born = ok_json(app.patch(&format!("/api/v1/me/children/{}", bump["id"]), token, &json!({"first_name": "Noor", "date_of_birth": "2026-02-27"})), 200);
        assert_eq!(born["date_of_birth"], "2026-02-27");
        assert!(born["due_date"].is_null());
        let f = ok_json(app.get("/api/v1/me/family", token), 200);
        assert_eq!(f["children"].as_array().unwrap().len(), 2);
        assert_eq!(app.req(reqwest::Method::DELETE, &format!("/api/v1/me/children/{}", layla["id"]), token).send().unwrap().status(), 204);
        problem(app.get(&format!("/api/v1/me/children/{}", layla["id"]), token), 404);
    }
}

db_test! {
    fn another_familys_children_are_not_found(app) {
        let a = app.register_parent("a@example.org");
        let b = app.register_parent("b@example.org");
        let (ta, tb) = (a["access_token"].as_str(), b["access_token"].as_str());
        let child = ok_json(app.post("/api/v1/me/children", ta, &json!({"first_name": "Ada", "date_of_birth": "2025-05-05"})), 201);
        let path = format!("/api/v1/me/children/{}", child["id"]);
        problem(app.get(&path, tb), 404);
        problem(app.patch(&path, tb, &json!({"first_name": "Mine now"})), 404);
        problem(app.req(reqwest::Method::DELETE, &path, tb).send().unwrap(), 404);
        assert_eq!(ok_json(app.get(&path, ta), 200)["first_name"], "Ada", "untouched");
        assert_eq!(ok_json(app.get("/api/v1/me/family", tb), 200)["children"], json!([]));
        // Staff have no family of their own here.
        let staff = app.user_token(Role::Coordinator);
        problem(app.get("/api/v1/me/family", Some(&staff)), 403);
    }
}
