//! The public listing: only published groups that have not finished, filters, pagination,
//! nothing personal; and the iCalendar feed with the right local times.

use crate::db_test;
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, problem, TestApp};
use serde_json::{json, Value};

/// Two listed cohorts (COSP at Stockwell from 3 March, Together Time at Vassall from 4 March),
/// plus a draft, a cancelled and a finished one that must not be listed.
fn programme_of_groups(app: &TestApp) -> (i64, i64) {
    let co = Coordinator::new(app);
    let stockwell = co.venue("Stockwell Children's Centre", "lambeth-2014:Stockwell", 10);
    let vassall = co.venue("Myatt's Fields", "lambeth-2014:Vassall", 0);
    let grace = co.staff("Grace Adeyemi", &[("cosp_registered", None)]);
    let tom = co.staff("Tom Reilly", &[]);
    let maria = co.staff("Maria Santos", &[("paediatric_first_aid", None)]);
    let chloe = co.staff("Chloe Evans", &[]);
    let hannah = co.staff("Hannah Mensah", &[("clinical", None)]);
    let publish = |programme: &str, venue: i64, first: &str, team: Value| {
        let id = co.cohort(programme, venue, first, "10:00", json!({}))["id"]
            .as_i64()
            .unwrap();
        ok_json(co.set_team(id, team), 200);
        ok_json(co.publish(id), 200);
        id
    };
    let cosp = publish(
        "cosp",
        stockwell,
        "2026-03-03",
        json!({"lead": grace, "co_facilitators": [tom], "creche_workers": [maria, chloe]}),
    );
    let tt = publish(
        "together-time",
        vassall,
        "2026-03-04",
        json!({"lead": hannah}),
    );
    let cancelled = publish(
        "together-time",
        vassall,
        "2026-03-05",
        json!({"lead": hannah}),
    );
    ok_json(
        app.post(
            &format!("/api/v1/cohorts/{cancelled}/cancel"),
            co.t(),
            &json!({"reason": "Room unavailable"}),
        ),
        200,
    );
    co.cohort("together-time", vassall, "2026-03-06", "10:00", json!({})); // draft
    publish(
        "together-time",
        stockwell,
        "2025-11-03",
        json!({"lead": hannah}),
    ); // finished before "now"
    (cosp, tt)
}

fn ids(listing: &Value) -> Vec<i64> {
    listing["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["cohort_id"].as_i64().unwrap())
        .collect()
}

db_test! {
    fn listing_shows_open_groups_with_filters_and_pages(app) {
        let (cosp, tt) = programme_of_groups(&app);
        let all = ok_json(app.get("/api/v1/listings", None), 200);
        assert_eq!(ids(&all), [cosp, tt]);
        assert_eq!(all["total"], 2);
        let first = &all["items"][0];
        assert_eq!(first["programme"], "cosp");
        assert_eq!(first["venue"]["ward"], "lambeth-2014:Stockwell");
        assert_eq!(first["places"], 10);
        assert_eq!(first["places_left"], 10);
        assert_eq!(first["creche"]["offered"], true);
        assert_eq!(first["creche"]["places_left"], 6);
        // Two crèche workers in a room for ten: six babies (1:3), or ten two-year-olds (1:5,
        // room-limited), or ten over-threes.
        assert_eq!(first["creche"]["places_left_by_age"], json!({"under_2": 6, "age_2": 10, "age_3_plus": 10}));
        assert_eq!(all["items"][1]["creche"]["places_left_by_age"], json!({"under_2": 0, "age_2": 0, "age_3_plus": 0}));
        assert_eq!(first["booking_open"], true);
        assert_eq!(first["sessions"][4]["local_start"], "2026-03-31T10:00:00+01:00");
        assert_eq!(first["sessions"][4]["starts_at"], "2026-03-31T09:00:00Z");
        // Nothing personal: no staff names or contact details.
        let text = all.to_string();
        for personal in ["Grace", "grace", "staff.example", "team", "email", "phone"] {
            assert!(!text.contains(personal), "listing leaks {personal:?}");
        }

        let only = |q: &str| ids(&ok_json(app.get(&format!("/api/v1/listings?{q}"), None), 200));
        assert_eq!(only("ward=lambeth-2014:Stockwell"), [cosp]);
        assert_eq!(only("programme=together-time"), [tt]);
        assert_eq!(only("has_creche=true"), [cosp]);
        assert_eq!(only("has_places=true"), [cosp, tt]);
        assert_eq!(only(&format!("venue_id={}", all["items"][1]["venue"]["id"])), [tt]);
        assert_eq!(only("from=2026-04-15"), [cosp], "the Together Time group ends on 8 April");
        assert_eq!(only("to=2026-03-03"), [cosp]);
        assert_eq!(only("from=2026-06-01"), Vec::<i64>::new());
        let page = ok_json(app.get("/api/v1/listings?limit=1&offset=1", None), 200);
        assert_eq!((ids(&page), page["total"].as_i64(), page["limit"].as_i64()), (vec![tt], Some(2), Some(1)));
        problem(app.get("/api/v1/listings?ward=Stockwell", None), 422);
        problem(app.get("/api/v1/listings?limit=500", None), 422);
        problem(app.get("/api/v1/listings?from=2026-05-01&to=2026-04-01", None), 422);
        problem(app.get("/api/v1/listings?from=yesterday", None), 400);

        // Once the groups have finished they leave the listing.
        app.clock.set("2026-05-01T00:00:00Z".parse().unwrap());
        assert_eq!(ok_json(app.get("/api/v1/listings", None), 200)["total"], 0);
    }
}

db_test! {
    fn booking_window_follows_the_dates(app) {
        let (cosp, _) = programme_of_groups(&app);
        let co = Coordinator::new(&app);
        ok_json(app.patch(&format!("/api/v1/cohorts/{cosp}"), co.t(), &json!({"booking_opens_on": "2026-03-05"})), 200);
        let item = |app: &TestApp| ok_json(app.get("/api/v1/listings", None), 200)["items"][0].clone();
        assert_eq!(item(&app)["booking_open"], false, "not open yet");
        ok_json(app.patch(&format!("/api/v1/cohorts/{cosp}"), co.t(), &json!({"booking_opens_on": "2026-02-01", "booking_closes_on": "2026-03-10"})), 200);
        assert_eq!(item(&app)["booking_open"], true);
        app.clock.set("2026-03-11T09:00:00Z".parse().unwrap());
        assert_eq!(item(&app)["booking_open"], false, "closed after booking_closes_on");
    }
}

db_test! {
    fn ics_feed_imports_with_the_right_local_times(app) {
        use icalendar::{CalendarComponent, CalendarDateTime, Component, DatePerhapsTime};
        let (cosp, _) = programme_of_groups(&app);
        let co = Coordinator::new(&app);
        let cohort = ok_json(app.get(&format!("/api/v1/cohorts/{cosp}"), co.t()), 200);
        let sixth = cohort["sessions"][5]["id"].as_i64().unwrap();
        ok_json(app.patch(&format!("/api/v1/sessions/{sixth}"), co.t(), &json!({"status": "cancelled", "reason": "Staff illness"})), 200);

        let fetch = || {
            let res = app.get("/api/v1/listings.ics?programme=cosp", None);
            assert_eq!(res.status(), 200);
            assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/calendar"));
            let cal: icalendar::Calendar = res.text().unwrap().parse().expect("a valid calendar");
            cal.components
                .into_iter()
                .filter_map(|c| match c {
                    CalendarComponent::Event(e) => Some(e),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
        let events = fetch();
        assert_eq!(events.len(), 8);
        for (i, e) in events.iter().enumerate() {
            let Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid })) = e.get_start() else {
                panic!("event {i} has no zoned start");
            };
            assert_eq!(tzid, "Europe/London");
            assert_eq!(date_time.format("%H:%M").to_string(), "10:00", "event {i}: same wall-clock time on both sides of 29 March");
            let status = if e.get_uid() == Some(format!("session-{sixth}@groupwork").as_str()) { "CANCELLED" } else { "CONFIRMED" };
            assert_eq!(e.property_value("STATUS"), Some(status), "event {i}");
        }
        let first_dates: Vec<String> = events.iter().take(6).map(|e| match e.get_start() {
            Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, .. })) => date_time.date().to_string(),
            _ => String::new(),
        }).collect();
        assert_eq!(first_dates, ["2026-03-03", "2026-03-10", "2026-03-17", "2026-03-24", "2026-03-31", "2026-04-07"]);
        let uids: Vec<String> = events.iter().map(|e| e.get_uid().unwrap().to_string()).collect();
        let again: Vec<String> = fetch().iter().map(|e| e.get_uid().unwrap().to_string()).collect();
        assert_eq!(uids, again, "UIDs are stable");
        // The whole feed carries both groups, and the group cancelled after it was published
        // with each of its sessions marked cancelled (so subscribed calendars drop them).
        let all: icalendar::Calendar = app.get("/api/v1/listings.ics", None).text().unwrap().parse().unwrap();
        let statuses: Vec<&str> = all.events().map(|e| e.property_value("STATUS").unwrap()).collect();
        let cancelled = statuses.iter().filter(|s| **s == "CANCELLED").count();
        assert_eq!((statuses.len(), cancelled), (20, 7), "{statuses:?}");
    }
}
