//! A signed-in person changes their password (the current one required; other sessions end,
//! this one goes on with a new pair) or, as a parent, their email address (confirmed by a link
//! sent to the new address; the old address is told). Each test runs on SQLite and PostgreSQL.

use crate::db_test;
use crate::helpers::{ok_json, problem, TestApp, PASSWORD};
use crate::password_reset::{ask_reset, audit_actions, confirm, queued, token_in};
use groupwork::domain::message::MessageKind;
use groupwork::domain::role::Role;
use groupwork::store;
use serde_json::json;

const NEW_PASSWORD: &str = "another quite long phrase";

fn change_password(
    app: &TestApp,
    token: &str,
    current: &str,
    new: &str,
) -> reqwest::blocking::Response {
    let body = json!({"current_password": current, "new_password": new});
    app.post("/api/v1/me/password", Some(token), &body)
}

fn change_email(
    app: &TestApp,
    token: &str,
    new: &str,
    password: &str,
) -> reqwest::blocking::Response {
    let body = json!({"new_email": new, "password": password});
    app.post("/api/v1/me/email", Some(token), &body)
}

fn confirm_email(app: &TestApp, token: &str) -> reqwest::blocking::Response {
    app.post(
        "/api/v1/auth/email-change/confirm",
        None,
        &json!({"token": token}),
    )
}

fn login_status(app: &TestApp, email: &str, password: &str) -> u16 {
    let body = json!({"email": email, "password": password});
    app.post("/api/v1/auth/login", None, &body)
        .status()
        .as_u16()
}

fn refresh_status(app: &TestApp, token: &str) -> u16 {
    app.post(
        "/api/v1/auth/refresh",
        None,
        &json!({"refresh_token": token}),
    )
    .status()
    .as_u16()
}

db_test! {
    fn a_new_password_needs_the_current_one_and_ends_the_other_sessions(app) {
        let email = "erin@example.org";
        let signed_in = app.register_parent(email);
        let access = signed_in["access_token"].as_str().unwrap().to_string();
        let old_refresh = signed_in["refresh_token"].as_str().unwrap().to_string();

        let p = problem(change_password(&app, &access, "not my password at all", NEW_PASSWORD), 422);
        assert!(p["errors"]["current_password"].is_array(), "{p}");
        let p = problem(change_password(&app, &access, PASSWORD, "password123"), 422);
        assert!(p["errors"]["new_password"].is_array(), "{p}");
        problem(app.post("/api/v1/me/password", None, &json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD})), 401);
        assert_eq!(login_status(&app, email, PASSWORD), 200, "nothing changed yet");
        let other_device = app.login(email, PASSWORD)["refresh_token"].as_str().unwrap().to_string();

        let pair = ok_json(change_password(&app, &access, PASSWORD, NEW_PASSWORD), 200);
        let (new_access, new_refresh) = (pair["access_token"].as_str().unwrap(), pair["refresh_token"].as_str().unwrap());
        assert_eq!(pair["user"]["email"], email);
        assert_eq!(ok_json(app.get("/api/v1/me", Some(new_access)), 200)["email"], email);
        // The old refresh tokens (this device's and the other's) no longer work; the new one does.
        assert_eq!((refresh_status(&app, &old_refresh), refresh_status(&app, &other_device)), (401, 401));
        assert_eq!(refresh_status(&app, new_refresh), 200);
        assert_eq!((login_status(&app, email, PASSWORD), login_status(&app, email, NEW_PASSWORD)), (401, 200));
        assert_eq!(queued(&app, MessageKind::AccountPasswordChanged, email).len(), 1);
        assert!(audit_actions(&app, &signed_in).iter().any(|a| a == "password_changed"));

        // Staff change their own password the same way.
        let staff = app.user_token(Role::Facilitator);
        ok_json(change_password(&app, &staff, PASSWORD, NEW_PASSWORD), 200);
    }
}

db_test! {
    fn a_new_address_needs_the_link_sent_to_it_and_the_old_one_is_told(app) {
        let (old, new) = ("fatima@example.org", "fatima.new@example.org");
        let signed_in = app.register_parent(old);
        let t = signed_in["access_token"].as_str().unwrap().to_string();
        app.register_parent("taken@example.org");

        let p = problem(change_email(&app, &t, new, "not my password at all"), 422);
        assert!(p["errors"]["password"].is_array(), "{p}");
        let p = problem(change_email(&app, &t, " FATIMA@example.org", PASSWORD), 422);
        assert!(p["errors"]["new_email"].is_array(), "{p}");
        let p = problem(change_email(&app, &t, "not an address", PASSWORD), 422);
        assert!(p["errors"]["new_email"].is_array(), "{p}");
        problem(change_email(&app, &t, "taken@example.org", PASSWORD), 409);
        problem(change_email(&app, &app.user_token(Role::Coordinator), new, PASSWORD), 403);

        let sent = ok_json(change_email(&app, &t, new, PASSWORD), 202);
        assert_eq!(sent["sent_to"], new);
        let expires: chrono::DateTime<chrono::Utc> = sent["expires_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(expires, app.state.now() + chrono::Duration::days(2));
        // The link went to the new address only; until it is opened the old address signs in.
        assert!(queued(&app, MessageKind::AccountEmailChange, old).is_empty());
        let links = queued(&app, MessageKind::AccountEmailChange, new);
        assert_eq!(links.len(), 1);
        let token = token_in(&links[0].body_text);
        assert_eq!((login_status(&app, old, PASSWORD), login_status(&app, new, PASSWORD)), (200, 401));

        problem(confirm_email(&app, &"0".repeat(64)), 422);
        assert_eq!(confirm_email(&app, &token).status(), 204);
        let p = problem(confirm_email(&app, &token), 422);
        assert!(p["errors"]["token"].is_array(), "{p}");
        assert_eq!((login_status(&app, old, PASSWORD), login_status(&app, new, PASSWORD)), (401, 200));
        let t = app.login(new, PASSWORD)["access_token"].as_str().unwrap().to_string();
        assert_eq!(ok_json(app.get("/api/v1/me", Some(&t)), 200)["email"], new);
        // The family's contact address followed, and counts as one the family reads.
        let family = ok_json(app.get("/api/v1/me/family", Some(&t)), 200);
        assert_eq!(family["email"], new, "{family}");
        let mut conn = app.state.pool.get().unwrap();
        let f = store::families::find(&mut conn, family["id"].as_i64().unwrap() as i32).unwrap().unwrap();
        assert_eq!(f.email_verified, new);
        drop(conn);
        // The old address is told, naming the new one.
        let notices = queued(&app, MessageKind::AccountEmailChanged, old);
        assert_eq!(notices.len(), 1);
        assert!(notices[0].body_text.contains(new), "{}", notices[0].body_text);
        let actions = audit_actions(&app, &signed_in);
        for action in ["email_change_requested", "email_changed"] {
            assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
        }
    }
}

db_test! {
    fn a_change_link_fails_when_the_address_was_taken_meanwhile_or_the_password_was_reset(app) {
        let signed_in = app.register_parent("gita@example.org");
        let t = signed_in["access_token"].as_str().unwrap().to_string();
        ok_json(change_email(&app, &t, "wanted@example.org", PASSWORD), 202);
        let token = token_in(&queued(&app, MessageKind::AccountEmailChange, "wanted@example.org")[0].body_text);
        app.register_parent("wanted@example.org");
        problem(confirm_email(&app, &token), 409);
        assert_eq!(login_status(&app, "gita@example.org", PASSWORD), 200);

        // A password reset ends a pending change of address (whoever had the password may
        // have asked for it).
        ok_json(change_email(&app, &t, "elsewhere@example.org", PASSWORD), 202);
        let token = token_in(&queued(&app, MessageKind::AccountEmailChange, "elsewhere@example.org")[0].body_text);
        assert_eq!(ask_reset(&app, "gita@example.org").status(), 202);
        let reset = token_in(&queued(&app, MessageKind::AccountPasswordReset, "gita@example.org")[0].body_text);
        assert_eq!(confirm(&app, &reset, NEW_PASSWORD).status(), 204);
        problem(confirm_email(&app, &token), 422);
        assert_eq!(login_status(&app, "gita@example.org", NEW_PASSWORD), 200);
    }
}
