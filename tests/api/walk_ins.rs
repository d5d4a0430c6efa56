//! Walk-ins on the group register (issue 17 item 5): a family who came without a booking is
//! booked on the spot when the group has a place (and marked present), or is a one-off visitor
//! of the session when it has none; attendance and the monitoring figures count them.

use crate::db_test;
use crate::helpers::{ok_json, problem, TestApp};
use crate::registers::{coordinator, group, read, staff, Group};
use groupwork::domain::role::Role;
use reqwest::blocking::Response;
use reqwest::Method;
use serde_json::{json, Value};

fn walk_in(app: &TestApp, g: &Group, n: usize, token: &str, body: &Value) -> Response {
    let path = format!("/api/v1/sessions/{}/register/walk-ins", g.sessions[n - 1].0);
    app.post(&path, Some(token), body)
}

/// A parent's family, registered with a baby and booked nowhere: its id.
fn family_booked_nowhere(app: &TestApp, email: &str) -> i64 {
    let t = app.register_parent(email)["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let baby = json!({"first_name": "Baby", "date_of_birth": "2025-07-01"});
    ok_json(app.post("/api/v1/me/children", Some(&t), &baby), 201);
    ok_json(app.get("/api/v1/me/family", Some(&t)), 200)["id"]
        .as_i64()
        .unwrap()
}

/// The March report's total, as JSON and as the CSV's total row read by column name.
fn report_total(app: &TestApp, g: &Group) -> (Value, std::collections::BTreeMap<String, String>) {
    let co = coordinator(app, g);
    let url = "/api/v1/reports/summary?from=2026-03-01&to=2026-03-31";
    let total = ok_json(app.get(url, Some(&co)), 200)["total"].clone();
    let csv = app
        .get(&format!("{url}&format=csv"), Some(&co))
        .text()
        .unwrap();
    let lines: Vec<&str> = csv.split_terminator("\r\n").collect();
    let cells = |l: &str| l.split(',').map(String::from).collect::<Vec<_>>();
    let row = cells(lines[0])
        .into_iter()
        .zip(cells(lines.last().unwrap()))
        .collect();
    (total, row)
}

fn summary(app: &TestApp, g: &Group) -> Value {
    let url = format!("/api/v1/cohorts/{}/summary", g.cohort);
    ok_json(app.get(&url, Some(&coordinator(app, g))), 200)
}

/// (places left in the public listing, confirmed booking rows, the stored confirmed count).
fn places(app: &TestApp, cohort: i64) -> (i64, i64, i32) {
    let listing = ok_json(app.get("/api/v1/listings?limit=100", None), 200);
    let item = listing["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["cohort_id"] == cohort)
        .unwrap()
        .clone();
    let (rows, count) = crate::races::stored(app, cohort);
    (item["places_left"].as_i64().unwrap(), rows, count)
}

fn audit_actions(app: &TestApp, entity: &str, id: i64) -> Vec<(String, Option<i32>)> {
    let mut conn = app.state.pool.get().unwrap();
    groupwork::store::audit::for_entity(&mut conn, entity, id as i32)
        .unwrap()
        .into_iter()
        .map(|a| (a.action, a.family_id))
        .collect()
}

db_test! {
    fn a_walk_in_family_is_booked_marked_present_and_counted(app) {
        // Four places, two families booked: two places left.
        let g = group(&app, 4, 2, 0);
        let known = family_booked_nowhere(&app, "came-along@example.org");
        g.at_session(&app, 1, 20);
        let (lead, co) = (staff(&app, g.lead), coordinator(&app, &g));
        let (_, before) = read(&app, &g.register(1), &lead);
        assert_eq!(places(&app, g.cohort).0, 2);

        // A coordinator adds a family already recorded.
        let res = walk_in(&app, &g, 1, &co, &json!({"family_id": known}));
        let etag = res.headers()["etag"].to_str().unwrap().to_string();
        let first = ok_json(res, 201);
        assert_eq!((first["outcome"].as_str(), first["family_id"].as_i64(), first["new_family"].as_bool()), (Some("booked"), Some(known), Some(false)), "{first}");
        assert!(first["booking_id"].is_i64() && first["visitor_id"].is_null(), "{first}");
        assert_ne!(etag, before, "the register's version moved on");
        // The lead records a family on the spot: two carers came.
        let new_family = json!({"carers": ["Amina Yusuf", "Hassan Yusuf"], "phone": "07700 900321", "preferred_language": "so"});
        let second = ok_json(walk_in(&app, &g, 1, &lead, &json!({"new_family": new_family, "carers": 2})), 201);
        assert_eq!((second["outcome"].as_str(), second["new_family"].as_bool(), second["carers"].as_i64()), (Some("booked"), Some(true), Some(2)), "{second}");
        let (walked, made) = (first["booking_id"].as_i64().unwrap(), second["booking_id"].as_i64().unwrap());

        // Both are on the register, walked in and marked present; the ETag is the answer's.
        let (reg, now) = read(&app, &g.register(1), &lead);
        assert_ne!(now, etag);
        let row = |b: i64| reg["families"].as_array().unwrap().iter().find(|f| f["booking_id"] == b).unwrap().clone();
        for b in [walked, made] {
            let f = row(b);
            assert_eq!((f["walk_in"].as_bool(), f["mark"].as_str(), f["booking_status"].as_str()), (Some(true), Some("present"), Some("confirmed")), "{f}");
        }
        assert_eq!(row(made)["carers_names"], json!(["Amina Yusuf", "Hassan Yusuf"]));
        assert_eq!(row(made)["carers"], 2);
        assert_eq!(row(g.families[0].booking)["walk_in"], false);
        assert_eq!((reg["counts"]["present"].as_i64(), reg["counts"]["unmarked"].as_i64(), reg["counts"]["visitors"].as_i64()), (Some(2), Some(2), Some(0)), "{}", reg["counts"]);
        assert_eq!(reg["visitors"], json!([]));
        // They hold places now: the group is full.
        assert_eq!(places(&app, g.cohort), (0, 4, 4));
        // A family who has a place is marked on the register, not walked in again.
        let p = problem(walk_in(&app, &g, 1, &lead, &json!({"family_id": known})), 409);
        assert!(p["detail"].as_str().unwrap().contains("mark them on the register"), "{p}");

        // The monitoring figures count them as any family booked and reached, in JSON and CSV.
        let (total, csv) = report_total(&app, &g);
        assert_eq!((total["families_booked"].as_i64(), total["families_reached"].as_i64(), total["marks_attended"].as_i64(), total["visitor_attendances"].as_i64()), (Some(4), Some(2), Some(2), Some(0)), "{total}");
        assert_eq!((csv["families_reached"].as_str(), csv["visitor_attendances"].as_str()), ("2", "0"), "{csv:?}");
        let s = summary(&app, &g);
        let walked_in: Vec<&Value> = s["families"].as_array().unwrap().iter().filter(|f| f["walk_in"] == true).collect();
        assert_eq!(walked_in.len(), 2, "{s}");
        assert!(walked_in.iter().all(|f| f["attended"] == 1), "{s}");
        assert_eq!((s["sessions"][0]["present"].as_i64(), s["sessions"][0]["visitors"].as_i64(), s["visitor_attendances"].as_i64()), (Some(2), Some(0), Some(0)), "{s}");

        // Audited as walk-ins, naming the family; the new family was enrolled by the lead.
        assert!(audit_actions(&app, "booking", walked).contains(&("walk_in_booked".into(), Some(known as i32))));
        let family = second["family_id"].as_i64().unwrap();
        assert!(audit_actions(&app, "family", family).iter().any(|(a, _)| a == "family_enrolled"));
        // Told of their place as any booked family is.
        let mut conn = app.state.pool.get().unwrap();
        let told = groupwork::store::messages::of_family(&mut conn, family as i32).unwrap();
        assert!(told.iter().any(|m| m.kind == groupwork::domain::message::MessageKind::BookingConfirmed), "{told:?}");
        drop(conn);
        // The lead may now read the family recorded on the spot (a family of their group).
        ok_json(app.get(&format!("/api/v1/families/{family}"), Some(&lead)), 200);

        // A family recorded on the spot is checked as any family staff enrol, under new_family.
        let p = problem(walk_in(&app, &g, 1, &lead, &json!({"new_family": {"carers": ["Someone"], "phone": "not a phone", "preferred_language": "en"}})), 422);
        assert!(p["errors"]["new_family.phone"].is_array(), "{p}");
        let p = problem(walk_in(&app, &g, 1, &lead, &json!({"new_family": {"carers": ["Someone"], "preferred_language": "en"}})), 422);
        assert!(p["errors"]["new_family.contact_by"].is_array(), "nobody to tell: {p}");
        // The same phone number again: a coordinator is named the family, as when enrolling.
        let again = json!({"new_family": {"carers": ["Amina Y."], "phone": "07700900321", "preferred_language": "so"}});
        let p = problem(walk_in(&app, &g, 1, &co, &again), 409);
        assert_eq!(p["existing_family_ids"], json!([family]), "{p}");
    }
}

db_test! {
    fn a_walk_in_on_a_full_group_is_a_visitor_and_takes_no_place(app) {
        // Two places, both taken; a third family waits for one.
        let g = group(&app, 2, 2, 0);
        let waiting = family_booked_nowhere(&app, "waiting@example.org");
        let co = coordinator(&app, &g);
        let url = format!("/api/v1/cohorts/{}/bookings", g.cohort);
        assert_eq!(ok_json(app.post(&url, Some(&co), &json!({"family_id": waiting})), 201)["status"], "waitlisted");
        g.at_session(&app, 1, 20);
        let (lead, co) = (staff(&app, g.lead), coordinator(&app, &g));
        let full = places(&app, g.cohort);
        assert_eq!(full, (0, 2, 2));
        let (_, before) = read(&app, &g.register(1), &lead);

        let body = json!({"new_family": {"carers": ["Joy Mensah"], "email": "joy@example.org", "preferred_language": "en"}});
        let res = walk_in(&app, &g, 1, &lead, &body);
        let etag = res.headers()["etag"].to_str().unwrap().to_string();
        let visit = ok_json(res, 201);
        assert_eq!((visit["outcome"].as_str(), visit["visitor_reason"].as_str()), (Some("visitor"), Some("group_full")), "{visit}");
        assert!(visit["booking_id"].is_null() && visit["visitor_id"].is_i64(), "{visit}");
        let joy = visit["family_id"].as_i64().unwrap();
        // The family waiting for a place comes along too: a visitor, still waiting.
        let other = ok_json(walk_in(&app, &g, 1, &co, &json!({"family_id": waiting, "carers": 2})), 201);
        assert_eq!((other["outcome"].as_str(), other["visitor_reason"].as_str()), (Some("visitor"), Some("on_waiting_list")), "{other}");

        // No place taken, no booking made.
        assert_eq!(places(&app, g.cohort), full);
        let list = ok_json(app.get(&url, Some(&co)), 200);
        assert_eq!((list["confirmed"].as_i64(), list["waitlisted"].as_i64()), (Some(2), Some(1)), "{list}");
        // The register lists them apart from the families booked; its version moved on.
        let (reg, now) = read(&app, &g.register(1), &lead);
        assert_ne!(before, etag);
        assert_ne!(now, before);
        assert_eq!(reg["families"].as_array().unwrap().len(), 2);
        let visitors = reg["visitors"].as_array().unwrap();
        assert_eq!(visitors.len(), 2, "{reg}");
        assert_eq!((visitors[0]["family_id"].as_i64(), visitors[0]["carers_names"].clone(), visitors[0]["carers"].as_i64()), (Some(joy), json!(["Joy Mensah"]), Some(1)));
        assert_eq!((visitors[1]["family_id"].as_i64(), visitors[1]["carers"].as_i64()), (Some(waiting), Some(2)));
        assert_eq!((reg["counts"]["visitors"].as_i64(), reg["counts"]["present"].as_i64()), (Some(2), Some(0)));
        // Once per session: the lead (who may now name Joy's family) cannot add her again.
        let p = problem(walk_in(&app, &g, 1, &lead, &json!({"family_id": joy})), 409);
        assert!(p["detail"].as_str().unwrap().contains("visitor"), "{p}");
        // Audited against the session, naming the family.
        let trail = audit_actions(&app, "session", g.sessions[0].0);
        assert_eq!(trail.iter().filter(|(a, _)| a == "walk_in_visitor").count(), 2, "{trail:?}");
        assert!(trail.contains(&("walk_in_visitor".into(), Some(joy as i32))));

        // Counted as visitor attendances only: not booked, not reached.
        let (total, csv) = report_total(&app, &g);
        assert_eq!((total["families_booked"].as_i64(), total["families_reached"].as_i64(), total["marks_recorded"].as_i64(), total["visitor_attendances"].as_i64()), (Some(2), Some(0), Some(0), Some(2)), "{total}");
        assert_eq!(csv["visitor_attendances"].as_str(), "2", "{csv:?}");
        let s = summary(&app, &g);
        assert_eq!((s["sessions"][0]["visitors"].as_i64(), s["visitor_attendances"].as_i64(), s["families"].as_array().unwrap().len()), (Some(2), Some(2), 2), "{s}");

        // Erasing a visitor keeps the visit for the figures and names no one.
        let admin = app.user_token(Role::Admin);
        let res = app.req(Method::DELETE, &format!("/api/v1/families/{joy}"), Some(&admin)).json(&json!({"reason": "subject_request"})).send().unwrap();
        assert_eq!(res.status(), 204);
        assert_eq!(report_total(&app, &g).0, total);
        let (reg, _) = read(&app, &g.register(1), &lead);
        assert_eq!((reg["visitors"][0]["family_id"].as_i64(), reg["visitors"][0]["carers_names"].clone()), (Some(joy), json!([])));
    }
}

db_test! {
    fn walk_ins_refused_change_nothing(app) {
        let g = group(&app, 4, 1, 1);
        let known = family_booked_nowhere(&app, "came-along@example.org");
        let co = coordinator(&app, &g);
        // The third session is cancelled.
        let s3 = g.sessions[2].0;
        ok_json(app.patch(&format!("/api/v1/sessions/{s3}"), Some(&co), &json!({"status": "cancelled", "reason": "Venue flooded"})), 200);
        g.at_session(&app, 1, 20);
        let (lead, co) = (staff(&app, g.lead), coordinator(&app, &g));
        let (_, before) = read(&app, &g.register(1), &lead);
        let body = json!({"family_id": known});

        let parent = app.token_as(g.families[0].user, Role::Parent);
        problem(walk_in(&app, &g, 1, &parent, &body), 403);
        let p = problem(walk_in(&app, &g, 1, &staff(&app, g.creche), &body), 403);
        assert!(p["detail"].as_str().unwrap().contains("crèche"), "{p}");
        problem(walk_in(&app, &g, 1, &staff(&app, g.other), &body), 404);
        problem(app.post("/api/v1/sessions/424242/register/walk-ins", Some(&co), &body), 404);
        let both = json!({"family_id": known, "new_family": {"carers": ["A"], "phone": "07700 900111", "preferred_language": "en"}});
        for bad in [both, json!({}), json!({"carers": 1})] {
            let p = problem(walk_in(&app, &g, 1, &co, &bad), 422);
            assert!(p["errors"]["family_id"].is_array(), "{p}");
        }
        let p = problem(walk_in(&app, &g, 1, &co, &json!({"family_id": known, "carers": 3})), 422);
        assert!(p["errors"]["carers"].is_array(), "{p}");
        problem(walk_in(&app, &g, 1, &co, &json!({"family_id": known, "guest": true})), 422);
        // A family the lead has never had in a group is not theirs to name.
        let p = problem(walk_in(&app, &g, 1, &lead, &body), 422);
        assert!(p["errors"]["family_id"].is_array(), "{p}");
        problem(walk_in(&app, &g, 1, &co, &json!({"family_id": 424242})), 422);
        // Not before the session starts; never to a cancelled one.
        problem(walk_in(&app, &g, 2, &co, &body), 409);
        g.at_session(&app, 3, 20);
        let p = problem(walk_in(&app, &g, 3, &coordinator(&app, &g), &body), 409);
        assert!(p["detail"].as_str().unwrap().contains("cancelled"), "{p}");

        // Nothing changed: no booking, no visitor, no new family, the same register.
        g.at_session(&app, 1, 30);
        let (reg, after) = read(&app, &g.register(1), &staff(&app, g.lead));
        assert_eq!(after, before);
        assert_eq!((reg["families"].as_array().unwrap().len(), reg["visitors"].clone()), (1, json!([])));
        assert_eq!(places(&app, g.cohort), (3, 1, 1));
        let mut conn = app.state.pool.get().unwrap();
        let rows = groupwork::store::bookings::of_family(&mut conn, known as i32).unwrap();
        assert!(rows.is_empty(), "{rows:?}");
        drop(conn);
        let trail = audit_actions(&app, "session", g.sessions[0].0);
        assert!(trail.iter().all(|(a, _)| !a.starts_with("walk_in")), "{trail:?}");
    }
}
