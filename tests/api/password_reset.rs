//! Getting back into an account (issue 16): a password-reset link by email, the same answer for
//! every address, the link working once and for one hour, a newer link ending the older, every
//! session ending, and the limit per address asked for. The first test reads the link from the
//! email a real SMTP server received (`tests/common/smtp.rs`); the others read it from the
//! outbox row the request queued (no delivery worker). Each runs on SQLite and PostgreSQL.

use crate::db_test;
use crate::helpers::{ok_json, problem, TestApp, PASSWORD};
use crate::messages_smtp::smtp_test;
use crate::smtp::SmtpServer;
use groupwork::domain::message::MessageKind;
use groupwork::store;
use serde_json::{json, Value};
use std::time::Duration;

const NEW_PASSWORD: &str = "a fresh and memorable sentence";

pub fn ask_reset(app: &TestApp, email: &str) -> reqwest::blocking::Response {
    app.post(
        "/api/v1/auth/password-reset",
        None,
        &json!({"email": email}),
    )
}

pub fn confirm(app: &TestApp, token: &str, password: &str) -> reqwest::blocking::Response {
    let body = json!({"token": token, "password": password});
    app.post("/api/v1/auth/password-reset/confirm", None, &body)
}

/// The token of the first link in `text` (`…?token=<hex>`).
pub fn token_in(text: &str) -> String {
    let (_, rest) = text
        .split_once("?token=")
        .unwrap_or_else(|| panic!("no link in {text}"));
    rest.chars().take_while(char::is_ascii_hexdigit).collect()
}

/// The messages of `kind` queued for `to`, oldest first.
pub fn queued(app: &TestApp, kind: MessageKind, to: &str) -> Vec<store::messages::Message> {
    let mut conn = app.state.pool.get().unwrap();
    let mut rows = store::messages::list(&mut conn, &Default::default(), 10_000, 0)
        .unwrap()
        .items;
    rows.retain(|m| m.kind == kind && m.recipient == to);
    rows.sort_by_key(|m| m.id);
    rows
}

/// The token of the newest reset link queued for `to`.
fn newest_link(app: &TestApp, to: &str) -> String {
    let rows = queued(app, MessageKind::AccountPasswordReset, to);
    token_in(&rows.last().expect("a reset link was queued").body_text)
}

fn refresh(app: &TestApp, token: &str) -> u16 {
    let body = json!({"refresh_token": token});
    app.post("/api/v1/auth/refresh", None, &body)
        .status()
        .as_u16()
}

fn login_status(app: &TestApp, email: &str, password: &str) -> u16 {
    let body = json!({"email": email, "password": password});
    app.post("/api/v1/auth/login", None, &body)
        .status()
        .as_u16()
}

/// What the audit trail says happened to the account `user`.
pub fn audit_actions(app: &TestApp, user: &Value) -> Vec<String> {
    let mut conn = app.state.pool.get().unwrap();
    let id = user["user"]["id"].as_i64().unwrap() as i32;
    let events = store::audit::for_entity(&mut conn, "user", id).unwrap();
    events.into_iter().map(|e| e.action).collect()
}

smtp_test! {
    fn a_forgotten_password_is_reset_with_the_link_from_the_email(app, smtp) {
        let email = "amira@example.org";
        let signed_in = app.register_parent(email);
        let old_refresh = signed_in["refresh_token"].as_str().unwrap().to_string();
        let other_device = app.login(email, PASSWORD)["refresh_token"].as_str().unwrap().to_string();

        // Known and unknown addresses get the same answer; only the known one gets an email.
        let known: Value = ok_json(ask_reset(&app, email), 202);
        let unknown: Value = ok_json(ask_reset(&app, "nobody@example.org"), 202);
        assert_eq!(known, unknown);
        assert!(known["message"].as_str().unwrap().contains("one hour"), "{known}");
        let mails = smtp.wait_for(1, Duration::from_secs(15));
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].to, [email]);
        assert!(queued(&app, MessageKind::AccountPasswordReset, "nobody@example.org").is_empty());
        assert!(mails[0].text.contains("/account/reset-password?token="), "{}", mails[0].text);
        let token = token_in(&mails[0].text);
        assert_eq!(token.len(), 64, "{}", mails[0].text);

        // The rules of a sign-up apply, and a refused password leaves the link working.
        let p = problem(confirm(&app, &token, "password1"), 422);
        assert!(p["errors"]["password"].is_array(), "{p}");
        let res = confirm(&app, &token, NEW_PASSWORD);
        assert_eq!(res.status(), 204);
        // Once only.
        let p = problem(confirm(&app, &token, NEW_PASSWORD), 422);
        assert_eq!(p["errors"]["token"][0], "this link has expired or has already been used: ask for a new one");

        // Every session ended; the new password signs in, the old does not.
        assert_eq!((refresh(&app, &old_refresh), refresh(&app, &other_device)), (401, 401));
        assert_eq!(login_status(&app, email, PASSWORD), 401);
        assert_eq!(login_status(&app, email, NEW_PASSWORD), 200);
        // The account is told by email that its password changed.
        let mails = smtp.wait_for(2, Duration::from_secs(15));
        let notice = mails.iter().find(|m| !m.text.contains("?token=")).expect("the notice");
        assert_eq!(notice.to, [email]);
        let actions = audit_actions(&app, &signed_in);
        for action in ["password_reset_requested", "password_reset"] {
            assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
        }
        // Opening the link showed the family reads this address.
        let t = app.login(email, NEW_PASSWORD)["access_token"].as_str().unwrap().to_string();
        let family = ok_json(app.get("/api/v1/me/family", Some(&t)), 200)["id"].as_i64().unwrap();
        let mut conn = app.state.pool.get().unwrap();
        let f = store::families::find(&mut conn, family as i32).unwrap().unwrap();
        assert_eq!(f.email_verified, email);
    }
}

db_test! {
    fn a_link_works_for_an_hour_and_only_the_newest_works(app) {
        let email = "bea@example.org";
        app.register_parent(email);
        assert_eq!(ask_reset(&app, email).status(), 202);
        let first = newest_link(&app, email);
        // A second request ends the first link.
        assert_eq!(ask_reset(&app, email).status(), 202);
        let second = newest_link(&app, email);
        assert_ne!(first, second);
        problem(confirm(&app, &first, NEW_PASSWORD), 422);
        // An hour later the newest has expired too.
        app.clock.advance(chrono::Duration::minutes(61));
        let p = problem(confirm(&app, &second, NEW_PASSWORD), 422);
        assert!(p["errors"]["token"].is_array(), "{p}");
        assert_eq!(login_status(&app, email, PASSWORD), 200);
        // A link asked for now works; a made-up one never does.
        assert_eq!(ask_reset(&app, email).status(), 202);
        let third = newest_link(&app, email);
        problem(confirm(&app, &"0".repeat(64), NEW_PASSWORD), 422);
        assert_eq!(confirm(&app, &third, NEW_PASSWORD).status(), 204);
        assert_eq!(login_status(&app, email, NEW_PASSWORD), 200);
    }
}

db_test! {
    fn requests_for_one_address_are_limited_whoever_asks(app) {
        let email = "cara@example.org";
        app.register_parent(email);
        for _ in 0..3 {
            assert_eq!(ask_reset(&app, email).status(), 202);
        }
        let res = ask_reset(&app, email);
        assert!(res.headers().get("retry-after").is_some());
        problem(res, 429);
        // An unknown address is limited the same way: the limit tells nothing either.
        for _ in 0..3 {
            assert_eq!(ask_reset(&app, "nobody@example.org").status(), 202);
        }
        problem(ask_reset(&app, "NOBODY@Example.org"), 429);
        assert_eq!(queued(&app, MessageKind::AccountPasswordReset, email).len(), 3);
        // Not an email address at all: 422.
        let p = problem(ask_reset(&app, "not an address"), 422);
        assert!(p["errors"]["email"].is_array(), "{p}");
        // The hour over, the address may ask again.
        app.clock.advance(chrono::Duration::minutes(61));
        assert_eq!(ask_reset(&app, email).status(), 202);
    }
}

db_test! {
    fn a_reset_unlocks_an_account_locked_by_wrong_passwords_and_a_disabled_one_gets_no_link(app) {
        let email = "dina@example.org";
        app.register_parent(email);
        for _ in 0..5 {
            assert_eq!(login_status(&app, email, "a wrong guess at it"), 401);
        }
        assert_eq!(login_status(&app, email, PASSWORD), 429);
        assert_eq!(ask_reset(&app, email).status(), 202);
        assert_eq!(confirm(&app, &newest_link(&app, email), NEW_PASSWORD).status(), 204);
        assert_eq!(login_status(&app, email, NEW_PASSWORD), 200);

        // A login an admin turned off gets no link.
        let admin = app.user_token(groupwork::domain::role::Role::Admin);
        let staff = ok_json(app.post("/api/v1/users", Some(&admin), &json!({"email": "off@staff.example",
            "password": PASSWORD, "display_name": "Sam", "role": "facilitator"})), 201);
        let url = format!("/api/v1/users/{}", staff["id"]);
        ok_json(app.patch(&url, Some(&admin), &json!({"disabled": true})), 200);
        assert_eq!(ask_reset(&app, "off@staff.example").status(), 202);
        assert!(queued(&app, MessageKind::AccountPasswordReset, "off@staff.example").is_empty());
    }
}
