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
    group_on(app, places, "2026-03-03")
}

/// The same group, first meeting on `first` (YYYY-MM-DD, a Tuesday).
pub(crate) fn group_on(app: &TestApp, places: i32, first: &str) -> i64 {
    let names = [
        "Stockwell Children's Centre",
        "Grace Adeyemi",
        "Tom Reilly",
        "Maria Santos",
    ];
    let places = usize::try_from(places).unwrap();
    Coordinator::new(app).published_cosp(names, places, first)
}

/// `n` parents, each with a baby; returns (token, child id).
pub(crate) fn parents(app: &TestApp, n: usize, tag: &str) -> Vec<(String, i64)> {
    parents_of(app, n, tag, "2025-06-01")
}

/// `n` parents, each with one child born on `born`; returns (token, child id).
fn parents_of(app: &TestApp, n: usize, tag: &str, born: &str) -> Vec<(String, i64)> {
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
                    &json!({"first_name": "Child", "date_of_birth": born}),
                ),
                201,
            );
            (t, child["id"].as_i64().unwrap())
        })
        .collect()
}

/// Every parent books at once; returns the HTTP statuses and the answers.
fn stampede(app: &TestApp, cohort: i64, who: Vec<(String, i64)>, with_creche: bool) -> Answers {
    stampede_across(std::slice::from_ref(&app.base), cohort, who, with_creche)
}

/// Every parent books at once, parent `i` at `bases[i % bases.len()]` (one or more servers).
pub(crate) fn stampede_across(
    bases: &[String],
    cohort: i64,
    who: Vec<(String, i64)>,
    with_creche: bool,
) -> Answers {
    let barrier = Arc::new(Barrier::new(who.len()));
    let handles: Vec<_> = who
        .into_iter()
        .enumerate()
        .map(|(i, (token, child))| {
            let barrier = barrier.clone();
            let url = format!(
                "{}/api/v1/cohorts/{cohort}/bookings",
                bases[i % bases.len()]
            );
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
pub(crate) fn stored(app: &TestApp, cohort: i64) -> (i64, i32) {
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
pub(crate) type Answers = Vec<(u16, serde_json::Value)>;

pub(crate) fn confirmed(answers: &[(u16, serde_json::Value)]) -> usize {
    answers
        .iter()
        .filter(|(_, b)| b["status"] == "confirmed")
        .count()
}

fn last_place(backend: Backend, guard: bool) -> Option<(Answers, (i64, i32), Told)> {
    let app = helpers::spawn(backend, |c| {
        c.capacity_guard = guard;
        c.pool_size = 8;
    })?;
    let cohort = group(&app, 1);
    let answers = stampede(&app, cohort, parents(&app, 30, "p"), false);
    let counts = stored(&app, cohort);
    Some((answers, counts, told(&app, cohort)))
}

/// (booking id, kind) of every message the cohort's bookings caused.
type Told = Vec<(Option<i32>, String)>;

fn told(app: &TestApp, cohort: i64) -> Told {
    let mut conn = app.state.pool.get().unwrap();
    let filter = groupwork::store::messages::Filter {
        cohort_id: Some(cohort as i32),
        ..Default::default()
    };
    groupwork::store::messages::list(&mut conn, &filter, 1000, 0)
        .unwrap()
        .items
        .into_iter()
        .map(|m| (m.booking_id, m.kind.as_str().to_string()))
        .collect()
}

/// Each booking answered is told once, of what it was answered; nothing else was written (a
/// transaction the database made us try again, or one that lost, left no message behind).
fn assert_each_told_once(answers: &Answers, told: &Told) {
    assert_eq!(
        told.len(),
        answers.len(),
        "one message per booking: {told:?}"
    );
    for (_, b) in answers {
        let kind = format!("booking_{}", b["status"].as_str().unwrap());
        let id = b["id"].as_i64().map(|i| i as i32);
        assert_eq!(
            told.iter()
                .filter(|(booking, k)| *booking == id && *k == kind)
                .count(),
            1,
            "booking {id:?} told once that it is {kind}"
        );
    }
}

/// The guarded race's claims: every family answered, exactly one got the last place, the stored
/// count equals the rows, and the others wait at positions 1..n-1 in booking order.
pub(crate) fn assert_last_place_held(answers: &Answers, (rows, count): (i64, i32)) {
    assert!(
        answers.iter().all(|(s, _)| *s == 201),
        "no 5xx, every family answered: {:?}",
        answers.iter().map(|a| a.0).collect::<Vec<_>>()
    );
    assert_eq!(
        confirmed(answers),
        1,
        "exactly one family gets the last place"
    );
    assert_eq!((rows, count), (1, 1), "stored count equals the rows");
    let mut waiting: Vec<(i64, i64)> = answers
        .iter()
        .filter(|(_, b)| b["status"] == "waitlisted")
        .map(|(_, b)| {
            (
                b["id"].as_i64().unwrap(),
                b["waitlist_position"].as_i64().unwrap(),
            )
        })
        .collect();
    waiting.sort_unstable();
    let positions: Vec<i64> = waiting.iter().map(|(_, p)| *p).collect();
    assert_eq!(
        positions,
        (1..answers.len() as i64).collect::<Vec<_>>(),
        "a consistent waiting-list order: each position once, earlier bookings first"
    );
}

fn check_last_place(backend: Backend) {
    let Some((answers, counts, told)) = last_place(backend, true) else {
        return;
    };
    assert_last_place_held(&answers, counts);
    assert_each_told_once(&answers, &told);

    // Control: the same race with the guard off overbooks, so the test above can see a race.
    let (answers, (rows, count), _) = last_place(backend, false).expect("same backend as above");
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

/// Many parents booking and cancelling at once: afterwards every invariant holds.
fn storm(backend: Backend) {
    let Some(app) = helpers::spawn(backend, |c| c.pool_size = 8) else {
        return;
    };
    let cohort = group(&app, 5);
    let babies = parents(&app, 10, "baby");
    let toddlers = parents_of(&app, 10, "toddler", "2023-06-01");
    let everyone: Vec<(String, i64, bool)> = babies
        .into_iter()
        .map(|(t, c)| (t, c, true))
        .chain(toddlers.into_iter().map(|(t, c)| (t, c, false)))
        .collect();
    let barrier = Arc::new(Barrier::new(everyone.len()));
    let base = app.base.clone();
    let handles: Vec<_> = everyone
        .into_iter()
        .enumerate()
        .map(|(i, (token, child, creche))| {
            let (barrier, base) = (barrier.clone(), base.clone());
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                let book = || {
                    let body = if creche {
                        json!({"creche_child_ids": [child]})
                    } else {
                        json!({})
                    };
                    client
                        .post(format!("{base}/api/v1/cohorts/{cohort}/bookings"))
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .unwrap()
                };
                barrier.wait();
                let mut statuses = Vec::new();
                // Every third family changes its mind and books again; every fourth cancels for good.
                for round in 0..3 {
                    let res = book();
                    statuses.push(res.status().as_u16());
                    let b: serde_json::Value = res.json().unwrap_or_default();
                    let Some(id) = b["id"].as_i64() else { continue };
                    if (i % 3 == 0 && round < 2) || i % 4 == 0 {
                        let res = client
                            .delete(format!("{base}/api/v1/bookings/{id}"))
                            .bearer_auth(&token)
                            .send()
                            .unwrap();
                        statuses.push(res.status().as_u16());
                    }
                    if i % 4 == 0 || i % 3 != 0 {
                        break;
                    }
                }
                statuses
            })
        })
        .collect();
    let statuses: Vec<u16> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    assert!(statuses.iter().all(|s| *s < 500), "no 5xx: {statuses:?}");

    let (rows, count) = stored(&app, cohort);
    assert_eq!(rows, i64::from(count), "stored count equals the rows");
    assert!(count <= 5, "never more confirmed than places");
    let mut conn = app.state.pool.get().unwrap();
    let active: Vec<(i32, String)> = bookings::table
        .filter(bookings::cohort_id.eq(cohort as i32))
        .filter(bookings::status.eq_any(["confirmed", "waitlisted"]))
        .select((bookings::family_id, bookings::status))
        .load(&mut *conn)
        .unwrap();
    let mut families: Vec<i32> = active.iter().map(|(f, _)| *f).collect();
    families.sort_unstable();
    let n = families.len();
    families.dedup();
    assert_eq!(families.len(), n, "no family booked twice");
    drop(conn);
    // The crèche holds at most three babies with one worker, on every date.
    let listing = ok_json(app.get("/api/v1/listings", None), 200);
    let creche = &listing["items"][0]["creche"];
    assert!(creche["places_left_by_age"]["under_2"].as_i64().unwrap() >= 0);
    let list = ok_json(
        app.get(
            &format!("/api/v1/cohorts/{cohort}/bookings"),
            Coordinator::new(&app).t(),
        ),
        200,
    );
    let babies_in = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| {
            b["status"] == "confirmed" && !b["creche_child_ids"].as_array().unwrap().is_empty()
        })
        .count();
    assert!(babies_in <= 3, "{babies_in} babies in a crèche for three");
    // Nobody waits who would fit: a family needing no crèche place waits only when the group is full.
    let waiting_without_creche = list["items"].as_array().unwrap().iter().any(|b| {
        b["status"] == "waitlisted" && b["creche_child_ids"].as_array().unwrap().is_empty()
    });
    assert!(
        !waiting_without_creche || count == 5,
        "a family waits while a place is free"
    );
}

#[test]
fn booking_storm_sqlite() {
    storm(Backend::Sqlite);
}

#[test]
fn booking_storm_postgres() {
    storm(Backend::Postgres);
}
