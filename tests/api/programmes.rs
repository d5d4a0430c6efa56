//! Programmes: the two built in exactly as the practice describes them, public to read; admins add
//! centres' own, refused when the code is taken or the programme does not make sense.

use crate::db_test;
use crate::helpers::{ok_json, problem};
use groupwork::domain::role::Role;
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn together_time() -> Value {
    json!({
        "code": "together-time", "name": "Together Time",
        "session_count": 6, "session_minutes": 90, "min_age_months": 0, "max_age_months": 48,
        "pregnancy_eligible": true, "creche_provided": false,
        "lead_qualification": "clinical", "co_facilitator_required": false,
        "co_facilitator_qualification": null, "completion_threshold": 4, "built_in": true,
    })
}

fn cosp() -> Value {
    json!({
        "code": "cosp", "name": "Circle of Security Parenting",
        "session_count": 8, "session_minutes": 120, "min_age_months": 0, "max_age_months": 48,
        "pregnancy_eligible": false, "creche_provided": true,
        "lead_qualification": "cosp_registered", "co_facilitator_required": true,
        "co_facilitator_qualification": null, "completion_threshold": 6, "built_in": true,
    })
}

/// Asserts every field of `expected` in `actual`, and that `actual` has an id and a description.
fn assert_programme(actual: &Value, expected: &Value) {
    for (field, value) in expected.as_object().unwrap() {
        assert_eq!(&actual[field], value, "{field} of {}", expected["code"]);
    }
    assert!(actual["id"].is_i64(), "{actual}");
    assert!(
        actual["description"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "{actual}"
    );
}

fn antenatal(code: &str) -> Value {
    json!({"code": code, "name": "  Antenatal group ", "description": "For parents expecting a baby.",
           "session_count": 5, "session_minutes": 90, "min_age_months": 0, "max_age_months": 3,
           "pregnancy_eligible": true, "creche_provided": false, "lead_qualification": "clinical",
           "co_facilitator_required": true, "co_facilitator_qualification": "paediatric_first_aid",
           "completion_threshold": 3})
}

fn error_fields(p: &Value) -> BTreeSet<String> {
    p["errors"]
        .as_object()
        .unwrap_or_else(|| panic!("no errors object: {p}"))
        .keys()
        .cloned()
        .collect()
}

db_test! {
    fn built_in_programmes_are_public_and_as_seeded(app) {
        let list = ok_json(app.get("/api/v1/programmes", None), 200);
        assert_eq!(list["total"], 2, "{list}");
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        let by_code = |code: &str| items.iter().find(|p| p["code"] == code).unwrap_or_else(|| panic!("{code} missing: {list}")).clone();
        assert_programme(&by_code("together-time"), &together_time());
        assert_programme(&by_code("cosp"), &cosp());

        let one = ok_json(app.get("/api/v1/programmes/cosp", None), 200);
        assert_eq!(one, by_code("cosp"));
        let tt = ok_json(app.get("/api/v1/programmes/together-time", None), 200);
        assert_eq!(tt, by_code("together-time"));

        for unknown in ["/api/v1/programmes/antenatal", "/api/v1/programmes/COSP"] {
            let p = problem(app.get(unknown, None), 404);
            assert_eq!(p["type"], "/problems/not-found", "{unknown}");
        }
    }
}

db_test! {
    fn admin_adds_a_programme(app) {
        let admin = app.user_token(Role::Admin);
        let res = app.post("/api/v1/programmes", Some(&admin), &antenatal("antenatal"));
        let location = res.headers().get("location").expect("Location").to_str().unwrap().to_string();
        let p = ok_json(res, 201);
        assert_eq!(location, "/api/v1/programmes/antenatal");
        assert_eq!(p["code"], "antenatal");
        assert_eq!(p["name"], "Antenatal group", "trimmed");
        assert_eq!(p["built_in"], false);
        for (field, value) in antenatal("antenatal").as_object().unwrap() {
            if field != "name" {
                assert_eq!(&p[field], value, "{field}");
            }
        }
        assert_eq!(ok_json(app.get(&location, None), 200), p);
        let list = ok_json(app.get("/api/v1/programmes", None), 200);
        assert_eq!(list["total"], 3);
        assert!(list["items"].as_array().unwrap().contains(&p));

        // Defaults for the optional fields.
        let minimal = json!({"code": "dads-group", "name": "Dads' group", "session_count": 4, "session_minutes": 60,
                             "min_age_months": 0, "max_age_months": 24, "lead_qualification": null,
                             "co_facilitator_qualification": null, "completion_threshold": 3});
        let d = ok_json(app.post("/api/v1/programmes", Some(&admin), &minimal), 201);
        assert_eq!((d["pregnancy_eligible"].as_bool(), d["creche_provided"].as_bool(), d["co_facilitator_required"].as_bool()),
                   (Some(false), Some(false), Some(false)));
        assert_eq!(d["description"], "");
        assert_eq!(d["lead_qualification"], Value::Null);

        // The code is taken: by a centre's programme or a built-in one.
        let dup = problem(app.post("/api/v1/programmes", Some(&admin), &antenatal("antenatal")), 409);
        assert_eq!(dup["type"], "/problems/conflict");
        problem(app.post("/api/v1/programmes", Some(&admin), &antenatal("cosp")), 409);
        assert_eq!(ok_json(app.get("/api/v1/programmes", None), 200)["total"], 4);
        assert_programme(&ok_json(app.get("/api/v1/programmes/cosp", None), 200), &cosp());
    }
}

db_test! {
    fn incoherent_programmes_name_each_field(app) {
        let admin = app.user_token(Role::Admin);
        let mut bad = antenatal("Not A Slug");
        bad["completion_threshold"] = json!(6); // 5 sessions
        bad["min_age_months"] = json!(12);
        bad["max_age_months"] = json!(12);
        bad["lead_qualification"] = json!("degree");
        let p = problem(app.post("/api/v1/programmes", Some(&admin), &bad), 422);
        assert_eq!(p["type"], "/problems/validation");
        assert_eq!(
            error_fields(&p),
            ["code", "completion_threshold", "lead_qualification", "max_age_months"].iter().map(|s| s.to_string()).collect(),
            "{p}"
        );

        // One at a time, on an otherwise good body.
        for (field, value, named) in [
            ("code", json!("Not A Slug"), "code"),
            ("code", json!("x"), "code"),
            ("code", json!("-leading"), "code"),
            ("code", json!("trailing-"), "code"),
            ("code", json!("a".repeat(41)), "code"),
            ("completion_threshold", json!(6), "completion_threshold"),
            ("completion_threshold", json!(0), "completion_threshold"),
            ("max_age_months", json!(0), "max_age_months"),
            ("lead_qualification", json!("degree"), "lead_qualification"),
            ("co_facilitator_qualification", json!("degree"), "co_facilitator_qualification"),
            ("co_facilitator_required", json!(false), "co_facilitator_qualification"),
            ("session_count", json!(0), "session_count"),
            ("session_count", json!(53), "session_count"),
            ("session_minutes", json!(10), "session_minutes"),
            ("name", json!(""), "name"),
        ] {
            let mut body = antenatal("good-code");
            body[field] = value.clone();
            let p = problem(app.post("/api/v1/programmes", Some(&admin), &body), 422);
            assert!(error_fields(&p).contains(named), "{field} = {value}: {p}");
            if field != "session_count" {
                assert_eq!(error_fields(&p).len(), 1, "{field} = {value}: only {named} is wrong: {p}");
            }
        }
        let mut unknown = antenatal("good-code");
        unknown["colour"] = json!("green");
        let res = app.post("/api/v1/programmes", Some(&admin), &unknown);
        let status = res.status().as_u16();
        assert!(status == 422 || status == 400, "unknown field gave {status}");
        problem(res, status);

        let list = ok_json(app.get("/api/v1/programmes", None), 200);
        assert_eq!(list["total"], 2, "nothing was created: {list}");
        problem(app.get("/api/v1/programmes/good-code", None), 404);
        // And the good body really is good.
        ok_json(app.post("/api/v1/programmes", Some(&admin), &antenatal("good-code")), 201);
    }
}

db_test! {
    fn admins_tune_a_programmes_settings(app) {
        let admin = app.user_token(Role::Admin);
        let co = app.user_token(Role::Coordinator);
        let body = json!({"follow_up_after_absences": 3, "completion_threshold": 5,
                          "outcome_measures": ["Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS)", " Our own scale "]});
        problem(app.patch("/api/v1/programmes/cosp", Some(&co), &body), 403);
        let p = ok_json(app.patch("/api/v1/programmes/cosp", Some(&admin), &body), 200);
        assert_eq!((p["follow_up_after_absences"].as_i64(), p["completion_threshold"].as_i64()), (Some(3), Some(5)));
        assert_eq!(p["outcome_measures"], json!(["Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS)", "Our own scale"]));
        assert_eq!(p["session_count"], 8, "the shape stays");
        assert_eq!(ok_json(app.get("/api/v1/programmes/cosp", None), 200), p);
        let e = problem(app.patch("/api/v1/programmes/cosp", Some(&admin), &json!({"completion_threshold": 9})), 422);
        assert!(e["errors"]["completion_threshold"].is_array(), "{e}");
        let e = problem(app.patch("/api/v1/programmes/cosp", Some(&admin), &json!({"outcome_measures": ["two\nlines"]})), 422);
        assert!(e["errors"]["outcome_measures"].is_array(), "{e}");
        problem(app.patch("/api/v1/programmes/cosp", Some(&admin), &json!({"session_count": 4})), 422);
        problem(app.patch("/api/v1/programmes/nope", Some(&admin), &json!({"completion_threshold": 2})), 404);
        assert_eq!(ok_json(app.get("/api/v1/programmes/cosp", None), 200), p, "refusals changed nothing");

        // When reminders go: the day before at 10:00 unless the centre says otherwise.
        assert_eq!(p["reminders"], json!({"send": true, "days_before": 1, "at": "10:00"}));
        let r = ok_json(app.patch("/api/v1/programmes/cosp", Some(&admin),
            &json!({"reminders": {"send": true, "days_before": 2, "at": "17:30"}})), 200);
        assert_eq!(r["reminders"], json!({"send": true, "days_before": 2, "at": "17:30"}));
        let off = ok_json(app.patch("/api/v1/programmes/cosp", Some(&admin), &json!({"reminders": {"send": false}})), 200);
        assert_eq!(off["reminders"]["send"], false);
        for bad in [json!({"send": false, "days_before": -1}), json!({"send": true, "days_before": 15}),
                    json!({"send": true, "at": "25:00"}), json!({"send": true, "at": "9:00"})] {
            let e = problem(app.patch("/api/v1/programmes/cosp", Some(&admin), &json!({"reminders": bad})), 422);
            let field = e["errors"].as_object().unwrap().keys().next().unwrap().clone();
            assert!(field.starts_with("reminders."), "{e}");
        }
        assert_eq!(ok_json(app.get("/api/v1/programmes/cosp", None), 200), off);
    }
}
