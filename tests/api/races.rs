//! Races for the last place: many parents released together by a barrier. With the capacity
//! guard exactly one wins and the stored count equals the rows; the control run, with the guard
//! switched off by a test-only setting, shows the overbooking the guard prevents.

use crate::fixtures::Coordinator;
use crate::helpers::{self, ok_json, Backend, TestApp};
use diesel::prelude::*;
use groupwork::db::schema::{bookings, cohorts};
use serde_json::json;
use std::sync::{Arc, Barrier};

/// A published COSP group with `places` places and one crèche worker (three babies at most).
fn group(app: &TestApp, places: i32) -> i64 {
    let co = Coordinator::new(app);
    let venue = co.venue("Stockwell Children's Centre", "lambeth-2014:Stockwell", 10);
    let lead = co.staff("Grace Adeyemi", &[("cosp_registered", None)]);
    let co_fac = co.staff("Tom Reilly", &[]);
    let creche = co.staff("Maria Santos", &[("paediatric_first_aid", None)]);
    let id = co.cohort(
        "cosp",
        venue,
        "2026-03-03",
        "10:00",
        json!({"places": places, "creche_workers": 1}),
    )["id"]
        .as_i64()
        .unwrap();
    ok_json(
        co.set_team(
            id,
            json!({"lead": lead, "co_facilitators": [co_fac], "creche_workers": [creche]}),
        ),
        200,
    );
    ok_json(co.publish(id), 200);
    id
}

/// `n` parents, each with a baby; returns (token, child id).
fn parents(app: &TestApp, n: usize, tag: &str) -> Vec<(String, i64)> {
    (0..n)
        .map(|i| {
            let t = app.register_parent(&format!("{tag}{i}@race.example"))["access_token"]
                .as_str()
                .unwrap()
                .to_string();
            let child = ok_json(
                app.post(
                    "/api/v1/me/children",
                    Some(&t),
                    &json!({"first_name": "Baby", "date_of_birth": "2025-06-01"}),
                ),
                201,
            );
            (t, child["id"].as_i64().unwrap())
        })
        .collect()
}

/// Every parent books at once; returns the HTTP statuses and the answers.
fn stampede(app: &TestApp, cohort: i64, who: Vec<(String, i64)>, with_creche: bool) -> Answers {
    let barrier = Arc::new(Barrier::new(who.len()));
    let url = app.url(&format!("/api/v1/cohorts/{cohort}/bookings"));
    let handles: Vec<_> = who
        .into_iter()
        .map(|(token, child)| {
            let (barrier, url) = (barrier.clone(), url.clone());
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                let body = if with_creche {
                    json!({"creche_child_ids": [child]})
                } else {
                    json!({})
                };
                barrier.wait();
                let res = client
                    .post(&url)
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .expect("request");
                let status = res.status().as_u16();
                (status, res.json().unwrap_or_default())
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect()
}

/// (confirmed rows, the cohort's stored confirmed count).
fn stored(app: &TestApp, cohort: i64) -> (i64, i32) {
    let mut conn = app.state.pool.get().unwrap();
    let rows: i64 = bookings::table
        .filter(bookings::cohort_id.eq(cohort as i32))
        .filter(bookings::status.eq("confirmed"))
        .count()
        .get_result(&mut *conn)
        .unwrap();
    let count: i32 = cohorts::table
        .find(cohort as i32)
        .select(cohorts::confirmed_count)
        .first(&mut *conn)
        .unwrap();
    (rows, count)
}

/// Each parent's HTTP status and answer.
type Answers = Vec<(u16, serde_json::Value)>;

fn confirmed(answers: &[(u16, serde_json::Value)]) -> usize {
    answers
        .iter()
        .filter(|(_, b)| b["status"] == "confirmed")
        .count()
}

fn last_place(backend: Backend, guard: bool) -> Option<(Answers, (i64, i32))> {
    let app = helpers::spawn(backend, |c| {
        c.capacity_guard = guard;
        c.pool_size = 8;
    })?;
    let cohort = group(&app, 1);
    let answers = stampede(&app, cohort, parents(&app, 30, "p"), false);
    let counts = stored(&app, cohort);
    Some((answers, counts))
}

fn check_last_place(backend: Backend) {
    let Some((answers, (rows, count))) = last_place(backend, true) else {
        return;
    };
    assert!(
        answers.iter().all(|(s, _)| *s == 201),
        "no 5xx, every family answered: {:?}",
        answers.iter().map(|a| a.0).collect::<Vec<_>>()
    );
    assert_eq!(
        confirmed(&answers),
        1,
        "exactly one family gets the last place"
    );
    assert_eq!((rows, count), (1, 1), "stored count equals the rows");
    let mut positions: Vec<i64> = answers
        .iter()
        .filter_map(|(_, b)| b["waitlist_position"].as_i64())
        .collect();
    positions.sort_unstable();
    assert_eq!(
        positions,
        (1..=29).collect::<Vec<_>>(),
        "a consistent waiting-list order"
    );

    // Control: the same race with the guard off overbooks, so the test above can see a race.
    let (answers, (rows, count)) = last_place(backend, false).expect("same backend as above");
    assert!(
        confirmed(&answers) > 1 && rows > 1,
        "without the guard the last place is sold {} times",
        rows
    );
    assert_ne!(
        rows as i32, count,
        "and the stored count no longer matches the rows"
    );
}

fn check_last_creche_place(backend: Backend) {
    let run = |guard: bool| -> Option<usize> {
        let app = helpers::spawn(backend, |c| {
            c.capacity_guard = guard;
            c.pool_size = 8;
        })?;
        let cohort = group(&app, 20);
        // Two babies hold crèche places; one baby place is left (one worker, 1:3).
        for (t, child) in parents(&app, 2, "early") {
            assert_eq!(
                ok_json(
                    app.post(
                        &format!("/api/v1/cohorts/{cohort}/bookings"),
                        Some(&t),
                        &json!({"creche_child_ids": [child]})
                    ),
                    201
                )["status"],
                "confirmed"
            );
        }
        let answers = stampede(&app, cohort, parents(&app, 12, "late"), true);
        assert!(answers.iter().all(|(s, _)| *s == 201), "no 5xx");
        Some(confirmed(&answers))
    };
    let Some(winners) = run(true) else { return };
    assert_eq!(winners, 1, "exactly one baby gets the last crèche place");
    let unguarded = run(false).expect("same backend");
    assert!(
        unguarded > 1,
        "the control overbooks the crèche ({unguarded} winners)"
    );
}

#[test]
fn last_place_race_sqlite() {
    check_last_place(Backend::Sqlite);
}

#[test]
fn last_place_race_postgres() {
    check_last_place(Backend::Postgres);
}

#[test]
fn last_creche_place_race_sqlite() {
    check_last_creche_place(Backend::Sqlite);
}

#[test]
fn last_creche_place_race_postgres() {
    check_last_creche_place(Backend::Postgres);
}
