//! What the facilitators record about the room (issue 17 item 6): notes on the session and the
//! times of a late arrival or an early leave, kept under the register's ETag like every mark.

use crate::db_test;
use crate::helpers::{ok_json, problem};
use crate::registers::{group, put, read, staff};
use serde_json::json;

db_test! {
    fn notes_and_arrival_times_are_kept_private_and_under_the_etag(app) {
        let g = group(&app, 6, 2, 1);
        let [a, b] = [&g.families[0], &g.families[1]];
        g.at_session(&app, 1, 100);
        let lead = staff(&app, g.lead);
        let path = g.register(1);
        let (reg, first) = read(&app, &path, &lead);
        assert_eq!(reg["notes"], "");

        let body = json!({
            "notes": "Room too warm; moved to the hall.\nB's dad came for the first time.",
            "marks": [{"booking_id": a.booking, "status": "present", "left_at": "2026-03-03T11:30:00Z"},
                      {"booking_id": b.booking, "status": "late", "arrived_at": "2026-03-03T10:25:00Z"}]});
        let res = put(&app, &path, &lead, Some(&first), &body);
        let second = res.headers()["etag"].to_str().unwrap().to_string();
        let reg = ok_json(res, 200);
        assert!(reg["notes"].as_str().unwrap().starts_with("Room too warm"));
        assert_eq!(reg["families"][0]["left_at"], "2026-03-03T11:30:00Z");
        assert_eq!(reg["families"][0]["arrived_at"], json!(null));
        assert_eq!(reg["families"][1]["arrived_at"], "2026-03-03T10:25:00Z");

        // Each new field is protected against lost updates: a tablet still holding the first
        // ETag cannot overwrite the notes or the times (412), and nothing changes.
        for stale in [
            json!({"notes": "Quiet session."}),
            json!({"marks": [{"booking_id": b.booking, "status": "late", "arrived_at": "2026-03-03T10:40:00Z"}]}),
            json!({"marks": [{"booking_id": a.booking, "status": "present", "left_at": null}]}),
        ] {
            problem(put(&app, &path, &staff(&app, g.co), Some(&first), &stale), 412);
        }
        let (reg, now) = read(&app, &path, &lead);
        assert_eq!(now, second, "refused PUTs changed nothing");
        assert!(reg["notes"].as_str().unwrap().starts_with("Room too warm"));
        assert_eq!(reg["families"][1]["arrived_at"], "2026-03-03T10:25:00Z");

        // A time alone is a change (the ETag moves); leaving a time out keeps it; null clears it.
        let res = put(&app, &path, &lead, Some(&now), &json!({"marks": [{"booking_id": b.booking, "status": "late", "left_at": "2026-03-03T11:45:00Z"}]}));
        let third = res.headers()["etag"].to_str().unwrap().to_string();
        let reg = ok_json(res, 200);
        assert_ne!(third, now);
        assert_eq!(reg["families"][1]["arrived_at"], "2026-03-03T10:25:00Z");
        assert_eq!(reg["families"][1]["left_at"], "2026-03-03T11:45:00Z");
        let reg = ok_json(put(&app, &path, &lead, Some(&third), &json!({"marks": [{"booking_id": b.booking, "status": "late", "arrived_at": null}]})), 200);
        assert_eq!(reg["families"][1]["arrived_at"], json!(null));
        assert_eq!(reg["families"][1]["left_at"], "2026-03-03T11:45:00Z");
        // A family marked absent after all has no times; times on an absence are refused.
        let (_, e) = read(&app, &path, &lead);
        let p = problem(put(&app, &path, &lead, Some(&e), &json!({"marks": [{"booking_id": b.booking, "status": "absent", "arrived_at": "2026-03-03T10:25:00Z"}]})), 422);
        assert!(p["errors"]["marks[0].arrived_at"].is_array(), "{p}");
        let reg = ok_json(put(&app, &path, &lead, Some(&e), &json!({"marks": [{"booking_id": b.booking, "status": "absent"}]})), 200);
        assert_eq!((reg["families"][1]["arrived_at"].clone(), reg["families"][1]["left_at"].clone()), (json!(null), json!(null)));
        // Times far from the session, in the future, or leaving before arriving.
        let (_, e) = read(&app, &path, &lead);
        for (mark, field) in [
            (json!({"booking_id": a.booking, "status": "late", "arrived_at": "2026-03-03T07:00:00Z"}), "arrived_at"),
            (json!({"booking_id": a.booking, "status": "present", "left_at": "2026-03-03T11:55:00Z"}), "left_at"),
            (json!({"booking_id": a.booking, "status": "late", "arrived_at": "2026-03-03T10:50:00Z", "left_at": "2026-03-03T10:40:00Z"}), "left_at"),
        ] {
            let p = problem(put(&app, &path, &lead, Some(&e), &json!({"marks": [mark]})), 422);
            assert!(p["errors"][format!("marks[0].{field}")].is_array(), "{p}");
        }

        // Notes: plain text with line breaks, at most 4000 characters, the facilitators' own.
        for bad in [json!("a\u{7}bell"), json!("x".repeat(4001))] {
            let p = problem(put(&app, &path, &lead, Some(&e), &json!({"notes": bad})), 422);
            assert!(p["errors"]["notes"].is_array(), "{p}");
        }
        let maria = staff(&app, g.creche);
        let (reg, e) = read(&app, &path, &maria);
        assert_eq!(reg["notes"], json!(null), "crèche workers do not read the facilitators' notes");
        problem(put(&app, &path, &maria, Some(&e), &json!({"notes": "Crèche was calm."})), 403);
        let (reg, _) = read(&app, &path, &staff(&app, g.co));
        assert!(reg["notes"].as_str().unwrap().contains("first time"));

        // The trail says the notes changed, never what they say.
        let mut conn = app.state.pool.get().unwrap();
        let trail = groupwork::store::audit::for_entity(&mut conn, "session", g.sessions[0].0 as i32).unwrap();
        let notes: Vec<_> = trail.iter().filter(|e| e.action == "register_notes_changed").collect();
        assert_eq!(notes.len(), 1);
        assert!(!notes[0].detail.contains("warm"), "{}", notes[0].detail);
    }
}

db_test! {
    fn if_match_star_changes_the_register_whatever_its_version(app) {
        // RFC 9110 §13.1.1: `*` matches whenever a current register exists, touched or not.
        let g = group(&app, 6, 1, 1);
        g.at_session(&app, 1, 30);
        let lead = staff(&app, g.lead);
        let path = g.register(1);
        let (_, untouched) = read(&app, &path, &lead);
        let res = put(&app, &path, &lead, Some("*"), &json!({"creche_staff_present": 0}));
        let after = res.headers()["etag"].to_str().unwrap().to_string();
        assert_eq!(ok_json(res, 200)["creche"]["staff_present"], 0);
        assert_ne!(after, untouched);
        let mark = json!({"marks": [{"booking_id": g.families[0].booking, "status": "present"}]});
        assert_eq!(ok_json(put(&app, &path, &lead, Some("*"), &mark), 200)["families"][0]["mark"], "present");
        // Only the bare star: a stale tag, a weak one, or a quoted star is still refused.
        let absent = json!({"marks": [{"booking_id": g.families[0].booking, "status": "absent"}]});
        for stale in [untouched.clone(), format!("W/{after}"), "\"*\"".to_string()] {
            problem(put(&app, &path, &lead, Some(&stale), &absent), 412);
        }
        problem(put(&app, "/api/v1/sessions/424242/register", &lead, Some("*"), &absent), 404);
        assert_eq!(read(&app, &path, &lead).0["families"][0]["mark"], "present");
        // Several If-Match lines are one list (RFC 9110 §5.3): a stale tag on one line and `*`
        // on another goes ahead; two stale lines do not.
        let both = |first: &str, second: &str| {
            app.req(reqwest::Method::PUT, &path, Some(&lead))
                .header("if-match", first)
                .header("if-match", second)
                .json(&absent)
                .send()
                .unwrap()
        };
        problem(both(&untouched, &format!("W/{after}")), 412);
        assert_eq!(read(&app, &path, &lead).0["families"][0]["mark"], "present");
        assert_eq!(ok_json(both(&untouched, "*"), 200)["families"][0]["mark"], "absent");
    }
}
