//! The cohort summary: attendance per session, completion against the programme's threshold,
//! follow-ups and their outcomes, and the pre/post outcome pairs with their mean change.

use crate::db_test;
use crate::helpers::{ok_json, problem};
use crate::registers::{coordinator, group, mark, staff};
use groupwork::domain::role::Role;
use serde_json::json;

const PSOC: &str = "Parenting Sense of Competence (PSOC)";

db_test! {
    fn the_summary_shows_attendance_completion_follow_ups_and_outcomes(app) {
        let g = group(&app, 6, 3, 0);
        let (a, b, c) = (g.families[0].booking, g.families[1].booking, g.families[2].booking);
        let weeks: [[&str; 3]; 6] = [
            ["present", "present", "present"],
            ["present", "late", "absent"],
            ["present", "apologies", "absent"],
            ["present", "present", "present"],
            ["present", "present", "late"],
            ["present", "present", "present"],
        ];
        for (n, week) in weeks.iter().enumerate() {
            g.at_session(&app, n + 1, 30);
            mark(&app, &g.register(n + 1), &staff(&app, g.lead), &[(a, week[0]), (b, week[1]), (c, week[2])]);
        }
        let lead = staff(&app, g.lead);
        for (booking, phase, score, on) in [(a, "pre", 30.0, "2026-03-03"), (a, "post", 40.0, "2026-04-07"), (b, "pre", 20.0, "2026-03-03"),
                                            (b, "post", 26.0, "2026-04-07"), (c, "pre", 25.0, "2026-03-03")] {
            ok_json(app.post(&format!("/api/v1/bookings/{booking}/outcomes"), Some(&lead),
                &json!({"measure": PSOC, "phase": phase, "score": score, "recorded_on": on})), 201);
        }
        let s = ok_json(app.get(&format!("/api/v1/cohorts/{}/summary", g.cohort), Some(&lead)), 200);
        assert_eq!(s["completion_threshold"], 6);
        let progress: Vec<(i64, i64, bool)> = s["families"].as_array().unwrap().iter()
            .map(|f| (f["attended"].as_i64().unwrap(), f["absent"].as_i64().unwrap(), f["completed"].as_bool().unwrap()))
            .collect();
        assert_eq!(progress, [(6, 0, true), (5, 0, false), (4, 2, false)]);
        assert_eq!(s["completed"], 1);
        let second = &s["sessions"][1];
        assert_eq!((second["present"].as_i64(), second["late"].as_i64(), second["absent"].as_i64(), second["unmarked"].as_i64()), (Some(1), Some(1), Some(1), Some(0)));
        assert_eq!(second["held"], true);
        assert_eq!(s["sessions"][6]["held"], false);
        // C missed two in a row, then came back: one follow-up, closed as re-engaged.
        assert_eq!(s["open_follow_ups"], 0);
        assert_eq!(s["follow_up_outcomes"], json!({"reengaged": 1}));
        // Two complete PSOC pairs (C has no post score yet): 30→40 and 20→26.
        assert_eq!(s["outcome_pairs"], json!([{"measure": PSOC, "pairs": 2, "mean_pre": 25.0, "mean_post": 33.0, "mean_change": 8.0}]));

        // Coordinators see it; other staff and parents do not.
        ok_json(app.get(&format!("/api/v1/cohorts/{}/summary", g.cohort), Some(&coordinator(&app, &g))), 200);
        problem(app.get(&format!("/api/v1/cohorts/{}/summary", g.cohort), Some(&staff(&app, g.other))), 404);
        problem(app.get(&format!("/api/v1/cohorts/{}/summary", g.cohort), Some(&staff(&app, g.creche))), 404);
        problem(app.get(&format!("/api/v1/cohorts/{}/summary", g.cohort), Some(&app.token_as(g.families[0].user, Role::Parent))), 403);
    }
}
