//! Cancelling a group carries through: bookings end `cancelled_by_centre`, sessions still to come
//! are cancelled, places and crèche places are freed, the waiting list closes, both calendar
//! feeds mark the events cancelled (same UIDs, a higher SEQUENCE), each family and each member
//! of the team is told once, and the report changes only in its cohort counts. Cancelling again
//! changes nothing. Moving or cancelling one session tells the team as well as the families.

use crate::bookings::parent;
use crate::db_test;
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, problem, TestApp};
use crate::registers;
use groupwork::domain::role::Role;
use icalendar::{Calendar, Component};
use serde_json::{json, Value};
use std::collections::BTreeMap;

const REASON: &str = "Our lead facilitator is unwell";

/// A published COSP group (Tuesdays from 3 March 2026, 2 places, a crèche for 2 workers) with a
/// full team; returns (cohort id, the team's staff ids: lead, co-facilitator, two crèche
/// workers, supervisor).
fn cosp_with_team(app: &TestApp) -> (i64, Vec<i64>) {
    let co = Coordinator::new(app);
    let venue = co.venue("Stockwell Children's Centre", "lambeth-2014:Stockwell", 10);
    let lead = co.staff("Grace Adeyemi", &[("cosp_registered", None)]);
    let tom = co.staff("Tom Reilly", &[]);
    let crèche: Vec<i64> = ["Maria Santos", "Ola Nowak"]
        .iter()
        .map(|n| co.staff(n, &[("paediatric_first_aid", None)]))
        .collect();
    let sam = co.staff("Sam Okafor", &[("supervisor", None)]);
    let cohort = co.cohort(
        "cosp",
        venue,
        "2026-03-03",
        "10:00",
        json!({"places": 2, "creche_workers": 2}),
    )["id"]
        .as_i64()
        .unwrap();
    let team = json!({"lead": lead, "co_facilitators": [tom], "creche_workers": crèche, "supervisor": sam});
    ok_json(co.set_team(cohort, team), 200);
    ok_json(co.publish(cohort), 200);
    (cohort, vec![lead, tom, crèche[0], crèche[1], sam])
}

fn book(app: &TestApp, token: &str, cohort: i64, body: Value) -> Value {
    ok_json(
        app.post(
            &format!("/api/v1/cohorts/{cohort}/bookings"),
            Some(token),
            &body,
        ),
        201,
    )
}

/// Each event of a calendar feed: UID → (STATUS, SEQUENCE), read by the icalendar parser.
fn events(text: &str) -> BTreeMap<String, (String, u32)> {
    let cal: Calendar = text.parse().expect("a calendar icalendar reads");
    cal.events()
        .map(|e| {
            let status = e.property_value("STATUS").expect("a STATUS").to_string();
            (
                e.get_uid().expect("a UID").to_string(),
                (status, e.get_sequence().expect("a SEQUENCE")),
            )
        })
        .collect()
}

fn feed(app: &TestApp, path: &str, token: Option<&str>) -> BTreeMap<String, (String, u32)> {
    let res = app.get(path, token);
    assert_eq!(res.status(), 200, "{path}");
    events(&res.text().unwrap())
}

/// The same UIDs, each now CANCELLED with a higher SEQUENCE.
fn all_withdrawn(
    before: &BTreeMap<String, (String, u32)>,
    after: &BTreeMap<String, (String, u32)>,
) {
    assert!(!before.is_empty());
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "same UIDs"
    );
    for (uid, (status, seq)) in before {
        assert_eq!(status, "CONFIRMED", "{uid}");
        let (now, later) = &after[uid];
        assert_eq!(now, "CANCELLED", "{uid}");
        assert!(later > seq, "{uid}: SEQUENCE {later} after {seq}");
    }
}

/// Every message of a cohort, as coordinators see them.
fn messages_of(app: &TestApp, co: &Coordinator, cohort: i64) -> Vec<Value> {
    ok_json(
        app.get(
            &format!("/api/v1/messages?cohort_id={cohort}&limit=100"),
            co.t(),
        ),
        200,
    )["items"]
        .as_array()
        .unwrap()
        .clone()
}

fn of_kind<'a>(messages: &'a [Value], kind: &str) -> Vec<&'a Value> {
    messages.iter().filter(|m| m["kind"] == kind).collect()
}

/// (action, entity id, family id) of the audit rows with these actions.
fn audited(app: &TestApp, actions: &[&str]) -> Vec<(String, Value, Value)> {
    let admin = app.user_token(Role::Admin);
    let mut rows = Vec::new();
    for action in actions {
        let page = ok_json(
            app.get(
                &format!("/api/v1/audit?action={action}&limit=100"),
                Some(&admin),
            ),
            200,
        );
        for a in page["items"].as_array().unwrap() {
            rows.push((
                a["action"].as_str().unwrap().to_string(),
                a["entity_id"].clone(),
                a["family_id"].clone(),
            ));
        }
    }
    rows.sort_by_key(|r| format!("{r:?}"));
    rows
}

/// The summary report without the instant it was made.
fn summary(app: &TestApp, co: &Coordinator) -> Value {
    let mut r = ok_json(app.get("/api/v1/reports/summary", co.t()), 200);
    r.as_object_mut().unwrap().remove("generated_at");
    r
}

/// The report's total without its cohort counts (which a cancellation moves), and those counts.
fn split(mut report: Value) -> (Value, (i64, i64)) {
    let total = report["total"].as_object_mut().unwrap();
    let counts = (
        total.remove("cohorts_run").unwrap().as_i64().unwrap(),
        total.remove("cohorts_cancelled").unwrap().as_i64().unwrap(),
    );
    (report, counts)
}

fn my_bookings(app: &TestApp, token: &str) -> Vec<(i64, String)> {
    ok_json(app.get("/api/v1/me/bookings", Some(token)), 200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["id"].as_i64().unwrap(),
                b["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

db_test! {
    fn cancelling_a_group_carries_through_and_cancelling_again_changes_nothing(app) {
        let co = Coordinator::new(&app);
        let (cohort, team) = cosp_with_team(&app);
        // One crèche worker's email was lost (as old records may have): they get a failed row.
        {
            use diesel::prelude::*;
            use groupwork::db::schema::staff;
            let mut conn = app.state.pool.get().unwrap();
            diesel::update(staff::table.find(team[3] as i32)).set(staff::email.eq("")).execute(&mut conn).unwrap();
        }
        let (amy, amy_baby) = parent(&app, "amy@example.org", "2025-06-01");
        let (ben, _) = parent(&app, "ben@example.org", "2025-06-01");
        let (cat, cat_baby) = parent(&app, "cat@example.org", "2025-06-01");
        let a = book(&app, &amy, cohort, json!({"creche_child_ids": [amy_baby]}));
        let b = book(&app, &ben, cohort, json!({}));
        let c = book(&app, &cat, cohort, json!({"creche_child_ids": [cat_baby]}));
        let statuses = [&a, &b, &c].map(|x| x["status"].as_str().unwrap().to_string());
        assert_eq!(statuses, ["confirmed", "confirmed", "waitlisted"]);
        let amy_link = ok_json(app.post("/api/v1/me/calendar-link", Some(&amy), &json!({})), 201)["url"]
            .as_str().unwrap().to_string();

        let before = ok_json(app.get(&format!("/api/v1/cohorts/{cohort}"), co.t()), 200);
        assert_eq!((before["places_left"].as_i64(), before["creche"]["places_left"].as_i64()), (Some(0), Some(5)));
        let public_before = feed(&app, "/api/v1/listings.ics", None);
        let amy_before = feed(&app, &amy_link, None);
        let ben_before = feed(&app, "/api/v1/me/calendar.ics", Some(&ben));
        assert_eq!((public_before.len(), amy_before.len(), ben_before.len()), (8, 8, 8));
        assert!(feed(&app, "/api/v1/me/calendar.ics", Some(&cat)).is_empty(), "a waiting family has no sessions");
        let report_before = summary(&app, &co);
        let told_before = messages_of(&app, &co, cohort).len();
        let actions = ["cohort_cancelled", "booking_cancelled_by_centre", "booking_cancelled", "booking_promoted"];
        assert!(audited(&app, &actions).is_empty());

        let cancelled = ok_json(app.post(&format!("/api/v1/cohorts/{cohort}/cancel"), co.t(), &json!({"reason": REASON})), 200);
        assert_eq!((cancelled["status"].as_str(), cancelled["cancel_reason"].as_str()), (Some("cancelled"), Some(REASON)));

        // Every session was still to come: none is scheduled; each carries the reason.
        let sessions = cancelled["sessions"].as_array().unwrap();
        assert_eq!(sessions.len(), 8);
        for s in sessions {
            assert_eq!((s["status"].as_str(), s["cancel_reason"].as_str()), (Some("cancelled"), Some(REASON)), "{s}");
        }
        // Places and crèche places are free again; the group has left the listing.
        assert_eq!(cancelled["places_left"], cancelled["places"]);
        assert_eq!(cancelled["creche"]["places_left"], cancelled["creche"]["places"]);
        assert_eq!(ok_json(app.get("/api/v1/listings", None), 200)["total"], 0);

        // Every booking, confirmed or waiting, ended by the centre; each family sees it.
        for (token, booking) in [(&amy, &a), (&ben, &b), (&cat, &c)] {
            assert_eq!(my_bookings(&app, token), [(booking["id"].as_i64().unwrap(), "cancelled_by_centre".to_string())]);
        }
        let families = ok_json(app.get(&format!("/api/v1/cohorts/{cohort}/bookings"), co.t()), 200);
        let listed: Vec<&str> = families["items"].as_array().unwrap().iter().map(|x| x["status"].as_str().unwrap()).collect();
        assert_eq!(listed, ["cancelled_by_centre"; 3], "{families}");

        // Both feeds: the same events, cancelled, with a higher SEQUENCE.
        let public_after = feed(&app, "/api/v1/listings.ics", None);
        all_withdrawn(&public_before, &public_after);
        all_withdrawn(&amy_before, &feed(&app, &amy_link, None));
        all_withdrawn(&ben_before, &feed(&app, "/api/v1/me/calendar.ics", Some(&ben)));
        assert!(feed(&app, "/api/v1/me/calendar.ics", Some(&cat)).is_empty());

        // Told once each, with the reason: three families, five team members.
        let told = messages_of(&app, &co, cohort);
        let new = &told[..told.len() - told_before];
        assert_eq!(new.len(), 8, "{new:?}");
        let to_families = of_kind(new, "group_cancelled");
        let mut family_ids: Vec<i64> = to_families.iter().map(|m| m["family_id"].as_i64().unwrap()).collect();
        family_ids.sort_unstable();
        let mut booked: Vec<i64> = [&a, &b, &c].iter().map(|x| x["family_id"].as_i64().unwrap()).collect();
        booked.sort_unstable();
        assert_eq!(family_ids, booked);
        let to_team = of_kind(new, "team_group_cancelled");
        let mut staff_ids: Vec<i64> = to_team.iter().map(|m| m["staff_id"].as_i64().unwrap()).collect();
        staff_ids.sort_unstable();
        assert_eq!(staff_ids, team);
        for m in to_families.iter().chain(&to_team) {
            assert!(m["body_text"].as_str().unwrap().contains(REASON), "{m}");
        }
        for m in &to_team {
            assert_eq!((m["family_id"].is_null(), m["booking_id"].is_null(), m["language"].as_str(), m["has_calendar"].as_bool()),
                (true, true, Some("en"), Some(true)), "{m}");
            let lost = m["staff_id"] == team[3];
            assert_eq!(m["status"], if lost { "failed" } else { "queued" }, "{m}");
            assert_eq!(m["last_error"], if lost { "the team member has no email address" } else { "" }, "{m}");
            if !lost {
                assert!(m["recipient"].as_str().unwrap().ends_with("@staff.example"), "{m}");
            }
        }
        let grace = ok_json(app.get(&format!("/api/v1/messages?staff_id={}", team[0]), co.t()), 200);
        assert_eq!((grace["total"].as_i64(), grace["items"][0]["kind"].as_str()), (Some(1), Some("team_group_cancelled")));
        // A family sees its own message, never the team's.
        let mine = ok_json(app.get("/api/v1/me/messages", Some(&amy)), 200);
        let kinds: Vec<&str> = mine["items"].as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["group_cancelled", "booking_confirmed"]);

        // Audited: the cancellation, and each booking once, with its family.
        let audit = audited(&app, &actions);
        let mut expected: Vec<(String, Value, Value)> = [&a, &b, &c]
            .iter()
            .map(|x| ("booking_cancelled_by_centre".to_string(), x["id"].clone(), x["family_id"].clone()))
            .collect();
        expected.push(("cohort_cancelled".to_string(), json!(cohort), Value::Null));
        expected.sort_by_key(|r| format!("{r:?}"));
        assert_eq!(audit, expected);

        // The report: the group moves from run to cancelled; nothing else changes.
        let (rest_before, counts_before) = split(report_before);
        let (rest_after, counts_after) = split(summary(&app, &co));
        assert_eq!((counts_before, counts_after), ((1, 0), (0, 1)));
        assert_eq!(rest_after, rest_before);

        // No way back in: no booking, no promotion when someone would leave.
        let (dan, _) = parent(&app, "dan@example.org", "2025-06-01");
        let p = problem(app.post(&format!("/api/v1/cohorts/{cohort}/bookings"), Some(&dan), &json!({})), 422);
        assert!(p["errors"]["cohort"].is_array(), "{p}");
        problem(app.post(&format!("/api/v1/cohorts/{cohort}/bookings"), co.t(), &json!({"family_id": a["family_id"]})), 422);
        problem(app.req(reqwest::Method::DELETE, &format!("/api/v1/bookings/{}", a["id"]), Some(&amy)).send().unwrap(), 409);

        // Again: the same answer, and nothing changed, sent or audited.
        let again = ok_json(app.post(&format!("/api/v1/cohorts/{cohort}/cancel"), co.t(), &json!({"reason": "Another reason"})), 200);
        assert_eq!(again, cancelled);
        assert_eq!(messages_of(&app, &co, cohort).len(), told.len());
        assert_eq!(audited(&app, &actions), audit);
        for (token, booking) in [(&amy, &a), (&ben, &b), (&cat, &c)] {
            assert_eq!(my_bookings(&app, token), [(booking["id"].as_i64().unwrap(), "cancelled_by_centre".to_string())]);
        }
        assert_eq!(feed(&app, "/api/v1/listings.ics", None), public_after);

        // The public feed keeps the cancelled events until the planned last session would have
        // ended (21 April, 10:00–12:00 BST), then lets them go.
        app.clock.set("2026-04-21T10:59:00Z".parse().unwrap());
        assert_eq!(feed(&app, "/api/v1/listings.ics", None), public_after);
        app.clock.set("2026-04-21T11:00:00Z".parse().unwrap());
        assert!(feed(&app, "/api/v1/listings.ics", None).is_empty());
    }
}

db_test! {
    fn a_group_cancelled_part_way_keeps_what_was_held(app) {
        // Two families booked, one waiting; the first is there at session 1.
        let g = registers::group(&app, 2, 3, 1);
        g.at_session(&app, 1, 30);
        let lead = registers::staff(&app, g.lead);
        registers::mark(&app, &g.register(1), &lead, &[(g.families[0].booking, "present")]);
        g.at_session(&app, 2, -60 * 24);
        // Tokens signed earlier have expired by now.
        let co = Coordinator::new(&app);
        let report_before = summary(&app, &co);
        let public_before = feed(&app, "/api/v1/listings.ics", None);

        let done = ok_json(app.post(&format!("/api/v1/cohorts/{}/cancel", g.cohort), co.t(), &json!({"reason": REASON})), 200);
        let statuses: Vec<(Option<i64>, &str)> = done["sessions"].as_array().unwrap().iter()
            .map(|s| (s["number"].as_i64(), s["status"].as_str().unwrap())).collect();
        let mut expected = vec![(Some(1), "scheduled")];
        expected.extend([(None, "cancelled"); 7]);
        assert_eq!(statuses, expected, "the session held stays as it was");

        // The feed: the session held as it was, the rest cancelled with a higher SEQUENCE.
        let public_after = feed(&app, "/api/v1/listings.ics", None);
        assert_eq!(public_before.keys().collect::<Vec<_>>(), public_after.keys().collect::<Vec<_>>());
        let held = format!("session-{}@groupwork", g.sessions[0].0);
        for (uid, (status, seq)) in &public_after {
            if *uid == held {
                assert_eq!((status.as_str(), *seq), ("CONFIRMED", public_before[uid].1));
            } else {
                assert_eq!(status, "CANCELLED");
                assert!(*seq > public_before[uid].1);
            }
        }
        // The family who came was still reached; only the cohort counts move.
        let (rest_before, counts_before) = split(report_before);
        let (rest_after, counts_after) = split(summary(&app, &co));
        assert_eq!((counts_before, counts_after), ((1, 0), (0, 1)));
        assert_eq!(rest_after["total"]["families_reached"], 1);
        assert_eq!(rest_after, rest_before);
        // The team (three, each once) heard of it.
        let told = messages_of(&app, &co, g.cohort);
        assert_eq!(of_kind(&told, "team_group_cancelled").len(), 3);
        assert_eq!(of_kind(&told, "group_cancelled").len(), 3);
    }
}

db_test! {
    fn a_completed_group_cannot_be_cancelled(app) {
        let (cohort, _) = cosp_with_team(&app);
        app.clock.set("2026-05-01T12:00:00Z".parse().unwrap());
        let co = Coordinator::new(&app);
        let p = problem(app.post(&format!("/api/v1/cohorts/{cohort}/cancel"), co.t(), &json!({"reason": REASON})), 409);
        assert!(p["detail"].as_str().unwrap().contains("completed"), "{p}");
        assert!(messages_of(&app, &co, cohort).is_empty());
    }
}

db_test! {
    fn moving_or_cancelling_one_session_tells_the_team_as_well_as_the_families(app) {
        let co = Coordinator::new(&app);
        let (cohort, team) = cosp_with_team(&app);
        let (amy, _) = parent(&app, "amy@example.org", "2025-06-01");
        let a = book(&app, &amy, cohort, json!({}));
        let ids: Vec<i64> = ok_json(app.get(&format!("/api/v1/cohorts/{cohort}"), co.t()), 200)["sessions"]
            .as_array().unwrap().iter().map(|s| s["id"].as_i64().unwrap()).collect();

        ok_json(app.patch(&format!("/api/v1/sessions/{}", ids[1]), co.t(), &json!({"start_time": "13:30"})), 200);
        let told = messages_of(&app, &co, cohort);
        let families = of_kind(&told, "session_moved");
        assert_eq!((families.len(), families[0]["booking_id"].as_i64()), (1, a["id"].as_i64()));
        let moved = of_kind(&told, "team_session_moved");
        let mut staff: Vec<i64> = moved.iter().map(|m| m["staff_id"].as_i64().unwrap()).collect();
        staff.sort_unstable();
        assert_eq!(staff, team, "one message per team member");
        for m in &moved {
            assert_eq!((m["session_id"].as_i64(), m["family_id"].is_null(), m["has_calendar"].as_bool()), (Some(ids[1]), true, Some(true)));
            let text = m["body_text"].as_str().unwrap();
            assert!(text.contains("It was on Tuesday 10 March 2026 at 10:00") && text.contains("13:30"), "{text}");
        }

        ok_json(app.patch(&format!("/api/v1/sessions/{}", ids[2]), co.t(),
            &json!({"status": "cancelled", "reason": "The hall is flooded"})), 200);
        let told = messages_of(&app, &co, cohort);
        assert_eq!(of_kind(&told, "session_cancelled").len(), 1);
        let cancelled = of_kind(&told, "team_session_cancelled");
        let mut staff: Vec<i64> = cancelled.iter().map(|m| m["staff_id"].as_i64().unwrap()).collect();
        staff.sort_unstable();
        assert_eq!(staff, team);
        for m in &cancelled {
            assert!(m["body_text"].as_str().unwrap().contains("The centre's note: The hall is flooded"), "{m}");
        }
        // The family sees only its own two.
        let mine = ok_json(app.get("/api/v1/me/messages", Some(&amy)), 200);
        let kinds: Vec<&str> = mine["items"].as_array().unwrap().iter().map(|m| m["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["session_cancelled", "session_moved", "booking_confirmed"]);

        // The delivery worker sends the team's messages like any other.
        let worker = groupwork::messages::worker::Worker::from_config(&app.state.services, &app.state.config).unwrap();
        let pass = actix_web::rt::System::new().block_on(worker.pass(100)).unwrap();
        assert_eq!((pass.taken, pass.sent), (13, 13), "3 to the family, 10 to the team");
        // Erasing the family leaves the team's messages as they were.
        let admin = app.user_token(Role::Admin);
        let erased = app.req(reqwest::Method::DELETE, &format!("/api/v1/families/{}", a["family_id"]), Some(&admin))
            .json(&json!({"reason": "subject_request"})).send().unwrap();
        assert_eq!(erased.status(), 204);
        let co = Coordinator::new(&app);
        for m in messages_of(&app, &co, cohort) {
            if m["staff_id"].is_null() {
                assert_eq!(m["recipient"], "", "{m}");
            } else {
                assert_eq!((m["status"].as_str(), m["recipient"].as_str().unwrap().is_empty()), (Some("sent"), false), "{m}");
                assert!(!m["body_text"].as_str().unwrap().is_empty(), "{m}");
            }
        }
    }
}
