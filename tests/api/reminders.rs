//! When reminders are queued: the day before each session at 10:00 London time, so 09:00 UTC in
//! summer time and 10:00 UTC in winter, through both clock changes (25 October 2026, 28 March
//! 2027); once per family and session; never for a cancelled session, a family who turned
//! reminders off, a booking that ended, or a session less than an hour after booking; and again
//! for a session moved after its reminder went, when the new time's reminder falls due.
//! The worker's pass is driven by the test on the app's ManualClock.

use crate::bookings::parent;
use crate::db_test;
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, TestApp};
use chrono::{DateTime, Utc};
use groupwork::domain::message::{Channel, MessageKind};
use groupwork::domain::role::Role;
use groupwork::messages::worker::Worker;
use groupwork::store::{self, messages::Filter, messages::Message};
use serde_json::{json, Value};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// A published COSP group from `first` at 10:00 (eight weekly sessions); returns its id and
/// its sessions' (id, starts_at).
fn group(co: &Coordinator, venue: i64, team: &Value, first: &str) -> (i64, Vec<(i64, String)>) {
    let c = co.cohort("cosp", venue, first, "10:00", json!({"creche_workers": 1}));
    let id = c["id"].as_i64().unwrap();
    ok_json(co.set_team(id, team.clone()), 200);
    ok_json(co.publish(id), 200);
    let sessions = c["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_i64().unwrap(),
                s["starts_at"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (id, sessions)
}

/// Every reminder row as (family, session, channel), in the order queued.
fn reminders(app: &TestApp) -> Vec<(i32, i32, Channel)> {
    reminder_rows(app)
        .iter()
        .map(|m| (m.family_id.unwrap(), m.session_id.unwrap(), m.channel))
        .collect()
}

fn reminder_rows(app: &TestApp) -> Vec<Message> {
    let mut conn = app.state.pool.get().unwrap();
    let filter = Filter {
        kind: Some(MessageKind::Reminder),
        ..Filter::default()
    };
    let mut rows = store::messages::list(&mut conn, &filter, 100, 0)
        .unwrap()
        .items;
    rows.reverse();
    rows
}

fn family_id(app: &TestApp, token: &str) -> i32 {
    ok_json(app.get("/api/v1/me/family", Some(token)), 200)["id"]
        .as_i64()
        .unwrap() as i32
}

fn book(app: &TestApp, token: &str, cohort: i64) -> i64 {
    let b = ok_json(
        app.post(
            &format!("/api/v1/cohorts/{cohort}/bookings"),
            Some(token),
            &json!({}),
        ),
        201,
    );
    assert_eq!(b["status"], "confirmed");
    b["id"].as_i64().unwrap()
}

db_test! {
    fn reminders_come_the_day_before_at_ten_london_time_once_and_only_when_wanted(app) {
        // The worker as `serve` makes it, driven here pass by pass (no background worker).
        let worker = Worker::from_config(&app.state.services, &app.state.config).unwrap();
        let pass_at = |instant: &str| {
            app.clock.set(at(instant));
            actix_web::rt::System::new().block_on(worker.pass(10)).unwrap()
        };

        let co = Coordinator::new(&app);
        let coordinator = app.user_id(&co.token);
        let venue = co.venue("Stockwell Children's Centre", "lambeth-2014:Stockwell", 10);
        let lead = co.staff("Grace Adeyemi", &[("cosp_registered", None)]);
        let tom = co.staff("Tom Reilly", &[]);
        let creche = co.staff("Creche Worker", &[("paediatric_first_aid", None)]);
        let team = json!({"lead": lead, "co_facilitators": [tom], "creche_workers": [creche]});
        // Mondays across the October change: 12 and 19 October are BST, 26 October GMT.
        let (autumn, a) = group(&co, venue, &team, "2026-10-12");
        let starts: Vec<&str> = a.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(starts[..5], ["2026-10-12T09:00:00Z", "2026-10-19T09:00:00Z", "2026-10-26T10:00:00Z", "2026-11-02T10:00:00Z", "2026-11-09T10:00:00Z"]);
        // Tuesdays across the March change: 23 March 2027 is GMT, 30 March BST.
        let (spring, b) = group(&co, venue, &team, "2027-03-23");
        assert_eq!((b[0].1.as_str(), b[1].1.as_str()), ("2027-03-23T10:00:00Z", "2027-03-30T09:00:00Z"));
        let session = |s: &(i64, String)| s.0 as i32;

        // Booked on 2 March 2026: one family who wants reminders, one who turned them off, one
        // whose booking then ended.
        let (keen_t, _) = parent(&app, "keen@example.org", "2025-01-10");
        let keen = family_id(&app, &keen_t);
        book(&app, &keen_t, autumn);
        book(&app, &keen_t, spring);
        // Their first confirmation carried the link that confirms their address.
        app.confirm_email("keen@example.org");
        // One who never opened that link: told of their booking, but no reminder by email.
        let (shy_t, _) = parent(&app, "shy@example.org", "2025-01-10");
        book(&app, &shy_t, autumn);
        let (quiet_t, _) = parent(&app, "quiet@example.org", "2025-01-10");
        let quiet_profile = json!({"carers": ["Parent"], "preferred_language": "en", "referral_source": "self", "reminders": false});
        let f = ok_json(app.req(reqwest::Method::PUT, "/api/v1/me/family", Some(&quiet_t)).json(&quiet_profile).send().unwrap(), 200);
        assert_eq!(f["reminders"], false);
        book(&app, &quiet_t, autumn);
        let (gone_t, _) = parent(&app, "gone@example.org", "2025-01-10");
        let gone_booking = book(&app, &gone_t, autumn);
        let res = app.req(reqwest::Method::DELETE, &format!("/api/v1/bookings/{gone_booking}"), Some(&gone_t)).send().unwrap();
        assert_eq!(res.status(), 204);
        // The fourth autumn session will not take place.
        ok_json(app.patch(&format!("/api/v1/sessions/{}", a[3].0), co.t(), &json!({"status": "cancelled", "reason": "Staff training"})), 200);

        // Session 2 (Monday 19 October, BST): due Sunday 18th at 10:00 BST = 09:00 UTC.
        pass_at("2026-10-18T08:59:59Z");
        assert_eq!(reminders(&app), [], "nothing before it is due");
        assert_eq!(pass_at("2026-10-18T09:00:00Z").reminders_queued, 1);
        let mut expected = vec![(keen, session(&a[1]), Channel::Email)];
        assert_eq!(reminders(&app), expected, "the keen family only");
        assert_eq!(pass_at("2026-10-18T09:30:00Z").reminders_queued, 0, "nobody is counted twice");
        assert_eq!(reminders(&app), expected, "not again on a later pass");

        // Session 3 (Monday 26 October, GMT): due on the change day itself, 10:00 GMT = 10:00
        // UTC, not an hour earlier.
        pass_at("2026-10-25T09:59:59Z");
        assert_eq!(reminders(&app), expected, "not at 10:00 summer time");
        pass_at("2026-10-25T10:00:00Z");
        expected.push((keen, session(&a[2]), Channel::Email));
        assert_eq!(reminders(&app), expected);
        let body = &reminder_rows(&app)[1].body_text;
        assert!(body.contains("Monday 26 October 2026, 10:00 to "), "{body}");

        // Session 3 moves to Wednesday 28 October after its reminder went: a new reminder for
        // the new time, when that comes due (Tuesday 27th, 10:00 GMT).
        let co_now = app.token_as(coordinator, Role::Coordinator);
        ok_json(app.patch(&format!("/api/v1/sessions/{}", a[2].0), Some(&co_now), &json!({"date": "2026-10-28"})), 200);
        pass_at("2026-10-25T10:05:00Z");
        pass_at("2026-10-27T09:59:59Z");
        assert_eq!(reminders(&app), expected, "the new time's reminder is not due yet");
        pass_at("2026-10-27T10:00:00Z");
        expected.push((keen, session(&a[2]), Channel::Email));
        assert_eq!(reminders(&app), expected);
        let body = &reminder_rows(&app)[2].body_text;
        assert!(body.contains("Wednesday 28 October 2026, 10:00 to "), "{body}");

        // Session 4 was cancelled: nothing when its reminder would have been due; session 5
        // is reminded as usual.
        pass_at("2026-11-01T10:00:00Z");
        assert_eq!(reminders(&app), expected, "no reminder of a cancelled session");
        pass_at("2026-11-08T10:00:00Z");
        expected.push((keen, session(&a[4]), Channel::Email));
        assert_eq!(reminders(&app), expected);

        // Spring group, session 1 (Tuesday 23 March 2027, GMT): due Monday 22nd, 10:00 UTC.
        pass_at("2027-03-22T09:59:59Z");
        assert_eq!(reminders(&app), expected);
        pass_at("2027-03-22T10:00:00Z");
        expected.push((keen, session(&b[0]), Channel::Email));
        assert_eq!(reminders(&app), expected);

        // A family booking half an hour before session 1: its reminder was due yesterday, but
        // they have just been told, so none for it.
        app.clock.set(at("2027-03-23T09:30:00Z"));
        let (late_t, _) = parent(&app, "late@example.org", "2025-01-10");
        let late = family_id(&app, &late_t);
        book(&app, &late_t, spring);
        app.confirm_email("late@example.org");
        pass_at("2027-03-23T09:30:00Z");
        assert_eq!(reminders(&app), expected, "no reminder within the hour before a session");

        // Session 2 (Tuesday 30 March, BST): due Monday 29th (Easter Monday), 10:00 BST = 09:00
        // UTC, for both families.
        pass_at("2027-03-29T08:59:59Z");
        assert_eq!(reminders(&app), expected);
        pass_at("2027-03-29T09:00:00Z");
        let mut now_due = vec![(keen, session(&b[1]), Channel::Email), (late, session(&b[1]), Channel::Email)];
        now_due.sort_by_key(|r| r.0);
        let mut got = reminders(&app);
        let mut new = got.split_off(expected.len());
        new.sort_by_key(|r| r.0);
        assert_eq!((got, new), (expected, now_due));
    }
}
