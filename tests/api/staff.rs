//! Staff records: qualifications with expiry, optional login, validation, who may see them.

use crate::db_test;
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, problem};
use groupwork::domain::role::Role;
use serde_json::json;

db_test! {
    fn staff_records_with_qualifications(app) {
        let co = Coordinator::new(&app);
        let body = json!({"name": "Grace Adeyemi", "email": "Grace@PAIRS.example", "phone": "020 7926 1000", "organisation": "PAIRS",
                          "roles": ["cosp_facilitator"], "qualifications": [{"kind": "cosp_registered", "expires_on": "2027-07-31"}]});
        let res = app.post("/api/v1/staff", co.t(), &body);
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let s = ok_json(res, 201);
        assert_eq!(location, format!("/api/v1/staff/{}", s["id"]));
        assert_eq!(s["email"], "grace@pairs.example");
        assert!(s["initial_password"].is_null());
        assert_eq!(s["qualifications"], json!([{"kind": "cosp_registered", "expires_on": "2027-07-31"}]));
        problem(app.post("/api/v1/staff", co.t(), &body), 409);

        let p = problem(app.post("/api/v1/staff", co.t(), &json!({"name": "", "email": "x", "organisation": "PAIRS",
            "roles": ["wizard"], "qualifications": [{"kind": "degree", "expires_on": null}]})), 422);
        for f in ["name", "email", "roles", "qualifications"] {
            assert!(p["errors"][f].is_array(), "{f}: {p}");
        }

        let id = s["id"].as_i64().unwrap();
        let s = ok_json(app.patch(&format!("/api/v1/staff/{id}"), co.t(), &json!({"qualifications": [
            {"kind": "cosp_registered", "expires_on": "2028-07-31"}, {"kind": "paediatric_first_aid", "expires_on": null}]})), 200);
        assert_eq!(s["qualifications"].as_array().unwrap().len(), 2);
        assert_eq!(s["phone"], "020 7926 1000", "unchanged");
        co.staff("Tom Reilly", &[]);
        let list = ok_json(app.get("/api/v1/staff?qualification=paediatric_first_aid", co.t()), 200);
        assert_eq!(list["total"], 1);
        assert_eq!(list["items"][0]["name"], "Grace Adeyemi");
        assert_eq!(ok_json(app.get("/api/v1/staff?limit=1", co.t()), 200)["total"], 2);
        problem(app.get("/api/v1/staff/9999", co.t()), 404);
    }
}

db_test! {
    fn staff_contact_details_are_for_coordinators_only(app) {
        let co = Coordinator::new(&app);
        let id = co.staff("Grace Adeyemi", &[]);
        for role in [Role::Parent, Role::Facilitator] {
            let t = app.user_token(role);
            problem(app.get("/api/v1/staff", Some(&t)), 403);
            problem(app.get(&format!("/api/v1/staff/{id}"), Some(&t)), 403);
            problem(app.post("/api/v1/staff", Some(&t), &json!({"name": "X", "email": "x@y.example", "organisation": "Y"})), 403);
        }
        problem(app.get("/api/v1/staff", None), 401);
        let admin = app.user_token(Role::Admin);
        ok_json(app.get("/api/v1/staff", Some(&admin)), 200);
    }
}
