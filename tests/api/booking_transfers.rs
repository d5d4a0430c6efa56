//! Moving a family to another group of the same programme
//! (`POST /api/v1/bookings/{id}/transfer`): both groups' places and waiting lists stay
//! consistent, outcome measures come along, a full group means the waiting list, and every
//! refusal changes nothing.

use crate::booking_changes::{book, change, group};
use crate::bookings::parent;
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, problem, TestApp};
use crate::{db_test, races};
use groupwork::domain::role::Role;
use reqwest::Method;
use serde_json::{json, Value};

fn transfer(
    app: &TestApp,
    token: &str,
    booking: &Value,
    body: Value,
) -> reqwest::blocking::Response {
    let url = format!("/api/v1/bookings/{}/transfer", booking["id"]);
    app.post(&url, Some(token), &body)
}

fn get(app: &TestApp, token: &str, booking: &Value) -> Value {
    ok_json(
        app.get(&format!("/api/v1/bookings/{}", booking["id"]), Some(token)),
        200,
    )
}

/// (places left in the listing, confirmed and waitlisted as the coordinator's list counts them,
/// the waitlisted booking ids in position order), after checking that the stored count equals
/// the confirmed rows and that positions run 1..n in booking order.
fn standing(app: &TestApp, cohort: i64) -> (i64, i64, i64, Vec<i64>) {
    let (rows, count) = races::stored(app, cohort);
    assert_eq!(
        rows,
        i64::from(count),
        "cohort {cohort}: stored count equals the rows"
    );
    let listing = ok_json(app.get("/api/v1/listings?limit=100", None), 200);
    let item = listing["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["cohort_id"] == cohort)
        .unwrap()
        .clone();
    let co = Coordinator::new(app);
    let list = ok_json(
        app.get(&format!("/api/v1/cohorts/{cohort}/bookings"), co.t()),
        200,
    );
    let mut waiting: Vec<(i64, i64)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["status"] == "waitlisted")
        .map(|b| {
            (
                b["waitlist_position"].as_i64().unwrap(),
                b["id"].as_i64().unwrap(),
            )
        })
        .collect();
    waiting.sort_unstable();
    let positions: Vec<i64> = waiting.iter().map(|(p, _)| *p).collect();
    assert_eq!(positions, (1..=waiting.len() as i64).collect::<Vec<_>>());
    let ids: Vec<i64> = waiting.iter().map(|(_, id)| *id).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "the waiting list is in booking order");
    assert_eq!(
        list["confirmed"].as_i64(),
        Some(rows),
        "the list counts what is stored"
    );
    (
        item["places_left"].as_i64().unwrap(),
        rows,
        list["waitlisted"].as_i64().unwrap(),
        ids,
    )
}

const PSOC: &str = "Parenting Sense of Competence (PSOC)";

db_test! {
    fn a_family_moves_with_its_place_details_and_outcomes(app) {
        let from = group(&app, "from", "2026-03-03", 2, 1);
        let to = group(&app, "to", "2026-03-10", 2, 1);
        let co = Coordinator::new(&app);
        let (mover_t, baby) = parent(&app, "mover@example.org", "2025-06-01");
        let mover = book(&app, &mover_t, from, json!({"creche_child_ids": [baby]}));
        ok_json(change(&app, &mover_t, &mover, json!({"carers": 2, "access_needs": "Step-free access", "interpreter_needed": true})), 200);
        let (stay_t, _) = parent(&app, "stays@example.org", "2025-06-01");
        let stays = book(&app, &stay_t, from, json!({}));
        let mut waiting = Vec::new();
        for i in 0..3 {
            let (t, _) = parent(&app, &format!("waiting{i}@example.org"), "2025-06-01");
            let b = book(&app, &t, from, json!({}));
            assert_eq!(b["status"], "waitlisted");
            waiting.push((t, b));
        }
        let (there_t, _) = parent(&app, "there@example.org", "2025-06-01");
        assert_eq!(book(&app, &there_t, to, json!({}))["status"], "confirmed");
        let score = json!({"measure": PSOC, "phase": "pre", "score": 31, "recorded_on": "2026-03-01"});
        let outcome = ok_json(app.post(&format!("/api/v1/bookings/{}/outcomes", mover["id"]), co.t(), &score), 201);
        assert_eq!(standing(&app, from), (0, 2, 3, waiting.iter().map(|(_, b)| b["id"].as_i64().unwrap()).collect()));

        let res = transfer(&app, &co.token, &mover, json!({"cohort_id": to}));
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let moved = ok_json(res, 201);
        assert_eq!(location, format!("/api/v1/bookings/{}", moved["id"]));
        assert_eq!((moved["cohort_id"].as_i64(), moved["status"].as_str(), moved["family_id"].clone()),
                   (Some(to), Some("confirmed"), mover["family_id"].clone()));
        assert_eq!((moved["carers"].as_i64(), moved["access_needs"].as_str(), moved["interpreter_needed"].as_bool()),
                   (Some(2), Some("Step-free access"), Some(true)));
        assert_eq!(moved["creche_child_ids"], json!([baby]), "the crèche place comes along");
        let old = get(&app, &mover_t, &mover);
        assert_eq!((old["status"].as_str(), old["transferred_to"].clone()), (Some("transferred"), moved["id"].clone()));

        // The old group's place went to the first family waiting; the others moved up.
        assert_eq!(get(&app, &waiting[0].0, &waiting[0].1)["status"], "confirmed");
        let rest: Vec<i64> = waiting[1..].iter().map(|(_, b)| b["id"].as_i64().unwrap()).collect();
        assert_eq!(standing(&app, from), (0, 2, 2, rest));
        assert_eq!(standing(&app, to), (0, 2, 0, vec![]));
        assert_eq!(get(&app, &stay_t, &stays)["status"], "confirmed");

        // The score recorded in the old group is the new booking's now.
        let scores = ok_json(app.get(&format!("/api/v1/bookings/{}/outcomes", moved["id"]), co.t()), 200);
        assert_eq!(scores["items"][0]["id"], outcome["id"], "{scores}");
        assert_eq!(scores["items"][0]["score"], 31.0);
        let old_scores = ok_json(app.get(&format!("/api/v1/bookings/{}/outcomes", mover["id"]), co.t()), 200);
        assert_eq!(old_scores["items"], json!([]));

        // The family sees both, and is told of the new group (nothing about the old one ending).
        let mine = ok_json(app.get("/api/v1/me/bookings", Some(&mover_t)), 200);
        let statuses: Vec<(i64, String)> = mine["items"].as_array().unwrap().iter()
            .map(|b| (b["cohort_id"].as_i64().unwrap(), b["status"].as_str().unwrap().to_string())).collect();
        assert_eq!(statuses, [(to, "confirmed".to_string()), (from, "transferred".to_string())]);
        let told = ok_json(app.get("/api/v1/me/messages", Some(&mover_t)), 200);
        let kinds: Vec<(Value, Value)> = told["items"].as_array().unwrap().iter().map(|m| (m["booking_id"].clone(), m["kind"].clone())).collect();
        assert!(kinds.contains(&(moved["id"].clone(), json!("booking_confirmed"))), "{kinds:?}");
        assert!(!kinds.iter().any(|(_, k)| k.as_str().unwrap().starts_with("booking_cancelled")), "{kinds:?}");

        // Audited on both bookings, by the coordinator.
        let mut conn = app.state.pool.get().unwrap();
        for b in [&mover, &moved] {
            let events = groupwork::store::audit::for_entity(&mut conn, "booking", b["id"].as_i64().unwrap() as i32).unwrap();
            let e = events.iter().find(|e| e.action == "booking_transferred").expect("audited");
            assert_eq!(e.actor_user_id, Some(app.user_id(&co.token) as i32));
        }
        drop(conn);

        // A moved booking is ended: it cannot be moved or changed again.
        problem(transfer(&app, &co.token, &mover, json!({"cohort_id": to})), 409);
        problem(change(&app, &mover_t, &mover, json!({"carers": 1})), 409);
    }
}

db_test! {
    fn moving_to_a_full_group_joins_its_waiting_list(app) {
        let from = group(&app, "roomy", "2026-03-03", 3, 1);
        let to = group(&app, "full", "2026-03-10", 1, 1);
        let co = Coordinator::new(&app);
        let (t, _) = parent(&app, "mover@example.org", "2025-06-01");
        let b = book(&app, &t, from, json!({}));
        let (full_t, _) = parent(&app, "first@example.org", "2025-06-01");
        book(&app, &full_t, to, json!({}));
        let (wait_t, _) = parent(&app, "already-waiting@example.org", "2025-06-01");
        let already = book(&app, &wait_t, to, json!({}));
        assert_eq!(already["status"], "waitlisted");

        let moved = ok_json(transfer(&app, &co.token, &b, json!({"cohort_id": to})), 201);
        assert_eq!((moved["status"].as_str(), moved["waitlist_position"].as_i64()), (Some("waitlisted"), Some(2)));
        assert_eq!(standing(&app, to), (0, 1, 2, vec![already["id"].as_i64().unwrap(), moved["id"].as_i64().unwrap()]));
        assert_eq!(standing(&app, from), (3, 0, 0, vec![]));
        let told = ok_json(app.get("/api/v1/me/messages", Some(&t)), 200);
        assert!(told["items"].as_array().unwrap().iter().any(|m| m["booking_id"] == moved["id"] && m["kind"] == "booking_waitlisted"), "{told}");

        // A crèche child named for the new group replaces the booking's own; the old group's
        // family waiting for it is unaffected.
        let (t2, baby) = parent(&app, "with-baby@example.org", "2025-06-01");
        let b2 = book(&app, &t2, from, json!({}));
        let roomy_too = group(&app, "roomier", "2026-03-17", 5, 1);
        let moved2 = ok_json(transfer(&app, &co.token, &b2, json!({"cohort_id": roomy_too, "creche_child_ids": [baby]})), 201);
        assert_eq!((moved2["status"].as_str(), moved2["creche_child_ids"].clone()), (Some("confirmed"), json!([baby])));
    }
}

db_test! {
    fn refused_moves_change_nothing(app) {
        let from = group(&app, "here", "2026-03-03", 5, 1);
        let other = group(&app, "there", "2026-03-10", 5, 1);
        let co = Coordinator::new(&app);
        let (t, _) = parent(&app, "family@example.org", "2025-06-01");
        let b = book(&app, &t, from, json!({}));

        // Another programme: Together Time, even as a draft.
        let venue = co.venue("Tulse Hill Children's Centre", "lambeth-2014:Tulse Hill", 0);
        let tt = co.cohort("together-time", venue, "2026-03-11", "10:00", json!({}))["id"].as_i64().unwrap();
        let p = problem(transfer(&app, &co.token, &b, json!({"cohort_id": tt})), 422);
        assert!(p["errors"]["cohort_id"][0].as_str().unwrap().contains("same programme"), "{p}");
        problem(transfer(&app, &co.token, &b, json!({"cohort_id": from})), 422);
        problem(transfer(&app, &co.token, &b, json!({"cohort_id": 424242})), 422);
        problem(transfer(&app, &co.token, &b, json!({})), 422);
        problem(transfer(&app, &co.token, &b, json!({"cohort_id": other, "creche_child_ids": [424242]})), 422);
        // A draft group of the same programme, and a cancelled one.
        let draft_venue = co.venue("Draft Centre", "lambeth-2014:Stockwell", 10);
        let draft = co.cohort("cosp", draft_venue, "2026-03-12", "10:00", json!({"places": 5}))["id"].as_i64().unwrap();
        problem(transfer(&app, &co.token, &b, json!({"cohort_id": draft})), 409);
        let cancelled = group(&app, "gone", "2026-03-17", 5, 1);
        let res = app.post(&format!("/api/v1/cohorts/{cancelled}/cancel"), co.t(), &json!({"reason": "Venue flooded"}));
        assert!(res.status().is_success());
        problem(transfer(&app, &co.token, &b, json!({"cohort_id": cancelled})), 409);
        // Already booked on the group to move to.
        let already = book(&app, &t, other, json!({}));
        let p = problem(transfer(&app, &co.token, &b, json!({"cohort_id": other})), 409);
        assert!(p["detail"].as_str().unwrap().contains(&format!("/api/v1/bookings/{}", already["id"])), "{p}");

        assert_eq!(get(&app, &t, &b), b, "the booking is as it was");
        assert_eq!(ok_json(app.get("/api/v1/me/bookings", Some(&t)), 200)["total"], 2);
        assert_eq!(races::stored(&app, from), (1, 1));

        // A cancelled booking cannot move.
        assert_eq!(app.req(Method::DELETE, &format!("/api/v1/bookings/{}", already["id"]), Some(&t)).send().unwrap().status(), 204);
        assert_eq!(app.req(Method::DELETE, &format!("/api/v1/bookings/{}", b["id"]), Some(&t)).send().unwrap().status(), 204);
        problem(transfer(&app, &co.token, &b, json!({"cohort_id": other})), 409);
    }
}

db_test! {
    fn only_coordinators_move_families_and_parents_see_only_their_own(app) {
        let from = group(&app, "mine", "2026-03-03", 5, 1);
        let to = group(&app, "yours", "2026-03-10", 5, 1);
        let (owner, _) = parent(&app, "owner@example.org", "2025-06-01");
        let b = book(&app, &owner, from, json!({}));
        let (other, _) = parent(&app, "nosy@example.org", "2025-06-01");
        let body = json!({"cohort_id": to});
        problem(app.post(&format!("/api/v1/bookings/{}/transfer", b["id"]), None, &body), 401);
        // Another family's booking is not there; their own is not theirs to move.
        problem(transfer(&app, &other, &b, body.clone()), 404);
        problem(app.post("/api/v1/bookings/424242/transfer", Some(&other), &body), 404);
        problem(transfer(&app, &owner, &b, body.clone()), 403);
        problem(transfer(&app, &app.user_token(Role::Facilitator), &b, body.clone()), 403);
        assert_eq!(get(&app, &owner, &b), b);
        assert_eq!(races::stored(&app, to), (0, 0));
        let admin = app.user_token(Role::Admin);
        assert_eq!(ok_json(transfer(&app, &admin, &b, body), 201)["cohort_id"], to);
    }
}
