//! The crèche register that matches the room (issue 17 item 3): each child's age, care notes
//! (the details only for those who need to know, every read audited), key person, and a sign-out
//! only to someone who may collect the child, or on a coordinator's word.

use crate::child_care::{family_audit, family_id, patch_child, put_contacts};
use crate::db_test;
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, problem, TestApp};
use crate::registers::{coordinator, group, put, read, staff, Group};
use groupwork::domain::role::Role;
use reqwest::Method;
use serde_json::{json, Value};

fn key_person(
    app: &TestApp,
    g: &Group,
    child: i64,
    token: &str,
    body: &Value,
) -> reqwest::blocking::Response {
    let url = format!("/api/v1/cohorts/{}/creche/key-persons/{child}", g.cohort);
    app.req(Method::PUT, &url, Some(token))
        .json(body)
        .send()
        .unwrap()
}

/// The first family's child gets care notes, two emergency contacts and a collector with a
/// collection password; returns (family id, collector id).
fn care_for_first_child(app: &TestApp, g: &Group) -> (i64, i64) {
    let mine = &g.families[0];
    let t = app.token_as(mine.user, Role::Parent);
    ok_json(
        patch_child(
            app,
            &t,
            mine.child,
            json!({"allergies": "sesame", "medicines": "inhaler",
        "medicines_consent": true, "medicines_consent_date": "2026-02-01"}),
        ),
        200,
    );
    ok_json(
        put_contacts(
            app,
            &t,
            json!([{"name": "Amira Khan", "relation": "grandmother", "phone": "07700 900123"},
                                          {"name": "Yusuf Khan", "relation": "uncle", "phone": "07700 900124"}]),
        ),
        200,
    );
    let url = format!("/api/v1/me/children/{}/collectors", mine.child);
    let c = ok_json(
        app.post(
            &url,
            Some(&t),
            &json!({"name": "Amira Khan", "relation": "grandmother", "password": "blue kite"}),
        ),
        201,
    );
    (family_id(app, &t), c["id"].as_i64().unwrap())
}

db_test! {
    fn the_creche_register_shows_care_and_key_persons_to_those_who_need_to_know(app) {
        let g = group(&app, 6, 2, 1);
        let (family, _) = care_for_first_child(&app, &g);
        let child = g.families[0].child;

        // Key persons: the lead (or a coordinator) names one of the group's crèche workers.
        let maria = json!({"staff_id": g.creche_staff});
        problem(key_person(&app, &g, child, &staff(&app, g.co), &maria), 403);
        problem(key_person(&app, &g, child, &staff(&app, g.creche), &maria), 403);
        problem(key_person(&app, &g, child, &staff(&app, g.other), &maria), 404);
        problem(key_person(&app, &g, g.families[1].child, &staff(&app, g.lead), &maria), 404);
        let co = Coordinator::new(&app);
        let (not_creche, _) = co.staff_with_login("Ben Osei", &[]);
        let p = problem(key_person(&app, &g, child, &staff(&app, g.lead), &json!({"staff_id": not_creche})), 422);
        assert!(p["errors"]["staff_id"].is_array(), "{p}");
        let k = ok_json(key_person(&app, &g, child, &staff(&app, g.lead), &maria), 200);
        assert_eq!((k["child_id"].as_i64(), k["name"].as_str()), (Some(child), Some("Maria Santos")));
        let list = ok_json(app.get(&format!("/api/v1/cohorts/{}/creche/key-persons", g.cohort), Some(&staff(&app, g.creche))), 200);
        assert_eq!(list["items"][0]["staff_id"].as_i64(), Some(g.creche_staff));

        g.at_session(&app, 1, 10);
        let path = g.register(1);
        // The crèche worker reads what she needs: age, notes, whom to call, who may collect.
        let (reg, _) = read(&app, &path, &staff(&app, g.creche));
        let entry = &reg["creche"]["children"][0];
        assert_eq!(entry["age_months"], 9, "{entry}");
        assert_eq!(entry["has_care_notes"], true);
        assert_eq!(entry["care_flags"], json!({"allergies": true, "dietary_needs": false, "medical_needs": false, "medicines": true, "additional_needs": false}));
        assert_eq!(entry["key_person"], json!({"staff_id": g.creche_staff, "name": "Maria Santos"}));
        assert_eq!(entry["care"]["allergies"], "sesame");
        assert_eq!(entry["care"]["medicines_consent_date"], "2026-02-01");
        assert_eq!(entry["care"]["emergency_contacts"][0]["phone"], "07700 900123");
        assert_eq!(entry["care"]["carers"], reg["families"][0]["carers_names"]);
        assert_eq!(entry["care"]["collectors"][0]["name"], "Amira Khan");
        assert_eq!(entry["care"]["collectors"][0]["password_required"], true);
        assert!(!entry.to_string().contains("argon2") && !entry.to_string().contains("blue kite"));
        let (reg, _) = read(&app, &path, &staff(&app, g.lead));
        assert_eq!(reg["creche"]["children"][0]["care"]["allergies"], "sesame");
        let (reg, _) = read(&app, &path, &coordinator(&app, &g));
        assert_eq!(reg["creche"]["children"][0]["care"]["allergies"], "sesame");
        // A co-facilitator without the crèche role: that there are notes, not what they say.
        let (reg, _) = read(&app, &path, &staff(&app, g.co));
        let entry = &reg["creche"]["children"][0];
        assert_eq!((entry["has_care_notes"].clone(), entry["care"].clone()), (json!(true), json!(null)));
        assert_eq!(entry["care_flags"]["allergies"], true);
        assert!(!reg.to_string().contains("sesame") && !reg.to_string().contains("07700 900123"), "{reg}");
        // Another group's facilitator: not found, and nothing of the child.
        let p = problem(app.get(&path, Some(&staff(&app, g.other))), 404);
        assert!(!p.to_string().contains("sesame"));

        // Every read is in the family's trail, with what was shown.
        let reads: Vec<(Option<i32>, String)> = family_audit(&app, family)
            .into_iter()
            .filter(|(_, a, d)| a == "child_care_read" && d.contains("register of session"))
            .map(|(u, _, d)| (u, d.split(',').next().unwrap().to_string()))
            .collect();
        let who = |u: i64, d: &str| (Some(u as i32), d.to_string());
        assert_eq!(reads, [who(g.creche, "details"), who(g.lead, "details"), who(g.coordinator, "details"), who(g.co, "flag only")]);
        let assigned = family_audit(&app, family).into_iter().filter(|(_, a, _)| a == "key_person_assigned").count();
        assert_eq!(assigned, 1);

        // Removing the key person: the lead; then it is gone from the register.
        let url = format!("/api/v1/cohorts/{}/creche/key-persons/{child}", g.cohort);
        assert_eq!(app.req(Method::DELETE, &url, Some(&staff(&app, g.co))).send().unwrap().status(), 403);
        assert_eq!(app.req(Method::DELETE, &url, Some(&staff(&app, g.lead))).send().unwrap().status(), 204);
        problem(app.req(Method::DELETE, &url, Some(&staff(&app, g.lead))).send().unwrap(), 404);
        let (reg, _) = read(&app, &path, &staff(&app, g.creche));
        assert_eq!(reg["creche"]["children"][0]["key_person"], json!(null));
    }
}

db_test! {
    fn a_child_goes_home_only_with_someone_who_may_collect_them(app) {
        let g = group(&app, 6, 2, 1);
        let (family, amira) = care_for_first_child(&app, &g);
        let child = g.families[0].child;
        // Someone listed for the other family's child is nobody to this one.
        let t1 = app.token_as(g.families[1].user, Role::Parent);
        let url = format!("/api/v1/me/children/{}/collectors", g.families[1].child);
        let stranger = ok_json(app.post(&url, Some(&t1), &json!({"name": "Lee Grant", "relation": "neighbour"})), 201)["id"].clone();

        g.at_session(&app, 1, 5);
        let path = g.register(1);
        let maria = staff(&app, g.creche);
        let (_, e) = read(&app, &path, &maria);
        let signed_in = json!({"creche": [{"child_id": child, "signed_in_at": "2026-03-03T10:05:00Z"}]});
        let (_, e) = { let r = put(&app, &path, &maria, Some(&e), &signed_in); let t = r.headers()["etag"].to_str().unwrap().to_string(); (ok_json(r, 200), t) };
        g.at_session(&app, 1, 115);
        let maria = staff(&app, g.creche);
        let out = |extra: Value| {
            let mut entry = json!({"child_id": child, "signed_in_at": "2026-03-03T10:05:00Z", "signed_out_at": "2026-03-03T11:52:00Z"});
            entry.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            json!({"creche": [entry]})
        };

        // Refused, each with the field and words for the door; nothing changes.
        for (extra, field) in [
            (json!({"collected_by": "Someone Else"}), "collected_by"),
            (json!({"collector_id": amira}), "collection_password"),
            (json!({"collector_id": amira, "collection_password": "red kite"}), "collection_password"),
            (json!({"collector_id": stranger, "collected_by": "Lee Grant"}), "collector_id"),
        ] {
            let p = problem(put(&app, &path, &maria, Some(&e), &out(extra.clone())), 422);
            assert!(p["errors"][format!("creche[0].{field}")].is_array(), "{extra}: {p}");
        }
        let p = problem(put(&app, &path, &maria, Some(&e), &out(json!({"collected_by": "Someone Else", "override_reason": "she says she is the aunt"}))), 403);
        assert!(p["detail"].as_str().unwrap().contains("coordinator"), "{p}");
        let (reg, now) = read(&app, &path, &maria);
        assert_eq!(now, e, "refused sign-outs changed nothing");
        assert_eq!(reg["creche"]["children"][0]["signed_out_at"], json!(null));

        // The listed collector with the right password: signed out to her.
        let right = out(json!({"collector_id": amira, "collection_password": "blue kite"}));
        let res = put(&app, &path, &maria, Some(&e), &right);
        let after = res.headers()["etag"].to_str().unwrap().to_string();
        let reg = ok_json(res, 200);
        let entry = &reg["creche"]["children"][0];
        assert_eq!((entry["collector_id"].as_i64(), entry["collected_by"].as_str()), (Some(amira), Some("Amira Khan")));
        assert_eq!(entry["collection_override"], json!(null));
        // Sent again (a retried request, the password not asked again): nothing changes.
        let again = out(json!({"collector_id": amira}));
        let res = put(&app, &path, &maria, Some(&after), &again);
        assert_eq!(res.headers()["etag"].to_str().unwrap(), after);
        ok_json(res, 200);
        // A tablet still holding the older ETag cannot change who collected the child.
        let stale = out(json!({"collected_by": reg["families"][0]["carers_names"][0].clone()}));
        problem(put(&app, &path, &maria, Some(&e), &stale), 412);
        assert_eq!(read(&app, &path, &maria).0["creche"]["children"][0]["collector_id"].as_i64(), Some(amira));
        // A carer of the family, by name, needs no list.
        let carer = out(json!({"collected_by": reg["families"][0]["carers_names"][0].clone()}));
        let reg = ok_json(put(&app, &path, &maria, Some(&after), &carer), 200);
        assert_eq!(reg["creche"]["children"][0]["collector_id"], json!(null));

        // A coordinator lets someone not on the list collect the child, with a reason: audited.
        let coordinator = coordinator(&app, &g);
        let (_, e) = read(&app, &path, &coordinator);
        let p = problem(put(&app, &path, &coordinator, Some(&e), &out(json!({"collected_by": "Jo Parry"}))), 422);
        assert!(p["errors"]["creche[0].collected_by"].is_array(), "an override needs a reason: {p}");
        let reason = "Jo is the aunt; mum phoned the centre at 11:40";
        let reg = ok_json(put(&app, &path, &coordinator, Some(&e), &out(json!({"collected_by": "Jo Parry", "override_reason": reason}))), 200);
        let entry = &reg["creche"]["children"][0];
        assert_eq!((entry["collected_by"].as_str(), entry["collection_override"].as_str()), (Some("Jo Parry"), Some(reason)));
        let overrides: Vec<(Option<i32>, String)> = family_audit(&app, family)
            .into_iter()
            .filter(|(_, a, _)| a == "creche_collection_override")
            .map(|(u, _, d)| (u, d))
            .collect();
        assert_eq!(overrides.len(), 1, "{overrides:?}");
        assert_eq!(overrides[0].0, Some(g.coordinator as i32));
        assert!(!overrides[0].1.contains("Jo Parry"), "the trail keeps no names: {overrides:?}");
    }
}
