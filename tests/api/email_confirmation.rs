//! A parent's email address is confirmed by the link their first booking confirmation carries
//! (or one they ask for). Until then they can book and hear about their bookings, but get no
//! reminders by email; a link works once, and a newer one replaces it.

use crate::db_test;
use crate::helpers::{ok_json, problem, TestApp};
use crate::owasp::{parent_with_child, published_group};
use groupwork::store;
use serde_json::json;

/// The words of the newest message of `kind` to `to`, as queued.
fn newest(app: &TestApp, kind: &str, to: &str) -> Option<String> {
    let mut c = app.state.pool.get().unwrap();
    let rows = store::messages::list(&mut c, &store::messages::Filter::default(), 1000, 0)
        .unwrap()
        .items;
    rows.into_iter()
        .filter(|m| m.kind.as_str() == kind && m.recipient == to)
        .max_by_key(|m| m.id)
        .map(|m| m.body_text)
}

db_test! {
    fn the_first_confirmation_confirms_the_address_once_and_a_newer_link_replaces_it(app) {
        let email = "first@parents.example";
        let token = parent_with_child(&app, email);
        // Registering sends nothing: the family is not kept waiting for an email.
        assert_eq!(newest(&app, "account_confirm_email", email), None);

        let (cohort, coordinator) = published_group(&app, 10, "first");
        let co = Some(coordinator.as_str());
        let booked = ok_json(app.post(&format!("/api/v1/cohorts/{cohort}/bookings"), Some(&token), &json!({})), 201);
        assert_eq!(booked["status"], "confirmed");
        let words = newest(&app, "booking_confirmed", email).expect("a confirmation");
        assert!(words.contains("Please confirm this is your email address"), "{words}");
        assert!(words.contains("/account/confirm-email?token="), "{words}");
        let first = app.token_in_outbox("account/confirm-email", email);

        // Asking for a link sends one on its own; the first stops working.
        let again = ok_json(app.post("/api/v1/me/email/confirmation", Some(&token), &json!({})), 202);
        assert_eq!(again["sent_to"], email);
        let second = app.token_in_outbox("account/confirm-email", email);
        assert_ne!(first, second);
        let old = problem(app.post("/api/v1/auth/confirm-email", None, &json!({"token": first})), 422);
        assert!(old["errors"]["token"].is_array(), "{old}");
        // Staff see that it went, never its link.
        let list = ok_json(app.get("/api/v1/messages?kind=account_confirm_email", co), 200);
        assert_eq!(list["total"], 1, "{list}");
        assert!(!list["items"][0]["body_text"].as_str().unwrap().contains("token="), "{list}");

        let res = app.post("/api/v1/auth/confirm-email", None, &json!({"token": second}));
        assert_eq!(res.status(), 204);
        // Once only; a confirmed address needs no new link; nonsense is refused the same way.
        problem(app.post("/api/v1/auth/confirm-email", None, &json!({"token": second})), 422);
        problem(app.post("/api/v1/me/email/confirmation", Some(&token), &json!({})), 409);
        problem(app.post("/api/v1/auth/confirm-email", None, &json!({"token": "nonsense"})), 422);
        // The next confirmation to a confirmed address carries no link.
        let (other, _) = published_group(&app, 10, "second");
        ok_json(app.post(&format!("/api/v1/cohorts/{other}/bookings"), Some(&token), &json!({})), 201);
        let words = newest(&app, "booking_confirmed", email).unwrap();
        assert!(!words.contains("confirm-email"), "{words}");
    }
}
