//! Families are told of every change that touches them, in the transaction that makes it:
//! confirmations, the waiting list, promotions, cancellations, moved and cancelled sessions, a
//! cancelled group. Coordinators see what was sent and can send it again; a family sees only its
//! own; an erased family's messages lose their words and are never sent.

use crate::bookings::{cosp_group, parent};
use crate::db_test;
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, problem, TestApp};
use groupwork::domain::role::Role;
use groupwork::store;
use reqwest::Method;
use serde_json::{json, Value};

/// Every message of the outbox, oldest first, as coordinators see them.
fn all(app: &TestApp, co: &Coordinator) -> Vec<Value> {
    let list = ok_json(app.get("/api/v1/messages?limit=100", co.t()), 200);
    let mut items = list["items"].as_array().unwrap().clone();
    items.reverse();
    items
}

fn of_booking(messages: &[Value], booking: i64) -> Vec<&Value> {
    messages
        .iter()
        .filter(|m| m["booking_id"] == booking)
        .collect()
}

fn kinds(messages: &[&Value]) -> Vec<String> {
    messages
        .iter()
        .map(|m| m["kind"].as_str().unwrap().to_string())
        .collect()
}

/// The calendar attachment of message `id`, as stored.
fn calendar(app: &TestApp, id: i64) -> String {
    let mut c = app.state.pool.get().unwrap();
    store::messages::find(&mut c, id as i32)
        .unwrap()
        .unwrap()
        .calendar
}

fn book(app: &TestApp, token: &str, cohort: i64) -> Value {
    ok_json(
        app.post(
            &format!("/api/v1/cohorts/{cohort}/bookings"),
            Some(token),
            &json!({"carers": 1}),
        ),
        201,
    )
}

fn sessions(app: &TestApp, co: &Coordinator, cohort: i64) -> Vec<i64> {
    ok_json(app.get(&format!("/api/v1/cohorts/{cohort}"), co.t()), 200)["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "group")
        .map(|s| s["id"].as_i64().unwrap())
        .collect()
}

db_test! {
    fn changes_of_plan_are_told_to_the_families_they_touch(app) {
        let cohort = cosp_group(&app, 1, 1, 10);
        let co = Coordinator::new(&app);
        let (amy, _) = parent(&app, "amy@example.org", "2025-06-01");
        let (ben, _) = parent(&app, "ben@example.org", "2025-06-01");
        let a = book(&app, &amy, cohort);
        let b = book(&app, &ben, cohort);
        assert_eq!((a["status"].as_str(), b["status"].as_str()), (Some("confirmed"), Some("waitlisted")));

        let m = all(&app, &co);
        let (ma, mb) = (of_booking(&m, a["id"].as_i64().unwrap()), of_booking(&m, b["id"].as_i64().unwrap()));
        assert_eq!(kinds(&ma), ["booking_confirmed"]);
        assert_eq!(kinds(&mb), ["booking_waitlisted"]);
        assert_eq!((ma[0]["recipient"].as_str(), ma[0]["has_calendar"].as_bool()), (Some("amy@example.org"), Some(true)));
        assert_eq!((mb[0]["status"].as_str(), mb[0]["has_calendar"].as_bool()), (Some("queued"), Some(false)));
        assert!(mb[0]["body_text"].as_str().unwrap().contains("number 1 on the list"), "{}", mb[0]);

        // Session 2 moves: the confirmed family is told, with the update for their calendar;
        // the waiting family is not.
        let ids = sessions(&app, &co, cohort);
        ok_json(app.patch(&format!("/api/v1/sessions/{}", ids[1]), co.t(), &json!({"start_time": "13:30"})), 200);
        let m = all(&app, &co);
        let moved: Vec<&Value> = m.iter().filter(|x| x["kind"] == "session_moved").collect();
        assert_eq!(moved.len(), 1, "{m:?}");
        assert_eq!((moved[0]["booking_id"].as_i64(), moved[0]["session_id"].as_i64()), (a["id"].as_i64(), Some(ids[1])));
        let body = moved[0]["body_text"].as_str().unwrap();
        assert!(body.contains("It was on Tuesday 10 March 2026 at 10:00") && body.contains("13:30"), "{body}");
        let ics = calendar(&app, moved[0]["id"].as_i64().unwrap());
        assert!(ics.contains(&format!("UID:session-{}@groupwork", ids[1])), "{ics}");
        assert!(ics.contains("DTSTART;TZID=Europe/London:20260310T133000") && ics.contains("SEQUENCE:1"), "{ics}");

        // Session 3 is cancelled, with the centre's own words.
        ok_json(app.patch(&format!("/api/v1/sessions/{}", ids[2]), co.t(),
            &json!({"status": "cancelled", "reason": "The hall is flooded"})), 200);
        let m = all(&app, &co);
        let cancelled: Vec<&Value> = m.iter().filter(|x| x["kind"] == "session_cancelled").collect();
        assert_eq!(cancelled.len(), 1);
        assert!(cancelled[0]["body_text"].as_str().unwrap().contains("The centre's note: The hall is flooded"));
        assert!(calendar(&app, cancelled[0]["id"].as_i64().unwrap()).contains("STATUS:CANCELLED"));

        // Amy cancels: she is told it was as she asked; Ben gets her place and is told.
        assert_eq!(app.req(Method::DELETE, &format!("/api/v1/bookings/{}", a["id"]), Some(&amy)).send().unwrap().status(), 204);
        let m = all(&app, &co);
        let last_a = *of_booking(&m, a["id"].as_i64().unwrap()).last().unwrap();
        assert_eq!(last_a["kind"], "booking_cancelled");
        let ics = calendar(&app, last_a["id"].as_i64().unwrap());
        assert_eq!(ics.matches("STATUS:CANCELLED").count(), ids.len(), "every session withdrawn: {ics}");
        assert_eq!(kinds(&of_booking(&m, b["id"].as_i64().unwrap())), ["booking_waitlisted", "booking_promoted"]);

        // The group is cancelled: Ben, now confirmed, hears why.
        ok_json(app.post(&format!("/api/v1/cohorts/{cohort}/cancel"), co.t(), &json!({"reason": "Our facilitator is ill"})), 200);
        let m = all(&app, &co);
        let last_b = *of_booking(&m, b["id"].as_i64().unwrap()).last().unwrap();
        assert_eq!(last_b["kind"], "group_cancelled");
        assert!(last_b["body_text"].as_str().unwrap().contains("Our facilitator is ill"), "{last_b}");
        assert_eq!(kinds(&of_booking(&m, a["id"].as_i64().unwrap())),
            ["booking_confirmed", "session_moved", "session_cancelled", "booking_cancelled"],
            "Amy's booking had ended before the group was cancelled: not told of it");
    }
}

db_test! {
    fn coordinators_see_what_was_sent_and_each_family_only_its_own(app) {
        let cohort = cosp_group(&app, 4, 1, 10);
        let co = Coordinator::new(&app);
        let (amy, _) = parent(&app, "amy@example.org", "2025-06-01");
        let (ben, _) = parent(&app, "ben@example.org", "2025-06-01");
        let a = book(&app, &amy, cohort);
        let b = book(&app, &ben, cohort);
        let amy_family = a["family_id"].as_i64().unwrap();

        // A family sees its own messages only.
        let mine = ok_json(app.get("/api/v1/me/messages", Some(&amy)), 200);
        assert_eq!(mine["total"], 1, "{mine}");
        assert_eq!((mine["items"][0]["booking_id"].as_i64(), mine["items"][0]["kind"].as_str()), (a["id"].as_i64(), Some("booking_confirmed")));
        assert!(mine["items"][0].get("recipient").is_none() && mine["items"][0].get("provider").is_none());

        // Coordinators filter, and each family shown is an audited read.
        let reads = |family: i64| {
            use diesel::prelude::*;
            use groupwork::db::schema::audit_events as ae;
            let mut c = app.state.pool.get().unwrap();
            ae::table.filter(ae::action.eq("family_read")).filter(ae::family_id.eq(family as i32))
                .filter(ae::detail.eq("messages")).count().get_result::<i64>(&mut c).unwrap()
        };
        let before = (reads(amy_family), reads(b["family_id"].as_i64().unwrap()));
        let list = ok_json(app.get(&format!("/api/v1/messages?family_id={amy_family}"), co.t()), 200);
        assert_eq!(list["total"], 1, "{list}");
        assert_eq!(list["items"][0]["family_id"].as_i64(), Some(amy_family));
        assert_eq!((reads(amy_family), reads(b["family_id"].as_i64().unwrap())), (before.0 + 1, before.1), "only the family shown");
        let queued = ok_json(app.get(&format!("/api/v1/messages?cohort_id={cohort}&kind=booking_confirmed&status=queued"), co.t()), 200);
        assert_eq!(queued["total"], 2);
        assert_eq!(ok_json(app.get("/api/v1/messages?status=sent", co.t()), 200)["total"], 0);

        // Bad filters and the wrong people.
        let p = problem(app.get("/api/v1/messages?kind=postcard", co.t()), 422);
        assert!(p["errors"]["kind"][0].as_str().unwrap().contains("booking_confirmed"), "{p}");
        problem(app.get("/api/v1/messages?status=lost", co.t()), 422);
        problem(app.get("/api/v1/messages?limit=0", co.t()), 422);
        problem(app.get("/api/v1/messages?family_id=0", co.t()), 422);
        problem(app.get("/api/v1/messages?cohort_id=-3", co.t()), 422);
        problem(app.get("/api/v1/messages?family_id=x", co.t()), 400);
        problem(app.get("/api/v1/messages", Some(&amy)), 403);
        problem(app.get("/api/v1/messages", Some(&app.user_token(Role::Facilitator))), 403);
        problem(app.get("/api/v1/messages", None), 401);
        problem(app.get("/api/v1/me/messages", co.t()), 403);
        problem(app.get("/api/v1/messages/424242", co.t()), 404);

        // Sending again makes a new message that points at the old one.
        let first = list["items"][0]["id"].as_i64().unwrap();
        let res = app.post(&format!("/api/v1/messages/{first}/resend"), co.t(), &json!({}));
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let again = ok_json(res, 201);
        assert_eq!((again["resent_from"].as_i64(), again["status"].as_str()), (Some(first), Some("queued")));
        assert_ne!(again["reference"], list["items"][0]["reference"]);
        assert_eq!(ok_json(app.get(&location, co.t()), 200)["id"], again["id"]);
        problem(app.post("/api/v1/messages/424242/resend", co.t(), &json!({})), 404);
        problem(app.post(&format!("/api/v1/messages/{first}/resend"), Some(&amy), &json!({})), 403);

        // The centre cancels Ben's booking: he is told it was the centre.
        assert_eq!(app.req(Method::DELETE, &format!("/api/v1/bookings/{}", b["id"]), co.t()).send().unwrap().status(), 204);
        let bens = ok_json(app.get("/api/v1/me/messages", Some(&ben)), 200);
        assert_eq!(bens["items"][0]["kind"], "booking_cancelled_by_centre", "{bens}");
        assert!(bens["items"][0]["body_text"].as_str().unwrap().contains("the centre has cancelled"));
    }
}

db_test! {
    fn an_erased_family_s_messages_keep_no_words_and_never_go(app) {
        let cohort = cosp_group(&app, 4, 1, 10);
        let co = Coordinator::new(&app);
        let (amy, _) = parent(&app, "amy@example.org", "2025-06-01");
        let a = book(&app, &amy, cohort);
        let family = a["family_id"].as_i64().unwrap();
        let admin = app.user_token(Role::Admin);
        let erased = app.req(Method::DELETE, &format!("/api/v1/families/{family}"), Some(&admin))
            .json(&json!({"reason": "subject_request"})).send().unwrap();
        assert_eq!(erased.status(), 204);
        let list = ok_json(app.get(&format!("/api/v1/messages?family_id={family}"), co.t()), 200);
        // The confirmation, and the cancellation the erasure's own ending of the place caused:
        // both kept as rows, neither with an address or words, neither to be sent.
        assert_eq!(list["total"], 2, "{list}");
        for m in list["items"].as_array().unwrap() {
            assert_eq!((m["status"].as_str(), m["recipient"].as_str(), m["subject"].as_str(), m["body_text"].as_str()),
                (Some("cancelled"), Some(""), Some(""), Some("")), "{m}");
        }
        let id = list["items"][0]["id"].as_i64().unwrap();
        problem(app.post(&format!("/api/v1/messages/{id}/resend"), co.t(), &json!({})), 409);
    }
}

db_test! {
    fn a_pass_delivers_more_than_a_batch_each_message_once_and_stops_after_its_takes(app) {
        use groupwork::domain::message::{Channel, Language, MessageKind, MessageStatus};
        let now = app.state.now_naive();
        let mut c = app.state.pool.get().unwrap();
        for i in 0..10 {
            let m = store::messages::NewMessage {
                reference: groupwork::messages::outbox::new_reference(),
                family_id: None,
                booking_id: None,
                cohort_id: None,
                session_id: None,
                kind: MessageKind::Reminder,
                channel: Channel::Email,
                recipient: format!("family{i}@example.org"),
                language: Language::En,
                subject: "Reminder: Together Time tomorrow".into(),
                body_text: "See you tomorrow at 10:00.".into(),
                body_html: String::new(),
                calendar: String::new(),
                dedupe_key: None,
                status: MessageStatus::Queued,
                last_error: String::new(),
                resent_from: None,
                staff_id: None,
                user_id: None,
            };
            store::messages::insert(&mut c, &m, now).unwrap();
        }
        drop(c);
        // Batches of 3: more are taken while some are still being sent (written to files here).
        let mut worker = groupwork::messages::worker::Worker::from_config(&app.state.services, &app.state.config).unwrap();
        worker.pace.batch = 3;
        let rt = actix_web::rt::System::new();
        let one = rt.block_on(worker.pass(1)).unwrap();
        assert_eq!((one.taken, one.sent), (3, 3), "a pass of one take takes one batch");
        let rest = rt.block_on(worker.pass(100)).unwrap();
        assert_eq!((rest.taken, rest.sent), (7, 7), "the rest, each once");
        let mut c = app.state.pool.get().unwrap();
        assert_eq!(store::messages::backlog(&mut c).unwrap(), [("sent".to_string(), 10)]);
        let written = std::fs::read_dir(&app.state.config.mail_dir).unwrap().count();
        assert_eq!(written, 10, "one file per message");
        let again = rt.block_on(worker.pass(100)).unwrap();
        assert_eq!((again.taken, again.sent), (0, 0));
    }
}
