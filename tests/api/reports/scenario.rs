//! The hand-computed scenario, built through the API as a centre would. Clock at 2026-03-02.
//!
//! Venues: Stockwell Children's Centre (lambeth-2014:Stockwell) and `=Vassall Hub, "Room 2"`
//! (lambeth-2014:Vassall; a name that needs CSV quoting and formula defusing).
//! Families (ward, referral source): F1 (2014:Stockwell, self), F2 (2014:Stockwell,
//! health_visitor), F3 (2022:Stockwell — same name, other boundary set — self), F4 (no ward, gp),
//! F5 (2022:Stockwell, health_visitor).
//! Cohorts:
//! - A Together Time at Stockwell from Tue 3 Mar, 3 places: F1, F2, F3; F5 waitlisted, never
//!   offered a place, came to sessions 1 and 2 as a one-off visitor. 6 sessions, all held by
//!   the report (22 Apr); ended.
//! - B COSP at Vassall from Wed 4 Mar, crèche: F1, F4 (with crèche children). 8 sessions, the
//!   last on 22 Apr 09:00–11:00Z; ended by the report at 12:00Z.
//! - C Together Time at Vassall from Tue 14 Apr, 1 place: F2 confirmed then cancelled, which
//!   promotes F4 from the waiting list an hour later. Session 2 (21 Apr) cancelled: 1 held;
//!   F4's apologies for session 3 are in ahead.
//! - D Together Time at Stockwell from Thu 5 Mar, cancelled. E a draft. G in June (F3 booked),
//!   outside the period.

use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, TestApp};
use crate::registers::{mark, put, read};
use chrono::{DateTime, Utc};
use groupwork::domain::role::Role;
use reqwest::Method;
use serde_json::{json, Value};

pub const WEMWBS: &str = "Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS)";
pub const PSOC: &str = "Parenting Sense of Competence (PSOC)";
pub const CLOSENESS: &str = "Parent-infant closeness (0-10)";
pub const VASSALL: &str = "=Vassall Hub, \"Room 2\"";
pub const STOCKWELL: &str = "Stockwell Children's Centre";

pub struct Scenario {
    pub coordinator: i64,
    /// Parent user ids of F1..F5 (index 0 = F1).
    pub parents: Vec<i64>,
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap()
}

/// Group session ids of a cohort answer, in order.
fn sessions(cohort: &Value) -> Vec<i64> {
    cohort["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["kind"] == "group")
        .map(id)
        .collect()
}

pub fn build(app: &TestApp) -> Scenario {
    let co = Coordinator::new(app);
    // Ids now: tokens signed at this instant expire once the clock moves on.
    let coordinator = app.user_id(co.t().unwrap());
    let stockwell = co.venue(STOCKWELL, "lambeth-2014:Stockwell", 0);
    let vassall = co.venue(VASSALL, "lambeth-2014:Vassall", 6);
    let clinician = co.staff("Ada Clinician", &[("clinical", None)]);
    let other_clinician = co.staff("Bea Clinician", &[("clinical", None)]);
    let cosp_lead = co.staff("Cy Cosp", &[("cosp_registered", None)]);
    let co_facilitator = co.staff("Di Worker", &[]);
    let creche_worker = co.staff("Ed Creche", &[("paediatric_first_aid", None)]);
    let tt = |lead| json!({"lead": lead});
    let cosp = json!({"lead": cosp_lead, "co_facilitators": [co_facilitator], "creche_workers": [creche_worker]});
    // (programme, venue, first session, places, team, published): A, B, C, D, E (draft), G.
    const TT: &str = "together-time";
    let plan = [
        (TT, stockwell, "2026-03-03", 3, tt(clinician), true),
        ("cosp", vassall, "2026-03-04", 10, cosp, true),
        (TT, vassall, "2026-04-14", 1, tt(clinician), true),
        (TT, stockwell, "2026-03-05", 8, tt(other_clinician), true),
        (TT, stockwell, "2026-03-12", 8, tt(clinician), false),
        (TT, stockwell, "2026-06-02", 8, tt(clinician), true),
    ];
    let made: Vec<Value> = plan
        .into_iter()
        .map(|(programme, venue, first, places, team, publish)| {
            let creche = i32::from(programme == "cosp");
            let body = json!({"places": places, "creche_workers": creche});
            let made = co.cohort(programme, venue, first, "10:00", body);
            ok_json(co.set_team(id(&made), team), 200);
            if publish {
                ok_json(co.publish(id(&made)), 200);
            }
            made
        })
        .collect();
    let [a, b, c, d, _, g] = &made[..] else {
        unreachable!()
    };
    ok_json(
        app.post(
            &format!("/api/v1/cohorts/{}/cancel", id(d)),
            co.t(),
            &json!({"reason": "Room flooded"}),
        ),
        200,
    );
    let c_second = sessions(c)[1];
    ok_json(
        app.patch(
            &format!("/api/v1/sessions/{c_second}"),
            co.t(),
            &json!({"status": "cancelled", "reason": "Staff training"}),
        ),
        200,
    );

    // Families: (ward, referral source); each has a baby.
    let who = [
        ("lambeth-2014:Stockwell", "self"),
        ("lambeth-2014:Stockwell", "health_visitor"),
        ("lambeth-2022:Stockwell", "self"),
        ("", "gp"),
        ("lambeth-2022:Stockwell", "health_visitor"),
    ];
    let (mut tokens, mut parents, mut children) = (Vec::new(), Vec::new(), Vec::new());
    let mut families = Vec::new();
    for (i, (ward, source)) in who.iter().enumerate() {
        let t = app.register_parent(&format!("report-family{}@example.org", i + 1))["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        let body = json!({"carers": [format!("Carer {}", i + 1)], "preferred_language": "en",
                          "ward": ward, "referral_source": source});
        let res = app
            .req(Method::PUT, "/api/v1/me/family", Some(&t))
            .json(&body)
            .send()
            .unwrap();
        families.push(id(&ok_json(res, 200)));
        let child = json!({"first_name": format!("Baby {}", i + 1), "date_of_birth": "2025-06-01"});
        children.push(id(&ok_json(
            app.post("/api/v1/me/children", Some(&t), &child),
            201,
        )));
        parents.push(app.user_id(&t));
        tokens.push(t);
    }
    let book = |f: usize, cohort: &Value, creche: bool, want: &str| {
        let body = json!({"creche_child_ids": if creche { vec![children[f]] } else { vec![] }});
        let b = ok_json(
            app.post(
                &format!("/api/v1/cohorts/{}/bookings", id(cohort)),
                Some(&tokens[f]),
                &body,
            ),
            201,
        );
        assert_eq!(b["status"], want, "F{} on cohort {}", f + 1, id(cohort));
        id(&b)
    };
    let a_bookings = [
        book(0, a, false, "confirmed"),
        book(1, a, false, "confirmed"),
        book(2, a, false, "confirmed"),
    ];
    book(4, a, false, "waitlisted");
    let b_bookings = [book(0, b, true, "confirmed"), book(3, b, true, "confirmed")];
    let f2_on_c = book(1, c, false, "confirmed");
    let f4_on_c = book(3, c, false, "waitlisted");
    book(2, g, false, "confirmed");
    // An hour later F2 gives up the place on C and F4 is promoted: F4 waited, then got a place.
    app.clock.set(at("2026-03-02T10:00:00Z"));
    let f2 = app.token_as(parents[1], Role::Parent);
    let res = app
        .req(
            Method::DELETE,
            &format!("/api/v1/bookings/{f2_on_c}"),
            Some(&f2),
        )
        .send()
        .unwrap();
    assert!(res.status().is_success(), "cancel: {}", res.status());
    let f4 = app.token_as(parents[3], Role::Parent);
    assert_eq!(
        ok_json(
            app.get(&format!("/api/v1/bookings/{f4_on_c}"), Some(&f4)),
            200
        )["status"],
        "confirmed"
    );

    // The registers, marked by the coordinator after the event (coordinators may correct late).
    app.clock.set(at("2026-04-22T12:00:00Z"));
    let token = || app.token_as(coordinator, Role::Coordinator);
    let register = |s: i64| format!("/api/v1/sessions/{s}/register");
    // Marks per family, session by session: Present, Late, Sorry (apologies), Absent.
    let marks = |bookings: &[i64], plan: &[&str], session: usize| -> Vec<(i64, &str)> {
        let status = |code| match code {
            b'P' => "present",
            b'L' => "late",
            b'S' => "apologies",
            _ => "absent",
        };
        let codes = plan.iter().map(|p| status(p.as_bytes()[session]));
        bookings.iter().copied().zip(codes).collect()
    };
    // A: F2 misses two in a row (a follow-up), comes back (closed as re-engaged).
    for (n, s) in sessions(a).into_iter().enumerate() {
        let m = marks(&a_bookings, &["PPPPPP", "PLAAPS", "PPSPLP"], n);
        mark(app, &register(s), &token(), &m);
    }
    // F5, waiting for a place on A, came to its first two sessions all the same: a visitor.
    for s in &sessions(a)[..2] {
        let url = format!("/api/v1/sessions/{s}/register/walk-ins");
        let v = ok_json(
            app.post(&url, Some(&token()), &json!({"family_id": families[4]})),
            201,
        );
        assert_eq!(v["visitor_reason"], "on_waiting_list", "{v}");
    }
    // B: F1 misses the last two (a follow-up, closed below as will rejoin later).
    for (n, s) in sessions(b).into_iter().enumerate() {
        let m = marks(&b_bookings, &["PPPPPPAA", "PPPASPLS"], n);
        mark(app, &register(s), &token(), &m);
    }
    // Crèche: F1's child at sessions 1 and 2, F4's at session 1: two children.
    for (n, kids) in [(0, vec![children[0], children[3]]), (1, vec![children[0]])] {
        let s = sessions(b)[n];
        let day = if n == 0 { "2026-03-04" } else { "2026-03-11" };
        let creche: Vec<Value> = kids
            .iter()
            .map(|k| json!({"child_id": k, "signed_in_at": format!("{day}T10:05:00Z")}))
            .collect();
        let (_, etag) = read(app, &register(s), &token());
        ok_json(
            put(
                app,
                &register(s),
                &token(),
                Some(&etag),
                &json!({"creche": creche}),
            ),
            200,
        );
    }
    mark(
        app,
        &register(sessions(c)[0]),
        &token(),
        &[(f4_on_c, "present")],
    );
    // F4's apologies for C's third session (28 Apr), sent ahead: not held yet, so not counted.
    mark(
        app,
        &register(sessions(c)[2]),
        &token(),
        &[(f4_on_c, "apologies")],
    );
    let open = ok_json(
        app.get("/api/v1/follow-ups?status=open", Some(&token())),
        200,
    );
    assert_eq!(open["total"], 1, "{open}");
    let url = format!("/api/v1/follow-ups/{}", open["items"][0]["id"]);
    ok_json(
        app.patch(
            &url,
            Some(&token()),
            &json!({"outcome": "will_rejoin_later"}),
        ),
        200,
    );

    // Outcome scores: (booking, measure, pre, post). F3 has only a pre score: no pair.
    let scores: [(i64, &str, f64, Option<f64>); 7] = [
        (a_bookings[0], WEMWBS, 40.0, Some(50.0)),
        (a_bookings[0], CLOSENESS, 5.0, Some(8.0)),
        (a_bookings[1], WEMWBS, 35.0, Some(33.0)),
        (a_bookings[2], WEMWBS, 45.0, None),
        (b_bookings[0], PSOC, 30.0, Some(40.0)),
        (b_bookings[1], PSOC, 20.0, Some(26.0)),
        (b_bookings[1], WEMWBS, 42.0, Some(49.0)),
    ];
    for (booking, measure, pre, post) in scores {
        let url = format!("/api/v1/bookings/{booking}/outcomes");
        for (phase, score, on) in [
            ("pre", Some(pre), "2026-03-03"),
            ("post", post, "2026-04-14"),
        ] {
            if let Some(score) = score {
                let body =
                    json!({"measure": measure, "phase": phase, "score": score, "recorded_on": on});
                ok_json(app.post(&url, Some(&token()), &body), 201);
            }
        }
    }
    Scenario {
        coordinator,
        parents,
    }
}
