//! The audit trail: admins list it by family, actor, action and dates; nothing in the API can
//! change or delete it; refused attempts to reach family data are in it too.

use crate::db_test;
use crate::helpers::{ok_json, problem};
use crate::registers::{coordinator, group, staff};
use groupwork::domain::role::Role;
use reqwest::Method;
use serde_json::{json, Value};

fn actions(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

db_test! {
    fn admins_read_the_audit_and_refusals_are_in_it(app) {
        let g = group(&app, 6, 2, 0);
        let (a, b) = (&g.families[0], &g.families[1]);
        let admin = app.user_token(Role::Admin);
        let family_a = {
            let t = app.token_as(a.user, Role::Parent);
            ok_json(app.get("/api/v1/me/family", Some(&t)), 200)["id"].as_i64().unwrap()
        };
        // A coordinator reads the cohort's families: one read per family.
        let co = coordinator(&app, &g);
        ok_json(app.get(&format!("/api/v1/cohorts/{}/bookings", g.cohort), Some(&co)), 200);
        let of_a = ok_json(app.get(&format!("/api/v1/audit?family_id={family_a}&action=family_read"), Some(&admin)), 200);
        assert_eq!(of_a["total"], 1, "{of_a}");
        assert_eq!(of_a["items"][0]["actor_id"], g.coordinator);

        // Parent B tries A's booking; another group's facilitator tries the cohort's families;
        // a parent tries the audit itself. Anonymous calls are not attributed to anyone.
        let tb = app.token_as(b.user, Role::Parent);
        problem(app.get(&format!("/api/v1/bookings/{}", a.booking), Some(&tb)), 404);
        problem(app.get(&format!("/api/v1/cohorts/{}/bookings", g.cohort), Some(&staff(&app, g.other))), 404);
        problem(app.get("/api/v1/audit", Some(&tb)), 403);
        problem(app.get(&format!("/api/v1/bookings/{}", a.booking), None), 401);
        let refused = ok_json(app.get("/api/v1/audit?action=access_refused", Some(&admin)), 200);
        assert_eq!(refused["total"], 3, "{refused}");
        let by_b = ok_json(app.get(&format!("/api/v1/audit?actor_id={}&action=access_refused", b.user), Some(&admin)), 200);
        assert_eq!(by_b["total"], 2);
        let tried_a: Vec<&Value> = by_b["items"].as_array().unwrap().iter().filter(|e| e["family_id"] == family_a).collect();
        assert_eq!(tried_a.len(), 1, "the refused read names the family it aimed at: {by_b}");
        assert!(tried_a[0]["detail"].as_str().unwrap().contains("404"));

        // Dates: everything so far happened on the test clock's day.
        let today = app.state.now().date_naive();
        let day = ok_json(app.get(&format!("/api/v1/audit?from={today}&to={today}&limit=100"), Some(&admin)), 200);
        let all = ok_json(app.get("/api/v1/audit?limit=100", Some(&admin)), 200);
        assert_eq!(day["total"], all["total"]);
        let next = today.succ_opt().unwrap();
        assert_eq!(ok_json(app.get(&format!("/api/v1/audit?from={next}"), Some(&admin)), 200)["total"], 0);
        let p = problem(app.get(&format!("/api/v1/audit?from={next}&to={today}"), Some(&admin)), 422);
        assert!(p["errors"]["to"].is_array(), "{p}");
        assert!(actions(&all).contains(&"access_refused".to_string()));

        // Only admins read it; nothing changes or deletes it.
        problem(app.get("/api/v1/audit", Some(&co)), 403);
        problem(app.get("/api/v1/audit", Some(&staff(&app, g.lead))), 403);
        let id = all["items"][0]["id"].as_i64().unwrap();
        for m in [Method::PUT, Method::PATCH, Method::DELETE, Method::POST] {
            let res = app.req(m.clone(), "/api/v1/audit", Some(&admin)).send().unwrap();
            assert_eq!(res.status(), 405, "{m} /api/v1/audit");
            let res = app.req(m.clone(), &format!("/api/v1/audit/{id}"), Some(&admin)).send().unwrap();
            assert_eq!(res.status(), 404, "{m} /api/v1/audit/{{id}}");
        }
        let spec = serde_json::to_value(groupwork::api::openapi()).unwrap();
        let audit_paths: Vec<(&String, Vec<&String>)> = spec["paths"].as_object().unwrap().iter()
            .filter(|(p, _)| p.starts_with("/api/v1/audit"))
            .map(|(p, item)| (p, item.as_object().unwrap().keys().collect()))
            .collect();
        assert_eq!(format!("{audit_paths:?}"), r#"[("/api/v1/audit", ["get"])]"#);
    }
}

/// One audit event: (action, actor, entity, entity id, detail).
type Row = (String, Option<i64>, String, Option<i64>, String);

/// A family's audit events, oldest first, after its registration (checked, then left out).
fn trail(app: &crate::helpers::TestApp, admin: &str, family: i64) -> Vec<Row> {
    let list = ok_json(
        app.get(
            &format!("/api/v1/audit?family_id={family}&limit=100"),
            Some(admin),
        ),
        200,
    );
    let mut rows: Vec<_> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["family_id"], family, "{e}");
            (
                e["id"].as_i64().unwrap(),
                (
                    e["action"].as_str().unwrap().to_string(),
                    e["actor_id"].as_i64(),
                    e["entity"].as_str().unwrap().to_string(),
                    e["entity_id"].as_i64(),
                    e["detail"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect();
    assert_eq!(rows.len() as i64, list["total"].as_i64().unwrap(), "{list}");
    rows.sort_by_key(|(id, _)| *id);
    let mut rows: Vec<Row> = rows.into_iter().map(|(_, r)| r).collect();
    // Every family here registered itself: its trail opens with that, by its own parent.
    let first = rows
        .first()
        .map(|(a, by, e, id, _)| (a.as_str(), *by, e.as_str(), *id));
    assert!(
        matches!(first, Some(("family_created", Some(_), "family", Some(id))) if id == family),
        "{rows:?}"
    );
    rows.remove(0);
    rows
}

/// The (action, actor, entity id) of a trail, without the detail.
fn moves(t: &[Row]) -> Vec<(&str, Option<i64>, Option<i64>)> {
    t.iter()
        .map(|(a, by, _, id, _)| (a.as_str(), *by, *id))
        .collect()
}

db_test! {
    fn every_change_to_a_family_and_every_staff_read_is_audited(app) {
        // One place: A is confirmed, B waitlisted (booked by the parents themselves).
        let g = group(&app, 1, 2, 0);
        let (a, b) = (&g.families[0], &g.families[1]);
        let admin = app.user_token(Role::Admin);
        let admin_id = app.user_id(&admin);
        let co = coordinator(&app, &g);
        let (ta, tb) = (app.token_as(a.user, Role::Parent), app.token_as(b.user, Role::Parent));
        let family_of = |t: &str| ok_json(app.get("/api/v1/me/family", Some(t)), 200)["id"].as_i64().unwrap();
        let (fa, fb) = (family_of(&ta), family_of(&tb));
        // Each opened the link in their confirmation that confirms their address.
        assert_eq!(moves(&trail(&app, &admin, fa)), [("child_added", Some(a.user), Some(a.child)), ("booking_made", Some(a.user), Some(a.booking)), ("email_confirmed", Some(a.user), Some(fa))]);
        assert_eq!(moves(&trail(&app, &admin, fb)), [("child_added", Some(b.user), Some(b.child)), ("booking_made", Some(b.user), Some(b.booking)), ("email_confirmed", Some(b.user), Some(fb))]);
        assert!(trail(&app, &admin, fa)[1].4.starts_with("confirmed"), "{:?}", trail(&app, &admin, fa));
        assert!(trail(&app, &admin, fb)[1].4.starts_with("waitlisted"), "{:?}", trail(&app, &admin, fb));

        // A coordinator books C's place after a phone call: the coordinator is the actor.
        let tc = app.register_parent("family-c@example.org")["access_token"].as_str().unwrap().to_string();
        let (c_user, fc) = (app.user_id(&tc), family_of(&tc));
        ok_json(app.post("/api/v1/me/children", Some(&tc), &json!({"first_name": "Cara", "date_of_birth": "2025-07-01"})), 201);
        let c_booking = ok_json(app.post(&format!("/api/v1/cohorts/{}/bookings", g.cohort), Some(&co), &json!({"family_id": fc})), 201);
        assert_eq!(c_booking["status"], "waitlisted");
        let c_booking = c_booking["id"].as_i64();
        let c_trail = trail(&app, &admin, fc);
        assert_eq!(moves(&c_trail)[1], ("booking_made", Some(g.coordinator), c_booking));
        assert_eq!(c_trail[0].1, Some(c_user));

        // A cancels: A's booking is cancelled and B promoted, both by A.
        let res = app.req(Method::DELETE, &format!("/api/v1/bookings/{}", a.booking), Some(&ta)).send().unwrap();
        assert_eq!(res.status(), 204);
        assert_eq!(moves(&trail(&app, &admin, fa))[3..], [("booking_cancelled", Some(a.user), Some(a.booking))]);
        assert_eq!(moves(&trail(&app, &admin, fb))[3..], [("booking_promoted", Some(a.user), Some(b.booking))]);

        // More places: the coordinator's change promotes C.
        ok_json(app.patch(&format!("/api/v1/cohorts/{}", g.cohort), Some(&co), &json!({"places": 2})), 200);
        assert_eq!(moves(&trail(&app, &admin, fc))[2..], [("booking_promoted", Some(g.coordinator), c_booking)]);

        // A staff member reading one booking is a family read; the family's own parent reading
        // their data is not recorded.
        ok_json(app.get(&format!("/api/v1/bookings/{}", b.booking), Some(&co)), 200);
        let before = trail(&app, &admin, fb);
        assert_eq!(moves(&before)[4..], [("family_read", Some(g.coordinator), Some(b.booking))]);
        ok_json(app.get(&format!("/api/v1/bookings/{}", b.booking), Some(&tb)), 200);
        ok_json(app.get("/api/v1/me/family", Some(&tb)), 200);
        ok_json(app.get(&format!("/api/v1/me/children/{}", b.child), Some(&tb)), 200);
        ok_json(app.get("/api/v1/me/bookings", Some(&tb)), 200);
        assert_eq!(trail(&app, &admin, fb), before, "a parent's own reads add nothing");

        // A changes the family's record: profile, children, calendar link.
        let profile = json!({"carers": ["Amina Khan", "Yusuf Khan"], "phone": "07700 900123", "postcode": "SW9 8LF",
            "preferred_language": "so", "referral_source": "health_visitor", "consent_to_contact": true});
        let res = app.req(Method::PUT, "/api/v1/me/family", Some(&ta)).json(&profile).send().unwrap();
        assert_eq!(res.status(), 200);
        let zara = ok_json(app.post("/api/v1/me/children", Some(&ta), &json!({"first_name": "Zara", "due_date": "2026-05-01"})), 201)["id"].as_i64();
        ok_json(app.patch(&format!("/api/v1/me/children/{}", zara.unwrap()), Some(&ta), &json!({"first_name": "Zahra"})), 200);
        let res = app.req(Method::DELETE, &format!("/api/v1/me/children/{}", zara.unwrap()), Some(&ta)).send().unwrap();
        assert_eq!(res.status(), 204);
        ok_json(app.post("/api/v1/me/calendar-link", Some(&ta), &json!({})), 201);
        let res = app.req(Method::DELETE, "/api/v1/me/calendar-link", Some(&ta)).send().unwrap();
        assert_eq!(res.status(), 204);
        let a_trail = trail(&app, &admin, fa);
        assert_eq!(moves(&a_trail)[4..], [
            ("family_updated", Some(a.user), Some(fa)),
            ("child_added", Some(a.user), zara),
            ("child_updated", Some(a.user), zara),
            ("child_removed", Some(a.user), zara),
            ("calendar_link_made", Some(a.user), Some(fa)),
            ("calendar_link_revoked", Some(a.user), Some(fa)),
        ]);
        assert!(a_trail[4].4.contains("phone") && a_trail[5].4 == "expected" && a_trail[6].4.contains("first_name"), "{a_trail:?}");

        // An erasure ends C's booking, by the admin.
        let res = app.req(Method::DELETE, &format!("/api/v1/families/{fc}"), Some(&admin)).json(&json!({"reason": "subject_request"})).send().unwrap();
        assert_eq!(res.status(), 204);
        let c_trail = trail(&app, &admin, fc);
        assert_eq!(moves(&c_trail)[3..], [("booking_cancelled", Some(admin_id), c_booking), ("family_erased", Some(admin_id), Some(fc))]);

        // Codes, ids and statuses only: no names, contacts or dates.
        for (_, _, _, _, detail) in [a_trail, c_trail, trail(&app, &admin, fb)].concat() {
            for personal in ["Amina", "Khan", "0770", "SW9", "Somali", "Zara", "Zahra", "Cara", "Baby", "example.org", "2025-", "2026-05"] {
                assert!(!detail.contains(personal), "{detail:?} holds {personal}");
            }
        }
    }
}
