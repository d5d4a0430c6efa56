//! The audit trail: admins list it by family, actor, action and dates; nothing in the API can
//! change or delete it; refused attempts to reach family data are in it too.

use crate::db_test;
use crate::helpers::{ok_json, problem};
use crate::registers::{coordinator, group, staff};
use groupwork::domain::role::Role;
use reqwest::Method;
use serde_json::Value;

fn actions(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

db_test! {
    fn admins_read_the_audit_and_refusals_are_in_it(app) {
        let g = group(&app, 6, 2, 0);
        let (a, b) = (&g.families[0], &g.families[1]);
        let admin = app.user_token(Role::Admin);
        let family_a = {
            let t = app.token_as(a.user, Role::Parent);
            ok_json(app.get("/api/v1/me/family", Some(&t)), 200)["id"].as_i64().unwrap()
        };
        // A coordinator reads the cohort's families: one read per family.
        let co = coordinator(&app, &g);
        ok_json(app.get(&format!("/api/v1/cohorts/{}/bookings", g.cohort), Some(&co)), 200);
        let of_a = ok_json(app.get(&format!("/api/v1/audit?family_id={family_a}&action=family_read"), Some(&admin)), 200);
        assert_eq!(of_a["total"], 1, "{of_a}");
        assert_eq!(of_a["items"][0]["actor_id"], g.coordinator);

        // Parent B tries A's booking; another group's facilitator tries the cohort's families;
        // a parent tries the audit itself. Anonymous calls are not attributed to anyone.
        let tb = app.token_as(b.user, Role::Parent);
        problem(app.get(&format!("/api/v1/bookings/{}", a.booking), Some(&tb)), 404);
        problem(app.get(&format!("/api/v1/cohorts/{}/bookings", g.cohort), Some(&staff(&app, g.other))), 404);
        problem(app.get("/api/v1/audit", Some(&tb)), 403);
        problem(app.get(&format!("/api/v1/bookings/{}", a.booking), None), 401);
        let refused = ok_json(app.get("/api/v1/audit?action=access_refused", Some(&admin)), 200);
        assert_eq!(refused["total"], 3, "{refused}");
        let by_b = ok_json(app.get(&format!("/api/v1/audit?actor_id={}&action=access_refused", b.user), Some(&admin)), 200);
        assert_eq!(by_b["total"], 2);
        let tried_a: Vec<&Value> = by_b["items"].as_array().unwrap().iter().filter(|e| e["family_id"] == family_a).collect();
        assert_eq!(tried_a.len(), 1, "the refused read names the family it aimed at: {by_b}");
        assert!(tried_a[0]["detail"].as_str().unwrap().contains("404"));

        // Dates: everything so far happened on the test clock's day.
        let today = app.state.now().date_naive();
        let day = ok_json(app.get(&format!("/api/v1/audit?from={today}&to={today}&limit=100"), Some(&admin)), 200);
        let all = ok_json(app.get("/api/v1/audit?limit=100", Some(&admin)), 200);
        assert_eq!(day["total"], all["total"]);
        let next = today.succ_opt().unwrap();
        assert_eq!(ok_json(app.get(&format!("/api/v1/audit?from={next}"), Some(&admin)), 200)["total"], 0);
        let p = problem(app.get(&format!("/api/v1/audit?from={next}&to={today}"), Some(&admin)), 422);
        assert!(p["errors"]["to"].is_array(), "{p}");
        assert!(actions(&all).contains(&"access_refused".to_string()));

        // Only admins read it; nothing changes or deletes it.
        problem(app.get("/api/v1/audit", Some(&co)), 403);
        problem(app.get("/api/v1/audit", Some(&staff(&app, g.lead))), 403);
        let id = all["items"][0]["id"].as_i64().unwrap();
        for m in [Method::PUT, Method::PATCH, Method::DELETE, Method::POST] {
            let res = app.req(m.clone(), "/api/v1/audit", Some(&admin)).send().unwrap();
            assert_eq!(res.status(), 405, "{m} /api/v1/audit");
            let res = app.req(m.clone(), &format!("/api/v1/audit/{id}"), Some(&admin)).send().unwrap();
            assert_eq!(res.status(), 404, "{m} /api/v1/audit/{{id}}");
        }
        let spec = serde_json::to_value(groupwork::api::openapi()).unwrap();
        let audit_paths: Vec<(&String, Vec<&String>)> = spec["paths"].as_object().unwrap().iter()
            .filter(|(p, _)| p.starts_with("/api/v1/audit"))
            .map(|(p, item)| (p, item.as_object().unwrap().keys().collect()))
            .collect();
        assert_eq!(format!("{audit_paths:?}"), r#"[("/api/v1/audit", ["get"])]"#);
    }
}
