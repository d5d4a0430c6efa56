//! Accidents, incidents and first aid in the crèche (issue 17 item 4): a crèche worker records
//! one, the family hears of it the same day by email at a real SMTP server, in their language,
//! and reads and acknowledges it in their account; it is in the subject access export, loses its
//! words when the family is erased and still counts in the monitoring report; only the crèche
//! workers and lead of the group (and coordinators) record and read them.

use crate::db_test;
use crate::helpers::{ok_json, problem, TestApp};
use crate::messages_smtp::smtp_test;
use crate::registers::{coordinator, group, staff, Group};
use crate::smtp::{Mail, SmtpServer};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use groupwork::domain::role::Role;
use reqwest::blocking::Response;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Instant;

const WHAT: &str = "Slipped on the soft-play mat and bumped her knee; a small red mark, \
                    she cried for a minute and then went back to the bricks.";
const FIRST_AID: &str = "A cold compress for five minutes and a cuddle.";
const WITNESS: &str = "Maria Santos";

fn incidents_path(g: &Group, n: usize) -> String {
    format!("/api/v1/sessions/{}/creche/incidents", g.sessions[n - 1].0)
}

/// When session `n` starts, plus `minutes`.
fn at(g: &Group, n: usize, minutes: i64) -> DateTime<Utc> {
    g.sessions[n - 1].1 + Duration::minutes(minutes)
}

fn record(app: &TestApp, g: &Group, token: &str, child: i64, minutes: i64) -> Response {
    let body = json!({"child_id": child, "happened_at": at(g, 1, minutes), "what_happened": WHAT,
                      "first_aid": FIRST_AID, "witnesses": WITNESS});
    app.post(&incidents_path(g, 1), Some(token), &body)
}

fn mine(app: &TestApp, token: &str) -> Value {
    ok_json(app.get("/api/v1/me/creche/incidents", Some(token)), 200)
}

fn acknowledge(app: &TestApp, token: &str, id: i64) -> Response {
    let path = format!("/api/v1/me/creche/incidents/{id}/acknowledge");
    app.req(Method::POST, &path, Some(token)).send().unwrap()
}

/// (action, family, detail) of every audit event of these actions, oldest first.
fn audit(app: &TestApp, actions: &[&str]) -> Vec<(String, Option<i32>, String)> {
    use groupwork::db::schema::audit_events as a;
    let mut conn = app.state.pool.get().unwrap();
    a::table
        .filter(a::action.eq_any(actions.to_vec()))
        .order(a::id)
        .select((a::action, a::family_id, a::detail))
        .load(&mut conn)
        .unwrap()
}

/// Rows of `creche_incidents` and outbox rows about incidents.
fn written(app: &TestApp) -> (i64, i64) {
    use groupwork::db::schema::{creche_incidents as ci, messages as ms};
    let mut conn = app.state.pool.get().unwrap();
    let incidents = ci::table.count().get_result(&mut conn).unwrap();
    let messages = ms::table
        .filter(ms::kind.eq("creche_incident"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    (incidents, messages)
}

fn family_of(app: &TestApp, user: i64) -> i64 {
    let t = app.token_as(user, Role::Parent);
    ok_json(app.get("/api/v1/me/family", Some(&t)), 200)["id"]
        .as_i64()
        .unwrap()
}

/// The mail to `to` whose subject starts with `subject`, once the server has it.
fn mail_to(smtp: &SmtpServer, to: &str, subject: &str) -> Mail {
    let deadline = Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let found = smtp
            .messages()
            .into_iter()
            .find(|m| m.to == [to] && m.subject.starts_with(subject));
        if let Some(m) = found {
            return m;
        }
        assert!(
            Instant::now() < deadline,
            "no mail to {to} about {subject:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

smtp_test! {
    fn the_family_is_told_by_email_the_same_day_and_acknowledges_it_in_their_account(app, smtp) {
        let g = group(&app, 6, 2, 2);
        let [ann, bea] = [&g.families[0], &g.families[1]];
        // The second family reads Polish.
        let bea_t = app.token_as(bea.user, Role::Parent);
        let profile = json!({"carers": ["Beata Kowalska"], "email": "family1@example.org",
                             "preferred_language": "pl", "referral_source": "self"});
        ok_json(app.req(Method::PUT, "/api/v1/me/family", Some(&bea_t)).json(&profile).send().unwrap(), 200);
        g.at_session(&app, 1, 70);
        let maria = staff(&app, g.creche);

        let res = record(&app, &g, &maria, ann.child, 40);
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let made = ok_json(res, 201);
        let id = made["id"].as_i64().unwrap();
        assert_eq!(location, format!("/api/v1/creche/incidents/{id}"));
        assert_eq!((made["child_id"].as_i64(), made["booking_id"].as_i64()), (Some(ann.child), Some(ann.booking)));
        assert_eq!((made["what_happened"].as_str(), made["first_aid"].as_str(), made["witnesses"].as_str()),
                   (Some(WHAT), Some(FIRST_AID), Some(WITNESS)));
        assert_eq!(made["happened_at"], "2026-03-03T10:40:00Z");
        assert_eq!((made["recorded_by"].as_i64(), made["acknowledged_at"].clone()), (Some(g.creche), json!(null)));
        assert_eq!(ok_json(app.get(&location, Some(&maria)), 200)["id"], id);
        // No first aid needed for the second child; the words are trimmed.
        let body = json!({"child_id": bea.child, "happened_at": at(&g, 1, 55),
                          "what_happened": "  Ein anderes Kind hat ihn gebissen – nie, ugryzienie w rękę.  "});
        let other = ok_json(app.post(&incidents_path(&g, 1), Some(&maria), &body), 201);
        assert_eq!((other["first_aid"].as_str(), other["witnesses"].as_str()), (Some(""), Some("")));

        // The email, at the real SMTP server, the same day: the child's first name, when, what
        // happened, the first aid, and where to read and acknowledge it.
        let mail = mail_to(&smtp, "family0@example.org", "A note from the crèche about Baby 0");
        for words in ["Hello,", "happened to Baby 0 in the crèche", "on Tuesday 3 March 2026 at 10:40",
                      &format!("What happened: {WHAT}"), &format!("First aid given: {FIRST_AID}"),
                      "let us know there that you have seen it", "please talk to the crèche team"] {
            assert!(mail.text.contains(words), "{words:?} not in: {}", mail.text);
        }
        assert!(mail.html.contains("<html lang=\"en\">") && mail.html.contains("Read it in your account"), "{}", mail.html);
        // In Polish for the Polish family, with "no first aid" said plainly.
        let pl = mail_to(&smtp, "family1@example.org", "Informacja z opieki nad dziećmi (Baby 1)");
        for words in ["Dzień dobry,", "Waszemu dziecku (Baby 1)", "wtorek, 3 marca 2026, godz. 10:55",
                      "Co się stało: Ein anderes Kind hat ihn gebissen – nie, ugryzienie w rękę.",
                      "Nie udzielano pierwszej pomocy."] {
            assert!(pl.text.contains(words), "{words:?} not in: {}", pl.text);
        }
        assert!(pl.html.contains("<html lang=\"pl\">"), "{}", pl.html);
        // No word is ever shown as its key.
        for m in [&mail, &pl] {
            assert!(!m.text.contains("creche-incident") && !m.html.contains("creche-incident"), "{}", m.text);
        }

        // In the parent's account: unacknowledged until they say they read it.
        let ann_t = app.token_as(ann.user, Role::Parent);
        let list = mine(&app, &ann_t);
        assert_eq!((list["total"].as_i64(), list["unacknowledged"].as_i64()), (Some(1), Some(1)), "{list}");
        let item = &list["items"][0];
        assert_eq!((item["id"].as_i64(), item["acknowledged"].as_bool(), item["acknowledged_at"].clone()),
                   (Some(id), Some(false), json!(null)));
        assert_eq!((item["child_first_name"].as_str(), item["what_happened"].as_str()), (Some("Baby 0"), Some(WHAT)));
        // Access tokens last minutes: each later moment signs in afresh.
        g.at_session(&app, 1, 300);
        let ann_t = app.token_as(ann.user, Role::Parent);
        let first = ok_json(acknowledge(&app, &ann_t, id), 200);
        assert_eq!(first["acknowledged"], true);
        let when = first["acknowledged_at"].as_str().unwrap().to_string();
        assert_eq!(when.parse::<DateTime<Utc>>().unwrap(), at(&g, 1, 300));
        // Saying it again keeps the first time.
        g.at_session(&app, 1, 600);
        let (ann_t, bea_t, maria) = (app.token_as(ann.user, Role::Parent), app.token_as(bea.user, Role::Parent), staff(&app, g.creche));
        let again = ok_json(acknowledge(&app, &ann_t, id), 200);
        assert_eq!(again["acknowledged_at"].as_str(), Some(when.as_str()));
        let list = mine(&app, &ann_t);
        assert_eq!((list["unacknowledged"].as_i64(), list["items"][0]["acknowledged"].as_bool()), (Some(0), Some(true)));
        // The other family's incident is theirs alone, still waiting.
        let bea_list = mine(&app, &bea_t);
        assert_eq!((bea_list["total"].as_i64(), bea_list["unacknowledged"].as_i64()), (Some(1), Some(1)), "{bea_list}");
        let team = ok_json(app.get(&incidents_path(&g, 1), Some(&maria)), 200);
        assert_eq!(team["items"][0]["acknowledged_at"].as_str(), Some(when.as_str()));

        // Audited: recorded (ids only, never the words), read by the team, acknowledged once.
        let family = family_of(&app, ann.user) as i32;
        let trail = audit(&app, &["creche_incident_recorded", "creche_incident_acknowledged", "creche_incidents_read"]);
        let of = |action: &str| trail.iter().filter(|(a, f, _)| a == action && *f == Some(family)).count();
        assert_eq!((of("creche_incident_recorded"), of("creche_incident_acknowledged")), (1, 1), "{trail:?}");
        assert!(of("creche_incidents_read") >= 2, "{trail:?}");
        assert!(trail.iter().all(|(_, _, d)| !d.contains("mat") && !d.contains("compress") && !d.contains("Maria")), "{trail:?}");
    }
}

db_test! {
    fn the_incident_is_exported_erased_with_the_family_and_still_counted(app) {
        let g = group(&app, 6, 2, 1);
        let ann = &g.families[0];
        g.at_session(&app, 1, 100);
        // The lead may record too.
        let made = ok_json(record(&app, &g, &staff(&app, g.lead), ann.child, 30), 201);
        let id = made["id"].as_i64().unwrap();
        let family = family_of(&app, ann.user);
        let co = coordinator(&app, &g);
        let count = |app: &TestApp| {
            let r = ok_json(app.get("/api/v1/reports/summary?from=2026-03-01&to=2026-03-31&group_by=ward", Some(&co)), 200);
            (r["total"]["creche_incidents"].as_i64(), r["groups"][0]["creche_incidents"].as_i64())
        };
        assert_eq!(count(&app), (Some(1), Some(1)));
        let csv = app.get("/api/v1/reports/summary?from=2026-03-01&to=2026-03-31&format=csv", Some(&co)).text().unwrap();
        let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
        let column = header.iter().position(|c| *c == "creche_incidents").expect("a creche_incidents column");
        assert_eq!(csv.lines().nth(1).unwrap().split(',').nth(column), Some("1"), "{csv}");
        // Coordinators list the month's incidents.
        let listed = ok_json(app.get("/api/v1/creche/incidents?from=2026-03-01&to=2026-03-31", Some(&co)), 200);
        assert_eq!((listed["total"].as_i64(), listed["items"][0]["id"].as_i64()), (Some(1), Some(id)), "{listed}");
        assert_eq!(listed["items"][0]["family_id"].as_i64(), Some(family));
        let none = ok_json(app.get("/api/v1/creche/incidents?from=2026-03-04&to=2026-04-30", Some(&co)), 200);
        assert_eq!(none["total"], 0);

        // The subject access export holds it, with its words.
        let admin = app.user_token(Role::Admin);
        let doc = ok_json(app.get(&format!("/api/v1/families/{family}/export"), Some(&admin)), 200);
        let inc = &doc["creche_incidents"][0];
        assert_eq!((inc["id"].as_i64(), inc["what_happened"].as_str(), inc["first_aid"].as_str(), inc["witnesses"].as_str()),
                   (Some(id), Some(WHAT), Some(FIRST_AID), Some(WITNESS)), "{inc}");
        assert_eq!(inc["session_starts_at"], "2026-03-03T10:00:00Z");

        // Erased: the words are gone everywhere (the message too), the incident still counts.
        let res = app.req(Method::DELETE, &format!("/api/v1/families/{family}"), Some(&admin))
            .json(&json!({"reason": "subject_request"})).send().unwrap();
        assert_eq!(res.status(), 204);
        let doc = ok_json(app.get(&format!("/api/v1/families/{family}/export"), Some(&admin)), 200);
        let inc = &doc["creche_incidents"][0];
        assert_eq!((inc["id"].as_i64(), inc["what_happened"].as_str(), inc["first_aid"].as_str(), inc["witnesses"].as_str()),
                   (Some(id), Some(""), Some(""), Some("")), "{inc}");
        assert!(inc["erased_at"].is_string(), "{inc}");
        {
            use groupwork::db::schema::{creche_incidents as ci, messages as ms};
            let mut conn = app.state.pool.get().unwrap();
            let texts: Vec<(String, String, String)> = ci::table
                .select((ci::what_happened, ci::first_aid, ci::witnesses)).load(&mut conn).unwrap();
            assert_eq!(texts, [(String::new(), String::new(), String::new())]);
            let bodies: Vec<String> = ms::table.select(ms::body_text).load(&mut conn).unwrap();
            assert!(bodies.iter().all(|b| !b.contains("soft-play") && !b.contains("compress")), "{bodies:?}");
        }
        assert_eq!(count(&app), (Some(1), Some(1)));
        let team = ok_json(app.get(&incidents_path(&g, 1), Some(&co)), 200);
        assert_eq!((team["total"].as_i64(), team["items"][0]["what_happened"].as_str()), (Some(1), Some("")));
    }
}

db_test! {
    fn only_the_team_records_only_the_family_acknowledges_and_bad_records_write_nothing(app) {
        let g = group(&app, 6, 2, 1);
        let [ann, ben] = [&g.families[0], &g.families[1]];
        g.at_session(&app, 1, 60);
        let maria = staff(&app, g.creche);
        // A facilitator of another group, the co-facilitator (in the group room, not the crèche)
        // and a parent: refused, nothing written, nothing sent.
        problem(record(&app, &g, &staff(&app, g.other), ann.child, 30), 404);
        problem(record(&app, &g, &staff(&app, g.co), ann.child, 30), 404);
        problem(record(&app, &g, &app.token_as(ann.user, Role::Parent), ann.child, 30), 403);
        problem(app.get(&incidents_path(&g, 1), Some(&staff(&app, g.other))), 404);
        problem(app.post("/api/v1/sessions/424242/creche/incidents", Some(&maria),
            &json!({"child_id": ann.child, "happened_at": at(&g, 1, 30), "what_happened": WHAT})), 404);

        // Bad records: 422 naming the field, and nothing written.
        let good = json!({"child_id": ann.child, "happened_at": at(&g, 1, 30), "what_happened": WHAT});
        let with = |field: &str, value: Value| {
            let mut b = good.clone();
            b[field] = value;
            b
        };
        for (body, field) in [
            (with("what_happened", json!("   ")), "what_happened"),
            (with("what_happened", json!("x".repeat(4001))), "what_happened"),
            (with("what_happened", json!("a\u{7}bell")), "what_happened"),
            (with("first_aid", json!("y".repeat(2001))), "first_aid"),
            (with("witnesses", json!("z".repeat(501))), "witnesses"),
            (with("happened_at", json!(at(&g, 1, 90))), "happened_at"),
            (with("happened_at", json!(at(&g, 1, -120))), "happened_at"),
            (with("happened_at", json!(at(&g, 2, 30))), "happened_at"),
            // Ben's baby has no crèche place in this group; no such child at all.
            (with("child_id", json!(ben.child)), "child_id"),
            (with("child_id", json!(424242)), "child_id"),
        ] {
            let p = problem(app.post(&incidents_path(&g, 1), Some(&maria), &body), 422);
            assert!(p["errors"][field].is_array(), "{field}: {p}");
        }
        assert_eq!(written(&app), (0, 0));

        let made = ok_json(app.post(&incidents_path(&g, 1), Some(&maria), &good), 201);
        let id = made["id"].as_i64().unwrap();
        assert_eq!(written(&app), (1, 1));
        // Another family's parent cannot acknowledge it, nor see it; a staff member is no parent.
        let ben_t = app.token_as(ben.user, Role::Parent);
        problem(acknowledge(&app, &ben_t, id), 404);
        problem(acknowledge(&app, &ben_t, 424242), 404);
        problem(acknowledge(&app, &maria, id), 403);
        assert_eq!(mine(&app, &ben_t)["total"], 0);
        let ann_t = app.token_as(ann.user, Role::Parent);
        assert_eq!(mine(&app, &ann_t)["items"][0]["acknowledged"], false);
        // Nor can another group's facilitator or the co-facilitator read it.
        problem(app.get(&format!("/api/v1/creche/incidents/{id}"), Some(&staff(&app, g.other))), 404);
        problem(app.get(&format!("/api/v1/creche/incidents/{id}"), Some(&staff(&app, g.co))), 404);
        // The refusals are in the audit trail, against the family when the path names it.
        let refused = audit(&app, &["access_refused"]);
        assert!(refused.iter().any(|(_, _, d)| d.contains("/creche/incidents") && d.contains("404")), "{refused:?}");

        // The period list: coordinators only, a year at most, `to` not before `from`.
        let co = coordinator(&app, &g);
        for (query, field) in [("from=2026-03-10&to=2026-03-01", "to"), ("from=2026-01-01&to=2027-01-02", "to"),
                               ("from=2026-03-10", "to"), ("from=2026-13-01&to=2026-03-01", "from"), ("to=1999-12-31", "to"),
                               ("to=", "to"), ("from=&to=2026-03-01", "from")] {
            let p = problem(app.get(&format!("/api/v1/creche/incidents?{query}"), Some(&co)), 422);
            assert!(p["errors"][field].is_array(), "{query}: {p}");
        }
        let year = ok_json(app.get("/api/v1/creche/incidents?from=2026-01-01&to=2026-12-31", Some(&co)), 200);
        assert_eq!(year["total"], 1);
        // By default the month up to today (the session was today).
        let month = ok_json(app.get("/api/v1/creche/incidents", Some(&co)), 200);
        assert_eq!((month["from"].as_str(), month["to"].as_str(), month["total"].as_i64()),
                   (Some("2026-02-03"), Some("2026-03-03"), Some(1)), "{month}");
        problem(app.get("/api/v1/creche/incidents?from=2026-03-01&to=2026-03-31", Some(&maria)), 403);
    }
}
