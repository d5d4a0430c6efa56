//! Registers: marking with ETag / If-Match, the marking window, crèche sign-in and its ratio
//! check, who may mark, and the audit trail of every change.

use crate::db_test;
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, problem, TestApp};
use chrono::{DateTime, Duration, Utc};
use groupwork::domain::role::Role;
use reqwest::blocking::Response;
use reqwest::Method;
use serde_json::{json, Value};

/// A published group with logins for its team, and families booked on it.
pub struct Group {
    pub cohort: i64,
    /// (session id, start)
    pub sessions: Vec<(i64, DateTime<Utc>)>,
    pub coordinator: i64,
    pub lead: i64,
    pub co: i64,
    pub creche: i64,
    /// The crèche worker's staff id (the team names staff, not logins).
    pub creche_staff: i64,
    /// A facilitator who runs another group.
    pub other: i64,
    pub families: Vec<Family>,
}

pub struct Family {
    pub user: i64,
    pub booking: i64,
    pub child: i64,
}

/// A COSP group on Tuesdays from 3 March 2026, `places` places, one crèche worker, and `n`
/// families each with a baby; the first `with_creche` of them have a crèche place.
pub fn group(app: &TestApp, places: i32, n: usize, with_creche: usize) -> Group {
    let co = Coordinator::new(app);
    let venue = co.venue("Stockwell Children's Centre", "lambeth-2014:Stockwell", 6);
    let (lead, lead_t) = co.staff_with_login("Grace Adeyemi", &[("cosp_registered", None)]);
    let (tom, tom_t) = co.staff_with_login("Tom Reilly", &[]);
    let (maria, maria_t) = co.staff_with_login("Maria Santos", &[("paediatric_first_aid", None)]);
    let (ola, ola_t) = co.staff_with_login("Ola Nowak", &[("cosp_registered", None)]);
    let made = co.cohort(
        "cosp",
        venue,
        "2026-03-03",
        "10:00",
        json!({"places": places, "creche_workers": 1}),
    );
    let cohort = made["id"].as_i64().unwrap();
    ok_json(
        co.set_team(
            cohort,
            json!({"lead": lead, "co_facilitators": [tom], "creche_workers": [maria]}),
        ),
        200,
    );
    ok_json(co.publish(cohort), 200);
    let elsewhere = co.cohort("cosp", venue, "2026-03-04", "10:00", json!({}))["id"]
        .as_i64()
        .unwrap();
    ok_json(co.set_team(elsewhere, json!({"lead": ola})), 200);
    let families = (0..n)
        .map(|i| {
            let t = app.register_parent(&format!("family{i}@example.org"))["access_token"]
                .as_str()
                .unwrap()
                .to_string();
            let child = ok_json(
                app.post(
                    "/api/v1/me/children",
                    Some(&t),
                    &json!({"first_name": format!("Baby {i}"), "date_of_birth": "2025-06-01"}),
                ),
                201,
            )["id"]
                .as_i64()
                .unwrap();
            let creche: Vec<i64> = if i < with_creche { vec![child] } else { vec![] };
            let b = ok_json(
                app.post(
                    &format!("/api/v1/cohorts/{cohort}/bookings"),
                    Some(&t),
                    &json!({"creche_child_ids": creche}),
                ),
                201,
            );
            // As a family reading their confirmation would: reminders then go by email too.
            app.confirm_email(&format!("family{i}@example.org"));
            Family {
                user: app.user_id(&t),
                booking: b["id"].as_i64().unwrap(),
                child,
            }
        })
        .collect();
    let sessions = made["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_i64().unwrap(),
                s["starts_at"].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect();
    let _ = tom;
    Group {
        cohort,
        sessions,
        coordinator: app.user_id(co.t().unwrap()),
        lead: app.user_id(&lead_t),
        co: app.user_id(&tom_t),
        creche: app.user_id(&maria_t),
        creche_staff: maria,
        other: app.user_id(&ola_t),
        families,
    }
}

impl Group {
    /// Moves the clock to `minutes` after session `n` (1-based) starts.
    pub fn at_session(&self, app: &TestApp, n: usize, minutes: i64) {
        app.clock
            .set(self.sessions[n - 1].1 + Duration::minutes(minutes));
    }

    pub fn register(&self, n: usize) -> String {
        format!("/api/v1/sessions/{}/register", self.sessions[n - 1].0)
    }
}

pub fn staff(app: &TestApp, user: i64) -> String {
    app.token_as(user, Role::Facilitator)
}

pub fn coordinator(app: &TestApp, g: &Group) -> String {
    app.token_as(g.coordinator, Role::Coordinator)
}

pub fn put(app: &TestApp, path: &str, token: &str, etag: Option<&str>, body: &Value) -> Response {
    let mut req = app.req(Method::PUT, path, Some(token)).json(body);
    if let Some(e) = etag {
        req = req.header("if-match", e);
    }
    req.send().unwrap()
}

/// GET the register; returns (body, ETag).
pub fn read(app: &TestApp, path: &str, token: &str) -> (Value, String) {
    let res = app.get(path, Some(token));
    assert_eq!(res.status(), 200, "{path}");
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(res.headers()["cache-control"], "no-store");
    (res.json().unwrap(), etag)
}

/// Marks families (booking id, status) with a fresh ETag; returns the register after.
pub fn mark(app: &TestApp, path: &str, token: &str, marks: &[(i64, &str)]) -> Value {
    let (_, etag) = read(app, path, token);
    let marks: Vec<Value> = marks
        .iter()
        .map(|(b, s)| json!({"booking_id": b, "status": s}))
        .collect();
    ok_json(
        put(app, path, token, Some(&etag), &json!({"marks": marks})),
        200,
    )
}

fn audit_count(app: &TestApp, booking: i64, action: &str) -> Vec<Option<i32>> {
    let mut conn = app.state.pool.get().unwrap();
    groupwork::store::audit::for_entity(&mut conn, "booking", booking as i32)
        .unwrap()
        .into_iter()
        .filter(|a| a.action == action)
        .map(|a| a.actor_user_id)
        .collect()
}

db_test! {
    fn register_round_trip_with_etags(app) {
        let g = group(&app, 6, 3, 1);
        let [a, b, c] = [&g.families[0], &g.families[1], &g.families[2]];
        g.at_session(&app, 1, 30);
        let lead = staff(&app, g.lead);
        let path = g.register(1);
        let (reg, etag) = read(&app, &path, &lead);
        assert_eq!(reg["session"]["number"], 1);
        assert_eq!(reg["session"]["local_start"], "2026-03-03T10:00:00+00:00");
        assert_eq!(reg["families"].as_array().unwrap().len(), 3);
        assert_eq!(reg["counts"]["unmarked"], 3);
        assert_eq!(reg["families"][0]["creche_children"][0]["age_months"], 9);
        assert_eq!(reg["creche"]["children"].as_array().unwrap().len(), 1);

        let body = json!({"marks": [{"booking_id": a.booking, "status": "present"}, {"booking_id": b.booking, "status": "late"},
                                    {"booking_id": c.booking, "status": "apologies"}],
                          "creche": [{"child_id": a.child, "signed_in_at": "2026-03-03T10:05:00Z"}]});
        // No If-Match: 428, and nothing changed.
        let p = problem(put(&app, &path, &lead, None, &body), 428);
        assert_eq!(p["type"], "/problems/precondition-required");
        assert_eq!(read(&app, &path, &lead).0["counts"]["unmarked"], 3);

        let res = put(&app, &path, &lead, Some(&etag), &body);
        let etag2 = res.headers()["etag"].to_str().unwrap().to_string();
        let reg = ok_json(res, 200);
        assert_ne!(etag, etag2);
        assert_eq!((reg["counts"]["present"].as_i64(), reg["counts"]["late"].as_i64(), reg["counts"]["apologies"].as_i64()), (Some(1), Some(1), Some(1)));
        assert_eq!(reg["creche"]["not_signed_out"], json!([a.child]));
        assert_eq!(audit_count(&app, a.booking, "attendance_marked"), [Some(g.lead as i32)]);
        assert_eq!(audit_count(&app, a.booking, "creche_signed"), [Some(g.lead as i32)]);

        // The same PUT again changes nothing, whichever ETag it carries: a retried request.
        for e in [&etag2, &etag] {
            let res = put(&app, &path, &lead, Some(e), &body);
            assert_eq!(res.headers()["etag"].to_str().unwrap(), etag2);
            ok_json(res, 200);
        }
        assert_eq!(audit_count(&app, a.booking, "attendance_marked").len(), 1);

        // Someone else's change since the read: 412, and the mark stays.
        let co = staff(&app, g.co);
        let p = problem(put(&app, &path, &co, Some(&etag), &json!({"marks": [{"booking_id": a.booking, "status": "absent"}]})), 412);
        assert_eq!(p["type"], "/problems/precondition-failed");
        assert_eq!(read(&app, &path, &co).0["families"][0]["mark"], "present");

        // A child without a crèche place cannot be signed in; bad values name their field.
        let (_, e) = read(&app, &path, &co);
        let p = problem(put(&app, &path, &co, Some(&e), &json!({"creche": [{"child_id": b.child, "signed_in_at": "2026-03-03T10:05:00Z"}]})), 422);
        assert!(p["errors"]["creche[0].child_id"].is_array(), "{p}");
        let p = problem(put(&app, &path, &co, Some(&e), &json!({"marks": [{"booking_id": a.booking, "status": "here"}]})), 422);
        assert!(p["errors"]["marks[0].status"].is_array(), "{p}");
        let p = problem(put(&app, &path, &co, Some(&e), &json!({"creche": [{"child_id": a.child, "signed_in_at": "2026-03-03T10:05:00Z", "signed_out_at": "2026-03-03T10:20:00Z"}]})), 422);
        assert!(p["errors"]["creche[0].collected_by"].is_array(), "{p}");
        assert_eq!(read(&app, &path, &co).1, e, "refused PUTs changed nothing");

        // The crèche worker signs the child out but cannot mark attendance.
        g.at_session(&app, 1, 115);
        let maria = staff(&app, g.creche);
        let (reg, e) = read(&app, &path, &maria);
        // Collected by a carer of the family, as the register names them.
        let mum = reg["families"][0]["carers_names"][0].as_str().unwrap().to_string();
        let out = json!({"creche": [{"child_id": a.child, "signed_in_at": "2026-03-03T10:05:00Z", "signed_out_at": "2026-03-03T11:52:00Z", "collected_by": mum}]});
        let reg = ok_json(put(&app, &path, &maria, Some(&e), &out), 200);
        assert_eq!(reg["creche"]["not_signed_out"], json!([]));
        assert_eq!(reg["creche"]["children"][0]["collected_by"], mum.as_str());
        let maria = staff(&app, g.creche);
        let (_, e) = read(&app, &path, &maria);
        problem(put(&app, &path, &maria, Some(&e), &json!({"marks": [{"booking_id": a.booking, "status": "late"}]})), 403);

        // A correction: each booking's kept tally of marks follows the changed marks.
        let lead = staff(&app, g.lead);
        let (_, e) = read(&app, &path, &lead);
        let fix = json!({"marks": [{"booking_id": a.booking, "status": "absent"}, {"booking_id": b.booking, "status": "present"}]});
        let reg = ok_json(put(&app, &path, &lead, Some(&e), &fix), 200);
        assert_eq!((reg["counts"]["present"].as_i64(), reg["counts"]["absent"].as_i64()), (Some(1), Some(1)));
        assert_eq!(crate::reports::mark_tallies_agree(&app), 3);

        // Not theirs: another group's facilitator; parents are not staff.
        let other = staff(&app, g.other);
        problem(app.get(&path, Some(&other)), 404);
        problem(put(&app, &path, &other, Some(&e), &body), 404);
        problem(app.get(&path, Some(&app.token_as(a.user, Role::Parent))), 403);
        problem(app.get("/api/v1/sessions/424242/register", Some(&staff(&app, g.lead))), 404);
    }
}

db_test! {
    fn the_marking_window_and_cancelled_sessions(app) {
        let g = group(&app, 6, 1, 0);
        let a = g.families[0].booking;
        // Before session 2 starts only apologies can be recorded.
        g.at_session(&app, 2, -60);
        let lead = staff(&app, g.lead);
        let (_, e) = read(&app, &g.register(2), &lead);
        let p = problem(put(&app, &g.register(2), &lead, Some(&e), &json!({"marks": [{"booking_id": a, "status": "present"}]})), 422);
        assert!(p["detail"].as_str().unwrap().contains("apologies"), "{p}");
        assert_eq!(mark(&app, &g.register(2), &lead, &[(a, "apologies")])["families"][0]["mark"], "apologies");

        // Seven days after session 1 ended (2 hours long) the lead can still mark; a minute
        // later only a coordinator can correct.
        g.at_session(&app, 1, 120 + 7 * 24 * 60);
        mark(&app, &g.register(1), &staff(&app, g.lead), &[(a, "absent")]);
        g.at_session(&app, 1, 121 + 7 * 24 * 60);
        let lead = staff(&app, g.lead);
        let (_, e) = read(&app, &g.register(1), &lead);
        let p = problem(put(&app, &g.register(1), &lead, Some(&e), &json!({"marks": [{"booking_id": a, "status": "present"}]})), 403);
        assert!(p["detail"].as_str().unwrap().contains("coordinator"), "{p}");
        let co = coordinator(&app, &g);
        assert_eq!(mark(&app, &g.register(1), &co, &[(a, "present")])["families"][0]["mark"], "present");
        assert_eq!(audit_count(&app, a, "attendance_marked"), [Some(g.lead as i32), Some(g.lead as i32), Some(g.coordinator as i32)]);

        // A cancelled session has no register to mark.
        let s3 = g.sessions[2].0;
        ok_json(app.patch(&format!("/api/v1/sessions/{s3}"), Some(&co), &json!({"status": "cancelled", "reason": "Venue flooded"})), 200);
        g.at_session(&app, 3, 30);
        let co = coordinator(&app, &g);
        let (_, e) = read(&app, &g.register(3), &co);
        problem(put(&app, &g.register(3), &co, Some(&e), &json!({"marks": [{"booking_id": a, "status": "present"}]})), 409);
    }
}

db_test! {
    fn the_creche_check_warns_when_signed_in_children_exceed_the_staff_present(app) {
        // Three babies with crèche places; one crèche worker covers three (1:3).
        let g = group(&app, 6, 3, 3);
        g.at_session(&app, 1, 20);
        let maria = staff(&app, g.creche);
        let path = g.register(1);
        let (_, e) = read(&app, &path, &maria);
        let all: Vec<Value> = g.families.iter().map(|f| json!({"child_id": f.child, "signed_in_at": "2026-03-03T10:02:00Z"})).collect();
        let reg = ok_json(put(&app, &path, &maria, Some(&e), &json!({"creche": all})), 200);
        assert_eq!((reg["creche"]["peak_children"].as_i64(), reg["creche"]["staff_needed_at_peak"].as_i64()), (Some(3), Some(1)));
        assert_eq!(reg["creche"]["within_ratio"], true);
        // The second crèche worker is off sick today: nobody is present.
        let (_, e) = read(&app, &path, &maria);
        let reg = ok_json(put(&app, &path, &maria, Some(&e), &json!({"creche_staff_present": 0})), 200);
        assert_eq!(reg["creche"]["within_ratio"], false);
        assert!(reg["creche"]["warnings"][0].as_str().unwrap().contains("needed 1 staff"), "{reg}");
        assert_eq!(reg["creche"]["not_signed_out"].as_array().unwrap().len(), 3);
    }
}
