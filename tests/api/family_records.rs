//! Subject access export and erasure (admin; a parent for their own family): the export holds
//! every row of every table that reaches the family (the tables are discovered from the
//! database's catalogue), and erasure leaves no personal value in any text column while the
//! figures stay the same.

mod catalogue;
mod seed;

use crate::db_test;
use crate::helpers::{ok_json, problem, TestApp, PASSWORD};
use crate::registers::{coordinator, group, mark, staff};
use groupwork::domain::role::Role;
use reqwest::blocking::Response;
use reqwest::Method;
use serde_json::{json, Value};

/// Where the export lists each table's rows: a path into the document, `*` for every item.
const EXPORTED: &[(&str, &str)] = &[
    ("families", "family/id"),
    ("family_monitoring", "family/monitoring_id"),
    ("creche_key_persons", "creche_key_persons/*/id"),
    ("users", "user/id"),
    ("refresh_tokens", "user/logins/*/id"),
    ("children", "children/*/id"),
    ("emergency_contacts", "emergency_contacts/*/id"),
    ("authorised_collectors", "collectors/*/id"),
    ("bookings", "bookings/*/id"),
    ("booking_creche_children", "bookings/*/creche_places/*/id"),
    ("attendance_marks", "attendance_marks/*/id"),
    ("apologies", "apologies/*/id"),
    ("creche_attendance", "creche_sign_ins/*/id"),
    ("creche_incidents", "creche_incidents/*/id"),
    ("session_visitors", "visits/*/id"),
    ("follow_ups", "follow_ups/*/id"),
    ("follow_up_contacts", "follow_ups/*/contacts/*/id"),
    ("outcome_measures", "outcome_measures/*/id"),
    ("notifications", "notifications/*/id"),
    ("messages", "messages/*/id"),
    ("account_tokens", "account_links/*/id"),
    ("audit_events", "audit_events/*/id"),
];

/// Tables that reach a family's login or record but are not part of its export, and why.
const NOT_EXPORTED: &[(&str, &str)] = &[
    (
        "staff",
        "staff records: its user_id is a staff member's login, never a parent's",
    ),
    (
        "booking_mark_tallies",
        "counts of a booking's register marks, kept by the database for the report; the marks \
         themselves are in the export under bookings",
    ),
    (
        "idempotency_keys",
        "a retry cache: a copy of a booking answer that the export holds under bookings; \
         deleted on erasure",
    ),
];

fn admin(app: &TestApp) -> String {
    app.user_token(Role::Admin)
}

fn export(app: &TestApp, family: i64, token: &str) -> Value {
    let res = app.get(&format!("/api/v1/families/{family}/export"), Some(token));
    assert_eq!(res.headers()["cache-control"], "no-store");
    let disposition = format!("attachment; filename=\"family-{family}-export.json\"");
    assert_eq!(res.headers()["content-disposition"], disposition.as_str());
    ok_json(res, 200)
}

fn erase(app: &TestApp, family: i64, token: &str, reason: &str) -> Response {
    app.req(
        Method::DELETE,
        &format!("/api/v1/families/{family}"),
        Some(token),
    )
    .json(&json!({"reason": reason}))
    .send()
    .unwrap()
}

fn erase_mine(app: &TestApp, token: &str, password: &str) -> Response {
    app.req(Method::DELETE, "/api/v1/me/family", Some(token))
        .json(&json!({"password": password}))
        .send()
        .unwrap()
}

/// A cohort's summary without the carers' names: the figures only.
fn figures(app: &TestApp, cohort: i64, token: &str) -> Value {
    let url = format!("/api/v1/cohorts/{cohort}/summary");
    let mut s = ok_json(app.get(&url, Some(token)), 200);
    for f in s["families"].as_array_mut().unwrap() {
        f.as_object_mut().unwrap().remove("carers_names");
    }
    s
}

/// The monitoring report over the first group's month, whole and split every way, without the
/// time it was made.
fn report(app: &TestApp, token: &str) -> Vec<Value> {
    [
        "",
        "&group_by=ward",
        "&group_by=referral_source",
        "&group_by=programme",
        "&group_by=venue",
    ]
    .iter()
    .map(|by| {
        let url = format!("/api/v1/reports/summary?from=2026-03-01&to=2026-03-31{by}");
        let mut r = ok_json(app.get(&url, Some(token)), 200);
        r.as_object_mut().unwrap().remove("generated_at");
        r
    })
    .collect()
}

db_test! {
    fn the_export_holds_every_row_of_every_table_that_reaches_the_family(app) {
        let s = seed::family(&app);
        let mut conn = app.state.pool.get().unwrap();
        let tables = catalogue::tables(&mut conn);
        for (table, _) in EXPORTED.iter().chain(NOT_EXPORTED) {
            assert!(tables.contains_key(*table), "{table} is listed here but not in the database");
        }
        let skip: Vec<&str> = NOT_EXPORTED.iter().map(|(t, _)| *t).collect();
        let held = catalogue::family_rows(&mut conn, &tables, s.family, s.user, &skip);
        drop(conn);
        let doc = export(&app, s.family, &admin(&app));
        for (table, ids) in &held {
            let Some((_, path)) = EXPORTED.iter().find(|(t, _)| t == table) else {
                panic!("{table} holds rows about families but the export does not list it: export \
                        it (and name its path in EXPORTED) or say why not in NOT_EXPORTED");
            };
            assert!(!ids.is_empty(), "the seed family has no row in {table}: extend the seed");
            let exported = catalogue::ids_at(&doc, path);
            let missing: Vec<_> = ids.difference(&exported).collect();
            assert!(missing.is_empty(), "{table} rows {missing:?} are not in the export at {path}");
        }
        for (table, _) in EXPORTED {
            assert!(held.contains_key(*table), "the walk never reached {table}: {:?}", held.keys());
        }

        // The values themselves, and no secrets.
        assert_eq!(doc["family"]["carer_one"], seed::NAME);
        assert_eq!(doc["family"]["phone"], seed::PHONE);
        assert_eq!(doc["children"][0]["date_of_birth"], seed::DATE_OF_BIRTH);
        assert_eq!(doc["user"]["email"], seed::EMAIL);
        assert_eq!(doc["creche_sign_ins"][0]["collected_by"], seed::COLLECTOR);
        assert_eq!(doc["creche_sign_ins"][0]["collector_id"], doc["collectors"][0]["id"]);
        assert_eq!(doc["creche_sign_ins"][1]["collected_by"], seed::COLLECTED_BY);
        assert!(doc["creche_sign_ins"][1]["collection_override"].as_str().unwrap().contains(seed::OVERRIDE_WORD));
        assert_eq!(doc["creche_key_persons"][0]["child_id"], s.child);
        assert_eq!(doc["creche_key_persons"][0]["name"], "Maria Santos");
        let incident = &doc["creche_incidents"][0];
        assert!(incident["what_happened"].as_str().unwrap().contains(seed::INCIDENT_WORD), "{incident}");
        assert_eq!((incident["first_aid"].as_str(), incident["acknowledged_at"].clone()), (Some("Cleaned and a plaster"), json!(null)));
        assert_eq!(doc["children"][0]["allergies"], format!("{} nuts", seed::ALLERGY_WORD));
        assert_eq!(doc["children"][0]["medicines_consent_date"], "2026-01-05");
        assert_eq!(doc["emergency_contacts"][0]["name"], seed::EMERGENCY_NAME);
        assert_eq!(doc["emergency_contacts"][0]["phone"], seed::EMERGENCY_PHONE);
        assert_eq!(doc["collectors"][0]["name"], seed::COLLECTOR);
        assert_eq!(doc["collectors"][0]["has_password"], true);
        assert_eq!(doc["apologies"][0]["reason"], format!("{}'s hearing test", seed::CHILD));
        assert_eq!(doc["apologies"][0]["booking_id"], s.future_booking);
        let follow_up = &doc["follow_ups"][0];
        assert!(follow_up["note"].as_str().unwrap().contains(seed::NOTE_WORD), "{follow_up}");
        assert!(follow_up["contacts"][0]["note"].as_str().unwrap().contains(seed::CHILD));
        let text = doc.to_string();
        for secret in ["password_hash", "token_hash", "calendar_token_hash", "$argon2"] {
            assert!(!text.contains(secret), "the export holds {secret}");
        }
        // The reset link the family asked for: that it exists and until when, not the link.
        // (Their booking confirmations carried links that confirm their address, listed too.)
        let links = doc["account_links"].as_array().unwrap();
        let link = links.iter().find(|l| l["purpose"] == "password_reset").unwrap_or_else(|| panic!("{links:?}"));
        assert!(links.iter().all(|l| ["password_reset", "email_verification"].contains(&l["purpose"].as_str().unwrap())), "{links:?}");
        assert!(link["expires_at"].is_string() && link["used_at"].is_null(), "{link}");
        assert!(!text.contains(&s.reset_link), "the export holds the link itself");
        assert!(doc["family"]["email_verified"].is_string(), "{}", doc["family"]);
        let booking = doc["bookings"].as_array().unwrap().iter().find(|b| b["id"] == s.booking).unwrap();
        assert!(booking["confirmed_at"].is_string() && booking["programme"] == "cosp", "{booking}");
        // The export is itself audited, and lists itself.
        let last = doc["audit_events"].as_array().unwrap().last().unwrap().clone();
        assert_eq!((last["action"].as_str(), last["entity_id"].as_i64()), (Some("family_exported"), Some(s.family)));
        problem(app.get("/api/v1/families/424242/export", Some(&admin(&app))), 404);
    }
}

db_test! {
    fn erasure_leaves_no_personal_value_and_the_figures_unchanged(app) {
        let s = seed::family(&app);
        // The first group has finished; the second has not begun.
        app.clock.set("2026-05-01T09:00:00Z".parse().unwrap());
        let co = coordinator(&app, &s.group);
        let before = figures(&app, s.group.cohort, &co);
        let report_before = report(&app, &co);
        assert_eq!(report_before[0]["total"]["families_reached"], 1, "{}", report_before[0]);
        assert_eq!(report_before[0]["total"]["creche_incidents"], 1, "{}", report_before[0]);
        let mut conn = app.state.pool.get().unwrap();
        let tables = catalogue::tables(&mut conn);
        for value in seed::personal_values() {
            let hits = catalogue::text_hits(&mut conn, &tables, value);
            assert!(!hits.is_empty(), "the search finds {value:?} before erasure");
        }
        drop(conn);

        let admin = admin(&app);
        let p = problem(erase(&app, s.family, &admin, "because Zanele asked"), 422);
        let links = export(&app, s.family, &admin)["account_links"].as_array().unwrap().clone();
        assert!(links.iter().any(|l| l["purpose"] == "password_reset"), "{links:?}");
        assert!(p["errors"]["reason"].is_array(), "{p}");
        assert_eq!(erase(&app, s.family, &admin, "subject_request").status(), 204);
        problem(erase(&app, s.family, &admin, "subject_request"), 409);
        problem(erase(&app, 424242, &admin, "subject_request"), 404);
        // A reset asked for after erasure is answered as ever, and sends nothing: the search
        // below finds the address nowhere, not even in a queued message.
        let res = app.post("/api/v1/auth/password-reset", None, &json!({"email": seed::EMAIL}));
        assert_eq!(res.status(), 202);
        let confirm = json!({"token": s.reset_link, "password": "a new password after erasure"});
        problem(app.post("/api/v1/auth/password-reset/confirm", None, &confirm), 422);

        let mut conn = app.state.pool.get().unwrap();
        for value in seed::personal_values() {
            let hits = catalogue::text_hits(&mut conn, &tables, value);
            assert!(hits.is_empty(), "{value:?} is still stored after erasure: {hits:?}");
        }
        for table in ["idempotency_keys", "refresh_tokens", "account_tokens"] {
            let left = catalogue::count_where(&mut conn, table, "user_id", s.user);
            assert_eq!(left, 0, "{table} rows of the erased login");
        }
        let links = catalogue::count_where(&mut conn, "account_tokens", "family_id", s.family);
        assert_eq!(links, 0, "no one-time link of the erased family survives");
        drop(conn);

        // Figures unchanged: attendance, completion, follow-up outcomes, outcome pairs, and the
        // monitoring report by ward and referral source (both kept).
        assert_eq!(figures(&app, s.group.cohort, &co), before);
        assert_eq!(report(&app, &co), report_before);
        let doc = export(&app, s.family, &admin);
        let f = &doc["family"];
        assert!(f["erased_at"].is_string(), "{f}");
        assert_eq!((f["ward"].as_str(), f["referral_source"].as_str()), (Some("lambeth-2014:Stockwell"), Some("health_visitor")));
        assert_eq!((f["interpreter_needed"].as_bool(), f["consent_to_contact"].as_bool()), (Some(false), Some(false)));
        let child = &doc["children"][0];
        assert_eq!((child["id"].as_i64(), child["first_name"].as_str()), (Some(s.child), Some("")));
        // No name and no dates: not even a placeholder.
        assert_eq!((child["date_of_birth"].clone(), child["due_date"].clone()), (json!(null), json!(null)), "{child}");
        assert!(child["erased_at"].is_string(), "{child}");
        // No care notes, no one to call, no one to collect.
        assert_eq!((child["allergies"].as_str(), child["medicines"].as_str(), child["medicines_consent"].as_bool()), (Some(""), Some(""), Some(false)), "{child}");
        assert_eq!((doc["emergency_contacts"].clone(), doc["collectors"].clone()), (json!([]), json!([])));
        // The incident stays (the report still counts it) without its words.
        let incident = &doc["creche_incidents"][0];
        assert_eq!((incident["what_happened"].as_str(), incident["first_aid"].as_str(), incident["witnesses"].as_str()), (Some(""), Some(""), Some("")), "{incident}");
        assert!(incident["erased_at"].is_string(), "{incident}");
        // The apologies stay (a missed session explained) without their reason.
        assert_eq!((doc["apologies"][0]["booking_id"].as_i64(), doc["apologies"][0]["reason"].as_str()), (Some(s.future_booking), Some("")));
        assert!(doc["user"].is_null() && doc["notifications"].as_array().unwrap().is_empty(), "{doc}");
        assert_eq!((doc["account_links"].clone(), doc["family"]["email_verified"].clone()), (json!([]), json!("")));
        let status = |id: i64| doc["bookings"].as_array().unwrap().iter().find(|b| b["id"] == id).unwrap()["status"].clone();
        // The finished group's booking stays; the future place is freed and passed on.
        assert_eq!((status(s.booking), status(s.future_booking)), (json!("confirmed"), json!("cancelled")));
        let (waiting_user, waiting_booking) = s.waiting;
        let w = app.token_as(waiting_user, Role::Parent);
        assert_eq!(ok_json(app.get(&format!("/api/v1/bookings/{waiting_booking}"), Some(&w)), 200)["status"], "confirmed");
        assert_eq!(ok_json(app.get("/api/v1/me/notifications", Some(&w)), 200)["items"][0]["kind"], "promoted");
        // The record is kept for the figures only: nobody can book it onto a group again.
        let p = problem(app.post(&format!("/api/v1/cohorts/{}/bookings", s.group.cohort), Some(&co), &json!({"family_id": s.family})), 422);
        assert!(p["errors"]["family_id"].is_array(), "{p}");
        let erased = doc["audit_events"].as_array().unwrap().iter().find(|a| a["action"] == "family_erased").unwrap().clone();
        let admin_id = app.user_id(&admin);
        assert_eq!((erased["detail"].as_str(), erased["actor_id"].as_i64()), (Some("subject_request"), Some(admin_id)));

        // The parent can no longer sign in, refresh, or use an access token that has not yet
        // expired: it is refused at once (401), not left to reach empty answers for 15 minutes.
        assert_eq!(app.login_status(seed::EMAIL), 401);
        let refresh = json!({"refresh_token": s.refresh_token});
        problem(app.post("/api/v1/auth/refresh", None, &refresh), 401);
        let t = app.token_as(s.user, Role::Parent);
        problem(app.get("/api/v1/me", Some(&t)), 401);
        for path in ["/api/v1/me/family", "/api/v1/me/bookings", "/api/v1/me/notifications", "/api/v1/me/calendar.ics"] {
            let p = problem(app.get(path, Some(&t)), 401);
            assert_eq!(p["detail"], "this account is no longer active; sign in again", "{path}");
        }
        let child = json!({"first_name": "Again", "date_of_birth": "2025-01-01"});
        problem(app.post("/api/v1/me/children", Some(&t), &child), 401);
        // Control: the same kind of token for a live account still works.
        assert_eq!(app.get("/api/v1/me/family", Some(&w)).status(), 200);
    }
}

db_test! {
    fn a_parent_erases_their_own_family_after_confirming_the_password(app) {
        // One place: family A holds it, family B waits. A misses sessions 1 and 2.
        let g = group(&app, 1, 2, 0);
        let (a, b) = (&g.families[0], &g.families[1]);
        for n in [1, 2] {
            g.at_session(&app, n, 30);
            mark(&app, &g.register(n), &staff(&app, g.lead), &[(a.booking, "absent")]);
        }
        let co = coordinator(&app, &g);
        let before = figures(&app, g.cohort, &co);
        assert_eq!(before["open_follow_ups"], 1, "{before}");
        let t = app.token_as(a.user, Role::Parent);
        let family = ok_json(app.get("/api/v1/me/family", Some(&t)), 200)["id"].as_i64().unwrap();

        // A wrong password changes nothing.
        let p = problem(erase_mine(&app, &t, "not my password at all"), 422);
        assert!(p["errors"]["password"].is_array(), "{p}");
        assert_eq!(ok_json(app.get("/api/v1/me/family", Some(&t)), 200)["carers"], json!(["Parent"]));
        // Guessing is limited like logging in: after five failures even the right one waits.
        for _ in 0..4 {
            problem(erase_mine(&app, &t, "still not my password"), 422);
        }
        problem(erase_mine(&app, &t, PASSWORD), 429);
        app.clock.advance(chrono::Duration::minutes(16));
        let (t, co) = (app.token_as(a.user, Role::Parent), coordinator(&app, &g));
        assert_eq!(erase_mine(&app, &t, PASSWORD).status(), 204);

        assert_eq!(app.login_status("family0@example.org"), 401);
        problem(app.get("/api/v1/me/family", Some(&t)), 401);
        problem(erase_mine(&app, &t, PASSWORD), 401);
        let admin = admin(&app);
        problem(erase(&app, family, &admin, "other"), 409);
        // The group has started: the place is withdrawn (not promoted after the second session
        // has started), and the open follow-up closes as `withdrew`; the marks all stay.
        let coordinator_booking = |id: i64| ok_json(app.get(&format!("/api/v1/bookings/{id}"), Some(&co)), 200);
        assert_eq!(coordinator_booking(a.booking)["status"], "withdrawn");
        assert_eq!(coordinator_booking(b.booking)["status"], "waitlisted");
        let after = figures(&app, g.cohort, &co);
        assert_eq!(after["sessions"], before["sessions"]);
        assert_eq!((after["completed"].clone(), after["open_follow_ups"].clone()), (before["completed"].clone(), json!(0)));
        assert_eq!(after["follow_up_outcomes"], json!({"withdrew": 1}));
        assert_eq!(after["families"][0]["absent"], 2);
        let doc = export(&app, family, &admin);
        assert_eq!(doc["family"]["carer_one"], "");
        let erased = doc["audit_events"].as_array().unwrap().iter().find(|e| e["action"] == "family_erased").unwrap().clone();
        assert_eq!((erased["detail"].as_str(), erased["actor_id"].as_i64()), (Some("subject_request"), Some(a.user)));
        // The waiting family's own export shows its place in the queue.
        let bt = app.token_as(b.user, Role::Parent);
        let theirs = ok_json(app.get("/api/v1/me/family", Some(&bt)), 200)["id"].as_i64().unwrap();
        let doc = export(&app, theirs, &admin);
        assert_eq!((doc["bookings"][0]["status"].as_str(), doc["bookings"][0]["waitlist_position"].as_i64()), (Some("waitlisted"), Some(1)));
    }
}

db_test! {
    fn only_admins_export_or_erase(app) {
        let parent = app.register_parent("kept@example.org")["access_token"].as_str().unwrap().to_string();
        let family = ok_json(app.get("/api/v1/me/family", Some(&parent)), 200)["id"].as_i64().unwrap();
        let url = format!("/api/v1/families/{family}");
        for role in [Role::Coordinator, Role::Facilitator, Role::Parent] {
            let t = app.user_token(role);
            problem(app.get(&format!("{url}/export"), Some(&t)), 403);
            problem(erase(&app, family, &t, "subject_request"), 403);
        }
        problem(app.get(&format!("{url}/export"), None), 401);
        problem(app.req(Method::DELETE, &url, None).json(&json!({"reason": "other"})).send().unwrap(), 401);
        // Nothing was read or changed.
        assert_eq!(ok_json(app.get("/api/v1/me/family", Some(&parent)), 200)["carers"], json!(["Parent"]));
        let mut conn = app.state.pool.get().unwrap();
        let events = groupwork::store::audit::for_entity(&mut conn, "family", family as i32).unwrap();
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["family_created"], "only its registration: {events:?}");
    }
}
