//! Retention with an injected clock: families past their period are anonymised, expired tokens,
//! old keys, notifications and audit events go; what is not due stays; a dry run changes nothing.

use crate::db_test;
use crate::helpers::{ok_json, TestApp};
use crate::registers::group;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use groupwork::db::schema::{
    audit_events, families, idempotency_keys, notifications, refresh_tokens,
};
use groupwork::domain::role::Role;
use groupwork::retention as job;
use serde_json::json;

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// Rows per table that retention touches, and which families are erased.
fn census(app: &TestApp) -> (i64, i64, i64, i64, Vec<i32>) {
    let mut c = app.state.pool.get().unwrap();
    (
        refresh_tokens::table.count().get_result(&mut *c).unwrap(),
        idempotency_keys::table.count().get_result(&mut *c).unwrap(),
        notifications::table.count().get_result(&mut *c).unwrap(),
        audit_events::table.count().get_result(&mut *c).unwrap(),
        families::table
            .filter(families::erased_at.is_not_null())
            .select(families::id)
            .order(families::id)
            .load(&mut *c)
            .unwrap(),
    )
}

db_test! {
    fn retention_takes_what_is_due_and_leaves_the_rest(app) {
        // A booked a group that ended in April 2026 (booked with an idempotency key); B waits on
        // its waiting list and is promoted (a notification); C joins in June 2027.
        let g = group(&app, 1, 2, 0);
        let (a, b) = (&g.families[0], &g.families[1]);
        let family_of = |user: i64| ok_json(app.get("/api/v1/me/family", Some(&app.token_as(user, Role::Parent))), 200)["id"].as_i64().unwrap() as i32;
        let (fa, fb) = (family_of(a.user), family_of(b.user));
        let ta = app.token_as(a.user, Role::Parent);
        assert_eq!(app.req(reqwest::Method::DELETE, &format!("/api/v1/bookings/{}", a.booking), Some(&ta)).send().unwrap().status(), 204);
        let again = app.req(reqwest::Method::POST, &format!("/api/v1/cohorts/{}/bookings", g.cohort), Some(&ta))
            .header("Idempotency-Key", "retry-1").json(&json!({})).send().unwrap();
        assert_eq!(again.status(), 201);
        app.clock.set(at("2027-06-01T10:00:00Z"));
        let c_user = app.user_id(app.register_parent("late-joiner@example.org")["access_token"].as_str().unwrap());
        let fc = family_of(c_user);

        // June 2028: A and B's last group ended more than 24 months ago; C's record changed 12
        // months ago. An admin logs in now: their refresh token is not expired.
        app.clock.set(at("2028-06-01T10:00:00Z"));
        app.user_token(Role::Admin);
        let before = census(&app);
        assert!(before.4.is_empty());
        let mut config = app.state.config.clone();
        config.audit_retention_months = 18;
        let dry = job::run(&app.state.services, &config, true).unwrap();
        assert!(dry.dry_run);
        assert_eq!(dry.families_anonymised, [fa, fb]);
        assert!(!dry.families_anonymised.contains(&fc));
        assert!(dry.refresh_tokens_deleted >= 3, "{dry:?}");
        // The links their confirmations carried, long expired; the counters of 2026's sign-ins.
        assert!(dry.account_links_deleted >= 2 && dry.rate_limits_deleted >= 1, "{dry:?}");
        assert_eq!((dry.idempotency_keys_deleted, dry.notifications_deleted), (1, 1), "{dry:?}");
        assert!(dry.audit_events_deleted > 0);
        // A's and B's confirmations, A's cancellation, B's promotion: two years old.
        assert!(dry.messages_blanked >= 4, "{dry:?}");
        assert_eq!(census(&app), before, "a dry run changes nothing");
        assert!(dry.to_string().contains("would anonymise 2 families"), "{dry}");

        let done = job::run(&app.state.services, &config, false).unwrap();
        assert_eq!(done.families_anonymised, dry.families_anonymised);
        assert_eq!(
            (done.refresh_tokens_deleted, done.idempotency_keys_deleted, done.notifications_deleted),
            (dry.refresh_tokens_deleted, dry.idempotency_keys_deleted, dry.notifications_deleted)
        );
        let after = census(&app);
        assert_eq!(after.4, [fa, fb]);
        assert_eq!(after.0, before.0 - done.refresh_tokens_deleted as i64);
        assert_eq!((after.1, after.2), (0, 0));
        // What was not due stays: the admin's live token, C's family, recent audit events
        // (including the two erasures, recorded without an actor).
        assert!(after.0 >= 1);
        let mut conn = app.state.pool.get().unwrap();
        let erased = groupwork::store::audit::list(&mut conn, &groupwork::store::audit::Filter { action: Some("family_erased".into()), ..Default::default() }, 10, 0).unwrap();
        assert_eq!(erased.1, 2);
        assert!(erased.0.iter().all(|e| e.actor_user_id.is_none() && e.detail.contains("retention")));
        drop(conn);

        // A second run finds nothing more to do.
        let twice = job::run(&app.state.services, &config, false).unwrap();
        assert!(twice.families_anonymised.is_empty());
        assert_eq!(twice.messages_blanked, 0);
        assert_eq!((twice.account_links_deleted, twice.rate_limits_deleted), (0, 0));
        assert_eq!((twice.refresh_tokens_deleted, twice.idempotency_keys_deleted, twice.notifications_deleted), (0, 0, 0));
    }
}
