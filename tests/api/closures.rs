//! Closures and bank holidays: listed together for a date range; coordinators add and remove
//! closures and record one-off bank-holiday changes; new closures report sessions they hit.

use crate::db_test;
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, problem};
use serde_json::{json, Value};

fn reasons(list: &Value) -> Vec<(String, String, String)> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_string(),
                i["from"].as_str().unwrap().to_string(),
                i["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

db_test! {
    fn bank_holidays_and_closures_listed_together(app) {
        let co = Coordinator::new(&app);
        let stockwell = co.venue("Stockwell Children's Centre", "lambeth-2014:Stockwell", 10);
        let vassall = co.venue("Vassall Children's Centre", "lambeth-2014:Vassall", 9);
        let res = app.post("/api/v1/closures", co.t(), &json!({"venue_id": stockwell, "from": "2026-05-26", "to": "2026-05-29", "reason": "Half term"}));
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let half_term = ok_json(res, 201);
        assert_eq!(location, format!("/api/v1/closures/{}", half_term["id"]));
        ok_json(app.post("/api/v1/closures", co.t(), &json!({"venue_id": vassall, "from": "2026-05-20", "to": "2026-05-20", "reason": "Polling station"})), 201);

        let may = ok_json(app.get("/api/v1/closures?from=2026-05-01&to=2026-05-31", co.t()), 200);
        assert_eq!(reasons(&may), [
            ("bank_holiday".into(), "2026-05-04".into(), "Early May bank holiday".into()),
            ("closure".into(), "2026-05-20".into(), "Polling station".into()),
            ("bank_holiday".into(), "2026-05-25".into(), "Spring bank holiday".into()),
            ("closure".into(), "2026-05-26".into(), "Half term".into()),
        ]);
        let stockwell_only = ok_json(app.get(&format!("/api/v1/closures?from=2026-05-01&to=2026-05-31&venue_id={stockwell}"), co.t()), 200);
        assert_eq!(stockwell_only["total"], 3);

        // A one-off extra bank holiday, and a rule holiday moved away.
        assert_eq!(app.post("/api/v1/closures/bank-holidays", co.t(), &json!({"date": "2026-06-12", "name": "Extra bank holiday", "change": "add"})).status(), 204);
        assert_eq!(app.post("/api/v1/closures/bank-holidays", co.t(), &json!({"date": "2026-05-25", "name": "Spring bank holiday moved", "change": "remove"})).status(), 204);
        problem(app.post("/api/v1/closures/bank-holidays", co.t(), &json!({"date": "2026-06-12", "name": "Again", "change": "add"})), 409);
        let after = reasons(&ok_json(app.get("/api/v1/closures?from=2026-05-24&to=2026-06-30", co.t()), 200));
        assert!(after.iter().any(|(k, d, _)| k == "bank_holiday" && d == "2026-06-12"), "{after:?}");
        assert!(!after.iter().any(|(_, d, _)| d == "2026-05-25"), "{after:?}");

        let id = half_term["id"].as_i64().unwrap();
        assert_eq!(app.req(reqwest::Method::DELETE, &format!("/api/v1/closures/{id}"), co.t()).send().unwrap().status(), 204);
        problem(app.req(reqwest::Method::DELETE, &format!("/api/v1/closures/{id}"), co.t()).send().unwrap(), 404);
        assert_eq!(ok_json(app.get(&format!("/api/v1/closures?from=2026-05-01&to=2026-05-31&venue_id={stockwell}"), co.t()), 200)["total"], 1);
    }
}

db_test! {
    fn a_new_closure_reports_the_sessions_it_falls_on(app) {
        let co = Coordinator::new(&app);
        let venue = co.venue("Stockwell Children's Centre", "lambeth-2014:Stockwell", 10);
        let c = co.cohort("cosp", venue, "2026-03-03", "10:00", json!({}));
        let created = ok_json(app.post("/api/v1/closures", co.t(), &json!({"venue_id": venue, "from": "2026-03-16", "to": "2026-03-20", "reason": "Boiler repair"})), 201);
        let hit = created["affected_sessions"].as_array().unwrap();
        assert_eq!(hit.len(), 1);
        assert_eq!(hit[0]["session_id"], c["sessions"][2]["id"]);
    }
}

db_test! {
    fn bad_closures_are_refused(app) {
        let co = Coordinator::new(&app);
        let p = problem(app.post("/api/v1/closures", co.t(), &json!({"from": "2026-05-29", "to": "2026-05-26", "reason": ""})), 422);
        assert!(p["errors"]["to"].is_array() && p["errors"]["reason"].is_array(), "{p}");
        problem(app.post("/api/v1/closures", co.t(), &json!({"from": "2026-01-01", "to": "2027-06-01", "reason": "Too long"})), 422);
        let p = problem(app.post("/api/v1/closures", co.t(), &json!({"venue_id": 999, "from": "2026-05-26", "to": "2026-05-26", "reason": "x"})), 422);
        assert!(p["errors"]["venue_id"].is_array());
        problem(app.post("/api/v1/closures", co.t(), &json!({"from": "26/05/2026", "to": "2026-05-26", "reason": "x"})), 422);
        problem(app.get("/api/v1/closures?from=2026-01-01&to=2035-01-01", co.t()), 422);
        assert_eq!(ok_json(app.get("/api/v1/closures?from=2026-05-26&to=2026-05-26", co.t()), 200)["total"], 0);
    }
}
