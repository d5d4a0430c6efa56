//! Outcome measures: pre and post scores per measure per booking, kept by the cohort's lead and
//! co-facilitators (and coordinators), corrected with PATCH, never seen by parents, crèche
//! workers, supervisors or other cohorts' facilitators, and audited with their actor.

use crate::db_test;
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, problem, start_instant, TestApp};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

const WEMWBS: &str = "Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS)";
const PSOC: &str = "Parenting Sense of Competence (PSOC)";

/// A published COSP group (first session Tuesday 2026-03-03, 10:00) with its team, one
/// confirmed and one waitlisted family, and staff who must not see the families' scores.
struct Group<'a> {
    co: Coordinator<'a>,
    lead: String,
    co_facilitator: String,
    creche_worker: String,
    supervisor: String,
    other_lead: String,
    parent: String,
    booking: i64,
    waitlisted: i64,
}

fn group(app: &TestApp) -> Group<'_> {
    let co = Coordinator::new(app);
    let venue = co.venue(
        "Tulse Hill Children's Centre",
        "lambeth-2014:Tulse Hill",
        10,
    );
    let (lead_id, lead) = co.staff_with_login("Grace Adeyemi", &[("cosp_registered", None)]);
    let (tom_id, co_facilitator) = co.staff_with_login("Tom Reilly", &[]);
    let first_aid = [("paediatric_first_aid", None)];
    let (maria_id, creche_worker) = co.staff_with_login("Maria Santos", &first_aid);
    let (sup_id, supervisor) = co.staff_with_login("Dr Ruth Okoye", &[("supervisor", None)]);
    let (ola_id, other_lead) = co.staff_with_login("Ola Nowak", &[("cosp_registered", None)]);
    let extra = json!({"places": 1, "creche_workers": 1});
    let cohort = co.cohort("cosp", venue, "2026-03-03", "10:00", extra)["id"]
        .as_i64()
        .unwrap();
    let team = json!({"lead": lead_id, "co_facilitators": [tom_id], "creche_workers": [maria_id],
                      "supervisor": sup_id});
    ok_json(co.set_team(cohort, team), 200);
    ok_json(co.publish(cohort), 200);
    // Ola leads another group (a draft on Thursdays): a facilitator, just not of this one.
    let theirs = co.cohort("cosp", venue, "2026-03-05", "13:00", json!({}))["id"]
        .as_i64()
        .unwrap();
    ok_json(co.set_team(theirs, json!({"lead": ola_id})), 200);

    let book = |email: &str| {
        let parent = app.register_parent(email)["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        let child = json!({"first_name": "Idris", "date_of_birth": "2025-06-01"});
        ok_json(app.post("/api/v1/me/children", Some(&parent), &child), 201);
        let url = format!("/api/v1/cohorts/{cohort}/bookings");
        let b = ok_json(app.post(&url, Some(&parent), &json!({})), 201);
        (
            parent,
            b["id"].as_i64().unwrap(),
            b["status"].as_str().unwrap().to_string(),
        )
    };
    let (parent, booking, status) = book("amina@example.org");
    assert_eq!(status, "confirmed");
    let (_, waitlisted, status) = book("zara@example.org");
    assert_eq!(status, "waitlisted");
    Group {
        co,
        lead,
        co_facilitator,
        creche_worker,
        supervisor,
        other_lead,
        parent,
        booking,
        waitlisted,
    }
}

impl Group<'_> {
    /// Tokens last 15 minutes: after the clock moves on, sign new ones as a login would.
    fn renew(&mut self, app: &TestApp) {
        let jwt = &app.state.jwt;
        for t in [
            &mut self.lead,
            &mut self.co_facilitator,
            &mut self.parent,
            &mut self.co.token,
        ] {
            let who = jwt.verify(t, start_instant()).unwrap();
            *t = jwt.issue(who, app.state.now(), 15).unwrap();
        }
    }
}

fn score(measure: &str, phase: &str, score: f64, on: &str) -> Value {
    json!({"measure": measure, "phase": phase, "score": score, "recorded_on": on})
}

fn at(app: &TestApp, instant: &str) {
    app.clock.set(
        DateTime::parse_from_rfc3339(instant)
            .unwrap()
            .with_timezone(&Utc),
    );
}

fn user_id(app: &TestApp, token: &str) -> i64 {
    ok_json(app.get("/api/v1/me", Some(token)), 200)["id"]
        .as_i64()
        .unwrap()
}

db_test! {
    fn pre_and_post_scores_round_trip_with_their_change(app) {
        let mut g = group(&app);
        let url = format!("/api/v1/bookings/{}/outcomes", g.booking);
        let res = app.post(&url, Some(&g.lead), &score(WEMWBS, "pre", 40.0, "2026-03-02"));
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let pre = ok_json(res, 201);
        assert_eq!(location, format!("{url}/{}", pre["id"]));
        assert_eq!((pre["booking_id"].as_i64(), pre["phase"].as_str()), (Some(g.booking), Some("pre")));
        assert_eq!((pre["score"].as_f64(), pre["recorded_on"].as_str()), (Some(40.0), Some("2026-03-02")));
        assert_eq!(pre["recorded_by"].as_i64(), Some(user_id(&app, &g.lead)));
        assert_eq!(pre["created_at"], "2026-03-02T09:00:00Z");
        assert_eq!(ok_json(app.get(&location, Some(&g.co_facilitator)), 200), pre);
        ok_json(app.post(&url, Some(&g.co_facilitator), &score(PSOC, "pre", 27.0, "2026-03-02")), 201);

        // After the group: 00:30 on 1 May in London is still 30 April in UTC; the group's own
        // date counts. The measure is matched ignoring case and stored as the programme spells it.
        at(&app, "2026-04-30T23:30:00Z");
        g.renew(&app);
        let body = score(&WEMWBS.to_uppercase(), "post", 48.5, "2026-05-01");
        let post = ok_json(app.post(&url, Some(&g.co_facilitator), &body), 201);
        assert_eq!(post["measure"], WEMWBS);

        let list = ok_json(app.get(&url, Some(&g.lead)), 200);
        assert_eq!(list["total"], 3);
        let order: Vec<(&str, &str)> = list["items"].as_array().unwrap().iter()
            .map(|o| (o["measure"].as_str().unwrap(), o["phase"].as_str().unwrap())).collect();
        assert_eq!(order, [(PSOC, "pre"), (WEMWBS, "pre"), (WEMWBS, "post")]);
        assert_eq!(list["pairs"], json!([
            {"measure": PSOC, "pre": 27.0, "post": null, "change": null},
            {"measure": WEMWBS, "pre": 40.0, "post": 48.5, "change": 8.5}]));

        // A correction of the pre score, then of its date; measure and phase stay.
        let fixed = ok_json(app.patch(&location, Some(&g.co_facilitator), &json!({"score": 42.1})), 200);
        assert_eq!((fixed["score"].as_f64(), fixed["recorded_on"].as_str()), (Some(42.1), Some("2026-03-02")));
        assert_eq!(fixed["updated_at"], "2026-04-30T23:30:00Z");
        let fixed = ok_json(app.patch(&location, co_t(&g), &json!({"recorded_on": "2026-03-01"})), 200);
        assert_eq!((fixed["score"].as_f64(), fixed["recorded_on"].as_str()), (Some(42.1), Some("2026-03-01")));
        let list = ok_json(app.get(&url, co_t(&g)), 200);
        assert_eq!(list["pairs"][1]["change"], 6.4, "{list}");
        assert_eq!(list["items"][1]["score"], 42.1);

        // Every write and read is in the audit trail, with its actor and the family.
        let mut conn = app.state.pool.get().unwrap();
        let mut audit = |entity: &str, id: i64| {
            groupwork::store::audit::for_entity(&mut conn, entity, id as i32).unwrap()
        };
        let rows = audit("outcome_measure", pre["id"].as_i64().unwrap());
        let done: Vec<(&str, Option<i64>)> = rows.iter().map(|a| (a.action.as_str(), a.actor_user_id.map(i64::from))).collect();
        let (lead, tom, coordinator) = (user_id(&app, &g.lead), user_id(&app, &g.co_facilitator), user_id(&app, &g.co.token));
        assert_eq!(done, [("outcome_recorded", Some(lead)), ("outcome_corrected", Some(tom)), ("outcome_corrected", Some(coordinator))]);
        assert!(rows[1].detail.contains("corrected score") && !rows[1].detail.contains("42.1"), "{rows:?}");
        let reads = audit("booking", g.booking);
        let readers: Vec<Option<i64>> = reads.iter().filter(|a| a.action == "family_read").map(|a| a.actor_user_id.map(i64::from)).collect();
        assert_eq!(readers, [Some(tom), Some(lead), Some(coordinator)], "{reads:?}");
        let family = reads[0].family_id;
        assert!(family.is_some() && rows.iter().chain(&reads).all(|a| a.family_id == family));
    }
}

fn co_t<'a>(g: &'a Group<'_>) -> Option<&'a str> {
    g.co.t()
}

db_test! {
    fn one_pre_and_one_post_per_measure(app) {
        let g = group(&app);
        let url = format!("/api/v1/bookings/{}/outcomes", g.booking);
        let first = ok_json(app.post(&url, Some(&g.lead), &score(WEMWBS, "pre", 40.0, "2026-03-02")), 201);
        let again = problem(app.post(&url, Some(&g.co_facilitator), &score(WEMWBS, "pre", 41.0, "2026-03-02")), 409);
        assert_eq!(again["type"], "/problems/conflict");
        let detail = again["detail"].as_str().unwrap();
        assert!(detail.contains(&format!("{url}/{}", first["id"])) && detail.contains("PATCH"), "{detail}");
        // Measure and phase cannot be "corrected" into another record's place.
        let p = problem(app.patch(&format!("{url}/{}", first["id"]), Some(&g.lead), &json!({"phase": "post"})), 422);
        assert!(p["errors"]["phase"].is_array(), "{p}");
        let list = ok_json(app.get(&url, Some(&g.lead)), 200);
        assert_eq!((list["total"].as_i64(), list["items"][0]["score"].as_f64()), (Some(1), Some(40.0)));

        // A family on the waiting list has no place to measure: 409, saying why.
        let waiting = format!("/api/v1/bookings/{}/outcomes", g.waitlisted);
        let p = problem(app.post(&waiting, co_t(&g), &score(WEMWBS, "pre", 40.0, "2026-03-02")), 409);
        assert!(p["detail"].as_str().unwrap().contains("waitlisted"), "{p}");
        // An outcome is only reachable under its own booking.
        problem(app.get(&format!("{waiting}/{}", first["id"]), co_t(&g)), 404);
        problem(app.patch(&format!("{waiting}/{}", first["id"]), co_t(&g), &json!({"score": 1})), 404);
        problem(app.get(&format!("{url}/424242"), co_t(&g)), 404);
    }
}

db_test! {
    fn concurrent_duplicates_get_one_record_and_409s(app) {
        let g = group(&app);
        let url = app.url(&format!("/api/v1/bookings/{}/outcomes", g.booking));
        let statuses: Vec<u16> = std::thread::scope(|s| {
            let calls: Vec<_> = (0..6).map(|i| {
                let (url, token, client) = (&url, &g.lead, &app.client);
                s.spawn(move || {
                    let body = score(WEMWBS, "pre", 40.0 + i as f64, "2026-03-02");
                    client.post(url).bearer_auth(token).json(&body).send().unwrap().status().as_u16()
                })
            }).collect();
            calls.into_iter().map(|c| c.join().unwrap()).collect()
        });
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
        assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
        assert_eq!(ok_json(app.get(&format!("/api/v1/bookings/{}/outcomes", g.booking), Some(&g.lead)), 200)["total"], 1);
    }
}

db_test! {
    fn invalid_scores_are_422_naming_the_field(app) {
        let g = group(&app);
        let url = format!("/api/v1/bookings/{}/outcomes", g.booking);
        let field = |body: Value, field: &str| {
            let p = problem(app.post(&url, Some(&g.lead), &body), 422);
            let errors = p["errors"][field].as_array().unwrap_or_else(|| panic!("{field}: {p}"));
            errors[0].as_str().unwrap().to_string()
        };
        let why = field(score("Beck Depression Inventory", "pre", 10.0, "2026-03-02"), "measure");
        assert!(why.contains(PSOC) && why.contains(WEMWBS), "{why}");
        // Together Time's measure is not COSP's.
        field(score("Parent-infant closeness (0-10)", "pre", 5.0, "2026-03-02"), "measure");
        field(score(WEMWBS, "during", 40.0, "2026-03-02"), "phase");
        let why = field(score(WEMWBS, "pre", 40.0, "2026-03-03"), "recorded_on");
        assert!(why.contains("future"), "{why}");
        field(score(WEMWBS, "pre", 40.0, "1999-12-31"), "recorded_on");
        field(score(WEMWBS, "pre", 40.0, "2026-02-30"), "recorded_on");
        field(json!({"measure": WEMWBS, "phase": "pre", "score": "40", "recorded_on": "2026-03-02"}), "score");
        field(json!({"measure": WEMWBS, "phase": "pre", "score": null, "recorded_on": "2026-03-02"}), "score");
        field(score(WEMWBS, "pre", 1.5e6, "2026-03-02"), "score");
        field(json!({"measure": WEMWBS, "phase": "pre", "recorded_on": "2026-03-02"}), "score");
        field(json!({"measure": WEMWBS, "phase": "pre", "score": 1, "recorded_on": "2026-03-02", "note": "x"}), "note");
        // Several problems at once are all named.
        let p = problem(app.post(&url, Some(&g.lead), &score("Nope", "pre", -2e6, "2030-01-01")), 422);
        assert_eq!(p["errors"].as_object().unwrap().len(), 3, "{p}");
        // A number too large for JSON's doubles is refused, never a 500.
        let res = app.req(reqwest::Method::POST, &url, Some(&g.lead)).header("content-type", "application/json")
            .body(format!(r#"{{"measure": "{WEMWBS}", "phase": "pre", "score": 1e400, "recorded_on": "2026-03-02"}}"#)).send().unwrap();
        assert!([400, 422].contains(&res.status().as_u16()), "{}", res.status());

        let first = ok_json(app.post(&url, Some(&g.lead), &score(WEMWBS, "pre", 40.0, "2026-03-02")), 201);
        let one = format!("{url}/{}", first["id"]);
        for (body, name) in [(json!({}), "body"), (json!({"recorded_on": "2026-03-03"}), "recorded_on"),
                             (json!({"score": "high"}), "score"), (json!({"measure": PSOC}), "measure")] {
            let p = problem(app.patch(&one, Some(&g.lead), &body), 422);
            assert!(p["errors"][name].is_array(), "{body}: {p}");
        }
        assert_eq!(ok_json(app.get(&one, Some(&g.lead)), 200)["score"], 40.0);
    }
}

db_test! {
    fn only_coordinators_and_the_groups_facilitators_reach_the_scores(app) {
        let g = group(&app);
        let url = format!("/api/v1/bookings/{}/outcomes", g.booking);
        let first = ok_json(app.post(&url, co_t(&g), &score(WEMWBS, "pre", 40.0, "2026-03-02")), 201);
        let one = format!("{url}/{}", first["id"]);
        let body = score(PSOC, "pre", 30.0, "2026-03-02");
        let fix = json!({"score": 1});
        // Parents are refused outright, even for their own family.
        let t = Some(g.parent.as_str());
        problem(app.get(&url, t), 403);
        problem(app.post(&url, t, &body), 403);
        problem(app.get(&one, t), 403);
        problem(app.patch(&one, t, &fix), 403);
        // Staff who do not run this group's sessions: as if the booking did not exist.
        for t in [&g.creche_worker, &g.supervisor, &g.other_lead] {
            for p in [problem(app.get(&url, Some(t)), 404), problem(app.post(&url, Some(t), &body), 404),
                      problem(app.get(&one, Some(t)), 404), problem(app.patch(&one, Some(t), &fix), 404)] {
                assert_eq!(p["detail"], "booking not found");
            }
        }
        problem(app.get(&url, None), 401);
        problem(app.get("/api/v1/bookings/424242/outcomes", co_t(&g)), 404);
        problem(app.post("/api/v1/bookings/424242/outcomes", Some(&g.lead), &body), 404);
        problem(app.get("/api/v1/bookings/abc/outcomes", co_t(&g)), 404);
        // Nothing was written or changed by the refused calls, and they left no audit rows.
        let list = ok_json(app.get(&url, co_t(&g)), 200);
        assert_eq!((list["total"].as_i64(), list["items"][0]["score"].as_f64()), (Some(1), Some(40.0)));
        let mut conn = app.state.pool.get().unwrap();
        let reads = groupwork::store::audit::for_entity(&mut conn, "booking", g.booking as i32).unwrap();
        assert_eq!(reads.iter().filter(|a| a.action == "family_read").count(), 1, "{reads:?}");
    }
}

db_test! {
    fn a_family_who_left_keeps_its_pre_score_and_can_get_a_post(app) {
        let mut g = group(&app);
        let url = format!("/api/v1/bookings/{}/outcomes", g.booking);
        ok_json(app.post(&url, Some(&g.lead), &score(WEMWBS, "pre", 40.0, "2026-03-02")), 201);
        // After the first session the family leaves: the booking is withdrawn, not cancelled.
        at(&app, "2026-03-10T12:00:00Z");
        g.renew(&app);
        let res = app.req(reqwest::Method::DELETE, &format!("/api/v1/bookings/{}", g.booking), Some(&g.parent)).send().unwrap();
        assert_eq!(res.status(), 204);
        let booking = ok_json(app.get(&format!("/api/v1/bookings/{}", g.booking), co_t(&g)), 200);
        assert_eq!(booking["status"], "withdrawn");
        ok_json(app.post(&url, Some(&g.lead), &score(WEMWBS, "post", 38.0, "2026-03-10")), 201);
        let list = ok_json(app.get(&url, Some(&g.lead)), 200);
        assert_eq!(list["pairs"][0]["change"], -2.0);
    }
}
