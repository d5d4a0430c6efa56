//! The summary report to print (issue 19 item 6): a coordinator asks for a short-lived signed
//! link, the page shows the figures and three charts drawn as SVG, exact or safe to share; the
//! link opens that page only, for a while only, for a coordinator only. In real Chromium the
//! charts are drawn, axe finds no WCAG A/AA violation and the page prints on two A4 pages.

use crate::browser::Browser;
use crate::db_test;
use crate::geography::{fixture, full_args, import_ok};
use crate::helpers::{self, ok_json, problem, Backend, TestApp};
use crate::monitoring::{fixture_postcodes, scenario};
use crate::registers::{mark, staff};
use chrono::Duration;
use groupwork::clock::Clock;
use groupwork::domain::role::Role;
use reqwest::blocking::Response;
use serde_json::{json, Value};

fn link(app: &TestApp, token: &str, body: Value) -> Response {
    app.post("/api/v1/reports/summary/link", Some(token), &body)
}

fn open(app: &TestApp, path: &str) -> (u16, String, reqwest::header::HeaderMap) {
    let res = app.get(path, None);
    let (status, headers) = (res.status().as_u16(), res.headers().clone());
    (status, res.text().unwrap(), headers)
}

/// The monitoring scenario with the fixture geography, families living in two wards (7 and 5;
/// 12 and 13 gave no postcode), and the whole group held: families 0–8 come to every session
/// after the first (9 of 14), the rest to none. The clock stops the day after the last session.
fn with_history(app: &TestApp) -> crate::registers::Group {
    import_ok(app, &full_args(&fixture("onspd.csv")));
    let g = scenario(app);
    let (inside, _) = fixture_postcodes();
    let a = inside[0].clone();
    let b = inside.iter().find(|(_, p)| p.0 != a.1 .0).unwrap().clone();
    for (i, f) in g.families.iter().enumerate().take(12) {
        let carers = if i < 4 {
            json!(["Carer A", "Carer B"])
        } else {
            json!(["Carer A"])
        };
        let postcode = if i < 7 { &a.0 } else { &b.0 };
        let body = json!({"carers": carers, "postcode": postcode, "preferred_language": "en", "referral_source": "self"});
        let t = app.token_as(f.user, Role::Parent);
        ok_json(
            app.req(reqwest::Method::PUT, "/api/v1/me/family", Some(&t))
                .json(&body)
                .send()
                .unwrap(),
            200,
        );
    }
    for n in 2..=g.sessions.len() {
        g.at_session(app, n, 30);
        let marks: Vec<(i64, &str)> = g
            .families
            .iter()
            .enumerate()
            .map(|(i, f)| (f.booking, if i < 9 { "present" } else { "absent" }))
            .collect();
        mark(app, &g.register(n), &staff(app, g.lead), &marks);
    }
    let last = g.sessions.last().unwrap().1;
    app.clock.set(last + Duration::days(1));
    g
}

db_test! {
    fn a_signed_link_opens_the_printable_report_for_a_while_for_coordinators_only(app) {
        let g = with_history(&app);
        let co = app.token_as(g.coordinator, Role::Coordinator);
        let made = ok_json(link(&app, &co, json!({"from": "2026-03-01", "to": "2026-12-31"})), 200);
        let path = made["path"].as_str().unwrap().to_string();
        assert!(path.starts_with("/reports/summary.html?token="), "{made}");
        assert!(made["url"].as_str().unwrap().ends_with(&path));
        let (status, html, headers) = open(&app, &path);
        assert_eq!(status, 200, "{html}");
        assert_eq!(headers["content-type"], "text/html; charset=utf-8");
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(headers["referrer-policy"], "no-referrer", "the token must not leak onwards");
        assert!(headers["content-security-policy"].to_str().unwrap().contains("default-src 'none'"));
        // The figures as the JSON report gives them, and the three charts.
        let report = ok_json(app.get("/api/v1/reports/summary?from=2026-03-01&to=2026-12-31", Some(&co)), 200);
        let booked = report["total"]["families_booked"].to_string();
        assert!(html.contains(&format!("<th scope=\"row\">Families booked</th><td class=\"value\">{booked}</td>")), "{html}");
        for chart in ["attendance-by-week", "reach-by-ward", "completion-by-programme"] {
            assert!(html.contains(&format!("<figure id=\"{chart}\">")), "{chart}");
        }
        assert_eq!(html.matches("<svg").count(), 3);
        assert!(html.contains("Internal: exact figures"));
        assert!(html.contains("under-fives)"), "reach against the wards' under-fives: {html}");

        // Safe to share: the same page with small counts hidden (two absent in week one).
        let shared = ok_json(link(&app, &co, json!({"disclosure": "suppressed"})), 200);
        let (status, html, _) = open(&app, shared["path"].as_str().unwrap());
        assert_eq!(status, 200);
        assert!(html.contains("Safe to share outside the council") && html.contains("left blank"), "{html}");
        assert!(!html.contains("Internal: exact figures"));

        // Only for coordinators and admins; the request checked as the report's query is.
        for role in [Role::Facilitator, Role::Parent] {
            problem(link(&app, &app.user_token(role), json!({})), 403);
        }
        problem(app.post("/api/v1/reports/summary/link", None, &json!({})), 401);
        for (body, field) in [(json!({"disclosure": "public"}), "disclosure"), (json!({"disclosure": ""}), "disclosure"),
                              (json!({"from": "2026-13-01"}), "from"), (json!({"to": ""}), "to"),
                              (json!({"from": "1999-12-31"}), "from"), (json!({"from": "2026-05-01", "to": "2026-04-01"}), "to")] {
            let p = problem(link(&app, &co, body.clone()), 422);
            assert!(p["errors"][field].is_array(), "{body}: {p}");
        }
        problem(link(&app, &co, json!({"group_by": "ward"})), 422);

        // The link opens this page only: not the API, and no other token opens the page.
        let token = path.split_once("token=").unwrap().1.to_string();
        problem(app.get("/api/v1/reports/summary", Some(&token)), 401);
        let (status, _, _) = open(&app, &format!("/reports/summary.html?token={co}"));
        assert_eq!(status, 401, "an access token is not a report link");
        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        assert_eq!(open(&app, &format!("/reports/summary.html?token={tampered}")).0, 401);
        assert_eq!(open(&app, "/reports/summary.html").0, 400);
        // After 15 minutes it no longer works.
        let now = app.clock.now();
        app.clock.set(now + Duration::minutes(15));
        let (status, body, _) = open(&app, &path);
        assert_eq!(status, 401);
        assert!(body.contains("make a new one"), "{body}");
        app.clock.set(now);
        assert_eq!(open(&app, &path).0, 200);
        // An account disabled since: its links stop working at once.
        let admin = app.user_token(Role::Admin);
        ok_json(app.patch(&format!("/api/v1/users/{}", g.coordinator), Some(&admin), &json!({"disabled": true})), 200);
        assert_eq!(open(&app, &path).0, 401);
    }
}

#[test]
fn the_printable_report_draws_its_charts_and_prints_on_two_a4_pages() {
    let Some(browser) = Browser::start(1024, 1400) else {
        return;
    };
    // On both databases: the page is drawn from each one's figures.
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(app) = helpers::spawn(backend, |_| {}) else {
            continue;
        };
        print_both_versions(&browser, &app);
    }
}

fn print_both_versions(browser: &Browser, app: &TestApp) {
    let g = with_history(app);
    let co = app.token_as(g.coordinator, Role::Coordinator);
    let page_marker = regex::bytes::Regex::new(r"/Type\s*/Page[^s]").unwrap();
    for disclosure in ["internal", "suppressed"] {
        let made = ok_json(link(app, &co, json!({"disclosure": disclosure})), 200);
        browser.goto(&app.url(made["path"].as_str().unwrap()));
        // Every chart drawn with bars of some size.
        let bars = browser.run(
            "return [...document.querySelectorAll('figure')].map(f => [f.id, \
             [...f.querySelectorAll('rect.bar')].filter(r => r.getBoundingClientRect().width > 0 \
             && r.getBoundingClientRect().height > 0).length]);",
            json!([]),
        );
        for pair in bars.as_array().unwrap() {
            assert!(
                pair[1].as_i64().unwrap() > 0,
                "{disclosure}: {pair} has no bar drawn"
            );
        }
        assert_eq!(bars.as_array().unwrap().len(), 3);
        let violations = browser.accessibility_violations();
        assert!(violations.is_empty(), "{disclosure}: {violations:?}");
        let pdf = browser.print_pdf();
        assert!(pdf.starts_with(b"%PDF-"), "a PDF");
        let pages = page_marker.find_iter(&pdf).count();
        assert_eq!(pages, 2, "{disclosure}: two A4 pages for a funder");
    }
}
