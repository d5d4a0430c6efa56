//! Apologies in advance: a parent says their family will miss a session. The register shows
//! them before anyone marks (marking stays free), no reminder of that session is sent (one
//! already queued is cancelled) while other sessions are reminded as usual, one apologised
//! absence never opens a follow-up (apologies in a row may, by the programme's threshold), and
//! they can be withdrawn only before the session starts. Another family's booking is 404; bad
//! input is 422 and changes nothing.

use crate::db_test;
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, problem, TestApp};
use crate::registers::{coordinator, group, mark, read, staff, Group};
use groupwork::domain::message::{MessageKind, MessageStatus};
use groupwork::domain::role::Role;
use groupwork::messages::worker::Worker;
use groupwork::store::{self, messages::Filter};
use reqwest::blocking::Response;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;

fn parent(app: &TestApp, g: &Group, i: usize) -> String {
    app.token_as(g.families[i].user, Role::Parent)
}

fn apologise(
    app: &TestApp,
    token: &str,
    booking: i64,
    session: i64,
    reason: Option<&str>,
) -> Response {
    let mut body = json!({"session_id": session});
    if let Some(r) = reason {
        body["reason"] = json!(r);
    }
    app.post(
        &format!("/api/v1/me/bookings/{booking}/apologies"),
        Some(token),
        &body,
    )
}

fn withdraw(app: &TestApp, token: &str, booking: i64, session: i64) -> Response {
    let url = format!("/api/v1/me/bookings/{booking}/apologies/{session}");
    app.req(Method::DELETE, &url, Some(token)).send().unwrap()
}

fn my_apologies(app: &TestApp, token: &str, booking: i64) -> Vec<i64> {
    let list = ok_json(
        app.get(
            &format!("/api/v1/me/bookings/{booking}/apologies"),
            Some(token),
        ),
        200,
    );
    assert_eq!(
        list["total"].as_i64().unwrap() as usize,
        list["items"].as_array().unwrap().len()
    );
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["session_id"].as_i64().unwrap())
        .collect()
}

fn family_id(app: &TestApp, token: &str) -> i32 {
    ok_json(app.get("/api/v1/me/family", Some(token)), 200)["id"]
        .as_i64()
        .unwrap() as i32
}

/// The statuses of a family's reminders of one session, in the order queued.
fn reminders(app: &TestApp, family: i32, session: i64) -> Vec<MessageStatus> {
    let mut conn = app.state.pool.get().unwrap();
    let filter = Filter {
        family_id: Some(family),
        kind: Some(MessageKind::Reminder),
        ..Filter::default()
    };
    let mut rows = store::messages::list(&mut conn, &filter, 100, 0)
        .unwrap()
        .items;
    rows.reverse();
    rows.into_iter()
        .filter(|m| m.session_id == Some(session as i32))
        .map(|m| m.status)
        .collect()
}

/// The register row of a booking.
fn row(register: &Value, booking: i64) -> Value {
    register["families"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["booking_id"] == booking)
        .unwrap()
        .clone()
}

/// (action, family id) of a booking's audit events about apologies.
fn apology_events(app: &TestApp, booking: i64) -> Vec<(String, Option<i32>)> {
    let mut conn = app.state.pool.get().unwrap();
    store::audit::for_entity(&mut conn, "booking", booking as i32)
        .unwrap()
        .into_iter()
        .filter(|a| a.action.starts_with("apology_"))
        .map(|a| (a.action, a.family_id))
        .collect()
}

/// The booking ids with an open follow-up.
fn followed_up(app: &TestApp, g: &Group) -> BTreeSet<i64> {
    let list = ok_json(
        app.get("/api/v1/follow-ups?status=open", Some(&coordinator(app, g))),
        200,
    );
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["booking_id"].as_i64().unwrap())
        .collect()
}

db_test! {
    fn the_register_shows_apologies_and_no_reminder_goes_for_that_session(app) {
        let worker = Worker::from_config(&app.state.services, &app.state.config).unwrap();
        let at = |t: &str| app.clock.set(t.parse().unwrap());
        let queue_only = || actix_web::rt::System::new().block_on(groupwork::service::messages::queue_due_reminders(&app.state.services)).unwrap();
        let pass = || actix_web::rt::System::new().block_on(worker.pass(10)).unwrap();
        // Tuesdays at 10:00 from 3 March 2026; each reminder is due the day before at 10:00.
        let g = group(&app, 6, 3, 1);
        let (a, b, c) = (&g.families[0], &g.families[1], &g.families[2]);
        // Tokens last 15 minutes and the clock moves on: a fresh one for each call.
        let (ta, tb, tc) = (|| parent(&app, &g, 0), || parent(&app, &g, 1), || parent(&app, &g, 2));
        let (fa, fb, fc) = (family_id(&app, &ta()), family_id(&app, &tb()), family_id(&app, &tc()));
        let s = |n: usize| g.sessions[n - 1].0;

        // A sends apologies for session 2 a week ahead.
        at("2026-03-03T12:00:00Z");
        let res = apologise(&app, &ta(), a.booking, s(2), Some("  Hospital appointment "));
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let sent = ok_json(res, 201);
        assert_eq!(location, format!("/api/v1/me/bookings/{}/apologies/{}", a.booking, s(2)));
        assert_eq!((sent["booking_id"].as_i64(), sent["session_id"].as_i64(), sent["session_number"].as_i64()), (Some(a.booking), Some(s(2)), Some(2)));
        assert_eq!((sent["reason"].as_str(), sent["local_start"].as_str(), sent["taken_by_staff"].as_bool()), (Some("Hospital appointment"), Some("2026-03-10T10:00:00+00:00"), Some(false)));
        assert_eq!(ok_json(app.get(&location, Some(&ta())), 200), sent);
        // Sending them again changes nothing: 200 with the apologies as they stand.
        let again = ok_json(apologise(&app, &ta(), a.booking, s(2), Some("Something else")), 200);
        assert_eq!(again, sent);
        assert_eq!(my_apologies(&app, &ta(), a.booking), [s(2)]);
        let mine = ok_json(app.get("/api/v1/me/bookings", Some(&ta())), 200);
        assert_eq!(mine["items"][0]["apologies"], json!([s(2)]));
        assert_eq!(apology_events(&app, a.booking), [("apology_given".to_string(), Some(fa))]);

        // Session 2's reminders fall due: A is not reminded; B and C are queued.
        at("2026-03-09T10:00:00Z");
        assert_eq!(queue_only(), 2);
        assert_eq!((reminders(&app, fa, s(2)), reminders(&app, fb, s(2)), reminders(&app, fc, s(2))), (vec![], vec![MessageStatus::Queued], vec![MessageStatus::Queued]));
        // B sends apologies while theirs waits to go: it is cancelled, C's is delivered.
        at("2026-03-09T10:05:00Z");
        ok_json(apologise(&app, &tb(), b.booking, s(2), None), 201);
        at("2026-03-09T10:06:00Z");
        pass();
        assert_eq!((reminders(&app, fa, s(2)), reminders(&app, fb, s(2)), reminders(&app, fc, s(2))), (vec![], vec![MessageStatus::Cancelled], vec![MessageStatus::Sent]));

        // On the day, before anyone marks: the apologies are on the register.
        g.at_session(&app, 2, 5);
        let (reg, _) = read(&app, &g.register(2), &staff(&app, g.lead));
        let (ra, rb, rc) = (row(&reg, a.booking), row(&reg, b.booking), row(&reg, c.booking));
        assert_eq!((ra["mark"].clone(), ra["suggested_mark"].as_str()), (Value::Null, Some("apologies")));
        assert_eq!((ra["apology"]["reason"].as_str(), ra["apology"]["taken_by_staff"].as_bool()), (Some("Hospital appointment"), Some(false)));
        assert_eq!(ra["apology"]["given_at"], "2026-03-03T12:00:00Z");
        assert_eq!((rb["suggested_mark"].as_str(), rb["apology"]["reason"].as_str()), (Some("apologies"), Some("")));
        assert_eq!((rc["suggested_mark"].clone(), rc["apology"].clone()), (Value::Null, Value::Null));
        assert_eq!((reg["counts"]["unmarked"].as_i64(), reg["counts"]["apologies_in_advance"].as_i64()), (Some(3), Some(2)));
        // Crèche workers see who is not coming, not why.
        let (creche_view, _) = read(&app, &g.register(2), &staff(&app, g.creche));
        assert_eq!(row(&creche_view, a.booking)["apology"]["reason"], "");

        // Withdrawing once the session has started is refused, and changes nothing.
        let p = problem(withdraw(&app, &ta(), a.booking, s(2)), 409);
        assert!(p["detail"].as_str().unwrap().contains("already started"), "{p}");
        assert_eq!(my_apologies(&app, &ta(), a.booking), [s(2)]);

        // Marking stays free: A came after all; B is marked as sent apologies; C absent.
        let reg = mark(&app, &g.register(2), &staff(&app, g.lead), &[(a.booking, "present"), (b.booking, "apologies"), (c.booking, "absent")]);
        let ra = row(&reg, a.booking);
        assert_eq!((ra["mark"].as_str(), ra["suggested_mark"].clone()), (Some("present"), Value::Null));
        assert_eq!(ra["apology"]["reason"], "Hospital appointment", "the apology is still shown");

        // Session 3's reminders go to all three, A and B included.
        at("2026-03-16T10:00:00Z");
        assert_eq!(pass().reminders_queued, 3);
        for f in [fa, fb, fc] {
            assert_eq!(reminders(&app, f, s(3)), [MessageStatus::Sent]);
        }

        // Apologies withdrawn in time: the reminder, cancelled by them, is queued again.
        at("2026-03-23T10:00:00Z");
        assert_eq!(queue_only(), 3);
        ok_json(apologise(&app, &tc(), c.booking, s(4), Some("Work")), 201);
        assert_eq!(reminders(&app, fc, s(4)), [MessageStatus::Cancelled]);
        assert_eq!(withdraw(&app, &tc(), c.booking, s(4)).status(), 204);
        problem(app.get(&format!("/api/v1/me/bookings/{}/apologies/{}", c.booking, s(4)), Some(&tc())), 404);
        problem(withdraw(&app, &tc(), c.booking, s(4)), 404);
        assert_eq!(my_apologies(&app, &tc(), c.booking), Vec::<i64>::new());
        at("2026-03-23T10:05:00Z");
        assert_eq!(pass().reminders_queued, 1);
        assert_eq!(reminders(&app, fc, s(4)), [MessageStatus::Cancelled, MessageStatus::Sent]);
        assert_eq!(apology_events(&app, c.booking), [("apology_given".to_string(), Some(fc)), ("apology_withdrawn".to_string(), Some(fc))]);
    }
}

db_test! {
    fn one_apologised_absence_opens_no_follow_up_but_apologies_in_a_row_do(app) {
        // COSP follows up after two missed sessions in a row.
        let g = group(&app, 6, 4, 0);
        let ids: Vec<i64> = g.families.iter().map(|f| f.booking).collect();
        let (a, b, c, d) = (ids[0], ids[1], ids[2], ids[3]);
        let t = |i: usize| parent(&app, &g, i);
        let s = |n: usize| g.sessions[n - 1].0;
        let lead = || staff(&app, g.lead);
        // A sends apologies for sessions 2 and 3; C and D for session 2 only.
        for (i, booking, sessions) in [(0, a, vec![2, 3]), (2, c, vec![2]), (3, d, vec![2])] {
            for n in sessions {
                ok_json(apologise(&app, &t(i), booking, s(n), None), 201);
            }
        }
        g.at_session(&app, 1, 30);
        mark(&app, &g.register(1), &lead(), &[(a, "present"), (b, "present"), (c, "present"), (d, "present")]);
        // Session 2: A, C and D left unmarked or marked absent despite their apologies; B absent
        // without a word. One missed session each: nobody is followed up.
        g.at_session(&app, 2, 30);
        mark(&app, &g.register(2), &lead(), &[(b, "absent"), (c, "absent")]);
        assert_eq!(followed_up(&app, &g), BTreeSet::new());
        // Session 3: A apologised again; B absent again; C absent without a word (an absence
        // after an apology: one of each, not two in a row); D came back.
        g.at_session(&app, 3, 30);
        mark(&app, &g.register(3), &lead(), &[(b, "absent"), (c, "absent"), (d, "present")]);
        assert_eq!(followed_up(&app, &g), [a, b].into());
        let list = ok_json(app.get("/api/v1/follow-ups?status=open", Some(&lead())), 200);
        let of_a = list["items"].as_array().unwrap().iter().find(|f| f["booking_id"] == a).unwrap().clone();
        assert_eq!(of_a["trigger_session_id"], s(3));
        let mut conn = app.state.pool.get().unwrap();
        let events = store::audit::for_entity(&mut conn, "follow_up", of_a["id"].as_i64().unwrap() as i32).unwrap();
        let opened = events.iter().find(|e| e.action == "follow_up_opened").unwrap();
        assert_eq!(opened.detail, format!("apologies in a row, to session {}", s(3)));
        drop(conn);
        // A follow-up never touches the booking; A coming back closes it.
        assert_eq!(ok_json(app.get(&format!("/api/v1/bookings/{a}"), Some(&t(0))), 200)["status"], "confirmed");
        g.at_session(&app, 4, 30);
        mark(&app, &g.register(4), &lead(), &[(a, "late")]);
        assert_eq!(followed_up(&app, &g), [b].into());
    }
}

db_test! {
    fn with_a_threshold_of_one_an_absence_opens_a_follow_up_but_an_apology_does_not(app) {
        let admin = app.user_token(Role::Admin);
        ok_json(app.patch("/api/v1/programmes/cosp", Some(&admin), &json!({"follow_up_after_absences": 1})), 200);
        let g = group(&app, 6, 2, 0);
        let (a, b) = (g.families[0].booking, g.families[1].booking);
        ok_json(apologise(&app, &parent(&app, &g, 0), a, g.sessions[0].0, Some("Ill")), 201);
        g.at_session(&app, 1, 30);
        mark(&app, &g.register(1), &staff(&app, g.lead), &[(b, "absent")]);
        assert_eq!(followed_up(&app, &g), [b].into());
        // Marked as apologies at the next one: two in a row.
        g.at_session(&app, 2, 30);
        mark(&app, &g.register(2), &staff(&app, g.lead), &[(a, "apologies")]);
        assert_eq!(followed_up(&app, &g), [a, b].into());
    }
}

db_test! {
    fn another_familys_booking_is_not_there_and_bad_input_changes_nothing(app) {
        // Two places, three families: the third waits.
        let g = group(&app, 2, 3, 0);
        let (a, b, w) = (g.families[0].booking, g.families[1].booking, g.families[2].booking);
        let (ta, tb, tw) = (|| parent(&app, &g, 0), || parent(&app, &g, 1), || parent(&app, &g, 2));
        let s = |n: usize| g.sessions[n - 1].0;
        ok_json(apologise(&app, &tb(), b, s(3), Some("Away")), 201);

        // A parent cannot send, list, read or withdraw apologies on another family's booking.
        problem(apologise(&app, &ta(), b, s(2), None), 404);
        problem(app.get(&format!("/api/v1/me/bookings/{b}/apologies"), Some(&ta())), 404);
        problem(app.get(&format!("/api/v1/me/bookings/{b}/apologies/{}", s(3)), Some(&ta())), 404);
        problem(withdraw(&app, &ta(), b, s(3)), 404);
        problem(apologise(&app, &ta(), 424242, s(2), None), 404);
        assert_eq!(my_apologies(&app, &tb(), b), [s(3)]);
        // Staff use their own route: another group's facilitator is told it is not there, a
        // crèche worker is pointed to the facilitators, the lead takes them down.
        let staff_url = format!("/api/v1/bookings/{a}/apologies");
        let body = json!({"session_id": s(2), "reason": "Phoned the centre"});
        problem(app.post(&staff_url, Some(&staff(&app, g.other)), &body), 404);
        problem(app.post(&staff_url, Some(&staff(&app, g.creche)), &body), 403);
        problem(app.post(&staff_url, Some(&ta()), &body), 403);
        assert_eq!(my_apologies(&app, &ta(), a), Vec::<i64>::new());
        let res = app.post(&staff_url, Some(&staff(&app, g.lead)), &body);
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let taken = ok_json(res, 201);
        assert_eq!((taken["taken_by_staff"].as_bool(), taken["reason"].as_str()), (Some(true), Some("Phoned the centre")));
        assert_eq!(ok_json(app.get(&location, Some(&coordinator(&app, &g))), 200), taken);
        problem(app.get(&location, Some(&staff(&app, g.other))), 404);
        assert_eq!(my_apologies(&app, &ta(), a), [s(2)]);

        // The waiting family has no session to miss yet.
        let p = problem(apologise(&app, &tw(), w, s(2), None), 409);
        assert!(p["detail"].as_str().unwrap().contains("waiting list"), "{p}");

        // Bad input: 422 naming the field.
        let co = Coordinator::new(&app);
        let venue = co.venue("Vassall Children's Centre", "lambeth-2014:Vassall", 6);
        let other_cohort = co.cohort("cosp", venue, "2026-03-05", "10:00", json!({}));
        let elsewhere = other_cohort["sessions"][1]["id"].as_i64().unwrap();
        ok_json(app.patch(&format!("/api/v1/sessions/{}", s(5)), co.t(), &json!({"status": "cancelled", "reason": "Staff training"})), 200);
        g.at_session(&app, 2, 30);
        let long = "a".repeat(201);
        let cases: [(i64, Option<&str>, &str); 6] = [
            (elsewhere, None, "session_id"),
            (424242, None, "session_id"),
            (s(5), None, "session_id"),
            (s(1), None, "session_id"),
            (s(4), Some(long.as_str()), "reason"),
            (s(4), Some("Ill\nagain"), "reason"),
        ];
        for (session, reason, field) in cases {
            let p = problem(apologise(&app, &ta(), a, session, reason), 422);
            assert!(p["errors"][field].is_array(), "{session} {reason:?}: {p}");
        }
        let p = problem(apologise(&app, &ta(), a, s(3), Some(&long)), 422);
        assert!(p["errors"]["reason"][0].as_str().unwrap().contains("200"), "{p}");
        let p = problem(apologise(&app, &ta(), a, s(1), None), 422);
        assert!(p["errors"]["session_id"][0].as_str().unwrap().contains("already started"), "{p}");
        // The session under way already had apologies: sending them again is still harmless.
        assert_eq!(ok_json(apologise(&app, &ta(), a, s(2), None), 200)["reason"], "Phoned the centre");
        let p = problem(apologise(&app, &ta(), a, s(5), None), 422);
        assert!(p["errors"]["session_id"][0].as_str().unwrap().contains("cancelled"), "{p}");
        // Nothing changed; the 200 characters allowed are taken.
        assert_eq!(my_apologies(&app, &ta(), a), [s(2)]);
        let reason = "é".repeat(200);
        assert_eq!(ok_json(apologise(&app, &ta(), a, s(4), Some(&reason)), 201)["reason"], reason.as_str());
        assert_eq!(my_apologies(&app, &ta(), a), [s(2), s(4)]);
    }
}
