//! Who sees the families booked on a cohort: coordinators everything; the cohort's lead and
//! co-facilitators what running and following up a group needs; crèche workers no contact
//! details; other facilitators nothing (404). Every read is audited with its reader.

use crate::db_test;
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, problem};
use serde_json::json;

db_test! {
    fn facilitators_see_only_their_cohorts_families_and_only_what_they_need(app) {
        let co = Coordinator::new(&app);
        let venue = co.venue("Stockwell Children's Centre", "lambeth-2014:Stockwell", 10);
        let (lead, lead_t) = co.staff_with_login("Grace Adeyemi", &[("cosp_registered", None)]);
        let (tom, tom_t) = co.staff_with_login("Tom Reilly", &[]);
        let (maria, maria_t) = co.staff_with_login("Maria Santos", &[("paediatric_first_aid", None)]);
        let (_, other_t) = co.staff_with_login("Ola Nowak", &[("cosp_registered", None)]);
        let cohort = co.cohort("cosp", venue, "2026-03-03", "10:00", json!({"places": 1, "creche_workers": 1}))["id"].as_i64().unwrap();
        ok_json(co.set_team(cohort, json!({"lead": lead, "co_facilitators": [tom], "creche_workers": [maria]})), 200);
        ok_json(co.publish(cohort), 200);

        let amina = app.register_parent("amina@example.org")["access_token"].as_str().unwrap().to_string();
        ok_json(app.req(reqwest::Method::PUT, "/api/v1/me/family", Some(&amina)).json(&json!({
            "carers": ["Amina Bello"], "phone": "07700 900123", "email": "amina@example.org", "postcode": "SW9 8LF",
            "preferred_language": "so", "interpreter_needed": true, "access_needs": "Step-free access",
            "referral_source": "health_visitor", "consent_to_contact": true})).send().unwrap(), 200);
        let baby = ok_json(app.post("/api/v1/me/children", Some(&amina), &json!({"first_name": "Idris", "date_of_birth": "2025-06-01"})), 201);
        let booked = ok_json(app.post(&format!("/api/v1/cohorts/{cohort}/bookings"), Some(&amina), &json!({"creche_child_ids": [baby["id"]]})), 201);
        assert_eq!(booked["status"], "confirmed");
        let waiting = app.register_parent("waiting@example.org")["access_token"].as_str().unwrap().to_string();
        ok_json(app.post("/api/v1/me/children", Some(&waiting), &json!({"first_name": "Zara", "date_of_birth": "2025-02-01"})), 201);
        assert_eq!(ok_json(app.post(&format!("/api/v1/cohorts/{cohort}/bookings"), Some(&waiting), &json!({})), 201)["status"], "waitlisted");

        let url = format!("/api/v1/cohorts/{cohort}/bookings");
        // The coordinator: both bookings, with contact details.
        let all = ok_json(app.get(&url, co.t()), 200);
        assert_eq!((all["total"].as_i64(), all["confirmed"].as_i64(), all["waitlisted"].as_i64()), (Some(2), Some(1), Some(1)));
        assert_eq!(all["items"][0]["contact"]["email"], "amina@example.org");
        assert_eq!(all["items"][0]["phone"], "07700 900123");

        // The lead and the co-facilitator: the confirmed family, its phone for follow-up, no
        // email, postcode or referral source; the waiting list is the coordinator's business.
        for t in [&lead_t, &tom_t] {
            let mine = ok_json(app.get(&url, Some(t)), 200);
            assert_eq!(mine["total"], 1, "{mine}");
            let f = &mine["items"][0];
            assert_eq!(f["id"], booked["id"]);
            assert_eq!(f["carers_names"], json!(["Amina Bello"]));
            assert_eq!(f["creche_children"], json!([{"id": baby["id"], "first_name": "Idris", "date_of_birth": "2025-06-01"}]));
            assert_eq!((f["preferred_language"].as_str(), f["interpreter_needed"].as_bool()), (Some("so"), Some(true)));
            assert_eq!(f["access_needs"], "Step-free access");
            assert_eq!(f["phone"], "07700 900123");
            assert!(f.get("contact").is_none(), "{f}");
            let text = mine.to_string();
            assert!(!text.contains("amina@example.org") && !text.contains("SW9") && !text.contains("health_visitor"), "{text}");
        }
        // The crèche worker: the children, not the phone.
        let creche = ok_json(app.get(&url, Some(&maria_t)), 200);
        assert_eq!(creche["items"][0]["creche_children"][0]["first_name"], "Idris");
        assert!(creche["items"][0].get("phone").is_none(), "{creche}");

        // Someone else's cohort is not there at all; a parent is not staff.
        problem(app.get(&url, Some(&other_t)), 404);
        problem(app.get(&url, Some(&amina)), 403);
        problem(app.get("/api/v1/cohorts/424242/bookings", Some(&lead_t)), 404);

        // Each read is in the audit trail with its reader: coordinator, lead, co-facilitator,
        // crèche worker; the refused reads left nothing.
        let ids: Vec<i64> = [co.t().unwrap(), &lead_t, &tom_t, &maria_t]
            .iter()
            .map(|t| ok_json(app.get("/api/v1/me", Some(t)), 200)["id"].as_i64().unwrap())
            .collect();
        let mut conn = app.state.pool.get().unwrap();
        let audit = groupwork::store::audit::for_entity(&mut conn, "booking", booked["id"].as_i64().unwrap() as i32).unwrap();
        let readers: Vec<i64> = audit.iter().filter(|a| a.action == "family_read").filter_map(|a| a.actor_user_id.map(i64::from)).collect();
        assert_eq!(readers, ids, "{audit:?}");
        assert!(audit.iter().all(|a| a.family_id.is_some()));
    }
}
