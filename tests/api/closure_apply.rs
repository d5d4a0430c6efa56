//! A closure added after groups were planned is resolved, not just reported: the answer proposes
//! a plan, a dry run shows exactly what would change and changes nothing, and applying it moves
//! each hit session to the end of its group (same local time across the clock change) or
//! cancels it, cohort by cohort, refusing a cohort whose move breaks a rule and naming the rule.
//! Moving one session by hand re-runs the same crèche check.

use crate::bookings::parent;
use crate::db_test;
use crate::fixtures::{dates, Coordinator};
use crate::helpers::{ok_json, problem, TestApp};
use groupwork::domain::role::Role;
use serde_json::{json, Value};

/// A published group: `team` as for PUT /facilitators, `extra` fields for the cohort.
fn group(
    co: &Coordinator,
    programme: &str,
    venue: i64,
    first: &str,
    time: &str,
    extra: Value,
    team: Value,
) -> i64 {
    let id = co.cohort(programme, venue, first, time, extra)["id"]
        .as_i64()
        .unwrap();
    ok_json(co.set_team(id, team), 200);
    ok_json(co.publish(id), 200);
    id
}

/// A family booked on `cohort` (its child in the crèche when `creche`); returns the booking id.
fn booked(app: &TestApp, email: &str, born: &str, cohort: i64, creche: bool) -> i64 {
    let (token, child) = parent(app, email, born);
    let body = if creche {
        json!({"creche_child_ids": [child]})
    } else {
        json!({})
    };
    let b = ok_json(
        app.post(
            &format!("/api/v1/cohorts/{cohort}/bookings"),
            Some(&token),
            &body,
        ),
        201,
    );
    assert_eq!(b["status"], "confirmed", "{b}");
    b["id"].as_i64().unwrap()
}

fn cohort(app: &TestApp, co: &Coordinator, id: i64) -> Value {
    ok_json(app.get(&format!("/api/v1/cohorts/{id}"), co.t()), 200)
}

/// A hit session: (local start, new local start).
type Move = (String, Option<String>);

/// Per cohort of an apply answer: (cohort id, outcome, its sessions' moves).
fn plan(cohorts: &Value) -> Vec<(i64, String, Vec<Move>)> {
    cohorts
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let moves = c["sessions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| {
                    (
                        s["local_start"].as_str().unwrap().to_string(),
                        s["new_local_start"].as_str().map(String::from),
                    )
                })
                .collect();
            (
                c["cohort_id"].as_i64().unwrap(),
                c["outcome"].as_str().unwrap().to_string(),
                moves,
            )
        })
        .collect()
}

/// Messages of `kind` queued for `booking`.
fn told(app: &TestApp, co: &Coordinator, cohort: i64, booking: i64, kind: &str) -> usize {
    let list = ok_json(
        app.get(
            &format!("/api/v1/messages?cohort_id={cohort}&kind={kind}&limit=100"),
            co.t(),
        ),
        200,
    );
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["booking_id"] == booking)
        .count()
}

fn moved(from: &str, to: &str) -> Move {
    (from.to_string(), Some(to.to_string()))
}

db_test! {
    fn an_easter_closure_moves_two_groups_and_refuses_the_third(app) {
        let co = Coordinator::new(&app);
        let stockwell = co.venue("Stockwell Children's Centre", "lambeth-2014:Stockwell", 10);
        let vassall = co.venue("Vassall Children's Centre", "lambeth-2014:Vassall", 10);
        let grace = co.staff("Grace Adeyemi", &[("cosp_registered", None)]);
        let tom = co.staff("Tom Reilly", &[]);
        let maria = co.staff("Maria Santos", &[("paediatric_first_aid", None)]);
        let hannah = co.staff("Hannah Mensah", &[("clinical", None)]);
        let priya = co.staff("Priya Shah", &[("cosp_registered", None)]);
        let sam = co.staff("Sam Cole", &[]);
        // Her first aid certificate covers the group as planned (to 25 March), not a week later.
        let chloe = co.staff("Chloe Evans", &[("paediatric_first_aid", Some("2027-04-01"))]);

        // Tuesdays 2 Feb – 23 Mar 2027, 10:00 (GMT throughout).
        let a = group(&co, "cosp", stockwell, "2027-02-02", "10:00", json!({"creche_workers": 1}),
            json!({"lead": grace, "co_facilitators": [tom], "creche_workers": [maria]}));
        // Wednesdays 3 Mar – 7 Apr 2027, 10:30.
        let b = group(&co, "together-time", vassall, "2027-03-03", "10:30", json!({}), json!({"lead": hannah}));
        // Thursdays 4 Feb – 25 Mar 2027, 10:00.
        let c = group(&co, "cosp", vassall, "2027-02-04", "10:00", json!({"creche_workers": 1}),
            json!({"lead": priya, "co_facilitators": [sam], "creche_workers": [chloe]}));
        let booking_a = booked(&app, "amina@example.org", "2025-10-01", a, true);
        let booking_b = booked(&app, "bea@example.org", "2026-01-10", b, false);
        let booking_c = booked(&app, "cara@example.org", "2025-03-20", c, true);
        let before: Vec<Value> = [a, b, c].iter().map(|id| cohort(&app, &co, *id)).collect();

        // Easter 2027: Good Friday 26 March, the clocks go forward on Sunday 28 March. Every venue
        // closes for the fortnight 22 March – 2 April.
        let created = ok_json(app.post("/api/v1/closures", co.t(), &json!({"from": "2027-03-22", "to": "2027-04-02", "reason": "Easter holidays"})), 201);
        let closure = created["id"].as_i64().unwrap();
        assert_eq!(created["affected_sessions"].as_array().unwrap().len(), 4, "{created}");
        let expected = vec![
            (a, "moved".to_string(), vec![moved("2027-03-23T10:00:00+00:00", "2027-04-06T10:00:00+01:00")]),
            (b, "moved".to_string(), vec![
                moved("2027-03-24T10:30:00+00:00", "2027-04-14T10:30:00+01:00"),
                moved("2027-03-31T10:30:00+01:00", "2027-04-21T10:30:00+01:00"),
            ]),
            (c, "refused".to_string(), vec![moved("2027-03-25T10:00:00+00:00", "2027-04-08T10:00:00+01:00")]),
        ];
        assert_eq!(plan(&created["proposed_plan"]), expected, "{created}");

        // The dry run answers the same, and changes nothing.
        let dry = ok_json(app.post(&format!("/api/v1/closures/{closure}/apply?dry_run=true"), co.t(), &json!({"resolution": "move"})), 200);
        assert_eq!(dry["dry_run"], true);
        assert_eq!(plan(&dry["cohorts"]), expected, "{dry}");
        assert_eq!(dry["cohorts"], created["proposed_plan"]);
        assert_eq!(dry["cohorts"][0]["sessions"][0]["new_starts_at"], "2027-04-06T09:00:00Z", "10:00 BST is 09:00 UTC");
        let refused = &dry["cohorts"][2];
        assert_eq!(refused["rule"], "paediatric_first_aid", "{refused}");
        let detail = refused["detail"].as_str().unwrap();
        assert!(detail.contains("Chloe Evans") && detail.contains("2027-04-08"), "{detail}");
        let after_dry: Vec<Value> = [a, b, c].iter().map(|id| cohort(&app, &co, *id)).collect();
        assert_eq!(after_dry, before, "a dry run changes nothing");
        assert_eq!(told(&app, &co, a, booking_a, "session_moved"), 0);

        // Applied: A and B move, C is refused and left as it was.
        app.clock.advance(chrono::Duration::minutes(5));
        let applied = ok_json(app.post(&format!("/api/v1/closures/{closure}/apply"), co.t(), &json!({"resolution": "move"})), 200);
        assert_eq!(applied["dry_run"], false);
        assert_eq!(plan(&applied["cohorts"]), expected, "{applied}");
        assert_eq!(applied["cohorts"][2]["problems"][0]["rule"], "paediatric_first_aid");
        let applied_at = applied["applied_at"].clone();
        assert!(applied_at.is_string(), "{applied}");

        let a_now = cohort(&app, &co, a);
        assert_eq!(dates(&a_now), ["2027-02-02", "2027-02-09", "2027-02-16", "2027-02-23", "2027-03-02", "2027-03-09", "2027-03-16", "2027-04-06"]);
        let last = a_now["sessions"].as_array().unwrap().iter().find(|s| s["number"] == 8).unwrap();
        assert_eq!(last["local_start"], "2027-04-06T10:00:00+01:00", "same local time after the clocks change");
        assert_eq!(last["starts_at"], "2027-04-06T09:00:00Z");
        let b_now = cohort(&app, &co, b);
        assert_eq!(dates(&b_now), ["2027-03-03", "2027-03-10", "2027-03-17", "2027-04-07", "2027-04-14", "2027-04-21"]);
        let numbers: Vec<i64> = b_now["sessions"].as_array().unwrap().iter().map(|s| s["number"].as_i64().unwrap()).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5, 6], "renumbered in time order");
        assert_eq!(cohort(&app, &co, c), before[2], "the refused group is unchanged");

        // The families of moved sessions are told, once per session; the refused group's are not.
        assert_eq!(told(&app, &co, a, booking_a, "session_moved"), 1);
        assert_eq!(told(&app, &co, b, booking_b, "session_moved"), 2);
        assert_eq!(told(&app, &co, c, booking_c, "session_moved"), 0);
        let admin = app.user_token(Role::Admin);
        let audit = ok_json(app.get("/api/v1/audit?action=closure_applied", Some(&admin)), 200);
        assert_eq!(audit["total"], 1, "{audit}");
        let changed = ok_json(app.get("/api/v1/audit?action=schedule_changed", Some(&admin)), 200);
        assert_eq!(changed["total"], 3, "{changed}");

        // Again: A and B have nothing left on those dates; C is refused again, unchanged.
        app.clock.advance(chrono::Duration::minutes(5));
        let again = ok_json(app.post(&format!("/api/v1/closures/{closure}/apply"), co.t(), &json!({"resolution": "move"})), 200);
        assert_eq!(plan(&again["cohorts"]), vec![expected[2].clone()], "{again}");
        assert_eq!(again["applied_at"], applied_at, "nothing was moved, so nothing is recorded");
        assert_eq!(cohort(&app, &co, a), a_now);
        assert_eq!(cohort(&app, &co, b), b_now);
        assert_eq!(told(&app, &co, b, booking_b, "session_moved"), 2);

        // With C cancelled instead, nothing is left at all, and applying once more answers empty.
        let cancelled = ok_json(app.post(&format!("/api/v1/closures/{closure}/apply"), co.t(), &json!({"resolution": "move", "cohorts": {c.to_string(): "cancel"}})), 200);
        assert_eq!(cancelled["cohorts"][0]["outcome"], "cancelled", "{cancelled}");
        assert_eq!(told(&app, &co, c, booking_c, "session_cancelled"), 1);
        let empty = ok_json(app.post(&format!("/api/v1/closures/{closure}/apply"), co.t(), &json!({"resolution": "move"})), 200);
        assert_eq!(empty["cohorts"], json!([]), "{empty}");
    }
}

db_test! {
    fn a_closure_can_cancel_its_sessions_with_a_reason(app) {
        let co = Coordinator::new(&app);
        let venue = co.venue("Stockwell Children's Centre", "lambeth-2014:Stockwell", 10);
        let other = co.venue("Vassall Children's Centre", "lambeth-2014:Vassall", 10);
        let grace = co.staff("Grace Adeyemi", &[("cosp_registered", None)]);
        let tom = co.staff("Tom Reilly", &[]);
        let maria = co.staff("Maria Santos", &[("paediatric_first_aid", None)]);
        let hannah = co.staff("Hannah Mensah", &[("clinical", None)]);
        let a = group(&co, "cosp", venue, "2027-02-02", "10:00", json!({"creche_workers": 1}),
            json!({"lead": grace, "co_facilitators": [tom], "creche_workers": [maria]}));
        let b = group(&co, "together-time", venue, "2027-03-03", "10:30", json!({}), json!({"lead": hannah}));
        // Another venue's group is not touched by this venue's closure.
        let elsewhere = group(&co, "together-time", other, "2027-03-04", "13:00", json!({}), json!({"lead": hannah}));
        let booking_a = booked(&app, "amina@example.org", "2025-10-01", a, false);
        let before_elsewhere = cohort(&app, &co, elsewhere);

        let closure = ok_json(app.post("/api/v1/closures", co.t(), &json!({"venue_id": venue, "from": "2027-03-22", "to": "2027-04-02", "reason": "Boiler replacement"})), 201)["id"].as_i64().unwrap();
        let res = ok_json(app.post(&format!("/api/v1/closures/{closure}/apply"), co.t(),
            &json!({"resolution": "cancel", "cohorts": {b.to_string(): "move"}, "reason": "The heating is being replaced"})), 200);
        let outcomes: Vec<(i64, String)> = plan(&res["cohorts"]).into_iter().map(|(id, o, _)| (id, o)).collect();
        assert_eq!(outcomes, [(a, "cancelled".to_string()), (b, "moved".to_string())], "{res}");
        assert_eq!(res["cohorts"][0]["sessions"][0]["new_local_start"], Value::Null);

        let a_now = cohort(&app, &co, a);
        let hit = a_now["sessions"].as_array().unwrap().iter().find(|s| s["local_start"] == "2027-03-23T10:00:00+00:00").unwrap();
        assert_eq!(hit["status"], "cancelled");
        assert_eq!(hit["cancel_reason"], "The heating is being replaced");
        assert_eq!(dates(&a_now).len(), 7, "seven sessions left, numbered 1–7");
        assert_eq!(told(&app, &co, a, booking_a, "session_cancelled"), 1);
        assert_eq!(dates(&cohort(&app, &co, b)), ["2027-03-03", "2027-03-10", "2027-03-17", "2027-04-07", "2027-04-14", "2027-04-21"]);
        assert_eq!(cohort(&app, &co, elsewhere), before_elsewhere);
        let again = ok_json(app.post(&format!("/api/v1/closures/{closure}/apply"), co.t(), &json!({"resolution": "cancel"})), 200);
        assert_eq!(again["cohorts"], json!([]));
    }
}

db_test! {
    fn bad_applies_are_refused_and_change_nothing(app) {
        let co = Coordinator::new(&app);
        let venue = co.venue("Stockwell Children's Centre", "lambeth-2014:Stockwell", 10);
        let hannah = co.staff("Hannah Mensah", &[("clinical", None)]);
        let a = group(&co, "together-time", venue, "2027-03-03", "10:30", json!({}), json!({"lead": hannah}));
        let before = cohort(&app, &co, a);
        let closure = ok_json(app.post("/api/v1/closures", co.t(), &json!({"venue_id": venue, "from": "2027-03-22", "to": "2027-04-02", "reason": "Easter"})), 201)["id"].as_i64().unwrap();
        let path = format!("/api/v1/closures/{closure}/apply");
        let p = problem(app.post(&path, co.t(), &json!({"resolution": "postpone"})), 422);
        assert!(p["errors"]["resolution"].is_array(), "{p}");
        problem(app.post(&path, co.t(), &json!({})), 422);
        let p = problem(app.post(&path, co.t(), &json!({"resolution": "move", "cohorts": {"abc": "move"}})), 422);
        assert!(p["errors"]["cohorts"].is_array(), "{p}");
        let p = problem(app.post(&path, co.t(), &json!({"resolution": "move", "cohorts": {"424242": "cancel"}})), 422);
        assert!(p["errors"]["cohorts"].is_array(), "{p}");
        problem(app.post(&path, co.t(), &json!({"resolution": "move", "reason": ""})), 422);
        problem(app.post("/api/v1/closures/424242/apply", co.t(), &json!({"resolution": "move"})), 404);
        problem(app.post("/api/v1/closures/424242/apply?dry_run=true", co.t(), &json!({"resolution": "move"})), 404);
        let facilitator = app.user_token(Role::Facilitator);
        problem(app.post(&path, Some(&facilitator), &json!({"resolution": "move"})), 403);
        assert_eq!(cohort(&app, &co, a), before);
    }
}

db_test! {
    fn moving_a_session_earlier_rechecks_the_creche_on_its_new_date(app) {
        let co = Coordinator::new(&app);
        let venue = co.venue("Stockwell Children's Centre", "lambeth-2014:Stockwell", 10);
        let grace = co.staff("Grace Adeyemi", &[("cosp_registered", None)]);
        let tom = co.staff("Tom Reilly", &[]);
        let maria = co.staff("Maria Santos", &[("paediatric_first_aid", None)]);
        // Tuesdays from 2 March 2027, one crèche worker.
        let a = group(&co, "cosp", venue, "2027-03-02", "10:00", json!({"creche_workers": 1}),
            json!({"lead": grace, "co_facilitators": [tom], "creche_workers": [maria]}));
        // Two babies (1:3), a three-year-old (1:8), and Zara, who turns two on 1 March 2027
        // (1:5 from then): 40 + 40 + 15 + 24 = 119 of one worker's 120 units on every date.
        booked(&app, "baby1@example.org", "2025-06-01", a, true);
        booked(&app, "baby2@example.org", "2025-07-01", a, true);
        booked(&app, "older@example.org", "2023-06-01", a, true);
        booked(&app, "zara@example.org", "2025-03-01", a, true);
        let before = cohort(&app, &co, a);
        let first = before["sessions"][0]["id"].as_i64().unwrap();

        // A week earlier Zara is still under two: 40 + 40 + 15 + 40 needs a second worker.
        let p = problem(app.patch(&format!("/api/v1/sessions/{first}"), co.t(), &json!({"date": "2027-02-23"})), 409);
        let said = p["errors"]["creche_ratio"][0].as_str().unwrap_or_default();
        assert!(said.contains("2027-02-23") && said.contains("2 crèche workers"), "{p}");
        assert_eq!(cohort(&app, &co, a), before, "nothing changed");

        // Later is fine: the children are only older then.
        let moved = ok_json(app.patch(&format!("/api/v1/sessions/{first}"), co.t(), &json!({"date": "2027-04-27"})), 200);
        assert_eq!(dates(&moved).last().map(String::as_str), Some("2027-04-27"));
    }
}
