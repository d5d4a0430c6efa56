//! Booking places and crèche places: confirmed or waitlisted, eligibility in plain words,
//! promotion from the waiting list, and privacy between families.

use crate::db_test;
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, problem, TestApp};
use serde_json::{json, Value};

/// A published COSP group (Tuesdays from 3 March 2026) with `places` parent places and
/// `workers` crèche workers in a room for `room`.
pub(crate) fn cosp_group(app: &TestApp, places: i32, workers: i64, room: i32) -> i64 {
    let co = Coordinator::new(app);
    let venue = co.venue(
        "Stockwell Children's Centre",
        "lambeth-2014:Stockwell",
        room,
    );
    let grace = co.staff("Grace Adeyemi", &[("cosp_registered", None)]);
    let tom = co.staff("Tom Reilly", &[]);
    let crèche: Vec<i64> = (0..workers)
        .map(|i| {
            co.staff(
                &format!("Creche Worker {i}"),
                &[("paediatric_first_aid", None)],
            )
        })
        .collect();
    let id = co.cohort(
        "cosp",
        venue,
        "2026-03-03",
        "10:00",
        json!({"places": places, "creche_workers": workers}),
    )["id"]
        .as_i64()
        .unwrap();
    ok_json(
        co.set_team(
            id,
            json!({"lead": grace, "co_facilitators": [tom], "creche_workers": crèche}),
        ),
        200,
    );
    ok_json(co.publish(id), 200);
    id
}

/// A parent with one child born on `born`; returns (token, child id).
pub(crate) fn parent(app: &TestApp, email: &str, born: &str) -> (String, i64) {
    let token = app.register_parent(email)["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let child = ok_json(
        app.post(
            "/api/v1/me/children",
            Some(&token),
            &json!({"first_name": "Kid", "date_of_birth": born}),
        ),
        201,
    );
    (token, child["id"].as_i64().unwrap())
}

fn book(app: &TestApp, token: &str, cohort: i64, body: Value) -> reqwest::blocking::Response {
    app.post(
        &format!("/api/v1/cohorts/{cohort}/bookings"),
        Some(token),
        &body,
    )
}

db_test! {
    fn confirmed_then_waitlisted_in_order(app) {
        let cohort = cosp_group(&app, 2, 2, 10);
        let mut bookings = Vec::new();
        for i in 0..4 {
            let (t, child) = parent(&app, &format!("p{i}@example.org"), "2025-01-10");
            let res = book(&app, &t, cohort, json!({"creche_child_ids": [child], "carers": 1}));
            let location = res.headers()["location"].to_str().unwrap().to_string();
            let b = ok_json(res, 201);
            assert_eq!(location, format!("/api/v1/bookings/{}", b["id"]));
            bookings.push((t, b));
        }
        let statuses: Vec<(String, Value)> = bookings.iter().map(|(_, b)| (b["status"].as_str().unwrap().to_string(), b["waitlist_position"].clone())).collect();
        assert_eq!(statuses, [("confirmed".into(), Value::Null), ("confirmed".into(), Value::Null), ("waitlisted".into(), json!(1)), ("waitlisted".into(), json!(2))]);
        let listing = ok_json(app.get("/api/v1/listings", None), 200);
        assert_eq!(listing["items"][0]["places_left"], 0);
        assert_eq!(listing["items"][0]["creche"]["places_left_by_age"]["under_2"], 4, "two babies hold 2 of the 6 places");

        // A second booking for the same family points at the first.
        let (t0, b0) = &bookings[0];
        let p = problem(book(&app, t0, cohort, json!({})), 409);
        assert!(p["detail"].as_str().unwrap().contains(&format!("/api/v1/bookings/{}", b0["id"])), "{p}");
        let mine = ok_json(app.get("/api/v1/me/bookings", Some(t0)), 200);
        assert_eq!(mine["total"], 1);
        assert_eq!(mine["items"][0]["sessions"].as_array().unwrap().len(), 8);

        // Cancelling a confirmed place promotes the first on the waiting list, who is told.
        let res = app.req(reqwest::Method::DELETE, &format!("/api/v1/bookings/{}", b0["id"]), Some(t0)).send().unwrap();
        assert_eq!(res.status(), 204);
        let (t2, b2) = &bookings[2];
        assert_eq!(ok_json(app.get(&format!("/api/v1/bookings/{}", b2["id"]), Some(t2)), 200)["status"], "confirmed");
        let (t3, b3) = &bookings[3];
        assert_eq!(ok_json(app.get(&format!("/api/v1/bookings/{}", b3["id"]), Some(t3)), 200)["waitlist_position"], 1);
        let notes = ok_json(app.get("/api/v1/me/notifications", Some(t2)), 200);
        assert_eq!(notes["items"][0]["kind"], "promoted");
        assert_eq!(ok_json(app.get(&format!("/api/v1/bookings/{}", b0["id"]), Some(t0)), 200)["status"], "cancelled");
        // Places cannot drop below the confirmed bookings.
        let co = Coordinator::new(&app);
        let p = problem(app.patch(&format!("/api/v1/cohorts/{cohort}"), co.t(), &json!({"places": 1})), 422);
        assert!(p["errors"]["places"].is_array(), "{p}");
        // The coordinator's list: confirmed first, then the waiting list in order; reads audited.
        let list = ok_json(app.get(&format!("/api/v1/cohorts/{cohort}/bookings"), co.t()), 200);
        assert_eq!((list["confirmed"].as_i64(), list["waitlisted"].as_i64(), list["total"].as_i64()), (Some(2), Some(1), Some(4)));
        assert_eq!(list["items"][2]["id"], b3["id"]);
        assert_eq!(list["items"][0]["carers_names"], json!(["Parent"]));
        problem(app.get(&format!("/api/v1/cohorts/{cohort}/bookings"), Some(t3)), 403);
        // More places move the waiting list up.
        ok_json(app.patch(&format!("/api/v1/cohorts/{cohort}"), co.t(), &json!({"places": 3})), 200);
        assert_eq!(ok_json(app.get(&format!("/api/v1/bookings/{}", b3["id"]), Some(t3)), 200)["status"], "confirmed");
        problem(app.req(reqwest::Method::DELETE, &format!("/api/v1/bookings/{}", b0["id"]), Some(t0)).send().unwrap(), 409);
    }
}

db_test! {
    fn a_family_that_does_not_fit_the_creche_is_skipped_not_a_blocker(app) {
        // One crèche worker: three babies at most.
        let cohort = cosp_group(&app, 10, 1, 10);
        let mut tokens = Vec::new();
        for i in 0..3 {
            let (t, child) = parent(&app, &format!("baby{i}@example.org"), "2025-06-01");
            assert_eq!(ok_json(book(&app, &t, cohort, json!({"creche_child_ids": [child]})), 201)["status"], "confirmed");
            tokens.push(t);
        }
        let (t_baby, baby) = parent(&app, "fourth-baby@example.org", "2025-07-01");
        let waiting = ok_json(book(&app, &t_baby, cohort, json!({"creche_child_ids": [baby]})), 201);
        assert_eq!(waiting["status"], "waitlisted", "the crèche is full though parent places are left");
        // A family needing no crèche place is confirmed straight away.
        let (t_none, _) = parent(&app, "no-creche@example.org", "2024-01-01");
        assert_eq!(ok_json(book(&app, &t_none, cohort, json!({})), 201)["status"], "confirmed");
    }
}

db_test! {
    fn eligibility_refusals_in_plain_words(app) {
        let cohort = cosp_group(&app, 10, 2, 10);
        let (t_old, _) = parent(&app, "old@example.org", "2022-01-01");
        let p = problem(book(&app, &t_old, cohort, json!({})), 422);
        assert!(p["errors"]["cohort"][0].as_str().unwrap().contains("under 4 years"), "{p}");
        let expecting = app.register_parent("expecting@example.org")["access_token"].as_str().unwrap().to_string();
        ok_json(app.post("/api/v1/me/children", Some(&expecting), &json!({"first_name": "Bump", "due_date": "2026-06-01"})), 201);
        let p = problem(book(&app, &expecting, cohort, json!({})), 422);
        assert!(p["errors"]["cohort"][0].as_str().unwrap().contains("pregnancy"), "{p}");
        let (t, child) = parent(&app, "ok@example.org", "2025-01-01");
        problem(book(&app, &t, cohort, json!({"carers": 3})), 422);
        problem(book(&app, &t, cohort, json!({"creche_child_ids": [child + 1000]})), 422);
        problem(book(&app, &t, cohort, json!({"family_id": 1})), 422);
        problem(book(&app, &t, 999_999, json!({})), 404);
        // After the booking window closes (the first session's day), parents are refused.
        app.clock.set("2026-03-04T09:00:00Z".parse().unwrap());
        let t = app.login("ok@example.org", crate::helpers::PASSWORD)["access_token"].as_str().unwrap().to_string();
        let p = problem(book(&app, &t, cohort, json!({})), 422);
        assert!(p["errors"]["cohort"][0].as_str().unwrap().contains("closed"), "{p}");
        // A coordinator can still book the family in, on the phone.
        let co = Coordinator::new(&app);
        let family = ok_json(app.get("/api/v1/me/family", Some(&t)), 200)["id"].as_i64().unwrap();
        let b = ok_json(book(&app, &co.token, cohort, json!({"family_id": family})), 201);
        assert_eq!(b["status"], "confirmed");
        assert_eq!(ok_json(app.get("/api/v1/me/bookings", Some(&t)), 200)["total"], 1);
    }
}

db_test! {
    fn pregnancy_books_together_time_and_drafts_cannot_be_booked(app) {
        let co = Coordinator::new(&app);
        let venue = co.venue("Tulse Hill Children's Centre", "lambeth-2014:Tulse Hill", 0);
        let lead = co.staff("Hannah Mensah", &[("clinical", None)]);
        let draft = co.cohort("together-time", venue, "2026-03-04", "10:00", json!({}))["id"].as_i64().unwrap();
        let expecting = app.register_parent("bump@example.org")["access_token"].as_str().unwrap().to_string();
        ok_json(app.post("/api/v1/me/children", Some(&expecting), &json!({"first_name": "Bump", "due_date": "2026-06-01"})), 201);
        problem(book(&app, &expecting, draft, json!({})), 422);
        ok_json(co.set_team(draft, json!({"lead": lead})), 200);
        ok_json(co.publish(draft), 200);
        assert_eq!(ok_json(book(&app, &expecting, draft, json!({})), 201)["status"], "confirmed");
    }
}

db_test! {
    fn one_family_cannot_see_or_cancel_anothers_booking(app) {
        let cohort = cosp_group(&app, 5, 2, 10);
        let (ta, _) = parent(&app, "a@example.org", "2025-01-01");
        let (tb, _) = parent(&app, "b@example.org", "2025-01-01");
        let b = ok_json(book(&app, &ta, cohort, json!({})), 201);
        let path = format!("/api/v1/bookings/{}", b["id"]);
        problem(app.get(&path, Some(&tb)), 404);
        problem(app.req(reqwest::Method::DELETE, &path, Some(&tb)).send().unwrap(), 404);
        let fac = app.user_token(groupwork::domain::role::Role::Facilitator);
        problem(app.get(&path, Some(&fac)), 404);
        assert_eq!(ok_json(app.get(&path, Some(&ta)), 200)["status"], "confirmed");
        assert_eq!(ok_json(app.get("/api/v1/me/bookings", Some(&tb)), 200)["total"], 0);
    }
}

db_test! {
    fn no_promotion_once_the_second_session_has_started(app) {
        let cohort = cosp_group(&app, 1, 2, 10);
        let (ta, _) = parent(&app, "first@example.org", "2025-01-01");
        let (tb, _) = parent(&app, "second@example.org", "2025-01-01");
        let a = ok_json(book(&app, &ta, cohort, json!({})), 201);
        let b = ok_json(book(&app, &tb, cohort, json!({})), 201);
        assert_eq!(b["status"], "waitlisted");
        // 10 March, after the second session began: A withdraws, B stays on the list.
        app.clock.set("2026-03-10T11:00:00Z".parse().unwrap());
        let ta = app.login("first@example.org", crate::helpers::PASSWORD)["access_token"].as_str().unwrap().to_string();
        let tb = app.login("second@example.org", crate::helpers::PASSWORD)["access_token"].as_str().unwrap().to_string();
        assert_eq!(app.req(reqwest::Method::DELETE, &format!("/api/v1/bookings/{}", a["id"]), Some(&ta)).send().unwrap().status(), 204);
        assert_eq!(ok_json(app.get(&format!("/api/v1/bookings/{}", a["id"]), Some(&ta)), 200)["status"], "withdrawn");
        assert_eq!(ok_json(app.get(&format!("/api/v1/bookings/{}", b["id"]), Some(&tb)), 200)["status"], "waitlisted");
    }
}

db_test! {
    fn who_may_book_and_see_bookings(app) {
        use groupwork::domain::role::Role;
        let cohort = cosp_group(&app, 5, 2, 10);
        let (parent_token, _) = parent(&app, "owner@example.org", "2025-01-01");
        let family = ok_json(app.get("/api/v1/me/family", Some(&parent_token)), 200)["id"].as_i64().unwrap();
        let booking = ok_json(book(&app, &parent_token, cohort, json!({})), 201)["id"].as_i64().unwrap();
        let path = format!("/api/v1/bookings/{booking}");
        let bookings = format!("/api/v1/cohorts/{cohort}/bookings");
        // Anonymous: 401 everywhere.
        problem(app.post(&bookings, None, &json!({})), 401);
        problem(app.get(&path, None), 401);
        problem(app.req(reqwest::Method::DELETE, &path, None).send().unwrap(), 401);
        // Facilitators do not book and do not see bookings of cohorts they do not run.
        let fac = app.user_token(Role::Facilitator);
        problem(app.post(&bookings, Some(&fac), &json!({"family_id": family})), 403);
        problem(app.get(&path, Some(&fac)), 404);
        // Coordinators and admins see and manage any booking.
        for role in [Role::Coordinator, Role::Admin] {
            let t = app.user_token(role);
            assert_eq!(ok_json(app.get(&path, Some(&t)), 200)["family_id"], family);
        }
        let admin = app.user_token(Role::Admin);
        assert_eq!(app.req(reqwest::Method::DELETE, &path, Some(&admin)).send().unwrap().status(), 204);
        assert_eq!(ok_json(app.get(&path, Some(&parent_token)), 200)["status"], "cancelled");
        assert_eq!(ok_json(book(&app, &admin, cohort, json!({"family_id": family})), 201)["status"], "confirmed");
    }
}

db_test! {
    fn a_retried_booking_with_the_same_key_books_once(app) {
        let cohort = cosp_group(&app, 5, 2, 10);
        let (t, child) = parent(&app, "retry@example.org", "2025-01-01");
        let url = format!("/api/v1/cohorts/{cohort}/bookings");
        let send = |body: Value, key: &str| app.req(reqwest::Method::POST, &url, Some(&t)).header("Idempotency-Key", key).json(&body).send().unwrap();
        let first = send(json!({"creche_child_ids": [child]}), "key-1");
        let location = first.headers()["location"].to_str().unwrap().to_string();
        let first = ok_json(first, 201);
        let again = send(json!({"creche_child_ids": [child], "carers": 1}), "key-1");
        assert_eq!(again.headers()["location"].to_str().unwrap(), location);
        assert_eq!(ok_json(again, 201), first, "the same answer");
        assert_eq!(ok_json(app.get("/api/v1/me/bookings", Some(&t)), 200)["total"], 1, "booked once");
        let p = problem(send(json!({"carers": 2}), "key-1"), 422);
        assert!(p["errors"]["Idempotency-Key"].is_array(), "{p}");
        // A new key is a new request: the family already has a booking.
        problem(send(json!({}), "key-2"), 409);
        problem(send(json!({}), ""), 400);
    }
}

db_test! {
    fn a_private_calendar_link_shows_the_familys_sessions_until_revoked(app) {
        use icalendar::{Calendar, CalendarComponent};
        let cohort = cosp_group(&app, 5, 2, 10);
        let (t, _) = parent(&app, "cal@example.org", "2025-01-01");
        let (other, _) = parent(&app, "other@example.org", "2025-01-01");
        ok_json(book(&app, &t, cohort, json!({})), 201);
        let res = app.post("/api/v1/me/calendar-link", Some(&t), &json!({}));
        let url = ok_json(res, 201)["url"].as_str().unwrap().to_string();
        let events = |text: String| {
            let cal: Calendar = text.parse().expect("a calendar");
            cal.components.iter().filter(|c| matches!(c, CalendarComponent::Event(_))).count()
        };
        let res = app.get(&url, None);
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
        assert_eq!(events(res.text().unwrap()), 8);
        // With a bearer token a parent sees only their own family's sessions.
        assert_eq!(events(app.get("/api/v1/me/calendar.ics", Some(&other)).text().unwrap()), 0);
        problem(app.get("/api/v1/me/calendar.ics", None), 401);
        problem(app.get("/api/v1/me/calendar.ics?token=guess", None), 404);
        assert_eq!(app.req(reqwest::Method::DELETE, "/api/v1/me/calendar-link", Some(&t)).send().unwrap().status(), 204);
        problem(app.get(&url, None), 404);
    }
}
