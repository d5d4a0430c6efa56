//! A family the centre enrolled claims its record (issue 16): a coordinator sends an invitation,
//! the delivery worker sends the email (written to the test's mail folder, as `serve` does
//! without a mail server), and the test takes the link from the delivered email, as a parent
//! would: the outbox shows no link on purpose. The link sets a password once; a used, expired,
//! replaced or erased family's link is refused alike. Each test runs on SQLite and PostgreSQL.

use crate::family_enrolment::phone_caller;
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, problem, spawn, Backend, TestApp, PASSWORD};
use chrono::Duration as Delta;
use groupwork::domain::role::Role;
use mail_parser::MessageParser;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// Declares a test that runs once on SQLite and once on PostgreSQL with the delivery worker
/// writing emails to the app's mail folder.
macro_rules! mail_test {
    (fn $name:ident($app:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn run($app: TestApp) $body
            #[test]
            fn sqlite() {
                super::run_delivering(Backend::Sqlite, run)
            }
            #[test]
            fn postgres() {
                super::run_delivering(Backend::Postgres, run)
            }
        }
    };
}

fn run_delivering(backend: Backend, test: fn(TestApp)) {
    let app = spawn(backend, |c| {
        c.delivery = true;
        c.delivery_poll_ms = 50;
    });
    if let Some(app) = app {
        test(app);
    }
}

/// The tokens of every invitation link delivered to `to` so far.
fn links_to(app: &TestApp, to: &str) -> BTreeSet<String> {
    let Ok(dir) = std::fs::read_dir(&app.state.config.mail_dir) else {
        return BTreeSet::new();
    };
    dir.filter_map(|e| {
        let raw = std::fs::read(e.ok()?.path()).ok()?;
        let mail = MessageParser::default().parse(&raw)?;
        let addressed = mail
            .to()?
            .iter()
            .any(|a| a.address().is_some_and(|x| x == to));
        let text = mail.body_text(0)?.to_string();
        let token = text.split("account/claim?token=").nth(1)?;
        let token: String = token
            .chars()
            .take_while(|c| c.is_ascii_hexdigit())
            .collect();
        addressed.then_some(token)
    })
    .collect()
}

/// Waits for a new invitation link to `to`, other than those in `seen`; returns its token.
fn new_link(app: &TestApp, to: &str, seen: &BTreeSet<String>) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(t) = links_to(app, to).difference(seen).next() {
            return t.clone();
        }
        assert!(Instant::now() < deadline, "no invitation delivered to {to}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Enrols a family with `email` (told by email), returns its id.
fn enrol(app: &TestApp, co: &Coordinator, name: &str, email: &str) -> i64 {
    let mut body = phone_caller();
    body["carers"] = json!([name]);
    body["email"] = json!(email);
    body["phone"] = json!("");
    body["contact_by"] = json!("email");
    ok_json(app.post("/api/v1/families", co.t(), &body), 201)["id"]
        .as_i64()
        .unwrap()
}

fn invite(app: &TestApp, co: &Coordinator, family: i64) -> reqwest::blocking::Response {
    app.post(
        &format!("/api/v1/families/{family}/invitation"),
        co.t(),
        &json!({}),
    )
}

fn accept(app: &TestApp, token: &str) -> reqwest::blocking::Response {
    app.post(
        "/api/v1/auth/invitation/accept",
        None,
        &json!({"token": token, "password": PASSWORD}),
    )
}

/// The one refusal every unusable link gets.
fn refused(res: reqwest::blocking::Response) {
    let p = problem(res, 422);
    assert_eq!(
        p["errors"]["token"],
        json!(["this link has expired or has already been used: ask the centre to send a new one"]),
        "{p}"
    );
}

mail_test! {
    fn a_parent_claims_the_family_staff_enrolled_and_sees_its_bookings(app) {
        let co = Coordinator::new(&app);
        let cohort = crate::bookings::cosp_group(&app, 8, 1, 10);
        let family = enrol(&app, &co, "Amira Haddad", "amira@example.org");
        let booked = ok_json(app.post(&format!("/api/v1/cohorts/{cohort}/bookings"), co.t(), &json!({"family_id": family})), 201);

        let sent = ok_json(invite(&app, &co, family), 202);
        assert_eq!(sent["sent_to"], "amira@example.org");
        let expires = (app.state.now() + Delta::days(14)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        assert_eq!(sent["expires_at"].as_str().unwrap()[..19], expires[..19], "{sent}");
        let token = new_link(&app, "amira@example.org", &BTreeSet::new());
        // The outbox shows coordinators that it went, never the link.
        let outbox = ok_json(app.get(&format!("/api/v1/messages?family_id={family}&kind=account_invitation"), co.t()), 200);
        assert!(!outbox.to_string().contains(&token), "{outbox}");

        // The password rules are registration's: the address itself is refused.
        let weak = problem(app.post("/api/v1/auth/invitation/accept", None, &json!({"token": token, "password": "amira@example.org"})), 422);
        assert!(weak["errors"]["password"].is_array(), "{weak}");

        let res = accept(&app, &token);
        assert_eq!(res.status(), 201);
        let signed_in: Value = res.json().unwrap();
        assert_eq!((signed_in["user"]["email"].as_str(), signed_in["user"]["role"].as_str()), (Some("amira@example.org"), Some("parent")));
        let parent = signed_in["access_token"].as_str().unwrap().to_string();
        let mine = ok_json(app.get("/api/v1/me/bookings", Some(&parent)), 200);
        let ids: Vec<&Value> = mine["items"].as_array().unwrap().iter().map(|b| &b["id"]).collect();
        assert_eq!(ids, [&booked["id"]], "the booking staff made is theirs: {mine}");
        let me = ok_json(app.get("/api/v1/me/family", Some(&parent)), 200);
        assert_eq!((me["id"].as_i64(), me["has_account"].as_bool(), me["email_verified"].as_bool()), (Some(family), Some(true), Some(true)));
        assert_eq!(me["carers"], json!(["Amira Haddad"]));
        ok_json(app.post("/api/v1/auth/login", None, &json!({"email": "amira@example.org", "password": PASSWORD})), 200);

        // Once only; and the family, now with an account, is not invited again.
        refused(accept(&app, &token));
        refused(accept(&app, "not-a-token"));
        assert!(problem(invite(&app, &co, family), 409)["detail"].as_str().unwrap().contains("account"));
        let admin = app.user_token(Role::Admin);
        let trail = ok_json(app.get(&format!("/api/v1/audit?family_id={family}"), Some(&admin)), 200);
        let actions: Vec<&str> = trail["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        for a in ["family_enrolled", "family_invited", "family_claimed"] {
            assert!(actions.contains(&a), "{a}: {actions:?}");
        }
    }
}

mail_test! {
    fn expired_replaced_and_erased_families_links_are_refused(app) {
        let co = Coordinator::new(&app);

        // A newer invitation makes the older link fail; the newer one works.
        let b = enrol(&app, &co, "Bea Kowalska", "bea@example.org");
        ok_json(invite(&app, &co, b), 202);
        let older = new_link(&app, "bea@example.org", &BTreeSet::new());
        ok_json(invite(&app, &co, b), 202);
        let newer = new_link(&app, "bea@example.org", &BTreeSet::from([older.clone()]));
        refused(accept(&app, &older));
        ok_json(accept(&app, &newer), 201);

        // A link after the family was erased.
        let d = enrol(&app, &co, "Dana Silva", "dana@example.org");
        ok_json(invite(&app, &co, d), 202);
        let erased = new_link(&app, "dana@example.org", &BTreeSet::new());
        let admin = app.user_token(Role::Admin);
        let res = app.req(reqwest::Method::DELETE, &format!("/api/v1/families/{d}"), Some(&admin)).json(&json!({"reason": "subject_request"})).send().unwrap();
        assert_eq!(res.status(), 204);
        refused(accept(&app, &erased));
        problem(invite(&app, &co, d), 404);

        // A family without an email cannot be sent one; nor can one whose address a login uses.
        let phone_only = ok_json(app.post("/api/v1/families", co.t(), &phone_caller()), 201)["id"].as_i64().unwrap();
        assert!(problem(invite(&app, &co, phone_only), 422)["errors"]["email"].is_array());
        app.register_parent("rosa@example.org");
        let mut twin = phone_caller();
        twin["email"] = json!("rosa@example.org");
        twin["phone"] = json!("020 7926 1000");
        twin["confirmed_new"] = json!(true);
        let twin = ok_json(app.post("/api/v1/families", co.t(), &twin), 201)["id"].as_i64().unwrap();
        problem(invite(&app, &co, twin), 409);
        problem(invite(&app, &co, 424242), 404);

        // An expired link: 14 days and a moment later.
        let c = enrol(&app, &co, "Chloe Martin", "chloe@example.org");
        ok_json(invite(&app, &co, c), 202);
        let late = new_link(&app, "chloe@example.org", &BTreeSet::new());
        let co_id = app.user_id(co.t().unwrap());
        app.clock.advance(Delta::days(14) + Delta::seconds(1));
        refused(accept(&app, &late));
        // A fresh invitation works (the coordinator signs in again after a fortnight).
        let co = Coordinator { app: &app, token: app.token_as(co_id, Role::Coordinator) };
        ok_json(invite(&app, &co, c), 202);
        let fresh = new_link(&app, "chloe@example.org", &BTreeSet::from([late]));
        ok_json(accept(&app, &fresh), 201);
    }
}
