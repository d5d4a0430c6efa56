//! The public programme pages (issue 18) against the JSON listing and the iCalendar feed: the
//! three agree on every group's dates, the weeks with no group say why, the clock-change group
//! keeps its local time, conditional GETs answer 304, hidden groups are 404 everywhere, and the
//! pages speak the visitor's language. (Chromium and axe-core: `pages_browser`.)

use crate::db_test;
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, problem, TestApp};
use icalendar::{CalendarDateTime, Component, DatePerhapsTime};
use reqwest::blocking::Response;
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub fn load_demo(app: &TestApp) {
    let outcome = actix_web::rt::System::new()
        .block_on(groupwork::demo::load(&app.state.services))
        .expect("demo load runs");
    assert!(matches!(outcome, groupwork::demo::Outcome::Loaded(_)));
}

fn text(res: Response) -> String {
    assert_eq!(res.status(), 200, "{}", res.url());
    res.text().unwrap()
}

/// The schema.org data a group page carries for search engines.
fn json_ld(html: &str) -> Value {
    let start = html
        .find("<script type=\"application/ld+json\">")
        .expect("event data")
        + 35;
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).expect("valid JSON-LD")
}

/// Local start of each event of a group in the feed, by its session's UID.
fn feed_starts(app: &TestApp, group: i64) -> Vec<String> {
    let ics = text(app.get(&format!("/api/v1/listings.ics?group_id={group}"), None));
    let cal: icalendar::Calendar = ics.parse().expect("a valid calendar");
    cal.events()
        .map(|e| match e.get_start() {
            Some(DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, tzid })) => {
                assert_eq!(tzid, "Europe/London");
                date_time.format("%Y-%m-%dT%H:%M").to_string()
            }
            other => panic!("no zoned start: {other:?}"),
        })
        .collect()
}

db_test! {
    fn the_pages_the_listing_and_the_feed_agree_on_every_groups_dates(app) {
        load_demo(&app);
        let listing = ok_json(app.get("/api/v1/listings", None), 200);
        let items = listing["items"].as_array().unwrap();
        assert!(items.len() >= 5, "{listing}");
        let programme = text(app.get("/programme", None));
        assert!(programme.contains(&format!("{} groups</h2>", items.len())), "the count");
        let mut easter = 0;
        let mut clock_change = 0;
        for item in items {
            let id = item["cohort_id"].as_i64().unwrap();
            assert!(programme.contains(&format!("href=\"&#x2f;programme&#x2f;groups&#x2f;{id}?lang=en\"")), "group {id} on the programme");
            // The JSON of one group is the listing's item.
            assert_eq!(ok_json(app.get(&format!("/api/v1/listings/{id}"), None), 200), *item);
            let json: Vec<String> = item["sessions"].as_array().unwrap().iter()
                .map(|s| s["local_start"].as_str().unwrap()[..16].to_string())
                .collect();
            // The page's event data, what it shows and the feed: the same instants.
            let page = text(app.get(&format!("/programme/groups/{id}"), None));
            let ld = json_ld(&page);
            assert_eq!(ld["@type"], "EventSeries");
            let html: Vec<String> = ld["subEvent"].as_array().unwrap().iter()
                .map(|e| e["startDate"].as_str().unwrap()[..16].to_string())
                .collect();
            assert_eq!(html, json, "group {id}: page and listing");
            assert_eq!(feed_starts(&app, id), json, "group {id}: feed and listing");
            let held = item["sessions"].as_array().unwrap().iter().filter(|s| s["status"] != "cancelled").count();
            assert_eq!(page.matches("<li class=\"session\">").count(), held, "group {id}: dates shown");
            if page.contains("No group this week: bank holiday") {
                easter += 1;
            }
            // A group on both sides of a clock change meets at the same local time throughout.
            let offsets: std::collections::BTreeSet<&str> = item["sessions"].as_array().unwrap().iter()
                .map(|s| &s["local_start"].as_str().unwrap()[19..]).collect();
            if offsets.len() > 1 {
                clock_change += 1;
                let times: std::collections::BTreeSet<&str> = json.iter().map(|t| &t[11..]).collect();
                assert_eq!(times.len(), 1, "group {id}: {json:?}");
                let time = item["start_time"].as_str().unwrap();
                assert_eq!(page.matches(&format!(", {time}–")).count(), held, "group {id}: the same local time on the page");
            }
        }
        assert!(easter >= 1 && clock_change >= 1, "the demo has groups over Easter and a clock change: {easter}, {clock_change}");
        // The printable programme: a section a venue, a QR code a group.
        let print = text(app.get("/programme/print", None));
        let venues: std::collections::BTreeSet<i64> = items.iter().map(|i| i["venue"]["id"].as_i64().unwrap()).collect();
        assert_eq!(print.matches("<section class=\"venue\"").count(), venues.len());
        assert_eq!(print.matches("<svg aria-hidden=\"true\"").count(), items.len());
    }
}

db_test! {
    fn conditional_gets_answer_304_and_hidden_groups_are_404_everywhere(app) {
        load_demo(&app);
        let listing = ok_json(app.get("/api/v1/listings", None), 200);
        let open = listing["items"].as_array().unwrap().iter()
            .find(|i| i["booking_open"] == true && i["places_left"].as_i64() > Some(0))
            .expect("a group open for booking");
        let id = open["cohort_id"].as_i64().unwrap();
        let surfaces = [
            "/api/v1/listings".to_string(),
            format!("/api/v1/listings/{id}"),
            "/api/v1/listings.ics".to_string(),
            "/programme?lang=pt".to_string(),
            format!("/programme/groups/{id}?lang=pl"),
            "/programme/print".to_string(),
        ];
        let mut tags = BTreeMap::new();
        for path in &surfaces {
            let first = app.get(path, None);
            assert_eq!(first.status(), 200, "{path}");
            let etag = first.headers()["etag"].to_str().unwrap().to_string();
            let modified = first.headers()["last-modified"].to_str().unwrap().to_string();
            let body = first.text().unwrap();
            let again = app.req(reqwest::Method::GET, path, None).header("if-none-match", &etag).send().unwrap();
            assert_eq!(again.status(), 304, "{path}");
            assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
            assert!(again.text().unwrap().is_empty());
            let since = app.req(reqwest::Method::GET, path, None).header("if-modified-since", &modified).send().unwrap();
            assert_eq!(since.status(), 304, "{path}: If-Modified-Since");
            let other = app.req(reqwest::Method::GET, path, None).header("if-none-match", "\"not-it\"").send().unwrap();
            assert_eq!(other.status(), 200, "{path}: another tag");
            assert_eq!(other.text().unwrap(), body, "{path}: the same bytes");
            tags.insert(path.clone(), etag);
        }
        // Rendered again after the cache's second: the same bytes, the same validators (the
        // feed's DTSTAMP is when the programme last changed, not when it was drawn).
        std::thread::sleep(groupwork::api::catalogue::listing_cache::TTL + std::time::Duration::from_millis(200));
        for path in &surfaces {
            let res = app.req(reqwest::Method::GET, path, None).header("if-none-match", &tags[path]).send().unwrap();
            assert_eq!(res.status(), 304, "{path}, rendered again");
        }
        assert_eq!(text(app.get("/programme.ics", None)), text(app.get("/api/v1/listings.ics", None)));
        // A booking changes the places left: the group's answers change, and their tags.
        let parent = app.register_parent("pages@example.org")["access_token"].as_str().unwrap().to_string();
        ok_json(app.post("/api/v1/me/children", Some(&parent), &json!({"first_name": "Ada", "date_of_birth": "2025-10-01"})), 201);
        let booked = app.post(&format!("/api/v1/cohorts/{id}/bookings"), Some(&parent), &json!({}));
        assert_eq!(booked.status(), 201, "{}", booked.text().unwrap_or_default());
        for path in [&surfaces[0], &surfaces[1], &surfaces[4]] {
            let res = app.req(reqwest::Method::GET, path, None).header("if-none-match", &tags[path]).send().unwrap();
            assert_eq!(res.status(), 200, "{path} after a booking");
            assert_ne!(res.headers()["etag"].to_str().unwrap(), tags[path]);
        }

        // A draft and a cancelled group: on no public surface.
        let co = Coordinator::new(&app);
        let venue = listing["items"][0]["venue"]["id"].as_i64().unwrap();
        let draft = co.cohort("together-time", venue, "2026-05-05", "13:00", json!({"places": 6}))["id"].as_i64().unwrap();
        let cancel = app.post(&format!("/api/v1/cohorts/{id}/cancel"), co.t(), &json!({"reason": "Venue flooded"}));
        assert_eq!(cancel.status(), 200, "{}", cancel.text().unwrap_or_default());
        for hidden in [draft, id] {
            problem(app.get(&format!("/api/v1/listings/{hidden}"), None), 404);
            problem(app.get(&format!("/programme/groups/{hidden}"), None), 404);
            let page = text(app.get("/programme", None));
            assert!(!page.contains(&format!("groups&#x2f;{hidden}?")), "group {hidden} on the programme");
            assert!(!text(app.get("/programme/print", None)).contains(&format!("groups/{hidden}?")));
            let ids: Vec<i64> = ok_json(app.get("/api/v1/listings", None), 200)["items"].as_array().unwrap()
                .iter().map(|i| i["cohort_id"].as_i64().unwrap()).collect();
            assert!(!ids.contains(&hidden));
        }
        problem(app.get("/programme/groups/424242", None), 404);
        problem(app.get("/api/v1/listings/424242", None), 404);
    }
}

db_test! {
    fn pages_speak_the_visitors_language_and_name_the_centres_links(app) {
        load_demo(&app);
        let get = |path: &str, accept: Option<&str>| {
            let mut req = app.req(reqwest::Method::GET, path, None);
            if let Some(a) = accept {
                req = req.header("accept-language", a);
            }
            req.send().unwrap()
        };
        let keys = regex::Regex::new(r"\bpage-[a-z]").unwrap();
        for (path, accept, lang, heading) in [
            ("/programme?lang=pl", Some("es"), "pl", "Grupy dla rodziców i niemowląt w tym semestrze"),
            ("/programme", Some("es-ES,es;q=0.9,en;q=0.5"), "es", "Grupos para madres, padres y bebés este trimestre"),
            ("/programme?lang=xx", Some("pt-BR"), "pt", "Grupos para pais e bebés neste período"),
            ("/programme", None, "en", "Parent and baby groups this term"),
        ] {
            let res = get(path, accept);
            assert_eq!(res.headers()["content-language"], lang, "{path}");
            assert_eq!(res.headers()["vary"], "Accept-Language");
            let page = res.text().unwrap();
            assert!(page.starts_with(&format!("<!doctype html>\n<html lang=\"{lang}\">")), "{path}");
            assert!(page.contains(&format!("<h1>{heading}</h1>")), "{path}");
            // Every word comes from the message files: never a key's name.
            assert!(!keys.is_match(&page), "{path}: a key shows");
            assert!(!page.contains("Set-Cookie"));
        }
        // The language switch keeps the filters.
        let page = text(app.get("/programme?programme=cosp&has_places=true&lang=es", None));
        assert!(page.contains("href=\"&#x2f;programme?programme=cosp&amp;has_places=true&amp;lang=pl\""), "{page}");
        assert!(!page.contains("Together Time —"), "the filter narrows the groups");
    }
}

#[test]
fn the_centres_booking_page_phone_and_embedding_sites_are_its_own() {
    let Some(app) = crate::helpers::spawn(crate::helpers::Backend::Sqlite, |c| {
        c.booking_url = "https://book.lambeth.example/groups/{id}".into();
        c.centre_phone = "020 7926 1000".into();
        c.embed_origins = vec!["https://www.lambeth.example".into()];
        c.public_url = "https://groups.lambeth.example".into();
    }) else {
        return;
    };
    load_demo(&app);
    let id = ok_json(app.get("/api/v1/listings", None), 200)["items"][1]["cohort_id"]
        .as_i64()
        .unwrap();
    let res = app.get(&format!("/programme/groups/{id}?embed=1"), None);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.ends_with("frame-ancestors 'self' https://www.lambeth.example"),
        "{csp}"
    );
    assert!(res.headers().get("set-cookie").is_none(), "no cookies");
    let page = res.text().unwrap();
    assert!(
        page.contains(&format!(
            "href=\"https:&#x2f;&#x2f;book.lambeth.example&#x2f;groups&#x2f;{id}\" target=\"_top\""
        )),
        "book"
    );
    assert!(
        page.contains("<a href=\"tel:02079261000\">020 7926 1000</a>"),
        "call"
    );
    assert!(
        page.contains("<script src=\"/programme/frame.js\" defer></script>"),
        "resizes"
    );
    assert!(
        !page.contains("<header class=\"site\">"),
        "no page chrome in the embed"
    );
    assert_eq!(
        json_ld(&page)["url"],
        format!("https://groups.lambeth.example/programme/groups/{id}")
    );
}

db_test! {
    fn the_programme_shows_twenty_groups_a_page(app) {
        load_demo(&app);
        let co = Coordinator::new(&app);
        let venue = co.venue("Larkhall Community Room", "lambeth-2014:Stockwell", 0);
        let shown = ok_json(app.get("/api/v1/listings", None), 200)["total"].as_i64().unwrap();
        for n in 0..(21 - shown) {
            let lead = co.staff(&format!("Lead {n}"), &[("clinical", None)]);
            let id = co.cohort("together-time", venue, "2026-04-14", "13:00", json!({"places": 6}))["id"].as_i64().unwrap();
            ok_json(co.set_team(id, json!({"lead": lead})), 200);
            ok_json(co.publish(id), 200);
        }
        let cards = |page: &str| page.matches("<article class=\"group\"").count();
        let first = text(app.get("/programme?lang=en", None));
        assert!(first.contains("21 groups</h2>"));
        assert_eq!(cards(&first), 20);
        assert!(first.contains("Page 1 of 2") && first.contains("rel=\"next\"") && !first.contains("rel=\"prev\""));
        assert!(first.contains("href=\"&#x2f;programme?page=2&amp;lang=en\" rel=\"next\""), "the next page keeps the language");
        let second = text(app.get("/programme?page=2&lang=en", None));
        assert_eq!(cards(&second), 1);
        assert!(second.contains("Page 2 of 2") && second.contains("rel=\"prev\""));
        assert_eq!(cards(&text(app.get("/programme?page=99", None))), 1, "past the end: the last page");
        let p = problem(app.get("/programme?page=0", None), 422);
        assert!(p["errors"]["page"].is_array(), "{p}");
        // A filter with few groups has one page and no pager.
        let few = text(app.get("/programme?programme=cosp", None));
        assert!(!few.contains("class=\"pager\""));
    }
}

db_test! {
    fn the_programme_refuses_filters_its_form_never_sends(app) {
        load_demo(&app);
        for (query, field) in [
            ("venue=01", "venue"),
            ("venue=1234567890", "venue"),
            ("venue=%205", "venue"),
            ("venue=abc", "venue"),
            ("page=01", "page"),
            ("page=0", "page"),
            ("ward=lambeth-2014:%20Stockwell", "ward"),
            ("ward=Stockwell", "ward"),
        ] {
            let p = problem(app.get(&format!("/programme?{query}"), None), 422);
            assert!(p["errors"][field].is_array(), "{query}: {p}");
        }
        for path in ["/api/v1/listings?group_id=0", "/api/v1/listings.ics?group_id=-3", "/programme.ics?group_id=0"] {
            let p = problem(app.get(path, None), 422);
            assert!(p["errors"]["group_id"].is_array(), "{path}: {p}");
        }
        // The form's empty values are "any".
        let any = text(app.get("/programme?ward=&venue=&programme=&page=", None));
        assert_eq!(any, text(app.get("/programme", None)));
    }
}
