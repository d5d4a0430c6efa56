//! Facilitator rules, each allowed and refused: qualifications valid on every session date,
//! co-facilitator, crèche workers with first aid, nobody in two places at once, supervisor load.

use crate::db_test;
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, problem};
use serde_json::{json, Value};

fn rule_messages(p: &Value, rule: &str) -> String {
    p["errors"][rule]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|m| m.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .unwrap_or_default()
}

db_test! {
    fn cosp_team_rules_each_way(app) {
        let co = Coordinator::new(&app);
        let venue = co.venue("Stockwell Children's Centre", "lambeth-2014:Stockwell", 10);
        // Tuesdays 3 March – 21 April 2026.
        let c = co.cohort("cosp", venue, "2026-03-03", "10:00", json!({}))["id"].as_i64().unwrap();
        let grace = co.staff("Grace Adeyemi", &[("cosp_registered", None)]);
        let lapsing = co.staff("Lapsing Lead", &[("cosp_registered", Some("2026-03-20"))]);
        let tom = co.staff("Tom Reilly", &[]);
        let maria = co.staff("Maria Santos", &[("paediatric_first_aid", Some("2027-01-01"))]);
        let chloe = co.staff("Chloe Evans", &[]);
        let ruth = co.staff("Ruth Okoye", &[("clinical", None), ("supervisor", None)]);
        let hannah = co.staff("Hannah Mensah", &[("clinical", None)]);

        let p = problem(co.set_team(c, json!({"lead": lapsing, "co_facilitators": [tom], "creche_workers": [maria, chloe]})), 422);
        let m = rule_messages(&p, "lead_qualification");
        assert!(m.contains("Lapsing Lead") && m.contains("2026-03-24"), "{p}");

        // A draft's team may be incomplete, but it cannot be published so.
        ok_json(co.set_team(c, json!({"lead": grace, "creche_workers": [maria, chloe]})), 200);
        let p = problem(co.publish(c), 409);
        assert!(p["errors"]["co_facilitator_missing"].is_array(), "{p}");
        ok_json(co.set_team(c, json!({"lead": grace, "co_facilitators": [tom], "creche_workers": [chloe]})), 200);
        let p = problem(co.publish(c), 409);
        assert!(p["errors"]["creche_workers"].is_array(), "{p}");
        assert!(rule_messages(&p, "paediatric_first_aid").contains("2026-03-03"), "{p}");
        ok_json(co.set_team(c, json!({})), 200);
        assert!(problem(co.publish(c), 409)["errors"]["lead_missing"].is_array());

        let p = problem(co.set_team(c, json!({"lead": grace, "co_facilitators": [grace], "creche_workers": [maria, chloe]})), 422);
        assert!(rule_messages(&p, "same_person_twice").contains("Grace Adeyemi"), "{p}");

        let p = problem(co.set_team(c, json!({"lead": grace, "co_facilitators": [tom], "creche_workers": [maria, chloe], "supervisor": hannah})), 422);
        assert!(rule_messages(&p, "supervisor_qualification").contains("Hannah Mensah"), "{p}");

        let p = problem(co.set_team(c, json!({"lead": 424242})), 422);
        assert!(p["errors"]["lead"].is_array(), "{p}");

        let ok = ok_json(co.set_team(c, json!({"lead": grace, "co_facilitators": [tom], "creche_workers": [maria, chloe], "supervisor": ruth})), 200);
        assert_eq!(ok["team"]["lead"]["name"], "Grace Adeyemi");
        assert_eq!(ok["team"]["creche_workers"].as_array().unwrap().len(), 2);
        ok_json(co.publish(c), 200);
        // Once published, the team must stay complete.
        let p = problem(co.set_team(c, json!({"lead": grace, "co_facilitators": [tom], "creche_workers": [maria]})), 422);
        assert!(p["errors"]["creche_workers"].is_array(), "{p}");
    }
}

db_test! {
    fn nobody_is_in_two_sessions_at_once_across_venues(app) {
        let co = Coordinator::new(&app);
        let stockwell = co.venue("Stockwell Children's Centre", "lambeth-2014:Stockwell", 10);
        let vassall = co.venue("Vassall Children's Centre", "lambeth-2014:Vassall", 9);
        let grace = co.staff("Grace Adeyemi", &[("cosp_registered", None)]);
        let tom = co.staff("Tom Reilly", &[]);
        let maria = co.staff("Maria Santos", &[("paediatric_first_aid", None)]);
        let chloe = co.staff("Chloe Evans", &[]);
        let hannah = co.staff("Hannah Mensah", &[("clinical", None)]);
        let a = co.cohort("cosp", stockwell, "2026-03-03", "10:00", json!({}))["id"].as_i64().unwrap();
        ok_json(co.set_team(a, json!({"lead": grace, "co_facilitators": [tom], "creche_workers": [maria, chloe]})), 200);

        // Tuesdays 10:30 at another venue: Tom would be in two places.
        let b = co.cohort("together-time", vassall, "2026-03-10", "10:30", json!({}))["id"].as_i64().unwrap();
        let p = problem(co.set_team(b, json!({"lead": hannah, "co_facilitators": [tom]})), 409);
        let m = rule_messages(&p, "double_booked");
        assert!(m.contains("Tom Reilly"), "{p}");
        assert_eq!(ok_json(app.get(&format!("/api/v1/cohorts/{b}"), co.t()), 200)["team"]["lead"], Value::Null, "nothing changed");

        // Back to back (A ends at 12:00) is fine.
        let c = co.cohort("together-time", vassall, "2026-03-10", "12:00", json!({}));
        let cid = c["id"].as_i64().unwrap();
        ok_json(co.set_team(cid, json!({"lead": hannah, "co_facilitators": [tom]})), 200);

        // Moving one of C's sessions into A's time is refused and changes nothing.
        let s = c["sessions"][0]["id"].as_i64().unwrap();
        problem(app.patch(&format!("/api/v1/sessions/{s}"), co.t(), &json!({"start_time": "11:00"})), 409);
        let after = ok_json(app.get(&format!("/api/v1/cohorts/{cid}"), co.t()), 200);
        assert_eq!(after["sessions"][0]["local_start"], "2026-03-10T12:00:00+00:00");
    }
}

db_test! {
    fn a_supervisor_takes_at_most_four_groups_a_term(app) {
        let co = Coordinator::new(&app);
        let venue = co.venue("Coldharbour Children's Centre", "lambeth-2014:Coldharbour", 12);
        let ruth = co.staff("Ruth Okoye", &[("clinical", None), ("supervisor", None)]);
        let leads: Vec<i64> = (0..6).map(|i| co.staff(&format!("Lead {i}"), &[("clinical", None)])).collect();
        // Five spring-term groups on different days.
        let firsts = ["2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09"];
        for (i, first) in firsts.iter().enumerate() {
            let id = co.cohort("together-time", venue, first, "10:00", json!({}))["id"].as_i64().unwrap();
            let res = co.set_team(id, json!({"lead": leads[i], "supervisor": ruth}));
            if i < 4 {
                ok_json(res, 200);
            } else {
                let p = problem(res, 409);
                let m = rule_messages(&p, "supervisor_load");
                assert!(m.contains("Ruth Okoye") && m.to_lowercase().contains("spring 2026"), "{p}");
            }
        }
        // An autumn group is another term.
        let autumn = co.cohort("together-time", venue, "2026-09-14", "10:00", json!({}))["id"].as_i64().unwrap();
        ok_json(co.set_team(autumn, json!({"lead": leads[5], "supervisor": ruth})), 200);
    }
}

db_test! {
    fn a_facilitator_sees_their_own_cohorts(app) {
        let co = Coordinator::new(&app);
        let venue = co.venue("Tulse Hill Children's Centre", "lambeth-2014:Tulse Hill", 8);
        let created = ok_json(app.post("/api/v1/staff", co.t(), &json!({"name": "Aisha Khan", "email": "aisha@pairs.example",
            "organisation": "PAIRS", "roles": ["clinician"], "qualifications": [{"kind": "clinical", "expires_on": null}], "create_login": true})), 201);
        let aisha = created["id"].as_i64().unwrap();
        let password = created["initial_password"].as_str().unwrap();
        let c = co.cohort("together-time", venue, "2026-03-04", "10:30", json!({}))["id"].as_i64().unwrap();
        co.cohort("together-time", venue, "2026-03-05", "10:30", json!({}));
        ok_json(co.set_team(c, json!({"lead": aisha})), 200);
        let login = app.login("aisha@pairs.example", password);
        assert_eq!(login["user"]["role"], "facilitator");
        let mine = ok_json(app.get("/api/v1/me/cohorts", login["access_token"].as_str()), 200);
        assert_eq!(mine["total"], 1);
        assert_eq!(mine["items"][0]["id"], c);
        assert_eq!(mine["items"][0]["my_roles"], json!(["lead"]));
        assert_eq!(mine["items"][0]["sessions"].as_array().unwrap().len(), 6);
        // A parent has no cohorts to run.
        let parent = app.register_parent("p@example.org");
        assert_eq!(ok_json(app.get("/api/v1/me/cohorts", parent["access_token"].as_str()), 200)["total"], 0);
    }
}
