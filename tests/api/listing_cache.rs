//! The public listing is served from a cache of rendered answers: places left and everything
//! else shown must still be exact right after every write, a cached answer must be the bytes a
//! fresh render gives, and the clock alone must move a listing on (booking closing, a group
//! finishing). Writes made behind the app's back (another process) show within the TTL.

use crate::db_test;
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, TestApp};
use diesel::prelude::*;
use groupwork::api::catalogue::listing_cache::TTL;
use groupwork::db::schema::cohorts;
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};

/// The body of `path`, which must answer 200.
fn body(app: &TestApp, path: &str) -> String {
    let res = app.get(path, None);
    assert_eq!(res.status(), 200, "{path}");
    res.text().unwrap()
}

/// The plain first page (cached after the first read).
fn listed(app: &TestApp) -> String {
    body(app, "/api/v1/listings")
}

/// The same listing under a query string never asked before, so rendered from the database:
/// `from` some day in 2000 matches every group and leaves the answer's bytes unchanged.
fn fresh(app: &TestApp, path: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let day =
        chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Duration::days(n.into());
    body(app, &format!("{path}?from={day}"))
}

/// The only group listed, after checking the cached answer is what a fresh render says.
fn exact(app: &TestApp) -> Value {
    let cached = listed(app);
    assert_eq!(
        cached,
        fresh(app, "/api/v1/listings"),
        "cached and fresh answers differ"
    );
    let v: Value = serde_json::from_str(&cached).unwrap();
    assert_eq!(v["total"], 1, "{v}");
    v["items"][0].clone()
}

/// A published COSP group (Tuesdays from 3 March 2026): 2 places, 2 crèche workers, room of 10.
fn group(app: &TestApp) -> (Coordinator<'_>, i64, i64) {
    let co = Coordinator::new(app);
    let venue = co.venue("Stockwell Children's Centre", "lambeth-2014:Stockwell", 10);
    let grace = co.staff("Grace Adeyemi", &[("cosp_registered", None)]);
    let tom = co.staff("Tom Reilly", &[]);
    let maria = co.staff("Maria Santos", &[("paediatric_first_aid", None)]);
    let chloe = co.staff("Chloe Evans", &[("paediatric_first_aid", None)]);
    let body = json!({"places": 2, "creche_workers": 2});
    let id = co.cohort("cosp", venue, "2026-03-03", "10:00", body)["id"]
        .as_i64()
        .unwrap();
    let team = json!({"lead": grace, "co_facilitators": [tom], "creche_workers": [maria, chloe]});
    ok_json(co.set_team(id, team), 200);
    ok_json(co.publish(id), 200);
    (co, id, venue)
}

/// A parent with a baby; books `cohort`, with a crèche place if `creche`. Returns (token, booking).
fn book(app: &TestApp, email: &str, cohort: i64, creche: bool) -> (String, Value) {
    let t = app.register_parent(email)["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let kid = json!({"first_name": "Kid", "date_of_birth": "2025-06-01"});
    let child = ok_json(app.post("/api/v1/me/children", Some(&t), &kid), 201)["id"].clone();
    let body = if creche {
        json!({"creche_child_ids": [child]})
    } else {
        json!({})
    };
    let b = ok_json(
        app.post(
            &format!("/api/v1/cohorts/{cohort}/bookings"),
            Some(&t),
            &body,
        ),
        201,
    );
    (t, b)
}

fn places(item: &Value) -> (i64, i64) {
    (
        item["places_left"].as_i64().unwrap(),
        item["creche"]["places_left_by_age"]["under_2"]
            .as_i64()
            .unwrap(),
    )
}

db_test! {
    fn places_left_are_exact_right_after_every_write(app) {
        let (co, id, venue) = group(&app);
        assert_eq!(places(&exact(&app)), (2, 6));
        assert_eq!(listed(&app), listed(&app), "a second read is the same");
        assert!(!app.state.listing_cache.is_empty(), "answers are kept");

        let (ta, a) = book(&app, "a@example.org", id, true);
        assert_eq!(a["status"], "confirmed");
        assert_eq!(places(&exact(&app)), (1, 5), "a booking shows at once");
        book(&app, "b@example.org", id, false);
        assert_eq!(places(&exact(&app)), (0, 5));
        let (_, c) = book(&app, "c@example.org", id, false);
        assert_eq!(c["status"], "waitlisted");
        assert_eq!(places(&exact(&app)), (0, 5));

        // Cancelling A promotes C (no crèche): parent places stay full, A's crèche place frees.
        let res = app.req(Method::DELETE, &format!("/api/v1/bookings/{}", a["id"]), Some(&ta)).send().unwrap();
        assert_eq!(res.status(), 204);
        assert_eq!(places(&exact(&app)), (0, 6), "a cancellation with promotion shows at once");

        ok_json(app.patch(&format!("/api/v1/cohorts/{id}"), co.t(), &json!({"places": 3})), 200);
        assert_eq!(places(&exact(&app)), (1, 6), "more places show at once");

        ok_json(app.patch(&format!("/api/v1/cohorts/{id}"), co.t(), &json!({"creche_workers": 1})), 200);
        assert_eq!(places(&exact(&app)), (1, 3), "fewer crèche workers show at once");
        let worker = co.staff("Dee Okafor", &[("paediatric_first_aid", None)]);
        let lead = co.staff("Ann Lee", &[("cosp_registered", None)]);
        let co_lead = co.staff("Sam Price", &[]);
        let team = json!({"lead": lead, "co_facilitators": [co_lead], "creche_workers": [worker]});
        ok_json(co.set_team(id, team), 200);
        assert_eq!(places(&exact(&app)), (1, 3), "a team change leaves an exact listing");

        let session = exact(&app)["sessions"][1]["id"].clone();
        let cancel = json!({"status": "cancelled", "reason": "Venue flooded"});
        ok_json(app.patch(&format!("/api/v1/sessions/{session}"), co.t(), &cancel), 200);
        let item = exact(&app);
        let cancelled = item["sessions"].as_array().unwrap().iter().find(|s| s["id"] == session).unwrap().clone();
        assert_eq!(cancelled["status"], "cancelled", "a cancelled session shows at once");

        ok_json(app.patch(&format!("/api/v1/venues/{venue}"), co.t(), &json!({"name": "Stockwell Hub"})), 200);
        assert_eq!(exact(&app)["venue"]["name"], "Stockwell Hub", "a venue change shows at once");
    }
}

db_test! {
    fn cached_answers_are_the_fresh_bytes_and_other_writers_show_within_the_ttl(app) {
        let (co, id, _) = group(&app);
        let first = app.get("/api/v1/listings", None);
        assert_eq!(first.headers()["content-type"], "application/json");
        assert_eq!(first.headers()["cache-control"], "public, no-cache", "public and anonymous: cacheable, revalidated");
        let first = first.text().unwrap();
        let again = app.get("/api/v1/listings?offset=0&limit=20", None);
        assert_eq!(again.headers()["cache-control"], "public, no-cache");
        assert_eq!(again.text().unwrap(), first, "the same query, spelt differently, same bytes");
        assert_eq!(first, fresh(&app, "/api/v1/listings"));
        // A signed-in read is answered from the same cache but must not be stored by browsers.
        let signed_in = app.get("/api/v1/listings", co.t());
        assert_eq!(signed_in.headers()["cache-control"], "no-store");
        assert_eq!(signed_in.text().unwrap(), first);

        // The iCalendar feed is cached too, with its own content type.
        let ics = app.get("/api/v1/listings.ics", None);
        assert_eq!(ics.headers()["content-type"], "text/calendar; charset=utf-8");
        let ics = ics.text().unwrap();
        assert_eq!(ics, body(&app, "/api/v1/listings.ics"));
        assert_eq!(ics, fresh(&app, "/api/v1/listings.ics"));
        let session = exact(&app)["sessions"][0]["id"].clone();
        ok_json(app.patch(&format!("/api/v1/sessions/{session}"), co.t(), &json!({"status": "cancelled", "reason": "Snow"})), 200);
        let after = body(&app, "/api/v1/listings.ics");
        assert_eq!(after.matches("STATUS:CANCELLED").count(), 1, "{after}");
        assert_eq!(after, fresh(&app, "/api/v1/listings.ics"));

        // A write this process did not make (another groupwork on the same database) cannot
        // invalidate the cache: it shows within the TTL.
        let before = exact(&app)["title"].clone();
        let mut conn = app.state.pool.get().unwrap();
        diesel::update(cohorts::table.find(id as i32)).set(cohorts::title.eq("Renamed elsewhere")).execute(&mut conn).unwrap();
        drop(conn);
        let seen: Value = serde_json::from_str(&listed(&app)).unwrap();
        assert_eq!(seen["items"][0]["title"], before, "served from the cache");
        std::thread::sleep(TTL + std::time::Duration::from_millis(100));
        assert_eq!(exact(&app)["title"], "Renamed elsewhere", "within the TTL");
    }
}

db_test! {
    fn the_clock_alone_moves_a_listing_on(app) {
        group(&app);
        assert_eq!(exact(&app)["booking_open"], true);
        // Booking closes at the end of the first session's day (3 March, London).
        app.clock.set("2026-03-03T23:59:59Z".parse().unwrap());
        assert_eq!(exact(&app)["booking_open"], true);
        app.clock.set("2026-03-04T00:00:00Z".parse().unwrap());
        assert_eq!(exact(&app)["booking_open"], false, "the local midnight ends the entry");
        // After the last session (the eighth Tuesday) the group leaves the listing.
        app.clock.set("2026-05-01T09:00:00Z".parse().unwrap());
        let v: Value = serde_json::from_str(&listed(&app)).unwrap();
        assert_eq!(v["total"], 0, "a finished group is not listed: {v}");
        // A clock set back (as tests do) does not get a listing from its future.
        app.clock.set(crate::helpers::start_instant());
        assert_eq!(exact(&app)["booking_open"], true);
    }
}
