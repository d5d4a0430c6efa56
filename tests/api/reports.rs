//! The monitoring report: every figure of every grouping checked against the hand-computed
//! scenario in `reports/scenario.rs`; the CSV read back by the `csv` crate equals the JSON; bad
//! queries are 422 naming the field; only coordinators and admins read it.

pub mod flat;
mod scenario;

use crate::db_test;
use crate::helpers::{ok_json, problem, TestApp};
use flat::assert_csv_matches_json;
use groupwork::domain::role::Role;
use reqwest::blocking::Response;
use scenario::{CLOSENESS, PSOC, STOCKWELL, VASSALL, WEMWBS};
use serde_json::{json, Value};
use std::collections::BTreeMap;

const PERIOD: &str = "from=2026-03-01&to=2026-04-30";

/// A measure's pairs: (measure, pairs, mean pre, mean post, mean change).
type Pairs<'a> = &'a [(&'a str, u64, f64, f64, f64)];

/// Expected figures. `cohorts`: run, cancelled, sessions delivered (None in family rows);
/// `families`: booked, reached, children in the crèche; `marks`: attended, recorded;
/// `completion`: eligible, completed; `waiting`: waitlisted, never offered; `follow_ups`:
/// opened, open, closed re-engaged, closed will rejoin later. Rates are the quotients.
#[allow(clippy::too_many_arguments)]
fn figures(
    cohorts: Option<[i64; 3]>,
    families: [i64; 3],
    marks: [i64; 2],
    completion: [i64; 2],
    waiting: [i64; 2],
    follow_ups: [i64; 4],
    pairs: Pairs,
) -> Value {
    let rate = |a: i64, b: i64| {
        if b > 0 {
            json!(a as f64 / b as f64)
        } else {
            Value::Null
        }
    };
    json!({
        "cohorts_run": cohorts.map(|c| c[0]),
        "cohorts_cancelled": cohorts.map(|c| c[1]),
        "sessions_delivered": cohorts.map(|c| c[2]),
        "families_booked": families[0], "families_reached": families[1], "children_in_creche": families[2],
        // The scenario records no incident: `creche_incidents` tests that count.
        "creche_incidents": 0,
        "marks_attended": marks[0], "marks_recorded": marks[1], "attendance_rate": rate(marks[0], marks[1]),
        "visitor_attendances": 0,
        "completion_eligible": completion[0], "completed": completion[1], "completion_rate": rate(completion[1], completion[0]),
        "families_waitlisted": waiting[0], "families_never_offered": waiting[1],
        "follow_ups_opened": follow_ups[0], "follow_ups_open": follow_ups[1],
        // Every family has one child; no geography is loaded here (`reports/reach.rs` has it).
        "children_reached": families[1], "under_fives": null,
        "families_reached_in_area": 0, "children_reached_in_area": 0,
        "families_reach_rate": null, "children_reach_rate": null,
        "families_reached_decile_known": 0, "families_reached_most_deprived": 0, "most_deprived_share": null,
        "follow_up_outcomes": {"reengaged": follow_ups[2], "will_rejoin_later": follow_ups[3], "withdrew": 0, "unable_to_contact": 0},
        "outcome_pairs": pairs.iter().map(|(m, n, pre, post, change)|
            json!({"measure": m, "pairs": n, "mean_pre": pre, "mean_post": post, "mean_change": change})).collect::<Vec<_>>(),
    })
}

/// `f` with F5's two visits to A (a one-off visitor while waiting for a place).
fn visits(mut f: Value) -> Value {
    f["visitor_attendances"] = json!(2);
    f
}

fn row(group: &str, mut f: Value) -> Value {
    f["group"] = json!(group);
    f
}

fn report(app: &TestApp, token: &str, query: &str) -> Response {
    app.get(&format!("/api/v1/reports/summary?{query}"), Some(token))
}

/// Each booking's tally of marks, kept by the database as marks are written
/// (`booking_mark_tallies`), is what counting its marks one by one says: recorded, attended
/// (`Mark::attended`), attended at group sessions. Returns how many bookings have marks.
pub fn mark_tallies_agree(app: &TestApp) -> usize {
    use diesel::prelude::*;
    use groupwork::db::schema::{
        attendance_marks as am, booking_mark_tallies as t, sessions as se,
    };
    use groupwork::domain::register::Mark;
    let mut c = groupwork::db::DbManager::new(&app.state.config.database_url)
        .unwrap()
        .open()
        .map_err(|e| e.0)
        .unwrap();
    let marks: Vec<(i32, String, String)> = am::table
        .inner_join(se::table)
        .select((am::booking_id, am::status, se::kind))
        .load(&mut c)
        .unwrap();
    let mut counted: BTreeMap<i32, (i32, i32, i32)> = BTreeMap::new();
    for (booking, status, kind) in marks {
        let came = Mark::parse(&status).expect("a stored mark").attended();
        let n = counted.entry(booking).or_default();
        n.0 += 1;
        n.1 += i32::from(came);
        n.2 += i32::from(came && kind == "group");
    }
    let kept: BTreeMap<i32, (i32, i32, i32)> = t::table
        .filter(
            t::recorded
                .ne(0)
                .or(t::attended.ne(0))
                .or(t::attended_group.ne(0)),
        )
        .select((t::booking_id, (t::recorded, t::attended, t::attended_group)))
        .load(&mut c)
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(
        kept, counted,
        "tallies kept (left) against marks counted (right)"
    );
    counted.len()
}

db_test! {
    fn figures_match_the_hand_computed_scenario(app) {
        let s = scenario::build(&app);
        // Registers marked, corrected, apologies sent ahead, sessions and a group cancelled.
        assert_eq!(mark_tallies_agree(&app), 6, "A: F1-F3, B: F1 and F4, C: F4");
        let co = app.token_as(s.coordinator, Role::Coordinator);
        let get = |q: &str| ok_json(report(&app, &co, q), 200);
        // Marks (attended/recorded): A F1 6/6, F2 3/6, F3 5/6 = 14/18; B F1 6/8, F4 5/8 = 11/16;
        // C F4 1/1. Completion (ended A and B): A F1 6≥4 and F3 5≥4 yes, F2 3 no; B F1 6≥6 yes,
        // F4 5 no: 3 of 5. Sessions held: A 6 + B 8 + C 1 (session 2 cancelled, 3 not yet).
        // Booked: F1, F2 (A; C counts though cancelled), F3, F4 — F5 only waited. Waited: F5
        // (never offered), F4 (promoted on C). WEMWBS pairs 40→50, 35→33, 42→49: means 39, 44.
        // F5's two visits to A count as visitor attendances only: not booked, not reached.
        let total = visits(figures(Some([3, 1, 15]), [4, 4, 2], [26, 35], [5, 3], [2, 1], [2, 0, 1, 1],
            &[(CLOSENESS, 1, 5.0, 8.0, 3.0), (PSOC, 2, 25.0, 33.0, 8.0), (WEMWBS, 3, 39.0, 44.0, 5.0)]));
        let r = get(PERIOD);
        assert_eq!(r["total"], total);
        assert_eq!((&r["from"], &r["to"], &r["groups"]), (&json!("2026-03-01"), &json!("2026-04-30"), &json!([])));
        assert!(r["group_by"].is_null());

        let by_programme = [
            // B only.
            row("cosp", figures(Some([1, 0, 8]), [2, 2, 2], [11, 16], [2, 1], [0, 0], [1, 0, 0, 1],
                &[(PSOC, 2, 25.0, 33.0, 8.0), (WEMWBS, 1, 42.0, 49.0, 7.0)])),
            // A and C run, D cancelled; F4 reached on C.
            row("together-time", visits(figures(Some([2, 1, 7]), [4, 4, 0], [15, 19], [3, 2], [2, 1], [1, 0, 1, 0],
                &[(CLOSENESS, 1, 5.0, 8.0, 3.0), (WEMWBS, 2, 37.5, 41.5, 4.0)]))),
        ];
        let by_venue = [
            // B and C: F2 booked C (then cancelled) but attended nothing there.
            row(VASSALL, figures(Some([2, 0, 9]), [3, 2, 2], [12, 17], [2, 1], [1, 0], [1, 0, 0, 1],
                &[(PSOC, 2, 25.0, 33.0, 8.0), (WEMWBS, 1, 42.0, 49.0, 7.0)])),
            row(STOCKWELL, visits(figures(Some([1, 1, 6]), [3, 3, 0], [14, 18], [3, 2], [1, 1], [1, 0, 1, 0],
                &[(CLOSENESS, 1, 5.0, 8.0, 3.0), (WEMWBS, 2, 37.5, 41.5, 4.0)]))),
        ];
        let by_month = [
            row("2026-03", visits(figures(Some([2, 1, 14]), [4, 4, 2], [25, 34], [5, 3], [1, 1], [2, 0, 1, 1],
                &[(CLOSENESS, 1, 5.0, 8.0, 3.0), (PSOC, 2, 25.0, 33.0, 8.0), (WEMWBS, 3, 39.0, 44.0, 5.0)]))),
            // C has not ended: no completion rate.
            row("2026-04", figures(Some([1, 0, 1]), [2, 1, 0], [1, 1], [0, 0], [1, 0], [0, 0, 0, 0], &[])),
        ];
        // F4: B 5/8 + C 1/1; did not complete B; waited for C.
        let f4 = figures(None, [1, 1, 1], [6, 9], [1, 0], [1, 0], [0, 0, 0, 0],
            &[(PSOC, 1, 20.0, 26.0, 6.0), (WEMWBS, 1, 42.0, 49.0, 7.0)]);
        let by_ward = [
            // F1 and F2: A 6/6 + 3/6, B 6/8; completed A (F1) and B (F1) of three.
            row("lambeth-2014:Stockwell", figures(None, [2, 2, 1], [15, 20], [3, 2], [0, 0], [2, 0, 1, 1],
                &[(CLOSENESS, 1, 5.0, 8.0, 3.0), (PSOC, 1, 30.0, 40.0, 10.0), (WEMWBS, 2, 37.5, 41.5, 4.0)])),
            // Same ward name, later boundary set: F3 (A 5/6, completed) and F5 (waiting).
            row("lambeth-2022:Stockwell", visits(figures(None, [1, 1, 0], [5, 6], [1, 1], [1, 1], [0, 0, 0, 0], &[]))),
            row("unknown", f4.clone()),
        ];
        let by_source = [
            row("gp", f4),
            // F2 (A 3/6, re-engaged after a follow-up, WEMWBS 35→33) and F5 (never offered).
            row("health_visitor", visits(figures(None, [1, 1, 0], [3, 6], [1, 0], [1, 1], [1, 0, 1, 0],
                &[(WEMWBS, 1, 35.0, 33.0, -2.0)]))),
            // F1 and F3: 6/6 + 6/8 + 5/6, all three completions.
            row("self", figures(None, [2, 2, 1], [17, 20], [3, 3], [0, 0], [1, 0, 0, 1],
                &[(CLOSENESS, 1, 5.0, 8.0, 3.0), (PSOC, 1, 30.0, 40.0, 10.0), (WEMWBS, 1, 40.0, 50.0, 10.0)])),
        ];
        for (by, rows) in [("programme", &by_programme[..]), ("venue", &by_venue), ("month", &by_month),
                           ("ward", &by_ward), ("referral_source", &by_source)] {
            let r = get(&format!("{PERIOD}&group_by={by}"));
            assert_eq!(r["group_by"], by);
            assert_eq!(r["groups"], json!(rows), "group_by={by}");
            assert_eq!(r["total"], total, "group_by={by}");

            // The same as CSV, by ?format=csv and by Accept.
            let res = report(&app, &co, &format!("{PERIOD}&group_by={by}&format=csv"));
            assert_eq!(res.status(), 200);
            assert_eq!(res.headers()["content-type"], "text/csv; charset=utf-8");
            assert_eq!(res.headers()["cache-control"], "no-store");
            assert_eq!(res.headers()["content-disposition"], "attachment; filename=\"groupwork-summary-2026-03-01-2026-04-30.csv\"");
            let text = res.text().unwrap();
            assert!(text.ends_with("\r\n") && text.starts_with("group_by,group,"), "{text}");
            assert_csv_matches_json(&text, &r);
            let accept = app.req(reqwest::Method::GET, &format!("/api/v1/reports/summary?{PERIOD}&group_by={by}"), Some(&co))
                .header("accept", "text/csv").send().unwrap();
            assert_eq!(accept.text().unwrap(), text);
            if by == "venue" {
                // Quoted (comma, quotes) and defused (leading '=').
                assert!(text.contains("venue,\"'=Vassall Hub, \"\"Room 2\"\"\","), "{text}");
            }
        }
        assert_csv_matches_json(&report(&app, &co, &format!("{PERIOD}&format=csv")).text().unwrap(), &r);

        // Without a period G (June, nothing held yet) is a cohort run too; E, a draft, never is.
        let all = get("");
        assert_eq!((&all["total"]["cohorts_run"], &all["total"]["sessions_delivered"], &all["total"]["families_booked"]),
                   (&json!(4), &json!(15), &json!(4)));
        // March only: A and B run, D cancelled.
        let march = get("to=2026-03-31");
        assert_eq!((&march["total"]["cohorts_run"], &march["total"]["cohorts_cancelled"]), (&json!(2), &json!(1)));
        // Names and contacts play no part: changing them changes no figure.
        let f1 = app.token_as(s.parents[0], Role::Parent);
        let res = app.req(reqwest::Method::PUT, "/api/v1/me/family", Some(&f1))
            .json(&json!({"carers": ["Someone Else"], "phone": "07700 900999", "preferred_language": "en",
                          "ward": "lambeth-2014:Stockwell", "referral_source": "self"})).send().unwrap();
        ok_json(res, 200);
        assert_eq!(get(&format!("{PERIOD}&group_by=ward"))["groups"], json!(by_ward));
    }
}

db_test! {
    fn bad_queries_are_422_and_only_coordinators_read_reports(app) {
        let co = app.user_token(Role::Coordinator);
        for (query, field) in [("from=2026-05-01&to=2026-04-01", "to"), ("from=2026-02-30", "from"), ("from=1 March", "from"),
                               ("to=2101-01-01", "to"), ("group_by=family", "group_by"), ("format=xml", "format")] {
            let p = problem(report(&app, &co, query), 422);
            assert!(p["errors"][field].is_array(), "{query}: {p}");
        }
        let p = problem(report(&app, &co, "from=x&group_by=y&format=z"), 422);
        assert_eq!(p["errors"].as_object().unwrap().len(), 3, "{p}");
        problem(report(&app, &co, "from=2026-03-01&from=2026-03-02"), 400);

        // No cohorts: zeros, no rates; blank values count as not given.
        let r = ok_json(report(&app, &co, "from=&group_by=&format="), 200);
        assert_eq!((&r["total"]["cohorts_run"], &r["total"]["attendance_rate"], &r["total"]["completion_rate"]),
                   (&json!(0), &Value::Null, &Value::Null));
        let text = report(&app, &co, "format=csv").text().unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert_csv_matches_json(&text, &r);

        // Content negotiation: `format` wins; otherwise CSV only when preferred to JSON.
        let with = |accept: &str, query: &str| {
            let res = app.req(reqwest::Method::GET, &format!("/api/v1/reports/summary?{query}"), Some(&co))
                .header("accept", accept).send().unwrap();
            assert_eq!(res.headers()["vary"], "Accept");
            res.headers()["content-type"].to_str().unwrap().to_string()
        };
        assert_eq!(with("text/csv", ""), "text/csv; charset=utf-8");
        assert_eq!(with("application/json;q=0.5, text/csv", ""), "text/csv; charset=utf-8");
        assert_eq!(with("text/csv;q=0.5, application/json", ""), "application/json");
        assert_eq!(with("text/csv;q=0", ""), "application/json");
        assert_eq!(with("*/*", ""), "application/json");
        assert_eq!(with("text/csv", "format=json"), "application/json");
        assert_eq!(with("application/json", "format=csv"), "text/csv; charset=utf-8");
        assert_eq!(report(&app, &co, "format=csv").headers()["content-disposition"],
                   "attachment; filename=\"groupwork-summary-all-all.csv\"");

        ok_json(report(&app, &app.user_token(Role::Admin), ""), 200);
        for role in [Role::Facilitator, Role::Parent] {
            let p = problem(report(&app, &app.user_token(role), ""), 403);
            assert_eq!(p["type"], "/problems/forbidden");
        }
        problem(app.get("/api/v1/reports/summary", None), 401);
    }
}
