//! What the crèche knows about each child: care details, emergency contacts and collectors kept
//! by the parent, read by staff on a need-to-know basis (the crèche workers and lead of the
//! child's cohort, and coordinators; other facilitators of it see only the flag), with every
//! read and every refusal in the audit trail.

use crate::db_test;
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, problem, TestApp};
use crate::registers::{coordinator, group, staff};
use diesel::prelude::*;
use groupwork::domain::role::Role;
use reqwest::Method;
use serde_json::{json, Value};

pub(crate) fn put_contacts(
    app: &TestApp,
    token: &str,
    contacts: Value,
) -> reqwest::blocking::Response {
    app.req(
        Method::PUT,
        "/api/v1/me/family/emergency-contacts",
        Some(token),
    )
    .json(&json!({ "contacts": contacts }))
    .send()
    .unwrap()
}

pub(crate) fn patch_child(
    app: &TestApp,
    token: &str,
    child: i64,
    body: Value,
) -> reqwest::blocking::Response {
    app.req(
        Method::PATCH,
        &format!("/api/v1/me/children/{child}"),
        Some(token),
    )
    .json(&body)
    .send()
    .unwrap()
}

/// (actor, action, detail) of the audit events about a family, oldest first.
pub(crate) fn family_audit(app: &TestApp, family: i64) -> Vec<(Option<i32>, String, String)> {
    use groupwork::db::schema::audit_events as a;
    let mut conn = app.state.pool.get().unwrap();
    a::table
        .filter(a::family_id.eq(family as i32))
        .order(a::id)
        .select((a::actor_user_id, a::action, a::detail))
        .load(&mut conn)
        .unwrap()
}

pub(crate) fn family_id(app: &TestApp, token: &str) -> i64 {
    ok_json(app.get("/api/v1/me/family", Some(token)), 200)["id"]
        .as_i64()
        .unwrap()
}

db_test! {
    fn a_parent_keeps_care_details_contacts_and_collectors(app) {
        let g = group(&app, 6, 2, 1);
        let mine = &g.families[0];
        let t = app.token_as(mine.user, Role::Parent);
        let family = family_id(&app, &t);

        // Care details: set, read back, with the flag.
        let fresh = ok_json(app.get(&format!("/api/v1/me/children/{}", mine.child), Some(&t)), 200);
        assert_eq!((fresh["allergies"].as_str(), fresh["has_care_notes"].as_bool()), (Some(""), Some(false)), "{fresh}");
        let care = json!({"allergies": "peanuts: EpiPen in the bag\nand eggs", "dietary_needs": "halal",
                          "medicines": "inhaler", "medicines_consent": true, "medicines_consent_date": "2026-02-01",
                          "additional_needs": "hearing aid"});
        let c = ok_json(patch_child(&app, &t, mine.child, care), 200);
        assert_eq!((c["allergies"].as_str(), c["has_care_notes"].as_bool()), (Some("peanuts: EpiPen in the bag\nand eggs"), Some(true)), "{c}");
        assert_eq!((c["medicines_consent"].as_bool(), c["medicines_consent_date"].as_str()), (Some(true), Some("2026-02-01")));
        assert_eq!(c["first_name"], "Baby 0");
        // Consent to medicines needs its date, not in the future; control characters refused.
        let p = problem(patch_child(&app, &t, mine.child, json!({"medicines_consent_date": "2099-01-01"})), 422);
        assert!(p["errors"]["medicines_consent_date"].is_array(), "{p}");
        let p = problem(patch_child(&app, &t, mine.child, json!({"allergies": "bell\u{7}"})), 422);
        assert!(p["errors"]["allergies"].is_array(), "{p}");
        let new = problem(app.post("/api/v1/me/children", Some(&t), &json!({"first_name": "Noor", "date_of_birth": "2025-09-01", "medicines": "drops", "medicines_consent": true})), 422);
        assert!(new["errors"]["medicines_consent_date"].is_array(), "{new}");
        let still = ok_json(app.get(&format!("/api/v1/me/children/{}", mine.child), Some(&t)), 200);
        assert_eq!(still["medicines"], "inhaler");

        // Emergency contacts: at least two, said plainly; a refused list changes nothing.
        assert_eq!(ok_json(app.get("/api/v1/me/family/emergency-contacts", Some(&t)), 200)["contacts"], json!([]));
        let two = json!([{"name": "Amira Khan", "relation": "grandmother", "phone": "07700 900123"},
                         {"name": "Yusuf Khan", "relation": "uncle", "phone": "+44 7700 900124"}]);
        let got = ok_json(put_contacts(&app, &t, two.clone()), 200);
        assert_eq!(got["contacts"], two);
        let p = problem(put_contacts(&app, &t, json!([{"name": "Only One", "relation": "friend", "phone": "07700 900125"}])), 422);
        assert!(p["detail"].as_str().unwrap().contains("give at least two people we can call in an emergency"), "{p}");
        let p = problem(put_contacts(&app, &t, json!([{"name": "A", "relation": "b", "phone": "not a phone"}, {"name": "  ", "relation": "c", "phone": "07700 900126"}])), 422);
        assert!(p["errors"]["contacts[0].phone"].is_array() && p["errors"]["contacts[1].name"].is_array(), "{p}");
        assert_eq!(ok_json(app.get("/api/v1/me/family/emergency-contacts", Some(&t)), 200)["contacts"], two);

        // Collectors: the password is kept hashed and never returned.
        let url = format!("/api/v1/me/children/{}/collectors", mine.child);
        let added = ok_json(app.post(&url, Some(&t), &json!({"name": "Amira Khan", "relation": "grandmother", "password": "blue kite"})), 201);
        assert_eq!((added["has_password"].as_bool(), added.get("password")), (Some(true), None), "{added}");
        let plain = ok_json(app.post(&url, Some(&t), &json!({"name": "Sam Lee", "relation": "childminder"})), 201);
        assert_eq!(plain["has_password"], false);
        let list = ok_json(app.get(&url, Some(&t)), 200);
        assert_eq!(list["collectors"].as_array().unwrap().len(), 2);
        assert!(!list.to_string().contains("blue kite") && !list.to_string().contains("argon2"), "{list}");
        {
            use groupwork::db::schema::authorised_collectors as ac;
            let mut conn = app.state.pool.get().unwrap();
            let hash: Option<String> = ac::table.find(added["id"].as_i64().unwrap() as i32).select(ac::password_hash).first(&mut conn).unwrap();
            let hash = hash.unwrap();
            assert!(hash.starts_with("$argon2") && groupwork::auth::password::verify("blue kite", &hash), "{hash}");
        }
        problem(app.post(&url, Some(&t), &json!({"name": "X", "relation": "y", "password": "abc"})), 422);
        let del = app.req(Method::DELETE, &format!("{url}/{}", plain["id"]), Some(&t)).send().unwrap();
        assert_eq!(del.status(), 204);
        let del = app.req(Method::DELETE, &format!("{url}/{}", plain["id"]), Some(&t)).send().unwrap();
        assert_eq!(del.status(), 404);
        assert_eq!(ok_json(app.get(&url, Some(&t)), 200)["collectors"].as_array().unwrap().len(), 1);

        // Another family's child is not there for this parent.
        let other = &g.families[1];
        let theirs = format!("/api/v1/me/children/{}/collectors", other.child);
        problem(app.get(&theirs, Some(&t)), 404);
        problem(app.post(&theirs, Some(&t), &json!({"name": "Amira", "relation": "aunt"})), 404);
        problem(app.get(&format!("/api/v1/children/{}/care", mine.child), Some(&t)), 403);

        let trail = family_audit(&app, family);
        let actions: Vec<&str> = trail.iter().map(|(_, a, _)| a.as_str()).collect();
        assert!(actions.contains(&"emergency_contacts_updated") && actions.contains(&"collector_added") && actions.contains(&"collector_removed"), "{actions:?}");
        let updated = trail.iter().find(|(_, a, d)| a == "child_updated" && d.contains("allergies")).unwrap();
        assert!(!updated.2.contains("peanuts"), "the trail names fields, never values: {updated:?}");
    }
}

db_test! {
    fn only_those_who_need_to_know_read_a_childs_care(app) {
        let g = group(&app, 6, 2, 1);
        let mine = &g.families[0];
        let t = app.token_as(mine.user, Role::Parent);
        let family = family_id(&app, &t);
        ok_json(patch_child(&app, &t, mine.child, json!({"allergies": "sesame"})), 200);
        ok_json(put_contacts(&app, &t, json!([{"name": "Amira Khan", "relation": "grandmother", "phone": "07700 900123"},
                                               {"name": "Yusuf Khan", "relation": "uncle", "phone": "07700 900124"}])), 200);
        let url = format!("/api/v1/me/children/{}/collectors", mine.child);
        ok_json(app.post(&url, Some(&t), &json!({"name": "Amira Khan", "relation": "grandmother", "password": "blue kite"})), 201);
        let care = format!("/api/v1/children/{}/care", mine.child);

        // The crèche worker, the lead and a coordinator read it all.
        for (who, token) in [("creche", staff(&app, g.creche)), ("lead", staff(&app, g.lead)), ("coordinator", coordinator(&app, &g))] {
            let res = app.get(&care, Some(&token));
            assert_eq!(res.headers()["cache-control"], "no-store");
            let c = ok_json(res, 200);
            assert_eq!((c["child_id"].as_i64(), c["has_care_notes"].as_bool()), (Some(mine.child), Some(true)), "{who}: {c}");
            assert_eq!(c["care"]["allergies"], "sesame", "{who}");
            assert_eq!(c["emergency_contacts"][1]["name"], "Yusuf Khan", "{who}");
            assert_eq!(c["collectors"][0]["has_password"], true, "{who}");
            assert!(!c.to_string().contains("argon2") && !c.to_string().contains("blue kite"), "{who}: {c}");
        }
        // A co-facilitator of the cohort without the crèche role: the flag only.
        let c = ok_json(app.get(&care, Some(&staff(&app, g.co))), 200);
        assert_eq!(c, json!({"child_id": mine.child, "has_care_notes": true}));
        // A child without a crèche place in the cohort: not there for its team.
        let no_place = format!("/api/v1/children/{}/care", g.families[1].child);
        problem(app.get(&no_place, Some(&staff(&app, g.creche))), 404);

        // A crèche worker (and the lead) of another cohort: not found.
        let co = Coordinator::new(&app);
        let venue = co.venue("Stockwell Annexe", "lambeth-2014:Stockwell", 6);
        let (other_lead, other_lead_t) = co.staff_with_login("Ben Osei", &[("cosp_registered", None)]);
        let (other_creche, other_creche_t) = co.staff_with_login("Nadia Haddad", &[("paediatric_first_aid", None)]);
        let cohort = co.cohort("cosp", venue, "2026-03-05", "10:00", json!({"places": 6, "creche_workers": 1}))["id"].as_i64().unwrap();
        ok_json(co.set_team(cohort, json!({"lead": other_lead, "creche_workers": [other_creche]})), 200);
        let p = problem(app.get(&care, Some(&other_creche_t)), 404);
        assert!(!p.to_string().contains("sesame"), "{p}");
        problem(app.get(&care, Some(&other_lead_t)), 404);
        problem(app.get(&care, Some(&staff(&app, g.other))), 404);
        problem(app.get("/api/v1/children/424242/care", Some(&coordinator(&app, &g))), 404);

        // Every read, and every refusal, is in the family's trail.
        let trail = family_audit(&app, family);
        let reads: Vec<(Option<i32>, &str)> = trail.iter().filter(|(_, a, _)| a == "child_care_read").map(|(u, _, d)| (*u, d.as_str())).collect();
        let uid = |t: &str| Some(app.user_id(t) as i32);
        assert_eq!(reads, [(Some(g.creche as i32), "details"), (Some(g.lead as i32), "details"), (Some(g.coordinator as i32), "details"), (Some(g.co as i32), "flag only")]);
        let refused: Vec<Option<i32>> = trail.iter().filter(|(_, a, d)| a == "access_refused" && d.contains(&care)).map(|(u, _, _)| *u).collect();
        assert_eq!(refused, [uid(&other_creche_t), uid(&other_lead_t), Some(g.other as i32)]);
        // Refusals of another family's child are the other family's, not this one's.
        assert!(family_audit(&app, family).iter().all(|(_, _, d)| !d.contains(&no_place)));
    }
}
