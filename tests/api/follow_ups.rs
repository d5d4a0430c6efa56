//! Follow-up, not removal: two unexplained absences in a row open a follow-up for the lead and
//! co-facilitator; apologies and non-consecutive absences do not; a family who returns closes
//! theirs; only a confirmed `withdrew` gives up the place (and promotes the waiting list).

use crate::db_test;
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, problem};
use crate::registers::{coordinator, group, mark, staff};
use groupwork::domain::role::Role;
use serde_json::json;

db_test! {
    fn absences_open_follow_ups_and_a_return_closes_them(app) {
        let g = group(&app, 6, 4, 0);
        let ids: Vec<i64> = g.families.iter().map(|f| f.booking).collect();
        let (a, b, c, d) = (ids[0], ids[1], ids[2], ids[3]);
        let plan: [&[(i64, &str)]; 4] = [
            &[(a, "present"), (b, "present"), (c, "present"), (d, "present")],
            &[(a, "absent"), (b, "apologies"), (c, "absent"), (d, "absent")],
            &[(a, "absent"), (b, "absent"), (c, "present"), (d, "absent")],
            &[(a, "absent"), (b, "present"), (c, "absent"), (d, "late")],
        ];
        let open = |token: &str| ok_json(app.get("/api/v1/follow-ups?status=open", Some(token)), 200);
        for (n, marks) in plan.iter().enumerate() {
            g.at_session(&app, n + 1, 30);
            mark(&app, &g.register(n + 1), &staff(&app, g.lead), marks);
            let list = open(&staff(&app, g.co));
            let who: Vec<i64> = list["items"].as_array().unwrap().iter().map(|f| f["booking_id"].as_i64().unwrap()).collect();
            match n + 1 {
                1 | 2 => assert!(who.is_empty(), "after session {}: {list}", n + 1),
                // A and D missed sessions 2 and 3; B sent apologies for one; C came back between.
                3 => assert_eq!(who.iter().copied().collect::<std::collections::BTreeSet<_>>(), [a, d].into()),
                // D came back (late counts): closed as re-engaged; A is still followed up, once.
                _ => assert_eq!(who, [a]),
            }
        }
        let co = coordinator(&app, &g);
        let closed = ok_json(app.get("/api/v1/follow-ups?status=closed", Some(&co)), 200);
        assert_eq!(closed["total"], 1);
        assert_eq!((closed["items"][0]["booking_id"].as_i64(), closed["items"][0]["outcome"].as_str()), (Some(d), Some("reengaged")));
        // A follow-up never changes the booking by itself.
        let a_token = app.token_as(g.families[0].user, Role::Parent);
        assert_eq!(ok_json(app.get(&format!("/api/v1/bookings/{a}"), Some(&a_token)), 200)["status"], "confirmed");

        // The lead records a contact attempt, then closes it.
        let lead = staff(&app, g.lead);
        let f = open(&lead)["items"][0].clone();
        let url = format!("/api/v1/follow-ups/{}", f["id"]);
        assert_eq!(f["trigger_session_id"], g.sessions[2].0);
        let p = problem(app.patch(&url, Some(&lead), &json!({"contact": {"at": "2030-01-01T10:00:00Z", "method": "phone", "reached": false}})), 422);
        assert!(p["errors"]["contact.at"].is_array(), "{p}");
        problem(app.patch(&url, Some(&lead), &json!({"outcome": "gone"})), 422);
        let at = (app.state.now() - chrono::Duration::hours(1)).to_rfc3339();
        let f = ok_json(app.patch(&url, Some(&lead), &json!({"contact": {"at": at, "method": "phone", "reached": true, "note": "Baby unwell; coming back next week"}})), 200);
        assert_eq!(f["contacts"][0]["reached"], true);
        let f = ok_json(app.patch(&url, Some(&lead), &json!({"outcome": "will_rejoin_later", "note": "Rejoining next week"})), 200);
        assert_eq!((f["status"].as_str(), f["outcome"].as_str()), (Some("closed"), Some("will_rejoin_later")));
        problem(app.patch(&url, Some(&lead), &json!({"note": "again"})), 409);
        assert_eq!(ok_json(app.get(&format!("/api/v1/bookings/{a}"), Some(&app.token_as(g.families[0].user, Role::Parent))), 200)["status"], "confirmed");

        // Still away at session 5: the same run of absences is not chased twice.
        g.at_session(&app, 5, 30);
        mark(&app, &g.register(5), &staff(&app, g.lead), &[(a, "absent")]);
        assert_eq!(open(&staff(&app, g.lead))["total"], 0);

        // Not theirs: another group's facilitator sees none and cannot touch one; parents cannot.
        let other = staff(&app, g.other);
        assert_eq!(ok_json(app.get("/api/v1/follow-ups", Some(&other)), 200)["total"], 0);
        problem(app.patch(&url, Some(&other), &json!({"note": "mine"})), 404);
        problem(app.get("/api/v1/follow-ups", Some(&app.token_as(g.families[0].user, Role::Parent))), 403);
        problem(app.patch(&url, Some(&staff(&app, g.creche)), &json!({"note": "mine"})), 404);
    }
}

db_test! {
    fn withdrew_frees_the_place_and_promotes_the_waiting_list(app) {
        // A programme that follows up after one unexplained absence, so the waiting list can
        // still be promoted (promotion stops once the second session starts).
        let admin = app.user_token(Role::Admin);
        ok_json(app.post("/api/v1/programmes", Some(&admin), &json!({"code": "baby-massage", "name": "Baby massage",
            "session_count": 4, "session_minutes": 60, "min_age_months": 0, "max_age_months": 12,
            "completion_threshold": 3, "follow_up_after_absences": 1})), 201);
        let co = Coordinator::new(&app);
        let venue = co.venue("Tulse Hill Children's Centre", "lambeth-2014:Tulse Hill", 0);
        let (lead, lead_t) = co.staff_with_login("Aisha Khan", &[]);
        let made = co.cohort("baby-massage", venue, "2026-03-03", "10:00", json!({"places": 1}));
        let cohort = made["id"].as_i64().unwrap();
        ok_json(co.set_team(cohort, json!({"lead": lead})), 200);
        ok_json(co.publish(cohort), 200);
        let lead_user = app.user_id(&lead_t);
        let mut families = Vec::new();
        for i in 0..2 {
            let t = app.register_parent(&format!("massage{i}@example.org"))["access_token"].as_str().unwrap().to_string();
            ok_json(app.post("/api/v1/me/children", Some(&t), &json!({"first_name": "Baby", "date_of_birth": "2025-12-01"})), 201);
            let b = ok_json(app.post(&format!("/api/v1/cohorts/{cohort}/bookings"), Some(&t), &json!({})), 201);
            families.push((app.user_id(&t), b["id"].as_i64().unwrap(), b["status"].as_str().unwrap().to_string()));
        }
        assert_eq!((families[0].2.as_str(), families[1].2.as_str()), ("confirmed", "waitlisted"));
        let s1 = made["sessions"][0]["id"].as_i64().unwrap();
        let start: chrono::DateTime<chrono::Utc> = made["sessions"][0]["starts_at"].as_str().unwrap().parse().unwrap();
        app.clock.set(start + chrono::Duration::minutes(20));
        let lead = app.token_as(lead_user, Role::Facilitator);
        mark(&app, &format!("/api/v1/sessions/{s1}/register"), &lead, &[(families[0].1, "absent")]);
        let list = ok_json(app.get("/api/v1/follow-ups?status=open", Some(&lead)), 200);
        assert_eq!(list["total"], 1);
        let url = format!("/api/v1/follow-ups/{}", list["items"][0]["id"]);
        // `withdrew` must be confirmed: the place will be given up.
        let p = problem(app.patch(&url, Some(&lead), &json!({"outcome": "withdrew"})), 422);
        assert!(p["errors"]["confirm_withdrawal"].is_array(), "{p}");
        let first = app.token_as(families[0].0, Role::Parent);
        assert_eq!(ok_json(app.get(&format!("/api/v1/bookings/{}", families[0].1), Some(&first)), 200)["status"], "confirmed");
        ok_json(app.patch(&url, Some(&lead), &json!({"outcome": "withdrew", "confirm_withdrawal": true, "note": "Moved away"})), 200);
        assert_eq!(ok_json(app.get(&format!("/api/v1/bookings/{}", families[0].1), Some(&first)), 200)["status"], "withdrawn");
        let second = app.token_as(families[1].0, Role::Parent);
        assert_eq!(ok_json(app.get(&format!("/api/v1/bookings/{}", families[1].1), Some(&second)), 200)["status"], "confirmed");
        let notes = ok_json(app.get("/api/v1/me/notifications", Some(&second)), 200);
        assert_eq!(notes["items"][0]["kind"], "promoted");
        let mut conn = app.state.pool.get().unwrap();
        let audit = groupwork::store::audit::for_entity(&mut conn, "follow_up", list["items"][0]["id"].as_i64().unwrap() as i32).unwrap();
        let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).filter(|a| *a != "family_read").collect();
        assert_eq!(actions, ["follow_up_opened", "follow_up_closed"]);
        assert!(audit.iter().all(|a| a.actor_user_id == Some(lead_user as i32)));
    }
}
