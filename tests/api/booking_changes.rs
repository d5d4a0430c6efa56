//! Changing a booking without losing the place (`PATCH /api/v1/bookings/{id}`): a crèche child
//! added takes a crèche place under the same guards as a booking (raced against a new booking
//! for the last one, with the control run that shows the race without the guard), a child
//! removed lets the right waitlisted family in, details show in the family's own list, bad input
//! and ended bookings change nothing, and one family cannot touch another's booking.

use crate::bookings::parent;
use crate::fixtures::Coordinator;
use crate::helpers::{self, ok_json, problem, Backend, TestApp};
use crate::{db_test, races};
use groupwork::domain::role::Role;
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::{Arc, Barrier};

/// A published COSP group on Tuesdays at 10:00 from `first`, at its own venue (crèche room for
/// ten) with its own team, named by `tag` so that one app can hold several groups.
pub(crate) fn group(app: &TestApp, tag: &str, first: &str, places: i32, workers: i64) -> i64 {
    let co = Coordinator::new(app);
    let venue = co.venue(&format!("Centre {tag}"), "lambeth-2014:Stockwell", 10);
    let lead = co.staff(&format!("Grace {tag}"), &[("cosp_registered", None)]);
    let co_fac = co.staff(&format!("Tom {tag}"), &[]);
    let creche: Vec<i64> = (0..workers)
        .map(|i| {
            co.staff(
                &format!("Maria {tag} {i}"),
                &[("paediatric_first_aid", None)],
            )
        })
        .collect();
    let extra = json!({"places": places, "creche_workers": workers});
    let id = co.cohort("cosp", venue, first, "10:00", extra)["id"]
        .as_i64()
        .unwrap();
    let team = json!({"lead": lead, "co_facilitators": [co_fac], "creche_workers": creche});
    ok_json(co.set_team(id, team), 200);
    ok_json(co.publish(id), 200);
    id
}

pub(crate) fn book(app: &TestApp, token: &str, cohort: i64, body: Value) -> Value {
    let url = format!("/api/v1/cohorts/{cohort}/bookings");
    ok_json(app.post(&url, Some(token), &body), 201)
}

pub(crate) fn change(app: &TestApp, token: &str, booking: &Value, body: Value) -> Response {
    app.patch(
        &format!("/api/v1/bookings/{}", booking["id"]),
        Some(token),
        &body,
    )
}

type Response = reqwest::blocking::Response;

/// A second child of the parent's family; its id.
fn child(app: &TestApp, token: &str, born: &str) -> i64 {
    let body = json!({"first_name": "Noor", "date_of_birth": born});
    ok_json(app.post("/api/v1/me/children", Some(token), &body), 201)["id"]
        .as_i64()
        .unwrap()
}

/// The listing's crèche places left for a baby in a cohort.
fn baby_places_left(app: &TestApp, cohort: i64) -> i64 {
    let listing = ok_json(app.get("/api/v1/listings?limit=100", None), 200);
    let item = listing["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["cohort_id"] == cohort)
        .unwrap_or_else(|| panic!("cohort {cohort} not listed: {listing}"))
        .clone();
    item["creche"]["places_left_by_age"]["under_2"]
        .as_i64()
        .unwrap()
}

/// Babies holding crèche places in a cohort, as the coordinator's list shows them.
fn babies_in(app: &TestApp, cohort: i64) -> usize {
    let co = Coordinator::new(app);
    let list = ok_json(
        app.get(&format!("/api/v1/cohorts/{cohort}/bookings"), co.t()),
        200,
    );
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["status"] == "confirmed")
        .map(|b| b["creche_child_ids"].as_array().unwrap().len())
        .sum()
}

/// One round: a group whose crèche (one worker, 1:3 for babies) has one baby place left; a
/// booked family adds its baby to the crèche while a new family books with theirs, released
/// together. Returns (the change's status, the new booking's status, babies now in the crèche,
/// baby places the listing shows left, (confirmed rows, stored count)).
fn race_round(app: &TestApp, round: usize) -> (u16, String, usize, i64, (i64, i32)) {
    let cohort = group(app, &format!("race{round}"), "2026-03-03", 20, 1);
    for i in 0..2 {
        let (t, baby) = parent(app, &format!("early{i}-{round}@example.org"), "2025-06-01");
        let b = book(app, &t, cohort, json!({"creche_child_ids": [baby]}));
        assert_eq!(b["status"], "confirmed");
    }
    let (booked_t, booked_baby) = parent(app, &format!("booked-{round}@example.org"), "2025-06-01");
    let booked = book(app, &booked_t, cohort, json!({}));
    assert_eq!(booked["status"], "confirmed");
    let (new_t, new_baby) = parent(app, &format!("new-{round}@example.org"), "2025-06-01");

    let barrier = Arc::new(Barrier::new(2));
    let (base, id) = (app.base.clone(), booked["id"].as_i64().unwrap());
    let b1 = barrier.clone();
    let adding = std::thread::spawn(move || {
        let client = reqwest::blocking::Client::new();
        b1.wait();
        client
            .patch(format!("{base}/api/v1/bookings/{id}"))
            .bearer_auth(booked_t)
            .json(&json!({"creche_child_ids": [booked_baby]}))
            .send()
            .expect("PATCH")
            .status()
            .as_u16()
    });
    let base = app.base.clone();
    let booking = std::thread::spawn(move || {
        let client = reqwest::blocking::Client::new();
        barrier.wait();
        let res = client
            .post(format!("{base}/api/v1/cohorts/{cohort}/bookings"))
            .bearer_auth(new_t)
            .json(&json!({"creche_child_ids": [new_baby]}))
            .send()
            .expect("POST");
        assert_eq!(res.status(), 201, "a new booking is always answered");
        let b: Value = res.json().unwrap();
        b["status"].as_str().unwrap().to_string()
    });
    let changed = adding.join().unwrap();
    let booked_status = booking.join().unwrap();
    (
        changed,
        booked_status,
        babies_in(app, cohort),
        baby_places_left(app, cohort),
        races::stored(app, cohort),
    )
}

fn check_last_creche_place(backend: Backend) {
    let Some(app) = helpers::spawn(backend, |c| c.pool_size = 8) else {
        return;
    };
    for round in 0..4 {
        let (changed, booked, babies, left, (rows, count)) = race_round(&app, round);
        let winners = usize::from(changed == 200) + usize::from(booked == "confirmed");
        assert_eq!(
            winners, 1,
            "round {round}: exactly one family gets the last crèche place (change {changed}, new booking {booked})"
        );
        assert!(
            changed == 200 || changed == 409,
            "the loser is refused: {changed}"
        );
        if changed == 200 {
            assert_eq!(booked, "waitlisted", "the new family waits for the crèche");
        }
        assert_eq!(
            (babies, left),
            (3, 0),
            "round {round}: three babies for one worker"
        );
        let families = 3 + i64::from(booked == "confirmed");
        assert_eq!(
            (rows, i64::from(count)),
            (families, families),
            "round {round}: stored count equals the rows"
        );
    }
    drop(app);

    // Control: without the guard the same race gives the last place twice, at least once.
    let app = helpers::spawn(backend, |c| {
        c.capacity_guard = false;
        c.pool_size = 8;
    })
    .expect("same backend");
    let broken = (0..4)
        .map(|round| race_round(&app, round))
        .filter(|(changed, booked, babies, _, _)| {
            *changed == 200 && booked == "confirmed" && *babies > 3
        })
        .count();
    assert!(
        broken >= 1,
        "the control never broke the ratio: the race was not seen"
    );
}

#[test]
fn adding_a_creche_child_races_a_new_booking_for_the_last_place_sqlite() {
    check_last_creche_place(Backend::Sqlite);
}

#[test]
fn adding_a_creche_child_races_a_new_booking_for_the_last_place_postgres() {
    check_last_creche_place(Backend::Postgres);
}

db_test! {
    fn removing_a_creche_child_lets_in_the_earliest_family_that_now_fits(app) {
        // One crèche worker: 120 units; a baby costs 40, a two-year-old 24, a three-year-old 15.
        let cohort = group(&app, "remove", "2026-03-03", 20, 1);
        let mut held = Vec::new();
        for (i, born) in ["2025-06-01", "2025-05-01", "2023-09-01", "2022-06-01"].iter().enumerate() {
            let (t, kid) = parent(&app, &format!("held{i}@example.org"), born);
            let b = book(&app, &t, cohort, json!({"creche_child_ids": [kid]}));
            assert_eq!(b["status"], "confirmed", "{born}");
            held.push((t, b));
        }
        // 119 units used: a baby (first to wait) and a three-year-old (second) both wait.
        let (baby_t, baby) = parent(&app, "waiting-baby@example.org", "2025-07-01");
        let waiting_baby = book(&app, &baby_t, cohort, json!({"creche_child_ids": [baby]}));
        let (older_t, older) = parent(&app, "waiting-three@example.org", "2022-09-01");
        let waiting_older = book(&app, &older_t, cohort, json!({"creche_child_ids": [older]}));
        assert_eq!((waiting_baby["status"].as_str(), waiting_older["status"].as_str()), (Some("waitlisted"), Some("waitlisted")));

        // The two-year-old's family takes her out of the crèche: 24 units free, enough for the
        // three-year-old, not for the baby, who stays first in line.
        let (two_t, two_b) = &held[2];
        let changed = ok_json(change(&app, two_t, two_b, json!({"creche_child_ids": []})), 200);
        assert_eq!((changed["status"].as_str(), changed["creche_child_ids"].clone()), (Some("confirmed"), json!([])), "the place is kept");
        let get = |t: &str, b: &Value| ok_json(app.get(&format!("/api/v1/bookings/{}", b["id"]), Some(t)), 200);
        assert_eq!(get(&older_t, &waiting_older)["status"], "confirmed");
        let still = get(&baby_t, &waiting_baby);
        assert_eq!((still["status"].as_str(), still["waitlist_position"].as_i64()), (Some("waitlisted"), Some(1)));
        let mine = ok_json(app.get("/api/v1/me/messages", Some(&older_t)), 200);
        assert!(mine["items"].as_array().unwrap().iter().any(|m| m["kind"] == "booking_promoted"), "{mine}");
        let (rows, count) = races::stored(&app, cohort);
        assert_eq!((rows, count), (5, 5), "four held, one promoted");

        // Taking a baby out frees 40 units: now the waiting baby fits.
        let (baby0_t, baby0_b) = &held[0];
        ok_json(change(&app, baby0_t, baby0_b, json!({"creche_child_ids": []})), 200);
        assert_eq!(get(&baby_t, &waiting_baby)["status"], "confirmed");

        let mut conn = app.state.pool.get().unwrap();
        let id = two_b["id"].as_i64().unwrap() as i32;
        let events = groupwork::store::audit::for_entity(&mut conn, "booking", id).unwrap();
        let changed = events.iter().find(|e| e.action == "booking_changed").expect("audited");
        assert!(changed.detail.contains("creche_child_ids"), "{}", changed.detail);
        assert_eq!(changed.actor_user_id, Some(app.user_id(two_t) as i32));
    }
}

db_test! {
    fn a_waitlisted_booking_waits_for_its_new_children(app) {
        let cohort = group(&app, "wait", "2026-03-03", 20, 1);
        for i in 0..3 {
            let (t, baby) = parent(&app, &format!("full{i}@example.org"), "2025-06-01");
            assert_eq!(book(&app, &t, cohort, json!({"creche_child_ids": [baby]}))["status"], "confirmed");
        }
        let (t, baby) = parent(&app, "twins@example.org", "2025-06-01");
        let b = book(&app, &t, cohort, json!({"creche_child_ids": [baby]}));
        assert_eq!(b["status"], "waitlisted");
        // Adding a second baby while waiting is not refused: it is what the family waits for.
        let twin = child(&app, &t, "2025-06-01");
        let waits = ok_json(change(&app, &t, &b, json!({"creche_child_ids": [baby, twin]})), 200);
        assert_eq!((waits["status"].as_str(), waits["creche_child_ids"].as_array().unwrap().len()), (Some("waitlisted"), 2));
        // Without any crèche place the family fits at once.
        let now = ok_json(change(&app, &t, &b, json!({"creche_child_ids": []})), 200);
        assert_eq!((now["status"].as_str(), now["waitlist_position"].clone()), (Some("confirmed"), Value::Null));
        assert_eq!(babies_in(&app, cohort), 3);
    }
}

db_test! {
    fn details_change_in_my_bookings_and_bad_input_changes_nothing(app) {
        let cohort = group(&app, "details", "2026-03-03", 20, 1);
        let (t, baby) = parent(&app, "amina@example.org", "2025-06-01");
        let b = book(&app, &t, cohort, json!({}));
        let needs = "Step-free access\nA quiet corner to feed";
        let body = json!({"carers": 2, "access_needs": format!("  {needs} "), "interpreter_needed": true,
                          "creche_child_ids": [baby]});
        let changed = ok_json(change(&app, &t, &b, body), 200);
        assert_eq!((changed["carers"].as_i64(), changed["access_needs"].as_str(), changed["interpreter_needed"].as_bool()),
                   (Some(2), Some(needs), Some(true)));
        let mine = ok_json(app.get("/api/v1/me/bookings", Some(&t)), 200);
        let item = &mine["items"][0];
        assert_eq!((item["carers"].as_i64(), item["access_needs"].as_str(), item["interpreter_needed"].as_bool()),
                   (Some(2), Some(needs), Some(true)));
        assert_eq!((item["creche_child_ids"].clone(), item["transferred_to"].clone()), (json!([baby]), Value::Null));
        // The team sees the group's needs too.
        let co = Coordinator::new(&app);
        let list = ok_json(app.get(&format!("/api/v1/cohorts/{cohort}/bookings"), co.t()), 200);
        assert_eq!(list["items"][0]["access_needs"], needs);
        // The audit trail names what changed, never the words.
        let mut conn = app.state.pool.get().unwrap();
        let events = groupwork::store::audit::for_entity(&mut conn, "booking", b["id"].as_i64().unwrap() as i32).unwrap();
        drop(conn);
        let e = events.iter().find(|e| e.action == "booking_changed").expect("audited");
        for field in ["carers", "access_needs", "interpreter_needed", "creche_child_ids"] {
            assert!(e.detail.contains(field), "{field} in {}", e.detail);
        }
        assert!(!e.detail.contains("Step-free") && !e.detail.contains("quiet"), "{}", e.detail);
        // Sending the same again changes nothing, and records nothing.
        ok_json(change(&app, &t, &b, json!({"carers": 2})), 200);
        let mut conn = app.state.pool.get().unwrap();
        let again = groupwork::store::audit::for_entity(&mut conn, "booking", b["id"].as_i64().unwrap() as i32).unwrap();
        drop(conn);
        assert_eq!(again.iter().filter(|e| e.action == "booking_changed").count(), 1);

        let (_, other_child) = parent(&app, "other@example.org", "2025-06-01");
        let expecting = app.post("/api/v1/me/children", Some(&t), &json!({"first_name": "Bump", "due_date": "2026-08-01"}));
        let unborn = ok_json(expecting, 201)["id"].as_i64().unwrap();
        let long = "x".repeat(2001);
        let bad = [
            (json!({}), "body"),
            (json!({"carers": 3}), "carers"),
            (json!({"carers": 0}), "carers"),
            (json!({"access_needs": "bell\u{7}"}), "access_needs"),
            (json!({"access_needs": long}), "access_needs"),
            (json!({"creche_child_ids": [other_child]}), "creche_child_ids"),
            (json!({"creche_child_ids": [unborn]}), "creche_child_ids"),
            (json!({"creche_child_ids": "all"}), "creche_child_ids"),
            (json!({"carers": 1, "colour": "blue"}), "colour"),
        ];
        for (body, field) in bad {
            let p = problem(change(&app, &t, &b, body.clone()), 422);
            assert!(p["errors"][field].is_array(), "{body} → {p}");
        }
        let after = ok_json(app.get(&format!("/api/v1/bookings/{}", b["id"]), Some(&t)), 200);
        assert_eq!(after, changed, "refused changes left the booking as it was");
    }
}

db_test! {
    fn ended_bookings_and_finished_groups_cannot_change(app) {
        let cohort = group(&app, "ended", "2026-03-03", 20, 1);
        let (t, baby) = parent(&app, "leaving@example.org", "2025-06-01");
        let b = book(&app, &t, cohort, json!({}));
        let (t2, baby2) = parent(&app, "staying@example.org", "2025-06-01");
        let b2 = book(&app, &t2, cohort, json!({}));
        assert_eq!(app.req(Method::DELETE, &format!("/api/v1/bookings/{}", b["id"]), Some(&t)).send().unwrap().status(), 204);
        let p = problem(change(&app, &t, &b, json!({"carers": 2})), 409);
        assert!(p["detail"].as_str().unwrap().contains("cancelled"), "{p}");
        problem(change(&app, &t, &b, json!({"creche_child_ids": [baby]})), 409);

        // Once booking has closed a parent cannot add a crèche child; the centre can.
        app.clock.set("2026-03-04T09:00:00Z".parse().unwrap());
        let t2 = app.login("staying@example.org", helpers::PASSWORD)["access_token"].as_str().unwrap().to_string();
        problem(change(&app, &t2, &b2, json!({"creche_child_ids": [baby2]})), 409);
        ok_json(change(&app, &t2, &b2, json!({"carers": 2})), 200);
        let co = Coordinator::new(&app);
        let added = ok_json(change(&app, &co.token, &b2, json!({"creche_child_ids": [baby2]})), 200);
        assert_eq!(added["creche_child_ids"], json!([baby2]));

        // After the last session nothing changes.
        app.clock.set("2026-06-01T09:00:00Z".parse().unwrap());
        let co = Coordinator::new(&app);
        let p = problem(change(&app, &co.token, &b2, json!({"carers": 1})), 409);
        assert!(p["detail"].as_str().unwrap().contains("finished"), "{p}");
    }
}

db_test! {
    fn a_cancelled_group_refuses_changes(app) {
        let cohort = group(&app, "cancelled", "2026-03-03", 20, 1);
        let (t, _) = parent(&app, "cancelled@example.org", "2025-06-01");
        let b = book(&app, &t, cohort, json!({}));
        let co = Coordinator::new(&app);
        let res = app.post(&format!("/api/v1/cohorts/{cohort}/cancel"), co.t(), &json!({"reason": "Facilitator unwell"}));
        assert!(res.status().is_success(), "{}", res.status());
        problem(change(&app, &t, &b, json!({"carers": 2})), 409);
    }
}

db_test! {
    fn only_the_family_and_the_centre_change_a_booking(app) {
        let cohort = group(&app, "bola", "2026-03-03", 20, 1);
        let (owner, baby) = parent(&app, "owner@example.org", "2025-06-01");
        let b = book(&app, &owner, cohort, json!({}));
        let (other, _) = parent(&app, "nosy@example.org", "2025-06-01");
        let path = format!("/api/v1/bookings/{}", b["id"]);
        problem(app.patch(&path, None, &json!({"carers": 2})), 401);
        problem(app.patch(&path, Some(&other), &json!({"carers": 2})), 404);
        problem(app.patch(&path, Some(&other), &json!({"creche_child_ids": [baby]})), 404);
        let fac = app.user_token(Role::Facilitator);
        problem(app.patch(&path, Some(&fac), &json!({"carers": 2})), 404);
        problem(app.patch("/api/v1/bookings/424242", Some(&owner), &json!({"carers": 2})), 404);
        assert_eq!(ok_json(app.get(&path, Some(&owner)), 200), b, "nothing changed");
        for (role, carers) in [(Role::Coordinator, 2), (Role::Admin, 1)] {
            let t = app.user_token(role);
            assert_eq!(ok_json(app.patch(&path, Some(&t), &json!({"carers": carers})), 200)["carers"], carers);
        }
    }
}
